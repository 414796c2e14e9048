//! What becomes of the previous tree after the swap.
//!
//! The previous tree is never removed as a whole. Each entry is removed only when it
//! is accounted for: the same file is in the new OUT (a carried or unchanged file, hard
//! linked), or it is a file meshgen wrote and read, unchanged since (its stamp, as
//! git's index does; re-read when the stamp is too recent to trust). Anything else
//! appeared or changed while meshgen worked: it is moved into the new OUT when nothing
//! stands there (a file written during the render, an editor's save), and otherwise
//! left, with what remains of the previous tree, under `.NAME.meshgen-kept-N`, which
//! every later run warns about until the user removes it. A mount is never entered.
//!
//! Removing tens of thousands of entries is the slow part of a re-render on a disk
//! (each unlink waits on the file system's journal), and those waits overlap: the
//! folders are settled by several threads, one level of the tree at a time.

use std::collections::{BTreeMap, HashMap};
use std::ffi::{OsStr, OsString};
use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rustix::fs::{AtFlags, CWD, FileType, Statx};
use rustix::io::Errno;

use super::WriteError;
use super::fsys::{self, Walker};
use super::listing::{Listing, Out};
use super::manifest::{MANIFEST, Manifest};
use super::reconcile::Record;

/// How many threads settle folders: the work is mostly waiting on the disk.
const THREADS: usize = 8;

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
    let fail = |e| WriteError::io("settle the previous tree in", previous)(e);
    let root = fsys::open_dir(previous)
        .and_then(|fd| fsys::statx_fd(fd.as_fd()))
        .map_err(fail)?;
    let settle = Settle {
        known,
        root,
        previous,
        out: &out.path,
        done: Mutex::new(Settled::default()),
    };
    // Level by level: the files of every folder of a level (in parallel), noting the
    // folders below; then the folders themselves, deepest first.
    let mut folders: BTreeMap<usize, Vec<(PathBuf, bool)>> = BTreeMap::new();
    let mut level = vec![(PathBuf::new(), true)];
    for depth in 0.. {
        let next = Mutex::new(Vec::new());
        in_parallel(&level, |chunk| settle.files(chunk, &next)).map_err(fail)?;
        let mut next = next.into_inner().expect("no thread panicked");
        if next.is_empty() {
            break;
        }
        next.sort();
        folders.insert(depth + 1, next.clone());
        level = next;
    }
    // Whether OUT has each folder, to move a folder made during the render whole.
    let in_out: HashMap<PathBuf, bool> = folders.values().flatten().cloned().collect();
    for level in folders.values().rev() {
        in_parallel(level, |chunk| settle.folders(chunk, &in_out)).map_err(fail)?;
    }
    let mut done = settle.done.into_inner().expect("no thread panicked");
    // The previous manifest goes last: a run killed while settling leaves it, and the
    // next run recognises meshgen's own files by it.
    let manifest = previous.join(MANIFEST);
    if let Some(meta) = manifest.parent() {
        let _ = std::fs::remove_file(&manifest);
        let _ = std::fs::remove_dir(meta);
    }
    match rustix::fs::unlinkat(CWD, previous, AtFlags::REMOVEDIR) {
        Ok(()) => Ok(done),
        Err(Errno::NOTEMPTY | Errno::EXIST | Errno::BUSY) => {
            done.kept_at = Some(keep(out, previous)?);
            Ok(done)
        }
        Err(e) => Err(WriteError::io("remove", previous)(e.into())),
    }
}

/// Run `work` over `items` in contiguous chunks (so each keeps its folder handles).
fn in_parallel<T: Sync>(
    items: &[T],
    work: impl Fn(&[T]) -> io::Result<()> + Sync,
) -> io::Result<()> {
    let size = items.len().div_ceil(THREADS).max(1);
    std::thread::scope(|scope| {
        let threads: Vec<_> = items
            .chunks(size)
            .map(|chunk| scope.spawn(|| work(chunk)))
            .collect();
        threads
            .into_iter()
            .try_for_each(|t| t.join().expect("a settle thread panicked"))
    })
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
    previous: &'a Path,
    out: &'a Path,
    done: Mutex<Settled>,
}

