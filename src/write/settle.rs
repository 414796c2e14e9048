//! The swap, and what becomes of the previous tree after it.
//!
//! The previous tree is never removed as a whole. Each entry is removed only when it
//! is accounted for: the same file is in the new OUT (a carried or unchanged file, hard
//! linked), or it is a file meshgen wrote and read, unchanged since (its stamp, as
//! git's index does; re-read when the stamp is too recent to trust). Anything else
//! appeared or changed while meshgen worked: it is moved into the new OUT when nothing
//! stands there (a file written during the render, an editor's save), and otherwise
//! left, with the previous tree, under `.NAME.meshgen-kept-N`, which every later run
//! warns about until the user removes it. A mount is never entered.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, CWD, FileType, RenameFlags, Statx};
use rustix::io::Errno;

use super::fsys;
use super::listing::{Listing, Out};
use super::lock::{Journal, Lock, SwapMode};
use super::manifest::{MANIFEST, Manifest};
use super::reconcile::Record;
use super::{MountKind, WriteError};

/// Put the new folder in OUT's place; returns where the previous tree now is.
pub(super) fn swap(out: &Out, new: &Path, lock: &mut Lock) -> Result<Option<PathBuf>, WriteError> {
    if !out.exists {
        // Nothing to keep: a crash before this leaves only the new folder, after it
        // OUT whole. A folder made at OUT meanwhile is not overwritten.
        fsys::rename_noreplace(CWD, new.as_os_str(), CWD, out.path.as_os_str()).map_err(
            |e| match e.raw_os_error() {
                Some(raw) => swap_error(out, Errno::from_raw_os_error(raw)),
                None => WriteError::io("move the new tree to", &out.path)(e),
            },
        )?;
        return Ok(None);
    }
    let ino = |path: &Path| {
        fsys::statx_at(CWD, path.as_os_str())
            .map(|s| s.stx_ino)
            .map_err(WriteError::io("read", path))
    };
    let mut journal = Journal {
        mode: SwapMode::Exchange,
        previous: ino(&out.path)?,
        new: ino(new)?,
    };
    lock.record(journal)
        .map_err(WriteError::io("record the swap for", &out.path))?;
    match rustix::fs::renameat_with(CWD, new, CWD, &out.path, RenameFlags::EXCHANGE) {
        // The previous tree is now where the new one was built.
        Ok(()) => return Ok(Some(new.to_owned())),
        // Not supported by this file system: two renames.
        Err(Errno::INVAL | Errno::NOSYS) => {}
        Err(e) => {
            lock.settled();
            return Err(swap_error(out, e));
        }
    }
    journal.mode = SwapMode::TwoRenames;
    lock.record(journal)
        .map_err(WriteError::io("record the swap for", &out.path))?;
    let old = out.sibling("old");
    if let Err(e) = rustix::fs::renameat(CWD, &out.path, CWD, &old) {
        lock.settled();
        return Err(swap_error(out, e));
    }
    // Between these two renames OUT is absent; a crash here is undone by the next run.
    if let Err(e) = rustix::fs::renameat(CWD, new, CWD, &out.path) {
        let _ = rustix::fs::renameat(CWD, &old, CWD, &out.path);
        lock.settled();
        return Err(swap_error(out, e));
    }
    Ok(Some(old))
}

fn swap_error(out: &Out, e: Errno) -> WriteError {
    let overlay = fsys::open_dir(&out.parent)
        .ok()
        .and_then(|fd| rustix::fs::fstatfs(fd).ok())
        .is_some_and(|s| s.f_type as u64 == 0x794c_7630); // OVERLAYFS_SUPER_MAGIC
    match e {
        Errno::XDEV if overlay => WriteError::MountPoint {
            path: out.path.clone(),
            kind: MountKind::Overlay,
        },
        Errno::BUSY => WriteError::MountPoint {
            path: out.path.clone(),
            kind: MountKind::Out,
        },
        e => WriteError::io("replace", &out.path)(e.into()),
    }
}

/// What the settle knows of the render that made the new tree.
pub(super) struct Known<'a> {
    /// meshgen's files it read in OUT (replaced, pruned or forced), by path.
    pub(super) records: &'a HashMap<String, Record>,
    /// The new tree's files.
    pub(super) new_files: &'a Manifest,
    /// OUT's listing before the render, to tell a carried file untouched since.
    pub(super) listing: Option<&'a Listing>,
    /// After a crash, the previous tree's own manifest: its files that still match it
    /// are meshgen's own output.
    pub(super) own_manifest: Option<&'a Manifest>,
}

