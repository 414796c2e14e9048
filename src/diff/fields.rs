//! The fields a patch file sets, and how they are named and removed.

use serde_json::{Map, Value};

use crate::model::existing::PatchFormat;

/// What one patch file sets: leaves by path (merge patches), or JSON patch ops.
pub(super) struct Fields {
    /// `test` ops (JSON patches), kept in front of any ops sent.
    pub tests: Vec<Value>,
    /// Every field set, by path: object keys (merge) or one JSON pointer (JSON patch).
    pub set: Vec<(Vec<String>, Value)>,
}

impl Fields {
    pub(super) fn parse(format: PatchFormat, bytes: &[u8]) -> Fields {
        let text = String::from_utf8_lossy(bytes);
        match format {
            PatchFormat::Merge => {
                let mut value: Value = serde_saphyr::from_str(&text).unwrap_or(Value::Null);
                // Which object it is: the same on both sides, never a field to change.
                if let Some(map) = value.as_object_mut() {
                    map.remove("apiVersion");
                    map.remove("kind");
                    if let Some(Value::Object(metadata)) = map.get_mut("metadata") {
                        metadata.remove("name");
                        metadata.remove("namespace");
                    }
                }
                let mut set = Vec::new();
                leaves(&value, &mut Vec::new(), &mut set);
                Fields {
                    tests: Vec::new(),
                    set,
                }
            }
            PatchFormat::Json => {
                let ops: Vec<Value> = serde_json::from_str(&text).unwrap_or_default();
                let op = |v: &Value| v.get("op").and_then(Value::as_str).map(str::to_owned);
                let tests = ops.iter().filter(|v| op(v).as_deref() == Some("test"));
                let set = ops.iter().filter(|v| op(v).as_deref() == Some("add"));
                Fields {
                    tests: tests.cloned().collect(),
                    set: set
                        .filter_map(|v| {
                            let path = v.get("path")?.as_str()?.to_owned();
                            Some((vec![path], v.get("value")?.clone()))
                        })
                        .collect(),
                }
            }
        }
    }
}

/// Every scalar (or list) under `value`, by its path of object keys.
fn leaves(value: &Value, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, Value)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                path.push(k.clone());
                leaves(v, path, out);
                path.pop();
            }
        }
        Value::Null if path.is_empty() => {}
        other => out.push((path.clone(), other.clone())),
    }
}

/// The paths of the fields a patch set, which undoing it removes; not those it set to
/// `null` (it removed them: nothing to undo).
pub(super) fn paths(fields: &[(Vec<String>, Value)]) -> Vec<Vec<String>> {
    fields
        .iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(path, _)| path.clone())
        .collect()
}

/// `null` at `path` in a merge patch (RFC 7386: removes that member, and only it).
pub(super) fn insert_null(root: &mut Value, path: &[String]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut here = root;
    for key in parents {
        let Value::Object(map) = here else { return };
        here = map
            .entry(key.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if let Value::Object(map) = here {
        map.insert(last.clone(), Value::Null);
    }
}

/// A field's name in a summary: a map key (label, annotation, param) alone, a JSON
/// pointer's last token, otherwise the dotted path.
pub(super) fn shown(path: &[String]) -> String {
    match path {
        [pointer] if pointer.starts_with('/') => pointer
            .rsplit('/')
            .next()
            .unwrap_or(pointer)
            .replace("~1", "/")
            .replace("~0", "~"),
        [_, _, .., last] if path.len() >= 3 => last.clone(),
        _ => path.join("."),
    }
}

/// A value as a label value or summary text: strings bare, the rest as JSON.
pub(super) fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nulls_go_one_field_at_a_time() {
        let mut root = Value::Object(Map::new());
        insert_null(
            &mut root,
            &["spec".into(), "params".into(), "a.b[0]".into()],
        );
        insert_null(&mut root, &["spec".into(), "params".into(), "c".into()]);
        assert_eq!(
            root,
            json!({"spec": {"params": {"a.b[0]": null, "c": null}}})
        );
    }

    #[test]
    fn fields_are_shown_by_their_key() {
        assert_eq!(
            shown(&["/spec/meshedParams/0/params/global.network".into()]),
            "global.network"
        );
        assert_eq!(shown(&["/a/b~1c".into()]), "b/c");
        assert_eq!(
            shown(&[
                "metadata".into(),
                "labels".into(),
                "topology.istio.io/subzone".into()
            ]),
            "topology.istio.io/subzone"
        );
        assert_eq!(
            shown(&["spec".into(), "ipFamilyPolicy".into()]),
            "spec.ipFamilyPolicy"
        );
    }
}
