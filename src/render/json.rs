//! JSON files written by serde_json (no template places a comma): an array with one
//! entry per line, each entry on one line with `", "` and `": "` between its parts,
//! the way a person writes a JSON patch:
//!
//! ```text
//! [
//!   {"op": "test", "path": "/a", "value": "x"},
//!   {"op": "add", "path": "/b", "value": true}
//! ]
//! ```

use std::io;

use serde::Serialize;
use serde_json::ser::Formatter;

/// `value` as JSON, a top-level array one entry per line, with a trailing newline.
pub(super) fn one_entry_per_line<T: Serialize>(value: &T) -> Result<String, String> {
    let mut bytes = Vec::new();
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut bytes, OneEntryPerLine::default());
    value
        .serialize(&mut serializer)
        .map_err(|e| format!("cannot write JSON: {e}"))?;
    bytes.push(b'\n');
    String::from_utf8(bytes).map_err(|_| "JSON is not UTF-8".to_owned())
}

/// A node's labels as a JSON merge patch: its topology labels, and `null` for each label it
/// removes (RFC 7386).
pub(super) fn node_merge_patch(node: &crate::model::cluster::NodeModel) -> serde_json::Value {
    let mut labels = serde_json::Map::new();
    for label in node.labels.iter() {
        labels.insert(label.key.clone(), label.value.clone().into());
    }
    for key in &node.removed_labels {
        labels.insert(key.clone(), serde_json::Value::Null);
    }
    serde_json::json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": node.name, "labels": labels},
    })
}

/// Newlines only around the entries of the outermost array; spaces after `,` and `:`
/// everywhere else.
#[derive(Default)]
struct OneEntryPerLine {
    depth: usize,
    /// Whether the array or object open at each depth has entries.
    has_entries: Vec<bool>,
}

impl OneEntryPerLine {
    fn open<W: ?Sized + io::Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_entries.push(false);
        writer.write_all(bracket)
    }

    fn close<W: ?Sized + io::Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        let had_entries = self.has_entries.pop().unwrap_or(false);
        let outermost = self.depth == 1;
        self.depth -= 1;
        if outermost && had_entries {
            writer.write_all(b"\n")?;
        }
        writer.write_all(bracket)
    }

    /// Before an array entry or an object key.
    fn entry<W: ?Sized + io::Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        if let Some(has) = self.has_entries.last_mut() {
            *has = true;
        }
        match (self.depth == 1, first) {
            (true, true) => writer.write_all(b"\n  "),
            (true, false) => writer.write_all(b",\n  "),
            (false, true) => Ok(()),
            (false, false) => writer.write_all(b", "),
        }
    }
}

impl Formatter for OneEntryPerLine {
    fn begin_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.entry(writer, first)
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.entry(writer, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_entry_per_line_with_spaced_separators() {
        let value = serde_json::json!([{"op": "test", "value": "a\"b"}, {"op": "add", "value": [1, {"k": true}]}]);
        assert_eq!(
            one_entry_per_line(&value).unwrap(),
            "[\n  {\"op\": \"test\", \"value\": \"a\\\"b\"},\n  {\"op\": \"add\", \"value\": [1, {\"k\": true}]}\n]\n"
        );
        assert_eq!(one_entry_per_line(&serde_json::json!([])).unwrap(), "[]\n");
        assert_eq!(
            one_entry_per_line(&serde_json::json!({"a": 1})).unwrap(),
            "{\n  \"a\": 1\n}\n"
        );
    }
}
