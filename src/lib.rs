//! meshgen compiles a mesh plan into a deterministic tree of Kubernetes manifests.
//!
//! The pipeline, one module per stage:
//! [`plan`] (load) → [`check`] → [`model`] (resolve) → [`render`] → [`tree`] / [`write`]
//! (write / diff / print).
//! [`compile`] is the pure middle: plan text in, tree or diagnostics out. The CLI runs
//! [`resolve`] and then [`render::render_each`] into [`write::Writer`] or
//! [`write::Comparer`], so each cluster's files reach the folder as they are rendered.
//! [`graph`] draws the model (the README's diagram and `meshgen graph`); [`diff`] compares
//! two plans' models and trees (`meshgen diff`), above the render.

pub mod certs;
pub mod check;
pub mod codes;
pub mod diag;
pub mod diff;
pub mod grammar;
pub mod graph;
pub mod layout;
pub mod model;
pub mod net;
pub mod plan;
pub mod render;
pub mod report;
pub mod tree;
pub mod write;

pub use codes::Code;
pub use diag::{Diagnostic, Diagnostics, Severity};
pub use plan::{Format, Plan, Source};
pub use tree::Tree;

/// What a compile is asked for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Render only this cluster's files: `clusters/<name>/`, `bootstrap/<name>/` and its
    /// MeshCluster patch (the README and the GlobalMesh patch cover the whole mesh).
    pub cluster: Option<String>,
    /// Warnings count as errors (`--deny-warnings`).
    pub deny_warnings: bool,
}

/// A plan that parsed and passed every check, with any warnings and the values the checks
/// parsed (for the model, which reads them instead of parsing the plan again).
pub struct Checked {
    pub plan: Plan,
    /// `None` only if a rule let a value through that it did not parse: a meshgen bug,
    /// reported by [`resolve`] as [`CompileError::Internal`].
    pub facts: Option<check::ParsedFacts>,
    pub warnings: Diagnostics,
}

/// Load and check: the parsed plan, or every problem found (located in the text).
/// Warnings count as errors when `deny_warnings` is set.
pub fn check_source(source: &Source, deny_warnings: bool) -> Result<Checked, Diagnostics> {
    let plan = plan::parse(source).map_err(|mut d| {
        plan::locate(&mut d, source);
        d
    })?;
    let (mut diagnostics, facts) = check::check_parsed(&plan);
    if deny_warnings {
        diagnostics.deny_warnings();
    }
    plan::locate(&mut diagnostics, source);
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    Ok(Checked {
        plan,
        facts,
        warnings: diagnostics,
    })
}

/// Why a compile produced no tree.
#[derive(Debug)]
pub enum CompileError {
    /// The plan is wrong: every problem, located.
    Plan(Diagnostics),
    /// The options ask for something the plan does not have (`--cluster` naming no cluster).
    Usage(String),
    /// meshgen itself failed (a template or model bug), never the user's mistake.
    Internal(String),
}

/// Plan text → model: load, check, resolve. Pure: no file is read or written.
/// [`render::render_each`] then renders the model in parts, [`render::render`] whole.
pub fn resolve(
    source: &Source,
    options: &Options,
) -> Result<(model::Model, Diagnostics), CompileError> {
    let checked = check_source(source, options.deny_warnings).map_err(CompileError::Plan)?;
    if let Some(name) = &options.cluster
        && !checked.plan.clusters.iter().any(|c| &c.name == name)
    {
        let known: Vec<&str> = checked
            .plan
            .clusters
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        return Err(CompileError::Usage(format!(
            "--cluster {name}: the plan has no such cluster (it has {})",
            known.join(", ")
        )));
    }
    let Checked {
        plan,
        facts,
        warnings,
    } = checked;
    let facts = facts.ok_or_else(|| {
        CompileError::Internal("the checks passed but left a plan value unparsed".to_owned())
    })?;
    // The model holds everything the render needs; the plan is dropped when this returns.
    let model = model::Model::resolve(&plan, &facts);
    Ok((model, warnings))
}

/// Plan text → tree: load, check, resolve, render. Pure: no file is read or written.
pub fn compile(source: &Source, options: &Options) -> Result<(Tree, Diagnostics), CompileError> {
    let (model, warnings) = resolve(source, options)?;
    let tree = render::render(&model, options).map_err(CompileError::Internal)?;
    Ok((tree, warnings))
}

/// `meshgen render -o DIR` and `render --check -o DIR`: render `model` into `sink` (a
/// [`write::Writer`] or a [`write::Comparer`]), each cluster's files handed over as they
/// are rendered, so memory holds the model and a few clusters, never the whole tree.
pub fn render_into<S: write::Sink>(
    model: model::Model,
    options: &Options,
    mut sink: S,
) -> Result<S::Done, render::Failed<write::WriteError>> {
    render::render_each(&model, options, |part| sink.add(&part))?;
    // Finishing reads the previous tree; the model is not needed for that.
    drop(model);
    sink.finish().map_err(render::Failed::Take)
}
