//! Comparing (`render --check`): how OUT differs from the new tree, as a unified diff,
//! and what a render would refuse. Reads the way a write does (the same decisions,
//! [`super::reconcile`]) and writes nothing. The content of a file meshgen does not
//! vouch for (not in its manifest, or changed since) is never shown: it may be anything
//! (a `.env` with a token), and `render` would not touch it anyway.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::path::Path;
use std::time::Duration;

use super::fsys::Walker;
use super::listing::{Kind, Out};
use super::lock::Lock;
use super::manifest::{MANIFEST, Manifest};
use super::reconcile::{self, Found, Plan, Scope};
use super::{Conflict, Sink, WriteError};
use crate::tree::Tree;

/// How a folder differs from a tree: the files that a write would change, add or
/// remove, what it would refuse to replace, and a unified diff of each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drift {
    pub changed: Vec<String>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// What `render` would refuse (without `--force`) to replace or remove, and why.
    pub refused: Vec<Conflict>,
    diff: String,
}

impl Drift {
    /// The unified diff (`a/` is the folder, `b/` what meshgen would write).
    pub fn diff(&self) -> &str {
        &self.diff
    }

    /// `2 changed, 1 added, 1 removed, 1 refused`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        for (n, what) in [
            (self.changed.len(), "changed"),
            (self.added.len(), "added"),
            (self.removed.len(), "removed"),
            (self.refused.len(), "refused"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        parts.join(", ")
    }
}

