//! After a killed render: the swap it journaled finished or undone, its new folder
//! removed, and the trees kept by earlier runs named on every run.

use std::collections::HashMap;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

use rustix::fs::CWD;

use super::fsys;
use super::listing::Out;
use super::lock::{Lock, SwapMode};
use super::manifest::{MANIFEST, Manifest};
use super::settle::{Known, Settled, keep, settle};
use super::{MountKind, WriteError};

/// Under the lock, before listing OUT: finish what a killed render left beside it.
/// Returns warnings for the user (kept trees, recovered swaps).
pub(super) fn recover(out: &mut Out, lock: &mut Lock) -> Result<Vec<String>, WriteError> {
    let mut notes = Vec::new();
    let new = out.sibling("new");
    let old = out.sibling("old");
    let ino = |path: &Path| {
        fsys::statx_at(CWD, path.as_os_str())
            .ok()
            .map(|s| s.stx_ino)
    };
    // The inode the new folder had, if a journal names it (else: no swap happened).
    let mut scratch = None;
    if let Some(journal) = lock.journal() {
        scratch = Some(journal.new);
        let previous = match journal.mode {
            SwapMode::Exchange => &new,
            SwapMode::TwoRenames => &old,
        };
        match ino(&out.path) {
            // Swapped: the previous tree waits to be settled.
            Some(i) if i == journal.new && ino(previous) == Some(journal.previous) => {
                out.exists = true;
                let own = read_manifest(previous);
                let current = read_manifest(&out.path).unwrap_or_default();
                let records = HashMap::new();
                let known = Known {
                    records: &records,
                    new_files: &current,
                    listing: None,
                    own_manifest: own.as_ref(),
                };
                let done = settle(out, previous, &known)?;
                notes.extend(recovered_notes(out, &done));
            }
            // Killed between the two renames: the previous tree goes back.
            None if ino(&old) == Some(journal.previous) => {
                rustix::fs::renameat(CWD, &old, CWD, &out.path).map_err(|e| {
                    WriteError::io("restore the previous tree to", &out.path)(e.into())
                })?;
                out.exists = true;
                notes.push(format!(
                    "restored {} from {}: a render was killed while swapping it",
                    out.path.display(),
                    old.display()
                ));
            }
            _ => {}
        }
        lock.settled();
    }
    // A new folder left by a run killed before its swap holds nothing but what that
    // run wrote and links to files still in OUT. Anything else there is kept.
    match (ino(&new), scratch) {
        (None, _) => {}
        (Some(_), None) => remove_scratch(&new)?,
        (Some(i), Some(j)) if i == j => remove_scratch(&new)?,
        (Some(_), Some(_)) => {
            let kept = keep(out, &new)?;
            notes.push(format!("kept {}: left by an earlier run", kept.display()));
        }
    }
    if ino(&old).is_some() {
        let kept = keep(out, &old)?;
        notes.push(format!(
            "kept {}: a previous tree left by an earlier run",
            kept.display()
        ));
    }
    notes.extend(kept_trees(out));
    Ok(notes)
}

fn recovered_notes(out: &Out, done: &Settled) -> Vec<String> {
    let mut notes = Vec::new();
    if !done.moved.is_empty() {
        notes.push(format!(
            "a render of {} was killed after its swap; moved into it what appeared meanwhile: {}",
            out.path.display(),
            done.moved.join(", ")
        ));
    }
    notes
}

/// Every kept tree beside OUT, one warning each (on every run, until removed).
fn kept_trees(out: &Out) -> Vec<String> {
    let prefix = format!(".{}.meshgen-", out.name);
    let Ok(items) = std::fs::read_dir(&out.parent) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = items
        .flatten()
        .filter(|i| {
            i.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(&prefix))
        })
        .map(|i| i.path())
        .filter(|p| *p != out.sibling("new"))
        .collect();
    found.sort();
    found
        .into_iter()
        .map(|path| {
            format!(
                "{} holds files meshgen kept from an earlier render of {} (they appeared or \
                 changed while it wrote); look at them, then remove the folder",
                path.display(),
                out.path.display()
            )
        })
        .collect()
}

fn read_manifest(folder: &Path) -> Option<Manifest> {
    let text = std::fs::read_to_string(folder.join(MANIFEST)).ok()?;
    Manifest::parse(&text).ok()
}

/// Remove a new folder of meshgen's, never entering a mount.
pub(super) fn remove_scratch(path: &Path) -> Result<(), WriteError> {
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return Ok(());
    };
    let dir = fsys::open_dir(parent).map_err(WriteError::io("open", parent))?;
    let root = fsys::statx_at(dir.as_fd(), name).map_err(WriteError::io("read", path))?;
    let mut left = Vec::new();
    fsys::remove_all_at(dir.as_fd(), name, &root, parent, &mut left)
        .map_err(WriteError::io("remove", path))?;
    if let Some(mount) = left.first() {
        return Err(WriteError::MountPoint {
            path: mount.clone(),
            kind: MountKind::Inside(path.to_owned()),
        });
    }
    Ok(())
}
