//! `--help` of meshgen and of every subcommand, compared with tests/snapshots/help-*.txt.
//!
//! Bless (rewrite the snapshots after a deliberate change, then read the diff):
//! `MESHGEN_BLESS=1 cargo test`.

use std::path::Path;
use std::process::Command;

/// The subcommands whose help is snapshotted; a new one fails the test until it is added.
const SUBCOMMANDS: &[&str] = &[
    "init",
    "validate",
    "render",
    "graph",
    "schema",
    "explain",
    "completions",
    "man",
];

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_meshgen"))
        .args(args)
        .arg("--help")
        // Help wraps at the terminal width; pin it (meshgen caps it at 100 anyway).
        .env("COLUMNS", "100")
        .env_remove("NO_COLOR")
        .output()
        .expect("meshgen runs");
    assert!(out.status.success(), "{args:?} --help failed");
    assert!(out.stderr.is_empty());
    String::from_utf8(out.stdout).unwrap()
}

/// Compare `actual` with the committed snapshot, or rewrite it when MESHGEN_BLESS=1.
fn assert_snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("MESHGEN_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        let diff = similar::TextDiff::from_lines(&expected, actual)
            .unified_diff()
            .header(&format!("tests/snapshots/{name}"), "actual")
            .to_string();
        panic!("{name} differs from the snapshot (bless with MESHGEN_BLESS=1 cargo test):\n{diff}");
    }
}

#[test]
fn help_texts_match_their_snapshots() {
    assert_snapshot("help-meshgen.txt", &help(&[]));
    for sub in SUBCOMMANDS {
        assert_snapshot(&format!("help-{sub}.txt"), &help(&[sub]));
    }
}

#[test]
fn every_subcommand_has_a_snapshot() {
    let listed: Vec<String> = help(&[])
        .lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|name| name != "help")
        .collect();
    assert_eq!(listed, SUBCOMMANDS);
}
