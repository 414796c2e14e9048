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
//!   `istio` stage) and [`ClusterFlavor::mesh_role`].
//!
//! ## Where the mesh's Istio config goes: [`MeshFlavor::istio_config_placement`]
//!
//! Istio config objects (the cross-network `Gateway` today, `DestinationRule`s and the
//! like later) take effect only where the mesh's istiod reads them, and that is a property
//! of the flavor, so it is one rule, asked once ([`ConfigPlacement`]):
//!
//! - Mspider hosted: [`ConfigPlacement::MeshControlPlane`]. A hosted mesh keeps its Istio
//!   resources in its own virtual cluster (`<meshID>-hosted-apiserver`, in the
//!   control-plane cluster); Istio CRs in work clusters "lose effect" (DaoCloud/DaoCloud-docs
//!   `docs/en/docs/mspider/best-practice/managed-mesh-to-sync.md`). The objects are
//!   rendered once, under `global/istio/`, and the runbook creates them there (a mesh
//!   Gateway Rule in the console, or `kubectl` against the hosted API server), never in
//!   a cluster's `istio` stage or a GitOps stage.
//! - Upstream multi-primary (issue 12): [`ConfigPlacement::Clusters`] with every primary;
//!   primary-remote: with the primary alone (istio.io `docs/setup/install/multicluster/`:
//!   config is applied where istiod runs, never to a remote). Each listed cluster gets the
//!   objects in its `istio` stage.
//!
//! Every Istio config object a later change adds asks this rule, not the flavor's name.
//!
//! The mesh-wide part also says which steps its runbook has ([`MeshFlavor::runbook_steps`])
//! and what `verify.sh` checks that only it knows ([`MeshFlavor::verify_checks`]: hosted,
//! the GlobalMesh and MeshCluster params; upstream, the Helm releases and istiod's
//! readiness). The failover DestinationRules ask [`MeshFlavor::istio_config_placement`].
//!
//! Both enums serialize with a `mode` tag (the plan's `mesh.mode`) and the flavor's
//! own fields, so templates read them as `flavor.<field>`. The rest of a flavor sits
//! beside its model file, in folders named after its mode:
//! `src/render/<mode>.rs` renders its files, `templates/<mode>/` holds their
//! templates and its README (`templates/<mode>/README.md`, which includes the steps
//! every flavor shares from `templates/readme/`).
//!
//! What consumers above the model (`meshgen diff`, `meshgen graph` and the README's
//! diagram) ask of any flavor, so that they never match on one:
//! [`MeshFlavor::global_cluster`] (where the mesh's own objects live, if anywhere but
//! the clusters), [`MeshFlavor::pilot_endpoints`] (where each istiod is reached, and by
//! whom), [`MeshFlavor::remote_secrets`] (which istiod reads which cluster's API server),
//! [`MeshFlavor::trust_domain`], [`MeshFlavor::control_plane_access`] (how commands reach
//! the mesh's own control plane, where its Istio config lives), [`MeshFlavor::patches`] and [`ClusterFlavor::patches`]
//! (existing objects the flavor's files change, [`crate::model::existing`]),
//! [`ClusterFlavor::helm_releases`] (Helm releases and their values files) and
//! [`MeshRole::title`] (each role's name).
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
use super::existing::{Patch, Purpose};
use super::mesh::{MeshFacts, Network};
use super::metallb::LbService;
use super::runbook::{Step, Steps};
use super::verify::Check;
use crate::check::{FlavorFacts, ParsedFacts};
use crate::plan::Plan;

/// Where istiod reads the mesh's Istio config (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ConfigPlacement {
    /// In the mesh's own control plane, which is no cluster's API server (Mspider's
    /// hosted API server): rendered once, under `global/istio/`.
    MeshControlPlane,
    /// In these clusters (indices in plan order), in each one's `istio` stage.
    Clusters(Vec<usize>),
}

