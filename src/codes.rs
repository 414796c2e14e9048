//! Every diagnostic code meshgen emits, with the long explanation `meshgen explain` prints.
//!
//! Codes are stable: scripts match on them. A code is never reused for another meaning.

/// The plan text does not parse (YAML/TOML syntax, encoding, empty file).
pub const SYNTAX: &str = "MG001";
/// The plan parses but does not fit the format: unknown, missing or mistyped field.
pub const SHAPE: &str = "MG002";
/// The plan exceeds a safety limit (size, nesting, alias expansion).
pub const LIMIT: &str = "MG003";

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
    CodeInfo {
        code: LIMIT,
        title: "the plan exceeds a safety limit",
        explanation: "meshgen refuses a plan larger than 4 MiB, nested deeper than 32 levels, or whose \
                      YAML aliases would expand it past 250,000 nodes or 4 MiB of values (an \"alias \
                      bomb\"), before it costs time or memory. A real plan is kilobytes: write the \
                      values out instead of repeating large anchors.",
        bad: "a: &a [x, x, x, x, x, x, x, x, x, x]\n\
              b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n\
              c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n\
              d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n\
              e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n\
              f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
        fixed: "a: [x, x, x, x, x, x, x, x, x, x]\n",
    },
];

/// The entry for `code` (case-insensitive), if meshgen has one.
pub fn info(code: &str) -> Option<&'static CodeInfo> {
    ALL.iter().find(|c| c.code.eq_ignore_ascii_case(code))
}
