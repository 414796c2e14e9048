//! The human-readable report, drawn by `annotate-snippets`: each problem with its code,
//! place, source line, caret (placed by display width, so `主节点` counts six columns) and
//! hint, then a summary.
//!
//! Nothing from the plan reaches the terminal raw: messages, hints, field paths and the
//! file name go through [`escape`], source lines through [`excerpt`]. Repeated problems
//! (same code and message) are shown [`FOLD_AFTER`] times, then counted on one line.
//! The cost is linear in the plan and the number of diagnostics, however long a line is.

use std::borrow::Cow;
use std::collections::HashMap;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use super::source::{Lines, Source};
use super::{Diagnostic, Diagnostics, Severity};
use crate::codes::Code;

/// How many diagnostics with the same code and message are shown in full; the rest
/// are counted on one line that names where they are (`--format json` lists each one).
pub const FOLD_AFTER: usize = 3;
/// How many places a fold line names before it only counts.
const FOLD_PLACES: usize = 5;
/// Widest source excerpt shown under a diagnostic, in characters.
const EXCERPT_WIDTH: usize = 100;

/// The report for `diagnostics` of `source`, ending with the summary line.
pub fn render(diagnostics: &Diagnostics, source: &Source, color: bool) -> String {
    let mut lines = Lines::new(&source.text);
    render_with(diagnostics, source, &mut lines, color)
}

fn render_with(
    diagnostics: &Diagnostics,
    source: &Source,
    lines: &mut Lines<'_>,
    color: bool,
) -> String {
    // The excerpt is already cut to its window: the renderer must not cut it again.
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .term_width(usize::MAX / 4);
    let name = escape(&source.name);
    // Every diagnostic of each (code, message), in report order.
    let mut alike: HashMap<(Code, &str), Vec<&Diagnostic>> = HashMap::new();
    for d in diagnostics.iter() {
        alike.entry((d.code, &d.message)).or_default().push(d);
    }
    let mut shown: HashMap<(Code, &str), usize> = HashMap::new();
    let mut out = String::new();
    for d in diagnostics.iter() {
        let key = (d.code, d.message.as_str());
        let nth = shown.entry(key).or_default();
        *nth += 1;
        if *nth > FOLD_AFTER {
            continue;
        }
        out.push_str(&one(&renderer, d, &name, lines, color));
        out.push_str("\n\n");
        let same = &alike[&key];
        if *nth == FOLD_AFTER && same.len() > FOLD_AFTER {
            let note = Level::NOTE.secondary_title(folded(d, &same[FOLD_AFTER..]));
            out.push_str(&renderer.render(&[Group::with_title(note)]));
            out.push_str("\n\n");
        }
    }
    out.push_str(&format!("{name}: {}\n", diagnostics.summary()));
    out
}

/// One diagnostic: title, `--> file:line:column`, the source line with a caret labelled
/// with the field path, and the hint.
fn one(
    renderer: &Renderer,
    d: &Diagnostic,
    name: &str,
    lines: &mut Lines<'_>,
    color: bool,
) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let path = escape(&d.path);
    let title = level.primary_title(escape(&d.message)).id(d.code.as_str());
    let mut group = Group::with_title(title);
    let shown = d
        .line
        .and_then(|line| Some((line, excerpt(lines, line, d.column.unwrap_or(1))?)));
    let place = match (d.line, d.column) {
        (Some(line), Some(column)) => format!("{name}:{line}:{column}"),
        (Some(line), None) => format!("{name}:{line}"),
        _ => name.to_owned(),
    };
    match &shown {
        Some((line, excerpt)) => {
            let mut caret = AnnotationKind::Primary.span(excerpt.caret.clone());
            if !path.is_empty() {
                caret = caret.label(path.as_ref());
            }
            group = group.element(
                Snippet::source(excerpt.text.as_str())
                    .line_start(*line as usize)
                    .annotation(caret),
            );
        }
        None => {
            group = group.element(Origin::path(place.as_str()));
            if !path.is_empty() {
                group = group.element(Level::NOTE.with_name(Some("at")).message(path.as_ref()));
            }
        }
    }
    if !d.hint.is_empty() {
        group = group.element(Level::HELP.with_name(Some("hint")).message(escape(&d.hint)));
    }
    let text = renderer.render(&[group]);
    let Some((line, _)) = shown else {
        return text;
    };
    // The excerpt may start inside its line, so the place comes from the diagnostic, not
    // from the snippet: it goes under the title, as the renderer would put it.
    let (title, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let indent = " ".repeat(line.to_string().len());
    let arrow = if color {
        let style = annotate_snippets::renderer::DEFAULT_LINE_NUM_STYLE;
        format!("{style}-->{style:#}")
    } else {
        "-->".to_owned()
    };
    format!("{title}\n{indent}{arrow} {place}\n{rest}")
}

/// The line `more` diagnostics like `first` are folded into.
fn folded(first: &Diagnostic, more: &[&Diagnostic]) -> String {
    let severity = match first.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let places: Vec<String> = more
        .iter()
        .take(FOLD_PLACES)
        .map(|d| match (d.path.is_empty(), d.line) {
            (false, Some(line)) => format!("{} (line {line})", escape(&d.path)),
            (false, None) => escape(&d.path).into_owned(),
            (true, Some(line)) => format!("line {line}"),
            (true, None) => "the whole plan".to_owned(),
        })
        .collect();
    let others = match more.len().saturating_sub(FOLD_PLACES) {
        0 => String::new(),
        n => format!(" and {n} other{}", if n == 1 { "" } else { "s" }),
    };
    format!(
        "{} more {severity}{} [{}] with the same message: {}{others} (`--format json` lists every one)",
        more.len(),
        if more.len() == 1 { "" } else { "s" },
        first.code,
        places.join(", "),
    )
}

