//! Writing a [`Tree`] into the output folder OUT, and comparing one with it.
//!
//! The only module that touches OUT. [`Writer`] and [`Comparer`] are [`Sink`]s: they take
//! the tree in parts, as the render hands them over ([`crate::render_into`]), so no more
//! than a few clusters' files are in memory at once; [`write_tree`] and [`diff_tree`] take
//! a whole tree.
//!
//! The parts, in the order a write uses them: [`listing`] (where OUT is and what it
//! holds, read through [`fsys`]'s folder handles), [`lock`] (one render at a time, and the
//! swap journal), [`manifest`] (what meshgen owns), [`reconcile`] (what becomes of each
//! entry: identical, meshgen's, the user's, in the way), [`carry`] (the new folder: hard
//! links of unchanged and user files, folder owners and modes), [`swap`], [`settle`] (the
//! previous tree entry by entry) and [`recover`] (after a kill), [`writer`] and [`compare`] (the
//! two sinks). The guarantees, as the README's "Writing safely" states them:
//! - The new tree is built beside OUT (`.OUT.meshgen-new`) and swapped in by one rename
//!   (`RENAME_EXCHANGE`; two renames where the file system lacks it, undone by the next
//!   run if a kill falls between them): a crash leaves the old tree or the new one, whole.
//!   Unchanged files and the user's are hard links; a tree that did not change is not
//!   written at all.
//! - `OUT/.meshgen/manifest` lists every file meshgen wrote with its sha256, one
//!   `<sha256>  <path>` line each (the `sha256sum` format: `sha256sum -c` verifies a tree).
//!   Files it lists that the new tree no longer has are pruned.
//! - A file meshgen did not write, or one changed since meshgen wrote it, is never
//!   overwritten or deleted unless `force` is set: the write is refused and lists them.
//! - Nothing is followed: no symbolic link, no mount (found by `statx`), no FIFO (opened
//!   without blocking). The previous tree is removed only entry by entry, as far as each
//!   is accounted for; what appeared during the render is moved over or kept.
//!
//! [`diff_tree`] (`render --check`) reads the same way and writes nothing.

mod carry;
mod compare;
mod error;
mod fsys;
mod listing;
mod lock;
mod manifest;
mod reconcile;
mod recover;
mod settle;
mod swap;
mod writer;

use std::path::Path;

use crate::tree::Tree;

pub use compare::{Comparer, Drift};
pub use error::{Conflict, ConflictReason, MountKind, WriteError};
pub use manifest::{MANIFEST, Manifest};
pub use settle::Settled;
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

/// Write `tree` into `dir`, replacing what meshgen wrote there before (see the module
/// documentation for the guarantees). `force` allows overwriting and deleting files that
/// meshgen did not write or that changed since.
pub fn write_tree(tree: &Tree, dir: &Path, force: bool) -> Result<Written, WriteError> {
    let mut writer = Writer::start(dir, force, None)?;
    writer.add(tree)?;
    writer.finish()
}

/// How `dir` differs from what [`write_tree`] would make of it, or `None` when it is
/// up to date. Writes nothing and follows no symbolic link; files meshgen does not
/// own are ignored (a write would keep them).
pub fn diff_tree(tree: &Tree, dir: &Path) -> Result<Option<Drift>, WriteError> {
    let mut comparer = Comparer::start(dir, None)?;
    comparer.add(tree)?;
    comparer.finish()
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}
