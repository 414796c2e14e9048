//! Writing: the new tree goes into a new folder beside OUT, what is not meshgen's is
//! carried into it, and it takes OUT's place in one rename.

use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use super::listing::{Kind, Listing, Out, first_non_folder};
use super::manifest::{MANIFEST, Manifest};
use super::reconcile::Plan;
use super::{Sink, WriteError, plural};
use crate::tree::Tree;

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Files of the tree written (the manifest not counted).
    pub files: usize,
    /// Files of the previous tree that the new one no longer has, removed.
    pub pruned: Vec<String>,
    /// Files, links and folders not meshgen's, carried over unchanged.
    pub kept: usize,
    /// Paths that did not match the manifest and were replaced or removed (`force`).
    pub forced: Vec<String>,
    /// Where the previous tree was left because something appeared in OUT while meshgen
    /// was writing (it is removed otherwise).
    pub previous_left_at: Option<PathBuf>,
}

impl fmt::Display for Written {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "wrote {}", plural(self.files, "file"))?;
        if !self.pruned.is_empty() {
            write!(f, ", removed {} stale", self.pruned.len())?;
        }
        if self.kept > 0 {
            write!(f, ", kept {} of yours", self.kept)?;
        }
        if !self.forced.is_empty() {
            write!(
                f,
                ", replaced {} not written by meshgen (--force)",
                self.forced.len()
            )?;
        }
        if let Some(previous) = &self.previous_left_at {
            write!(
                f,
                "; something changed in the folder while meshgen wrote it, so the previous \
                 tree was kept at {}",
                previous.display()
            )?;
        }
        Ok(())
    }
}

/// Removes the new folder unless the swap happened: an error leaves nothing behind.
struct NewFolder {
    path: PathBuf,
    keep: bool,
}

impl Drop for NewFolder {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// [`write_tree`] in parts: the tree goes into the new folder part by part as it is
/// rendered, and [`Writer::finish`] decides, as `write_tree` does, whether it takes OUT's
/// place. Until then OUT is untouched; dropped unfinished, the new folder is removed.
pub struct Writer {
    out: Out,
    /// OUT's manifest; `None` when there is none (or, with `force`, it is unreadable).
    previous: Option<Manifest>,
    force: bool,
    new: NewFolder,
    /// What was written into the new folder so far.
    manifest: Manifest,
    /// Folders made in the new folder so far.
    folders: BTreeSet<PathBuf>,
}

impl Writer {
    /// Look at OUT and make the new folder beside it.
    pub fn start(dir: &Path, force: bool) -> Result<Writer, WriteError> {
        let out = Out::inspect(dir)?;
        let previous = match out.manifest() {
            Ok(manifest) => manifest,
            // Without a trustworthy manifest nothing is meshgen's: with force, every
            // conflicting file is replaced and nothing is pruned.
            Err(WriteError::BadManifest { .. }) if force => None,
            Err(e) => return Err(e),
        };
        if out.listing.is_none() {
            fs::create_dir_all(&out.parent).map_err(|e| match e.kind() {
                io::ErrorKind::NotADirectory | io::ErrorKind::AlreadyExists => {
                    WriteError::NotAFolder {
                        path: first_non_folder(&out.parent),
                    }
                }
                _ => WriteError::io("create", &out.parent)(e),
            })?;
        }
        out.remove_leftovers();
        let new = NewFolder {
            path: out.sibling("new", std::process::id()),
            keep: false,
        };
        if fs::symlink_metadata(&new.path).is_ok() {
            // Left by an earlier process that had our id.
            fs::remove_dir_all(&new.path).map_err(WriteError::io("remove", &new.path))?;
        }
        fs::create_dir(&new.path).map_err(|e| match e.kind() {
            io::ErrorKind::NotADirectory => WriteError::NotAFolder {
                path: first_non_folder(&out.parent),
            },
            _ => WriteError::io("create a folder beside", &out.path)(e),
        })?;
        let folders = BTreeSet::from([new.path.clone()]);
        Ok(Writer {
            out,
            previous,
            force,
            new,
            manifest: Manifest::default(),
            folders,
        })
    }