/// A source line as it is safe to print, cut to a window around the caret.
struct Excerpt {
    text: String,
    /// Byte range of the character the caret points at (empty at the end of the line).
    caret: std::ops::Range<usize>,
}

/// Line `line`, column `column` (1-based, in characters) as an [`Excerpt`]: characters a
/// terminal would obey (controls, bidi and invisible format characters, see [`is_unsafe`])
/// become U+FFFD, tabs spaces, and a long line is cut to [`EXCERPT_WIDTH`] characters
/// around the caret, marked `…`. `None` for a line the text does not have.
fn excerpt(lines: &mut Lines<'_>, line: u32, column: u32) -> Option<Excerpt> {
    let index = (line as usize).checked_sub(1)?;
    let text = lines.line(index)?;
    let line_start = lines.start(index)?;
    let at = lines.offset(line, column)? - line_start;
    // Up to half the window before the caret and the rest after it; near the end of the
    // line, more before. Only the window's characters are visited.
    let back: Vec<usize> = text[..at]
        .char_indices()
        .rev()
        .take(EXCERPT_WIDTH)
        .map(|(i, _)| i)
        .collect();
    let ahead: Vec<usize> = text[at..]
        .char_indices()
        .take(EXCERPT_WIDTH + 1)
        .map(|(i, _)| at + i)
        .collect();
    let before = back
        .len()
        .min((EXCERPT_WIDTH / 2).max(EXCERPT_WIDTH.saturating_sub(ahead.len())));
    let start = before.checked_sub(1).map_or(at, |last| back[last]);
    let end = ahead
        .get(EXCERPT_WIDTH - before)
        .copied()
        .unwrap_or(text.len());
    let safe = |c: char| match c {
        '\t' => ' ',
        c if is_unsafe(c) => char::REPLACEMENT_CHARACTER,
        c => c,
    };
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    shown.extend(text[start..at].chars().map(safe));
    let caret = shown.len();
    shown.extend(text[at..end].chars().map(safe));
    if end < text.len() {
        shown.push('…');
    }
    let width = text[at..end]
        .chars()
        .next()
        .map_or(0, |c| safe(c).len_utf8());
    Some(Excerpt {
        text: shown,
        caret: caret..caret + width,
    })
}

/// Whether a terminal could act on `c` or not show it: control characters (C0, DEL, C1),
/// line and paragraph separators, bidi controls and invisible format characters.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// `text` with every [`is_unsafe`] character written as an escape (`\n`, `\t`, `\u{1b}`),
/// so that a plan value inside a message prints as what it is.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(line: &str, column: u32) -> (String, usize) {
        let mut lines = Lines::new(line);
        let e = excerpt(&mut lines, 1, column).unwrap();
        (e.text, e.caret.start)
    }

    #[test]
    fn source_lines_are_printed_safely() {
        assert_eq!(shown("  id: x", 7), ("  id: x".to_owned(), 6));
        // A terminal escape, a C1 control and a NUL never reach the terminal; a tab is a space.
        let (text, caret) = shown("a\u{1b}[2J\tb\u{9b}\0", 5);
        assert_eq!(text, "a\u{fffd}[2J b\u{fffd}\u{fffd}");
        assert!(text[caret..].starts_with('J'));
        // A long line is cut to a window around the column.
        let long = format!("{}X{}", "a".repeat(5_000), "b".repeat(5_000));
        let (text, caret) = shown(&long, 5_001);
        assert!(text.chars().count() <= EXCERPT_WIDTH + 3, "{}", text.len());
        assert_eq!(text[caret..].chars().next(), Some('X'));
        assert!(text.starts_with('…') && text.ends_with('…'));
    }

    #[test]
    fn a_report_costs_linear_work_on_one_long_line() {
        // 80,000 entries of one flow list, each with a problem: every caret needs its column.
        let entries: Vec<String> = (0..80_000).map(|i| format!("x{i}")).collect();
        let text = format!("mesh: {{}}\nlist: [{}]\n", entries.join(", "));
        let source = Source::new("plan.yaml", text.as_str(), crate::Format::Yaml);
        let mut diagnostics = Diagnostics::default();
        let mut column = "list: [".len() as u32 + 1;
        for (i, entry) in entries.iter().enumerate() {
            diagnostics.push(
                Diagnostic::error(
                    Code::UnknownDemoCluster,
                    format!("list[{i}]"),
                    format!("`{entry}`"),
                )
                .at(2, column),
            );
            column += entry.len() as u32 + 2;
        }
        let before = super::super::source::steps();
        let mut lines = Lines::new(&source.text);
        let report = render_with(&diagnostics, &source, &mut lines, false);
        let walked = super::super::source::steps() - before;
        // Walking the line once per caret would be 80,000 x 560,000 characters.
        assert!(
            walked <= 2 * text.len(),
            "{walked} characters walked for a {} byte plan",
            text.len()
        );
        assert!(report.contains("^ list[79999]"), "the last caret is drawn");
        // Each excerpt is bounded, so the report is too.
        assert!(report.len() < 80_000 * 400, "{}", report.len());
    }

    #[test]
    fn messages_are_escaped() {
        assert_eq!(escape("plain `x`"), "plain `x`");
        assert_eq!(
            escape("main\u{1b}[31m\nred\u{202e}\u{9b}\t"),
            "main\\u{1b}[31m\\nred\\u{202e}\\u{9b}\\t"
        );
        // Line and paragraph separators, zero-width joiner and space are not shown raw either.
        assert_eq!(
            escape("a\u{2028}b\u{2029}c\u{200d}d\u{200b}e"),
            "a\\u{2028}b\\u{2029}c\\u{200d}d\\u{200b}e"
        );
    }
}
