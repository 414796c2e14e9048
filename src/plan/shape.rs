//! Every shape problem of a plan at once: the plan, read as a JSON value
//! ([`super::value`]), is validated against the plan's own schema ([`super::schema`])
//! before serde sees it (serde stops at the first problem). Each problem becomes an MG002
//! diagnostic with the field's path and a hint (the field meant, the quoting needed).

use std::cell::OnceCell;
use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use super::Locator;
use super::schema::{self, PathPart};
use crate::diag::{Code, Diagnostic, Diagnostics, Lines, Source, did_you_mean};

const SCHEMA_HINT: &str = "compare with `meshgen schema`, or start from `meshgen init`";

fn validator() -> Option<&'static jsonschema::Validator> {
    static VALIDATOR: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    VALIDATOR
        .get_or_init(|| jsonschema::validator_for(schema::schema()).ok())
        .as_ref()
}

/// Every way `value` (the plan `source` as read) does not fit the schema, sorted by
/// nothing in particular (the caller locates and sorts).
pub fn check(value: &Value, source: &Source) -> Diagnostics {
    let Some(validator) = validator() else {
        return Diagnostics::default();
    };
    let mut problems = Vec::new();
    for error in validator.iter_errors(value) {
        collect(&error, &mut problems);
    }
    let spelling = Spelling {
        source,
        locator: OnceCell::new(),
    };
    let mut found: Vec<Diagnostic> = Vec::new();
    // A misspelt required field is one problem, not an unknown and a missing one.
    let mut meant: Vec<(String, String)> = Vec::new();
    for problem in &problems {
        if let Problem::Unknown { at, key } = problem {
            let parent = pointer(at);
            if let Some(close) = did_you_mean(key, &field_names(&parent.parts(value))) {
                meant.push((at.clone(), close));
            }
        }
    }
    for problem in problems {
        let d = match problem {
            Problem::Unknown { at, key } => {
                let parent = pointer(&at);
                let names = field_names(&parent.parts(value));
                let path = join(&parent.path(value), &key);
                let message = if names.is_empty() {
                    format!("unknown field `{key}`")
                } else {
                    format!(
                        "unknown field `{key}`, expected one of {}",
                        names.join(", ")
                    )
                };
                let hint = match did_you_mean(&key, &names) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => SCHEMA_HINT.to_owned(),
                };
                let d = Diagnostic::error(Code::Shape, path.as_str(), message).hint(hint);
                // At the key, which is what is wrong, rather than at its value.
                match spelling.locator().locate_key(&path) {
                    Some((line, column)) => d.at(line, column),
                    None => d,
                }
            }
            Problem::Missing { at, key } => {
                if meant.iter().any(|(a, k)| *a == at && *k == key) {
                    continue;
                }
                let parent = pointer(&at);
                let mut parts = parent.parts(value);
                parts.push(PathPart::Key(&key));
                let what = schema::at(&parts)
                    .and_then(|s| s.get("description"))
                    .and_then(Value::as_str)
                    .map_or(String::new(), |d| format!(" ({d})"));
                Diagnostic::error(
                    Code::Shape,
                    join(&parent.path(value), &key),
                    format!("missing field `{key}`"),
                )
                .hint(format!("add `{key}`{what}"))
            }
            Problem::Type { at } => mistyped(&pointer(&at), value, &spelling),
            Problem::Enum { at, options } => {
                let here = pointer(&at);
                let got = here.value(value);
                let shown = match got {
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => String::new(),
                };
                let quoted: Vec<String> = options.iter().map(|o| format!("`{o}`")).collect();
                let expected = match quoted.as_slice() {
                    [one] => format!("expected {one}"),
                    many => format!("expected one of {}", many.join(", ")),
                };
                let hint = match did_you_mean(&shown, &options) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!("write one of {}", quoted.join(", ")),
                };
                Diagnostic::error(
                    Code::Shape,
                    here.path(value),
                    format!("unknown variant `{shown}`, {expected}"),
                )
                .hint(hint)
            }
            Problem::Other { at, message } => {
                Diagnostic::error(Code::Shape, pointer(&at).path(value), message).hint(SCHEMA_HINT)
            }
        };
        found.push(d);
    }
    Diagnostics::from(found)
}

/// A schema error in plan terms.
enum Problem {
    Unknown { at: String, key: String },
    Missing { at: String, key: String },
    Type { at: String },
    Enum { at: String, options: Vec<String> },
    Other { at: String, message: String },
}

