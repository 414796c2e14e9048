//! Comparing (`render --check`): how OUT differs from the new tree, as a unified diff.
//! Reads the way a write does, and writes nothing.

use std::fmt;
use std::io;
use std::path::Path;
use std::time::Duration;

use super::listing::{Kind, Out};
use super::manifest::{MANIFEST, Manifest};
use super::{Sink, WriteError};
use crate::tree::Tree;

/// How a folder differs from a tree: the files that a write would change, add or
/// remove, and a unified diff of each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drift {
    pub changed: Vec<String>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    diff: String,
}

impl Drift {
    /// The unified diff (`a/` is the folder, `b/` what meshgen would write).
    pub fn diff(&self) -> &str {
        &self.diff
    }

    /// `2 changed, 1 added, 1 removed`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        for (n, what) in [
            (self.changed.len(), "changed"),
            (self.added.len(), "added"),
            (self.removed.len(), "removed"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        parts.join(", ")
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diff)
    }
}

/// How long one file's diff may search for the smallest edit. Myers' algorithm takes
/// time quadratic in the number of differing lines; past this it settles for a larger
/// (still correct) diff, so a pathological file cannot stall `render --check`
/// (similar `TextDiffConfig::timeout`).
const DIFF_TIMEOUT: Duration = Duration::from_millis(500);

/// One file that differs, with its unified diff.
struct FileDrift {
    path: String,
    change: Change,
    diff: String,
}

enum Change {
    Changed,
    Added,
    Removed,
}

impl FileDrift {
    fn new(path: &str, old: Option<(&[u8], &str)>, new: Option<&[u8]>) -> FileDrift {
        let old_name = format!("a/{path}");
        let new_name = format!("b/{path}");
        let (old_text, old_header) = match old {
            Some((bytes, note)) => (String::from_utf8_lossy(bytes), format!("{old_name}{note}")),
            None => (Default::default(), "/dev/null".to_owned()),
        };
        let (new_text, new_header) = match new {
            Some(bytes) => (String::from_utf8_lossy(bytes), new_name),
            None => (Default::default(), "/dev/null".to_owned()),
        };
        let diff = similar::TextDiff::configure()
            .timeout(DIFF_TIMEOUT)
            .diff_lines(old_text.as_ref(), new_text.as_ref())
            .unified_diff()
            .missing_newline_hint(true)
            .header(&old_header, &new_header)
            .to_string();
        let change = match (old, new) {
            (None, _) => Change::Added,
            (_, None) => Change::Removed,
            _ => Change::Changed,
        };
        FileDrift {
            path: path.to_owned(),
            change,
            diff,
        }
    }
}

/// [`diff_tree`] in parts: each part of the new tree is compared with OUT as it is
/// rendered, and only the differences are kept.
pub struct Comparer {
    out: Out,
    /// OUT's manifest; an unreadable one shows as changed, and nothing is known to be stale.
    previous: Manifest,
    /// The new tree's files so far, for its manifest.
    manifest: Manifest,
    drifts: Vec<FileDrift>,
}

impl Comparer {
    pub fn start(dir: &Path) -> Result<Comparer, WriteError> {
        let out = Out::inspect(dir)?;
        let previous = out.manifest().unwrap_or(None).unwrap_or_default();
        Ok(Comparer {
            out,
            previous,
            manifest: Manifest::default(),
            drifts: Vec::new(),
        })
    }

    fn compare(&mut self, path: &str, new: &[u8]) -> Result<(), WriteError> {
        let on_disk = self.out.listing.as_ref().and_then(|l| l.get(path));
        let drift = match on_disk {
            None => FileDrift::new(path, None, Some(new)),
            Some(Kind::File) => {
                let old = self.out.read(path)?;
                if old == new {
                    return Ok(());
                }
                FileDrift::new(path, Some((&old, "")), Some(new))
            }
            Some(Kind::Folder) => FileDrift::new(path, Some((b"", " (a folder)")), Some(new)),
            Some(Kind::Symlink { .. }) => {
                FileDrift::new(path, Some((b"", " (a symbolic link)")), Some(new))
            }
            Some(Kind::Special) => FileDrift::new(path, Some((b"", " (not a file)")), Some(new)),
        };
        self.drifts.push(drift);
        Ok(())
    }
}

impl Sink for Comparer {
    type Done = Option<Drift>;

    /// Compare a part of the new tree with OUT.
    fn add(&mut self, part: &Tree) -> Result<(), WriteError> {
        for (path, new) in part.iter() {
            self.manifest.add(path, new).map_err(|e| {
                WriteError::io("compare", self.out.path.join(path))(io::Error::other(e))
            })?;
            self.compare(path, new)?;
        }
        Ok(())
    }

    /// The drift, in path order: the tree's files, then the manifest, then stale files.
    fn finish(mut self) -> Result<Option<Drift>, WriteError> {
        self.drifts.sort_by(|a, b| a.path.cmp(&b.path));
        let manifest = self.manifest.to_text();
        self.compare(MANIFEST, manifest.as_bytes())?;
        let stale: Vec<&str> = self
            .previous
            .paths()
            .filter(|p| !self.manifest.contains(p))
            .collect();
        let mut removed = Vec::new();
        for path in stale {
            if let Some(Kind::File) = self.out.listing.as_ref().and_then(|l| l.get(path)) {
                removed.push(FileDrift::new(
                    path,
                    Some((&self.out.read(path)?, "")),
                    None,
                ));
            }
        }
        self.drifts.extend(removed);
        if self.drifts.is_empty() {
            return Ok(None);
        }
        let mut drift = Drift::default();
        for file in self.drifts {
            drift.diff.push_str(&file.diff);
            match file.change {
                Change::Changed => drift.changed.push(file.path),
                Change::Added => drift.added.push(file.path),
                Change::Removed => drift.removed.push(file.path),
            }
        }
        Ok(Some(drift))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn a_pathological_file_cannot_stall_the_diff() {
        // Every other line differs, the rest are one repeated line: the exact shortest
        // edit takes 12 s to find here (`Algorithm::RawMyers`, debug build); the
        // timeout, and similar's own cost bound, settle for a good one in well under a second.
        let old: String = (0..20_000)
            .map(|i| format!("{}\n", if i % 2 == 0 { i } else { 0 }))
            .collect();
        let new: String = (0..20_000)
            .map(|i| format!("{}\n", if i % 2 == 0 { -i } else { 0 }))
            .collect();
        let start = Instant::now();
        let drift = FileDrift::new("a.yaml", Some((old.as_bytes(), "")), Some(new.as_bytes()));
        let took = start.elapsed();
        assert!(drift.diff.starts_with("--- a/a.yaml\n+++ b/a.yaml\n"));
        assert!(took < Duration::from_secs(10), "{took:?}");
    }
}
