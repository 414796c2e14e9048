//! `meshgen diff OLD NEW`: the change plan from OLD's tree to NEW's.
//! Exit 0: the plans compile to the same tree; 1: there are changes; 2: an error (as diff(1)).

use std::path::PathBuf;

use clap::ValueEnum;
use meshgen::diff::{self, DiffError};

use super::super::{Failure, InputOptions, ReportFormat, Reporter, read, to_stdout};

#[derive(clap::Args)]
pub struct DiffArgs {
    /// The plan the clusters run now (e.g. `<(git show main:mesh.yaml)`), or - for stdin.
    old: PathBuf,
    /// The plan to go to, or - for stdin.
    new: PathBuf,
    #[command(flatten)]
    input: InputOptions,
    /// text (a terminal), markdown (a pull-request comment) or json (the documented shape of
    /// schemas/change-plan.schema.json).
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    format: DiffFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum DiffFormat {
    Text,
    Markdown,
    Json,
}

pub fn run(args: DiffArgs, color: anstream::ColorChoice) -> Result<(), Failure> {
    let stdin = |p: &PathBuf| p.as_os_str() == "-";
    if stdin(&args.old) && stdin(&args.new) {
        return Err(Failure::Io(
            "diff: only one of OLD and NEW can be - (stdin)".into(),
        ));
    }
    let old = read(&args.old, &args.input)?;
    let new = read(&args.new, &args.input)?;
    let plan = match diff::compare(&old, &new, args.input.deny_warnings) {
        Ok(plan) => plan,
        Err(DiffError::Plans(bad)) => {
            // Every problem of every bad plan, then exit 2: no change plan without two plans.
            let reporter = Reporter {
                format: ReportFormat::Text,
                color,
            };
            for (source, diagnostics) in &bad {
                reporter.diagnostics(source, diagnostics)?;
            }
            return Err(Failure::IoReported);
        }
        Err(DiffError::Internal(message)) => {
            return Err(Failure::Io(format!(
                "internal error, a bug in meshgen: {message}"
            )));
        }
    };
    to_stdout(&match args.format {
        DiffFormat::Text => diff::format::text(&plan),
        DiffFormat::Markdown => diff::format::markdown(&plan),
        DiffFormat::Json => {
            let json = serde_json::to_string_pretty(&plan)
                .map_err(|e| Failure::Io(format!("internal error, a bug in meshgen: {e}")))?;
            format!("{json}\n")
        }
    })?;
    if plan.changed {
        // Exit 1, as diff(1) does when the inputs differ.
        Err(Failure::Reported)
    } else {
        Ok(())
    }
}
