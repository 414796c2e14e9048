//! Every diagnostic code meshgen emits, with the long explanation `meshgen explain` prints.
//!
//! Codes are stable: scripts match on them. A code is never reused for another meaning.

/// The plan text does not parse (YAML/TOML syntax, encoding, empty file).
pub const SYNTAX: &str = "MG001";
/// The plan parses but does not fit the format: unknown, missing or mistyped field.
pub const SHAPE: &str = "MG002";

/// What `meshgen explain CODE` prints for one code.
pub struct CodeInfo {
    pub code: &'static str,
    /// One line: what the check is about.
    pub title: &'static str,
    /// Why it matters and how to fix it.
    pub explanation: &'static str,
    /// A plan fragment (YAML) that triggers the code.
    pub bad: &'static str,
    /// The same fragment, fixed.
    pub fixed: &'static str,
}

pub const ALL: &[CodeInfo] = &[
    CodeInfo {
        code: SYNTAX,
        title: "the plan does not parse",
        explanation: "The file is not valid YAML or TOML (or not UTF-8, or empty). The message gives the \
                      parser's reason and the line and column where it stopped.",
        bad: "mesh:\n  id: mdemo-mesh\n   version: 1.15.3-mspider\n",
        fixed: "mesh:\n  id: mdemo-mesh\n  version: 1.15.3-mspider\n",
    },
    CodeInfo {
        code: SHAPE,
        title: "the plan does not fit the plan format",
        explanation: "A field is unknown (often a typo), required but missing, or of the wrong type. \
                      `meshgen schema` prints the format; an editor with the schema completes fields.",
        bad: "mesh:\n  id: mdemo-mesh\n  verison: 1.15.3-mspider\n",
        fixed: "mesh:\n  id: mdemo-mesh\n  version: 1.15.3-mspider\n",
    },
];

/// The entry for `code` (case-insensitive), if meshgen has one.
pub fn info(code: &str) -> Option<&'static CodeInfo> {
    ALL.iter().find(|c| c.code.eq_ignore_ascii_case(code))
}
