//! Committed snapshots: compare what meshgen produces with a file or a folder in the
//! repository, or rewrite them when blessing.
//!
//! ONE switch blesses every snapshot, the `trycmd` CLI cases included:
//!     TRYCMD=overwrite cargo test --all-targets
//! trycmd reads only `TRYCMD` (trycmd-1.2.1 src/cases.rs, `TestCases::run`), so the other
//! snapshots follow the same variable instead of snapbox's default `SNAPSHOTS`.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use snapbox::{Assert, Data};

/// The environment variable (and the value) that blesses.
pub const BLESS_VAR: &str = "TRYCMD";
pub const BLESS_COMMAND: &str = "TRYCMD=overwrite cargo test --all-targets";

/// Whether this run rewrites the committed snapshots instead of comparing with them.
pub fn blessing() -> bool {
    std::env::var_os(BLESS_VAR).is_some_and(|v| v == "overwrite")
}

/// `actual` must be the text of the committed file at `path` (relative to the package),
/// byte for byte; when blessing, the file is rewritten instead.
#[track_caller]
pub fn assert_file(path: impl AsRef<Path>, actual: &str) {
    let path = path.as_ref();
    if blessing() {
        if fs::read(path).ok().as_deref() != Some(actual.as_bytes()) {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).unwrap();
            }
            fs::write(path, actual).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
        return;
    }
    if fs::read(path).ok().as_deref() == Some(actual.as_bytes()) {
        return;
    }
    // snapbox draws the difference. `raw()`: no `...` or `[..]` wildcards in the committed
    // file; it still folds line endings, so a difference in those alone is reported below.
    let expected = Data::read_from(path, None).raw();
    if let Err(diff) =
        Assert::new()
            .normalize_paths(false)
            .try_eq(Some(&"actual"), Data::text(actual), expected)
    {
        panic!("{diff}\nbless with `{BLESS_COMMAND}`, then read the diff");
    }
    panic!(
        "{}: only the line endings differ from the snapshot (bless with `{BLESS_COMMAND}`)",
        path.display()
    );
}

/// Every file under `dir`, by `/`-separated path relative to it (empty when `dir` is absent).
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    if !dir.exists() {
        return files;
    }
    for entry in walkdir::WalkDir::new(dir).min_depth(1) {
        let entry = entry.expect("readable entry");
        if entry.file_type().is_dir() {
            continue;
        }
        let relative = entry.path().strip_prefix(dir).expect("under root");
        let key = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        files.insert(key, fs::read(entry.path()).expect("readable file"));
    }
    files
}

/// Replace `dir` with exactly `files` (stale files removed).
pub fn write_tree<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>, dir: &Path) {
    if dir.exists() {
        fs::remove_dir_all(dir).expect("remove the old folder");
    }
    for (path, bytes) in files {
        let file = dir.join(path);
        fs::create_dir_all(file.parent().expect("has a parent")).expect("create folders");
        fs::write(&file, bytes).expect("write snapshot file");
        if meshgen::layout::is_executable(path) {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&file, fs::Permissions::from_mode(0o755)).expect("chmod");
        }
    }
}

/// Whether `file` has its owner's execute bit.
pub fn is_executable(file: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(file).is_ok_and(|m| m.permissions().mode() & 0o100 != 0)
}
