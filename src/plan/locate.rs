//! Where a field path (`clusters[1].loadBalancerIPs.eastWest`) sits in the plan text.
//!
//! Built only when there are diagnostics to place, from a second, span-keeping
//! parse of the text, so the typed [`super::Plan`] stays free of span wrappers.

use std::collections::HashMap;

use serde_saphyr::granit_parser::{Event, Parser};

use super::load::{Format, Source, line_col};

/// Field path to the 1-based (line, column) of its value.
#[derive(Debug, Default)]
pub struct Locator {
    positions: HashMap<String, (u32, u32)>,
    /// Position of a mapping key to the path it names, for errors the parser reports at a key.
    keys: HashMap<(u32, u32), String>,
}

impl Locator {
    pub fn new(source: &Source) -> Locator {
        let text = source.text.strip_prefix('\u{FEFF}').unwrap_or(&source.text);
        let mut locator = Locator::default();
        match source.format {
            Format::Yaml => yaml_positions(text, &mut locator),
            Format::Toml => toml_positions(text, &mut locator),
        }
        locator
    }

    /// The path of the key or value that starts at (line, column), if one does.
    pub fn path_at(&self, line: u32, column: u32) -> Option<&str> {
        if let Some(path) = self.keys.get(&(line, column)) {
            return Some(path);
        }
        self.positions
            .iter()
            .filter(|(_, pos)| **pos == (line, column))
            .map(|(path, _)| path.as_str())
            .max_by_key(|path| path.len())
    }

    /// The position of `path`, or of its nearest ancestor that the text spells out
    /// (a missing field is reported where its parent is).
    pub fn locate(&self, path: &str) -> Option<(u32, u32)> {
        let mut path = path;
        loop {
            if let Some(pos) = self.positions.get(path) {
                return Some(*pos);
            }
            if path.is_empty() {
                return None;
            }
            path = parent(path);
        }
    }
}

/// `a.b[2].c` -> `a.b[2]` -> `a.b` -> `a` -> ``.
fn parent(path: &str) -> &str {
    match path.rfind(['.', '[']) {
        Some(i) => &path[..i],
        None => "",
    }
}

fn join_key(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

enum Frame {
    Mapping { path: String, key: Option<String> },
    Sequence { path: String, next: usize },
}

fn yaml_positions(text: &str, out: &mut Locator) {
    let mut stack: Vec<Frame> = Vec::new();
    // Only the first document is the plan; aliases are recorded where they are used, never expanded.
    for item in Parser::new_from_str(text) {
        let Ok((event, span)) = item else { return };
        let pos = (span.start.line() as u32, span.start.col() as u32 + 1);
        let is_node = matches!(
            event,
            Event::Scalar(..)
                | Event::MappingStart(..)
                | Event::SequenceStart(..)
                | Event::Alias(..)
        );
        if is_node {
            // A scalar in key position of a mapping is a key, not a value.
            if let Some(Frame::Mapping { key, path }) = stack.last_mut()
                && key.is_none()
            {
                match &event {
                    Event::Scalar(value, ..) => {
                        out.keys.insert(pos, join_key(path, value));
                        *key = Some(value.to_string());
                    }
                    // A complex key: no plan field has one, so positions stop here.
                    _ => return,
                }
                continue;
            }
            let path = match stack.last_mut() {
                None => String::new(),
                Some(Frame::Mapping { path, key }) => {
                    join_key(path, &key.take().unwrap_or_default())
                }
                Some(Frame::Sequence { path, next }) => {
                    *next += 1;
                    format!("{path}[{}]", *next - 1)
                }
            };
            out.positions.entry(path.clone()).or_insert(pos);
            match event {
                Event::MappingStart(..) => stack.push(Frame::Mapping { path, key: None }),
                Event::SequenceStart(..) => stack.push(Frame::Sequence { path, next: 0 }),
                _ => {}
            }
        } else {
            match event {
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                }
                Event::DocumentEnd => return,
                _ => {}
            }
        }
    }
}

fn toml_positions(text: &str, out: &mut Locator) {
    use toml::de::{DeTable, DeValue};

    fn walk(text: &str, path: &str, value: &toml::Spanned<DeValue<'_>>, out: &mut Locator) {
        out.positions
            .entry(path.to_owned())
            .or_insert_with(|| line_col(text, value.span().start));
        match value.get_ref() {
            DeValue::Table(table) => {
                for (key, child) in table.iter() {
                    let child_path = join_key(path, key.get_ref());
                    out.keys
                        .insert(line_col(text, key.span().start), child_path.clone());
                    walk(text, &child_path, child, out);
                }
            }
            DeValue::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(text, &format!("{path}[{i}]"), child, out);
                }
            }
            _ => {}
        }
    }

    let Ok(root) = DeTable::parse(text) else {
        return;
    };
    for (key, child) in root.get_ref().iter() {
        out.keys
            .insert(line_col(text, key.span().start), key.get_ref().to_string());
        walk(text, key.get_ref(), child, out);
    }
}
