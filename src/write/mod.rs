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

mod carry;
mod compare;
mod error;
mod fsys;
mod listing;
mod lock;
mod manifest;
mod reconcile;
mod settle;
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
