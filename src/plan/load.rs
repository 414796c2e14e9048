//! Stage 1, load: plan text (YAML or TOML) to [`Plan`].
//!
//! Reading the file is the only I/O here; [`parse`] is pure so tests and the
//! fuzzer can call it on any string.

use std::fmt;
use std::io::Read;
use std::path::Path;

use super::{Locator, Plan};
use crate::diag::{Diagnostic, Diagnostics, codes};

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
}

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

/// Largest plan meshgen reads; a bigger file is refused before it is parsed.
pub const MAX_PLAN_BYTES: u64 = 64 * 1024 * 1024;

/// Read a plan from `path`, or from stdin when `path` is `-` (then as `stdin_format`).
///
/// Bytes that are not UTF-8 are kept (lossily) so that [`parse`] reports them as a
/// plan problem with a line number, rather than as an I/O failure.
pub fn load(path: &Path, stdin_format: Format) -> Result<Source, LoadError> {
    let (name, format, bytes) = if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(MAX_PLAN_BYTES + 1)
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
        file.take(MAX_PLAN_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        (name, format, bytes)
    };
    if bytes.len() as u64 > MAX_PLAN_BYTES {
        return Err(LoadError::Io {
            name,
            error: std::io::Error::other(format!(
                "larger than {} MiB",
                MAX_PLAN_BYTES / 1024 / 1024
            )),
        });
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    };
    Ok(Source { name, text, format })
}

/// Parse a plan's text. Syntax and shape errors come back as diagnostics with the
/// line and column the parser gives.
pub fn parse(source: &Source) -> Result<Plan, Diagnostics> {
    if let Some(offset) = source.text.find('\u{FFFD}') {
        let (line, column) = line_col(&source.text, offset);
        return Err(Diagnostics::from(vec![
            Diagnostic::error(codes::SYNTAX, "", "the plan is not valid UTF-8")
                .at(line, column)
                .hint("save the file as UTF-8"),
        ]));
    }
    // A leading byte-order mark is legal in both formats' files but not in TOML's grammar.
    let text = source.text.strip_prefix('\u{FEFF}').unwrap_or(&source.text);
    if text.trim().is_empty() {
        return Err(Diagnostics::from(vec![
            Diagnostic::error(codes::SYNTAX, "", "the plan is empty")
                .hint("start from the demo plan: meshgen init mesh.yaml"),
        ]));
    }
    match source.format {
        Format::Yaml => parse_yaml(text),
        Format::Toml => parse_toml(text),
    }
    .map_err(|mut d| {
        if let (Some(line), Some(column)) = (d.line, d.column) {
            let locator = Locator::new(source);
            if let Some(path) = locator.path_at(line, column) {
                d.path = path.to_owned();
            }
        }
        Diagnostics::from(vec![d])
    })
}

fn parse_yaml(text: &str) -> Result<Plan, Diagnostic> {
    serde_saphyr::from_str::<Plan>(text).map_err(|err| {
        let location = err.location();
        let message = first_line(&err.without_snippet().to_string());
        let mut diag = shape_or_syntax(&message);
        if let Some(loc) = location.filter(|l| l.line() > 0) {
            diag = diag.at(loc.line() as u32, loc.column() as u32);
        }
        diag
    })
}

fn parse_toml(text: &str) -> Result<Plan, Diagnostic> {
    toml::from_str::<Plan>(text).map_err(|err| {
        let mut diag = shape_or_syntax(&first_line(err.message()));
        if let Some(span) = err.span() {
            let (line, column) = line_col(text, span.start);
            diag = diag.at(line, column);
        }
        diag
    })
}

/// Unknown, missing or mistyped fields are MG002; anything else the parser rejects is MG001.
fn shape_or_syntax(message: &str) -> Diagnostic {
    let shape = [
        "unknown field",
        "missing field",
        "invalid type",
        "unknown variant",
        "invalid value",
        "invalid length",
    ]
    .iter()
    .any(|m| message.contains(m));
    if shape {
        Diagnostic::error(codes::SHAPE, "", message.to_owned())
            .hint("compare with `meshgen schema`, or start from `meshgen init`")
    } else {
        Diagnostic::error(codes::SYNTAX, "", message.to_owned())
            .hint("fix the syntax at the marked place")
    }
}

/// The parser's first line, without the position it appends (shown separately).
fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or_default().trim();
    match line.rfind(" at line ") {
        Some(i) if line[i..].contains(", column ") => line[..i].to_owned(),
        _ => line.to_owned(),
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count()
        + 1;
    (line as u32, column as u32)
}
