//! Subcommands of the binary that are more than a call into the library: each file holds
//! one subcommand's arguments and its run function; `main.rs` only dispatches to them.

pub mod certs;
pub mod diff;
pub mod graph;
pub mod init;

use meshgen::{CompileError, Diagnostics, Options, Source, model::Model};

use super::{Failure, InputOptions, ReportFormat, Reporter, read};

/// A plan read, checked and resolved; its problems (and warnings) printed as text on
/// stderr. `bad`: what a bad plan is (exit 1 for `graph`, exit 2 for `diff`).
fn resolve_plan(
    plan: &std::path::Path,
    input: &InputOptions,
    color: anstream::ColorChoice,
    bad: fn() -> Failure,
) -> Result<(Source, Model), Failure> {
    let source = read(plan, input)?;
    let reporter = Reporter {
        format: ReportFormat::Text,
        color,
    };
    let report = |diagnostics: &Diagnostics| reporter.diagnostics(&source, diagnostics);
    let options = Options {
        deny_warnings: input.deny_warnings,
        ..Options::default()
    };
    match meshgen::resolve(&source, &options) {
        Ok((model, warnings)) => {
            if !warnings.is_empty() {
                report(&warnings)?;
            }
            Ok((source, model))
        }
        Err(CompileError::Plan(diagnostics)) => {
            report(&diagnostics)?;
            Err(bad())
        }
        Err(CompileError::Usage(message)) => Err(Failure::Io(message)),
        Err(CompileError::Internal(message)) => Err(Failure::Io(format!(
            "internal error, a bug in meshgen: {message}"
        ))),
    }
}
