//! Writing a [`Tree`] into the output folder OUT, and comparing one with it.
//!
//! The only module that touches OUT. [`Writer`] and [`Comparer`] take the tree in parts,
//! as the render hands them over ([`crate::render::render_each`]), so no more than a few
//! clusters' files are in memory at once; [`write_tree`] and [`diff_tree`] take a whole tree.
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

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::tree::{META_DIR, Tree, is_plain_relative_path};

/// Where meshgen lists the files it owns, relative to OUT.
pub use crate::layout::MANIFEST;

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

/// The files meshgen owns in OUT and their sha256 ([`MANIFEST`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    files: BTreeMap<String, [u8; 32]>,
}

impl Manifest {
    /// The manifest of a tree: every file, with the sha256 of its bytes.
    pub fn of(tree: &Tree) -> Manifest {
        Manifest {
            files: tree
                .iter()
                .map(|(path, bytes)| (path.to_owned(), sha256(bytes)))
                .collect(),
        }
    }

    /// Record a file about to be written; its path must fit the others ([`Tree::insert`]).
    fn add(&mut self, path: &str, bytes: &[u8]) -> Result<(), String> {
        crate::tree::check_new_path(&self.files, path)?;
        self.files.insert(path.to_owned(), sha256(bytes));
        Ok(())
    }

    /// `<sha256>  <path>` lines, sorted by path (the `sha256sum` format).
    pub fn to_text(&self) -> String {
        let mut out = String::with_capacity(self.files.len() * 100);
        for (path, hash) in &self.files {
            for byte in hash {
                out.push_str(&format!("{byte:02x}"));
            }
            out.push_str("  ");
            out.push_str(path);
            out.push('\n');
        }
        out
    }

