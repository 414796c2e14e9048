//! The committed JSON Schema is what `meshgen schema` prints, every golden plan validates
//! against it, it rejects unknown fields, and it documents every field.
//! Bless the committed schema with `TRYCMD=overwrite cargo test --all-targets`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::snapshots::assert_file;

const SCHEMA: &str = "schemas/mesh-plan.schema.json";

fn committed() -> Value {
    serde_json::from_str(&std::fs::read_to_string(SCHEMA).unwrap()).unwrap()
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&committed()).expect("the committed schema compiles")
}

/// A plan file as the JSON value the schema judges.
fn plan_value(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    match path.extension().and_then(|e| e.to_str()) {
        Some("toml") => {
            serde_json::to_value(toml::from_str::<toml::Value>(&text).unwrap()).unwrap()
        }
        _ => serde_saphyr::from_str::<Value>(&text).unwrap(),
    }
}

fn errors(value: &Value) -> Vec<String> {
    validator()
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn committed_schema_is_what_meshgen_schema_prints() {
    let out = Command::new(env!("CARGO_BIN_EXE_meshgen"))
        .arg("schema")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let printed = String::from_utf8(out.stdout).unwrap();
    assert_file(SCHEMA, &printed);
}

#[test]
fn every_golden_plan_validates() {
    let mut plans: Vec<PathBuf> = std::fs::read_dir("golden")
        .unwrap()
        .flat_map(|case| {
            let dir = case.unwrap().path();
            ["plan.yaml", "plan.toml"].map(|name| dir.join(name))
        })
        .filter(|p| p.exists())
        .collect();
    plans.sort();
    assert!(plans.len() >= 2, "no golden plans");
    for plan in plans {
        let found = errors(&plan_value(&plan));
        assert!(
            found.is_empty(),
            "{}:\n{}",
            plan.display(),
            found.join("\n")
        );
    }
}

#[test]
fn unknown_fields_are_rejected_everywhere() {
    let demo = plan_value(Path::new("golden/demo/plan.yaml"));
    let places: [&[&str]; 6] = [
        &[],
        &["mesh"],
        &["clusters", "0"],
        &["clusters", "0", "nodes", "0"],
        &["clusters", "0", "loadBalancerIPs"],
        &["demo", "helloworld"],
    ];
    for place in places {
        let mut plan = demo.clone();
        let mut target = &mut plan;
        for key in place {
            target = match key.parse::<usize>() {
                Ok(i) => &mut target[i],
                Err(_) => &mut target[*key],
            };
        }
        target
            .as_object_mut()
            .unwrap()
            .insert("verison".into(), Value::from("1.15.3"));
        let found = errors(&plan);
        assert!(
            found.iter().any(|e| e.contains("verison")),
            "an unknown field under /{} passed: {found:?}",
            place.join("/")
        );
    }
    // Wrong types too: an unquoted Kubernetes version is a number, not a string.
    let mut plan = demo.clone();
    plan["clusters"][0]["kubernetesVersion"] = Value::from(1.25);
    assert!(!errors(&plan).is_empty());
}

#[test]
fn every_field_is_documented_and_every_object_closed() {
    let schema = committed();
    let mut objects = vec![("(root)".to_owned(), &schema)];
    objects.extend(
        schema["$defs"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v)),
    );
    let mut fields = 0;
    for (name, def) in objects {
        let Some(properties) = def.get("properties").and_then(Value::as_object) else {
            continue;
        };
        assert_eq!(
            def.get("additionalProperties"),
            Some(&Value::Bool(false)),
            "{name} accepts unknown fields"
        );
        for (field, spec) in properties {
            let description = spec
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default();
            assert!(
                !description.trim().is_empty(),
                "{name}.{field} has no description"
            );
            fields += 1;
        }
    }
    assert!(fields > 30, "only {fields} fields found");
}
