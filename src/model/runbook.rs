//! The runbook's step numbers, and which clusters each runbook step concerns, so the
//! README loops over lists the model made instead of deciding in the template.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::ClusterModel;
use super::flavor::MeshFlavor;

/// A step of a runbook. Each flavor lists its own, in order ([`MeshFlavor::runbook_steps`]);
/// the README templates read them by these names (`step.east_west`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Clusters,
    /// Each cluster's kubeconfig under its own names.
    Kubeconfig,
    Nodes,
    Metallb,
    /// Hosted: create the mesh in Mspider's console.
    CreateMesh,
    /// Hosted: pin the hosted istiod's address.
    IstiodIp,
    /// Hosted: the GlobalMesh params.
    Globalmesh,
    /// Hosted: add the work clusters.
    WorkClusters,
    /// Hosted: the MeshCluster params.
    Meshcluster,
    NetworkLabel,
    Ingress,
    EastWest,
    /// Hosted: the cross-network Gateway in the mesh's own control plane.
    CrossNetwork,
    VerifyLb,
    Demo,
    VerifyTraffic,
    /// Only in a plan with failover entries.
    Failover,
}

impl Step {
    /// The steps every flavor's runbook has: the shared README parts and `verify.sh` name them.
    pub const SHARED: [Step; 10] = [
        Step::Clusters,
        Step::Kubeconfig,
        Step::Nodes,
        Step::Metallb,
        Step::NetworkLabel,
        Step::Ingress,
        Step::EastWest,
        Step::VerifyLb,
        Step::Demo,
        Step::VerifyTraffic,
    ];
}

/// The number of each runbook step (`step.demo` in the README templates).
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct Steps(BTreeMap<Step, usize>);

impl Steps {
    /// The flavor's steps, numbered from 1 in its order; the failover step only when the
    /// plan has failover entries.
    pub fn of(flavor: &MeshFlavor, failover: bool) -> Steps {
        Steps(
            flavor
                .runbook_steps()
                .iter()
                .filter(|step| failover || **step != Step::Failover)
                .enumerate()
                .map(|(i, step)| (*step, i + 1))
                .collect(),
        )
    }

    /// The number of `step`: every flavor has the [`Step::SHARED`] steps (tested), and a
    /// plan with failover entries the failover step; 0 for a step the runbook lacks.
    pub fn number(&self, step: Step) -> usize {
        self.0.get(&step).copied().unwrap_or_default()
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
    /// Clusters whose east-west gateway other networks reach through the NodePort fallback.
    pub fallback_clusters: Vec<String>,
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
            fallback_clusters: names(&|c| {
                c.east_west_service.is_some() && c.east_west_node_port.is_some()
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::flavor::hosted;

    #[test]
    fn every_flavor_has_the_shared_steps_once() {
        for steps in [hosted::RUNBOOK_STEPS] {
            for shared in Step::SHARED.into_iter().chain([Step::Failover]) {
                assert_eq!(
                    steps.iter().filter(|s| **s == shared).count(),
                    1,
                    "{shared:?}"
                );
            }
        }
    }
}
