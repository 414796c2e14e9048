//! The minijinja environment every template renders in: strict undefined values, the
//! templates embedded at build time, and escaping as the formatter's job alone (by the
//! template's file type: YAML, JSON, shell, Markdown), with no filter that switches it off.

use std::borrow::Cow;

use minijinja::{AutoEscape, Environment, Error, ErrorKind, State, UndefinedBehavior, Value};

use super::escape;

/// The template environment. An `Err` is a meshgen bug (a syntax setting minijinja refuses).
pub(super) fn environment() -> Result<Environment<'static>, String> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Syntax first: templates are compiled as they are added.
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .keep_trailing_newline(true)
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build();
    env.set_syntax(syntax.map_err(|e| format!("template syntax configuration: {e:#}"))?);
    // Before the templates: each takes its auto-escape mode when it is compiled.
    // A YAML template's captured output (a `{% filter indent(n) %}` block around an
    // included values template) is marked safe: the formatter escaped every value placed
    // in it, and places it as it is. With `safe` removed and `sh`/`code` refused outside
    // Markdown, nothing else in a YAML template is safe but a `comment` line.
    // Markdown's the same way: a macro's output (a README part called for each cluster) is
    // placed as its own `{{ }}`s escaped it.
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".yaml") {
            AutoEscape::Custom("yaml".into())
        } else if name.ends_with(".md") {
            AutoEscape::Custom("markdown".into())
        } else {
            AutoEscape::None
        }
    });
    minijinja_embed::load_templates!(&mut env);
    // Escaping is the formatter's job alone: no filter may switch it off.
    for filter in ["safe", "escape", "e"] {
        env.remove_filter(filter);
    }
    // A whole comment line: a YAML template's one way to place text unquoted.
    env.add_filter("comment", |state: &State, value: Value| {
        if !state.name().ends_with(".yaml") {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!(
                    "the `comment` filter is for YAML templates, not {}",
                    state.name()
                ),
            ));
        }
        Ok(Value::from_safe_string(escape::yaml_comment(&plain_text(
            &value,
        ))))
    });
    env.add_filter("sh", |state: &State, value: Value| {
        markdown_only(state, "sh")?;
        Ok(Value::from_safe_string(escape::shell_word(&plain_text(
            &value,
        ))))
    });
    env.add_filter("code", |state: &State, value: Value| {
        markdown_only(state, "code")?;
        Ok(Value::from_safe_string(escape::markdown_code(&plain_text(
            &value,
        ))))
    });
    env.set_formatter(|out, state, value| {
        let name = state.name();
        use minijinja::value::ValueKind;
        let scalar = matches!(
            value.kind(),
            ValueKind::String | ValueKind::Number | ValueKind::Bool
        );
        if !scalar {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("only strings, numbers and booleans can be placed, not {value:?}"),
            ));
        }
        // Borrowed where the value is written as it is (no copy of a captured block).
        let text: Cow<str> = if value.kind() == ValueKind::Bool {
            // minijinja prints booleans Python-style (`True`); every format here wants `true`.
            Cow::Borrowed(if value.is_true() { "true" } else { "false" })
        } else if name.ends_with(".yaml") {
            match value.as_str() {
                // Captured template output, its values escaped already (see above).
                Some(text) if value.is_safe() => Cow::Borrowed(text),
                Some(text) => escape::yaml_scalar(text).into(),
                None => value.to_string().into(),
            }
        } else if name.ends_with(".json") {
            serde_json::to_string(value)
                .map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))?
                .into()
        } else if name.ends_with(".sh") {
            // Every placed value is one shell word; POSIX sh has no `$'...'` for control
            // characters (the checks let none reach a script).
            let text = plain_text(value);
            if text
                .chars()
                .any(|c| c.is_control() || crate::grammar::text::is_invisible(c))
            {
                return Err(Error::new(
                    ErrorKind::InvalidOperation,
                    format!("{text:?} holds a control or invisible character: no POSIX shell word"),
                ));
            }
            escape::shell_word(&text).into()
        } else if name.ends_with(".md") {
            // `sh` and `code` mark their output safe: it is already escaped.
            match value.as_str() {
                Some(text) if !value.is_safe() => escape::markdown_text(text).into(),
                Some(text) => Cow::Borrowed(text),
                None => value.to_string().into(),
            }
        } else {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("no escaping known for template {name}"),
            ));
        };
        out.write_str(&text).map_err(Error::from)
    });
    Ok(env)
}

/// `sh` and `code` escape for Markdown's code blocks and spans; their safe output would
/// skip a YAML template's escaping.
fn markdown_only(state: &State, filter: &str) -> Result<(), Error> {
    if state.name().ends_with(".md") {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "the `{filter}` filter is for Markdown templates, not {}",
                state.name()
            ),
        ))
    }
}

/// A placed value as text: strings as they are, numbers and booleans printed.
fn plain_text(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}
