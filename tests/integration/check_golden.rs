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
