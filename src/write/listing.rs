//! What is in OUT now: its place, and a listing of everything in it, read through
//! folder handles that never follow a symbolic link and never enter another mount.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::path::{Path, PathBuf};

use rustix::fs::{FileType, Statx};

use super::fsys::{self, Walker};
use super::manifest::{MANIFEST, Manifest};
use super::{MountKind, WriteError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Kind {
    File,
    Folder,
    Symlink {
        target: PathBuf,
    },
    /// A FIFO, socket or device: kept, never read.
    Special,
}

/// One entry of the listing: what it is, and its inode number (from the folder's
/// entries, no stat), to tell later whether the same file is still there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    pub(super) kind: Kind,
    pub(super) ino: u64,
    /// A folder's owner, mode and times, to give its copy in the new tree.
    pub(super) meta: Option<FolderMeta>,
}

/// What a folder keeps when it is made again in the new tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FolderMeta {
    pub(super) mode: u32,
    pub(super) uid: u32,
    pub(super) gid: u32,
    pub(super) atime: (i64, u32),
    pub(super) mtime: (i64, u32),
}

impl FolderMeta {
    pub(super) fn of(stat: &Statx) -> FolderMeta {
        FolderMeta {
            mode: u32::from(stat.stx_mode) & 0o7777,
            uid: stat.stx_uid,
            gid: stat.stx_gid,
            atime: (stat.stx_atime.tv_sec, stat.stx_atime.tv_nsec),
            mtime: (stat.stx_mtime.tv_sec, stat.stx_mtime.tv_nsec),
        }
    }
}

/// Everything in a folder, by path relative to it, never following a symbolic link.
/// Paths compare component by component, so a folder comes right before its contents.
#[derive(Debug)]
pub(super) struct Listing {
    pub(super) entries: BTreeMap<PathBuf, Entry>,
    /// OUT's own owner, mode and times.
    pub(super) root: FolderMeta,
}

impl Listing {
    /// List `root`; a mount inside it is an error (it can neither be carried into the
    /// new tree nor removed with the old one).
    pub(super) fn read(root: &Path) -> Result<Listing, WriteError> {
        let fd = fsys::open_dir(root).map_err(WriteError::io("list", root))?;
        let root_stat = fsys::statx_fd(fd.as_fd()).map_err(WriteError::io("read", root))?;
        let mut listing = Listing {
            entries: BTreeMap::new(),
            root: FolderMeta::of(&root_stat),
        };
        listing.read_folder(fd.as_fd(), root, Path::new(""), &root_stat)?;
        Ok(listing)
    }

    fn read_folder(
        &mut self,
        fd: BorrowedFd<'_>,
        root: &Path,
        folder: &Path,
        root_stat: &Statx,
    ) -> Result<(), WriteError> {
        let full = root.join(folder);
        for (name, file_type, ino) in fsys::read_dir(fd).map_err(WriteError::io("list", &full))? {
            let relative = folder.join(&name);
            let at = root.join(&relative);
            let file_type = match file_type {
                // Some file systems do not say in the listing.
                FileType::Unknown => fsys::file_type(
                    &fsys::statx_at(fd, &name).map_err(WriteError::io("read", &at))?,
                ),
                known => known,
            };
            let kind = match file_type {
                FileType::Symlink => Kind::Symlink {
                    target: read_link_at(fd, &name).map_err(WriteError::io("read", &at))?,
                },
                FileType::Directory => {
                    let stat = fsys::statx_at(fd, &name).map_err(WriteError::io("read", &at))?;
                    if fsys::is_other_mount(&stat, root_stat) {
                        return Err(WriteError::MountPoint {
                            path: at,
                            kind: MountKind::Inside(root.to_owned()),
                        });
                    }
                    let child =
                        fsys::open_dir_at(fd, &name).map_err(WriteError::io("list", &at))?;
                    self.entries.insert(
                        relative.clone(),
                        Entry {
                            kind: Kind::Folder,
                            ino,
                            meta: Some(FolderMeta::of(&stat)),
                        },
                    );
                    self.read_folder(child.as_fd(), root, &relative, root_stat)?;
                    continue;
                }
                FileType::RegularFile => Kind::File,
                _ => Kind::Special,
            };
            self.entries.insert(
                relative,
                Entry {
                    kind,
                    ino,
                    meta: None,
                },
            );
        }
        Ok(())
    }

    pub(super) fn get(&self, path: &str) -> Option<&Entry> {
        self.entries.get(Path::new(path))
    }

    pub(super) fn kind(&self, path: &str) -> Option<&Kind> {
        self.get(path).map(|e| &e.kind)
    }
}

pub(super) fn read_link_at(dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    let target = rustix::fs::readlinkat(dir, name, Vec::new())?;
    Ok(PathBuf::from(std::ffi::OsString::from_vec(
        target.into_bytes(),
    )))
}

/// Where OUT is and what it holds now.
pub(super) struct Out {
    /// Absolute, with no symbolic link as its last component.
    pub(super) path: PathBuf,
    /// Folder that holds OUT, where the new folder is made.
    pub(super) parent: PathBuf,
    pub(super) name: String,
    /// Whether OUT existed when it was located.
    pub(super) exists: bool,
    /// `None` until [`Out::list`] (and when OUT does not exist).
    pub(super) listing: Option<Listing>,
}

