//! The runbook's step numbers, and which clusters each runbook step concerns, so the
//! README loops over lists the model made instead of deciding in the template.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::ClusterModel;
use super::cluster::MeshRole;
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
    /// Hosted: pin the hosted istiod's address (upstream: the `istiod-lb` Service, installed).
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
    /// Upstream: the `istio-system` Namespace manifest (its network label).
    Namespace,
    /// Upstream: the `cacerts` Secrets of one root CA.
    Trust,
    /// Upstream: `helm repo add`.
    HelmRepo,
    /// Upstream: the Helm releases and the Istio config of the clusters that run istiod
    /// (multi-primary: every cluster; primary-remote: the primary).
    Install,
    /// Multi-primary: the remote secrets.
    RemoteSecrets,
    /// Primary-remote: the remotes' releases, and their remote secrets in the primary.
    Remotes,
    /// Upstream: `istioctl remote-clusters` and the root certificate.
    VerifyMesh,
    /// Only in a plan with failover entries.
    Failover,
}

/// A flavor's runbook: its steps (headings) in order, and the [`Step::SHARED`] ones it has
/// no heading for, with the heading whose commands do their work (upstream installs the
/// gateways with Helm in its install step). `remote_done_in` overrides `done_in` for a
/// cluster whose mesh role is [`MeshRole::Remote`] (installed in a step of its own).
#[derive(Debug)]
pub struct RunbookSteps {
    pub headings: &'static [Step],
    pub done_in: &'static [(Step, Step)],
    pub remote_done_in: &'static [(Step, Step)],
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

/// The number of each runbook step (`step.demo` in the README templates), a shared step
/// without a heading numbered as the heading that does its work.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct Steps {
    numbers: BTreeMap<Step, usize>,
    /// For a remote's objects, where that differs.
    #[serde(skip)]
    remote: BTreeMap<Step, usize>,
}

impl Steps {
    /// The flavor's steps, numbered from 1 in its order; the failover step only when the
    /// plan has failover entries.
    pub fn of(flavor: &MeshFlavor, failover: bool) -> Steps {
        let runbook = flavor.runbook_steps();
        let mut numbers: BTreeMap<Step, usize> = runbook
            .headings
            .iter()
            .filter(|step| failover || **step != Step::Failover)
            .enumerate()
            .map(|(i, step)| (*step, i + 1))
            .collect();
        let resolve = |pairs: &[(Step, Step)], numbers: &BTreeMap<Step, usize>| {
            pairs
                .iter()
                .map(|(part, heading)| (*part, numbers.get(heading).copied().unwrap_or_default()))
                .collect::<BTreeMap<_, _>>()
        };
        let remote = resolve(runbook.remote_done_in, &numbers);
        numbers.extend(resolve(runbook.done_in, &numbers));
        Steps { numbers, remote }
    }

    /// The number of `step`: every flavor has the [`Step::SHARED`] steps (tested), and a
    /// plan with failover entries the failover step; 0 for a step the runbook lacks.
    pub fn number(&self, step: Step) -> usize {
        self.numbers.get(&step).copied().unwrap_or_default()
    }

    /// The number of `step` for the objects of a cluster in `role`.
    pub fn number_for(&self, step: Step, role: MeshRole) -> usize {
        match (role, self.remote.get(&step)) {
            (MeshRole::Remote, Some(number)) => *number,
            _ => self.number(step),
        }
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
    use crate::model::flavor::{hosted, upstream};

    #[test]
    fn every_flavor_has_the_shared_steps_once() {
        for runbook in [
            &hosted::RUNBOOK_STEPS,
            &upstream::MULTI_PRIMARY_STEPS,
            &upstream::PRIMARY_REMOTE_STEPS,
        ] {
            let headings = runbook.headings;
            for shared in Step::SHARED.into_iter().chain([Step::Failover]) {
                let heading = headings.iter().filter(|s| **s == shared).count();
                let done_in: Vec<Step> = (runbook.done_in.iter())
                    .filter(|(part, _)| *part == shared)
                    .map(|(_, heading)| *heading)
                    .collect();
                assert_eq!(heading + done_in.len(), 1, "{shared:?}");
                // A step done in another is done in one of the runbook's headings.
                assert!(done_in.iter().all(|h| headings.contains(h)), "{shared:?}");
            }
            for (_, heading) in runbook.remote_done_in {
                assert!(headings.contains(heading), "{heading:?}");
            }
        }
    }
}
