//! Stage 3, resolve: the checked plan turned into every fact the templates need.
//!
//! Templates only place values computed here: no address math, lookups or
//! defaults in a template. Each template has one documented context struct (the
//! struct is what the template sees as its variables); the README template sees
//! the whole [`Model`]. Every output path comes from [`crate::layout`] and is stored
//! in the file's context struct, so the files, the kustomizations and the runbook
//! commands name the same files.
//!
//! One file per job:
//! - [`mesh`]: mesh-wide facts and the networks;
//! - [`cluster`]: one cluster, its nodes and stage folders;
//! - [`metallb`]: LoadBalancer addresses, which pool serves them, MetalLB objects;
//! - [`gateways`]: the east-west gateway's Service and the cross-network Gateway;
//! - [`bootstrap`]: kind and kubeadm configs;
//! - [`demo`]: helloworld and sleep;
//! - [`gitops`]: Argo CD and Flux objects;
//! - [`runbook`]: the step numbers, and which clusters each runbook step concerns;
//! - [`existing`]: the objects that exist already and the patch files that change them;
//! - [`traffic`]: locality failover (DestinationRules, the predicted order by
//!   [`priority`], the runbook's failover step);
//! - [`verify`]: what `verify.sh` checks;
//! - [`flavor`]: **the control-plane seam**. Everything above is the same whatever
//!   runs the control plane; what differs (Mspider's hosted mode today, upstream
//!   Istio's multi-primary and primary-remote next) lives behind [`flavor::MeshFlavor`]
//!   and [`flavor::ClusterFlavor`], one file per flavor. See [`flavor`] for the API.
//!
//! `resolve` runs only on a plan that passed the checks, and takes the values the
//! checks parsed ([`ParsedFacts`]): it parses nothing again, so it has no "cannot
//! happen" errors. What it looks up by index (the control-plane cluster, each
//! cluster's pinned addresses and pools) the checks proved present.

pub mod bootstrap;
pub mod cluster;
pub mod demo;
pub mod existing;
pub mod flavor;
pub mod gateways;
pub mod gitops;
pub mod helm;
pub mod mesh;
pub mod metallb;
pub mod priority;
pub mod runbook;
pub mod traffic;
pub mod verify;

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use crate::check::ParsedFacts;
use crate::plan::Plan;

pub use cluster::ClusterModel;
pub use mesh::{MeshFacts, Network};

/// Namespace of the mesh components in every cluster.
pub const ISTIO_NAMESPACE: &str = "istio-system";
/// Namespace MetalLB runs in (and its pools and advertisements live in).
pub const METALLB_NAMESPACE: &str = "metallb-system";

/// Everything the render stage needs, computed once.
#[derive(Debug, Clone, Serialize)]
pub struct Model {
    pub mesh: MeshFacts,
    /// Networks in order of first appearance in the plan.
    pub networks: Vec<Network>,
    /// What the mesh's control-plane flavor adds for the whole mesh.
    pub flavor: flavor::MeshFlavor,
    /// The Istio config that lives in the mesh's own control plane
    /// ([`flavor::ConfigPlacement::MeshControlPlane`]), when there is any.
    pub control_plane_config: Option<gateways::ControlPlaneConfig>,
    /// Clusters in plan order. Shared, so the README's template can read them in place.
    pub clusters: Vec<Arc<ClusterModel>>,
    /// The demo apps, when the plan has them.
    pub demo: Option<demo::DemoFacts>,
    /// Which clusters each runbook step concerns.
    pub runbook: runbook::Runbook,
    /// The script that renames each cluster's kubeconfig.
    pub kubeconfig_script: bootstrap::KubeconfigScript,
    /// Argo CD and Flux objects, when the plan has a gitops section.
    pub gitops: Option<gitops::GitOpsModel>,
    /// Locality failover, when the plan has failover entries.
    pub traffic: Option<traffic::TrafficModel>,
    /// What `verify.sh` checks.
    pub verify: verify::VerifyModel,
}

/// A `key: value` pair (label, annotation, param), kept in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pair {
    pub key: String,
    pub value: String,
}

pub(crate) fn pair(key: &str, value: &str) -> Pair {
    Pair {
        key: key.to_owned(),
        value: value.to_owned(),
    }
}

impl Model {
    /// Resolve a checked plan, with the values its checks parsed
    /// ([`crate::check::check_parsed`]).
    pub fn resolve(plan: &Plan, facts: &ParsedFacts) -> Model {
        let mesh = mesh::mesh_facts(plan, facts);
        let networks = mesh::networks(plan, facts, mesh.multi_network);
        let flavor = flavor::MeshFlavor::resolve(plan, facts, &mesh, &networks);
        // One placement rule for every Istio config object (model/flavor/mod.rs).
        let placement = flavor.istio_config_placement();
        // The cross-network Gateway is needed wherever an east-west gateway runs.
        let cross_network = networks.iter().any(|n| !n.gateways.is_empty());
        let control_plane_config = (placement == flavor::ConfigPlacement::MeshControlPlane
            && cross_network)
            .then(|| gateways::ControlPlaneConfig::new(&mesh));
        let network_members: HashMap<&str, &Vec<String>> = networks
            .iter()
            .map(|n| (n.id.as_str(), &n.clusters))
            .collect();
        let mut clusters = Vec::with_capacity(plan.clusters.len());
        for (index, cluster) in plan.clusters.iter().enumerate() {
            let peers = network_members
                .get(cluster.network.as_str())
                .map_or(&[][..], |members| members.as_slice());
            let input = cluster::ClusterInput {
                plan,
                mesh: &mesh,
                index,
                cluster,
                parsed: &facts.clusters[index],
                network_members: peers,
                holds_istio_config: cross_network && placement.in_cluster(index),
            };
            clusters.push(Arc::new(ClusterModel::resolve(&input, &flavor)));
        }
        let demo = plan.demo.as_ref().map(|demo| demo::demo_facts(plan, demo));
        let traffic = traffic::TrafficModel::resolve(
            plan,
            facts,
            &mesh,
            &placement,
            flavor.control_plane_api_server(),
            &clusters,
        );
        let steps = runbook::Steps::of(&flavor, traffic.is_some());
        let verify = verify::VerifyModel::resolve(
            plan,
            facts,
            &mesh,
            &flavor,
            &clusters,
            demo.as_ref(),
            traffic.as_ref(),
            control_plane_config.as_ref(),
            &steps,
        );
        let runbook = runbook::Runbook::of(&clusters, steps);
        let gitops = gitops::GitOpsModel::resolve(plan, facts, &clusters);
        Model {
            mesh,
            networks,
            flavor,
            control_plane_config,
            clusters,
            demo,
            runbook,
            kubeconfig_script: bootstrap::KubeconfigScript {
                path: crate::layout::KUBECONFIG_SCRIPT.to_owned(),
            },
            gitops,
            traffic,
            verify,
        }
    }

    /// The cluster named `name`.
    pub fn cluster(&self, name: &str) -> Option<&ClusterModel> {
        self.clusters
            .iter()
            .map(Arc::as_ref)
            .find(|c| c.name == name)
    }
}
