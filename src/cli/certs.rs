//! `meshgen certs PLAN --out DIR`: a test CA for the upstream modes ([`meshgen::certs`]).

use std::path::PathBuf;

use super::super::{Failure, InputOptions};

#[derive(clap::Args)]
pub struct CertsArgs {
    /// The plan: a .yaml, .yml or .toml file, or - for stdin.
    #[arg(default_value = "mesh.yaml")]
    plan: PathBuf,
    #[command(flatten)]
    input: InputOptions,
    /// Folder for the keys and certificates: outside any git work tree and any rendered
    /// tree; existing files are never overwritten.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// A bad plan is exit 1, as for `render`; a hosted plan, a refused folder or I/O trouble 2.
pub fn run(args: CertsArgs, color: anstream::ColorChoice) -> Result<(), Failure> {
    let (_, model) = super::resolve_plan(&args.plan, &args.input, color, || Failure::Reported)?;
    let written = meshgen::certs::write_for(&model, &args.out, meshgen::certs::today())
        .map_err(|e| Failure::Io(e.to_string()))?;
    eprintln!("meshgen: {written}");
    Ok(())
}
