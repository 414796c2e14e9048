//! How a plan value is written into each output format, and how a rendered
//! file is checked before it enters the tree.
//!
//! The environment's formatter picks the escaping by template extension, so a
//! template cannot forget it: YAML scalars for `.yaml`, JSON values for
//! `.json`, Markdown text for `.md` (plus the `code` and `sh` filters for code
//! spans and commands). Every rendered file is then parsed back.
//!
//! Invisible characters (bidi controls, zero-width characters, line separators) are
//! written escaped in every format but JSON (which holds only checked names): the plan
//! fields that may hold them are the registry and the images, which the checks only warn
//! about (MG080) because meshgen writes them as given.

use crate::grammar::text;

/// A string as a YAML scalar that every reader (YAML 1.1 and 1.2) reads back as
/// the same string: plain when that is unambiguous, double-quoted otherwise.
/// Never contains a line break, so it is safe inside a comment too.
pub fn yaml_scalar(text: &str) -> String {
    const YAML11_WORDS: &[&str] = &[
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "=", "<<",
    ];
    let plain_safe = !text.is_empty()
        && text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./@".contains(c))
        && !YAML11_WORDS
            .iter()
            .any(|word| word.eq_ignore_ascii_case(text));
    if plain_safe {
        text.to_owned()
    } else {
        double_quoted(text)
    }
}

/// YAML double-quoted form: escapes quotes, backslashes, every character YAML does not
/// allow raw or would read as a line break (C0/C1 controls, NEL, LS, PS, BOM), and every
/// invisible character (bidi controls, zero-width characters: [`text::is_invisible`]), so
/// a reviewer of the file sees it. A reader gets the same string back.
fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20
                || (0x7f..=0x9f).contains(&(c as u32))
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                )
                || text::is_invisible(c) =>
            {
                out.push_str(&unicode_escape(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `\uXXXX`, or `\UXXXXXXXX` past the BMP: the escape YAML and bash both read.
/// `text` as one YAML comment line, `# text`, for a value that must read as it is there
/// (a yaml-language-server modeline's URL, which quotes would end wrongly). Whatever a
/// reader could take for a line break, and every other control or invisible character,
/// is written `\uXXXX`, so the comment cannot end early; being a comment from its first
/// character, it means nothing wherever a template places it.
pub fn yaml_comment(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push_str("# ");
    for c in text.chars() {
        if c.is_control()
            || matches!(
                c,
                '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
            )
            || text::is_invisible(c)
        {
            out.push_str(&unicode_escape(c));
        } else {
            out.push(c);
        }
    }
    out
}

fn unicode_escape(c: char) -> String {
    match c as u32 {
        n @ 0..=0xffff => format!("\\u{n:04x}"),
        n => format!("\\U{n:08x}"),
    }
}

/// A string as Markdown text (prose or a table cell): every character that
/// could start markup or end a table cell is backslash-escaped, control
/// characters (line breaks included) become spaces, so a value stays inside
/// its cell or sentence, and invisible characters show as `\u{202e}`.
pub fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') => out.push(' '),
            c if text::is_invisible(c) => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    out
}

/// A string as a Markdown code span, fenced with more backticks than it holds
/// in a row; line breaks become spaces and `|` is escaped (a table would end
/// the cell there even inside a code span).
pub fn markdown_code(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| {
            if c.is_control() {
                " ".to_owned()
            } else if text::is_invisible(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .replace('|', "\\|");
    let longest_run = flat.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let pad = if flat.starts_with('`') || flat.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{flat}{pad}{fence}")
}

/// A string as one shell word (POSIX sh, bash): bare when only safe characters,
/// single-quoted otherwise, and ANSI-C quoted (`$'...'`) when it holds control
/// characters, so a command never spans lines and never ends a code fence.
pub fn shell_word(text: &str) -> String {
    let bare = !text.is_empty()
        && text.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '_' | '@' | '%' | '+' | '=' | ':' | ',' | '.' | '/' | '-')
        });
    if bare {
        return text.to_owned();
    }
    if text
        .chars()
        .any(|c| c.is_control() || text::is_invisible(c))
    {
        let mut out = String::from("$'");
        for c in text.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("\\'"),
                c if (c as u32) < 0x80 && c.is_control() => {
                    out.push_str(&format!("\\x{:02x}", c as u32));
                }
                c if c.is_control() || text::is_invisible(c) => out.push_str(&unicode_escape(c)),
                c => out.push(c),
            }
        }
        out.push('\'');
        return out;
    }
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// Check a rendered YAML file: it parses, every document is a mapping, and no
/// mapping repeats a key. A full parse, but of events only: building values would
/// cost twice as much for nothing the check needs.
pub fn check_yaml(path: &str, text: &str) -> Result<(), String> {
    use std::collections::HashSet;

    use serde_saphyr::granit_parser::{Event, Parser};

    enum Frame {
        Mapping {
            keys: HashSet<String>,
            next_is_key: bool,
        },
        Sequence,
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut documents = 0;
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|e| {
            // The line it stopped at, so the template bug is plain to see.
            let line = text
                .lines()
                .nth(e.marker().line().saturating_sub(1))
                .unwrap_or("");
            format!("rendered {path} does not parse back as YAML: {e}\n  | {line}")
        })?;
        let at = || format!("rendered {path}:{}", span.start.line());
        let is_node = crate::plan::is_yaml_node(&event);
        if !is_node {
            if matches!(event, Event::MappingEnd | Event::SequenceEnd) {
                stack.pop();
            }
            continue;
        }
        match stack.last_mut() {
            None => {
                documents += 1;
                if !matches!(event, Event::MappingStart(..)) {
                    return Err(format!("{}: document {documents} is not a mapping", at()));
                }
            }
            Some(Frame::Mapping { keys, next_is_key }) => {
                if *next_is_key {
                    let Event::Scalar(key, ..) = &event else {
                        return Err(format!("{}: a mapping key is not a scalar", at()));
                    };
                    if !keys.insert(key.to_string()) {
                        return Err(format!(
                            "{}: key `{key}` appears twice in one mapping",
                            at()
                        ));
                    }
                }
                *next_is_key = !*next_is_key;
            }
            Some(Frame::Sequence) => {}
        }
        match event {
            Event::MappingStart(..) => stack.push(Frame::Mapping {
                keys: HashSet::new(),
                next_is_key: true,
            }),
            Event::SequenceStart(..) => stack.push(Frame::Sequence),
            _ => {}
        }
    }
    if documents == 0 {
        return Err(format!("rendered {path} holds no YAML document"));
    }
    Ok(())
}

