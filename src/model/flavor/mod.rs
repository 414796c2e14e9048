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
//! types; one arm in each `match` of this file; `render/<mode>.rs` and one arm in
//! the render's flavor `match`; `templates/<mode>/`. Nothing else asks which flavor
//! a mesh has.

pub mod hosted;
pub mod upstream;

use serde::Serialize;

use super::cluster::{ClusterInput, MeshRole};
use super::helm::HelmRelease;
use super::mesh::{MeshFacts, Network};
use super::metallb::LbService;
use crate::check::{FlavorFacts, ParsedFacts};
use crate::plan::Plan;

/// What the mesh's flavor adds for the whole mesh.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "mode", rename_all = "kebab-case")]
pub enum MeshFlavor {
    /// Mspider's hosted mesh.
    Hosted(hosted::HostedMesh),
    /// Upstream Istio, an istiod in every cluster.
    MultiPrimary(upstream::UpstreamMesh),
    /// Upstream Istio, an istiod in the primary for every cluster.
    PrimaryRemote(upstream::UpstreamMesh),
}

/// What the mesh's flavor adds to one cluster.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "mode", rename_all = "kebab-case")]
pub enum ClusterFlavor {
    /// Mspider's hosted mesh.
    Hosted(hosted::HostedCluster),
    /// Upstream Istio, an istiod in every cluster.
    MultiPrimary(upstream::UpstreamCluster),
    /// Upstream Istio, an istiod in the primary for every cluster.
    PrimaryRemote(upstream::UpstreamCluster),
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
        match &facts.flavor {
            FlavorFacts::Hosted(hosted) => {
                MeshFlavor::Hosted(hosted::HostedMesh::resolve(plan, hosted, mesh, networks))
            }
            FlavorFacts::MultiPrimary => MeshFlavor::MultiPrimary(upstream::UpstreamMesh::resolve(
                plan,
                mesh,
                upstream::Topology::MultiPrimary,
            )),
            &FlavorFacts::PrimaryRemote { primary, istiod } => {
                MeshFlavor::PrimaryRemote(upstream::UpstreamMesh::resolve(
                    plan,
                    mesh,
                    upstream::Topology::PrimaryRemote {
                        primary,
                        pilot: istiod,
                    },
                ))
            }
        }
    }

    /// Whether the ingress gateway exists before meshgen's files are applied, so that its
    /// address is a patch of its Service: hosted, where Mspider installs it. The upstream
    /// modes install it with Helm, its address in its values.
    pub fn patches_ingress(&self) -> bool {
        match self {
            MeshFlavor::Hosted(_) => true,
            MeshFlavor::MultiPrimary(_) | MeshFlavor::PrimaryRemote(_) => false,
        }
    }

    /// The flavor's part of one cluster; `east_west` and `ingress`: the cluster's gateway
    /// Services, when it has them.
    pub fn cluster(
        &self,
        input: &ClusterInput<'_>,
        east_west: Option<&LbService>,
        ingress: Option<&LbService>,
    ) -> ClusterFlavor {
        match self {
            MeshFlavor::Hosted(mesh) => ClusterFlavor::Hosted(mesh.cluster(input, east_west)),
            MeshFlavor::MultiPrimary(mesh) => {
                ClusterFlavor::MultiPrimary(mesh.cluster(input, east_west, ingress))
            }
            MeshFlavor::PrimaryRemote(mesh) => {
                ClusterFlavor::PrimaryRemote(mesh.cluster(input, east_west, ingress))
            }
        }
    }
}

impl ClusterFlavor {
    /// The control plane's LoadBalancer Services in this cluster, listed before the
    /// gateways' (in the runbook and in what each MetalLB pool serves).
    pub fn lb_services(&self) -> Vec<&LbService> {
        match self {
            ClusterFlavor::Hosted(c) => c.istiod_service.iter().collect(),
            ClusterFlavor::MultiPrimary(c) | ClusterFlavor::PrimaryRemote(c) => {
                c.istiod_service.iter().collect()
            }
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
            ClusterFlavor::MultiPrimary(c) | ClusterFlavor::PrimaryRemote(c) => c
                .istiod_lb
                .iter()
                .map(|s| s.path.as_str())
                .chain(c.expose_istiod.iter().map(|e| e.path.as_str()))
                .collect(),
        }
    }

    /// Whether an istiod reads this cluster's Istio config, so that the cluster with
    /// an east-west gateway gets the cross-network Gateway.
    pub fn takes_istio_config(&self) -> bool {
        match self {
            // As the seed procedure has it: every cluster with an east-west gateway.
            ClusterFlavor::Hosted(_) => true,
            // Every primary; a remote's config is read by no istiod.
            ClusterFlavor::MultiPrimary(c) | ClusterFlavor::PrimaryRemote(c) => {
                c.takes_istio_config
            }
        }
    }

    /// The Helm releases the cluster installs, in install order (none in hosted mode,
    /// where Mspider installs the mesh).
    pub fn helm_releases(&self) -> &[HelmRelease] {
        match self {
            ClusterFlavor::Hosted(_) => &[],
            ClusterFlavor::MultiPrimary(c) | ClusterFlavor::PrimaryRemote(c) => &c.releases,
        }
    }

    pub fn mesh_role(&self) -> MeshRole {
        match self {
            ClusterFlavor::Hosted(c) => c.mesh_role,
            ClusterFlavor::MultiPrimary(c) | ClusterFlavor::PrimaryRemote(c) => c.mesh_role,
        }
    }
}
