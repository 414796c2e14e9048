//! Diagnostics for machines: a JSON document, and GitHub Actions workflow commands.
//!
//! Both are contracts that scripts rely on; the human-readable form is
//! [`Diagnostics::to_text`].
//!
//! JSON (`--format json`): one document per plan, on one line, on stdout:
//!
//! ```json
//! {"file":"mesh.yaml","diagnostics":[{"code":"MG002","severity":"error","path":"mesh.verison",
//!  "line":3,"column":3,"message":"...","hint":"..."}],"errors":1,"warnings":0}
//! ```
//!
//! `file` is the plan path as given (`null` for stdin); in each diagnostic `severity` is
//! `error` or `warning`, `path` is the plan field path (`""` for the whole file), `line`
//! and `column` are 1-based (`null` when unknown) and `hint` may be `""`. Diagnostics are
//! sorted by position. Fields are never renamed or removed; new ones may be added.
//!
//! GitHub (`--format github`): one `::error` or `::warning` workflow command per
//! diagnostic, which GitHub Actions shows as an annotation on the plan's line.

use serde::Serialize;

use crate::diag::{Diagnostic, Diagnostics, Severity};

/// The JSON document for one plan; `file` is `None` for stdin.
#[derive(Serialize)]
struct Document<'a> {
    file: Option<&'a str>,
    diagnostics: &'a Diagnostics,
    errors: usize,
    warnings: usize,
}

/// The JSON document for one plan, on one line (no trailing newline).
pub fn json(file: Option<&str>, diagnostics: &Diagnostics) -> String {
    let document = Document {
        file,
        diagnostics,
        errors: diagnostics.errors(),
        warnings: diagnostics.warnings(),
    };
    // Serializing plain strings and numbers cannot fail.
    serde_json::to_string(&document).unwrap_or_default()
}

/// One workflow command per diagnostic, each ending in a newline; `file` is `None` for stdin.
pub fn github(file: Option<&str>, diagnostics: &Diagnostics) -> String {
    diagnostics
        .iter()
        .map(|d| github_annotation(file, d))
        .collect()
}

/// `::error file=F,line=L,col=C,title=CODE::message` (the message also carries the field
/// path and the hint, on lines of their own).
fn github_annotation(file: Option<&str>, d: &Diagnostic) -> String {
    let command = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut properties = Vec::new();
    if let Some(file) = file {
        properties.push(format!("file={}", escape_property(file)));
    }
    if let Some(line) = d.line {
        properties.push(format!("line={line}"));
        if let Some(column) = d.column {
            properties.push(format!("col={column}"));
        }
    }
    properties.push(format!("title={}", escape_property(d.code.as_str())));
    let mut message = d.message.clone();
    if !d.path.is_empty() {
        message.push_str(&format!("\nat {}", d.path));
    }
    if !d.hint.is_empty() {
        message.push_str(&format!("\nhint: {}", d.hint));
    }
    format!(
        "::{command} {}::{}\n",
        properties.join(","),
        escape_data(&message)
    )
}

/// One annotation that is not about a diagnostic (e.g. a stale tree), attached to `file`.
pub fn github_error(file: Option<&str>, title: &str, message: &str) -> String {
    let mut properties = Vec::new();
    if let Some(file) = file {
        properties.push(format!("file={}", escape_property(file)));
    }
    properties.push(format!("title={}", escape_property(title)));
    format!(
        "::error {}::{}\n",
        properties.join(","),
        escape_data(message)
    )
}

/// A workflow command's message, escaped as GitHub's toolkit does (`%`, CR, LF).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: as [`escape_data`], plus `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::Code;

    fn sample() -> Diagnostics {
        Diagnostics::from(vec![
            Diagnostic::error(
                Code::Shape,
                "mesh.verison",
                "unknown field `verison`, 100% wrong",
            )
            .at(3, 3)
            .hint("did you mean `version`?"),
            Diagnostic::warning(Code::Syntax, "", "line\r\nbreak"),
        ])
    }

    #[test]
    fn json_is_one_line_with_the_documented_fields() {
        let doc = json(Some("dir/mesh.yaml"), &sample());
        assert!(!doc.contains('\n'));
        assert_eq!(
            doc,
            concat!(
                r#"{"file":"dir/mesh.yaml","diagnostics":["#,
                r#"{"code":"MG002","severity":"error","path":"mesh.verison","line":3,"column":3,"#,
                r#""message":"unknown field `verison`, 100% wrong","hint":"did you mean `version`?"},"#,
                r#"{"code":"MG001","severity":"warning","path":"","line":null,"column":null,"#,
                r#""message":"line\r\nbreak","hint":""}],"errors":1,"warnings":1}"#
            )
        );
        assert_eq!(
            json(None, &Diagnostics::default()),
            r#"{"file":null,"diagnostics":[],"errors":0,"warnings":0}"#
        );
    }

    #[test]
    fn github_escapes_data_and_properties() {
        assert_eq!(
            github(Some("a,b:c%.yaml"), &sample()),
            concat!(
                "::error file=a%2Cb%3Ac%25.yaml,line=3,col=3,title=MG002::",
                "unknown field `verison`, 100%25 wrong%0Aat mesh.verison%0Ahint: did you mean `version`?\n",
                "::warning file=a%2Cb%3Ac%25.yaml,title=MG001::line%0D%0Abreak\n",
            )
        );
        assert_eq!(github(None, &Diagnostics::default()), "");
        assert_eq!(
            github_error(None, "t:1", "a\nb"),
            "::error title=t%3A1::a%0Ab\n"
        );
    }
}
