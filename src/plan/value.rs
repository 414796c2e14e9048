//! A plan's text as the JSON value its schema judges, read the way editors read it.
//!
//! YAML is read by the YAML 1.2 core schema, as yaml-language-server reads it (its
//! default `yaml.yamlVersion` is 1.2; redhat-developer/yaml-language-server
//! `src/languageservice/parser/yamlParser07.ts`): `yes`, `on` and `y` are strings, `1.25`
//! is a number, `"true"` is a string. So a plan that is wrong in the editor is wrong here,
//! and the loader can say why (quote the version; write `true`, not `yes`).
//!
//! Anything this reading cannot take (a syntax error, a repeated key, a second document,
//! an unknown tag, a complex key) gives `Err(None)`: the typed parse that follows reports
//! it with its usual message.

use std::collections::HashMap;

use serde_json::{Map, Number, Value};
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, StrInput};

use super::limits::{self, Budget};

use crate::diag::{Code, Diagnostic};

/// The YAML plan as a JSON value (`None` when it holds only comments), its safety limits
/// counted as it is read ([`limits::Budget`]); `Err(Some(_))` for a limit it breaks or a
/// value the plan format refuses outright (`!!binary`), `Err(None)` for what the typed
/// parse reports.
pub fn yaml(text: &str) -> Result<Option<Value>, Option<Diagnostic>> {
    let mut events = limits::parser(text);
    let mut budget = Budget::default();
    match read(&mut events, &mut budget) {
        Ok(root) => Ok(root),
        Err(Stop::Final(reason)) => Err(reason),
        // A limit broken further on comes first, as it would have stopped the read.
        Err(Stop::Early(reason)) => Err(budget.rest(events).or(reason)),
    }
}

/// Why [`read`] stopped before the end.
enum Stop {
    /// A limit, or a syntax error: nothing further is read.
    Final(Option<Diagnostic>),
    /// Something the value cannot hold; the rest is still counted against the limits.
    Early(Option<Diagnostic>),
}

impl From<Option<Diagnostic>> for Stop {
    fn from(reason: Option<Diagnostic>) -> Stop {
        Stop::Early(reason)
    }
}

