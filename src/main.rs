//! The `meshgen` command line: a thin shell around [`meshgen::compile`].
//!
//! Exit codes: 0 ok, 1 the plan or the tree is wrong, 2 usage or I/O error.

mod cli;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use meshgen::write::{self, WriteError};
use progress::Progress;

mod progress;
use meshgen::{CompileError, Diagnostics, Format, Options, Source, codes, render, report};

/// A render allocates and frees millions of small values on several threads: with
/// mimalloc a 1,000-cluster render takes a fifth less time than with the system's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "meshgen", version, about, long_about = None, max_term_width = 100)]
#[command(after_help = "Exit codes: 0 ok, 1 the plan or the tree is wrong, 2 usage or I/O error.")]
struct Cli {
    /// When to colour diagnostics (NO_COLOR in the environment means never).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the demo plan (the seed's three-cluster mesh) to start from, and its schema
    ///
    /// The plan's first line points editors at the schema: yaml-language-server's modeline
    /// (VS Code, Neovim, Helix) for YAML, the `#:schema` directive of taplo and tombi for TOML.
    Init {
        /// Where to write it (.yaml, .yml or .toml); refuses to overwrite an existing file.
        /// The schema goes beside it as mesh-plan.schema.json, unless that file exists.
        #[arg(default_value = "mesh.yaml")]
        path: PathBuf,
    },
    /// Check plans and report every problem at once.
    Validate {
        /// The plans: .yaml, .yml or .toml files, or - for stdin.
        #[arg(default_value = "mesh.yaml")]
        plans: Vec<PathBuf>,
        #[command(flatten)]
        input: InputOptions,
        #[command(flatten)]
        output: OutputOptions,
    },
    /// Render the plan into a tree of manifests, patches and a runbook.
    Render {
        /// The plan: a .yaml, .yml or .toml file, or - for stdin.
        #[arg(default_value = "mesh.yaml")]
        plan: PathBuf,
        #[command(flatten)]
        input: InputOptions,
        #[command(flatten)]
        report: OutputOptions,
        /// Output folder (meshgen owns the files it lists in OUT/.meshgen/manifest).
        #[arg(short, long, value_name = "DIR", required_unless_present = "stdout")]
        output: Option<PathBuf>,
        /// Write nothing; print a unified diff and exit 1 when the folder is stale.
        #[arg(long, conflicts_with = "stdout")]
        check: bool,
        /// Print the objects the clusters apply (their stage folders, no patches) as one YAML
        /// stream instead of writing a folder.
        #[arg(long)]
        stdout: bool,
        /// Render only this cluster's files.
        #[arg(long, value_name = "NAME")]
        cluster: Option<String>,
        /// Overwrite or delete files in the folder that meshgen did not write (or that
        /// changed since it wrote them); without it such files stop the write (exit 1).
        #[arg(long, conflicts_with_all = ["check", "stdout"])]
        force: bool,
    },
    /// Write a test CA for the upstream modes: a root, and an intermediate per istiod cluster
    ///
    /// The files of each istiod cluster's `cacerts` Secret (upstream's tools/certs layout). For
    /// test stands: production uses its own PKI. DIR may not lie in a git work tree or a
    /// rendered tree; private keys are written mode 0600.
    Certs(cli::certs::CertsArgs),
    /// Print what to run, in order, to take the clusters from OLD's tree to NEW's.
    Diff(cli::diff::DiffArgs),
    /// Print the mesh's topology as a Mermaid or Graphviz diagram (the README's picture).
    Graph(cli::graph::GraphArgs),
    /// Print the plan's JSON Schema (for editors and yaml-language-server).
    Schema {
        /// Write it to this file instead (creating its folder; an existing file is replaced).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Explain a diagnostic code, with an example of the problem and its fix.
    Explain {
        /// The code, e.g. MG012 (or 12); leave out to list every code.
        code: Option<String>,
    },
    /// Print a shell completion script (install it where your shell loads completions).
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `meshgen man | man -l -`.
    Man,
}

#[derive(clap::Args)]
struct InputOptions {
    /// Format of a plan read from stdin.
    #[arg(long, value_enum, default_value_t = InputFormat::Yaml)]
    input_format: InputFormat,
    /// Treat warnings as errors.
    #[arg(long)]
    deny_warnings: bool,
}

#[derive(clap::Args)]
struct OutputOptions {
    /// How to print diagnostics: text on stderr; json (one document per plan) or github (GitHub
    /// Actions annotations) on stdout.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum InputFormat {
    Yaml,
    Toml,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Text,
    Json,
    Github,
}

/// Failure kinds, mapped to exit codes.
enum Failure {
    /// The plan or the tree is wrong (exit 1); the report is already printed.
    Reported,
    /// Usage, I/O or internal failure (exit 2).
    Io(String),
    /// Usage or I/O failure (exit 2) whose message is already printed.
    IoReported,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // anstream decides for `auto` (a terminal, NO_COLOR, CLICOLOR_FORCE) and strips the
    // styles the report carries when colour is off.
    let color = match cli.color {
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
        ColorChoice::Auto => anstream::ColorChoice::Auto,
    };
    match run(cli.command, color) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Reported) => ExitCode::from(1),
        Err(Failure::Io(message)) => {
            eprintln!("meshgen: {message}");
            ExitCode::from(2)
        }
        Err(Failure::IoReported) => ExitCode::from(2),
    }
}

