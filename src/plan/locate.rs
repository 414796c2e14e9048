//! Where a field path (`clusters[1].loadBalancerIPs.eastWest`) sits in the plan text.
//!
//! Built only when there are diagnostics to place, from a second, span-keeping
//! parse of the text, so the typed [`super::Plan`] stays free of span wrappers.
//! Paths are stored as a tree of segments (each key once), not as strings, so the
//! memory stays proportional to the text however deep or wide the plan is.

use std::collections::HashMap;

use serde_saphyr::granit_parser::{Event, Parser};

use super::limits;
use crate::diag::{Diagnostics, Format, Lines, Source};

/// Fill in the lines and columns of `diagnostics` from the plan text where they name a
/// field but have no line, then sort them by position ([`Diagnostics::sort`]). The
/// locator is built only when some diagnostic needs it.
pub fn locate(diagnostics: &mut Diagnostics, source: &Source) {
    if diagnostics.need_lines() {
        let locator = Locator::new(source);
        for d in diagnostics.iter_mut().filter(|d| d.line.is_none()) {
            if let Some((line, column)) = locator.locate(&d.path) {
                d.line = Some(line);
                d.column = Some(column);
            }
        }
    }
    diagnostics.sort();
}

/// Field path to the 1-based (line, column) of its value.
#[derive(Debug, Default)]
pub struct Locator {
    /// Every node the text spells out; index 0 is the document root (path ``).
    nodes: Vec<Node>,
    /// (parent node, segment) to child node.
    children: HashMap<(usize, Segment), usize>,
    /// Position to the deepest node that starts there.
    starts: HashMap<(u32, u32), usize>,
    /// Position of a mapping key to the node it names, for errors the parser reports at a key.
    keys: HashMap<(u32, u32), usize>,
}

#[derive(Debug)]
struct Node {
    parent: usize,
    segment: Segment,
    /// Where its value starts, once seen (the first occurrence, for a repeated key).
    position: Option<(u32, u32)>,
    /// Where its key starts, for a mapping entry.
    key: Option<(u32, u32)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Segment {
    Root,
    Key(Box<str>),
    Index(usize),
}

impl Locator {
    pub fn new(source: &Source) -> Locator {
        let text = source.text.strip_prefix('\u{FEFF}').unwrap_or(&source.text);
        let mut locator = Locator {
            nodes: vec![Node {
                parent: 0,
                segment: Segment::Root,
                position: None,
                key: None,
            }],
            ..Locator::default()
        };
        match source.format {
            Format::Yaml => yaml_positions(text, &mut locator),
            Format::Toml => toml_positions(text, &mut locator),
        }
        locator
    }

    /// The path of the key or value that starts at (line, column), if one does.
    pub fn path_at(&self, line: u32, column: u32) -> Option<String> {
        let node = self
            .keys
            .get(&(line, column))
            .or_else(|| self.starts.get(&(line, column)))?;
        Some(self.path_of(*node))
    }

    /// The position of `path`, or of its nearest ancestor that the text spells out
    /// (a missing field is reported where its parent is).
    pub fn locate(&self, path: &str) -> Option<(u32, u32)> {
        let mut node = 0;
        let mut found = self.nodes.first().and_then(|n| n.position);
        for segment in segments(path) {
            let Some(&child) = self.children.get(&(node, segment)) else {
                break;
            };
            node = child;
            found = self.nodes.get(node).and_then(|n| n.position).or(found);
        }
        found
    }

    /// Where the key of the mapping entry at `path` starts, if the text spells that entry.
    pub fn locate_key(&self, path: &str) -> Option<(u32, u32)> {
        let mut node = 0;
        for segment in segments(path) {
            node = *self.children.get(&(node, segment))?;
        }
        self.nodes.get(node)?.key
    }

    /// Record that the key of `node` starts at `position` (the first time only).
    fn key_at(&mut self, node: usize, position: (u32, u32)) {
        self.keys.insert(position, node);
        if let Some(n) = self.nodes.get_mut(node) {
            n.key.get_or_insert(position);
        }
    }

    /// The child of `parent` named `segment`, created on first sight; `None` once the
    /// locator holds as many nodes as a plan may have (the rest is not located).
    fn child(&mut self, parent: usize, segment: Segment) -> Option<usize> {
        if let Some(&node) = self.children.get(&(parent, segment.clone())) {
            return Some(node);
        }
        if self.nodes.len() > limits::MAX_NODES {
            return None;
        }
        let node = self.nodes.len();
        self.nodes.push(Node {
            parent,
            segment: segment.clone(),
            position: None,
            key: None,
        });
        self.children.insert((parent, segment), node);
        Some(node)
    }

