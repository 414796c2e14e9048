//! The file-system calls of the write path, made relative to folder handles opened
//! without following symbolic links (rustix `openat` with `O_NOFOLLOW`, `linkat`,
//! `statx`, ...): a link swapped into OUT while meshgen works can never lead it out of
//! OUT, and a FIFO put where a file was can never block it.

use std::ffi::{OsStr, OsString};
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path};

use rustix::fs::{self as rfs, AtFlags, Mode, OFlags, Statx, StatxAttributes, StatxFlags};
use sha2::{Digest, Sha256};

/// Open a folder by its path (OUT's parent, or OUT itself, whose own checks are done).
pub(super) fn open_dir(path: &Path) -> io::Result<OwnedFd> {
    Ok(rfs::open(path, dir_flags(), Mode::empty())?)
}

fn dir_flags() -> OFlags {
    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC
}

/// Open the folder `name` in `dir`; a link there fails (ELOOP or ENOTDIR).
pub(super) fn open_dir_at(dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<OwnedFd> {
    Ok(rfs::openat(dir, name, dir_flags(), Mode::empty())?)
}

/// Open the file `name` in `dir` for reading, never following a link and never
/// blocking (a FIFO opens at once), and check that it is a regular file.
pub(super) fn open_file_at(dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<(OwnedFd, Statx)> {
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY;
    let fd = rfs::openat(dir, name, flags | OFlags::CLOEXEC, Mode::empty())?;
    let stat = statx_fd(fd.as_fd())?;
    if file_type(&stat) != rfs::FileType::RegularFile {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok((fd, stat))
}

const MASK: StatxFlags = StatxFlags::BASIC_STATS.union(StatxFlags::MNT_ID);

/// `statx` of `name` in `dir`, not following a link.
pub(super) fn statx_at(dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<Statx> {
    Ok(rfs::statx(dir, name, AtFlags::SYMLINK_NOFOLLOW, MASK)?)
}

pub(super) fn statx_fd(fd: BorrowedFd<'_>) -> io::Result<Statx> {
    Ok(rfs::statx(fd, c"", AtFlags::EMPTY_PATH, MASK)?)
}

pub(super) fn file_type(stat: &Statx) -> rfs::FileType {
    rfs::FileType::from_raw_mode(stat.stx_mode.into())
}

/// Whether `stat` (a folder) is the root of another mount than `root` is on: a
/// different file system, or a bind mount of the same one, which only the mount
/// attributes tell (`STATX_ATTR_MOUNT_ROOT`, Linux 5.8; the mount id, Linux 5.8).
pub(super) fn is_other_mount(stat: &Statx, root: &Statx) -> bool {
    let flagged = stat
        .stx_attributes_mask
        .contains(StatxAttributes::MOUNT_ROOT)
        && stat.stx_attributes.contains(StatxAttributes::MOUNT_ROOT);
    let has_id = |s: &Statx| StatxFlags::from_bits_retain(s.stx_mask).contains(StatxFlags::MNT_ID);
    let other_id = has_id(stat) && has_id(root) && stat.stx_mnt_id != root.stx_mnt_id;
    let other_device =
        (stat.stx_dev_major, stat.stx_dev_minor) != (root.stx_dev_major, root.stx_dev_minor);
    flagged || other_id || other_device
}

/// Whether the folder `stat` describes is itself a mount root.
pub(super) fn is_mount_root(stat: &Statx) -> bool {
    stat.stx_attributes_mask
        .contains(StatxAttributes::MOUNT_ROOT)
        && stat.stx_attributes.contains(StatxAttributes::MOUNT_ROOT)
}

/// What identifies one version of a file: if none of it changed, neither did the file
/// (as git's index reasons; [`Stamp::is_racy`] covers its caveat).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp {
    ino: u64,
    size: u64,
    mtime: (i64, u32),
    ctime: (i64, u32),
}

impl Stamp {
    pub(super) fn of(stat: &Statx) -> Stamp {
        Stamp {
            ino: stat.stx_ino,
            size: stat.stx_size,
            mtime: (stat.stx_mtime.tv_sec, stat.stx_mtime.tv_nsec),
            ctime: (stat.stx_ctime.tv_sec, stat.stx_ctime.tv_nsec),
        }
    }

    /// A file changed less than two seconds before it was read may change again
    /// within the same timestamp tick (coarse clocks, 2 s on FAT) and keep its stamp:
    /// such a file is read again rather than trusted by its stamp.
    pub(super) fn is_racy(&self, read_at: std::time::SystemTime) -> bool {
        let read = read_at
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        self.ctime.0 + 2 >= read
    }
}

/// What a regular file holds, read once in pieces (a file of any size costs the same
/// memory): whether it is exactly `expected`, its sha256, and its bytes when asked.
pub(super) struct Contents {
    pub(super) same: bool,
    pub(super) hash: [u8; 32],
    /// With `keep`, the bytes (dropped past that many).
    pub(super) bytes: Option<Vec<u8>>,
}

/// The largest file whose bytes are kept for a diff.
pub(super) const KEEP_LIMIT: usize = 16 << 20;

/// The largest manifest read (a line is about 100 bytes: ten million files).
pub(super) const MANIFEST_LIMIT: usize = 1 << 30;

pub(super) fn read_contents(
    fd: BorrowedFd<'_>,
    expected: &[u8],
    keep: Option<usize>,
) -> io::Result<Contents> {
    let mut buffer = vec![0u8; 64 << 10];
    let mut hasher: Option<Sha256> = None;
    let mut kept = keep.map(|_| Vec::new());
    let mut offset = 0usize;
    loop {
        let n = match rustix::io::read(fd, &mut buffer[..]) {
            Ok(n) => n,
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        };
        if n == 0 {
            break;
        }
        let chunk = &buffer[..n];
        // While the bytes match, there is nothing to hash yet: they are `expected`'s.
        if hasher.is_none() && expected.get(offset..offset + n) != Some(chunk) {
            let mut h = Sha256::new();
            h.update(&expected[..offset]);
            hasher = Some(h);
        }
        if let Some(h) = &mut hasher {
            h.update(chunk);
        }
        if let Some(bytes) = &mut kept {
            bytes.extend_from_slice(chunk);
            if bytes.len() > keep.unwrap_or(0) {
                kept = None;
            }
        }
        offset += n;
    }
    let same = hasher.is_none() && offset == expected.len();
    let hash = match hasher {
        Some(h) => h.finalize().into(),
        None => Sha256::digest(&expected[..offset]).into(),
    };
    Ok(Contents {
        same,
        hash,
        bytes: kept,
    })
}

/// Rename without replacing what is at `to`. Where the file system has no
/// `RENAME_NOREPLACE` (EINVAL), a look first, then a plain rename: the gap between them
/// is all that is lost.
pub(super) fn rename_noreplace(
    from_dir: BorrowedFd<'_>,
    from: &OsStr,
    to_dir: BorrowedFd<'_>,
    to: &OsStr,
) -> io::Result<()> {
    match rfs::renameat_with(from_dir, from, to_dir, to, rfs::RenameFlags::NOREPLACE) {
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => {
            if statx_at(to_dir, to).is_ok() {
                return Err(io::ErrorKind::AlreadyExists.into());
            }
            Ok(rfs::renameat(from_dir, from, to_dir, to)?)
        }
        other => Ok(other?),
    }
}

/// The folder part and the name of a `/`-separated relative path.
pub(super) fn split(path: &str) -> (Vec<&OsStr>, &OsStr) {
    let mut parts: Vec<&OsStr> = path.split('/').map(OsStr::new).collect();
    let name = parts.pop().unwrap_or_default();
    (parts, name)
}

/// The components of a relative path from a listing.
pub(super) fn components(path: &Path) -> Vec<&OsStr> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part),
            _ => None,
        })
        .collect()
}

