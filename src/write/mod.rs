//! Writing a [`Tree`] into the output folder OUT, and comparing one with it.
//!
//! The only module that touches OUT. [`Writer`] and [`Comparer`] are [`Sink`]s: they take
//! the tree in parts, as the render hands them over ([`crate::render_into`]), so no more
//! than a few clusters' files are in memory at once; [`write_tree`] and [`diff_tree`] take
//! a whole tree.
//!
//! The parts, in the order a write uses them: [`manifest`] (what meshgen owns),
//! [`listing`] (what OUT holds now), [`reconcile`] (what the new folder carries over,
//! prunes or refuses), [`writer`] (writing, flushing and swapping), [`compare`]
//! (`render --check`).
//! How a write stays safe:
//! - Everything is written into a new folder beside OUT (`.OUT.meshgen-new-PID`), which,
//!   once the whole tree is there and nothing stands in its way, takes OUT's place in one rename (on Linux an atomic exchange), so a crash or a
//!   kill at any moment leaves either the old tree or the new one, whole. A folder left
//!   behind by a killed run is removed by the next one.
//! - `OUT/.meshgen/manifest` lists every file meshgen wrote with its sha256, one
//!   `<sha256>  <path>` line each (the `sha256sum` format: `sha256sum -c` verifies a tree).
//!   Files it lists that the new tree no longer has are pruned.
//! - A file meshgen did not write, or one changed since meshgen wrote it, is never
//!   overwritten or deleted unless `force` is set: the write is refused and lists them.
//!   Files beside meshgen's that it does not touch are carried into the new folder (as
//!   hard links, so nothing is copied and nothing in OUT changes before the swap).
//! - Symbolic links are never followed: one where meshgen would write is refused (with
//!   `force` the link itself is replaced, never its target); others are carried as links.
//!
//! [`diff_tree`] (`render --check`) reads the same way and writes nothing.

mod compare;
mod listing;
mod manifest;
mod reconcile;
mod writer;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::tree::Tree;

pub use compare::{Comparer, Drift};
pub use manifest::{MANIFEST, Manifest};
pub use writer::{Writer, Written};

/// Where the parts of a rendered tree go: the [`Writer`] (into OUT) or the [`Comparer`]
/// (against OUT). [`crate::render_into`] hands it every part, then finishes it.
pub trait Sink {
    /// What a finished sink reports.
    type Done;
    /// Take a part of the new tree.
    fn add(&mut self, part: &Tree) -> Result<(), WriteError>;
    /// Every part was taken: complete the write or the comparison.
    fn finish(self) -> Result<Self::Done, WriteError>;
}

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
    /// A file system is mounted inside OUT: it cannot be carried into the new folder.
    MountPoint { path: PathBuf },
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

    fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> WriteError {
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
            WriteError::MountPoint { path } => write!(
                f,
                "{} is a mount point; meshgen replaces the output folder as a whole, by a \
                 rename within one file system: render into a folder that is not (and holds \
                 no) mount point",
                path.display()
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
        }
    }
}

/// Write `tree` into `dir`, replacing what meshgen wrote there before (see the module
/// documentation for the guarantees). `force` allows overwriting and deleting files that
/// meshgen did not write or that changed since.
pub fn write_tree(tree: &Tree, dir: &Path, force: bool) -> Result<Written, WriteError> {
    let mut writer = Writer::start(dir, force)?;
    writer.add(tree)?;
    writer.finish()
}

/// How `dir` differs from what [`write_tree`] would make of it, or `None` when it is
/// up to date. Writes nothing and follows no symbolic link; files meshgen does not
/// own are ignored (a write would keep them).
pub fn diff_tree(tree: &Tree, dir: &Path) -> Result<Option<Drift>, WriteError> {
    let mut comparer = Comparer::start(dir)?;
    comparer.add(tree)?;
    comparer.finish()
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}
