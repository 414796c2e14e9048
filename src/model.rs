//! Stage 3, resolve: the checked plan turned into every fact the templates need.
//!
//! Templates only place values computed here: no address math, lookups or
//! defaults in a template. `resolve` runs only on a plan that passed the checks.

use serde::Serialize;

use crate::plan::Plan;

/// Everything the render stage needs, computed once.
#[derive(Debug, Clone, Serialize)]
pub struct Model {
    pub mesh_id: String,
    pub clusters: Vec<ClusterModel>,
    /// Argo CD and Flux objects, when the plan has a gitops section.
    pub gitops: Option<crate::render::gitops::GitOpsModel>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClusterModel {
    pub name: String,
    pub network: String,
}

impl Model {
    /// Resolve a checked plan. An `Err` here is a meshgen bug (a check let something through).
    pub fn resolve(plan: &Plan) -> Result<Model, String> {
        Ok(Model {
            mesh_id: plan.mesh.id.clone(),
            clusters: plan
                .clusters
                .iter()
                .map(|c| ClusterModel {
                    name: c.name.clone(),
                    network: c.network.clone(),
                })
                .collect(),
            gitops: crate::render::gitops::GitOpsModel::resolve(plan)?,
        })
    }
}
