//! What a write does with each entry of OUT, decided once for the writer and for
//! `--check`: a file the new tree writes is [`Found`] identical, meshgen's (replaced),
//! or in the way; every other entry is carried over, pruned, or in the way ([`Plan`]).

use std::collections::{BTreeSet, HashMap};
use std::io;
use std::os::fd::AsFd;
use std::path::PathBuf;
use std::time::SystemTime;

use super::fsys::{self, Stamp, Walker};
use super::listing::{Entry, Kind, Out};
use super::manifest::{MANIFEST, Manifest};
use super::{Conflict, ConflictReason, WriteError};
use crate::tree::is_plain_relative_path;

/// A file meshgen read in OUT: its stamp and sha256 when read, so that after the swap
/// it can tell whether the file changed since ([`super::settle`]).
#[derive(Debug, Clone)]
pub(super) struct Record {
    pub(super) stamp: Stamp,
    pub(super) hash: [u8; 32],
    pub(super) read_at: SystemTime,
}

/// What stands at a path the new tree writes.
pub(super) enum Found {
    Absent,
    /// A file holding exactly the new bytes.
    Same,
    /// A file meshgen wrote and nobody changed since (its sha256 is the manifest's).
    Vouched {
        record: Record,
        /// Its bytes, when asked for (for a diff).
        bytes: Option<Vec<u8>>,
    },
    /// Something meshgen may not replace without `--force`.
    Refused {
        reason: ConflictReason,
        record: Option<Record>,
    },
}

/// Look at what stands at `path` in OUT, reading a file once, in pieces, through a
/// handle that follows no link and cannot block.
pub(super) fn inspect_file(
    out: &Out,
    walker: &mut Option<Walker>,
    previous: &Manifest,
    path: &str,
    new: &[u8],
    keep: bool,
) -> Result<Found, WriteError> {
    let Some(entry) = out.listing.as_ref().and_then(|l| l.get(path)) else {
        return Ok(Found::Absent);
    };
    match &entry.kind {
        Kind::File => {}
        other => {
            return Ok(Found::Refused {
                reason: in_the_way(other).unwrap_or(ConflictReason::NotAFile),
                record: None,
            });
        }
    }
    let limit = keep.then_some(fsys::KEEP_LIMIT);
    let (stat, contents, read_at) = match read_file(out, walker, path, new, limit)? {
        Opened::Gone => return Ok(Found::Absent),
        Opened::NotAFile => {
            return Ok(Found::Refused {
                reason: ConflictReason::NotAFile,
                record: None,
            });
        }
        Opened::File(stat, contents, read_at) => (stat, contents, read_at),
    };
    if contents.same {
        return Ok(Found::Same);
    }
    let record = Record {
        stamp: Stamp::of(&stat),
        hash: contents.hash,
        read_at,
    };
    Ok(match previous.hash(path) {
        Some(hash) if *hash == contents.hash => Found::Vouched {
            record,
            bytes: contents.bytes,
        },
        Some(_) => Found::Refused {
            reason: ConflictReason::ChangedSinceWritten,
            record: Some(record),
        },
        None => Found::Refused {
            reason: ConflictReason::NotWrittenByMeshgen,
            record: Some(record),
        },
    })
}

enum Opened {
    Gone,
    NotAFile,
    File(Box<rustix::fs::Statx>, fsys::Contents, SystemTime),
}

/// Open and read the file at `path` in OUT (comparing it with `expected`).
fn read_file(
    out: &Out,
    walker: &mut Option<Walker>,
    path: &str,
    expected: &[u8],
    keep: Option<usize>,
) -> Result<Opened, WriteError> {
    if walker.is_none() {
        *walker = Some(out.walker()?);
    }
    let walker = walker.as_mut().expect("just opened");
    let full = out.path.join(path);
    let (folder, name) = fsys::split(path);
    let read_at = SystemTime::now();
    let opened = walker
        .dir(&folder)
        .and_then(|dir| fsys::open_file_at(dir, name));
    let (fd, stat) = match opened {
        Ok(opened) => opened,
        // Changed since the listing: gone, or no longer a file (a link, a FIFO, a folder).
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Opened::Gone),
        Err(e) if is_not_a_file(&e) => return Ok(Opened::NotAFile),
        Err(e) => return Err(WriteError::io("read", &full)(e)),
    };
    let contents =
        fsys::read_contents(fd.as_fd(), expected, keep).map_err(WriteError::io("read", &full))?;
    Ok(Opened::File(Box::new(stat), contents, read_at))
}

