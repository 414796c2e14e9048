//! Filling the new folder with what it takes from OUT: the unchanged files of the new
//! tree and everything of the user's, as hard links (the same files: nothing copied,
//! nothing in OUT changed), made relative to folder handles that follow no link; and
//! the folders made again with their owner, mode and times.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Write as _};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, Gid, Mode, OFlags, Timespec, Timestamps, Uid};
use rustix::io::Errno;

use super::WriteError;
use super::fsys::{self, Walker};
use super::listing::{Entry, FolderMeta, Kind, Out};

/// The folder the new tree is built in, `.NAME.meshgen-new` beside OUT. Removed when
/// dropped before the swap, so an error leaves nothing behind.
pub(super) struct NewFolder {
    pub(super) path: PathBuf,
    pub(super) walker: Walker,
    pub(super) swapped: bool,
}

impl NewFolder {
    pub(super) fn create(out: &Out) -> Result<NewFolder, WriteError> {
        let path = out.sibling("new");
        rustix::fs::mkdir(&path, Mode::from_raw_mode(0o777)).map_err(|e| match e {
            Errno::NOTDIR => WriteError::NotAFolder {
                path: super::listing::first_non_folder(&out.parent),
            },
            e => WriteError::io("create a folder beside", &out.path)(e.into()),
        })?;
        let fd = fsys::open_dir(&path).map_err(WriteError::io("open", &path))?;
        Ok(NewFolder {
            walker: Walker::new(fd, true),
            path,
            swapped: false,
        })
    }

    /// Write a file of the new tree (`target` is where it will be, for messages).
    pub(super) fn put(
        &mut self,
        relative: &str,
        bytes: &[u8],
        target: &Path,
    ) -> Result<(), WriteError> {
        let (folder, name) = fsys::split(relative);
        let dir = self
            .walker
            .dir(&folder)
            .map_err(WriteError::io("create the folder for", target))?;
        let flags =
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        // A program (verify.sh) is executable, as far as the umask lets it be.
        let mode = if crate::layout::is_executable(relative) {
            0o777
        } else {
            0o666
        };
        let fd = rustix::fs::openat(dir, name, flags, Mode::from_raw_mode(mode))
            .map_err(|e| WriteError::io("create", target)(e.into()))?;
        fs::File::from(fd)
            .write_all(bytes)
            .map_err(WriteError::io("write", target))
    }

    /// Flush every file and folder of the new tree to disk with one `syncfs`: tens of
    /// thousands of `fsync`s would cost far more than the writes (each one flushes the
    /// disk's cache), and even for a few changed files, the folders of hard links need
    /// flushing too. Its error reports any write the disk refused (Linux 5.8+), while
    /// OUT is still untouched.
    pub(super) fn flush(&self) -> io::Result<()> {
        Ok(rustix::fs::syncfs(self.walker.root())?)
    }
}

impl Drop for NewFolder {
    fn drop(&mut self) {
        if !self.swapped {
            let _ = super::recover::remove_scratch(&self.path);
        }
    }
}

/// What could not be carried as it was.
#[derive(Debug, Default)]
pub(super) struct Carried {
    /// Entries whose hard link the file system refused (another user's file under
    /// `fs.protected_hardlinks`, a file system without hard links): moved over by a
    /// rename right after the swap instead, which keeps them whole.
    pub(super) by_rename: BTreeSet<String>,
    /// Warnings: owners that could not be kept, and the like.
    pub(super) notes: Vec<String>,
}

/// Hard link the files of the new tree found unchanged in OUT (`same`, in path order).
pub(super) fn link_unchanged(
    out: &Out,
    reader: &mut Walker,
    new: &mut NewFolder,
    same: &[String],
) -> Result<(), WriteError> {
    for path in same {
        let (folder, name) = fsys::split(path);
        let target = out.path.join(path);
        let from = reader
            .dir(&folder)
            .map_err(WriteError::io("read", &target))?;
        let to = new
            .walker
            .dir(&folder)
            .map_err(WriteError::io("create the folder for", &target))?;
        match rustix::fs::linkat(from, name, to, name, AtFlags::empty()) {
            Ok(()) => {}
            // No hard link here (or not to this file): a copy of meshgen's own bytes.
            Err(_) => {
                let (fd, _) =
                    fsys::open_file_at(from, name).map_err(WriteError::io("read", &target))?;
                let contents = fsys::read_contents(fd.as_fd(), b"", Some(usize::MAX))
                    .map_err(WriteError::io("read", &target))?;
                let bytes = contents.bytes.ok_or_else(|| {
                    WriteError::io("copy", &target)(io::Error::other("too large"))
                })?;
                new.put(path, &bytes, &target)?;
            }
        }
    }
    Ok(())
}

