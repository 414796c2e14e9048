//! `meshgen graph PLAN [--format mermaid|dot]`: the picture the tree's README opens with.

use std::path::PathBuf;

use clap::ValueEnum;
use meshgen::graph::{self, Graph};

use super::super::{Failure, InputOptions, to_stdout};

#[derive(clap::Args)]
pub struct GraphArgs {
    /// The plan: a .yaml, .yml or .toml file, or - for stdin.
    #[arg(default_value = "mesh.yaml")]
    plan: PathBuf,
    #[command(flatten)]
    input: InputOptions,
    /// mermaid (the README's diagram) or dot (Graphviz: `meshgen graph --format dot | dot -Tsvg`).
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    format: GraphFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphFormat {
    Mermaid,
    Dot,
}

/// A bad plan is exit 1, as for `render`.
pub fn run(args: GraphArgs, color: anstream::ColorChoice) -> Result<(), Failure> {
    let (_, model) = super::resolve_plan(&args.plan, &args.input, color, || Failure::Reported)?;
    let picture = Graph::of(&model);
    to_stdout(&match args.format {
        GraphFormat::Mermaid => graph::mermaid(&picture),
        GraphFormat::Dot => graph::dot(&picture),
    })
}