impl Drift {
    /// What `render` would refuse, one `meshgen:` paragraph for stderr ("" when none).
    pub fn refusals(&self) -> String {
        if self.refused.is_empty() {
            return String::new();
        }
        let mut text = String::from(
            "meshgen: `meshgen render` would refuse to replace or remove these (their \
             contents are not shown); move them away, or render with --force:",
        );
        for conflict in &self.refused {
            text.push_str(&format!("\n  {}: {}", conflict.path, conflict.reason));
        }
        text.push('\n');
        text
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

#[derive(PartialEq)]
enum Change {
    Changed,
    Added,
    Removed,
    Refused,
}

impl FileDrift {
    fn new(path: &str, old: Option<&[u8]>, new: Option<&[u8]>) -> FileDrift {
        fn side(bytes: Option<&[u8]>, name: String) -> (std::borrow::Cow<'_, str>, String) {
            match bytes {
                Some(bytes) => (String::from_utf8_lossy(bytes), name),
                None => (Default::default(), "/dev/null".to_owned()),
            }
        }
        let (old_text, old_header) = side(old, format!("a/{path}"));
        let (new_text, new_header) = side(new, format!("b/{path}"));
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

    /// A difference whose old side is not shown: only the two header lines.
    fn hidden(path: &str, note: &str, change: Change, removed: bool) -> FileDrift {
        let new = if removed {
            "/dev/null".to_owned()
        } else {
            format!("b/{path}")
        };
        FileDrift {
            path: path.to_owned(),
            change,
            diff: format!("--- a/{path} ({note}; contents not shown)\n+++ {new}\n"),
        }
    }
}

/// [`super::diff_tree`] in parts: each part of the new tree is compared with OUT as it
/// is rendered, and only the differences are kept.
pub struct Comparer {
    out: Out,
    /// Held so that no render swaps OUT while it is read.
    _lock: Option<Lock>,
    /// OUT's manifest; an unreadable one vouches for nothing, and nothing is stale.
    previous: Manifest,
    previous_ok: bool,
    cluster: Option<String>,
    reader: Option<Walker>,
    /// The new tree's files so far, for its manifest.
    manifest: Manifest,
    drifts: Vec<FileDrift>,
    refused: Vec<Conflict>,
}

impl Comparer {
    /// `cluster` limits the comparison to that cluster's files (`--cluster`).
    pub fn start(dir: &Path, cluster: Option<&str>) -> Result<Comparer, WriteError> {
        let mut out = Out::locate(dir)?;
        let lock = Lock::shared(&out)?;
        if lock.as_ref().is_some_and(|l| l.journal().is_some()) {
            return Err(WriteError::Interrupted { out: out.path });
        }
        out.list()?;
        let previous = out.manifest().unwrap_or(None);
        Ok(Comparer {
            out,
            _lock: lock,
            previous_ok: previous.is_some(),
            previous: previous.unwrap_or_default(),
            cluster: cluster.map(str::to_owned),
            reader: None,
            manifest: Manifest::default(),
            drifts: Vec::new(),
            refused: Vec::new(),
        })
    }

    fn compare(&mut self, path: &str, new: &[u8]) -> Result<(), WriteError> {
        let found =
            reconcile::inspect_file(&self.out, &mut self.reader, &self.previous, path, new, true)?;
        let drift = match found {
            Found::Same => return Ok(()),
            Found::Absent => FileDrift::new(path, None, Some(new)),
            Found::Vouched {
                bytes: Some(old), ..
            } => FileDrift::new(path, Some(&old), Some(new)),
            Found::Vouched { bytes: None, .. } => {
                FileDrift::hidden(path, "too large to show", Change::Changed, false)
            }
            Found::Refused { reason, .. } => {
                let drift = FileDrift::hidden(path, &reason.to_string(), Change::Refused, false);
                self.refused.push(Conflict {
                    path: path.to_owned(),
                    reason,
                });
                drift
            }
        };
        self.drifts.push(drift);
        Ok(())
    }

    /// The manifest meshgen would write, against the one in OUT (shown only when OUT's
    /// is a manifest meshgen wrote).
    fn compare_manifest(&mut self, text: &str) -> Result<(), WriteError> {
        let on_disk = self
            .out
            .listing
            .as_ref()
            .and_then(|l| l.kind(MANIFEST))
            .cloned();
        let drift = match on_disk {
            None => FileDrift::new(MANIFEST, None, Some(text.as_bytes())),
            Some(Kind::File) if self.previous_ok => {
                let limit = super::fsys::MANIFEST_LIMIT;
                let old = reconcile::read_bytes(&self.out, &mut self.reader, MANIFEST, limit)?;
                if old.as_deref() == Some(text.as_bytes()) {
                    return Ok(());
                }
                let old = old.unwrap_or_default();
                FileDrift::new(MANIFEST, Some(&old), Some(text.as_bytes()))
            }
            Some(kind) => {
                let reason = reconcile::in_the_way(&kind)
                    .map_or("not the manifest meshgen wrote".to_owned(), |r| {
                        r.to_string()
                    });
                FileDrift::hidden(MANIFEST, &reason, Change::Changed, false)
            }
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
        let scope = self
            .cluster
            .as_deref()
            .map(|c| Scope::of(c, &self.manifest));
        let plan = Plan::rest(
            &self.manifest,
            &self.out,
            &mut self.reader,
            self.previous_ok.then_some(&self.previous),
            scope.as_ref(),
            &mut HashMap::new(),
        )?;
        let mut manifest = std::mem::take(&mut self.manifest);
        for (path, hash) in &plan.outside {
            manifest.keep(path, *hash);
        }
        self.compare_manifest(&manifest.to_text())?;
        for path in &plan.pruned {
            // Stale and vouched for: its hash is the manifest's, so it is meshgen's text.
            let limit = super::fsys::KEEP_LIMIT;
            let old = reconcile::read_bytes(&self.out, &mut self.reader, path, limit)?;
            self.drifts.push(match old {
                Some(old) => FileDrift::new(path, Some(&old), None),
                None => FileDrift::hidden(path, "too large to show", Change::Removed, true),
            });
        }
        for conflict in plan.conflicts {
            if conflict.path == MANIFEST {
                // Shown with the manifest above.
                self.refused.push(conflict);
                continue;
            }
            let stale = !manifest.contains(&conflict.path);
            let note = conflict.reason.to_string();
            self.drifts.push(FileDrift::hidden(
                &conflict.path,
                &note,
                Change::Refused,
                stale,
            ));
            self.refused.push(conflict);
        }
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
                Change::Refused => {}
            }
        }
        self.refused.sort_by(|a, b| a.path.cmp(&b.path));
        drift.refused = self.refused;
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
        let drift = FileDrift::new("a.yaml", Some(old.as_bytes()), Some(new.as_bytes()));
        let took = start.elapsed();
        assert!(drift.diff.starts_with("--- a/a.yaml\n+++ b/a.yaml\n"));
        assert!(took < Duration::from_secs(10), "{took:?}");
    }
}
