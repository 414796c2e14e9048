//! Diagnostics: what is wrong with a plan, where, and how to fix it.
//!
//! This module sits below every stage: it knows codes, the plan's text ([`Source`]) and
//! how to report, never a stage. [`text`] draws the human-readable report; `report`
//! the machine formats.

pub(crate) mod source;
mod suggest;
pub mod text;

use serde::Serialize;

pub use crate::codes::{self, Code};
pub use source::{Format, Lines, Source};
pub use suggest::did_you_mean;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in a plan. The field names are part of the JSON output contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable code, `MG` and three digits; `meshgen explain CODE` says more.
    pub code: Code,
    pub severity: Severity,
    /// Path of the offending field in the plan, e.g. `clusters[1].loadBalancerIPs.eastWest`; empty for the whole file.
    pub path: String,
    /// 1-based line in the plan file, where known.
    pub line: Option<u32>,
    /// 1-based column (in characters), where known.
    pub column: Option<u32>,
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl Diagnostic {
    pub fn error(code: Code, path: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, path.into(), message.into())
    }

    pub fn warning(code: Code, path: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, path.into(), message.into())
    }

    fn new(severity: Severity, code: Code, path: String, message: String) -> Diagnostic {
        Diagnostic {
            code,
            severity,
            path,
            line: None,
            column: None,
            message: bounded(message),
            hint: String::new(),
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = bounded(hint.into());
        self
    }

    pub fn at(mut self, line: u32, column: u32) -> Diagnostic {
        self.line = Some(line);
        self.column = Some(column);
        self
    }
}

/// All the problems found in one run, in a stable order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Diagnostics(Vec<Diagnostic>);

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(list: Vec<Diagnostic>) -> Diagnostics {
        Diagnostics(list)
    }
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn errors(&self) -> usize {
        self.0
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.0
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }

    pub fn has_errors(&self) -> bool {
        self.errors() > 0
    }

    /// Turn warnings into errors (`--deny-warnings`).
    pub fn deny_warnings(&mut self) {
        for d in &mut self.0 {
            d.severity = Severity::Error;
        }
    }

    /// Whether some diagnostic names a field but has no line yet.
    pub fn need_lines(&self) -> bool {
        self.0
            .iter()
            .any(|d| d.line.is_none() && !d.path.is_empty())
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Diagnostic> {
        self.0.iter_mut()
    }

    /// Sort by position (then path, code, message) and drop exact repeats, so the
    /// output reads top to bottom and is the same on every run; cut long field paths
    /// (once they have served to find the line).
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            (
                a.line.unwrap_or(u32::MAX),
                a.column,
                &a.path,
                a.code,
                &a.message,
            )
                .cmp(&(
                    b.line.unwrap_or(u32::MAX),
                    b.column,
                    &b.path,
                    b.code,
                    &b.message,
                ))
        });
        self.0.dedup();
        for d in &mut self.0 {
            if d.path.len() > MAX_VALUE_BYTES {
                d.path = bounded(std::mem::take(&mut d.path));
            }
        }
    }

    /// Human-readable report: each problem with its code, place, source line and hint,
    /// repeated problems folded, then a summary ([`text`]).
    pub fn to_text(&self, source: &Source, color: bool) -> String {
        text::render(self, source, color)
    }

    /// `2 errors, 1 warning` / `no problems`.
    pub fn summary(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        match (self.errors(), self.warnings()) {
            (0, 0) => "no problems".to_owned(),
            (e, 0) => plural(e, "error"),
            (0, w) => plural(w, "warning"),
            (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
        }
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Longest run of non-blank characters a message, hint or path keeps (a plan value
/// quoted in it): a 1 MB name must not become megabytes of report.
const MAX_VALUE_BYTES: usize = 160;

/// `text` with every run of non-blank characters longer than [`MAX_VALUE_BYTES`] cut in
/// the middle, with a marker that says how much was cut.
fn bounded(text: String) -> String {
    if text.len() <= MAX_VALUE_BYTES
        || !text
            .split_whitespace()
            .any(|word| word.len() > MAX_VALUE_BYTES)
    {
        return text;
    }
    let mut out = String::new();
    let mut rest = text.as_str();
    while !rest.is_empty() {
        let blank = rest.len() - rest.trim_start().len();
        out.push_str(&rest[..blank]);
        rest = &rest[blank..];
        let word_len = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (word, after) = rest.split_at(word_len);
        rest = after;
        if word.len() <= MAX_VALUE_BYTES {
            out.push_str(word);
            continue;
        }
        // Keep the start and the last few characters (a closing quote or backtick).
        let head = floor_boundary(word, MAX_VALUE_BYTES / 2);
        let tail = ceil_boundary(word, word.len() - 8);
        let cut = word[head..tail].chars().count();
        out.push_str(&word[..head]);
        out.push_str(&format!("…[{cut} characters cut]…"));
        out.push_str(&word[tail..]);
    }
    out
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_with_a_marker() {
        let short = "cluster name `c1` is not valid".to_owned();
        assert_eq!(bounded(short.clone()), short);
        let name = "n".repeat(1_000_000);
        let d = Diagnostic::error(Code::InvalidName, "", format!("name `{name}` is too long"))
            .hint(format!("shorten `{name}`"));
        assert!(d.message.len() < 200, "{}", d.message.len());
        assert!(d.message.starts_with("name `nnn"), "{}", d.message);
        assert!(d.message.ends_with("nnnnnnn` is too long"), "{}", d.message);
        assert!(
            d.message.contains("[999914 characters cut]"),
            "{}",
            d.message
        );
        assert!(d.hint.len() < 200);
        // Multi-byte characters are cut at character boundaries.
        let wide = "主".repeat(1_000);
        assert!(bounded(wide).contains("characters cut"));
    }
}
