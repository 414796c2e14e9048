//! Writing a [`Tree`] to disk, and comparing one with what is on disk.
//!
//! The only module that touches the output folder.

use std::fs;
use std::io;
use std::path::Path;

use crate::tree::Tree;

/// Write `tree` into `dir`, replacing what meshgen wrote there before.
pub fn write_tree(tree: &Tree, dir: &Path, force: bool) -> io::Result<()> {
    let _ = force;
    for (path, bytes) in tree.iter() {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(target, bytes)?;
    }
    Ok(())
}

/// A unified diff of `dir` against `tree`, or `None` when they agree.
pub fn diff_tree(tree: &Tree, dir: &Path) -> io::Result<Option<String>> {
    let mut out = String::new();
    for (path, bytes) in tree.iter() {
        let old = fs::read(dir.join(path)).unwrap_or_default();
        if old != bytes {
            let old = String::from_utf8_lossy(&old);
            let new = String::from_utf8_lossy(bytes);
            let diff = similar::TextDiff::from_lines(old.as_ref(), new.as_ref());
            out.push_str(
                &diff
                    .unified_diff()
                    .header(&format!("a/{path}"), &format!("b/{path}"))
                    .to_string(),
            );
        }
    }
    Ok(if out.is_empty() { None } else { Some(out) })
}