fn read<'a>(
    events: &mut Parser<'a, StrInput<'a>>,
    budget: &mut Budget,
) -> Result<Option<Value>, Stop> {
    let mut anchors: HashMap<usize, Value> = HashMap::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut root = None;
    for item in events.by_ref() {
        let (event, span) = item.map_err(|e| Stop::Final(limits::refused(&e)))?;
        // Weighed before it is built: an alias is counted before it is copied.
        budget
            .count(&event, span.start)
            .map_err(|d| Stop::Final(Some(d)))?;
        let node = match event {
            Event::Scalar(value, style, anchor, tag) => {
                let tag = tag.map(|t| {
                    t.suffix_in_namespace("tag:yaml.org,2002:")
                        .map(|s| s.into_owned())
                        .ok_or(None)
                });
                let resolved = match tag.transpose()?.as_deref() {
                    None => resolve(&value, style),
                    Some("str") => Some(Value::from(value.as_ref())),
                    Some("binary") => {
                        let (line, column) =
                            (span.start.line() as u32, span.start.col() as u32 + 1);
                        return Err(Stop::Early(Some(
                            Diagnostic::error(
                                Code::Shape,
                                "",
                                "`!!binary` values are not part of the plan format",
                            )
                            .at(line, column)
                            .hint("write the value as text, without the `!!binary` tag"),
                        )));
                    }
                    Some(_) => None,
                };
                let node = resolved.ok_or(None)?;
                let key = (style == ScalarStyle::Plain && value == "<<").then_some(());
                Some((node, anchor, key.is_some()))
            }
            Event::Alias(anchor) => Some((anchors.get(&anchor).cloned().ok_or(None)?, 0, false)),
            Event::MappingStart(_, _, Some(tag)) | Event::SequenceStart(_, _, Some(tag))
                if !matches!(
                    tag.suffix_in_namespace("tag:yaml.org,2002:").as_deref(),
                    Some("map" | "seq")
                ) =>
            {
                return Err(Stop::Early(None));
            }
            Event::MappingStart(_, anchor, _) => {
                stack.push(Open::Mapping {
                    map: Map::new(),
                    key: None,
                    merges: Vec::new(),
                    anchor,
                });
                None
            }
            Event::SequenceStart(_, anchor, _) => {
                stack.push(Open::Sequence {
                    items: Vec::new(),
                    anchor,
                });
                None
            }
            Event::MappingEnd => match stack.pop() {
                Some(Open::Mapping {
                    mut map,
                    merges,
                    anchor,
                    ..
                }) => {
                    // YAML 1.1 merge keys (serde-saphyr applies them): explicit keys win.
                    for merged in merges {
                        for (k, v) in merged {
                            map.entry(k).or_insert(v);
                        }
                    }
                    Some((Value::Object(map), anchor, false))
                }
                _ => return Err(Stop::Early(None)),
            },
            Event::SequenceEnd => match stack.pop() {
                Some(Open::Sequence { items, anchor }) => {
                    Some((Value::Array(items), anchor, false))
                }
                _ => return Err(Stop::Early(None)),
            },
            Event::DocumentStart(..) if root.is_some() => return Err(Stop::Early(None)),
            _ => None,
        };
        let Some((node, anchor, is_merge_key)) = node else {
            continue;
        };
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some(Open::Sequence { items, .. }) => items.push(node),
            Some(Open::Mapping {
                map, key, merges, ..
            }) => match key.take() {
                None => {
                    // A key: a plain `<<` is a merge key; other keys must be scalars.
                    *key = Some(match (is_merge_key, node) {
                        (true, _) => Key::Merge,
                        (false, Value::String(k)) => Key::Name(k),
                        (false, Value::Number(n)) => Key::Name(n.to_string()),
                        (false, Value::Bool(b)) => Key::Name(b.to_string()),
                        (false, Value::Null) => Key::Name("null".into()),
                        _ => return Err(Stop::Early(None)),
                    });
                }
                Some(Key::Merge) => match node {
                    Value::Object(m) => merges.push(m),
                    Value::Array(list) => {
                        for item in list {
                            let Value::Object(m) = item else {
                                return Err(Stop::Early(None));
                            };
                            merges.push(m);
                        }
                    }
                    _ => return Err(Stop::Early(None)),
                },
                Some(Key::Name(name)) => {
                    if map.contains_key(&name) {
                        return Err(Stop::Early(None));
                    }
                    map.insert(name, node);
                }
            },
        }
    }
    Ok(root)
}

enum Open {
    Mapping {
        map: Map<String, Value>,
        key: Option<Key>,
        merges: Vec<Map<String, Value>>,
        anchor: usize,
    },
    Sequence {
        items: Vec<Value>,
        anchor: usize,
    },
}

enum Key {
    Name(String),
    Merge,
}

/// A scalar by the YAML 1.2 core schema (spec 10.3.2): quoted and block scalars are
/// strings; a plain one is null, a boolean, an integer, a float or a string. `None` for
/// a number JSON cannot hold (`.inf`, `.nan`).
fn resolve(value: &str, style: ScalarStyle) -> Option<Value> {
    if style != ScalarStyle::Plain {
        return Some(Value::from(value));
    }
    Some(match value {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ if is_float_special(value) => return None,
        _ => match number(value) {
            Some(n) => Value::Number(n),
            None => Value::from(value),
        },
    })
}

fn is_float_special(value: &str) -> bool {
    let unsigned = value.strip_prefix(['-', '+']).unwrap_or(value);
    matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(value, ".nan" | ".NaN" | ".NAN")
}

