//! Stage 1, load: plan text (YAML or TOML) to [`Plan`].
//!
//! Reading the file is the only I/O here; [`parse`] is pure so tests and the
//! fuzzer can call it on any string.

use std::fmt;
use std::io::Read;
use std::path::Path;

use super::limits;
use super::typed::{parse_toml, parse_yaml};
use super::{Locator, Plan};
use crate::diag::{Code, Diagnostic, Diagnostics, Format, Lines, Source};

/// Why a plan could not be read at all (exit code 2, not a plan problem).
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read.
    Io { name: String, error: std::io::Error },
    /// The extension says neither YAML nor TOML.
    UnknownFormat { name: String },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { name, error } => write!(f, "cannot read {name}: {error}"),
            LoadError::UnknownFormat { name } => write!(
                f,
                "cannot tell the format of {name}: name the plan *.yaml, *.yml or *.toml"
            ),
        }
    }
}

impl std::error::Error for LoadError {}

/// Read a plan from `path`, or from stdin when `path` is `-` (then as `stdin_format`).
///
/// At most [`limits::MAX_BYTES`] + 1 bytes are read, so [`parse`] can refuse a bigger
/// plan (MG003) without meshgen holding all of it. Bytes that are not UTF-8 are a plan
/// problem with a line number ([`Source::from_bytes`]), not an I/O failure.
pub fn load(path: &Path, stdin_format: Format) -> Result<Source, LoadError> {
    let cap = limits::MAX_BYTES as u64 + 1;
    let (name, format, bytes) = if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(cap)
            .read_to_end(&mut bytes)
            .map_err(|error| LoadError::Io {
                name: "<stdin>".into(),
                error,
            })?;
        ("<stdin>".to_owned(), stdin_format, bytes)
    } else {
        let name = path.display().to_string();
        let format = Format::from_path(path)
            .ok_or_else(|| LoadError::UnknownFormat { name: name.clone() })?;
        let io = |error| LoadError::Io {
            name: name.clone(),
            error,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        if file.metadata().map_err(io)?.is_dir() {
            return Err(io(std::io::Error::other("is a directory")));
        }
        let mut bytes = Vec::new();
        file.take(cap).read_to_end(&mut bytes).map_err(io)?;
        (name, format, bytes)
    };
    Ok(Source::from_bytes(name, bytes, format))
}

/// Parse a plan's text. Syntax and shape errors come back as diagnostics with the
/// line and column the parser gives; a plan over a safety limit ([`limits`]) is
/// refused (MG003) before it can cost time or memory.
pub fn parse(source: &Source) -> Result<Plan, Diagnostics> {
    if source.text.len() > limits::MAX_BYTES {
        return Err(Diagnostics::from(vec![
            Diagnostic::error(
                Code::Limit,
                "",
                format!(
                    "the plan is larger than {} MiB",
                    limits::MAX_BYTES / 1024 / 1024
                ),
            )
            .hint("a plan is kilobytes to megabytes; check that this is the plan file and not generated output"),
        ]));
    }
    if let Some(offset) = source.text.find(char::REPLACEMENT_CHARACTER) {
        let (line, column) = line_col(&source.text, offset);
        return Err(Diagnostics::from(vec![
            Diagnostic::error(Code::Syntax, "", "the plan is not valid UTF-8 here")
                .at(line, column)
                .hint("save the file as UTF-8"),
        ]));
    }
    // A leading byte-order mark is legal in both formats' files but not in TOML's grammar.
    let text = source.text.strip_prefix('\u{FEFF}').unwrap_or(&source.text);
    if text.trim().is_empty() {
        return Err(Diagnostics::from(vec![
            Diagnostic::error(Code::Syntax, "", "the plan is empty")
                .hint("start from the demo plan: meshgen init mesh.yaml"),
        ]));
    }
    let parsed = match source.format {
        // The typed parse has its own budget with the same limits (`typed::parse_yaml`), so
        // it runs on a second core beside the first read (which counts the limits) and the
        // shape check; its result counts only when they pass.
        Format::Yaml => std::thread::scope(|scope| {
            let typed = scope.spawn(|| parse_yaml(text));
            let first = match super::value::yaml(text) {
                Ok(None) => Ok(Err(Diagnostic::error(
                    Code::Syntax,
                    "",
                    "the plan is empty (it holds only comments)",
                )
                .hint("start from the demo plan: meshgen init mesh.yaml"))),
                Ok(Some(value)) => shape_problems(Ok(value), source).map(Ok),
                Err(refused) => shape_problems(Err(refused), source).map(Ok),
            };
            let typed = typed
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            first.map(|found| found.and(typed))
        })?,
        Format::Toml => {
            shape_problems(super::value::toml(text).ok_or(None), source)?;
            parse_toml(text)
        }
    };
    parsed.map_err(|mut d| {
        // Positions are relative to `text`; the BOM, if any, is not a column.
        if let (Some(line), Some(column), true) = (d.line, d.column, d.path.is_empty())
            && d.code != Code::Limit
        {
            let locator = Locator::new(source);
            if let Some(path) = locator.path_at(line, column) {
                d.path = path;
            }
        }
        Diagnostics::from(vec![d])
    })
}

