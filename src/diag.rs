//! Diagnostics: what is wrong with a plan, where, and how to fix it.

use std::fmt::Write as _;

use serde::Serialize;

pub use crate::codes;
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
    pub code: &'static str,
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
    pub fn error(
        code: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, path.into(), message.into())
    }

    pub fn warning(
        code: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, path.into(), message.into())
    }

    fn new(severity: Severity, code: &'static str, path: String, message: String) -> Diagnostic {
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
            if let Some(text) = d.line.and_then(|l| lines.get(l as usize - 1)) {
                let number = d.line.unwrap_or_default().to_string();
                let pad = " ".repeat(number.len());
                let text = text.trim_end_matches('\r');
                let caret = d.column.unwrap_or(1).saturating_sub(1) as usize;
                let _ = writeln!(out, "  {pad} |");
                let _ = writeln!(out, "  {number} | {text}");
                let _ = writeln!(
                    out,
                    "  {pad} | {}{}^{}",
                    " ".repeat(caret.min(text.chars().count())),
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