/// Put the carried entries into the new folder (parents before children).
pub(super) fn carry(
    out: &Out,
    reader: &mut Walker,
    new: &mut NewFolder,
    entries: &[(PathBuf, Entry)],
) -> Result<Carried, WriteError> {
    let mut carried = Carried::default();
    for (relative, entry) in entries {
        let parts = fsys::components(relative);
        let target = out.path.join(relative);
        if entry.kind == Kind::Folder {
            new.walker
                .dir(&parts)
                .map_err(WriteError::io("keep the folder", &target))?;
            continue;
        }
        let Some((name, folder)) = parts.split_last() else {
            continue;
        };
        // A folder on the way swapped for a link since the listing: not followed; what
        // stands there now is settled after the swap.
        let Ok(from) = reader.dir(folder) else {
            continue;
        };
        let to = new
            .walker
            .dir(folder)
            .map_err(WriteError::io("create the folder for", &target))?;
        // linkat without AT_SYMLINK_FOLLOW links a symbolic link itself, never its target.
        match rustix::fs::linkat(from, *name, to, *name, AtFlags::empty()) {
            Ok(()) => {}
            Err(Errno::NOENT) => {} // removed since the listing
            Err(_) => {
                carried
                    .by_rename
                    .insert(relative.to_string_lossy().into_owned());
            }
        }
    }
    Ok(carried)
}

/// Give every folder that OUT had and the new tree has again its owner and mode, and
/// the user's own folders (`carried`) their times too; deepest first, so that nothing
/// is made inside a folder after its times are set or it turns read-only.
pub(super) fn keep_folder_metadata(
    out: &Out,
    new: &NewFolder,
    carried: &BTreeSet<&Path>,
    notes: &mut Vec<String>,
) -> Result<(), WriteError> {
    let Some(listing) = &out.listing else {
        return Ok(());
    };
    let root = fsys::open_dir(&new.path).map_err(WriteError::io("open", &new.path))?;
    let mut lookup = Walker::new(root, false);
    let folders = listing
        .entries
        .iter()
        .filter_map(|(path, e)| e.meta.map(|m| (path.as_path(), m)));
    let mut all: Vec<(&Path, FolderMeta)> = folders.collect();
    all.reverse();
    all.push((Path::new(""), listing.root));
    for (path, meta) in all {
        let parts = fsys::components(path);
        let Ok(dir) = lookup.dir(&parts) else {
            continue; // not in the new tree
        };
        let stat = fsys::statx_fd(dir).map_err(WriteError::io("read", &new.path))?;
        let shown = out.path.join(path);
        if (stat.stx_uid, stat.stx_gid) != (meta.uid, meta.gid) {
            let owner = (Some(Uid::from_raw(meta.uid)), Some(Gid::from_raw(meta.gid)));
            if rustix::fs::fchown(dir, owner.0, owner.1).is_err() {
                notes.push(format!(
                    "{}: could not keep the folder's owner {}:{} (only root can give a folder \
                     to another user); it is now yours",
                    shown.display(),
                    meta.uid,
                    meta.gid
                ));
            }
        }
        rustix::fs::fchmod(dir, Mode::from_raw_mode(meta.mode))
            .map_err(|e| WriteError::io("set the permissions of", &shown)(e.into()))?;
        if carried.contains(path) {
            let time = |(sec, nsec): (i64, u32)| Timespec {
                tv_sec: sec,
                tv_nsec: nsec.into(),
            };
            let times = Timestamps {
                last_access: time(meta.atime),
                last_modification: time(meta.mtime),
            };
            rustix::fs::futimens(dir, &times)
                .map_err(|e| WriteError::io("set the times of", &shown)(e.into()))?;
        }
    }
    Ok(())
}
