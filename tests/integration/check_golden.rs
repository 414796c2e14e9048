//! The exact text `meshgen validate` prints for plans with many problems at once.
//!
//! Each plan `tests/diagnostics/NAME.yaml` / `NAME.toml` has its expected report in
//! `NAME.yaml.txt` / `NAME.toml.txt`. Bless (rewrite the expected files) with
//! `MESHGEN_BLESS=1 cargo test`, then read the diff before committing.

use std::path::{Path, PathBuf};

use meshgen::Format;

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
    let bless = std::env::var_os("MESHGEN_BLESS").is_some_and(|v| v == "1");
    let plans = plans();
    assert!(plans.len() >= 2, "no plans under {DIR}");
    let mut stale = Vec::new();
    for plan in plans {
        let expected_path = PathBuf::from(format!("{}.txt", plan.display()));
        let actual = report(&plan);
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if actual == expected {
            continue;
        }
        if bless {
            std::fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        let diff = similar::TextDiff::from_lines(&expected, &actual);
        stale.push(format!(
            "{}:\n{}",
            expected_path.display(),
            diff.unified_diff().header("expected", "actual")
        ));
    }
    assert!(
        stale.is_empty(),
        "reports differ (bless with MESHGEN_BLESS=1 cargo test --test check_golden):\n{}",
        stale.join("\n")
    );
}

#[test]
fn the_golden_plans_hold_many_different_problems() {
    for plan in plans() {
        let source = meshgen::plan::load(&plan, Format::Yaml).unwrap();
        let Err(diagnostics) = meshgen::check_source(&source, false) else {
            panic!("{} has no errors", plan.display());
        };
        let mut codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
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
    let codes = |ext: &str| -> Vec<(String, &'static str)> {
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