/// Check a rendered JSON file: it parses to an array or an object.
pub fn check_json(path: &str, text: &str) -> Result<(), String> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| format!("rendered {path} does not parse back as JSON: {e}"))?;
    if !(value.is_array() || value.is_object()) {
        return Err(format!("rendered {path} is not a JSON array or object"));
    }
    Ok(())
}

/// Check a rendered shell script: it starts with `#!`, and every quote it opens is closed
/// (single, double, and backslash escapes, outside comments and here-documents), so no
/// placed value can run into the script's code. `shellcheck` judges the rest (CI).
pub fn check_script(path: &str, text: &str) -> Result<(), String> {
    if !text.starts_with("#!") {
        return Err(format!("rendered {path} does not start with #!"));
    }
    let mut heredoc: Option<String> = None;
    let mut open: Option<(char, usize)> = None;
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        if let Some(end) = &heredoc {
            if line.trim_start_matches('\t') == end {
                heredoc = None;
            }
            continue;
        }
        let mut chars = line.chars().peekable();
        let mut previous = ' ';
        while let Some(c) = chars.next() {
            match (open, c) {
                (None, '#') if previous.is_whitespace() || previous == ';' => break,
                (None, '\\') | (Some(('"', _)), '\\') => {
                    chars.next();
                }
                (None, '\'' | '"') => open = Some((c, n)),
                (Some((q, _)), _) if q == c => open = None,
                (None, '<') if chars.peek() == Some(&'<') => {
                    chars.next();
                    let rest: String = chars.clone().collect();
                    let word = rest.trim_start_matches('-').trim_start();
                    let word: String = word
                        .chars()
                        .take_while(|c| !c.is_whitespace() && *c != ';')
                        .filter(|c| *c != '\'' && *c != '"')
                        .collect();
                    if !word.is_empty() {
                        heredoc = Some(word);
                    }
                }
                _ => {}
            }
            previous = c;
        }
    }
    // A quote may span lines (a newline in a variable): only the end of the file judges.
    if let Some((q, line)) = open {
        return Err(format!(
            "rendered {path}:{line}: the quote {q} is never closed"
        ));
    }
    if heredoc.is_some() {
        return Err(format!("rendered {path}: a here-document is never ended"));
    }
    Ok(())
}

/// Check a rendered Markdown file: code fences are closed and every table row
/// has its header's number of cells. (Inside a code block a backslash is legal
/// shell quoting, e.g. `'K\&'`, so code blocks are not inspected.)
pub fn check_markdown(path: &str, text: &str) -> Result<(), String> {
    let mut fence: Option<usize> = None;
    let mut table_cells: Option<usize> = None;
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        if line.trim_start().starts_with("```") {
            fence = match fence {
                Some(_) => None,
                None => Some(n),
            };
            table_cells = None;
            continue;
        }
        if fence.is_some() {
            continue;
        }
        if line.starts_with('|') {
            let cells = table_cell_count(line);
            match table_cells {
                None => table_cells = Some(cells),
                Some(expected) if expected != cells => {
                    return Err(format!(
                        "rendered {path}:{n}: table row has {cells} cells, its header {expected}"
                    ));
                }
                Some(_) => {}
            }
        } else {
            table_cells = None;
        }
    }
    match fence {
        Some(n) => Err(format!("rendered {path}:{n}: code block is never closed")),
        None => Ok(()),
    }
}

/// Cells of a `| a | b |` row: unescaped pipes minus one.
fn table_cell_count(line: &str) -> usize {
    let mut pipes = 0usize;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '|' => pipes += 1,
            _ => {}
        }
    }
    pipes.saturating_sub(1)
}

#[cfg(test)]
mod tests;
