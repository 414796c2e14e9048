//! One render of OUT at a time, across processes, PID namespaces and containers that
//! share the folder: an `flock` on `.NAME.meshgen.lock` beside OUT (the kernel's lock on
//! the file itself, not a process id that means something else in another namespace).
//!
//! The lock file also holds the swap journal: just before the new tree takes OUT's
//! place, the inode numbers of both folders are written (and flushed) into it, so a
//! run killed between the swap and the removal of the previous tree leaves enough for
//! the next run to tell which folder is which ([`super::settle::recover`]). A render
//! that ends (well or not) removes the file; only a killed one leaves it.

use std::fs;
use std::io::{self, Read, Seek, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

use rustix::fs::{FlockOperation, Mode, OFlags};

use super::WriteError;
use super::listing::Out;

/// How the new tree took (or takes) OUT's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SwapMode {
    /// One `renameat2(RENAME_EXCHANGE)`: the previous tree is left where the new one was.
    Exchange,
    /// OUT renamed aside, then the new folder renamed to OUT (file systems without
    /// RENAME_EXCHANGE): between the two, OUT is absent.
    TwoRenames,
}

/// The swap a render is about to make (or made, if OUT is now the new folder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Journal {
    pub(super) mode: SwapMode,
    /// Inode numbers of OUT (the previous tree) and of the new folder.
    pub(super) previous: u64,
    pub(super) new: u64,
}

impl Journal {
    fn to_line(self) -> String {
        let mode = match self.mode {
            SwapMode::Exchange => "exchange",
            SwapMode::TwoRenames => "two-renames",
        };
        format!("swap {mode} {} {}\n", self.previous, self.new)
    }

    fn parse(text: &str) -> Option<Journal> {
        let line = text.lines().find_map(|l| l.strip_prefix("swap "))?;
        let mut words = line.split(' ');
        let mode = match words.next()? {
            "exchange" => SwapMode::Exchange,
            "two-renames" => SwapMode::TwoRenames,
            _ => return None,
        };
        Some(Journal {
            mode,
            previous: words.next()?.parse().ok()?,
            new: words.next()?.parse().ok()?,
        })
    }
}

/// OUT's lock, held until dropped.
pub(super) struct Lock {
    path: PathBuf,
    file: fs::File,
    exclusive: bool,
    /// A journal is written and the swap it names is not settled: keep the file.
    pending: bool,
    /// The journal found when the lock was taken (left by a killed render).
    found: Option<Journal>,
}

impl Lock {
    /// Take OUT's lock for a write, creating the lock file. Fails at once, naming the
    /// holder, when another render holds it.
    pub(super) fn exclusive(out: &Out) -> Result<Lock, WriteError> {
        let path = lock_path(out);
        loop {
            let fd = rustix::fs::open(
                &path,
                OFlags::RDWR | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::from_raw_mode(0o666),
            )
            .map_err(|e| lock_error(out, &path, e.into()))?;
            let mut file = fs::File::from(fd);
            if let Err(e) =
                rustix::fs::flock(file.as_fd(), FlockOperation::NonBlockingLockExclusive)
            {
                if e == rustix::io::Errno::WOULDBLOCK {
                    return Err(busy(out, &mut file));
                }
                return Err(lock_error(out, &path, e.into()));
            }
            // The holder before us may have removed the file after we opened it: then
            // our lock is on a file nobody else will look at, and we start again.
            if !same_file(&file, &path) {
                continue;
            }
            let mut lock = Lock {
                path,
                file,
                exclusive: true,
                pending: false,
                found: None,
            };
            // A journal a killed render left stays until the recovery settles it.
            lock.found = lock.read_journal();
            lock.pending = lock.found.is_some();
            // Who holds it, for a second render's message. Best effort: the lock works
            // without it (and a full disk is reported by the write itself).
            let journal = lock.found.map(Journal::to_line).unwrap_or_default();
            let _ = lock.rewrite(&format!("{}{journal}", holder()));
            return Ok(lock);
        }
    }

