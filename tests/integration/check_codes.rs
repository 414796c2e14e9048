//! `meshgen explain` examples are proven: every code's `bad` example, applied to the demo
//! plan, produces that code, and its `fixed` example leaves the demo plan without a problem.
//!
//! A fragment applies as `codes::CodeInfo::bad` documents: mappings merge key by key; in a
//! list of items with a `name`, an item changes the first unchanged demo item of that name
//! or is added; other lists and values replace. A fragment that is a whole plan stands alone.

use crate::support::check as check_support;

use meshgen::codes::{self, ALL};
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

#[test]
fn every_check_example_is_proven() {
    let mut checked = 0;
    for info in ALL.iter().filter(|i| ("MG010".."MG090").contains(&i.code)) {
        let bad = apply(info.bad).unwrap_or_else(|e| panic!("{} bad: {e}", info.code));
        let found = meshgen::check::check(&bad);
        assert!(
            found.iter().any(|d| d.code == info.code),
            "{}: the bad example does not produce it; it produces:\n{}",
            info.code,
            listing(&found)
        );
        let fixed = apply(info.fixed).unwrap_or_else(|e| panic!("{} fixed: {e}", info.code));
        let found = meshgen::check::check(&fixed);
        assert!(
            found.is_empty(),
            "{}: the fixed example still has problems:\n{}",
            info.code,
            listing(&found)
        );
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} examples");
}

#[test]
fn loading_examples_are_proven() {
    let syntax = codes::info(codes::SYNTAX).unwrap();
    assert!(serde_saphyr::from_str::<Value>(syntax.bad).is_err());
    assert!(serde_saphyr::from_str::<Value>(syntax.fixed).is_ok());
    let shape = codes::info(codes::SHAPE).unwrap();
    let error = apply(shape.bad).unwrap_err().to_string();
    assert!(error.contains("unknown field"), "{error}");
    assert!(apply(shape.fixed).is_ok());
}

#[test]
fn every_code_has_one_complete_entry() {
    // Every `pub const NAME: &str = "MG..."` in codes.rs has an entry, in order, once.
    let source = check_support::read("src/codes.rs");
    let consts: Vec<&str> = source
        .lines()
        .filter(|l| l.starts_with("pub const ") && l.contains(": &str = \"MG"))
        .filter_map(|l| l.split('"').nth(1))
        .collect();
    let entries: Vec<&str> = ALL.iter().map(|i| i.code).collect();
    let mut sorted = consts.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, consts, "constants out of order or repeated");
    assert_eq!(entries, consts, "ALL and the constants differ");
    for info in ALL {
        assert!(
            info.code.len() == 5 && info.code.starts_with("MG"),
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
            codes::info(&info.code.to_lowercase()).map(|i| i.code),
            Some(info.code)
        );
    }
}