/// Folder handles along one path below a root, kept from one lookup to the next:
/// files come in path order, so most lookups reuse every handle. At most one handle
/// per level is open, however large the tree.
pub(super) struct Walker {
    root: OwnedFd,
    stack: Vec<(OsString, OwnedFd)>,
    /// Make missing folders (in the new folder), or fail on them (in OUT).
    create: bool,
}

impl Walker {
    pub(super) fn new(root: OwnedFd, create: bool) -> Walker {
        Walker {
            root,
            stack: Vec::new(),
            create,
        }
    }

    pub(super) fn root(&self) -> BorrowedFd<'_> {
        self.root.as_fd()
    }

    /// The handle of the folder `folder` (components below the root).
    pub(super) fn dir(&mut self, folder: &[&OsStr]) -> io::Result<BorrowedFd<'_>> {
        let common = self
            .stack
            .iter()
            .zip(folder)
            .take_while(|((have, _), want)| have.as_os_str() == **want)
            .count();
        self.stack.truncate(common);
        for part in &folder[common..] {
            let parent = self
                .stack
                .last()
                .map_or(self.root.as_fd(), |(_, fd)| fd.as_fd());
            if self.create {
                match rfs::mkdirat(parent, *part, Mode::from_raw_mode(0o777)) {
                    Ok(()) | Err(rustix::io::Errno::EXIST) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            let fd = open_dir_at(parent, part)?;
            self.stack.push((part.to_os_string(), fd));
        }
        Ok(self
            .stack
            .last()
            .map_or(self.root.as_fd(), |(_, fd)| fd.as_fd()))
    }
}

/// Remove `name` in `dir` and all below it, never descending into another mount than
/// `root`'s (it is left, and its place pushed to `left`).
pub(super) fn remove_all_at(
    dir: BorrowedFd<'_>,
    name: &OsStr,
    root: &Statx,
    at: &Path,
    left: &mut Vec<std::path::PathBuf>,
) -> io::Result<()> {
    let stat = statx_at(dir, name)?;
    if file_type(&stat) != rfs::FileType::Directory {
        return Ok(rfs::unlinkat(dir, name, AtFlags::empty())?);
    }
    if is_other_mount(&stat, root) {
        left.push(at.join(name));
        return Ok(());
    }
    let fd = open_dir_at(dir, name)?;
    for (child, _, _) in read_dir(fd.as_fd())? {
        remove_all_at(fd.as_fd(), &child, root, &at.join(name), left)?;
    }
    match rfs::unlinkat(dir, name, AtFlags::REMOVEDIR) {
        Ok(()) => Ok(()),
        Err(rustix::io::Errno::NOTEMPTY) if !left.is_empty() => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The entries of a folder (no `.` or `..`): name, type and inode number, as the
/// listing gives them (no stat per entry).
pub(super) fn read_dir(fd: BorrowedFd<'_>) -> io::Result<Vec<(OsString, rfs::FileType, u64)>> {
    let mut dir = rfs::Dir::read_from(fd)?;
    let mut out = Vec::new();
    while let Some(entry) = dir.read() {
        let entry = entry?;
        let name = entry.file_name().to_bytes();
        if name == b"." || name == b".." {
            continue;
        }
        out.push((
            OsStr::from_bytes(name).to_os_string(),
            entry.file_type(),
            entry.ino(),
        ));
    }
    Ok(out)
}