/// An open that failed because what is there is not a regular file.
fn is_not_a_file(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::InvalidInput
        || matches!(
            e.raw_os_error().map(rustix::io::Errno::from_raw_os_error),
            Some(rustix::io::Errno::LOOP | rustix::io::Errno::NOTDIR | rustix::io::Errno::ISDIR)
        )
}

/// The part of OUT a `--cluster` render owns: the folders named after the cluster
/// that its files are in (`clusters/NAME/`, `bootstrap/NAME/`), and its files elsewhere
/// (its MeshCluster patch). Derived from the rendered paths, not from a second copy of
/// the layout.
#[derive(Debug, Default)]
pub(super) struct Scope {
    folders: BTreeSet<String>,
    files: BTreeSet<String>,
}

impl Scope {
    pub(super) fn of(cluster: &str, new: &Manifest) -> Scope {
        let mut scope = Scope::default();
        for path in new.paths() {
            match path.split('/').position(|part| part == cluster) {
                Some(i) => {
                    let folder: Vec<&str> = path.split('/').take(i + 1).collect();
                    scope.folders.insert(format!("{}/", folder.join("/")));
                }
                None => {
                    scope.files.insert(path.to_owned());
                }
            }
        }
        scope
    }

    pub(super) fn contains(&self, path: &str) -> bool {
        self.files.contains(path) || self.folders.iter().any(|f| path.starts_with(f.as_str()))
    }
}

/// What happens to the entries of OUT that the new tree does not write.
#[derive(Debug, Default)]
pub(super) struct Plan {
    /// Entries carried over unchanged (parents before children): the user's, and with
    /// `--cluster` meshgen's files outside the cluster.
    pub(super) carry: Vec<(PathBuf, Entry)>,
    /// meshgen's files the new tree no longer has, unchanged since: removed.
    pub(super) pruned: Vec<String>,
    pub(super) conflicts: Vec<Conflict>,
    /// With `--cluster`: the previous manifest's lines for the files outside it.
    pub(super) outside: Vec<(String, [u8; 32])>,
}

