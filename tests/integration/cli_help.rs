//! `--help` of meshgen and of every subcommand is a trycmd case, `tests/cmd/help-NAME.toml`
//! with its text in `help-NAME.stdout` (run by `cmd`); this module makes sure every
//! subcommand has one.
//!
//! Bless (rewrite the snapshots after a deliberate change, then read the diff):
//! `TRYCMD=overwrite cargo test --all-targets`.

use std::process::Command;

/// The subcommands whose help is snapshotted; a new one fails the test until it is added.
const SUBCOMMANDS: &[&str] = &[
    "init",
    "validate",
    "render",
    "certs",
    "diff",
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
    // The cases that snapshot them: meshgen's own help and one per subcommand, no other.
    let mut cases: Vec<String> = walkdir::WalkDir::new("tests/cmd")
        .max_depth(1)
        .into_iter()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| Some(n.strip_prefix("help-")?.strip_suffix(".toml")?.to_owned()))
        .collect();
    cases.sort();
    let mut expected: Vec<String> = SUBCOMMANDS.iter().map(|s| s.to_string()).collect();
    expected.push("meshgen".into());
    expected.sort();
    assert_eq!(cases, expected, "tests/cmd/help-*.toml");
}