/// What the settle did with the previous tree.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Settled {
    /// Entries that appeared or changed in OUT during the render, moved into it.
    pub moved: Vec<String>,
    /// Where what could not be settled was kept, and why, path by path.
    pub kept_at: Option<PathBuf>,
    pub kept: Vec<(String, &'static str)>,
}

/// Settle the previous tree at `previous` against the new OUT (see the module docs).
pub(super) fn settle(out: &Out, previous: &Path, known: &Known) -> Result<Settled, WriteError> {
    let prev = fsys::open_dir(previous).map_err(WriteError::io("open", previous))?;
    let root = fsys::statx_fd(prev.as_fd()).map_err(WriteError::io("read", previous))?;
    let now = fsys::open_dir(&out.path).map_err(WriteError::io("open", &out.path))?;
    let mut settle = Settle {
        known,
        root,
        done: Settled::default(),
    };
    settle
        .folder(prev.as_fd(), Some(now.as_fd()), Path::new(""))
        .map_err(WriteError::io("settle the previous tree in", previous))?;
    drop(prev);
    // The previous manifest goes last: a run killed while settling leaves it, and the
    // next run recognises meshgen's own files by it.
    let manifest = previous.join(MANIFEST);
    if let Some(meta) = manifest.parent() {
        let _ = std::fs::remove_file(&manifest);
        let _ = std::fs::remove_dir(meta);
    }
    match rustix::fs::unlinkat(CWD, previous, AtFlags::REMOVEDIR) {
        Ok(()) => Ok(settle.done),
        Err(Errno::NOTEMPTY | Errno::EXIST | Errno::BUSY) => {
            settle.done.kept_at = Some(keep(out, previous)?);
            Ok(settle.done)
        }
        Err(e) => Err(WriteError::io("remove", previous)(e.into())),
    }
}

/// Rename what is left of a previous tree to the first free `.NAME.meshgen-kept-N`.
pub(super) fn keep(out: &Out, previous: &Path) -> Result<PathBuf, WriteError> {
    for n in 1.. {
        let kept = out.sibling(&format!("kept-{n}"));
        match fsys::rename_noreplace(CWD, previous.as_os_str(), CWD, kept.as_os_str()) {
            Ok(()) => return Ok(kept),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) if e.raw_os_error() == Some(Errno::NOTEMPTY.raw_os_error()) => continue,
            Err(e) => return Err(WriteError::io("keep", previous)(e)),
        }
    }
    unreachable!("some N is free")
}

struct Settle<'a> {
    known: &'a Known<'a>,
    root: Statx,
    done: Settled,
}