    /// Record where `node`'s value starts (the first time only) and that it starts there.
    fn starts_at(&mut self, node: usize, position: (u32, u32)) {
        if let Some(n) = self.nodes.get_mut(node) {
            n.position.get_or_insert(position);
        }
        // Nodes come in document order, so a later node at the same place is deeper.
        self.starts.insert(position, node);
    }

    fn path_of(&self, node: usize) -> String {
        let mut chain = Vec::new();
        let mut at = node;
        while let Some(n) = self.nodes.get(at).filter(|_| at != 0) {
            chain.push(&n.segment);
            at = n.parent;
        }
        let mut path = String::new();
        for segment in chain.into_iter().rev() {
            match segment {
                Segment::Root => {}
                Segment::Key(key) => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                }
                Segment::Index(i) => {
                    path.push('[');
                    path.push_str(&i.to_string());
                    path.push(']');
                }
            }
        }
        path
    }
}

/// `clusters[1].nodes[0].name` -> `clusters`, `1`, `nodes`, `0`, `name`. Stops at the
/// first part that is not a key with optional `[index]` suffixes.
fn segments(path: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    if path.is_empty() {
        return out;
    }
    for part in path.split('.') {
        let (key, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if !key.is_empty() {
            out.push(Segment::Key(key.into()));
        }
        while let Some(inner) = rest.strip_prefix('[') {
            let Some((index, after)) = inner.split_once(']') else {
                return out;
            };
            let Ok(index) = index.parse() else {
                return out;
            };
            out.push(Segment::Index(index));
            rest = after;
        }
        if !rest.is_empty() {
            return out;
        }
    }
    out
}

enum Frame {
    /// A mapping node; `key` is the child its next value belongs to, once the key is read.
    Mapping {
        node: usize,
        key: Option<usize>,
    },
    Sequence {
        node: usize,
        next: usize,
    },
}

/// Whether a YAML event is a node (a value or a key) rather than structure or metadata.
pub(crate) fn is_yaml_node(event: &Event<'_>) -> bool {
    matches!(
        event,
        Event::Scalar(..) | Event::MappingStart(..) | Event::SequenceStart(..) | Event::Alias(..)
    )
}

fn yaml_positions(text: &str, out: &mut Locator) {
    let mut stack: Vec<Frame> = Vec::new();
    let mut root_seen = false;
    // Only the first document is the plan; aliases are recorded where they are used, never expanded.
    for item in Parser::new_from_str(text) {
        let Ok((event, span)) = item else { return };
        let pos = (span.start.line() as u32, span.start.col() as u32 + 1);
        let is_node = is_yaml_node(&event);
        if is_node {
            // A scalar in key position of a mapping is a key, not a value.
            if let Some(Frame::Mapping { node, key }) = stack.last_mut()
                && key.is_none()
            {
                let Event::Scalar(value, ..) = &event else {
                    // A complex key: no plan field has one, so positions stop here.
                    return;
                };
                let parent = *node;
                let Some(child) = out.child(parent, Segment::Key(value.as_ref().into())) else {
                    return;
                };
                out.key_at(child, pos);
                if let Some(Frame::Mapping { key, .. }) = stack.last_mut() {
                    *key = Some(child);
                }
                continue;
            }
            let node = match stack.last_mut() {
                None if !root_seen => {
                    root_seen = true;
                    Some(0)
                }
                None => return,
                Some(Frame::Mapping { key, .. }) => key.take(),
                Some(Frame::Sequence { node, next }) => {
                    let (parent, index) = (*node, *next);
                    *next += 1;
                    out.child(parent, Segment::Index(index))
                }
            };
            let Some(node) = node else { return };
            out.starts_at(node, pos);
            match event {
                Event::MappingStart(..) => stack.push(Frame::Mapping { node, key: None }),
                Event::SequenceStart(..) => stack.push(Frame::Sequence { node, next: 0 }),
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

    // Recursion is bounded: the TOML parser refuses nesting deeper than it recurses.
    fn walk(
        lines: &mut Lines<'_>,
        node: usize,
        value: &toml::Spanned<DeValue<'_>>,
        out: &mut Locator,
    ) {
        out.starts_at(node, lines.position(value.span().start));
        match value.get_ref() {
            DeValue::Table(table) => {
                for (key, child) in table.iter() {
                    let Some(child_node) =
                        out.child(node, Segment::Key(key.get_ref().as_ref().into()))
                    else {
                        return;
                    };
                    out.keys
                        .insert(lines.position(key.span().start), child_node);
                    walk(lines, child_node, child, out);
                }
            }
            DeValue::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    let Some(child_node) = out.child(node, Segment::Index(i)) else {
                        return;
                    };
                    walk(lines, child_node, child, out);
                }
            }
            _ => {}
        }
    }

    let Ok(root) = DeTable::parse(text) else {
        return;
    };
    // Spans come in document order, which keeps the line index linear on long lines.
    let mut lines = Lines::new(text);
    for (key, child) in root.get_ref().iter() {
        let Some(node) = out.child(0, Segment::Key(key.get_ref().as_ref().into())) else {
            return;
        };
        out.key_at(node, lines.position(key.span().start));
        walk(&mut lines, node, child, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locator(text: &str, format: Format) -> Locator {
        Locator::new(&Source::new("plan", text, format))
    }

    #[test]
    fn yaml_paths_and_positions_round_trip() {
        let text =
            "mesh:\n  id: a\nclusters:\n  - name: c1\n    nodes:\n      - {name: n, zone: z}\n";
        let l = locator(text, Format::Yaml);
        assert_eq!(l.locate("mesh.id"), Some((2, 7)));
        assert_eq!(l.locate("clusters[0].name"), Some((4, 11)));
        assert_eq!(l.locate("clusters[0].nodes[0].zone"), Some((6, 25)));
        // A field the text does not spell is placed at its nearest ancestor.
        assert_eq!(l.locate("clusters[0].network"), Some((4, 5)));
        assert_eq!(l.locate("clusters[7].name"), Some((4, 3)));
        assert_eq!(
            l.path_at(6, 25).as_deref(),
            Some("clusters[0].nodes[0].zone")
        );
        // At a key, the path the key names.
        assert_eq!(l.path_at(2, 3).as_deref(), Some("mesh.id"));
        assert_eq!(l.path_at(1, 1).as_deref(), Some("mesh"));
        assert_eq!(l.locate_key("clusters[0].nodes[0].zone"), Some((6, 19)));
        assert_eq!(l.locate_key("clusters[0].network"), None);
    }

    #[test]
    fn toml_paths_and_positions_round_trip() {
        let text = "[mesh]\nid = \"a\"\n\n[[clusters]]\nname = \"c1\"\n";
        let l = locator(text, Format::Toml);
        assert_eq!(l.locate("mesh.id"), Some((2, 6)));
        assert_eq!(l.locate("clusters[0].name"), Some((5, 8)));
        assert_eq!(l.path_at(5, 1).as_deref(), Some("clusters[0].name"));
    }

    #[test]
    fn a_repeated_key_is_located_where_it_first_appears() {
        let l = locator("mesh:\n  id: a\n  id: b\n", Format::Yaml);
        assert_eq!(l.locate("mesh.id"), Some((2, 7)));
        assert_eq!(l.path_at(3, 3).as_deref(), Some("mesh.id"));
    }

    #[test]
    fn paths_split_into_keys_and_indexes() {
        assert_eq!(
            segments("clusters[1].nodes[0][2].name"),
            vec![
                Segment::Key("clusters".into()),
                Segment::Index(1),
                Segment::Key("nodes".into()),
                Segment::Index(0),
                Segment::Index(2),
                Segment::Key("name".into()),
            ]
        );
        assert_eq!(segments("a[x].b"), vec![Segment::Key("a".into())]);
        assert!(segments("").is_empty());
    }

    #[test]
    fn a_long_toml_line_is_located_in_linear_work() {
        let entries: Vec<String> = (0..80_000).map(|i| format!("\"x{i}\"")).collect();
        let text = format!("list = [{}]\n", entries.join(", "));
        let before = crate::diag::source::steps();
        let l = locator(&text, Format::Toml);
        let walked = crate::diag::source::steps() - before;
        assert!(
            walked <= 2 * text.len(),
            "{walked} characters walked for {} bytes",
            text.len()
        );
        let last = text.rfind("\"x79999\"").unwrap() as u32 + 1;
        assert_eq!(l.locate("list[79999]"), Some((1, last)));
    }

    #[test]
    fn a_wide_plan_costs_one_node_per_value() {
        let mut text = String::from("clusters:\n");
        for i in 0..1000 {
            text.push_str(&format!("  - name: c{i}\n"));
        }
        let l = locator(&text, Format::Yaml);
        assert_eq!(l.nodes.len(), 1 + 1 + 1000 * 2);
        assert_eq!(l.locate("clusters[999].name"), Some((1001, 11)));
    }
}
