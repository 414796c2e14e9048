//! The plan's JSON Schema: derived by schemars from the plan types, then shaped for
//! editors, and the contract the loader checks a plan's shape against.
//!
//! yaml-language-server (behind VS Code's YAML extension, Neovim and Helix) completes an
//! enum field with its values only when the field says `type: string` with `enum`; a
//! `oneOf` of `const`s makes it insert a bare key and makes hover show the value's
//! description instead of the field's. It shows `markdownDescription` (rendered) where
//! present and `markdownEnumDescriptions` beside each value; see redhat-developer/
//! yaml-language-server `src/languageservice/services/yamlCompletion.ts` and
//! `yamlHover.ts`. Taplo reads the same keywords for TOML.

use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::Plan;
use crate::diag::Format;

/// The name `meshgen init` gives the schema it writes beside a plan.
pub const SCHEMA_FILE: &str = "mesh-plan.schema.json";

/// The demo plan of DESIGN.md as `meshgen init` writes it. Its first line points editors at
/// [`SCHEMA_FILE`] beside it: yaml-language-server's modeline for YAML, the `#:schema`
/// directive of taplo and tombi for TOML. Both resolve a relative path against the plan's
/// folder (redhat-developer/yaml-language-server
/// `src/languageservice/services/yamlSchemaService.ts`, `getSchemaForResource`; for taplo,
/// `tests/schema.rs` runs `taplo lint` on such a plan), so the two files move together.
pub fn starter_plan(format: Format) -> String {
    match format {
        Format::Yaml => format!(
            "# yaml-language-server: $schema={SCHEMA_FILE}\n{}",
            include_str!("../../golden/demo/plan.yaml")
        ),
        Format::Toml => format!(
            "#:schema ./{SCHEMA_FILE}\n{}",
            include_str!("../../golden/demo/plan.toml")
        ),
    }
}

/// The schema, built once.
pub fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let mut schema = serde_json::to_value(schemars::schema_for!(Plan)).unwrap_or_default();
        for_editors(&mut schema);
        schema
    })
}

/// The plan's JSON Schema, as `meshgen schema` prints it and `schemas/` commits it.
pub fn schema_json() -> String {
    serde_json::to_string_pretty(schema()).unwrap_or_default()
}

/// Every enum as `type: string` + `enum` with per-value descriptions, and a
/// `markdownDescription` beside every `description`, recursively.
fn for_editors(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for child in object.values_mut() {
                for_editors(child);
            }
            if let Some(shaped) = enum_of_consts(object) {
                *object = shaped;
            }
            // Clients that show `description` show it as plain text: no Markdown there.
            if let Some(Value::String(markdown)) = object.get("description") {
                let markdown = markdown.clone();
                *object = std::mem::take(object)
                    .into_iter()
                    .flat_map(|(key, value)| match key.as_str() {
                        "description" => vec![
                            (key, Value::from(markdown.replace('`', ""))),
                            (
                                "markdownDescription".to_owned(),
                                Value::from(markdown.as_str()),
                            ),
                        ],
                        _ => vec![(key, value)],
                    })
                    .collect();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(for_editors),
        _ => {}
    }
}

/// `{description, oneOf: [{const, description}...]}` as `{description, type: string,
/// enum, enumDescriptions, markdownEnumDescriptions}`; `None` for any other schema.
fn enum_of_consts(object: &Map<String, Value>) -> Option<Map<String, Value>> {
    let branches = object.get("oneOf")?.as_array()?;
    let mut values = Vec::new();
    let mut descriptions = Vec::new();
    for branch in branches {
        values.push(Value::from(branch.get("const")?.as_str()?));
        // Children are shaped first: the branch's Markdown is in `markdownDescription`.
        let description = branch
            .get("markdownDescription")
            .or_else(|| branch.get("description"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        descriptions.push(description.to_owned());
    }
    let mut shaped = Map::new();
    for (key, value) in object {
        if key != "oneOf" {
            shaped.insert(key.clone(), value.clone());
        }
    }
    shaped.insert("type".into(), "string".into());
    shaped.insert("enum".into(), values.into());
    let plain: Vec<Value> = descriptions
        .iter()
        .map(|d| Value::from(d.replace('`', "")))
        .collect();
    shaped.insert("enumDescriptions".into(), plain.into());
    shaped.insert("markdownEnumDescriptions".into(), descriptions.into());
    Some(shaped)
}

/// The schema of the value at `path` (object keys and array indexes from the root), with
/// `$ref`s followed and the non-null branch of an optional field taken; `None` where
/// the schema has no such place.
pub fn at<'s>(path: &[PathPart<'_>]) -> Option<&'s Value> {
    let root = schema();
    let mut here = resolve(root, root)?;
    for part in path {
        let next = match part {
            PathPart::Key(key) => here
                .get("properties")
                .and_then(|p| p.get(*key))
                .or_else(|| here.get("additionalProperties").filter(|a| a.is_object()))?,
            PathPart::Index(_) => here.get("items")?,
        };
        here = resolve(root, next)?;
    }
    Some(here)
}

/// One step of a path into the plan.
#[derive(Debug, Clone, Copy)]
pub enum PathPart<'a> {
    Key(&'a str),
    Index(usize),
}

/// `schema` with `$ref` followed and, for `anyOf: [X, {type: null}]`, X.
fn resolve<'s>(root: &'s Value, schema: &'s Value) -> Option<&'s Value> {
    let mut schema = schema;
    for _ in 0..8 {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let name = reference.strip_prefix("#/$defs/")?;
            schema = root.get("$defs")?.get(name)?;
        } else if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
            schema = branches
                .iter()
                .find(|b| b.get("type").and_then(Value::as_str) != Some("null"))?;
        } else {
            return Some(schema);
        }
    }
    Some(schema)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_are_strings_with_described_values() {
        let mode = at(&[PathPart::Key("mesh"), PathPart::Key("networkMode")]).unwrap();
        assert_eq!(mode["type"], "string");
        assert_eq!(mode["enum"], serde_json::json!(["single", "multi"]));
        assert_eq!(
            mode["markdownEnumDescriptions"].as_array().map(Vec::len),
            Some(2)
        );
        assert!(mode.get("oneOf").is_none());
        let role = at(&[
            PathPart::Key("clusters"),
            PathPart::Index(0),
            PathPart::Key("nodes"),
            PathPart::Index(3),
            PathPart::Key("role"),
        ])
        .unwrap();
        assert_eq!(role["enum"], serde_json::json!(["control-plane", "worker"]));
    }

    #[test]
    fn every_description_has_a_markdown_twin() {
        fn walk(value: &Value, count: &mut usize) {
            match value {
                Value::Object(o) => {
                    if let Some(Value::String(d)) = o.get("description") {
                        let markdown = o.get("markdownDescription").and_then(Value::as_str);
                        assert_eq!(
                            markdown.map(|m| m.replace('`', "")).as_deref(),
                            Some(d.as_str())
                        );
                        assert!(!d.contains('`'), "{d}");
                        *count += 1;
                    }
                    o.values().for_each(|v| walk(v, count));
                }
                Value::Array(a) => a.iter().for_each(|v| walk(v, count)),
                _ => {}
            }
        }
        let mut count = 0;
        walk(schema(), &mut count);
        assert!(count > 40, "{count}");
    }
}
