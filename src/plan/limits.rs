//! Safety limits on a plan (MG003). A plan is kilobytes to megabytes (10,000 clusters of
//! 20 nodes is about 18 MiB and 2.4 million nodes), a few levels deep and alias-free, so
//! these stop only hostile or broken input, before it costs noticeable time or memory.
//!
//! [`Budget`] counts them event by event as the first read of a YAML plan goes
//! ([`super::value::yaml`]), so an alias cannot expand before it is weighed;
//! serde-saphyr's own budget is a second fence with the same limits ([`super::typed`]).

use std::collections::HashMap;

use serde_saphyr::granit_parser::{
    ErrorKind, Event, Marker, Parser, ScanError, Span, StrInput, options,
};

use crate::diag::{Code, Diagnostic};

/// Largest plan text; a bigger file is refused before it is parsed.
pub const MAX_BYTES: usize = 32 * 1024 * 1024;
/// Deepest nesting of mappings and sequences (the plan format needs fewer than ten).
pub const MAX_DEPTH: usize = 32;
/// Most YAML nodes, counting every node an alias repeats.
pub const MAX_NODES: usize = 4_000_000;
/// Most scalar bytes, counting every copy an alias makes: aliases may not make a
/// plan bigger than a plan may be.
pub const MAX_EXPANDED_BYTES: usize = MAX_BYTES;

/// A parser of `text` whose own nesting limits sit one level past [`MAX_DEPTH`], so
/// the budget (not the parser) reports the first level too deep.
pub(super) fn parser(text: &str) -> Parser<'_, StrInput<'_>> {
    let parser_options = options! {
        block_nesting_limit: MAX_DEPTH + 1,
        flow_nesting_limit: MAX_DEPTH + 1,
    };
    Parser::with_options(StrInput::new(text), parser_options)
}

/// Nodes and scalar bytes a node stands for once its aliases are expanded.
#[derive(Clone, Copy, Default)]
struct Weight {
    nodes: usize,
    bytes: usize,
}

impl Weight {
    fn add(&mut self, other: Weight) {
        self.nodes = self.nodes.saturating_add(other.nodes);
        self.bytes = self.bytes.saturating_add(other.bytes);
    }
}

/// What the events seen so far weigh: refuses nesting deeper than [`MAX_DEPTH`] and
/// aliases that would expand the plan past [`MAX_NODES`] nodes or [`MAX_EXPANDED_BYTES`]
/// bytes (an "alias bomb": a few lines that stand for gigabytes). Memory is one counter
/// pair per anchor.
#[derive(Default)]
pub(super) struct Budget {
    /// Per anchor id: what the anchored node weighs.
    anchors: HashMap<usize, Weight>,
    /// Open collections: their anchor id and their weight so far.
    open: Vec<(usize, Weight)>,
    total: Weight,
}

impl Budget {
    /// Count one event (at `at`, where it starts); the limit it breaks, if any.
    pub(super) fn count(&mut self, event: &Event, at: Marker) -> Result<(), Diagnostic> {
        let (line, column) = (at.line(), at.col());
        // What this event adds to the document, and whether it completes a node of
        // its enclosing collection (a collection's own contents were added as they came).
        let (added, completes) = match event {
            Event::Scalar(value, _, anchor, _) => {
                let weight = Weight {
                    nodes: 1,
                    bytes: value.len(),
                };
                if *anchor != 0 {
                    self.anchors.insert(*anchor, weight);
                }
                (weight, Some(weight))
            }
            Event::Alias(anchor) => {
                let weight = self
                    .anchors
                    .get(anchor)
                    .copied()
                    .unwrap_or(Weight { nodes: 1, bytes: 0 });
                (weight, Some(weight))
            }
            Event::SequenceStart(_, anchor, _) | Event::MappingStart(_, anchor, _) => {
                if self.open.len() >= MAX_DEPTH {
                    return Err(too_deep(line, column));
                }
                let weight = Weight { nodes: 1, bytes: 0 };
                self.open.push((*anchor, weight));
                (weight, None)
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (anchor, weight) = self.open.pop().unwrap_or_default();
                if anchor != 0 {
                    self.anchors.insert(anchor, weight);
                }
                (Weight::default(), Some(weight))
            }
            _ => return Ok(()),
        };
        if let (Some(node), Some((_, parent))) = (completes, self.open.last_mut()) {
            parent.add(node);
        }
        self.total.add(added);
        if self.total.nodes > MAX_NODES {
            return Err(too_much(
                format!("the plan has more than {MAX_NODES} nodes once its aliases are expanded"),
                line,
                column,
            ));
        }
        if self.total.bytes > MAX_EXPANDED_BYTES {
            return Err(too_much(
                format!(
                    "the plan's values exceed {} MiB once its aliases are expanded",
                    MAX_EXPANDED_BYTES / 1024 / 1024
                ),
                line,
                column,
            ));
        }
        Ok(())
    }

    /// Count the rest of `events` (after the first read stopped for something the typed
    /// parse reports): the limit they break, if any. A syntax error ends the count quietly.
    pub(super) fn rest<'a>(
        &mut self,
        events: impl Iterator<Item = Result<(Event<'a>, Span), ScanError>>,
    ) -> Option<Diagnostic> {
        for item in events {
            let (event, span) = match item {
                Ok(item) => item,
                Err(err) => return refused(&err),
            };
            if let Err(d) = self.count(&event, span.start) {
                return Some(d);
            }
        }
        None
    }
}

/// The parser's own refusal of nesting one level past [`MAX_DEPTH`], as the budget's;
/// `None` for any other parse error, which the typed parse reports.
pub(super) fn refused(err: &ScanError) -> Option<Diagnostic> {
    matches!(err.kind(), ErrorKind::RecursionLimitExceeded).then(|| {
        let at = err.marker();
        too_deep(at.line(), at.col())
    })
}

fn too_deep(line: usize, column: usize) -> Diagnostic {
    too_much(
        format!("the plan nests deeper than {MAX_DEPTH} levels"),
        line,
        column,
    )
}

fn too_much(what: String, line: usize, column: usize) -> Diagnostic {
    Diagnostic::error(Code::Limit, "", what)
        .at(line as u32, column as u32 + 1)
        .hint("a plan needs no deep nesting and no alias that repeats large parts; write the values out")
}
