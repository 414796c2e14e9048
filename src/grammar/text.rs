//! Characters that print as nothing, or that reorder the text around them.
//!
//! A bidi override (U+202E) in a value makes `evil<U+202E>gpj.exe` read as `evilexe.jpg`;
//! a zero-width space makes two different names look equal; a line separator (U+2028)
//! breaks a line in editors and terminals but not for a YAML 1.2 reader. None of them
//! is visible in a review of the plan or of the rendered tree.

use unicode_general_category::{GeneralCategory, get_general_category};

/// Whether `c` is invisible when printed: a format character (general category Cf:
/// the bidi controls U+202A–U+202E and U+2066–U+2069, LRM/RLM, ZWSP, ZWNJ, ZWJ, the word
/// joiner, the BOM, the soft hyphen, tag characters, ...), a line separator (Zl, U+2028)
/// or a paragraph separator (Zp, U+2029). Controls (Cc) are [`char::is_control`].
///
/// Source: the Unicode Character Database, `DerivedGeneralCategory.txt`, through the
/// `unicode-general-category` crate.
pub fn is_invisible(c: char) -> bool {
    // No ASCII character is one (they are Cc, or visible): skip the table for most text.
    !c.is_ascii()
        && matches!(
            get_general_category(c),
            GeneralCategory::Format
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
}

/// The first invisible character of `text` as a phrase: "contains the invisible
/// character U+202E (right-to-left override)".
pub fn invisible_problem(text: &str) -> Option<String> {
    text.chars().find(|c| is_invisible(*c)).map(invisible_char)
}

/// "contains the invisible character U+200B (zero-width space)".
pub fn invisible_char(c: char) -> String {
    match name(c) {
        Some(name) => format!(
            "contains the invisible character U+{:04X} ({name})",
            c as u32
        ),
        None => format!("contains the invisible character U+{:04X}", c as u32),
    }
}

/// Names of the invisible characters people meet (pasted from chat, web pages, editors).
fn name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{00AD}' => "soft hyphen",
        '\u{061C}' => "Arabic letter mark",
        '\u{200B}' => "zero-width space",
        '\u{200C}' => "zero-width non-joiner",
        '\u{200D}' => "zero-width joiner",
        '\u{200E}' => "left-to-right mark",
        '\u{200F}' => "right-to-left mark",
        '\u{2028}' => "line separator",
        '\u{2029}' => "paragraph separator",
        '\u{202A}' => "left-to-right embedding",
        '\u{202B}' => "right-to-left embedding",
        '\u{202C}' => "pop directional formatting",
        '\u{202D}' => "left-to-right override",
        '\u{202E}' => "right-to-left override",
        '\u{2060}' => "word joiner",
        '\u{2066}' => "left-to-right isolate",
        '\u{2067}' => "right-to-left isolate",
        '\u{2068}' => "first strong isolate",
        '\u{2069}' => "pop directional isolate",
        '\u{FEFF}' => "byte order mark",
        _ => return None,
    })
}

/// `text` with each invisible character written as `\u{...}`, and controls escaped as
/// [`char::escape_default`] does, so a message shows what the value holds.
pub fn escaped(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else if is_invisible(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_characters() {
        for c in [
            '\u{202E}',
            '\u{202A}',
            '\u{2066}',
            '\u{2069}',
            '\u{200B}',
            '\u{200D}',
            '\u{200E}',
            '\u{2028}',
            '\u{2029}',
            '\u{FEFF}',
            '\u{00AD}',
            '\u{E0041}',
            '\u{2060}',
        ] {
            assert!(is_invisible(c), "U+{:04X}", c as u32);
        }
        // Visible, or controls (which `char::is_control` covers).
        for c in ['a', ' ', '\u{A0}', 'é', '主', '\n', '\u{85}', '\u{1F600}'] {
            assert!(!is_invisible(c), "U+{:04X}", c as u32);
        }
        assert_eq!(
            invisible_problem("ab\u{202E}c").unwrap(),
            "contains the invisible character U+202E (right-to-left override)"
        );
        assert_eq!(
            invisible_problem("a\u{E0041}").unwrap(),
            "contains the invisible character U+E0041"
        );
        assert_eq!(invisible_problem("plain 主节点"), None);
        assert_eq!(escaped("a\u{202E}b\n主"), "a\\u{202e}b\\n主");
    }
}