impl Plan {
    /// `new` lists the new tree's files; those were looked at by [`inspect_file`].
    /// Stale files are read (and recorded in `records`) to be sure they are meshgen's.
    pub(super) fn rest(
        new: &Manifest,
        out: &Out,
        walker: &mut Option<Walker>,
        previous: Option<&Manifest>,
        scope: Option<&Scope>,
        records: &mut HashMap<String, Record>,
    ) -> Result<Plan, WriteError> {
        let mut plan = Plan::default();
        let Some(listing) = &out.listing else {
            return Ok(plan);
        };
        let empty = Manifest::default();
        let previous = previous.unwrap_or(&empty);
        let in_scope = |path: &str| scope.is_none_or(|s| s.contains(path));
        // Folders the new tree needs, and folders that only hold what meshgen wrote.
        let tree_folders = folders_of(new.paths().chain([MANIFEST]));
        let owned_folders = folders_of(previous.paths());
        // A folder where the new tree writes a file: what is inside goes with it.
        let mut dropped: Option<PathBuf> = None;
        for (relative, entry) in &listing.entries {
            if dropped.as_ref().is_some_and(|d| relative.starts_with(d)) {
                continue;
            }
            let kind = &entry.kind;
            let Some(path) = relative.to_str().filter(|p| is_plain_relative_path(p)) else {
                // Not a name meshgen ever writes: the user's.
                plan.carry.push((relative.clone(), entry.clone()));
                continue;
            };
            let reason = if path == MANIFEST || new.contains(path) {
                // Looked at already (the manifest is rewritten): only a folder matters here.
                if *kind == Kind::Folder {
                    dropped = Some(relative.clone());
                }
                if path == MANIFEST {
                    in_the_way(kind)
                } else {
                    None
                }
            } else if previous.contains(path) && !in_scope(path) {
                // meshgen's, outside the cluster a `--cluster` render writes: kept as it is.
                plan.carry.push((relative.clone(), entry.clone()));
                if *kind == Kind::File {
                    let hash = previous.hash(path).expect("listed");
                    plan.outside.push((path.to_owned(), *hash));
                }
                None
            } else if previous.contains(path) && *kind == Kind::File {
                // A file meshgen wrote that the new tree does not have: stale.
                let record = read_record(out, walker, path)?;
                let unchanged = record
                    .as_ref()
                    .is_some_and(|r| Some(&r.hash) == previous.hash(path));
                if let Some(record) = record {
                    records.insert(path.to_owned(), record);
                }
                if unchanged {
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
            } else if *kind == Kind::Folder
                && owned_folders.contains(path)
                && !previous.contains(path)
            {
                // Made for files meshgen wrote; made again only if something in it is kept.
                None
            } else {
                // The user's, including what now stands where meshgen once wrote a file
                // (a folder, a link): meshgen no longer writes there, so it is kept.
                plan.carry.push((relative.clone(), entry.clone()));
                None
            };
            if let Some(reason) = reason {
                plan.conflicts.push(Conflict {
                    path: path.to_owned(),
                    reason,
                });
            }
        }
        Ok(plan)
    }
}

/// The bytes of a file of OUT meshgen vouched for (`None` past `limit`).
pub(super) fn read_bytes(
    out: &Out,
    walker: &mut Option<Walker>,
    path: &str,
    limit: usize,
) -> Result<Option<Vec<u8>>, WriteError> {
    Ok(match read_file(out, walker, path, b"", Some(limit))? {
        Opened::File(_, contents, _) => contents.bytes,
        _ => None,
    })
}

/// Read a stale file of OUT for its record; `None` when it is no longer a file.
fn read_record(
    out: &Out,
    walker: &mut Option<Walker>,
    path: &str,
) -> Result<Option<Record>, WriteError> {
    Ok(match read_file(out, walker, path, b"", None)? {
        Opened::File(stat, contents, read_at) => Some(Record {
            stamp: Stamp::of(&stat),
            hash: contents.hash,
            read_at,
        }),
        _ => None,
    })
}

/// Why `kind` stands where meshgen writes or deletes a file (`None`: a file, fine).
pub(super) fn in_the_way(kind: &Kind) -> Option<ConflictReason> {
    match kind {
        Kind::File => None,
        Kind::Folder => Some(ConflictReason::Folder),
        Kind::Symlink { target } => Some(ConflictReason::Symlink {
            target: target.clone(),
        }),
        Kind::Special => Some(ConflictReason::NotAFile),
    }
}

/// Every folder (proper prefix) of the given `/`-separated paths.
fn folders_of<'a>(paths: impl Iterator<Item = &'a str>) -> BTreeSet<&'a str> {
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

    #[test]
    fn a_cluster_scope_is_its_folders_and_its_own_files() {
        let mut tree = crate::tree::Tree::default();
        for path in [
            "clusters/c1/a.yaml",
            "bootstrap/c1/kind.yaml",
            "global/mc-c1.json",
        ] {
            tree.insert(path, Vec::new()).unwrap();
        }
        let scope = Scope::of("c1", &Manifest::of(&tree));
        assert!(scope.contains("clusters/c1/stale.yaml"));
        assert!(scope.contains("bootstrap/c1/x/y"));
        assert!(scope.contains("global/mc-c1.json"));
        assert!(!scope.contains("clusters/c10/a.yaml"));
        assert!(!scope.contains("global/globalmesh-patch.yaml"));
        assert!(!scope.contains("README.md"));
    }
}
