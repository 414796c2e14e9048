//! The runbook's step numbers, and which clusters each runbook step concerns, so the
//! README loops over lists the model made instead of deciding in the template.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::ClusterModel;
use super::flavor::MeshFlavor;

/// The runbook step that only a plan with failover entries has.
pub const FAILOVER_STEP: &str = "failover";

/// The number of each runbook step, by name (`step.demo` in the README templates).
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct Steps(BTreeMap<String, usize>);

impl Steps {
    /// The flavor's steps, numbered from 1 in its order; the failover step only when the
    /// plan has failover entries.
    pub fn of(flavor: &MeshFlavor, failover: bool) -> Steps {
        Steps(
            flavor
                .runbook_steps()
                .iter()
                .filter(|name| failover || **name != FAILOVER_STEP)
                .enumerate()
                .map(|(i, name)| ((*name).to_owned(), i + 1))
                .collect(),
        )
    }

    /// The number of step `name`; an `Err` is a meshgen bug (a flavor without the step).
    pub fn number(&self, name: &str) -> Result<usize, String> {
        self.0
            .get(name)
            .copied()
            .ok_or_else(|| format!("the runbook has no step `{name}`"))
    }
}

/// The clusters each optional runbook step applies to (plan order); an empty
/// list means the README says why the step has nothing to do.
#[derive(Debug, Clone, Serialize)]
pub struct Runbook {
    /// Step numbers by name.
    pub steps: Steps,
    /// Clusters that run MetalLB.
    pub metallb_clusters: Vec<String>,
    /// Clusters whose LoadBalancer IPs the platform, not MetalLB, must provide.
    pub external_lb_clusters: Vec<String>,
    /// Clusters with an east-west gateway.
    pub east_west_clusters: Vec<String>,
    /// Clusters with an ingress gateway IP to pin.
    pub ingress_clusters: Vec<String>,
    /// Clusters with a demo stage.
    pub demo_clusters: Vec<String>,
}

impl Runbook {
    pub fn of(clusters: &[Arc<ClusterModel>], steps: Steps) -> Runbook {
        let names = |keep: &dyn Fn(&ClusterModel) -> bool| {
            clusters
                .iter()
                .filter(|c| keep(c))
                .map(|c| c.name.clone())
                .collect()
        };
        Runbook {
            steps,
            metallb_clusters: names(&|c| c.metallb.is_some()),
            external_lb_clusters: names(&|c| c.metallb.is_none() && !c.lb_services.is_empty()),
            east_west_clusters: names(&|c| c.east_west_service.is_some()),
            ingress_clusters: names(&|c| c.ingress_service.is_some()),
            demo_clusters: names(&|c| c.demo.is_some()),
        }
    }
}
