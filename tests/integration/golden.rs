//! Golden tests: every `golden/<case>/` with a `plan.yaml` and/or `plan.toml`
//! renders to exactly the files under `golden/<case>/out/` (same paths, same
//! bytes, nothing missing, nothing extra). When a case has both plan files,
//! both must render the same tree.
//!
//! Bless (rewrite every `out/`, removing stale files), then read the diff:
//!     TRYCMD=overwrite cargo test --all-targets

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use meshgen::{Format, Options, Source, Tree};

use crate::support::snapshots::{BLESS_COMMAND, blessing, is_executable, read_tree, write_tree};

const CASES: &str = "golden";

/// Every case folder, sorted.
fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = fs::read_dir(CASES)
        .expect("golden/ exists")
        .map(|entry| entry.expect("golden/ is readable").path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    cases
}

fn render(plan: &Path) -> Result<Tree, String> {
    let format = match plan.extension().and_then(|e| e.to_str()) {
        Some("toml") => Format::Toml,
        _ => Format::Yaml,
    };
    let text = fs::read_to_string(plan).map_err(|e| format!("{}: {e}", plan.display()))?;
    let source = Source::new(plan.display().to_string(), text, format);
    match meshgen::compile(&source, &Options::default(), false) {
        Ok((tree, _warnings)) => Ok(tree),
        Err(meshgen::CompileError::Plan(diagnostics)) => Err(format!(
            "{} does not compile:\n{}",
            plan.display(),
            diagnostics.to_text(&source, false)
        )),
        Err(meshgen::CompileError::Internal(message) | meshgen::CompileError::Usage(message)) => {
            Err(format!("{}: internal error: {message}", plan.display()))
        }
    }
}

/// What differs between the rendered tree and the expected files, as text.
fn differences(tree: &Tree, expected: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, bytes) in tree.iter() {
        match expected.get(path) {
            None => problems.push(format!("missing from out/: {path}")),
            Some(want) if want.as_slice() != bytes => {
                let want = String::from_utf8_lossy(want);
                let got = String::from_utf8_lossy(bytes);
                let diff = similar::TextDiff::from_lines(want.as_ref(), got.as_ref())
                    .unified_diff()
                    .header(&format!("out/{path} (expected)"), "rendered")
                    .to_string();
                problems.push(format!("differs: {path}\n{diff}"));
            }
            Some(_) => {}
        }
    }
    for path in expected.keys() {
        if tree.get(path).is_none() {
            problems.push(format!("in out/ but not rendered: {path}"));
        }
    }
    problems
}

#[test]
fn every_case_renders_its_expected_tree() {
    let mut failures = Vec::new();
    let cases = cases();
    for name in ["demo", "single-network", "five-clusters", "dual-stack"] {
        assert!(
            cases.iter().any(|c| c.ends_with(name)),
            "golden case {name} is missing"
        );
    }
    for case in cases {
        let plans: Vec<PathBuf> = ["plan.yaml", "plan.toml"]
            .iter()
            .map(|name| case.join(name))
            .filter(|path| path.exists())
            .collect();
        if plans.is_empty() {
            failures.push(format!("{}: no plan.yaml or plan.toml", case.display()));
            continue;
        }
        let mut trees = Vec::new();
        for plan in &plans {
            match render(plan) {
                Ok(tree) => trees.push(tree),
                Err(problem) => failures.push(problem),
            }
        }
        if trees.len() != plans.len() {
            continue;
        }
        if let [yaml, toml] = trees.as_slice()
            && yaml != toml
        {
            let mut problem = format!(
                "{}: plan.yaml and plan.toml render differently",
                case.display()
            );
            for (path, bytes) in yaml.iter() {
                if toml.get(path) != Some(bytes) {
                    problem.push_str(&format!("\n  first difference: {path}"));
                    break;
                }
            }
            failures.push(problem);
            continue;
        }
        let tree = &trees[0];
        let out = case.join("out");
        if blessing() {
            write_tree(tree.iter(), &out);
            continue;
        }
        let mut problems = differences(tree, &read_tree(&out));
        for (path, _) in tree.iter() {
            if meshgen::layout::is_executable(path) && !is_executable(&out.join(path)) {
                problems.push(format!("out/{path} is not executable"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{}: rendered tree differs from out/ (bless with `{BLESS_COMMAND}`):\n{}",
                case.display(),
                problems.join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The CLI streams each cluster's files to the folder as they are rendered; what lands
/// there must be the golden tree (plus meshgen's manifest), and `--check` must find
/// that folder up to date and a changed copy stale.
#[test]
fn the_cli_writes_each_golden_tree_and_checks_it() {
    let meshgen = env!("CARGO_BIN_EXE_meshgen");
    for case in cases() {
        let plan = case.join("plan.yaml");
        if !plan.exists() {
            continue;
        }
        let scratch = tempfile::tempdir().expect("scratch folder");
        let out = scratch.path().join("out");
        let run = |args: &[&str]| {
            std::process::Command::new(meshgen)
                .args(args)
                .output()
                .expect("meshgen runs")
        };
        let (plan, out_arg) = (plan.to_str().unwrap(), out.to_str().unwrap());
        let written = run(&["render", plan, "-o", out_arg]);
        assert!(
            written.status.success(),
            "{plan}: {}",
            String::from_utf8_lossy(&written.stderr)
        );
        let mut on_disk = read_tree(&out);
        assert!(
            on_disk.remove(".meshgen/manifest").is_some(),
            "{plan}: no manifest"
        );
        // While blessing, the other test is rewriting out/ as this one runs: compare with
        // what it writes there, the library's render of the plan.
        let golden = if blessing() {
            let tree = render(Path::new(plan)).unwrap();
            tree.iter()
                .map(|(p, b)| (p.to_owned(), b.to_vec()))
                .collect()
        } else {
            read_tree(&case.join("out"))
        };
        assert!(
            on_disk == golden,
            "{plan}: the CLI wrote a tree other than out/ (run the golden test first)"
        );
        assert!(
            is_executable(&out.join(meshgen::layout::VERIFY)),
            "{plan}: the CLI wrote verify.sh without its execute bit"
        );
        assert_eq!(
            run(&["render", plan, "-o", out_arg, "--check"])
                .status
                .code(),
            Some(0)
        );
        fs::write(out.join("README.md"), "edited\n").expect("edit");
        assert_eq!(
            run(&["render", plan, "-o", out_arg, "--check"])
                .status
                .code(),
            Some(1)
        );
    }
}
