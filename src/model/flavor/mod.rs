//! The control-plane flavor: the one seam where meshes differ by what runs their
//! control plane.
//!
//! Everything else in the model (clusters, networks, nodes, MetalLB, LoadBalancer
//! addresses, the east-west gateway's Service and the cross-network Gateway, the demo,
//! GitOps) means the same in every flavor. A flavor is one file here with two types:
//!
//! - its mesh-wide part, a variant of [`MeshFlavor`] (`Model::flavor`): facts and
//!   files that cover the whole mesh (hosted: the hosted istiod's address, the
//!   GlobalMesh patch), resolved once by [`MeshFlavor::resolve`];
//! - its per-cluster part, a variant of [`ClusterFlavor`] (`ClusterModel::flavor`),
//!   made by [`MeshFlavor::cluster`] from the cluster's [`ClusterInput`] and its
//!   east-west Service. The shared cluster model asks it only what it must know:
//!   [`ClusterFlavor::lb_services`] (the control plane's LoadBalancer Services, which
//!   MetalLB must serve), [`ClusterFlavor::istio_files`] (its files in the cluster's
//!   `istio` stage), [`ClusterFlavor::takes_istio_config`] (whether the cluster gets the
//!   cross-network Gateway) and [`ClusterFlavor::mesh_role`].
//!
//! The mesh-wide part also says where the mesh's istiod reads Istio config
//! ([`MeshFlavor::istio_config`]: the failover DestinationRules go there), which steps its
//! runbook has ([`MeshFlavor::runbook_steps`]) and what `verify.sh` checks that only it
//! knows ([`MeshFlavor::verify_checks`]: hosted, the GlobalMesh and MeshCluster params;
//! upstream, the Helm releases and istiod's readiness).
//!
//! Both enums serialize with a `mode` tag (the plan's `mesh.mode`) and the flavor's
//! own fields, so templates read them as `flavor.<field>`. The rest of a flavor sits
//! beside its model file, in folders named after its mode:
//! `src/render/<mode>.rs` renders its files, `templates/<mode>/` holds their
//! templates and its README (`templates/<mode>/README.md`, which includes the steps
//! every flavor shares from `templates/readme/`).
//!
//! Adding a flavor (issue 12: upstream Istio's `multi-primary` and `primary-remote`,
//! with Helm values per chart, Namespace manifests, remote secrets and `cacerts`):
//! a `plan::MeshMode` variant; `model/flavor/<mode>.rs` with its mesh and cluster
//! types, its runbook's steps (every [`Step::SHARED`] one among them), where its istiod
//! reads Istio config and its own `verify.sh` checks (upstream: the Helm releases, istiod's
//! readiness, the remote secrets); one arm in each `match` of this file; `render/<mode>.rs` and one arm in
//! the render's flavor `match`; `templates/<mode>/`. Nothing else asks which flavor
//! a mesh has.

pub mod hosted;

use serde::Serialize;

use super::ClusterModel;
use super::cluster::{ClusterInput, MeshRole};
use super::mesh::{MeshFacts, Network};
use super::metallb::LbService;
use super::runbook::{Step, Steps};
use super::verify::Check;
use crate::check::{FlavorFacts, ParsedFacts};
use crate::plan::Plan;

/// What the mesh's flavor adds for the whole mesh.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "mode", rename_all = "kebab-case")]
pub enum MeshFlavor {
    /// Mspider's hosted mesh.
    Hosted(hosted::HostedMesh),
}

/// What the mesh's flavor adds to one cluster.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "mode", rename_all = "kebab-case")]
pub enum ClusterFlavor {
    /// Mspider's hosted mesh.
    Hosted(hosted::HostedCluster),
}

/// Where the mesh's istiod reads Istio config (Gateways, DestinationRules, ...).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ConfigPlace {
    /// The control plane's own API server, one copy for the mesh (hosted: Mspider's
    /// virtual cluster of the mesh).
    ControlPlane {
        /// What it is, for the README.
        name: String,
        /// The kubeconfig context the runbook and `verify.sh` name it by.
        context: String,
    },
    /// A copy in each of these clusters (multi-primary: every cluster; primary-remote: the
    /// primary).
    Clusters { clusters: Vec<String> },
}

impl MeshFlavor {
    /// The flavor the plan's `mesh.mode` names, with its mesh-wide facts.
    pub fn resolve(
        plan: &Plan,
        facts: &ParsedFacts,
        mesh: &MeshFacts,
        networks: &[Network],
    ) -> Self {
        // The checks gave the flavor's own facts for the plan's `mesh.mode`.
        match facts.flavor {
            FlavorFacts::Hosted { istiod } => MeshFlavor::Hosted(hosted::HostedMesh::resolve(
                plan, facts, istiod, mesh, networks,
            )),
        }
    }

    /// Where istiod reads Istio config.
    pub fn istio_config(&self) -> ConfigPlace {
        match self {
            MeshFlavor::Hosted(mesh) => mesh.istio_config(),
        }
    }

    /// The runbook's steps, in order; [`Step::SHARED`] and [`Step::Failover`] among them.
    pub fn runbook_steps(&self) -> &'static [Step] {
        match self {
            MeshFlavor::Hosted(_) => hosted::RUNBOOK_STEPS,
        }
    }

    /// The checks of `verify.sh` that only this flavor knows, in runbook order.
    pub fn verify_checks(
        &self,
        clusters: &[std::sync::Arc<ClusterModel>],
        steps: &Steps,
    ) -> Vec<Check> {
        match self {
            MeshFlavor::Hosted(mesh) => mesh.verify_checks(clusters, steps),
        }
    }

    /// The flavor's part of one cluster; `east_west`: the cluster's east-west
    /// gateway Service, when it has one.
    pub fn cluster(
        &self,
        input: &ClusterInput<'_>,
        east_west: Option<&LbService>,
    ) -> ClusterFlavor {
        match self {
            MeshFlavor::Hosted(mesh) => ClusterFlavor::Hosted(mesh.cluster(input, east_west)),
        }
    }
}

impl ClusterFlavor {
    /// The control plane's LoadBalancer Services in this cluster, listed before the
    /// gateways' (in the runbook and in what each MetalLB pool serves).
    pub fn lb_services(&self) -> Vec<&LbService> {
        match self {
            ClusterFlavor::Hosted(c) => c.istiod_service.iter().collect(),
        }
    }

    /// The flavor's files in the cluster's `istio` stage, in apply order; the
    /// cross-network Gateway follows them.
    pub fn istio_files(&self) -> Vec<&str> {
        match self {
            ClusterFlavor::Hosted(c) => c
                .east_west_gateway
                .iter()
                .map(|g| g.path.as_str())
                .collect(),
        }
    }

    /// Whether an istiod reads this cluster's Istio config, so that the cluster with
    /// an east-west gateway gets the cross-network Gateway.
    pub fn takes_istio_config(&self) -> bool {
        match self {
            // As the seed procedure has it: every cluster with an east-west gateway.
            ClusterFlavor::Hosted(_) => true,
        }
    }

    pub fn mesh_role(&self) -> MeshRole {
        match self {
            ClusterFlavor::Hosted(c) => c.mesh_role,
        }
    }
}