impl Settle<'_> {
    /// Settle the folder `at` of the previous tree; `now` is the same folder in OUT.
    fn folder(
        &mut self,
        prev: BorrowedFd<'_>,
        now: Option<BorrowedFd<'_>>,
        at: &Path,
    ) -> io::Result<()> {
        let in_out: HashMap<OsString, (FileType, u64)> = match now {
            Some(now) => fsys::read_dir(now)?
                .into_iter()
                .map(|(name, t, ino)| (name, (t, ino)))
                .collect(),
            None => HashMap::new(),
        };
        for (name, file_type, ino) in fsys::read_dir(prev)? {
            let relative = at.join(&name);
            let path = relative.to_string_lossy().into_owned();
            let file_type = match file_type {
                FileType::Unknown => fsys::file_type(&fsys::statx_at(prev, &name)?),
                t => t,
            };
            let there = in_out.get(&name).copied();
            if there.is_some_and(|(_, i)| i == ino) {
                // The same file is in the new tree.
                unlink(prev, &name, false)?;
                continue;
            }
            if file_type == FileType::Directory {
                let stat = fsys::statx_at(prev, &name)?;
                if fsys::is_other_mount(&stat, &self.root) {
                    self.done
                        .kept
                        .push((path, "a mount point: never entered or removed"));
                    continue;
                }
                let child = fsys::open_dir_at(prev, &name)?;
                let child_now = match (now, there) {
                    (Some(now), Some((FileType::Directory, _))) => {
                        Some(fsys::open_dir_at(now, &name)?)
                    }
                    _ => None,
                };
                let kept_before = self.done.kept.len();
                self.folder(
                    child.as_fd(),
                    child_now.as_ref().map(OwnedFd::as_fd),
                    &relative,
                )?;
                drop(child);
                if unlink(prev, &name, true)? {
                    continue;
                }
                // Still holds something: a folder made during the render moves over whole.
                if there.is_none()
                    && self.done.kept.len() == kept_before
                    && let Some(now) = now
                {
                    self.move_over(prev, now, &name, &path, false)?;
                }
                continue;
            }
            if path == MANIFEST {
                continue; // removed last, by `settle`
            }
            if file_type == FileType::RegularFile && self.accounted(prev, &name, &path)? {
                unlink(prev, &name, false)?;
                continue;
            }
            // Appeared or changed during the render.
            if self.known.new_files.contains(&path) {
                self.done.kept.push((
                    path,
                    "changed during the render, where the new tree has its own file",
                ));
                continue;
            }
            let Some(now) = now else {
                continue; // its folder moves over whole, or is kept
            };
            match there {
                None => self.move_over(prev, now, &name, &path, false)?,
                // The user's file, carried before the render saw this newer version (an
                // editor's save): the newer one replaces the carried one, unless that
                // changed too.
                Some((t, ino_now))
                    if t != FileType::Directory
                        && file_type != FileType::Directory
                        && self.listed_ino(&path) == Some(ino_now) =>
                {
                    self.move_over(prev, now, &name, &path, true)?
                }
                Some(_) => self
                    .done
                    .kept
                    .push((path, "changed during the render, and changed in OUT since")),
            }
        }
        Ok(())
    }

    /// Whether the file is meshgen's and unchanged since meshgen read it.
    fn accounted(&self, prev: BorrowedFd<'_>, name: &OsStr, path: &str) -> io::Result<bool> {
        let (hash, stamp) = match (self.known.records.get(path), self.known.own_manifest) {
            (Some(record), _) => {
                let stamp = fsys::Stamp::of(&fsys::statx_at(prev, name)?);
                if stamp != record.stamp {
                    return Ok(false);
                }
                if !record.stamp.is_racy(record.read_at) {
                    return Ok(true);
                }
                (record.hash, Some(stamp))
            }
            (None, Some(own)) => match own.hash(path) {
                Some(hash) => (*hash, None),
                None => return Ok(false),
            },
            (None, None) => return Ok(false),
        };
        let (fd, stat) = match fsys::open_file_at(prev, name) {
            Ok(opened) => opened,
            Err(_) => return Ok(false),
        };
        if stamp.is_some_and(|s| s != fsys::Stamp::of(&stat)) {
            return Ok(false);
        }
        Ok(fsys::read_contents(fd.as_fd(), b"", None)?.hash == hash)
    }

    fn listed_ino(&self, path: &str) -> Option<u64> {
        self.known.listing.and_then(|l| l.get(path)).map(|e| e.ino)
    }

    fn move_over(
        &mut self,
        prev: BorrowedFd<'_>,
        now: BorrowedFd<'_>,
        name: &OsStr,
        path: &str,
        replace: bool,
    ) -> io::Result<()> {
        let moved = if replace {
            rustix::fs::renameat(prev, name, now, name).map_err(io::Error::from)
        } else {
            fsys::rename_noreplace(prev, name, now, name)
        };
        match moved {
            Ok(()) => self.done.moved.push(path.to_owned()),
            Err(_) => self.done.kept.push((
                path.to_owned(),
                "appeared during the render; could not be moved over",
            )),
        }
        Ok(())
    }
}

/// Remove an entry (`folder`: an empty folder); `false` when a folder is not empty.
fn unlink(dir: BorrowedFd<'_>, name: &OsStr, folder: bool) -> io::Result<bool> {
    let flags = if folder {
        AtFlags::REMOVEDIR
    } else {
        AtFlags::empty()
    };
    match rustix::fs::unlinkat(dir, name, flags) {
        Ok(()) => Ok(true),
        Err(Errno::NOTEMPTY | Errno::EXIST) if folder => Ok(false),
        Err(Errno::NOENT) => Ok(true),
        Err(e) => Err(e.into()),
    }
}

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
