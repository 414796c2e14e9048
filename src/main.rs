//! The `meshgen` command line: a thin shell around [`meshgen::compile`].
//!
//! Exit codes: 0 ok, 1 the plan or the tree is wrong, 2 usage or I/O error.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use meshgen::{CompileError, Diagnostics, Format, Options, Source};

/// The demo plan of DESIGN.md, written by `meshgen init`.
const DEMO_PLAN: &str = include_str!("../golden/demo/plan.yaml");

#[derive(Parser)]
#[command(name = "meshgen", version, about, long_about = None)]
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
    /// Write the demo plan (the seed's three-cluster mesh) to start from.
    Init {
        /// Where to write it; refuses to overwrite an existing file.
        #[arg(default_value = "mesh.yaml")]
        path: PathBuf,
    },
    /// Check a plan and report every problem at once.
    Validate {
        #[command(flatten)]
        input: Input,
    },
    /// Render the plan into a tree of manifests, patches and a runbook.
    Render {
        #[command(flatten)]
        input: Input,
        /// Output folder (meshgen owns the files it lists in OUT/.meshgen/manifest).
        #[arg(short, long, value_name = "DIR", required_unless_present = "stdout")]
        output: Option<PathBuf>,
        /// Write nothing; print a unified diff and exit 1 when the folder is stale.
        #[arg(long, conflicts_with = "stdout")]
        check: bool,
        /// Print every manifest as one YAML stream instead of writing a folder.
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
    /// Print the plan's JSON Schema (for editors and yaml-language-server).
    Schema,
}

#[derive(clap::Args)]
struct Input {
    /// The plan: a .yaml, .yml or .toml file, or - for stdin.
    #[arg(default_value = "mesh.yaml")]
    plan: PathBuf,
    /// Format of a plan read from stdin.
    #[arg(long, value_enum, default_value_t = InputFormat::Yaml)]
    input_format: InputFormat,
    /// Treat warnings as errors.
    #[arg(long)]
    deny_warnings: bool,
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

/// Failure kinds, mapped to exit codes.
enum Failure {
    /// The plan or the tree is wrong (exit 1); the report is already printed.
    Reported,
    /// Usage, I/O or internal failure (exit 2).
    Io(String),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stderr().is_terminal()
        }
    };
    match run(cli.command, color) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Reported) => ExitCode::from(1),
        Err(Failure::Io(message)) => {
            eprintln!("meshgen: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command, color: bool) -> Result<(), Failure> {
    match command {
        Command::Init { path } => init(&path),
        Command::Schema => {
            println!("{}", meshgen::plan::schema_json());
            Ok(())
        }
        Command::Validate { input } => {
            let source = read(&input)?;
            match meshgen::check_source(&source, input.deny_warnings) {
                Ok(checked) => {
                    report(&source, &checked.warnings, color);
                    Ok(())
                }
                Err(diagnostics) => {
                    report(&source, &diagnostics, color);
                    Err(Failure::Reported)
                }
            }
        }
        Command::Render {
            input,
            output,
            check,
            stdout,
            cluster,
            force,
        } => {
            let source = read(&input)?;
            let options = Options { cluster };
            let (tree, warnings) = match meshgen::compile(&source, &options, input.deny_warnings) {
                Ok(done) => done,
                Err(CompileError::Plan(diagnostics)) => {
                    report(&source, &diagnostics, color);
                    return Err(Failure::Reported);
                }
                Err(CompileError::Internal(message)) => {
                    return Err(Failure::Io(format!(
                        "internal error, a bug in meshgen: {message}"
                    )));
                }
            };
            if !warnings.is_empty() {
                report(&source, &warnings, color);
            }
            if stdout {
                let mut out = std::io::stdout().lock();
                return out
                    .write_all(tree.to_yaml_stream().as_bytes())
                    .and_then(|()| out.flush())
                    .map_err(|e| Failure::Io(format!("cannot write to stdout: {e}")));
            }
            let Some(dir) = output else {
                return Err(Failure::Io("render needs -o DIR or --stdout".into()));
            };
            // A folder whose contents are wrong is exit 1; I/O trouble is exit 2.
            let failed = |e: meshgen::write::WriteError| {
                if e.is_tree_problem() {
                    eprintln!("meshgen: {e}");
                    Failure::Reported
                } else {
                    Failure::Io(e.to_string())
                }
            };
            if check {
                match meshgen::write::diff_tree(&tree, &dir).map_err(failed)? {
                    None => Ok(()),
                    Some(drift) => {
                        let mut out = std::io::stdout().lock();
                        out.write_all(drift.diff().as_bytes())
                            .and_then(|()| out.flush())
                            .map_err(|e| Failure::Io(format!("cannot write to stdout: {e}")))?;
                        eprintln!(
                            "meshgen: {} is stale ({}); run `meshgen render {} -o {}` and commit the result",
                            dir.display(),
                            drift.summary(),
                            input.plan.display(),
                            dir.display()
                        );
                        Err(Failure::Reported)
                    }
                }
            } else {
                let written = meshgen::write::write_tree(&tree, &dir, force).map_err(failed)?;
                eprintln!("meshgen: {written} in {}", dir.display());
                Ok(())
            }
        }
    }
}

fn read(input: &Input) -> Result<Source, Failure> {
    let stdin_format = match input.input_format {
        InputFormat::Yaml => Format::Yaml,
        InputFormat::Toml => Format::Toml,
    };
    meshgen::plan::load(&input.plan, stdin_format).map_err(|e| Failure::Io(e.to_string()))
}

fn report(source: &Source, diagnostics: &Diagnostics, color: bool) {
    eprint!("{}", diagnostics.to_text(source, color));
}

fn init(path: &Path) -> Result<(), Failure> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path);
    let mut file = match file {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(Failure::Io(format!(
                "{} exists; not overwriting it",
                path.display()
            )));
        }
        Err(e) => {
            return Err(Failure::Io(format!(
                "cannot create {}: {e}",
                path.display()
            )));
        }
    };
    file.write_all(DEMO_PLAN.as_bytes())
        .map_err(|e| Failure::Io(format!("cannot write {}: {e}", path.display())))?;
    eprintln!(
        "wrote the demo plan to {}; next: meshgen validate {0}",
        path.display()
    );
    Ok(())
}
