//! The typed parse: serde-saphyr and toml read a plan into [`Plan`], and their errors
//! become diagnostics in plan terms. Its result counts only when the shape check
//! ([`super::shape`]) passes, so it reports what that check leaves to it: syntax, repeated
//! keys, tags, limits.

use super::Plan;
use super::limits;
use super::load::line_col;
use crate::diag::{Code, Diagnostic};

pub(super) fn parse_yaml(text: &str) -> Result<Plan, Diagnostic> {
    // A YAML plan is read into this beside the first read (`value::yaml`), which counts the
    // limits: serde-saphyr's own budget, with the same limits, fences this read by itself.
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: limits::MAX_DEPTH,
            max_nodes: limits::MAX_NODES,
            // A node is one or two events (a collection's start and end).
            max_events: 2 * limits::MAX_NODES,
            max_total_scalar_bytes: limits::MAX_EXPANDED_BYTES,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: limits::MAX_NODES,
            max_replay_stack_depth: limits::MAX_DEPTH,
        },
        // An unknown `!tag` is a mistake in a plan, not something to drop silently.
        reject_unsupported_tags: true,
        with_snippet: false,
    };
    serde_saphyr::from_str_with_options::<Plan>(text, options).map_err(|err| {
        let mut diag = yaml_error(err.without_snippet());
        if let Some(loc) = err.location().filter(|l| l.line() > 0) {
            diag = diag.at(loc.line() as u32, loc.column() as u32);
        }
        diag
    })
}

/// The diagnostic for a serde-saphyr error: its code by kind, a message in plan terms.
fn yaml_error(err: &serde_saphyr::Error) -> Diagnostic {
    use serde_saphyr::Error as E;
    match err {
        E::Budget { .. }
        | E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. } => Diagnostic::error(
            Code::Limit,
            "",
            "the plan exceeds a safety limit (size, nesting or alias expansion)",
        )
        .hint("a plan needs no deep nesting and no alias that repeats large parts; write the values out"),
        E::DuplicateMappingKey { key, .. } => Diagnostic::error(
            Code::Syntax,
            "",
            match key {
                Some(key) => format!("the key `{key}` appears twice in the same mapping"),
                None => "a key appears twice in the same mapping".to_owned(),
            },
        )
        .hint("keep one of the two entries; YAML does not allow repeated keys"),
        E::MultipleDocuments { .. } => Diagnostic::error(
            Code::Syntax,
            "",
            "the plan holds more than one YAML document",
        )
        .hint("a plan is one document: remove this `---` (or `...`) line and what follows it"),
        E::Unexpected { expected, .. } => {
            let wanted = match *expected {
                "mapping start" => Some("a mapping (`key: value` entries)"),
                "sequence start" => Some("a list"),
                "string scalar" | "scalar" => Some("a single value"),
                _ => None,
            };
            match wanted {
                Some(wanted) => Diagnostic::error(
                    Code::Shape,
                    "",
                    format!("this field takes {wanted}"),
                )
                .hint("compare with `meshgen schema`, or start from `meshgen init`"),
                None => shape_or_syntax(&format!("expected {expected}")),
            }
        }
        E::RecursiveReferencesRequireWeakTypes { .. } => Diagnostic::error(
            Code::Syntax,
            "",
            "an alias refers to the node that contains it",
        )
        .hint("an alias may only repeat a node that is complete before it"),
        E::InvalidScalar { ty, .. } => {
            Diagnostic::error(Code::Shape, "", format!("this field takes a {ty}"))
                .hint(if ty.contains("bool") {
                    "write true or false"
                } else {
                    "compare with `meshgen schema`"
                })
        }
        E::InvalidBooleanStrict { .. } => {
            Diagnostic::error(Code::Shape, "", "this field takes a boolean")
                .hint("write true or false")
        }
        E::NullIntoString { .. } => Diagnostic::error(
            Code::Shape,
            "",
            "this field needs a value, but it is empty (or null)",
        )
        .hint("write the value; leave the key out only if the field is optional"),
        _ => {
            let message = first_line(&err.to_string());
            if message.starts_with("tabs") {
                Diagnostic::error(Code::Syntax, "", message)
                    .hint("indent with spaces: YAML does not allow tabs for indentation")
            } else {
                shape_or_syntax(&message)
            }
        }
    }
}

pub(super) fn parse_toml(text: &str) -> Result<Plan, Diagnostic> {
    toml::from_str::<Plan>(text).map_err(|err| {
        let message = first_line(err.message());
        let spelled = err
            .span()
            .and_then(|span| text.get(span))
            .unwrap_or_default();
        let mut diag = if message.contains("recursion") {
            Diagnostic::error(Code::Limit, "", "the plan nests deeper than meshgen reads")
                .hint("a plan needs no deep nesting; check the brackets")
        } else if message.starts_with("duplicate key") && !spelled.is_empty() {
            Diagnostic::error(
                Code::Syntax,
                "",
                format!("the key `{spelled}` appears twice in the same table"),
            )
            .hint("keep one of the two entries; TOML does not allow repeated keys or tables")
        } else if message.starts_with("invalid type:")
            && message.ends_with("expected a string")
            && !spelled.is_empty()
            && !spelled.starts_with(['"', '\'', '[', '{'])
        {
            // `kubernetesVersion = 1.30` is the float 1.3: the spelling would be lost.
            Diagnostic::error(
                Code::Shape,
                "",
                format!("`{spelled}` is a number or boolean here, but this field takes a string"),
            )
            .hint(format!("quote it: \"{spelled}\""))
        } else {
            shape_or_syntax(&message)
        };
        if let Some(span) = err.span() {
            let (line, column) = line_col(text, span.start);
            diag = diag.at(line, column);
        }
        diag
    })
}

/// Unknown, missing or mistyped fields are MG002; anything else the parser rejects is MG001.
fn shape_or_syntax(message: &str) -> Diagnostic {
    let shape = [
        "unknown field",
        "missing field",
        "invalid type",
        "unknown variant",
        "invalid value",
        "invalid length",
    ]
    .iter()
    .any(|m| message.contains(m));
    if shape {
        Diagnostic::error(Code::Shape, "", message.to_owned())
            .hint("compare with `meshgen schema`, or start from `meshgen init`")
    } else {
        Diagnostic::error(Code::Syntax, "", message.to_owned())
            .hint("fix the syntax at the marked place")
    }
}

/// The parser's first line, without the position it appends (shown separately).
fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or_default().trim();
    match line.rfind(" at line ") {
        Some(i) if line[i..].contains(", column ") => line[..i].to_owned(),
        _ => line.to_owned(),
    }
}
