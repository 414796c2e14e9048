//! `meshgen explain` examples are proven: every code's `bad` example, applied to the demo
//! plan, produces that code, and its `fixed` example leaves the demo plan without a problem.
//!
//! A fragment applies as `codes::CodeInfo::bad` documents: mappings merge key by key; in a
//! list of items with a `name`, an item changes the first unchanged demo item of that name
//! or is added; other lists and values replace. A fragment that is a whole plan stands alone.

use crate::support::check as check_support;

use meshgen::codes::{self, ALL, Code};
use meshgen::{Diagnostics, Plan};
use serde_json::Value;

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str::<Value>(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn demo() -> Value {
    yaml(&check_support::read(check_support::DEMO_YAML))
}

fn is_named_list(items: &[Value]) -> bool {
    !items.is_empty() && items.iter().all(|item| item.get("name").is_some())
}

fn merge(base: &mut Value, patch: Value) {
    match (base, patch) {
        (Value::Object(base), Value::Object(patch)) => {
            for (key, value) in patch {
                match base.get_mut(&key) {
                    Some(slot) => merge(slot, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (Value::Array(base), Value::Array(patch))
            if is_named_list(base) && is_named_list(&patch) =>
        {
            let mut changed = vec![false; base.len()];
            for item in patch {
                let target = (0..base.len())
                    .find(|&i| !changed[i] && base[i].get("name") == item.get("name"));
                match target {
                    Some(i) => {
                        changed[i] = true;
                        merge(&mut base[i], item);
                    }
                    None => base.push(item),
                }
            }
        }
        (base, patch) => *base = patch,
    }
}

/// The plan an example stands for: the fragment applied to the demo plan, or a whole plan.
fn apply(fragment: &str) -> Result<Plan, serde_json::Error> {
    let fragment = yaml(fragment);
    if let Ok(plan) = serde_json::from_value::<Plan>(fragment.clone()) {
        return Ok(plan);
    }
    let mut plan = demo();
    merge(&mut plan, fragment);
    serde_json::from_value(plan)
}

fn listing(d: &Diagnostics) -> String {
    d.iter()
        .map(|d| format!("  {} {}: {}\n", d.code, d.path, d.message))
        .collect()
}

/// Every example file under `src/diag/examples/`: (code, bad text, fixed text), in order.
/// Each code has exactly `<code>.bad.yaml` and `<code>.fixed.yaml`, and nothing else is there.
fn example_files() -> Vec<(Code, String, String)> {
    let dir = "src/diag/examples";
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut examples = Vec::new();
    for name in &names {
        let Some(code) = name.strip_suffix(".bad.yaml") else {
            let code = name.strip_suffix(".fixed.yaml");
            assert!(
                code.is_some_and(|c| names.contains(&format!("{c}.bad.yaml"))),
                "{dir}/{name}: not <code>.bad.yaml or <code>.fixed.yaml with its pair"
            );
            continue;
        };
        let code = Code::parse(code).unwrap_or_else(|| panic!("{dir}/{name}: no such code"));
        let read = |kind: &str| check_support::read(&format!("{dir}/{code}.{kind}.yaml"));
        examples.push((code, read("bad"), read("fixed")));
    }
    let codes: Vec<Code> = examples.iter().map(|e| e.0).collect();
    assert_eq!(codes, Code::ALL, "every code has its two examples in {dir}");
    examples
}

#[test]
fn the_embedded_examples_are_the_files() {
    for (code, bad, fixed) in example_files() {
        assert_eq!(code.info().bad, bad, "{code}");
        assert_eq!(code.info().fixed, fixed, "{code}");
        let explanation = check_support::read(&format!("src/diag/explain/{code}.md"));
        assert_eq!(code.info().explanation, explanation, "{code}");
    }
}

#[test]
fn every_check_example_is_proven() {
    let mut checked = 0;
    for (code, bad, fixed) in example_files() {
        let code_text = code.as_str();
        if !(("MG010".."MG090").contains(&code_text) || ("MG110".."MG130").contains(&code_text)) {
            continue;
        }
        let bad = apply(&bad).unwrap_or_else(|e| panic!("{code} bad: {e}"));
        let found = meshgen::check::check(&bad);
        assert!(
            found.iter().any(|d| d.code == code),
            "{code}: the bad example does not produce it; it produces:\n{}",
            listing(&found)
        );
        let fixed = apply(&fixed).unwrap_or_else(|e| panic!("{code} fixed: {e}"));
        let found = meshgen::check::check(&fixed);
        assert!(
            found.is_empty(),
            "{code}: the fixed example still has problems:\n{}",
            listing(&found)
        );
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} examples");
}

#[test]
fn loading_examples_are_proven() {
    let syntax = Code::Syntax.info();
    assert!(serde_saphyr::from_str::<Value>(syntax.bad).is_err());
    assert!(serde_saphyr::from_str::<Value>(syntax.fixed).is_ok());
    let shape = Code::Shape.info();
    let error = apply(shape.bad).unwrap_err().to_string();
    assert!(error.contains("unknown field"), "{error}");
    assert!(apply(shape.fixed).is_ok());
}

#[test]
fn every_code_has_one_complete_entry() {
    // Every `Variant = "MG...",` line of the table in codes.rs has an entry, in order, once.
    let source = check_support::read("src/codes.rs");
    let consts: Vec<&str> = source
        .lines()
        .filter(|l| l.trim_start().starts_with(char::is_uppercase) && l.contains(" = \"MG"))
        .filter_map(|l| l.split('"').nth(1))
        .collect();
    let entries: Vec<&str> = ALL.iter().map(|i| i.code.as_str()).collect();
    let mut sorted = consts.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, consts, "codes out of order or repeated");
    assert_eq!(entries, consts, "ALL and the codes differ");
    let variants: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(variants, consts, "Code::ALL and the table differ");
    for info in ALL {
        assert!(
            info.code.as_str().len() == 5 && info.code.as_str().starts_with("MG"),
            "{}",
            info.code
        );
        for (what, text) in [
            ("title", info.title),
            ("explanation", info.explanation),
            ("bad", info.bad),
            ("fixed", info.fixed),
        ] {
            assert!(!text.trim().is_empty(), "{}: empty {what}", info.code);
        }
        assert_ne!(info.bad, info.fixed, "{}", info.code);
        assert!(
            !info.title.ends_with('.'),
            "{}: title ends with a period",
            info.code
        );
        assert_eq!(
            codes::info(info.code.as_str().to_lowercase()).map(|i| i.code),
            Some(info.code)
        );
    }
}
