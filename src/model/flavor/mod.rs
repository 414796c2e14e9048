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
//!   `istio` stage), [`ClusterFlavor::helm_releases`] (the charts it installs, which
//!   GitOps installs too) and [`ClusterFlavor::mesh_role`]; and the mesh-wide part
//!   [`MeshFlavor::patches_ingress`] (whether the ingress gateway exists already).
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
//! - Upstream multi-primary: [`ConfigPlacement::Clusters`] with every primary;
//!   primary-remote: with the primary alone (istio.io `docs/setup/install/multicluster/`:
//!   config is applied where istiod runs, never to a remote). Each listed cluster gets the
//!   objects in its `istio` stage.
//!
//! Every Istio config object a later change adds asks this rule, not the flavor's name.
//!
//! Both enums serialize with a `mode` tag (the plan's `mesh.mode`) and the flavor's
//! own fields, so templates read them as `flavor.<field>`. The rest of a flavor sits
//! beside its model file, in folders named after its mode:
//! `src/render/<mode>.rs` renders its files, `templates/<mode>/` holds their
//! templates and its README (`templates/<mode>/README.md`, which includes the steps
//! every flavor shares from `templates/readme/`).
//!
//! The flavors: [`hosted`] (Mspider) and [`upstream`] (upstream Istio with Helm, for both
//! `multi-primary` and `primary-remote`, which differ only in which clusters run istiod;
//! rendered by `render/upstream.rs` from `templates/upstream/` and `templates/helm/`,
//! with a README per mode in `templates/<mode>/`). Adding one: a `plan::MeshMode`
//! variant; `model/flavor/<flavor>.rs` with its mesh and cluster types; one arm in each
//! `match` of this file; `render/<flavor>.rs` and one arm in the render's flavor
//! `match`; `templates/<mode>/`. Nothing else asks which flavor a mesh has.

pub mod hosted;
pub mod upstream;

use serde::Serialize;

use super::cluster::{ClusterInput, MeshRole};
use super::helm::HelmRelease;
use super::mesh::{MeshFacts, Network};
use super::metallb::LbService;
use crate::check::{FlavorFacts, ParsedFacts};
use crate::plan::Plan;

/// Where istiod reads the mesh's Istio config (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ConfigPlacement {
    /// In the mesh's own control plane, which is no cluster's API server (Mspider's
    /// hosted API server): rendered once, under `global/istio/`.
    MeshControlPlane,
    /// In these clusters (indices in plan order, ascending), in each one's `istio` stage.
    Clusters(Vec<usize>),
}

impl ConfigPlacement {
    /// Whether the cluster at `index` of the plan holds the config.
    pub fn in_cluster(&self, index: usize) -> bool {
        match self {
            ConfigPlacement::MeshControlPlane => false,
            // In plan order: a search, not a scan (multi-primary lists every cluster).
            ConfigPlacement::Clusters(clusters) => clusters.binary_search(&index).is_ok(),
        }
    }
}

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

    /// Where istiod reads the mesh's Istio config.
    pub fn istio_config_placement(&self) -> ConfigPlacement {
        match self {
            MeshFlavor::Hosted(_) => ConfigPlacement::MeshControlPlane,
            // Every primary, never a remote.
            MeshFlavor::MultiPrimary(mesh) | MeshFlavor::PrimaryRemote(mesh) => {
                ConfigPlacement::Clusters(mesh.istiod_cluster_indices())
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
