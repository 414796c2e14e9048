//! What the new folder holds beside the new tree: which entries of OUT are carried over,
//! which of meshgen's files are pruned, and what stands in the way.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::listing::{Kind, Out};
use super::manifest::{MANIFEST, Manifest, sha256};
use super::{Conflict, ConflictReason, WriteError};
use crate::tree::is_plain_relative_path;

/// Which entries of OUT go into the new folder, and what stands in the way.
#[derive(Debug, Default)]
pub(super) struct Plan {
    /// Entries not meshgen's, carried over unchanged (parents before children).
    pub(super) carry: Vec<(PathBuf, Kind)>,
    pub(super) pruned: Vec<String>,
    pub(super) conflicts: Vec<Conflict>,
}

impl Plan {
    /// `new` lists the files of the new tree with their sha256.
    pub(super) fn new(
        new: &Manifest,
        out: &Out,
        manifest: Option<&Manifest>,
    ) -> Result<Plan, WriteError> {
        let mut plan = Plan::default();
        let Some(listing) = &out.listing else {
            return Ok(plan);
        };
        let empty = Manifest::default();
        let manifest = manifest.unwrap_or(&empty);
        // Folders the new tree needs, and folders that only hold what meshgen wrote.
        let tree_folders = folders_of(new.paths().chain([MANIFEST]));
        let owned_folders = folders_of(manifest.paths());
        // A conflicting folder: what is inside goes with it.
        let mut dropped: Option<PathBuf> = None;
        for (relative, kind) in &listing.entries {
            if dropped.as_ref().is_some_and(|d| relative.starts_with(d)) {
                continue;
            }
            let Some(path) = relative.to_str().filter(|p| is_plain_relative_path(p)) else {
                // Not a name meshgen ever writes: the user's.
                plan.carry.push((relative.clone(), kind.clone()));
                continue;
            };
            let reason = if path == MANIFEST {
                // meshgen's own bookkeeping: rewritten, unless something else stands there.
                in_the_way(kind)
            } else if let Some(new_hash) = new.hash(path) {
                if *kind == Kind::File {
                    let old = sha256(&out.read(path)?);
                    if old == *new_hash || manifest.hash(path) == Some(&old) {
                        None
                    } else if manifest.contains(path) {
                        Some(ConflictReason::ChangedSinceWritten)
                    } else {
                        Some(ConflictReason::NotWrittenByMeshgen)
                    }
                } else {
                    in_the_way(kind)
                }
            } else if manifest.contains(path) {
                // meshgen wrote a file here that the new tree does not have: stale.
                if *kind != Kind::File {
                    in_the_way(kind)
                } else if manifest.wrote(path, &out.read(path)?) {
                    plan.pruned.push(path.to_owned());
                    None
                } else {
                    Some(ConflictReason::ChangedSinceWritten)
                }
            } else if tree_folders.contains(path) {
                match kind {
                    Kind::Folder => None,
                    Kind::Symlink { target } => Some(ConflictReason::Symlink {
                        target: target.clone(),
                    }),
                    _ => Some(ConflictReason::NotAFolder),
                }
            } else if *kind == Kind::Folder && owned_folders.contains(path) {
                // Made for files meshgen wrote; made again only if something in it is kept.
                None
            } else {
                plan.carry.push((relative.clone(), kind.clone()));
                None
            };
            if let Some(reason) = reason {
                if *kind == Kind::Folder {
                    dropped = Some(relative.clone());
                }
                plan.conflicts.push(Conflict {
                    path: path.to_owned(),
                    reason,
                });
            }
        }
        Ok(plan)
    }
}

/// Why `kind` stands where meshgen writes or deletes a file (`None`: a file, fine).
pub(super) fn in_the_way(kind: &Kind) -> Option<ConflictReason> {
    match kind {
        Kind::File => None,
        Kind::Folder => Some(ConflictReason::Folder),
        Kind::Symlink { target } => Some(ConflictReason::Symlink {
            target: target.clone(),
        }),
        Kind::Special => Some(ConflictReason::NotWrittenByMeshgen),
    }
}

/// Every folder (proper prefix) of the given `/`-separated paths.
pub(super) fn folders_of<'a>(paths: impl Iterator<Item = &'a str>) -> BTreeSet<&'a str> {
    let mut out = BTreeSet::new();
    for path in paths {
        let mut folder = path;
        while let Some((parent, _)) = folder.rsplit_once('/') {
            if !out.insert(parent) {
                break;
            }
            folder = parent;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_of_lists_every_proper_prefix() {
        let folders = folders_of(["a/b/c.yaml", "a/d.yaml", "e.md"].into_iter());
        assert_eq!(folders.into_iter().collect::<Vec<_>>(), vec!["a", "a/b"]);
    }
}