    fn put(&mut self, relative: &str, bytes: &[u8]) -> Result<(), WriteError> {
        let path = self.new.path.join(relative);
        let target = self.out.path.join(relative);
        if let Some(parent) = path.parent()
            && self.folders.insert(parent.to_owned())
        {
            fs::create_dir_all(parent).map_err(WriteError::io("create the folder for", &target))?;
        }
        let mut file = fs::File::create_new(&path).map_err(WriteError::io("create", &target))?;
        file.write_all(bytes)
            .and_then(|()| flush_file(&file))
            .map_err(WriteError::io("write", &target))
    }

    /// Put the carried entries into the new folder, and flush it all to disk before the
    /// swap (so a power cut cannot leave a half-written tree).
    fn carry(&mut self, plan: &Plan) -> Result<(), WriteError> {
        let (new, out, folders) = (&self.new.path, &self.out, &mut self.folders);
        // Folders' permissions are set last: a read-only one must still receive its contents.
        let mut permissions = Vec::new();
        for (relative, kind) in &plan.carry {
            let from = out.path.join(relative);
            let to = new.join(relative);
            if let Some(parent) = to.parent()
                && folders.insert(parent.to_owned())
            {
                fs::create_dir_all(parent)
                    .map_err(WriteError::io("create the folder for", &from))?;
            }
            match kind {
                Kind::Folder => {
                    if folders.insert(to.clone()) {
                        fs::create_dir_all(&to)
                            .map_err(WriteError::io("keep the folder", &from))?;
                    }
                    let meta =
                        fs::symlink_metadata(&from).map_err(WriteError::io("read", &from))?;
                    permissions.push((to, meta.permissions()));
                }
                Kind::File => {
                    if fs::hard_link(&from, &to).is_err() {
                        // Some file systems have no hard links: copy (bytes and permissions).
                        fs::copy(&from, &to).map_err(WriteError::io("keep", &from))?;
                    }
                }
                Kind::Special => {
                    fs::hard_link(&from, &to).map_err(WriteError::io("keep", &from))?;
                }
                Kind::Symlink { target } => {
                    symlink(target, &to).map_err(WriteError::io("keep the link", &from))?;
                }
            }
        }
        if out.listing.is_some() {
            let meta = fs::metadata(&out.path).map_err(WriteError::io("read", &out.path))?;
            permissions.push((new.to_owned(), meta.permissions()));
        }
        // Flushed before the swap, so a power cut after it cannot leave empty files in OUT,
        // and a full disk that reports late still fails here, while OUT is untouched.
        flush_file_system(new, folders).map_err(WriteError::io("flush to disk", &out.path))?;
        for (folder, mode) in permissions.into_iter().rev() {
            fs::set_permissions(&folder, mode)
                .map_err(WriteError::io("set the permissions of", &folder))?;
        }
        Ok(())
    }
}

impl Sink for Writer {
    type Done = Written;

    /// Write a part of the new tree into the new folder.
    fn add(&mut self, part: &Tree) -> Result<(), WriteError> {
        for (relative, bytes) in part.iter() {
            self.manifest.add(relative, bytes).map_err(|e| {
                WriteError::io("write", self.out.path.join(relative))(io::Error::other(e))
            })?;
            self.put(relative, bytes)?;
        }
        Ok(())
    }