impl ConfigPlacement {
    /// Whether the cluster at `index` of the plan holds the config.
    pub fn in_cluster(&self, index: usize) -> bool {
        match self {
            ConfigPlacement::MeshControlPlane => false,
            ConfigPlacement::Clusters(clusters) => clusters.contains(&index),
        }
    }
}

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

    /// Where istiod reads the mesh's Istio config.
    pub fn istio_config_placement(&self) -> ConfigPlacement {
        match self {
            MeshFlavor::Hosted(_) => ConfigPlacement::MeshControlPlane,
        }
    }

    /// The name `verify.sh` looks up a kubeconfig context by for the API server of the mesh's
    /// own control plane ([`ConfigPlacement::MeshControlPlane`]); such a context is rare
    /// (hosted: the API server runs in a pod), so the checks there are optional.
    pub fn control_plane_api_server(&self) -> Option<&str> {
        match self {
            MeshFlavor::Hosted(mesh) => Some(&mesh.hosted_apiserver),
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

/// Where one istiod is reached by the clusters it serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PilotEndpoint {
    /// What answers there, e.g. `hosted istiod`.
    pub title: String,
    /// The cluster it runs in.
    pub cluster: String,
    /// The Service in front of it (`istiod-<mesh>-hosted-lb`).
    pub service: String,
    /// The address its clients dial, and the param that hands it to them.
    pub address: String,
    pub param: String,
    /// The clusters whose proxies reach it at that address, in plan order.
    pub clients: Vec<String>,
    /// Where the address is set, when no file of the tree sets it (hosted: Mspider's
    /// console writes the Service's annotations).
    pub set_by: Option<String>,
}

/// How commands reach the mesh's own control plane, where its Istio config lives
/// ([`ConfigPlacement::MeshControlPlane`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlPlaneAccess {
    /// The kubeconfig context the commands go through.
    pub context: String,
    /// The `kubectl` to run there, up to its verb (`... exec -i -n NAMESPACE POD -- kubectl`).
    pub kubectl: String,
    /// What to do or know first (how to fill in the command's placeholders).
    pub before: String,
}

/// A remote secret: `in_cluster`'s istiod reads `of_cluster`'s API server with it
/// (istioctl `pkg/multicluster/remote_secret.go`: Secret `istio-remote-secret-<name>`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RemoteSecret {
    pub in_cluster: String,
    pub of_cluster: String,
    pub namespace: String,
}

/// A Helm release a flavor installs in a cluster, with its values file in the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HelmRelease {
    pub release: String,
    /// `istio/istiod`, `istio/gateway`, ...
    pub chart: String,
    pub version: String,
    pub namespace: String,
    /// The values file in the tree.
    pub values: String,
    /// What the release is for: `Membership` for the control plane, `Address` for a
    /// gateway (the order `meshgen diff` upgrades them in).
    pub purpose: Purpose,
}

impl MeshFlavor {
    /// Where the mesh's own objects live when that is not one of its clusters
    /// (hosted: Mspider's global service cluster).
    pub fn global_cluster(&self) -> Option<&str> {
        match self {
            MeshFlavor::Hosted(mesh) => Some(&mesh.global_cluster),
        }
    }

    /// Where each istiod is reached by other clusters (none where every cluster runs its own).
    pub fn pilot_endpoints(&self) -> Vec<PilotEndpoint> {
        match self {
            MeshFlavor::Hosted(mesh) => vec![mesh.pilot_endpoint()],
        }
    }

    /// How commands reach the mesh's own control plane, when its Istio config lives there.
    pub fn control_plane_access(&self) -> Option<ControlPlaneAccess> {
        match self {
            MeshFlavor::Hosted(mesh) => Some(mesh.control_plane_access()),
        }
    }

    /// The remote secrets the mesh needs (hosted: none, Mspider connects the clusters).
    pub fn remote_secrets(&self) -> Vec<RemoteSecret> {
        match self {
            MeshFlavor::Hosted(_) => Vec::new(),
        }
    }

    /// The trust domain the plan sets (hosted: Mspider's, not the plan's).
    pub fn trust_domain(&self) -> Option<&str> {
        match self {
            MeshFlavor::Hosted(_) => None,
        }
    }

    /// Existing objects the flavor's mesh-wide files patch.
    pub fn patches(&self) -> Vec<Patch> {
        match self {
            MeshFlavor::Hosted(mesh) => mesh.patches(),
        }
    }
}

impl ClusterFlavor {
    /// Existing objects the flavor's files patch for this cluster (`mesh`: the mesh's flavor).
    pub fn patches(&self, cluster: &str, mesh: &MeshFlavor) -> Vec<Patch> {
        match (self, mesh) {
            (ClusterFlavor::Hosted(c), MeshFlavor::Hosted(mesh)) => c.patches(cluster, mesh),
        }
    }

    /// The Helm releases the flavor installs in this cluster (hosted: none, Mspider does).
    pub fn helm_releases(&self) -> Vec<HelmRelease> {
        match self {
            ClusterFlavor::Hosted(_) => Vec::new(),
        }
    }

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

    pub fn mesh_role(&self) -> MeshRole {
        match self {
            ClusterFlavor::Hosted(c) => c.mesh_role,
        }
    }
}
