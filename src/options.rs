//! What a compile is asked for: read by the render stage and the CLI, so it sits below
//! every stage rather than in the crate root that glues them.

/// What a compile is asked for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Render only this cluster's files: `clusters/<name>/`, `bootstrap/<name>/` and its
    /// MeshCluster patch (the README and the GlobalMesh patch cover the whole mesh).
    pub cluster: Option<String>,
    /// Warnings count as errors (`--deny-warnings`).
    pub deny_warnings: bool,
}
