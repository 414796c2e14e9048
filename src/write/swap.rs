//! Putting the new folder in OUT's place: one `RENAME_EXCHANGE`, or two renames where
//! the file system has none, the swap journaled in the lock file first.

use std::path::{Path, PathBuf};

use rustix::fs::{CWD, RenameFlags};
use rustix::io::Errno;

use super::fsys;
use super::listing::Out;
use super::lock::{Journal, Lock, SwapMode};
use super::{MountKind, WriteError};

/// Put the new folder in OUT's place; returns where the previous tree now is.
pub(super) fn swap(out: &Out, new: &Path, lock: &mut Lock) -> Result<Option<PathBuf>, WriteError> {
    if !out.exists {
        // Nothing to keep: a crash before this leaves only the new folder, after it
        // OUT whole. A folder made at OUT meanwhile is not overwritten.
        fsys::rename_noreplace(CWD, new.as_os_str(), CWD, out.path.as_os_str()).map_err(
            |e| match e.raw_os_error() {
                Some(raw) => swap_error(out, Errno::from_raw_os_error(raw)),
                None => WriteError::io("move the new tree to", &out.path)(e),
            },
        )?;
        return Ok(None);
    }
    let ino = |path: &Path| {
        fsys::statx_at(CWD, path.as_os_str())
            .map(|s| s.stx_ino)
            .map_err(WriteError::io("read", path))
    };
    let mut journal = Journal {
        mode: SwapMode::Exchange,
        previous: ino(&out.path)?,
        new: ino(new)?,
    };
    lock.record(journal)
        .map_err(WriteError::io("record the swap for", &out.path))?;
    match rustix::fs::renameat_with(CWD, new, CWD, &out.path, RenameFlags::EXCHANGE) {
        // The previous tree is now where the new one was built.
        Ok(()) => return Ok(Some(new.to_owned())),
        // Not supported by this file system: two renames.
        Err(Errno::INVAL | Errno::NOSYS) => {}
        Err(e) => {
            lock.settled();
            return Err(swap_error(out, e));
        }
    }
    journal.mode = SwapMode::TwoRenames;
    lock.record(journal)
        .map_err(WriteError::io("record the swap for", &out.path))?;
    let old = out.sibling("old");
    if let Err(e) = rustix::fs::renameat(CWD, &out.path, CWD, &old) {
        lock.settled();
        return Err(swap_error(out, e));
    }
    // Between these two renames OUT is absent; a crash here is undone by the next run.
    if let Err(e) = rustix::fs::renameat(CWD, new, CWD, &out.path) {
        let _ = rustix::fs::renameat(CWD, &old, CWD, &out.path);
        lock.settled();
        return Err(swap_error(out, e));
    }
    Ok(Some(old))
}

fn swap_error(out: &Out, e: Errno) -> WriteError {
    let overlay = fsys::open_dir(&out.parent)
        .ok()
        .and_then(|fd| rustix::fs::fstatfs(fd).ok())
        .is_some_and(|s| s.f_type as u64 == 0x794c_7630); // OVERLAYFS_SUPER_MAGIC
    match e {
        Errno::XDEV if overlay => WriteError::MountPoint {
            path: out.path.clone(),
            kind: MountKind::Overlay,
        },
        Errno::BUSY => WriteError::MountPoint {
            path: out.path.clone(),
            kind: MountKind::Out,
        },
        e => WriteError::io("replace", &out.path)(e.into()),
    }
}