    /// Check what the new tree would overwrite or delete in OUT, carry over what is not
    /// meshgen's, write the manifest, flush, and put the new folder in OUT's place.
    fn finish(mut self) -> Result<Written, WriteError> {
        let plan = Plan::new(&self.manifest, &self.out, self.previous.as_ref())?;
        if !plan.conflicts.is_empty() && !self.force {
            return Err(WriteError::Conflicts {
                dir: self.out.path.clone(),
                conflicts: plan.conflicts,
            });
        }
        let manifest = self.manifest.to_text();
        self.put(MANIFEST, manifest.as_bytes())?;
        self.carry(&plan)?;
        let old = swap(&self.new.path, &self.out, std::process::id())?;
        self.new.keep = true;
        sync_folder(&self.out.parent);
        let previous_left_at = match old {
            Some(old) => remove_previous(&old, &self.out),
            None => None,
        };
        Ok(Written {
            files: self.manifest.len(),
            pruned: plan.pruned,
            kept: plan.carry.len(),
            forced: plan.conflicts.into_iter().map(|c| c.path).collect(),
            previous_left_at,
        })
    }
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::other("symbolic links are not supported here"))
}

/// On Linux the whole new tree is flushed at once by [`flush_file_system`]; elsewhere
/// each file is flushed as it is written.
#[cfg(target_os = "linux")]
fn flush_file(_: &fs::File) -> io::Result<()> {
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn flush_file(file: &fs::File) -> io::Result<()> {
    file.sync_all()
}

/// One `syncfs` for every file and folder of the new tree: tens of thousands of `fsync`s
/// would cost far more than writing them. Its error reports any write the disk refused
/// (Linux 5.8+).
#[cfg(target_os = "linux")]
fn flush_file_system(new: &Path, _folders: &BTreeSet<PathBuf>) -> io::Result<()> {
    let folder = fs::File::open(new)?;
    rustix::fs::syncfs(&folder).map_err(io::Error::from)
}

/// Files were flushed as they were written; their folders' entries are flushed here.
#[cfg(not(target_os = "linux"))]
fn flush_file_system(_: &Path, folders: &BTreeSet<PathBuf>) -> io::Result<()> {
    for folder in folders {
        sync_folder(folder);
    }
    Ok(())
}

/// Flush a folder's entries to disk. Best effort: not every system can open a folder.
fn sync_folder(path: &Path) {
    if let Ok(folder) = fs::File::open(path) {
        let _ = folder.sync_all();
    }
}

/// Put the new folder in OUT's place. Returns where the previous tree now is, if
/// there was one.
fn swap(new: &Path, out: &Out, pid: u32) -> Result<Option<PathBuf>, WriteError> {
    if out.listing.is_none() {
        fs::rename(new, &out.path).map_err(WriteError::io("move the new tree to", &out.path))?;
        return Ok(None);
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, new, CWD, &out.path, RenameFlags::EXCHANGE) {
            // The previous tree is now where the new one was built.
            Ok(()) => return Ok(Some(new.to_owned())),
            // Not supported by this file system: fall back to two renames.
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
            Err(e) => {
                return Err(WriteError::io("replace", &out.path)(io::Error::from(e)));
            }
        }
    }
    // Two renames: between them OUT is briefly absent (the previous tree is whole beside it).
    let old = out.sibling("old", pid);
    fs::rename(&out.path, &old).map_err(WriteError::io("move aside", &out.path))?;
    if let Err(e) = fs::rename(new, &out.path) {
        let _ = fs::rename(&old, &out.path);
        return Err(WriteError::io("move the new tree to", &out.path)(e));
    }
    Ok(Some(old))
}

/// Remove the previous tree, unless an entry appeared in it that meshgen never saw
/// (written into OUT while meshgen was working): then it is kept, and its place returned.
fn remove_previous(old: &Path, out: &Out) -> Option<PathBuf> {
    let before = out.listing.as_ref()?;
    let unseen = match Listing::read(old) {
        Ok(now) => now
            .entries
            .keys()
            .any(|path| !before.entries.contains_key(path)),
        Err(_) => true,
    };
    if unseen {
        return Some(old.to_owned());
    }
    match fs::remove_dir_all(old) {
        Ok(()) => None,
        Err(_) => Some(old.to_owned()),
    }
}