/// `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+` or
/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn number(value: &str) -> Option<Number> {
    if let Some(octal) = value.strip_prefix("0o") {
        return u64::from_str_radix(octal, 8).ok().map(Number::from);
    }
    if let Some(hex) = value.strip_prefix("0x") {
        return u64::from_str_radix(hex, 16).ok().map(Number::from);
    }
    let unsigned = value.strip_prefix(['-', '+']).unwrap_or(value);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        None => digits(mantissa),
        Some(("", fraction)) => digits(fraction),
        Some((whole, fraction)) => digits(whole) && (fraction.is_empty() || digits(fraction)),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    if !mantissa_ok || !exponent_ok {
        return None;
    }
    if exponent.is_none() && !mantissa.contains('.') {
        if let Ok(i) = value.parse::<i64>() {
            return Some(Number::from(i));
        }
        if let Ok(u) = value.parse::<u64>() {
            return Some(Number::from(u));
        }
    }
    value.parse::<f64>().ok().and_then(Number::from_f64)
}

/// The TOML plan as a JSON value (TOML's types are explicit); `None` for what the
/// typed parse reports.
pub fn toml(text: &str) -> Option<Value> {
    let table = toml::from_str::<toml::Table>(text).ok()?;
    serde_json::to_value(table).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_is_read_by_the_1_2_core_schema() {
        let v = yaml(
            "a: yes\nb: on\nc: y\nd: \"true\"\ne: True\nf: 1.25\ng: 1.30\nh: 0x10\ni: ~\nj:\n\
             k: 012\nl: 1e3\nm: 'x'\nn: v1.25\no: 1.2.3\np: .5\nq: -7\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            v,
            json!({"a": "yes", "b": "on", "c": "y", "d": "true", "e": true, "f": 1.25,
                   "g": 1.3, "h": 16, "i": null, "j": null, "k": 12, "l": 1000.0, "m": "x",
                   "n": "v1.25", "o": "1.2.3", "p": 0.5, "q": -7})
        );
    }

    #[test]
    fn anchors_and_merge_keys_are_expanded() {
        let v = yaml("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\nd: *b\n")
            .unwrap()
            .unwrap();
        assert_eq!(
            v,
            json!({"base": {"x": 1, "y": 2}, "c": {"y": 3, "x": 1}, "d": {"x": 1, "y": 2}})
        );
    }

    #[test]
    fn what_the_typed_parse_reports_is_left_to_it() {
        for text in [
            "a: [",
            "a: 1\na: 2\n",
            "a: 1\n---\nb: 2\n",
            "a: !custom x\n",
            "a: .inf\n",
        ] {
            assert!(matches!(yaml(text), Err(None)), "{text}");
        }
        let refused = yaml("a: !!binary aGVsbG8=\n").unwrap_err().unwrap();
        assert_eq!((refused.code, refused.line), (Code::Shape, Some(1)));
    }

    /// An alias bomb: each level repeats the one before ten times.
    fn bomb(levels: usize) -> String {
        let mut text = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n".to_owned();
        for i in 1..levels {
            let p = i - 1;
            text.push_str(&format!(
                "l{i}: &l{i} [*l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}]\n"
            ));
        }
        text
    }

    #[test]
    fn limits_are_counted_as_the_value_is_read() {
        let refused = yaml(&bomb(9)).unwrap_err().unwrap();
        assert_eq!((refused.code, refused.line), (Code::Limit, Some(7)));
        assert!(
            refused.message.contains("aliases are expanded"),
            "{refused:?}"
        );
        // A limit broken after what the value cannot hold is still the one reported.
        let refused = yaml(&format!("k: 1\nk: 2\n{}", bomb(9)))
            .unwrap_err()
            .unwrap();
        assert_eq!((refused.code, refused.line), (Code::Limit, Some(9)));
        // Only comments: no value, and no problem of its own.
        assert_eq!(yaml("# a comment\n\n").unwrap(), None);
    }
}