/// Every shape problem of the plan read as a value (see [`super::shape`]), or the one
/// problem that reading refuses outright (a safety limit, `!!binary`). When the value
/// cannot be read, the typed parse beside it reports why.
fn shape_problems(
    value: Result<serde_json::Value, Option<Diagnostic>>,
    source: &Source,
) -> Result<(), Diagnostics> {
    match value {
        Ok(value) => {
            let found = super::shape::check(&value, source);
            if found.is_empty() { Ok(()) } else { Err(found) }
        }
        Err(Some(refused)) => Err(Diagnostics::from(vec![refused])),
        Err(None) => Ok(()),
    }
}

/// 1-based line and column (in characters) of a byte offset (for one position; many
/// positions share one [`Lines`]).
pub(crate) fn line_col(text: &str, offset: usize) -> (u32, u32) {
    Lines::new(text).position(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every problem of a plan that must be refused, located and sorted.
    fn problems(text: &str, format: Format) -> Vec<Diagnostic> {
        let source = Source::new("plan", text, format);
        let mut diagnostics = parse(&source).expect_err("the plan must be refused");
        super::super::locate(&mut diagnostics, &source);
        diagnostics.into_iter().collect()
    }

    /// The one problem of a plan that must be refused for one reason.
    fn diagnose(text: &str, format: Format) -> Diagnostic {
        let mut found = problems(text, format);
        assert_eq!(found.len(), 1, "{found:?}");
        found.remove(0)
    }

    /// The first problem of a plan refused for several.
    fn first(text: &str, format: Format) -> Diagnostic {
        problems(text, format).remove(0)
    }

    #[test]
    fn a_large_plan_within_the_limits_loads() {
        // 1.2 million list items: past serde-saphyr's default budget, within meshgen's.
        let demo = include_str!("../../golden/demo/plan.yaml");
        let items = ", e".repeat(1_200_000);
        let text = demo.replace(
            "interfaces: [enp1s0]",
            &format!("interfaces: [enp1s0{items}]"),
        );
        let plan = parse(&Source::new("large.yaml", text, Format::Yaml)).expect("the plan loads");
        let interfaces = plan.clusters[0]
            .metallb
            .as_ref()
            .map(|m| m.interfaces.len());
        assert_eq!(interfaces, Some(1_200_001));
    }

    #[test]
    fn the_limit_code_example_trips_the_limit() {
        let example = Code::Limit.info();
        assert_eq!(diagnose(example.bad, Format::Yaml).code, Code::Limit);
    }

    #[test]
    fn aliases_are_weighed_as_expanded_not_as_written() {
        // 200 copies of a 200 kB string: 40 MB once expanded, from a 200 kB text.
        let big = "x".repeat(200_000);
        let aliases = vec!["*s"; 200].join(", ");
        let text = format!("mesh: {{id: &s {big}}}\nclusters: [{aliases}]\n");
        let d = diagnose(&text, Format::Yaml);
        assert_eq!(d.code, Code::Limit);
        assert_eq!(d.line, Some(2));
        // A few small aliases are fine (and then the plan's shape is what is wrong).
        let text = "mesh: {id: &s x}\nclusters: [*s, *s]\n";
        assert_eq!(first(text, Format::Yaml).code, Code::Shape);
    }

    #[test]
    fn nesting_is_limited_in_both_formats() {
        let deep =
            |open: &str, close: &str, n| format!("mesh: {}{}\n", open.repeat(n), close.repeat(n));
        assert_eq!(
            diagnose(&deep("[", "]", limits::MAX_DEPTH + 1), Format::Yaml).code,
            Code::Limit
        );
        assert_eq!(
            diagnose(&deep("[", "]", 10_000), Format::Yaml).code,
            Code::Limit
        );
        assert_ne!(
            first(&deep("[", "]", limits::MAX_DEPTH - 2), Format::Yaml).code,
            Code::Limit
        );
        let toml = format!("mesh = {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(diagnose(&toml, Format::Toml).code, Code::Limit);
    }

    #[test]
    fn an_oversized_plan_is_refused_before_parsing() {
        let text = format!("# {}\n", "x".repeat(limits::MAX_BYTES));
        let d = diagnose(&text, Format::Yaml);
        assert_eq!((d.code, d.line), (Code::Limit, None));
    }

    #[test]
    fn bytes_that_are_not_utf8_are_reported_where_they_are() {
        let source = Source::from_bytes("plan", b"mesh:\n  id: caf\xe9\n".to_vec(), Format::Yaml);
        assert_eq!(source.text, "mesh:\n  id: caf\u{fffd}");
        let d = parse(&source).unwrap_err().into_iter().next().unwrap();
        assert_eq!(
            (d.code, d.line, d.column),
            (Code::Syntax, Some(2), Some(10))
        );
    }

    #[test]
    fn messages_speak_of_the_plan_not_of_the_parser() {
        let d = diagnose("mesh:\n  id: a\n  id: b\n", Format::Yaml);
        assert_eq!(
            (d.code, d.path.as_str(), d.line),
            (Code::Syntax, "mesh.id", Some(3))
        );
        assert!(d.message.contains("`id` appears twice"), "{}", d.message);
        let d = diagnose("[mesh]\nid = \"a\"\nid = \"b\"\n", Format::Toml);
        assert!(d.message.contains("`id` appears twice"), "{}", d.message);
        let found = problems("[[clusters]]\nkubernetesVersion = 1.30\n", Format::Toml);
        let d = found
            .iter()
            .find(|d| d.path == "clusters[0].kubernetesVersion")
            .unwrap();
        assert_eq!(d.code, Code::Shape);
        assert_eq!(d.hint, "quote it: \"1.30\"");
        let d = diagnose("mesh:\n\tid: a\n", Format::Yaml);
        assert!(d.hint.contains("spaces"), "{}", d.hint);
        let d = diagnose("# nothing\n", Format::Yaml);
        assert!(d.message.contains("empty"), "{}", d.message);
        let two = format!(
            "{}---\nmesh: {{}}\n",
            include_str!("../../golden/demo/plan.yaml")
        );
        let d = diagnose(&two, Format::Yaml);
        assert!(
            d.message.contains("more than one YAML document"),
            "{}",
            d.message
        );
    }

    #[test]
    fn a_bom_and_crlf_change_nothing() {
        let yaml = include_str!("../../golden/demo/plan.yaml");
        let toml = include_str!("../../golden/demo/plan.toml");
        let plain = parse(&Source::new("plan", yaml, Format::Yaml)).unwrap();
        for (text, format) in [(yaml, Format::Yaml), (toml, Format::Toml)] {
            let text = format!("\u{feff}{}", text.replace('\n', "\r\n"));
            assert_eq!(parse(&Source::new("plan", text, format)).unwrap(), plain);
        }
    }
}