    /// Read a manifest; a line that is not `<sha256>  <plain relative path>` is an
    /// error (its 1-based number and why), so a tampered manifest can never name a
    /// file outside OUT.
    pub fn parse(text: &str) -> Result<Manifest, (usize, String)> {
        let mut files = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let number = i + 1;
            let Some((hex, path)) = line.split_once("  ") else {
                return Err((number, "expected `<sha256>  <path>`".to_owned()));
            };
            let hash = parse_hex(hex)
                .ok_or_else(|| (number, "expected 64 hexadecimal digits".to_owned()))?;
            if !is_plain_relative_path(path) || path.split('/').next() == Some(META_DIR) {
                return Err((
                    number,
                    format!("`{}` is not a path inside the folder", path.escape_debug()),
                ));
            }
            if files.insert(path.to_owned(), hash).is_some() {
                return Err((number, format!("`{path}` is listed twice")));
            }
        }
        Ok(Manifest { files })
    }

    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Whether `bytes` are exactly what meshgen wrote at `path`.
    fn wrote(&self, path: &str, bytes: &[u8]) -> bool {
        self.files.get(path) == Some(&sha256(bytes))
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn parse_hex(hex: &str) -> Option<[u8; 32]> {
    let digits = hex.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(digits.chunks(2)) {
        let text = std::str::from_utf8(pair).ok()?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        *byte = u8::from_str_radix(text, 16).ok()?;
    }
    Some(out)
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

// ---------------------------------------------------------------------------------------
// What is in OUT now
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
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
struct Listing {
    entries: BTreeMap<PathBuf, Kind>,
}

impl Listing {
    fn read(root: &Path) -> Result<Listing, WriteError> {
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

    fn get(&self, path: &str) -> Option<&Kind> {
        self.entries.get(Path::new(path))
    }
}

#[cfg(unix)]
fn device(meta: &fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::dev(meta)
}

#[cfg(not(unix))]
fn device(_: &fs::Metadata) -> u64 {
    0
}

/// Where OUT is and what it holds now.
struct Out {
    /// Absolute, with no symbolic link as its last component.
    path: PathBuf,
    /// Folder that holds OUT, where the new folder is made.
    parent: PathBuf,
    name: String,
    /// `None` when OUT does not exist yet.
    listing: Option<Listing>,
}

impl Out {
    /// Look at `dir` without changing anything.
    fn inspect(dir: &Path) -> Result<Out, WriteError> {
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
    fn manifest(&self) -> Result<Option<Manifest>, WriteError> {
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

    fn read(&self, relative: &str) -> Result<Vec<u8>, WriteError> {
        let path = self.path.join(relative);
        fs::read(&path).map_err(WriteError::io("read", path))
    }

    /// `.NAME.meshgen-KIND-PID` beside OUT.
    fn sibling(&self, kind: &str, pid: u32) -> PathBuf {
        self.parent
            .join(format!(".{}.meshgen-{kind}-{pid}", self.name))
    }

    /// Remove folders left beside OUT by runs that were killed (their process is gone).
    fn remove_leftovers(&self) {
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
fn first_non_folder(path: &Path) -> PathBuf {
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
fn process_is_running(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

// ---------------------------------------------------------------------------------------
// What the new folder holds
// ---------------------------------------------------------------------------------------

/// Which entries of OUT go into the new folder, and what stands in the way.
#[derive(Debug, Default)]
struct Plan {
    /// Entries not meshgen's, carried over unchanged (parents before children).
    carry: Vec<(PathBuf, Kind)>,
    pruned: Vec<String>,
    conflicts: Vec<Conflict>,
}

impl Plan {
    /// `new` lists the files of the new tree with their sha256.
    fn new(new: &Manifest, out: &Out, manifest: Option<&Manifest>) -> Result<Plan, WriteError> {
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
            } else if let Some(new_hash) = new.files.get(path) {
                if *kind == Kind::File {
                    let old = sha256(&out.read(path)?);
                    if old == *new_hash || manifest.files.get(path) == Some(&old) {
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
fn in_the_way(kind: &Kind) -> Option<ConflictReason> {
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

// ---------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------

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

/// Write `tree` into `dir`, replacing what meshgen wrote there before (see the module
/// documentation for the guarantees). `force` allows overwriting and deleting files that
/// meshgen did not write or that changed since.
pub fn write_tree(tree: &Tree, dir: &Path, force: bool) -> Result<Written, WriteError> {
    let mut writer = Writer::start(dir, force)?;
    writer.add(tree)?;
    writer.finish()
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

    /// Write a part of the new tree into the new folder.
    pub fn add(&mut self, part: &Tree) -> Result<(), WriteError> {
        for (relative, bytes) in part.iter() {
            self.manifest.add(relative, bytes).map_err(|e| {
                WriteError::io("write", self.out.path.join(relative))(io::Error::other(e))
            })?;
            self.put(relative, bytes)?;
        }
        Ok(())
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
            .map_err(WriteError::io("write", &target))?;
        if crate::layout::is_executable(relative) {
            make_executable(&file).map_err(WriteError::io("make executable", &target))?;
        }
        Ok(())
    }

    /// Check what the new tree would overwrite or delete in OUT, carry over what is not
    /// meshgen's, write the manifest, flush, and put the new folder in OUT's place.
    pub fn finish(mut self) -> Result<Written, WriteError> {
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

/// `rwxr-xr-x`, less what the umask takes away from a new file (`rw-r--r--` under 022).
#[cfg(unix)]
fn make_executable(file: &fs::File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = file.metadata()?.permissions().mode();
    // Execute wherever the umask left read.
    let execute = (mode & 0o444) >> 2;
    file.set_permissions(fs::Permissions::from_mode(mode | execute))
}

#[cfg(not(unix))]
fn make_executable(_: &fs::File) -> io::Result<()> {
    Ok(())
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

// ---------------------------------------------------------------------------------------
// Comparing (render --check)
// ---------------------------------------------------------------------------------------

/// How a folder differs from a tree: the files that a write would change, add or
/// remove, and a unified diff of each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drift {
    pub changed: Vec<String>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    diff: String,
}

impl Drift {
    /// The unified diff (`a/` is the folder, `b/` what meshgen would write).
    pub fn diff(&self) -> &str {
        &self.diff
    }

    /// `2 changed, 1 added, 1 removed`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        for (n, what) in [
            (self.changed.len(), "changed"),
            (self.added.len(), "added"),
            (self.removed.len(), "removed"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        parts.join(", ")
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diff)
    }
}

/// One file that differs, with its unified diff.
struct FileDrift {
    path: String,
    change: Change,
    diff: String,
}

enum Change {
    Changed,
    Added,
    Removed,
}

impl FileDrift {
    fn new(path: &str, old: Option<(&[u8], &str)>, new: Option<&[u8]>) -> FileDrift {
        let old_name = format!("a/{path}");
        let new_name = format!("b/{path}");
        let (old_text, old_header) = match old {
            Some((bytes, note)) => (String::from_utf8_lossy(bytes), format!("{old_name}{note}")),
            None => (Default::default(), "/dev/null".to_owned()),
        };
        let (new_text, new_header) = match new {
            Some(bytes) => (String::from_utf8_lossy(bytes), new_name),
            None => (Default::default(), "/dev/null".to_owned()),
        };
        let diff = similar::TextDiff::from_lines(old_text.as_ref(), new_text.as_ref())
            .unified_diff()
            .missing_newline_hint(true)
            .header(&old_header, &new_header)
            .to_string();
        let change = match (old, new) {
            (None, _) => Change::Added,
            (_, None) => Change::Removed,
            _ => Change::Changed,
        };
        FileDrift {
            path: path.to_owned(),
            change,
            diff,
        }
    }
}

/// How `dir` differs from what [`write_tree`] would make of it, or `None` when it is
/// up to date. Writes nothing and follows no symbolic link; files meshgen does not
/// own are ignored (a write would keep them).
pub fn diff_tree(tree: &Tree, dir: &Path) -> Result<Option<Drift>, WriteError> {
    let mut comparer = Comparer::start(dir)?;
    comparer.add(tree)?;
    comparer.finish()
}

/// [`diff_tree`] in parts: each part of the new tree is compared with OUT as it is
/// rendered, and only the differences are kept.
pub struct Comparer {
    out: Out,
    /// OUT's manifest; an unreadable one shows as changed, and nothing is known to be stale.
    previous: Manifest,
    /// The new tree's files so far, for its manifest.
    manifest: Manifest,
    drifts: Vec<FileDrift>,
}

impl Comparer {
    pub fn start(dir: &Path) -> Result<Comparer, WriteError> {
        let out = Out::inspect(dir)?;
        let previous = out.manifest().unwrap_or(None).unwrap_or_default();
        Ok(Comparer {
            out,
            previous,
            manifest: Manifest::default(),
            drifts: Vec::new(),
        })
    }

    /// Compare a part of the new tree with OUT.
    pub fn add(&mut self, part: &Tree) -> Result<(), WriteError> {
        for (path, new) in part.iter() {
            self.manifest.add(path, new).map_err(|e| {
                WriteError::io("compare", self.out.path.join(path))(io::Error::other(e))
            })?;
            self.compare(path, new)?;
        }
        Ok(())
    }

    fn compare(&mut self, path: &str, new: &[u8]) -> Result<(), WriteError> {
        let on_disk = self.out.listing.as_ref().and_then(|l| l.get(path));
        let drift = match on_disk {
            None => FileDrift::new(path, None, Some(new)),
            Some(Kind::File) => {
                let old = self.out.read(path)?;
                if old == new {
                    return Ok(());
                }
                FileDrift::new(path, Some((&old, "")), Some(new))
            }
            Some(Kind::Folder) => FileDrift::new(path, Some((b"", " (a folder)")), Some(new)),
            Some(Kind::Symlink { .. }) => {
                FileDrift::new(path, Some((b"", " (a symbolic link)")), Some(new))
            }
            Some(Kind::Special) => FileDrift::new(path, Some((b"", " (not a file)")), Some(new)),
        };
        self.drifts.push(drift);
        Ok(())
    }

    /// The drift, in path order: the tree's files, then the manifest, then stale files.
    pub fn finish(mut self) -> Result<Option<Drift>, WriteError> {
        self.drifts.sort_by(|a, b| a.path.cmp(&b.path));
        let manifest = self.manifest.to_text();
        self.compare(MANIFEST, manifest.as_bytes())?;
        let stale: Vec<&str> = self
            .previous
            .paths()
            .filter(|p| !self.manifest.contains(p))
            .collect();
        let mut removed = Vec::new();
        for path in stale {
            if let Some(Kind::File) = self.out.listing.as_ref().and_then(|l| l.get(path)) {
                removed.push(FileDrift::new(
                    path,
                    Some((&self.out.read(path)?, "")),
                    None,
                ));
            }
        }
        self.drifts.extend(removed);
        if self.drifts.is_empty() {
            return Ok(None);
        }
        let mut drift = Drift::default();
        for file in self.drifts {
            drift.diff.push_str(&file.diff);
            match file.change {
                Change::Changed => drift.changed.push(file.path),
                Change::Added => drift.added.push(file.path),
                Change::Removed => drift.removed.push(file.path),
            }
        }
        Ok(Some(drift))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> Tree {
        let mut tree = Tree::default();
        for (path, text) in files {
            tree.insert(path, text.as_bytes().to_vec()).unwrap();
        }
        tree
    }

    #[test]
    fn a_manifest_reads_back_and_matches_sha256sum() {
        let manifest = Manifest::of(&tree(&[("b/x.yaml", "x\n"), ("a.md", "")]));
        let text = manifest.to_text();
        // What `sha256sum a.md b/x.yaml` prints for these contents.
        assert_eq!(
            text,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a.md\n\
             73cb3858a687a8494ca3323053016282f3dad39d42cf62ca4e79dda2aac7d9ac  b/x.yaml\n"
        );
        assert_eq!(Manifest::parse(&text), Ok(manifest));
    }

    #[test]
    fn a_tampered_manifest_names_no_file_outside_the_folder() {
        let hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        for (text, line) in [
            (format!("{hash}  ../etc/passwd\n"), 1),
            (format!("{hash}  /etc/passwd\n"), 1),
            (format!("{hash}  a\n{hash}  a/../../b\n"), 2),
            (format!("{hash}  .meshgen/manifest\n"), 1),
            (format!("{hash}  a\n{hash}  a\n"), 2),
            (format!("{hash} a\n"), 1),
            ("zz  a\n".to_owned(), 1),
        ] {
            assert_eq!(Manifest::parse(&text).map_err(|e| e.0), Err(line), "{text}");
        }
        assert_eq!(Manifest::parse(""), Ok(Manifest::default()));
    }

    #[test]
    fn folders_of_lists_every_proper_prefix() {
        let folders = folders_of(["a/b/c.yaml", "a/d.yaml", "e.md"].into_iter());
        assert_eq!(folders.into_iter().collect::<Vec<_>>(), vec!["a", "a/b"]);
    }
}
