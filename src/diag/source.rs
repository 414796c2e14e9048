//! The text a diagnostic points into: a plan's name, text and format, and a way to turn
//! byte offsets into lines and columns that costs linear time over a whole report.

use std::path::Path;

/// The format of a plan, chosen by the file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Toml,
}

impl Format {
    /// `.yaml`/`.yml` or `.toml`; anything else is not a plan.
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Some(Format::Yaml),
            "toml" => Some(Format::Toml),
            _ => None,
        }
    }
}

/// A plan's text with the name it is shown under in diagnostics.
#[derive(Debug, Clone)]
pub struct Source {
    /// What diagnostics call the file: the path as given, or `<stdin>`.
    pub name: String,
    pub text: String,
    pub format: Format,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<String>, format: Format) -> Source {
        Source {
            name: name.into(),
            text: text.into(),
            format,
        }
    }

    /// A plan from raw bytes. Bytes that are not UTF-8 are kept up to the first bad one,
    /// which becomes U+FFFD, so that the loader reports it with its line (MG001).
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>, format: Format) -> Source {
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => {
                let valid = err.utf8_error().valid_up_to();
                let mut bytes = err.into_bytes();
                bytes.truncate(valid);
                // Valid up to `valid` by construction: the lossy conversion changes nothing.
                let mut text = String::from_utf8_lossy(&bytes).into_owned();
                text.push(char::REPLACEMENT_CHARACTER);
                text
            }
        };
        Source::new(name, text, format)
    }
}

/// Byte offsets to 1-based (line, column in characters) and back, for many positions of
/// one text. Lines are found by binary search; within a line the index walks on from
/// the previous position, so positions asked for in order cost time linear in the text,
/// however many there are and however long one line is (80,000 entries of one flow list).
#[derive(Debug)]
pub struct Lines<'t> {
    text: &'t str,
    /// Byte offset where each line starts.
    starts: Vec<usize>,
    /// The last position found: (byte offset, line index, column index), all 0-based.
    cursor: (usize, usize, usize),
}

impl<'t> Lines<'t> {
    pub fn new(text: &'t str) -> Lines<'t> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines {
            text,
            starts,
            cursor: (0, 0, 0),
        }
    }

    /// The 0-based line holding byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// Byte offset where line `index` (0-based) starts, if the text has it.
    pub fn start(&self, index: usize) -> Option<usize> {
        self.starts.get(index).copied()
    }

    /// Line `index` (0-based) without its line break, if the text has it.
    pub fn line(&self, index: usize) -> Option<&'t str> {
        let start = *self.starts.get(index)?;
        let end = self
            .starts
            .get(index + 1)
            .map_or(self.text.len(), |&next| next - 1);
        let line = self.text.get(start..end)?;
        Some(line.strip_suffix('\r').unwrap_or(line))
    }

    /// 1-based (line, column in characters) of byte `offset` (clamped to the text).
    pub fn position(&mut self, offset: usize) -> (u32, u32) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let (from, column) = match self.cursor {
            (at, l, c) if l == line && at <= offset => (at, c),
            _ => (self.starts[line], 0),
        };
        let walked = self.text[from..offset].chars().count();
        count_steps(walked);
        let column = column + walked;
        self.cursor = (offset, line, column);
        (line as u32 + 1, column as u32 + 1)
    }

    /// Byte offset of 1-based (line, column in characters), clamped to the end of its line;
    /// `None` for a line the text does not have.
    pub fn offset(&mut self, line: u32, column: u32) -> Option<usize> {
        let index = (line as usize).checked_sub(1)?;
        let text = self.line(index)?;
        let start = self.starts[index];
        let want = (column as usize).saturating_sub(1);
        let (mut at, mut col) = match self.cursor {
            (at, l, c) if l == index && c <= want => (at, c),
            _ => (start, 0),
        };
        let end = start + text.len();
        let from = col;
        for ch in self.text[at..end].chars() {
            if col == want {
                break;
            }
            at += ch.len_utf8();
            col += 1;
        }
        count_steps(col - from);
        self.cursor = (at, index, col);
        Some(at)
    }
}

#[cfg(test)]
thread_local! {
    /// Characters [`Lines`] walked on this thread, for tests that count work instead of timing it.
    static STEPS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
fn count_steps(n: usize) {
    STEPS.with(|s| s.set(s.get() + n));
}

#[cfg(not(test))]
fn count_steps(_: usize) {}

/// Characters [`Lines`] walked on this thread so far.
#[cfg(test)]
pub(crate) fn steps() -> usize {
    STEPS.with(|s| s.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_offsets_round_trip() {
        let text = "ab\n主节点: x\r\n\nlast";
        let mut lines = Lines::new(text);
        assert_eq!(lines.position(0), (1, 1));
        assert_eq!(lines.position(3), (2, 1));
        let x = text.find('x').unwrap();
        assert_eq!(lines.position(x), (2, 6));
        // Out of order is still right, only slower.
        assert_eq!(lines.position(1), (1, 2));
        assert_eq!(lines.offset(2, 6), Some(x));
        assert_eq!(lines.offset(2, 1), Some(3));
        assert_eq!(lines.line(1), Some("主节点: x"));
        assert_eq!(lines.line(2), Some(""));
        assert_eq!(lines.line(3), Some("last"));
        assert_eq!(lines.offset(4, 99), Some(text.len()));
        assert_eq!(lines.offset(5, 1), None);
        assert_eq!(lines.position(text.len() + 10), (4, 5));
    }
}
