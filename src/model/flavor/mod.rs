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
//!   `istio` stage), [`ClusterFlavor::charts`] (the Helm releases it installs, with their
//!   values, which GitOps installs too) and [`ClusterFlavor::mesh_role`]; and the
//!   mesh-wide part [`MeshFlavor::ingress_patch`] (whether the ingress gateway exists
//!   already, so that its address is a patch).
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
//! The flavors: [`hosted`] (Mspider) and [`upstream`] (upstream Istio with Helm, for both
//! `multi-primary` and `primary-remote`, which differ only in which clusters run istiod;
//! rendered by `render/upstream.rs` from `templates/upstream/` and `templates/helm/`,
//! with a README per mode in `templates/<mode>/`). Adding one: a `plan::MeshMode`
//! variant; `model/flavor/<flavor>.rs` with its mesh and cluster types, its runbook's
//! steps (every [`Step::SHARED`](super::runbook::Step::SHARED) one among them, or the step that does its work), where
//! its istiod reads Istio config and its own `verify.sh` checks (`<flavor>/runbook.rs`);
//! one arm in each `match` of this file; `render/<flavor>.rs` and one arm in the render's
//! flavor `match`; `templates/<mode>/`. Nothing else asks which flavor a mesh has.

pub mod hosted;
pub mod upstream;

use serde::Serialize;

use super::ClusterModel;
use super::cluster::{ClusterInput, MeshRole};
use super::existing::{Patch, Purpose};
use super::helm::{self, Chart};
use super::mesh::{MeshFacts, Network};
use super::metallb::{LbService, ServicePatch};
use super::runbook::{RunbookSteps, Steps};
use super::verify::Check;
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
    /// Mspider's hosted mesh (boxed: it is far larger than the others).
    Hosted(Box<hosted::HostedMesh>),
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
            FlavorFacts::Hosted(hosted) => MeshFlavor::Hosted(Box::new(
                hosted::HostedMesh::resolve(plan, facts, hosted, mesh, networks),
            )),
            FlavorFacts::MultiPrimary => MeshFlavor::MultiPrimary(upstream::UpstreamMesh::resolve(
                plan,
                facts,
                mesh,
                upstream::Topology::MultiPrimary,
            )),
            &FlavorFacts::PrimaryRemote { primary, istiod } => {
                MeshFlavor::PrimaryRemote(upstream::UpstreamMesh::resolve(
                    plan,
                    facts,
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

    /// The name `verify.sh` looks up a kubeconfig context by for the API server of the mesh's
    /// own control plane ([`ConfigPlacement::MeshControlPlane`]); such a context is rare
    /// (hosted: the API server runs in a pod), so the checks there are optional.
    pub fn control_plane_api_server(&self) -> Option<&str> {
        match self {
            MeshFlavor::Hosted(mesh) => Some(&mesh.hosted_apiserver),
            // Their Istio config lives in clusters, reached by the clusters' contexts.
            MeshFlavor::MultiPrimary(_) | MeshFlavor::PrimaryRemote(_) => None,
        }
    }

    /// The runbook's steps, in order; [`Step::SHARED`](super::runbook::Step::SHARED) (or the step doing their work) and
    /// [`Step::Failover`](super::runbook::Step::Failover) among them.
    pub fn runbook_steps(&self) -> &'static RunbookSteps {
        match self {
            MeshFlavor::Hosted(_) => &hosted::RUNBOOK_STEPS,
            MeshFlavor::MultiPrimary(_) => &upstream::MULTI_PRIMARY_STEPS,
            MeshFlavor::PrimaryRemote(_) => &upstream::PRIMARY_REMOTE_STEPS,
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
            MeshFlavor::MultiPrimary(mesh) | MeshFlavor::PrimaryRemote(mesh) => {
                mesh.verify_checks(clusters, steps)
            }
        }
    }

    /// How the ingress gateway's address reaches its Service: hosted, a patch of the
    /// Service Mspider installs; the upstream modes install it with Helm, the address in
    /// its values.
    pub fn ingress_patch(&self) -> ServicePatch {
        match self {
            MeshFlavor::Hosted(_) => ServicePatch::Full,
            MeshFlavor::MultiPrimary(_) | MeshFlavor::PrimaryRemote(_) => ServicePatch::None,
        }
    }

    /// How the east-west gateway's address reaches its Service: its IstioOperator carries
    /// the annotations, except where Pluma Operator drops them (hosted, Istio >= 1.23: a
    /// patch after the install); the upstream modes' gateway values carry them.
    pub fn east_west_patch(&self) -> ServicePatch {
        match self {
            MeshFlavor::Hosted(mesh) if mesh.pluma => ServicePatch::Full,
            _ => ServicePatch::None,
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
    pub find: String,
    /// Where else the change can be made, up to the page of the object's kind (hosted:
    /// Mspider's console, `Traffic Management`).
    pub console: String,
}

impl ControlPlaneAccess {
    /// What to do first to create objects shown on the console's `page` (`Gateway`,
    /// `Destination Rule`).
    pub fn before(&self, page: &str) -> String {
        format!(
            "{} (or make the change in {}, {page})",
            self.find, self.console
        )
    }
}

/// A remote secret: `in_cluster`'s istiod reads `of_cluster`'s API server with it
/// (istioctl `pkg/multicluster/remote_secret.go`: Secret `istio-remote-secret-<name>`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RemoteSecret {
    pub in_cluster: String,
    pub of_cluster: String,
    pub namespace: String,
    /// `of_cluster`'s API server where `in_cluster`'s istiod reaches it (`--server`); a
    /// secret whose server changes is created again.
    pub server: String,
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
            MeshFlavor::MultiPrimary(_) | MeshFlavor::PrimaryRemote(_) => None,
        }
    }

    /// Where each istiod is reached by other clusters (none where every cluster runs its own).
    pub fn pilot_endpoints(&self) -> Vec<PilotEndpoint> {
        match self {
            MeshFlavor::Hosted(mesh) => vec![mesh.pilot_endpoint()],
            MeshFlavor::MultiPrimary(mesh) | MeshFlavor::PrimaryRemote(mesh) => {
                mesh.pilot_endpoint().into_iter().collect()
            }
        }
    }

    /// How commands reach the mesh's own control plane, when its Istio config lives there.
    pub fn control_plane_access(&self) -> Option<ControlPlaneAccess> {
        match self {
            MeshFlavor::Hosted(mesh) => Some(mesh.control_plane_access()),
            // Their Istio config lives in the clusters that run istiod.
            MeshFlavor::MultiPrimary(_) | MeshFlavor::PrimaryRemote(_) => None,
        }
    }

    /// The remote secrets the mesh needs (hosted: none, Mspider connects the clusters).
    pub fn remote_secrets(&self) -> Vec<RemoteSecret> {
        match self {
            MeshFlavor::Hosted(_) => Vec::new(),
            MeshFlavor::MultiPrimary(mesh) | MeshFlavor::PrimaryRemote(mesh) => {
                mesh.remote_secrets()
            }
        }
    }

    /// The trust domain the plan sets (hosted: Mspider's, not the plan's).
    pub fn trust_domain(&self) -> Option<&str> {
        match self {
            MeshFlavor::Hosted(_) => None,
            // The charts' default (`cluster.local`), shared by the one root CA.
            MeshFlavor::MultiPrimary(_) | MeshFlavor::PrimaryRemote(_) => None,
        }
    }

    /// Existing objects the flavor's mesh-wide files patch.
    pub fn patches(&self) -> Vec<Patch> {
        match self {
            MeshFlavor::Hosted(mesh) => mesh.patches(),
            // They patch nothing that exists: the Namespace is a manifest, the rest Helm's.
            MeshFlavor::MultiPrimary(_) | MeshFlavor::PrimaryRemote(_) => Vec::new(),
        }
    }
}