    /// For `render --check`: a shared lock, if a lock file exists (a render is running,
    /// or one was killed). Never creates anything.
    pub(super) fn shared(out: &Out) -> Result<Option<Lock>, WriteError> {
        let path = lock_path(out);
        let fd = match rustix::fs::open(
            &path,
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        ) {
            Ok(fd) => fd,
            Err(rustix::io::Errno::NOENT) => return Ok(None),
            Err(e) => return Err(lock_error(out, &path, e.into())),
        };
        let mut file = fs::File::from(fd);
        match rustix::fs::flock(file.as_fd(), FlockOperation::NonBlockingLockShared) {
            Ok(()) => {}
            Err(rustix::io::Errno::WOULDBLOCK) => return Err(busy(out, &mut file)),
            Err(e) => return Err(lock_error(out, &path, e.into())),
        }
        let mut lock = Lock {
            path,
            file,
            exclusive: false,
            pending: false,
            found: None,
        };
        lock.found = lock.read_journal();
        Ok(Some(lock))
    }

    /// The journal a killed render left, if any.
    pub(super) fn journal(&self) -> Option<Journal> {
        self.found
    }

    fn read_journal(&mut self) -> Option<Journal> {
        let mut text = String::new();
        self.file.seek(io::SeekFrom::Start(0)).ok()?;
        (&self.file).take(4096).read_to_string(&mut text).ok()?;
        Journal::parse(&text)
    }

    /// Record the swap about to happen, flushed to disk before it happens.
    pub(super) fn record(&mut self, journal: Journal) -> io::Result<()> {
        self.pending = true;
        self.rewrite(&format!("{}{}", holder(), journal.to_line()))?;
        self.file.sync_data()
    }

    /// The swap is settled (or never happened): nothing to recover.
    pub(super) fn settled(&mut self) {
        self.found = None;
        if self.rewrite(&holder()).is_ok() {
            self.pending = false;
        }
    }

    fn rewrite(&mut self, text: &str) -> io::Result<()> {
        self.file.set_len(0)?;
        self.file.seek(io::SeekFrom::Start(0))?;
        self.file.write_all(text.as_bytes())
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held, so no one can lock the old file after we let go
        // (a waiter that does finds it gone and starts again).
        if self.exclusive && !self.pending {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// `.NAME.meshgen.lock` beside OUT.
pub(super) fn lock_path(out: &Out) -> PathBuf {
    out.parent.join(format!(".{}.meshgen.lock", out.name))
}

fn same_file(file: &fs::File, path: &PathBuf) -> bool {
    match (file.metadata(), fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
        _ => false,
    }
}

fn lock_error(out: &Out, path: &std::path::Path, e: io::Error) -> WriteError {
    WriteError::io("lock", out.path.clone())(io::Error::new(
        e.kind(),
        format!("{} (lock file {})", e, path.display()),
    ))
}

fn busy(out: &Out, file: &mut fs::File) -> WriteError {
    let mut text = String::new();
    let _ = file.take(4096).read_to_string(&mut text);
    let holder = text
        .lines()
        .find_map(|l| l.strip_prefix("holder: "))
        .unwrap_or("holder unknown")
        .to_owned();
    WriteError::Busy {
        out: out.path.clone(),
        holder,
    }
}

/// `holder: process 12 (pid:[4026531836]) on host web-1`: the process id means little
/// in another PID namespace, so the namespace and the host name come with it.
fn holder() -> String {
    let namespace = fs::read_link("/proc/self/ns/pid")
        .map(|p| format!(" ({})", p.display()))
        .unwrap_or_default();
    let host = fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "unknown".to_owned());
    format!(
        "holder: process {}{namespace} on host {host}\n",
        std::process::id()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_reads_back() {
        let journal = Journal {
            mode: SwapMode::TwoRenames,
            previous: 12,
            new: 34,
        };
        let text = format!("holder: process 1 on host h\n{}", journal.to_line());
        assert_eq!(Journal::parse(&text), Some(journal));
        assert_eq!(Journal::parse("holder: process 1 on host h\n"), None);
        assert_eq!(Journal::parse("swap sideways 1 2\n"), None);
    }
}