impl Out {
    /// Find `dir` and check that it can be replaced, without changing anything.
    pub(super) fn locate(dir: &Path) -> Result<Out, WriteError> {
        let absolute = std::path::absolute(dir).map_err(WriteError::io("resolve", dir))?;
        let existing = match fs::symlink_metadata(&absolute) {
            Ok(meta) => Some(meta),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) if e.kind() == io::ErrorKind::NotADirectory => {
                return Err(WriteError::NotAFolder {
                    path: first_non_folder(&absolute),
                });
            }
            Err(e) => return Err(WriteError::io("read", &absolute)(e)),
        };
        let path = match &existing {
            Some(meta) if meta.file_type().is_symlink() => {
                let target = fs::read_link(&absolute).unwrap_or_default();
                return Err(WriteError::OutIsSymlink {
                    path: absolute,
                    target,
                });
            }
            Some(meta) if !meta.is_dir() => return Err(WriteError::NotAFolder { path: absolute }),
            // `.`, `..` and links on the way resolve to the folder itself.
            Some(_) => fs::canonicalize(&absolute).map_err(WriteError::io("resolve", &absolute))?,
            None => {
                let parent = absolute.parent().unwrap_or(Path::new("/"));
                let name = absolute.file_name().unwrap_or_default();
                match fs::canonicalize(parent) {
                    Ok(parent) => parent.join(name),
                    Err(_) => absolute.clone(),
                }
            }
        };
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return Err(WriteError::io("replace", &path)(io::Error::other(
                "the root folder cannot be an output folder",
            )));
        };
        if existing.is_some() {
            // The new folder is made beside OUT and renamed into its place, which only
            // works within one mount: OUT may not be a mount point (of another file
            // system, or a bind mount of this one).
            let stat = fsys::statx_at(rustix::fs::CWD.as_fd(), path.as_os_str())
                .map_err(WriteError::io("read", &path))?;
            let parent_stat = fsys::statx_at(rustix::fs::CWD.as_fd(), parent.as_os_str())
                .map_err(WriteError::io("read", parent))?;
            if fsys::is_mount_root(&stat) || fsys::is_other_mount(&stat, &parent_stat) {
                return Err(WriteError::MountPoint {
                    path,
                    kind: MountKind::Out,
                });
            }
        }
        Ok(Out {
            parent: parent.to_owned(),
            name: name.to_string_lossy().into_owned(),
            exists: existing.is_some(),
            path,
            listing: None,
        })
    }

    /// List what OUT holds (under the lock: nothing else of meshgen's changes it then).
    pub(super) fn list(&mut self) -> Result<(), WriteError> {
        self.exists = match fs::symlink_metadata(&self.path) {
            Ok(meta) if meta.is_dir() => true,
            Ok(_) => {
                return Err(WriteError::NotAFolder {
                    path: self.path.clone(),
                });
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(WriteError::io("read", &self.path)(e)),
        };
        self.listing = if self.exists {
            Some(Listing::read(&self.path)?)
        } else {
            None
        };
        Ok(())
    }

    /// Handles on OUT's folders, for reading its files.
    pub(super) fn walker(&self) -> Result<Walker, WriteError> {
        let fd = fsys::open_dir(&self.path).map_err(WriteError::io("open", &self.path))?;
        Ok(Walker::new(fd, false))
    }

    /// The manifest in OUT: `None` when there is none (or OUT does not exist).
    pub(super) fn manifest(&self) -> Result<Option<Manifest>, WriteError> {
        match self.listing.as_ref().and_then(|l| l.kind(MANIFEST)) {
            Some(Kind::File) => {}
            // A manifest that is not a plain file is not meshgen's: planning reports it.
            _ => return Ok(None),
        }
        let path = self.path.join(MANIFEST);
        let mut walker = self.walker()?;
        let (folder, name) = fsys::split(MANIFEST);
        let (fd, _) = walker
            .dir(&folder)
            .and_then(|dir| fsys::open_file_at(dir, name))
            .map_err(WriteError::io("read", &path))?;
        let contents = fsys::read_contents(fd.as_fd(), b"", Some(fsys::MANIFEST_LIMIT))
            .map_err(WriteError::io("read", &path))?;
        let bad = |line, reason: &str| WriteError::BadManifest {
            path: path.clone(),
            line,
            reason: reason.to_owned(),
        };
        let text = contents.bytes.ok_or_else(|| bad(1, "too large"))?;
        let text = String::from_utf8(text).map_err(|_| bad(1, "not UTF-8"))?;
        Manifest::parse(&text)
            .map(Some)
            .map_err(|(line, reason)| bad(line, &reason))
    }

    /// `.NAME.meshgen-KIND` beside OUT.
    pub(super) fn sibling(&self, kind: &str) -> PathBuf {
        self.parent.join(format!(".{}.meshgen-{kind}", self.name))
    }
}

/// The first component of `path` that exists and is not a folder.
pub(super) fn first_non_folder(path: &Path) -> PathBuf {
    let mut at = PathBuf::new();
    for component in path.components() {
        at.push(component);
        if fs::symlink_metadata(&at).is_ok_and(|m| !m.is_dir()) {
            return at;
        }
    }
    path.to_owned()
}
