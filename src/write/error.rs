//! Why a write or a comparison stopped, and what stands in a write's way.

use std::fmt;
use std::io;
use std::path::PathBuf;

use super::{MANIFEST, plural};

/// Why a tree could not be written or compared.
#[derive(Debug)]
pub enum WriteError {
    /// An I/O operation failed; `path` is the file or folder it was about.
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    /// OUT, or a folder on the way to it, exists and is not a folder.
    NotAFolder { path: PathBuf },
    /// OUT itself is a symbolic link (meshgen replaces OUT, so it will not guess which folder is meant).
    OutIsSymlink { path: PathBuf, target: PathBuf },
    /// A mount stands where meshgen must rename or remove a folder.
    MountPoint { path: PathBuf, kind: MountKind },
    /// Another meshgen render holds OUT's lock.
    Busy { out: PathBuf, holder: String },
    /// A render of OUT was killed before it finished, and `--check` cannot restore it.
    Interrupted { out: PathBuf },
    /// Files meshgen would overwrite or delete that it did not write (or that changed since).
    Conflicts {
        dir: PathBuf,
        conflicts: Vec<Conflict>,
    },
    /// `OUT/.meshgen/manifest` is not a manifest meshgen wrote.
    BadManifest {
        path: PathBuf,
        line: usize,
        reason: String,
    },
}

impl WriteError {
    /// True when the folder's contents are the problem (exit 1: "the tree is wrong"),
    /// false for I/O and usage failures (exit 2).
    pub fn is_tree_problem(&self) -> bool {
        matches!(
            self,
            WriteError::Conflicts { .. } | WriteError::BadManifest { .. }
        )
    }

    pub(super) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(io::Error) -> WriteError {
        let path = path.into();
        move |source| WriteError::Io {
            action,
            path,
            source,
        }
    }
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Io {
                action,
                path,
                source,
            } => write!(f, "cannot {action} {}: {source}", path.display()),
            WriteError::NotAFolder { path } => {
                write!(f, "{} exists and is not a folder", path.display())
            }
            WriteError::OutIsSymlink { path, target } => write!(
                f,
                "{} is a symbolic link (to {}); give the folder it points to instead",
                path.display(),
                target.display()
            ),
            WriteError::MountPoint { path, kind } => match kind {
                MountKind::Out => write!(
                    f,
                    "{} is a mount point (another file system, or a bind mount); meshgen \
                     replaces the output folder as a whole, by a rename within one mount, \
                     which a mount point cannot take part in: render into a folder inside it \
                     (e.g. -o {}/tree) or one that is not a mount point",
                    path.display(),
                    path.display()
                ),
                MountKind::Inside(out) => write!(
                    f,
                    "{} inside {} is a mount point (another file system, or a bind mount); \
                     meshgen never descends into or removes a mount, and cannot carry one \
                     into the new tree: unmount it (umount {}) or mount it outside {}, then \
                     render again (nothing was written)",
                    path.display(),
                    out.display(),
                    path.display(),
                    out.display()
                ),
                MountKind::Overlay => write!(
                    f,
                    "cannot replace {}: the kernel refused to rename it (EXDEV, invalid \
                     cross-device link). It is a folder of an overlay file system's lower \
                     layer (e.g. baked into a container image), and such a folder cannot be \
                     renamed: render into a folder made in the running container (or on a \
                     volume) instead (nothing was changed)",
                    path.display()
                ),
            },
            WriteError::Busy { out, holder } => write!(
                f,
                "{} is being written by another meshgen render ({holder}); run again when \
                 it has finished",
                out.display()
            ),
            WriteError::Interrupted { out } => write!(
                f,
                "a render of {} was killed before it finished; run `meshgen render` to \
                 restore it, then check again",
                out.display()
            ),
            WriteError::Conflicts { dir, conflicts } => {
                writeln!(
                    f,
                    "refusing to replace or delete {} in {} that meshgen did not write \
                     (or that changed since):",
                    plural(conflicts.len(), "path"),
                    dir.display()
                )?;
                for c in conflicts {
                    writeln!(f, "  {}: {}", c.path, c.reason)?;
                }
                write!(
                    f,
                    "move them away, or run again with --force to replace them (nothing was written)"
                )
            }
            WriteError::BadManifest { path, line, reason } => write!(
                f,
                "{}:{line}: {reason}; this is not the manifest meshgen wrote: restore it \
                 (e.g. from git), or run again with --force",
                path.display()
            ),
        }
    }
}

impl std::error::Error for WriteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WriteError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// A path in OUT that meshgen would overwrite or delete but may not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// Relative to OUT.
    pub path: String,
    pub reason: ConflictReason,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConflictReason {
    /// A file meshgen would write is there and is not in the manifest.
    NotWrittenByMeshgen,
    /// meshgen wrote it, but it changed since (its sha256 differs from the manifest's).
    ChangedSinceWritten,
    /// A symbolic link where meshgen would write or delete a file.
    Symlink { target: PathBuf },
    /// A folder where meshgen would write or delete a file.
    Folder,
    /// A file (or other non-folder) where meshgen needs a folder.
    NotAFolder,
    /// A FIFO, socket or device where meshgen would write or delete a file.
    NotAFile,
}

impl fmt::Display for ConflictReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConflictReason::NotWrittenByMeshgen => {
                write!(f, "not written by meshgen (not in {MANIFEST})")
            }
            ConflictReason::ChangedSinceWritten => {
                write!(f, "changed since meshgen wrote it")
            }
            ConflictReason::Symlink { target } => write!(
                f,
                "a symbolic link (to {}); meshgen never writes through links",
                target.display()
            ),
            ConflictReason::Folder => write!(f, "a folder where meshgen writes a file"),
            ConflictReason::NotAFolder => write!(f, "a file where meshgen needs a folder"),
            ConflictReason::NotAFile => write!(
                f,
                "not a regular file (a FIFO, socket or device); meshgen never reads one"
            ),
        }
    }
}

/// Which mount is in the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MountKind {
    /// OUT itself is a mount point.
    Out,
    /// A folder inside OUT (the payload) is a mount point.
    Inside(PathBuf),
    /// OUT cannot be renamed: it comes from an overlay file system's lower layer.
    Overlay,
}