impl ClusterFlavor {
    /// Existing objects the flavor's files patch for this cluster (`mesh`: the mesh's flavor).
    pub fn patches(&self, cluster: &str, mesh: &MeshFlavor) -> Vec<Patch> {
        match (self, mesh) {
            (ClusterFlavor::Hosted(c), MeshFlavor::Hosted(mesh)) => c.patches(cluster, mesh),
            // The upstream modes patch nothing that exists: the Namespace is a manifest
            // ([`Self::namespace_manifest`]), the rest Helm's.
            _ => Vec::new(),
        }
    }

    /// The manifest of the namespace the flavor's releases install into, applied before any
    /// of them (upstream: `istio-system` with its network label and, on a remote, the
    /// primary that controls it; hosted: none, Mspider creates it and meshgen patches it).
    pub fn namespace_manifest(&self) -> Option<&str> {
        match self {
            ClusterFlavor::Hosted(_) => None,
            ClusterFlavor::MultiPrimary(c) | ClusterFlavor::PrimaryRemote(c) => {
                Some(&c.namespace.path)
            }
        }
    }

    /// The Helm releases the flavor installs in this cluster (hosted: none, Mspider does).
    pub fn helm_releases(&self) -> Vec<HelmRelease> {
        self.charts()
            .iter()
            .map(|r| HelmRelease {
                release: r.release.clone(),
                chart: r.chart_ref.clone(),
                version: r.version.clone(),
                namespace: r.namespace.clone(),
                values: r.values_path.clone(),
                purpose: match r.chart {
                    Chart::Base | Chart::Istiod => Purpose::Membership,
                    Chart::Gateway => Purpose::Address,
                },
            })
            .collect()
    }

    /// The Helm releases the flavor installs in this cluster, in install order, with
    /// their values (none in hosted mode, where Mspider installs the mesh).
    pub fn charts(&self) -> &[helm::HelmRelease] {
        match self {
            ClusterFlavor::Hosted(_) => &[],
            ClusterFlavor::MultiPrimary(c) | ClusterFlavor::PrimaryRemote(c) => &c.releases,
        }
    }

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

    pub fn mesh_role(&self) -> MeshRole {
        match self {
            ClusterFlavor::Hosted(c) => c.mesh_role,
            ClusterFlavor::MultiPrimary(c) | ClusterFlavor::PrimaryRemote(c) => c.mesh_role,
        }
    }
}
