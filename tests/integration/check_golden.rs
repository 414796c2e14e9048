//! The exact text `meshgen validate` prints for plans with many problems at once.
//!
//! Each plan `tests/diagnostics/NAME.yaml` / `NAME.toml` has its expected report in
//! `NAME.yaml.txt` / `NAME.toml.txt`. Bless (rewrite the expected files) with
//! `TRYCMD=overwrite cargo test --all-targets`, then read the diff before committing.

use std::path::{Path, PathBuf};

use meshgen::Format;

use crate::support::snapshots::assert_file;

const DIR: &str = "tests/diagnostics";

fn plans() -> Vec<PathBuf> {
    let mut plans: Vec<PathBuf> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| Format::from_path(p).is_some())
        .collect();
    plans.sort();
    plans
}

/// The report for `plan`, as `meshgen validate` prints it without colour.
fn report(plan: &Path) -> String {
    let source = meshgen::plan::load(plan, Format::Yaml).unwrap();
    let diagnostics = match meshgen::check_source(&source, false) {
        Ok(checked) => checked.warnings,
        Err(diagnostics) => diagnostics,
    };
    diagnostics.to_text(&source, false)
}

#[test]
fn reports_match_the_blessed_text() {
    let plans = plans();
    assert!(plans.len() >= 2, "no plans under {DIR}");
    for plan in plans {
        assert_file(format!("{}.txt", plan.display()), &report(&plan));
    }
}

#[test]
fn the_golden_plans_hold_many_different_problems() {
    for plan in plans() {
        let source = meshgen::plan::load(&plan, Format::Yaml).unwrap();
        let Err(diagnostics) = meshgen::check_source(&source, false) else {
            panic!("{} has no errors", plan.display());
        };
        let mut codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
        codes.sort();
        codes.dedup();
        assert!(codes.len() >= 8, "{}: only {codes:?}", plan.display());
        assert!(
            diagnostics.iter().all(|d| d.line.is_some()),
            "{}: a diagnostic without a line",
            plan.display()
        );
    }
}

#[test]
fn yaml_and_toml_report_the_same_problems() {
    let codes = |ext: &str| -> Vec<(String, meshgen::Code)> {
        let plan = PathBuf::from(format!("{DIR}/many-problems.{ext}"));
        let source = meshgen::plan::load(&plan, Format::Yaml).unwrap();
        let diagnostics = meshgen::check_source(&source, false).err().unwrap();
        let mut list: Vec<_> = diagnostics
            .iter()
            .map(|d| (d.path.clone(), d.code))
            .collect();
        list.sort();
        list
    };
    assert_eq!(codes("yaml"), codes("toml"));
}

/// The text report for a plan `text`, as `meshgen validate` prints it without colour.
fn report_of(text: &str) -> String {
    let source = meshgen::Source::new("plan.yaml", text, Format::Yaml);
    let diagnostics = match meshgen::check_source(&source, false) {
        Ok(checked) => checked.warnings,
        Err(diagnostics) => diagnostics,
    };
    diagnostics.to_text(&source, false)
}

/// The block of `report` (one diagnostic, up to its blank line) whose title starts `title`.
fn block<'r>(report: &'r str, title: &str) -> &'r str {
    report
        .split("\n\n")
        .find(|b| b.starts_with(title))
        .unwrap_or_else(|| panic!("no `{title}` in:\n{report}"))
}

#[test]
fn a_plan_value_cannot_drive_the_terminal() {
    // A terminal escape, a line break, a C1 CSI and a bidi override in a gitops revision.
    let demo = std::fs::read_to_string("golden/demo/plan.yaml").unwrap();
    let plan = format!(
        "{demo}gitops:\n  repoURL: https://git.example.com/mesh.git\n  \
         revision: \"main\\u001b[31m\\nred\\u009b1m\\u202e\"\n  flux:\n    clusters:\n      \
         mdemo-cluster1: {{ local: true }}\n      \
         mdemo-cluster2: {{ kubeConfigSecret: mdemo-cluster2-kubeconfig }}\n      \
         mdemo-cluster3: {{ kubeConfigSecret: mdemo-cluster3-kubeconfig }}\n"
    );
    let report = report_of(&plan);
    let raw: Vec<char> = report
        .chars()
        .filter(|&c| (c.is_control() && c != '\n') || c == '\u{202e}')
        .collect();
    assert!(raw.is_empty(), "raw {raw:?} in:\n{report}");
    // The title stays one line, with the value spelled out, and the place follows it.
    let block = block(&report, "error[MG093]");
    let mut lines = block.lines();
    let title = lines.next().unwrap();
    assert!(
        title.contains(r"revision `main\u{1b}[31m\nred\u{9b}1m\u{202e}`"),
        "{title}"
    );
    assert!(lines.next().unwrap().contains("--> plan.yaml:"), "{block}");
}

#[test]
fn the_caret_counts_display_columns() {
    // Each of 主节点 takes two columns of a terminal: the caret under `zone 2` must count six.
    let demo = std::fs::read_to_string("golden/demo/plan.yaml").unwrap();
    let plan = demo.replacen(
        "- { name: master, region: region1, zone: zone2, subzone: subzone2 }",
        "- { name: 主节点, region: region1, zone: zone 2 }",
        1,
    );
    assert_ne!(plan, demo);
    let report = report_of(&plan);
    let block = block(&report, "error[MG013]");
    let lines: Vec<&str> = block.lines().collect();
    let source = lines.iter().position(|l| l.contains("主节点")).unwrap();
    let (shown, caret) = (lines[source], lines[source + 1]);
    let width = |s: &str| -> usize {
        s.chars()
            .map(|c| {
                if ('\u{4e00}'..='\u{9fff}').contains(&c) {
                    2
                } else {
                    1
                }
            })
            .sum()
    };
    let value = shown.find("zone 2").unwrap();
    assert_eq!(caret.find('^'), Some(width(&shown[..value])), "{block}");
}