/// The problems behind one validation error; for an optional field (`anyOf` of the
/// field's schema and null), those of the branch that is not null.
fn collect(error: &jsonschema::ValidationError<'_>, out: &mut Vec<Problem>) {
    let at = error.instance_path().as_str().to_owned();
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            for key in unexpected {
                out.push(Problem::Unknown {
                    at: at.clone(),
                    key: key.clone(),
                });
            }
        }
        ValidationErrorKind::Required { property } => out.push(Problem::Missing {
            at,
            key: property.as_str().unwrap_or_default().to_owned(),
        }),
        ValidationErrorKind::Type { .. } => out.push(Problem::Type { at }),
        ValidationErrorKind::Enum { options } => out.push(Problem::Enum {
            at,
            options: options
                .as_array()
                .map(|o| {
                    o.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        }),
        ValidationErrorKind::AnyOf { context } => {
            let not_null = context.iter().find(|branch| {
                !branch
                    .iter()
                    .all(|e| matches!(e.kind(), ValidationErrorKind::Type { .. }))
            });
            match not_null.or_else(|| context.first()) {
                Some(branch) if context.len() == 2 && !branch.is_empty() => {
                    for e in branch {
                        collect(e, out);
                    }
                }
                _ => out.push(Problem::Type { at }),
            }
        }
        _ => out.push(Problem::Other {
            at,
            message: error.to_string(),
        }),
    }
}

/// The diagnostic for a value of the wrong type at `here`.
fn mistyped(here: &Pointer, value: &Value, spelling: &Spelling<'_>) -> Diagnostic {
    let path = here.path(value);
    let expected = schema::at(&here.parts(value))
        .map(|s| match s.get("type") {
            Some(Value::String(t)) => t.clone(),
            Some(Value::Array(types)) => types
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null")
                .unwrap_or_default()
                .to_owned(),
            _ => String::new(),
        })
        .unwrap_or_default();
    let got = here.value(value);
    let spelled = || spelling.of(&path);
    let error = |message: String, hint: String| {
        Diagnostic::error(Code::Shape, path.as_str(), message).hint(hint)
    };
    match (expected.as_str(), got) {
        ("object", _) => error(
            "this field takes a mapping (`key: value` entries)".into(),
            SCHEMA_HINT.into(),
        ),
        ("array", _) => error("this field takes a list".into(), SCHEMA_HINT.into()),
        (_, Some(Value::Null)) => error(
            "this field needs a value, but it is empty (or null)".into(),
            "write the value; leave the key out only if the field is optional".into(),
        ),
        ("string", Some(Value::Number(_) | Value::Bool(_))) => {
            let spelled =
                spelled().unwrap_or_else(|| got.map(Value::to_string).unwrap_or_default());
            let what = if matches!(got, Some(Value::Bool(_))) {
                "a boolean"
            } else {
                "a number"
            };
            error(
                format!("`{spelled}` is {what} here, but this field takes a string"),
                format!("quote it: \"{spelled}\""),
            )
        }
        ("boolean", Some(Value::String(s))) => {
            let spelled = spelled().unwrap_or_default();
            let quoted = spelled.starts_with(['"', '\'']);
            let word = s.to_ascii_lowercase();
            let truth = match word.as_str() {
                "true" | "yes" | "y" | "on" => Some("true"),
                "false" | "no" | "n" | "off" => Some("false"),
                _ => None,
            };
            match (quoted, truth) {
                (true, Some(t)) => error(
                    format!("`{spelled}` is a quoted string, but this field takes a boolean"),
                    format!("write {t} without quotes"),
                ),
                (false, Some(t)) => error(
                    format!(
                        "`{s}` is a string here, but this field takes a boolean (`{s}` is a boolean \
                         only in YAML 1.1; meshgen and editors read YAML 1.2)"
                    ),
                    format!("write {t}"),
                ),
                _ => error(
                    "this field takes a boolean".into(),
                    "write true or false".into(),
                ),
            }
        }
        ("boolean", _) => error(
            "this field takes a boolean".into(),
            "write true or false".into(),
        ),
        ("string", Some(Value::Array(_) | Value::Object(_))) => {
            error("this field takes a single value".into(), SCHEMA_HINT.into())
        }
        (expected, _) => error(format!("this field takes a {expected}"), SCHEMA_HINT.into()),
    }
}

/// How a value is written in the plan text (for hints that quote it), found by path.
struct Spelling<'s> {
    source: &'s Source,
    locator: OnceCell<Locator>,
}

impl Spelling<'_> {
    fn locator(&self) -> &Locator {
        self.locator.get_or_init(|| Locator::new(self.source))
    }

    fn of(&self, path: &str) -> Option<String> {
        let locator = self.locator();
        let (line, column) = locator.locate(path)?;
        let text = self
            .source
            .text
            .strip_prefix('\u{FEFF}')
            .unwrap_or(&self.source.text);
        let mut lines = Lines::new(text);
        let start = lines.offset(line, column)?;
        let rest = lines.line(line as usize - 1)?;
        let rest = &rest[start - lines.start(line as usize - 1)?..];
        let spelled = match rest.chars().next()? {
            q @ ('"' | '\'') => {
                let end = rest[1..].find(q)? + 2;
                &rest[..end]
            }
            _ => {
                let end = rest
                    .find([',', ']', '}'])
                    .into_iter()
                    .chain(rest.find(" #"))
                    .min()
                    .unwrap_or(rest.len());
                rest[..end].trim_end()
            }
        };
        (!spelled.is_empty() && spelled.len() <= 64).then(|| spelled.to_owned())
    }
}

