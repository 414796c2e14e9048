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

use crate::support::snapshots::{
    BLESS_COMMAND, assert_file, blessing, is_executable, read_tree, write_tree,
};

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
    match meshgen::compile(&source, &Options::default()) {
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
    for name in [
        "demo",
        "single-network",
        "five-clusters",
        "dual-stack",
        "multi-primary",
        "primary-remote",
        "multi-primary-single-network",
    ] {
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

/// The topology diagram of every golden plan: `meshgen graph` prints exactly the Mermaid
/// diagram the golden README opens with (one code, so the two never disagree), and its
/// DOT is pinned in `golden/<case>/graph.dot` (blessed with the others). CI (`.ci/run`)
/// feeds both to Graphviz and to Mermaid's own parser.
#[test]
fn graph_prints_the_readme_diagram_and_the_pinned_dot() {
    let meshgen = env!("CARGO_BIN_EXE_meshgen");
    let graph = |plan: &Path, format: &str| {
        let out = std::process::Command::new(meshgen)
            .args(["graph", plan.to_str().unwrap(), "--format", format])
            .output()
            .expect("meshgen runs");
        assert!(out.status.success(), "{}: {out:?}", plan.display());
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let mut failures = Vec::new();
    for case in cases() {
        let plan = ["plan.yaml", "plan.toml"]
            .iter()
            .map(|name| case.join(name))
            .find(|path| path.exists())
            .expect("a plan");
        let readme = fs::read_to_string(case.join("out/README.md")).expect("a README");
        // After the "Generated by" comment, the title and a blank line.
        let body: Vec<&str> = readme.lines().skip(3).collect();
        let mermaid = graph(&plan, "mermaid");
        let expected = format!("```mermaid\n{mermaid}```");
        if !body.join("\n").starts_with(&expected) {
            failures.push(format!(
                "{}: the README does not open (after its title) with `meshgen graph`'s diagram:\n{mermaid}",
                case.display()
            ));
        }
        assert_file(case.join("graph.dot"), &graph(&plan, "dot"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every `tests/diff/<case>/` holds a pair of plans (`old.*`, `new.*`, each the kind of
/// change the case is named after) and the change plan `meshgen diff` must print for them,
/// in each format: `expected.txt`, `expected.md`, `expected.json` (blessed with the others).
/// The exit code is 1 when the plans compile to different trees, 0 when to the same one.
#[test]
fn every_diff_case_prints_its_expected_change_plan() {
    let dir = Path::new("tests/diff");
    let mut cases: Vec<PathBuf> = fs::read_dir(dir)
        .expect("tests/diff exists")
        .map(|entry| entry.expect("readable").path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    for name in [
        "network-removed",
        "cluster-added",
        "cluster-removed",
        "network-id-changed",
        "lb-ip-changed",
        "pool-changed",
        "demo-removed",
        "hosted-istiod-moved",
        "mesh-id-changed",
        "network-mode-single",
        "node-labels-changed",
        "gitops-added",
        "same-tree",
        "failover-added",
        "failover-changed",
        // Upstream flavors: namespace manifest, cacerts, Helm releases, remote secrets.
        "primary-remote-remote-added",
        "multi-primary-primary-added",
        // Failover DestinationRules placed in clusters (every primary), not a control plane.
        "multi-primary-failover-added",
    ] {
        assert!(
            cases.iter().any(|c| c.ends_with(name)),
            "diff case {name} is missing"
        );
    }
    let plan = |case: &Path, stem: &str| {
        ["yaml", "toml"]
            .iter()
            .map(|ext| case.join(format!("{stem}.{ext}")))
            .find(|path| path.exists())
            .unwrap_or_else(|| panic!("{}: no {stem}.yaml or {stem}.toml", case.display()))
    };
    for case in cases {
        let (old, new) = (plan(&case, "old"), plan(&case, "new"));
        let mut changed = None;
        for (format, file) in [
            ("text", "expected.txt"),
            ("markdown", "expected.md"),
            ("json", "expected.json"),
        ] {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_meshgen"))
                .args([
                    "diff",
                    old.to_str().unwrap(),
                    new.to_str().unwrap(),
                    "--format",
                    format,
                ])
                .output()
                .expect("meshgen runs");
            let stdout = String::from_utf8(out.stdout).expect("UTF-8");
            assert!(
                out.stderr.is_empty(),
                "{}: {}",
                case.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            if format == "json" {
                let plan: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
                changed = plan["changed"].as_bool();
            }
            let code = out.status.code();
            assert!(
                matches!(code, Some(0 | 1)),
                "{}: exit {code:?}",
                case.display()
            );
            assert_file(case.join(file), &stdout);
            if let Some(changed) = changed {
                assert_eq!(
                    code,
                    Some(i32::from(changed)),
                    "{}: exit code",
                    case.display()
                );
            }
        }
        // Every case but the one that compiles to the same tree has something to do.
        assert_eq!(
            changed,
            Some(!case.ends_with("same-tree")),
            "{}",
            case.display()
        );
    }
}

/// `../shared/reference/<path>` (beside the checkout; a worktree under `wt/` has it one
/// folder further up), if this machine has it.
fn shared_reference(path: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["../shared/reference", "../../shared/reference"]
        .iter()
        .map(|dir| root.join(dir).join(path))
        .find(|p| p.exists())
}

/// Every Helm values file of the upstream goldens: gateway values carry a modeline naming the
/// gateway chart's schema of the mesh's version and validate against the chart's schema
/// (upstream's `values.schema.json`, in ../shared/reference); base and istiod, which publish
/// none, carry no modeline but say why.
#[test]
fn upstream_values_files_name_their_chart_schema_and_validate() {
    let schema = shared_reference("istio/gateway-chart-values.schema.json").map(|path| {
        let schema: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
        jsonschema::validator_for(&schema).expect("the gateway chart schema compiles")
    });
    if schema.is_none() {
        eprintln!("skipped the schema validation: ../shared/reference is not on this machine");
    }
    let mut gateways = 0;
    for case in [
        "multi-primary",
        "primary-remote",
        "multi-primary-single-network",
    ] {
        let plan = Path::new(CASES).join(case).join("plan.yaml");
        let version: String = {
            let text = fs::read_to_string(&plan).unwrap();
            let plan: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
            plan["mesh"]["version"].as_str().unwrap().to_owned()
        };
        let tree = render(&plan).unwrap();
        for (path, bytes) in tree.iter().filter(|(p, _)| p.ends_with(".values.yaml")) {
            let text = std::str::from_utf8(bytes).unwrap();
            let header: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
            let modeline = header
                .iter()
                .find_map(|l| l.strip_prefix("# yaml-language-server: $schema="));
            let values: serde_json::Value = serde_saphyr::from_str(text).unwrap();
            if path.ends_with("gateway.values.yaml") {
                gateways += 1;
                assert_eq!(
                    modeline,
                    Some(
                        format!(
                            "https://raw.githubusercontent.com/istio/istio/{version}/manifests/charts/gateway/values.schema.json"
                        )
                        .as_str()
                    ),
                    "{case}: {path}"
                );
                if let Some(validator) = &schema {
                    let errors: Vec<String> = validator
                        .iter_errors(&values)
                        .map(|e| e.to_string())
                        .collect();
                    assert!(errors.is_empty(), "{case}: {path}: {errors:?}");
                }
            } else {
                assert_eq!(modeline, None, "{case}: {path}");
                assert!(
                    header
                        .iter()
                        .any(|l| l.contains("publishes no values schema")),
                    "{case}: {path}"
                );
                assert!(values.is_object(), "{case}: {path} holds a map of values");
            }
        }
    }
    // cluster1, cluster3, cluster1's ingress; east, west, east's ingress; blue's ingress.
    assert_eq!(gateways, 7);
}