fn run(command: Command, color: anstream::ColorChoice) -> Result<(), Failure> {
    match command {
        Command::Init { path } => cli::init::init(&path),
        Command::Certs(args) => cli::certs::run(args, color),
        Command::Diff(args) => cli::diff::run(args, color),
        Command::Graph(args) => cli::graph::run(args, color),
        Command::Schema { output: None } => to_stdout(&cli::init::schema_text()),
        Command::Schema { output: Some(file) } => cli::init::write_schema(&file),
        Command::Explain { code } => explain(code.as_deref()),
        // Both are generated in memory first: their writers panic on a closed stdout.
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "meshgen", &mut script);
            to_stdout(&String::from_utf8_lossy(&script))
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .map_err(|e| Failure::Io(format!("cannot render the manual page: {e}")))?;
            to_stdout(&String::from_utf8_lossy(&page))
        }
        Command::Validate {
            plans,
            input,
            output,
        } => {
            let reporter = Reporter {
                format: output.format,
                color,
            };
            // Every plan is checked, even after a failure; the worst outcome sets the exit code.
            let (mut invalid, mut unreadable) = (false, false);
            for plan in &plans {
                let checked = read(plan, &input).and_then(|source| {
                    let result = meshgen::check_source(&source, input.deny_warnings);
                    let diagnostics = match &result {
                        Ok(checked) => &checked.warnings,
                        Err(diagnostics) => diagnostics,
                    };
                    reporter.diagnostics(&source, diagnostics)?;
                    result.map(drop).map_err(|_| Failure::Reported)
                });
                match checked {
                    Ok(()) => {}
                    Err(Failure::Reported) => invalid = true,
                    Err(Failure::Io(message)) => {
                        eprintln!("meshgen: {message}");
                        unreadable = true;
                    }
                    Err(Failure::IoReported) => unreadable = true,
                }
            }
            match (unreadable, invalid) {
                (true, _) => Err(Failure::IoReported),
                (false, true) => Err(Failure::Reported),
                (false, false) => Ok(()),
            }
        }
        Command::Render {
            plan,
            input,
            report,
            output,
            check,
            stdout,
            cluster,
            force,
        } => {
            let reporter = Reporter {
                format: report.format,
                color,
            };
            if stdout && report.format == ReportFormat::Json {
                return Err(Failure::Io(
                    "--stdout prints manifests on stdout, where --format json prints its document; \
                     use one of them"
                        .into(),
                ));
            }
            let source = read(&plan, &input)?;
            let options = Options {
                cluster,
                deny_warnings: input.deny_warnings,
            };
            let internal = |message: String| {
                Failure::Io(format!("internal error, a bug in meshgen: {message}"))
            };
            let (model, warnings) = match meshgen::resolve(&source, &options) {
                Ok(done) => done,
                Err(CompileError::Plan(diagnostics)) => {
                    reporter.diagnostics(&source, &diagnostics)?;
                    return Err(Failure::Reported);
                }
                Err(CompileError::Usage(message)) => return Err(Failure::Io(message)),
                Err(CompileError::Internal(message)) => return Err(internal(message)),
            };
            // A clean render says nothing in text; json always prints its document.
            if !warnings.is_empty() || reporter.format == ReportFormat::Json {
                reporter.diagnostics(&source, &warnings)?;
            }
            if stdout {
                let tree = render::render(&model, &options).map_err(internal)?;
                return to_stdout(&tree.to_yaml_stream(meshgen::layout::is_applied_object));
            }
            let Some(dir) = output else {
                return Err(Failure::Io("render needs -o DIR or --stdout".into()));
            };
            // A folder whose contents are wrong is exit 1; I/O trouble is exit 2.
            let failed = |e: WriteError| {
                if e.is_tree_problem() {
                    eprintln!("meshgen: {e}");
                    Failure::Reported
                } else {
                    Failure::Io(e.to_string())
                }
            };
            let stopped = |e: render::Failed<WriteError>| match e {
                render::Failed::Render(message) => internal(message),
                render::Failed::Take(e) => failed(e),
            };
            // Each cluster's files go to the folder (or the comparison) as they are
            // rendered, so memory holds the model and a few clusters, not the whole tree.
            let only = options.cluster.as_deref();
            let clusters = match only {
                Some(_) => 1,
                None => model.clusters.len(),
            };
            let shown = std::io::stderr().is_terminal();
            if check {
                let comparer = write::Comparer::start(&dir, only).map_err(failed)?;
                let comparer = Progress::new(comparer, clusters, shown);
                match meshgen::render_into(model, &options, comparer).map_err(stopped)? {
                    None => Ok(()),
                    Some(drift) => {
                        reporter.stale_tree(&source, &drift, &plan, &dir)?;
                        Err(Failure::Reported)
                    }
                }
            } else {
                let writer = write::Writer::start(&dir, force, only).map_err(failed)?;
                let writer = Progress::new(writer, clusters, shown);
                let written = meshgen::render_into(model, &options, writer).map_err(stopped)?;
                eprint!("{}", written.report(&dir));
                Ok(())
            }
        }
    }
}

