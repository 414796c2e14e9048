//! What is in OUT now: its place, and a listing of everything in it, read without
//! following a symbolic link.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::WriteError;
use super::manifest::{MANIFEST, Manifest};

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

/// Everything in a folder, by path relative to it, never following a symbolic link.
/// Paths compare component by component, so a folder comes right before its contents.
#[derive(Debug, Default)]
pub(super) struct Listing {
    pub(super) entries: BTreeMap<PathBuf, Kind>,
}

impl Listing {
    pub(super) fn read(root: &Path) -> Result<Listing, WriteError> {
        let root_device =
            device(&fs::symlink_metadata(root).map_err(WriteError::io("read", root))?);
        let mut listing = Listing::default();
        let mut folders = vec![PathBuf::new()];
        while let Some(folder) = folders.pop() {
            let path = root.join(&folder);
            for item in fs::read_dir(&path).map_err(WriteError::io("list", &path))? {
                let item = item.map_err(WriteError::io("list", &path))?;
                let relative = folder.join(item.file_name());
                let full = root.join(&relative);
                // The type comes with the listing (no stat per file); only folders are
                // looked at further, for mount points.
                let file_type = item.file_type().map_err(WriteError::io("read", &full))?;
                let kind = if file_type.is_symlink() {
                    let target = fs::read_link(&full).map_err(WriteError::io("read", &full))?;
                    Kind::Symlink { target }
                } else if file_type.is_dir() {
                    let meta =
                        fs::symlink_metadata(&full).map_err(WriteError::io("read", &full))?;
                    if device(&meta) != root_device {
                        return Err(WriteError::MountPoint { path: full });
                    }
                    folders.push(relative.clone());
                    Kind::Folder
                } else if file_type.is_file() {
                    Kind::File
                } else {
                    Kind::Special
                };
                listing.entries.insert(relative, kind);
            }
        }
        Ok(listing)
    }

    pub(super) fn get(&self, path: &str) -> Option<&Kind> {
        self.entries.get(Path::new(path))
    }
}

#[cfg(unix)]
pub(super) fn device(meta: &fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::dev(meta)
}

#[cfg(not(unix))]
pub(super) fn device(_: &fs::Metadata) -> u64 {
    0
}

/// Where OUT is and what it holds now.
pub(super) struct Out {
    /// Absolute, with no symbolic link as its last component.
    pub(super) path: PathBuf,
    /// Folder that holds OUT, where the new folder is made.
    pub(super) parent: PathBuf,
    pub(super) name: String,
    /// `None` when OUT does not exist yet.
    pub(super) listing: Option<Listing>,
}

impl Out {
    /// Look at `dir` without changing anything.
    pub(super) fn inspect(dir: &Path) -> Result<Out, WriteError> {
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
        let name = name.to_string_lossy().into_owned();
        let listing = match existing {
            Some(meta) => {
                // The new folder is made beside OUT and renamed into its place, which
                // only works within one file system.
                let parent_meta = fs::metadata(parent).map_err(WriteError::io("read", parent))?;
                if device(&meta) != device(&parent_meta) {
                    return Err(WriteError::MountPoint { path });
                }
                Some(Listing::read(&path)?)
            }
            None => None,
        };
        Ok(Out {
            parent: parent.to_owned(),
            name,
            path,
            listing,
        })
    }

    /// The manifest in OUT: `None` when there is none (or OUT does not exist).
    pub(super) fn manifest(&self) -> Result<Option<Manifest>, WriteError> {
        let Some(listing) = &self.listing else {
            return Ok(None);
        };
        match listing.get(MANIFEST) {
            Some(Kind::File) => {}
            // A manifest that is not a plain file is not meshgen's: planning reports it.
            _ => return Ok(None),
        }
        let path = self.path.join(MANIFEST);
        let text = fs::read(&path).map_err(WriteError::io("read", &path))?;
        let text = String::from_utf8(text).map_err(|_| WriteError::BadManifest {
            path: path.clone(),
            line: 1,
            reason: "not UTF-8".to_owned(),
        })?;
        Manifest::parse(&text)
            .map(Some)
            .map_err(|(line, reason)| WriteError::BadManifest { path, line, reason })
    }

    pub(super) fn read(&self, relative: &str) -> Result<Vec<u8>, WriteError> {
        let path = self.path.join(relative);
        fs::read(&path).map_err(WriteError::io("read", path))
    }

    /// `.NAME.meshgen-KIND-PID` beside OUT.
    pub(super) fn sibling(&self, kind: &str, pid: u32) -> PathBuf {
        self.parent
            .join(format!(".{}.meshgen-{kind}-{pid}", self.name))
    }

    /// Remove folders left beside OUT by runs that were killed (their process is gone).
    pub(super) fn remove_leftovers(&self) {
        let Ok(items) = fs::read_dir(&self.parent) else {
            return;
        };
        let prefix = format!(".{}.meshgen-", self.name);
        for item in items.flatten() {
            let name = item.file_name();
            let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
                continue;
            };
            let pid = rest
                .strip_prefix("new-")
                .or_else(|| rest.strip_prefix("old-"))
                .and_then(|pid| pid.parse::<u32>().ok());
            if let Some(pid) = pid
                && !process_is_running(pid)
            {
                let _ = fs::remove_dir_all(item.path());
            }
        }
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

/// Whether a process with this id exists. Unknown (no /proc) counts as running, so
/// nothing is removed that might still be in use.
pub(super) fn process_is_running(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}
