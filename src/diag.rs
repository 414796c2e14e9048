//! Diagnostics: what is wrong with a plan, where, and how to fix it.

use std::fmt::Write as _;

use serde::Serialize;

pub use crate::codes::{self, Code};
use crate::plan::{Locator, Source};

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
            message,
            hint: String::new(),
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = hint.into();
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

    /// Fill in lines and columns from the plan text, then sort by position, so the
    /// output reads top to bottom and is the same on every run.
    pub fn locate(&mut self, source: &Source) {
        if self
            .0
            .iter()
            .any(|d| d.line.is_none() && !d.path.is_empty())
        {
            let locator = Locator::new(source);
            for d in self.0.iter_mut().filter(|d| d.line.is_none()) {
                if let Some((line, column)) = locator.locate(&d.path) {
                    d.line = Some(line);
                    d.column = Some(column);
                }
            }
        }
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
    }

    /// Human-readable report: each problem with its code, place, source line and hint, then a summary.
    pub fn to_text(&self, source: &Source, color: bool) -> String {
        let style = Styles::new(color);
        let lines: Vec<&str> = source.text.lines().collect();
        let mut out = String::new();
        for d in &self.0 {
            let (label, label_style) = match d.severity {
                Severity::Error => ("error", style.error),
                Severity::Warning => ("warning", style.warning),
            };
            let _ = writeln!(
                out,
                "{}{label}[{}]{}: {}{}{}",
                label_style.render(),
                d.code,
                label_style.render_reset(),
                style.bold.render(),
                d.message,
                style.bold.render_reset()
            );
            let place = match (d.line, d.column) {
                (Some(line), Some(column)) => format!("{}:{line}:{column}", source.name),
                (Some(line), None) => format!("{}:{line}", source.name),
                _ => source.name.clone(),
            };
            let at = if d.path.is_empty() {
                String::new()
            } else {
                format!(" at {}", d.path)
            };
            let _ = writeln!(
                out,
                "  {}-->{} {place}{at}",
                style.dim.render(),
                style.dim.render_reset()
            );
            let line = d
                .line
                .and_then(|l| l.checked_sub(1))
                .and_then(|i| lines.get(i as usize));
            if let Some(text) = line {
                let number = d.line.unwrap_or_default().to_string();
                let pad = " ".repeat(number.len());
                let column = d.column.unwrap_or(1).saturating_sub(1) as usize;
                let (text, caret) = shown_line(text, column);
                let _ = writeln!(out, "  {pad} |");
                let _ = writeln!(out, "  {number} | {text}");
                let _ = writeln!(
                    out,
                    "  {pad} | {}{}^{}",
                    " ".repeat(caret),
                    label_style.render(),
                    label_style.render_reset()
                );
            }
            if !d.hint.is_empty() {
                let _ = writeln!(
                    out,
                    "  = {}hint{}: {}",
                    style.hint.render(),
                    style.hint.render_reset(),
                    d.hint
                );
            }
            out.push('\n');
        }
        let _ = writeln!(out, "{}: {}", source.name, self.summary());
        out
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

/// Widest source excerpt shown under a diagnostic, in characters.
const EXCERPT_WIDTH: usize = 100;

/// A plan line as it is safe to print: control characters (which a terminal would obey)
/// become U+FFFD, tabs spaces, and a long line is cut to a window around `column`
/// (0-based, in characters). Returns the text and the caret's offset in it.
fn shown_line(line: &str, column: usize) -> (String, usize) {
    let chars: Vec<char> = line.trim_end_matches('\r').chars().collect();
    let column = column.min(chars.len());
    let start = column
        .saturating_sub(EXCERPT_WIDTH / 2)
        .min(chars.len().saturating_sub(EXCERPT_WIDTH));
    let end = (start + EXCERPT_WIDTH).min(chars.len());
    let mut text = String::new();
    let mut caret = column - start;
    if start > 0 {
        text.push('…');
        caret += 1;
    }
    text.extend(chars[start..end].iter().map(|&c| match c {
        '\t' => ' ',
        c if c.is_control() => char::REPLACEMENT_CHARACTER,
        c => c,
    }));
    if end < chars.len() {
        text.push('…');
    }
    (text, caret)
}

struct Styles {
    error: anstyle::Style,
    warning: anstyle::Style,
    bold: anstyle::Style,
    dim: anstyle::Style,
    hint: anstyle::Style,
}

impl Styles {
    fn new(color: bool) -> Styles {
        use anstyle::{AnsiColor, Style};
        if !color {
            return Styles {
                error: Style::new(),
                warning: Style::new(),
                bold: Style::new(),
                dim: Style::new(),
                hint: Style::new(),
            };
        }
        Styles {
            error: Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
            warning: Style::new().bold().fg_color(Some(AnsiColor::Yellow.into())),
            bold: Style::new().bold(),
            dim: Style::new().fg_color(Some(AnsiColor::Blue.into())),
            hint: Style::new().bold().fg_color(Some(AnsiColor::Cyan.into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::shown_line;

    #[test]
    fn source_lines_are_printed_safely() {
        assert_eq!(shown_line("  id: x", 6), ("  id: x".to_owned(), 6));
        // A terminal escape and a NUL never reach the terminal; tabs keep the caret aligned.
        assert_eq!(
            shown_line("a\u{1b}[2J\tb\0", 4),
            ("a\u{fffd}[2J b\u{fffd}".to_owned(), 4)
        );
        // A long line is cut to a window around the column.
        let long = format!("{}X{}", "a".repeat(5_000), "b".repeat(5_000));
        let (text, caret) = shown_line(&long, 5_000);
        assert!(text.chars().count() <= 102, "{}", text.len());
        assert_eq!(text.chars().nth(caret), Some('X'));
        assert!(text.starts_with('…') && text.ends_with('…'));
    }
}
