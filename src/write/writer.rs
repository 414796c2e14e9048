//! Writing: the new tree goes into a new folder beside OUT (files that did not change
//! and everything of the user's as hard links), which takes OUT's place in one rename;
//! then the previous tree is settled ([`super::settle`]). A render that changes nothing
//! writes nothing.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use super::carry::{self, NewFolder};
use super::fsys::Walker;
use super::listing::{Kind, Out, first_non_folder};
use super::lock::Lock;
use super::manifest::{MANIFEST, Manifest};
use super::reconcile::{self, Found, Plan, Record, Scope};
use super::settle::{self, Known, Settled};
use super::{Conflict, Sink, WriteError, plural};
use super::{recover, swap};
use crate::tree::Tree;

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Files of the tree (the manifest not counted).
    pub files: usize,
    /// Of those, the files that were already in OUT as they are (kept, not rewritten).
    pub unchanged: usize,
    /// OUT already held exactly this tree: nothing was written at all.
    pub up_to_date: bool,
    /// Files of the previous tree that the new one no longer has, removed.
    pub pruned: Vec<String>,
    /// Files, links and folders not meshgen's, carried over unchanged.
    pub kept: usize,
    /// Every path `--force` replaced or removed that meshgen did not write (or that
    /// changed since), the files inside a replaced folder included.
    pub forced: Vec<String>,
    /// What became of what appeared or changed in OUT while meshgen wrote.
    pub settled: Settled,
    /// Warnings: trees kept by earlier runs, owners that could not be kept, ...
    pub warnings: Vec<String>,
}

impl fmt::Display for Written {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.up_to_date {
            write!(
                f,
                "{} up to date, nothing written",
                plural(self.files, "file")
            )?;
        } else {
            write!(f, "wrote {}", plural(self.files, "file"))?;
            if self.unchanged > 0 {
                write!(f, " ({} unchanged)", self.unchanged)?;
            }
        }
        if !self.pruned.is_empty() {
            write!(f, ", removed {} stale", self.pruned.len())?;
        }
        if self.kept > 0 {
            write!(f, ", kept {} of yours", self.kept)?;
        }
        if !self.forced.is_empty() {
            write!(
                f,
                ", replaced or removed {} not written by meshgen (--force)",
                plural(self.forced.len(), "path")
            )?;
        }
        Ok(())
    }
}

impl Written {
    /// What the CLI prints on stderr: the summary, every path `--force` removed, and
    /// the warnings, each line starting `meshgen:`.
    pub fn report(&self, dir: &Path) -> String {
        let mut out = format!("meshgen: {self} in {}\n", dir.display());
        if !self.forced.is_empty() {
            out.push_str("meshgen: --force replaced or removed:\n");
            for path in &self.forced {
                out.push_str(&format!("  {path}\n"));
            }
        }
        for warning in &self.warnings {
            out.push_str(&format!("meshgen: warning: {warning}\n"));
        }
        out
    }
}

/// [`super::write_tree`] in parts: the tree goes into the new folder part by part as it
/// is rendered, and [`Sink::finish`] decides whether it takes OUT's place. Until then OUT
/// is untouched; dropped unfinished, the new folder is removed.
pub struct Writer {
    out: Out,
    lock: Lock,
    /// OUT's manifest; `None` when there is none (or, with `force`, it is unreadable).
    previous: Option<Manifest>,
    force: bool,
    /// `--cluster`: only this cluster's part of OUT is written.
    cluster: Option<String>,
    warnings: Vec<String>,
    /// Handles on OUT's folders.
    reader: Option<Walker>,
    /// Made at the first file that differs from OUT's.
    new: Option<NewFolder>,
    /// The new tree's files.
    manifest: Manifest,
    /// Files of the new tree that OUT holds as they are: linked, not written.
    same: Vec<String>,
    /// meshgen's files read in OUT, to tell after the swap whether they changed since.
    records: HashMap<String, Record>,
    conflicts: Vec<Conflict>,
}