impl Settle<'_> {
    fn kept(&self, path: String, why: &'static str) {
        self.done
            .lock()
            .expect("no thread panicked")
            .kept
            .push((path, why));
    }

    fn walkers(&self) -> io::Result<(Walker, Walker)> {
        let prev = Walker::new(fsys::open_dir(self.previous)?, false);
        let now = Walker::new(fsys::open_dir(self.out)?, false);
        Ok((prev, now))
    }

    /// Settle every entry but the folders of the folders `chunk` (each with whether OUT
    /// has it); the folders found go to `next`.
    fn files(
        &self,
        chunk: &[(PathBuf, bool)],
        next: &Mutex<Vec<(PathBuf, bool)>>,
    ) -> io::Result<()> {
        let (mut prev_walker, mut now_walker) = self.walkers()?;
        for (folder, in_out) in chunk {
            let parts = fsys::components(folder);
            let prev = match prev_walker.dir(&parts) {
                Ok(fd) => fd,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            let now = if *in_out {
                now_walker.dir(&parts).ok()
            } else {
                None
            };
            let found = self.entries(prev, now, folder)?;
            next.lock().expect("no thread panicked").extend(found);
        }
        Ok(())
    }

    fn entries(
        &self,
        prev: BorrowedFd<'_>,
        now: Option<BorrowedFd<'_>>,
        at: &Path,
    ) -> io::Result<Vec<(PathBuf, bool)>> {
        let in_out: HashMap<OsString, (FileType, u64)> = match now {
            Some(now) => fsys::read_dir(now)?
                .into_iter()
                .map(|(name, t, ino)| (name, (t, ino)))
                .collect(),
            None => HashMap::new(),
        };
        let mut folders = Vec::new();
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
                    self.kept(path, "a mount point: never entered or removed");
                } else {
                    let there_too = matches!(there, Some((FileType::Directory, _)));
                    folders.push((relative, there_too && now.is_some()));
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
                self.kept(
                    path,
                    "changed during the render, where the new tree has its own file",
                );
                continue;
            }
            let Some(now) = now else {
                continue; // its folder moves over whole, or is kept
            };
            match there {
                None => self.move_over(prev, now, &name, &path, false),
                // The user's file, carried before the render saw this newer version (an
                // editor's save): the newer one replaces the carried one, unless that
                // changed too.
                Some((t, ino_now))
                    if t != FileType::Directory && self.listed_ino(&path) == Some(ino_now) =>
                {
                    self.move_over(prev, now, &name, &path, true)
                }
                Some(_) => self.kept(path, "changed during the render, and changed in OUT since"),
            }
        }
        Ok(folders)
    }

    /// Remove the folders of `chunk` now empty; one OUT does not have, made during the
    /// render, moves over whole.
    fn folders(
        &self,
        chunk: &[(PathBuf, bool)],
        in_out: &HashMap<PathBuf, bool>,
    ) -> io::Result<()> {
        let (mut prev_walker, mut now_walker) = self.walkers()?;
        for (folder, there) in chunk {
            let parts = fsys::components(folder);
            let Some((name, parent)) = parts.split_last() else {
                continue;
            };
            let Ok(prev) = prev_walker.dir(parent) else {
                continue;
            };
            if unlink(prev, name, true)? || *there {
                continue;
            }
            // Its parent must be in OUT (else the parent moves, with it inside), and
            // nothing under it may be a mount or a kept entry.
            let parent_in_out = folder.parent().is_none_or(|p| {
                p.as_os_str().is_empty() || in_out.get(p).copied().unwrap_or(false)
            });
            let prefix = format!("{}/", folder.to_string_lossy());
            let clean = !self
                .done
                .lock()
                .expect("no thread panicked")
                .kept
                .iter()
                .any(|(p, _)| p.starts_with(&prefix));
            if parent_in_out && clean {
                let path = folder.to_string_lossy().into_owned();
                let now = now_walker.dir(parent)?;
                self.move_over(prev, now, name, &path, false);
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
        &self,
        prev: BorrowedFd<'_>,
        now: BorrowedFd<'_>,
        name: &OsStr,
        path: &str,
        replace: bool,
    ) {
        let moved = if replace {
            rustix::fs::renameat(prev, name, now, name).map_err(io::Error::from)
        } else {
            fsys::rename_noreplace(prev, name, now, name)
        };
        let mut done = self.done.lock().expect("no thread panicked");
        match moved {
            Ok(()) => done.moved.push(path.to_owned()),
            Err(_) => done.kept.push((
                path.to_owned(),
                "appeared during the render; could not be moved over",
            )),
        }
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
