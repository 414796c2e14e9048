//! Helpers shared by the check tests: the demo plan, mutations of it, and assertions
//! on diagnostics that print every diagnostic when they fail.
#![allow(dead_code)]

use meshgen::{Diagnostic, Diagnostics, Format, Plan, Severity, Source, plan};

pub const DEMO_YAML: &str = "golden/demo/plan.yaml";
pub const DEMO_TOML: &str = "golden/demo/plan.toml";

pub fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The demo plan, parsed.
pub fn demo() -> Plan {
    let source = Source::new(DEMO_YAML, read(DEMO_YAML), Format::Yaml);
    plan::parse(&source).unwrap_or_else(|d| panic!("demo plan: {d:?}"))
}

/// Check the demo plan after `change`.
pub fn mutated(change: impl FnOnce(&mut Plan)) -> Diagnostics {
    let mut plan = demo();
    change(&mut plan);
    meshgen::check::check(&plan)
}

/// Load and check plan text as the CLI does, with lines and columns filled in.
pub fn located(text: &str, format: Format) -> Diagnostics {
    let name = match format {
        Format::Yaml => "plan.yaml",
        Format::Toml => "plan.toml",
    };
    match meshgen::check_source(&Source::new(name, text, format), false) {
        Ok(checked) => checked.warnings,
        Err(diagnostics) => diagnostics,
    }
}

/// The demo YAML with `from` replaced by `to` (which must occur exactly once).
pub fn demo_yaml_with(from: &str, to: &str) -> String {
    replace_once(&read(DEMO_YAML), from, to)
}

/// The demo TOML with `from` replaced by `to` (which must occur exactly once).
pub fn demo_toml_with(from: &str, to: &str) -> String {
    replace_once(&read(DEMO_TOML), from, to)
}

pub fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` must occur once");
    text.replacen(from, to, 1)
}

fn listing(diagnostics: &Diagnostics) -> String {
    diagnostics
        .iter()
        .map(|d| {
            format!(
                "  {:?} {} {} (line {:?}): {} -- {}",
                d.severity, d.code, d.path, d.line, d.message, d.hint
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The diagnostic with `code` at `path`; fails, listing everything found, if there is none.
pub fn find<'d>(diagnostics: &'d Diagnostics, code: &str, path: &str) -> &'d Diagnostic {
    diagnostics
        .iter()
        .find(|d| d.code == code && d.path == path)
        .unwrap_or_else(|| panic!("expected {code} at {path}; got:\n{}", listing(diagnostics)))
}

/// Exactly the diagnostics (code, path) given, in any order.
pub fn assert_only(diagnostics: &Diagnostics, expected: &[(&str, &str)]) {
    let mut got: Vec<(&str, &str)> = diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.path.as_str()))
        .collect();
    let mut want = expected.to_vec();
    got.sort();
    want.sort();
    assert_eq!(got, want, "diagnostics:\n{}", listing(diagnostics));
}

/// An error with `code` at `path`, whose message and hint contain the given fragments.
pub fn assert_error(diagnostics: &Diagnostics, code: &str, path: &str, words: &[&str]) {
    assert_found(diagnostics, Severity::Error, code, path, words);
}

/// A warning with `code` at `path`, whose message and hint contain the given fragments.
pub fn assert_warning(diagnostics: &Diagnostics, code: &str, path: &str, words: &[&str]) {
    assert_found(diagnostics, Severity::Warning, code, path, words);
}

fn assert_found(
    diagnostics: &Diagnostics,
    severity: Severity,
    code: &str,
    path: &str,
    words: &[&str],
) {
    let d = find(diagnostics, code, path);
    assert_eq!(d.severity, severity, "{code} at {path}: {}", d.message);
    let text = format!("{} {}", d.message, d.hint);
    for word in words {
        assert!(text.contains(word), "`{word}` not in: {text}");
    }
    assert!(!d.hint.is_empty(), "{code} at {path} has no hint");
}

/// No diagnostic with `code` at all.
pub fn assert_no(diagnostics: &Diagnostics, code: &str) {
    assert!(
        diagnostics.iter().all(|d| d.code != code),
        "unexpected {code}:\n{}",
        listing(diagnostics)
    );
}