/// A JSON pointer into the plan value.
struct Pointer(Vec<String>);

fn pointer(text: &str) -> Pointer {
    Pointer(
        text.split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

impl Pointer {
    /// The steps, each an index where the value there is a list.
    fn parts<'p>(&'p self, root: &Value) -> Vec<PathPart<'p>> {
        let mut here = Some(root);
        self.0
            .iter()
            .map(|s| {
                let part = match (here, s.parse::<usize>()) {
                    (Some(Value::Array(_)), Ok(i)) => PathPart::Index(i),
                    _ => PathPart::Key(s),
                };
                here = here.and_then(|h| match part {
                    PathPart::Index(i) => h.get(i),
                    PathPart::Key(k) => h.get(k),
                });
                part
            })
            .collect()
    }

    /// The plan path, e.g. `clusters[1].nodes[0].zone`.
    fn path(&self, root: &Value) -> String {
        let mut path = String::new();
        for part in self.parts(root) {
            match part {
                PathPart::Index(i) => path.push_str(&format!("[{i}]")),
                PathPart::Key(k) => path = join(&path, k),
            }
        }
        path
    }

    fn value<'v>(&self, root: &'v Value) -> Option<&'v Value> {
        self.parts(root)
            .iter()
            .try_fold(root, |here, part| match part {
                PathPart::Index(i) => here.get(*i),
                PathPart::Key(k) => here.get(*k),
            })
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// The fields the schema allows at `parts`, in schema order.
fn field_names(parts: &[PathPart<'_>]) -> Vec<String> {
    schema::at(parts)
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Format;

    /// The one problem of a plan that must be refused for one reason, located.
    fn diagnose(text: &str, format: Format) -> Diagnostic {
        let source = Source::new("plan", text, format);
        let mut found = super::super::parse(&source).expect_err("the plan must be refused");
        super::super::locate(&mut found, &source);
        let mut found: Vec<Diagnostic> = found.into_iter().collect();
        assert_eq!(found.len(), 1, "{found:?}");
        found.remove(0)
    }

    #[test]
    fn an_unquoted_yaml_number_is_refused_with_its_spelling_quoted() {
        // YAML 1.2 (and the editor) reads 1.30 as the number 1.3: the plan must say "1.30".
        let text = include_str!("../../golden/demo/plan.yaml").replacen(
            "kubernetesVersion: \"1.25\"",
            "kubernetesVersion: 1.30",
            1,
        );
        let d = diagnose(&text, Format::Yaml);
        assert_eq!(
            (d.code, d.path.as_str(), d.line),
            (Code::Shape, "clusters[0].kubernetesVersion", Some(12))
        );
        assert_eq!(d.hint, "quote it: \"1.30\"");
    }

    #[test]
    fn yaml_1_1_booleans_and_quoted_booleans_are_refused_in_boolean_fields() {
        let demo = include_str!("../../golden/demo/plan.yaml");
        let pool = "- name: first-pool\n          addresses: [10.64.30.71-10.64.30.73]";
        for (written, hint) in [
            ("yes", "write true"),
            ("on", "write true"),
            ("y", "write true"),
            ("No", "write false"),
            ("\"true\"", "write true without quotes"),
            ("'false'", "write false without quotes"),
        ] {
            let text = demo.replacen(pool, &format!("{pool}\n          autoAssign: {written}"), 1);
            assert_ne!(text, demo);
            let d = diagnose(&text, Format::Yaml);
            assert_eq!(
                (d.code, d.path.as_str(), d.hint.as_str()),
                (Code::Shape, "clusters[0].metallb.pools[0].autoAssign", hint),
                "{written}: {}",
                d.message
            );
        }
    }

    #[test]
    fn binary_values_are_refused_clearly() {
        let text = include_str!("../../golden/demo/plan.yaml").replacen(
            "id: mdemo-mesh",
            "id: !!binary bWRlbW8tbWVzaA==",
            1,
        );
        let d = diagnose(&text, Format::Yaml);
        assert_eq!((d.code, d.line), (Code::Shape, Some(2)));
        assert!(d.message.contains("`!!binary`"), "{}", d.message);
        assert!(!d.hint.contains("option"), "{}", d.hint);
    }
}