impl Writer {
    /// Find OUT, take its lock, finish what a killed render left, and list OUT.
    /// `cluster` limits the write to that cluster's files (`--cluster`).
    pub fn start(dir: &Path, force: bool, cluster: Option<&str>) -> Result<Writer, WriteError> {
        let mut out = Out::locate(dir)?;
        if !out.exists {
            std::fs::create_dir_all(&out.parent).map_err(|e| match e.kind() {
                io::ErrorKind::NotADirectory | io::ErrorKind::AlreadyExists => {
                    WriteError::NotAFolder {
                        path: first_non_folder(&out.parent),
                    }
                }
                _ => WriteError::io("create", &out.parent)(e),
            })?;
        }
        let mut lock = Lock::exclusive(&out)?;
        let warnings = recover::recover(&mut out, &mut lock)?;
        out.list()?;
        let previous = match out.manifest() {
            Ok(manifest) => manifest,
            // Without a trustworthy manifest nothing is meshgen's: with force, every
            // conflicting file is replaced and nothing is pruned.
            Err(WriteError::BadManifest { .. }) if force => None,
            Err(e) => return Err(e),
        };
        Ok(Writer {
            out,
            lock,
            previous,
            force,
            cluster: cluster.map(str::to_owned),
            warnings,
            reader: None,
            new: None,
            manifest: Manifest::default(),
            same: Vec::new(),
            records: HashMap::new(),
            conflicts: Vec::new(),
        })
    }

    fn put(&mut self, relative: &str, bytes: &[u8]) -> Result<(), WriteError> {
        if self.new.is_none() {
            self.new = Some(NewFolder::create(&self.out)?);
        }
        let target = self.out.path.join(relative);
        self.new
            .as_mut()
            .expect("just made")
            .put(relative, bytes, &target)
    }
}

impl Sink for Writer {
    type Done = Written;