/// Prints what a command found, in the chosen format.
struct Reporter {
    format: ReportFormat,
    color: anstream::ColorChoice,
}

impl Reporter {
    /// The plan's diagnostics. Text goes to stderr; json and github go to stdout, where
    /// scripts read them.
    fn diagnostics(&self, source: &Source, diagnostics: &Diagnostics) -> Result<(), Failure> {
        let file = file_name(source);
        match self.format {
            ReportFormat::Text => {
                let report =
                    diagnostics.to_text(source, self.color != anstream::ColorChoice::Never);
                let mut stderr = anstream::AutoStream::new(std::io::stderr(), self.color);
                // Like eprint!: a failed write to stderr has nowhere to be reported.
                let _ = stderr
                    .write_all(report.as_bytes())
                    .and_then(|()| stderr.flush());
                Ok(())
            }
            ReportFormat::Json => to_stdout(&format!("{}\n", report::json(file, diagnostics))),
            ReportFormat::Github => to_stdout(&report::github(file, diagnostics)),
        }
    }

    /// `render --check` found `dir` stale: the diff, and how to fix it. With json, stdout
    /// holds only the JSON document, so the diff goes to stderr.
    fn stale_tree(
        &self,
        source: &Source,
        drift: &write::Drift,
        plan: &Path,
        dir: &Path,
    ) -> Result<(), Failure> {
        let diff = drift.diff();
        let message = format!(
            "{} is stale ({}); run `meshgen render {} -o {}` and commit the result",
            dir.display(),
            drift.summary(),
            plan.display(),
            dir.display()
        );
        // What `render` would refuse: it stops there too, so the fix is not just a render.
        let refused = drift.refusals();
        match self.format {
            ReportFormat::Text => {
                to_stdout(diff)?;
                eprintln!("meshgen: {message}");
                eprint!("{refused}");
            }
            ReportFormat::Json => {
                eprint!("{diff}");
                eprintln!("meshgen: {message}");
                eprint!("{refused}");
            }
            ReportFormat::Github => {
                let annotation =
                    report::github_error(file_name(source), "meshgen render --check", &message);
                to_stdout(&format!("{diff}{annotation}"))?;
                eprint!("{refused}");
            }
        }
        Ok(())
    }
}

/// The plan's file name for machine formats; `None` for stdin.
fn file_name(source: &Source) -> Option<&str> {
    (source.name != "<stdin>").then_some(source.name.as_str())
}

/// Write to stdout; a closed pipe is an I/O failure (exit 2), never a panic.
fn to_stdout(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Failure::Io(format!("cannot write to stdout: {e}")))
}

fn read(plan: &Path, input: &InputOptions) -> Result<Source, Failure> {
    let stdin_format = match input.input_format {
        InputFormat::Yaml => Format::Yaml,
        InputFormat::Toml => Format::Toml,
    };
    meshgen::plan::load(plan, stdin_format).map_err(|e| Failure::Io(e.to_string()))
}

/// `meshgen explain [CODE]`: one code in full, or the list of codes.
fn explain(code: Option<&str>) -> Result<(), Failure> {
    let Some(code) = code else {
        let list: String = codes::ALL
            .iter()
            .map(|info| format!("{}  {}\n", info.code, info.title))
            .collect();
        return to_stdout(&list);
    };
    // `12` and `mg012` both mean MG012.
    let normalized = match code.trim().parse::<u16>() {
        Ok(number) => format!("MG{number:03}"),
        Err(_) => code.trim().to_owned(),
    };
    let Some(info) = codes::info(&normalized) else {
        let known: Vec<&str> = codes::ALL.iter().map(|c| c.code.as_str()).collect();
        return Err(Failure::Io(format!(
            "no diagnostic code `{code}`; the codes are {}\n(`meshgen explain` lists them with their titles)",
            known.join(", ")
        )));
    };
    to_stdout(&info.to_text())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