    /// Write a part of the new tree into the new folder (or note it unchanged).
    fn add(&mut self, part: &Tree) -> Result<(), WriteError> {
        let empty = Manifest::default();
        for (relative, bytes) in part.iter() {
            self.manifest.add(relative, bytes).map_err(|e| {
                WriteError::io("write", self.out.path.join(relative))(io::Error::other(e))
            })?;
            let previous = self.previous.as_ref().unwrap_or(&empty);
            let found = reconcile::inspect_file(
                &self.out,
                &mut self.reader,
                previous,
                relative,
                bytes,
                false,
            )?;
            match found {
                Found::Same => self.same.push(relative.to_owned()),
                Found::Absent => self.put(relative, bytes)?,
                Found::Vouched { record, .. } => {
                    self.records.insert(relative.to_owned(), record);
                    self.put(relative, bytes)?;
                }
                Found::Refused { reason, record } => {
                    if let Some(record) = record {
                        self.records.insert(relative.to_owned(), record);
                    }
                    self.conflicts.push(Conflict {
                        path: relative.to_owned(),
                        reason,
                    });
                    // Without force the write stops at the end: nothing more to write.
                    if self.force {
                        self.put(relative, bytes)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Check what the new tree would overwrite or delete in OUT, carry over what is not
    /// meshgen's, write the manifest, flush, and put the new folder in OUT's place.
    fn finish(mut self) -> Result<Written, WriteError> {
        let scope = self
            .cluster
            .as_deref()
            .map(|c| Scope::of(c, &self.manifest));
        let plan = Plan::rest(
            &self.manifest,
            &self.out,
            &mut self.reader,
            self.previous.as_ref(),
            scope.as_ref(),
            &mut self.records,
        )?;
        let mut conflicts = std::mem::take(&mut self.conflicts);
        conflicts.extend(plan.conflicts.iter().cloned());
        conflicts.sort_by(|a, b| a.path.cmp(&b.path));
        if !conflicts.is_empty() && !self.force {
            return Err(WriteError::Conflicts {
                dir: self.out.path.clone(),
                conflicts,
            });
        }
        let files = self.manifest.len();
        let unchanged = self.same.len();
        let mut manifest = std::mem::take(&mut self.manifest);
        for (path, hash) in &plan.outside {
            manifest.keep(path, *hash);
        }
        let on_disk = self.out.listing.as_ref().and_then(|l| l.kind(MANIFEST));
        let up_to_date = self.out.exists
            && unchanged == files
            && plan.pruned.is_empty()
            && conflicts.is_empty()
            && on_disk == Some(&Kind::File)
            && self.previous.as_ref() == Some(&manifest);
        let forced = removals(&conflicts, &self.out);
        let mut written = Written {
            files,
            unchanged,
            up_to_date,
            pruned: plan.pruned.clone(),
            kept: plan.carry.len(),
            forced,
            settled: Settled::default(),
            warnings: std::mem::take(&mut self.warnings),
        };
        if up_to_date {
            return Ok(written);
        }
        self.put(MANIFEST, manifest.to_text().as_bytes())?;
        let mut reader = match self.reader.take() {
            Some(reader) => reader,
            None if self.out.exists => self.out.walker()?,
            // No OUT: nothing to link or carry.
            None => Walker::new(
                super::fsys::open_dir(&self.out.parent)
                    .map_err(WriteError::io("open", &self.out.parent))?,
                false,
            ),
        };
        let mut new = self.new.take().expect("the manifest made it");
        carry::link_unchanged(&self.out, &mut reader, &mut new, &self.same)?;
        let carried = carry::carry(&self.out, &mut reader, &mut new, &plan.carry)?;
        drop(reader);
        let own_folders: BTreeSet<&Path> = plan
            .carry
            .iter()
            .filter(|(_, e)| e.kind == Kind::Folder)
            .map(|(p, _)| p.as_path())
            .collect();
        carry::keep_folder_metadata(&self.out, &new, &own_folders, &mut written.warnings)?;
        // Flushed before the swap, so a power cut after it cannot leave empty files in
        // OUT, and a full disk that reports late still fails here, while OUT is untouched.
        new.flush()
            .map_err(WriteError::io("flush to disk", &self.out.path))?;
        let previous = swap::swap(&self.out, &new.path, &mut self.lock)?;
        new.swapped = true;
        if let Ok(parent) = super::fsys::open_dir(&self.out.parent) {
            let _ = rustix::fs::fsync(parent);
        }
        if let Some(previous) = previous {
            let known = Known {
                records: &self.records,
                new_files: &manifest,
                listing: self.out.listing.as_ref(),
                own_manifest: None,
            };
            written.settled = settle::settle(&self.out, &previous, &known)?;
        }
        self.lock.settled();
        written.warnings.extend(carried.notes);
        let settled = &mut written.settled;
        settled
            .moved
            .retain(|path| !carried.by_rename.contains(path));
        if !settled.moved.is_empty() {
            written.warnings.push(format!(
                "carried over what was written into {} while meshgen wrote it: {}",
                self.out.path.display(),
                settled.moved.join(", ")
            ));
        }
        if let Some(kept) = &settled.kept_at {
            let mut message = format!(
                "{} holds what changed in {} while meshgen wrote it and could not be carried \
                 over; look at it, then remove it:",
                kept.display(),
                self.out.path.display()
            );
            for (path, why) in &settled.kept {
                message.push_str(&format!("\n  {path}: {why}"));
            }
            written.warnings.push(message);
        }
        Ok(written)
    }
}

/// Every path a forced write removes: each conflicting path, and every file inside a
/// conflicting folder.
fn removals(conflicts: &[Conflict], out: &Out) -> Vec<String> {
    let mut removed = Vec::new();
    for conflict in conflicts {
        removed.push(conflict.path.clone());
        let Some(listing) = &out.listing else {
            continue;
        };
        let folder = PathBuf::from(&conflict.path);
        if listing.kind(&conflict.path) == Some(&Kind::Folder) {
            removed.extend(
                listing
                    .entries
                    .iter()
                    .filter(|(p, e)| {
                        p.starts_with(&folder) && **p != folder && e.kind != Kind::Folder
                    })
                    .map(|(p, _)| p.to_string_lossy().into_owned()),
            );
        }
    }
    removed
}
