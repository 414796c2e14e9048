//! The mesh plan: the only definition of meshgen's input format.
//!
//! serde reads these types from YAML or TOML, and schemars derives
//! `schemas/mesh-plan.schema.json` from them, so the doc comments here are what
//! editors show. The types stay close to what a person writes; everything derived
//! (which pool serves an IP, each network's gateway, ...) lives in [`crate::model`].

mod gitops;
mod limits;
mod load;
mod locate;
pub mod schema;
mod shape;
mod traffic;
mod typed;
mod value;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use crate::diag::{Format, Source};
pub use gitops::*;
pub use load::{LoadError, load, parse};
pub(crate) use locate::is_yaml_node;
pub use locate::{Locator, locate};
pub use schema::schema_json;
pub use traffic::*;

/// A multi-cluster service mesh plan: the mesh, its clusters, and optional demo apps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "meshgen mesh plan")]
pub struct Plan {
    /// The mesh as a whole: ID, version, mode and where its control plane runs.
    pub mesh: Mesh,
    /// Every cluster of the mesh, each with its network, nodes and load-balancer IPs.
    pub clusters: Vec<Cluster>,
    /// Istio's helloworld and sleep apps, deployed to verify cross-cluster traffic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub demo: Option<Demo>,
    /// Argo CD and Flux objects that sync the rendered tree to the clusters (opt-in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gitops: Option<GitOps>,
    /// The MetalLB release the clusters run (default: the one the runbook installs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metallb: Option<MetallbRelease>,
    /// Traffic policy: locality failover per service (opt-in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic: Option<Traffic>,
}

/// The MetalLB release of every cluster with a `metallb` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MetallbRelease {
    /// MetalLB release, `vMAJOR.MINOR.PATCH` (default `v0.16.1`, which the runbook installs); at least `v0.13.0` (the CRDs). It picks the Service annotations' prefix: `metallb.io/` from v0.14.9, `metallb.universe.tf/` before.
    #[serde(default = "default_metallb_version")]
    pub version: String,
}

/// The MetalLB release the runbook installs (the release the CRD schemas in the reference come from).
pub fn default_metallb_version() -> String {
    "v0.16.1".to_owned()
}

/// The mesh as a whole. Which fields a mesh needs depends on its `mode`: `hosted` (Mspider)
/// needs `controlPlaneCluster`, `globalCluster` and `registry`; `primary-remote` needs
/// `controlPlaneCluster` (its primary) and refuses `globalCluster`; `multi-primary` refuses both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Mesh {
    /// Mesh ID (`global.meshID`); in hosted mode also names the GlobalMesh object. A Kubernetes name (RFC 1123 label).
    pub id: String,
    /// `MAJOR.MINOR.PATCH[-suffix]`. Hosted: the Mspider mesh version, e.g. `1.15.3-mspider`, used as the image tag. Multi-primary and primary-remote: the Istio release, e.g. `1.29.2`, the version of the Helm charts (Istio 1.24 or newer).
    pub version: String,
    /// Mesh mode: `hosted` (Mspider: one hosted istiod serves every cluster), `multi-primary` (upstream Istio: an istiod in every cluster) or `primary-remote` (upstream Istio: an istiod in `controlPlaneCluster`, the others remote). Every mode spans clusters on different networks.
    pub mode: MeshMode,
    /// Hosted: the cluster that runs the hosted control plane (istiod). Primary-remote: the primary, the one cluster that runs istiod. Must be one of `clusters`; refused in multi-primary, where every cluster runs istiod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane_cluster: Option<String>,
    /// Hosted only: Mspider's global service cluster, where GlobalMesh and MeshCluster live (namespace `mspider-system`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_cluster: Option<String>,
    /// Image registry for mesh components (`values.global.hub`), e.g. `release.daocloud.io/mspider`. Required in hosted mode; optional in the upstream modes, where the charts' default hub applies without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
    /// `single`: all pod networks reach each other; `multi`: one east-west gateway per network.
    pub network_mode: NetworkMode,
    /// Cluster DNS domain of every cluster; the cross-network Gateway serves `*.<last label>`.
    #[serde(default = "default_dns_domain")]
    pub dns_domain: String,
}

pub fn default_dns_domain() -> String {
    "cluster.local".to_owned()
}

/// Mesh mode: what runs the control plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MeshMode {
    /// Mspider hosted mesh: one control plane, in `controlPlaneCluster`, serves every cluster.
    Hosted,
    /// Upstream Istio, installed with Helm: an istiod in every cluster, each reading every other cluster's API server.
    MultiPrimary,
    /// Upstream Istio, installed with Helm: an istiod in `controlPlaneCluster` (the primary) serves every other cluster (the remotes).
    PrimaryRemote,
}

impl MeshMode {
    /// The mode as the plan writes it.
    pub fn name(self) -> &'static str {
        match self {
            MeshMode::Hosted => "hosted",
            MeshMode::MultiPrimary => "multi-primary",
            MeshMode::PrimaryRemote => "primary-remote",
        }
    }
}

impl Plan {
    /// Whether cluster `index` runs an east-west gateway: in multi network mode every
    /// cluster with an eastWest IP; in single network mode only the primary of a
    /// primary-remote mesh, whose remotes reach istiod through it (upstream's
    /// primary-remote guide installs it there, with `expose-istiod`). The one definition,
    /// which the checks and the model share.
    pub fn runs_east_west_gateway(&self, index: usize) -> bool {
        let Some(cluster) = self.clusters.get(index) else {
            return false;
        };
        cluster.load_balancer_ips.east_west.is_some()
            && match self.mesh.network_mode {
                NetworkMode::Multi => true,
                NetworkMode::Single => {
                    self.mesh.mode == MeshMode::PrimaryRemote
                        && self.mesh.control_plane_cluster.as_ref() == Some(&cluster.name)
                }
            }
    }
}

/// How the pod networks of the clusters relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NetworkMode {
    /// Every pod reaches every other pod directly: one network, no east-west gateways.
    Single,
    /// Clusters sit on separate networks joined by east-west gateways.
    Multi,
}

/// One Kubernetes cluster of the mesh.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Cluster {
    /// Cluster name: names clusters/<name>/; hosted: Mspider's name of the cluster and its MeshCluster; upstream modes: `global.multiCluster.clusterName` and the remote secrets' `--name` (a DNS-1123 label).
    pub name: String,
    /// How the cluster is built.
    #[serde(rename = "type")]
    pub kind: ClusterType,
    /// Kubernetes version, `MAJOR.MINOR` or `MAJOR.MINOR.PATCH`, e.g. `"1.25"`. Quote it in YAML.
    pub kubernetes_version: String,
    /// Pod CIDR; for dual-stack, two CIDRs separated by a comma (`10.244.0.0/16,fd00:10:244::/56`).
    pub pod_subnet: String,
    /// Service CIDR (same syntax as `podSubnet`); leave out to keep the installer's default (unchecked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_subnet: Option<String>,
    /// Address of the control-plane node (kubeadm `--apiserver-advertise-address`).
    #[serde(rename = "masterIP")]
    pub master_ip: String,
    /// Network ID (`topology.istio.io/network`). Clusters whose pods reach each other may share one.
    pub network: String,
    /// The nodes, with their topology (region, zone, subzone) labels.
    pub nodes: Vec<Node>,
    /// MetalLB address pools and L2 advertisement; leave out where the cloud provides load balancers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metallb: Option<Metallb>,
    /// The LoadBalancer IPs this cluster's mesh services get.
    #[serde(rename = "loadBalancerIPs", default)]
    pub load_balancer_ips: LoadBalancerIps,
    /// NodePort fallback: the node port (30000-32767) of the east-west gateway's tls port, for a cluster whose LoadBalancer addresses other networks cannot reach. meshNetworks then names a node address and this port (kind: the host address and the host port forwarded to it). Clusters with an east-west gateway only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub east_west_node_port: Option<u16>,
    /// kubeadm settings the seed passes as flags (standard-k8s clusters; kind ignores them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubeadm: Option<Kubeadm>,
}

/// kubeadm settings of a cluster, placed in its kubeadm config and the one-line `kubeadm init`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Kubeadm {
    /// The container runtime's socket (`--cri-socket`, `nodeRegistration.criSocket`), e.g. `unix:///var/run/cri-dockerd.sock`; a bare path gets kubeadm's `unix://` scheme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cri_socket: Option<String>,
    /// Registry of the control-plane images (`--image-repository`, `imageRepository`), e.g. `registry.aliyuncs.com/google_containers`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_repository: Option<String>,
}

/// How a cluster is built; selects which bootstrap file the runbook uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ClusterType {
    /// A kubeadm-built (or any conformant) cluster.
    StandardK8s,
    /// A kind cluster (Kubernetes in Docker).
    Kind,
}

/// A node and its topology labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Node {
    /// Node name (`kubectl get nodes`).
    pub name: String,
    /// `control-plane` or `worker`; default: the first node is the control plane, the rest workers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<NodeRole>,
    /// `topology.kubernetes.io/region` label value.
    pub region: String,
    /// `topology.kubernetes.io/zone` label value.
    pub zone: String,
    /// `topology.istio.io/subzone` label value (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subzone: Option<String>,
}

/// The role of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NodeRole {
    /// Runs the Kubernetes control plane.
    ControlPlane,
    /// Runs workloads only.
    Worker,
}

/// MetalLB configuration of a cluster (L2 mode).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Metallb {
    /// Address pools (`IPAddressPool`).
    pub pools: Vec<Pool>,
    /// Network interfaces the L2 announcements go out on; empty: all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interfaces: Vec<String>,
}

/// A MetalLB address pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Pool {
    /// Pool name (`IPAddressPool` name).
    pub name: String,
    /// Addresses: CIDRs (`10.0.0.0/28`) or ranges (`10.0.0.1-10.0.0.9`), IPv4 or IPv6.
    pub addresses: Vec<String>,
    /// Whether MetalLB may hand out addresses from this pool to any Service (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_assign: Option<bool>,
    /// Skip `.0` and `.255` addresses (default false).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "avoidBuggyIPs"
    )]
    pub avoid_buggy_ips: Option<bool>,
}

/// LoadBalancer IPs of a cluster's mesh services. For dual-stack, two addresses separated by a comma.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LoadBalancerIps {
    /// An istiod LoadBalancer Service, on `mesh.controlPlaneCluster` only. Hosted: the hosted istiod Service (`istiod-<meshID>-hosted-lb`), required. Primary-remote (optional): the Service `istiod-lb` that meshgen adds on the primary, where the remotes reach istiod instead of through the primary's east-west gateway. Refused in multi-primary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub istiod: Option<String>,
    /// The east-west gateway (`istio-eastwestgateway`); needed by at least one cluster per network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub east_west: Option<String>,
    /// The ingress gateway (`istio-ingressgateway`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress: Option<String>,
}

/// Istio's helloworld and sleep sample apps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Demo {
    /// Namespace of the demo apps (labelled `istio-injection=enabled`).
    #[serde(default = "default_demo_namespace")]
    pub namespace: String,
    /// helloworld: one version per cluster.
    pub helloworld: Helloworld,
    /// sleep: the client the verification loop runs from.
    pub sleep: Sleep,
}

pub fn default_demo_namespace() -> String {
    "sample".to_owned()
}

/// The helloworld app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Helloworld {
    /// Container image.
    pub image: String,
    /// Cluster name to version label (`version`, `SERVICE_VERSION`); a cluster runs at most one version.
    pub versions: BTreeMap<String, String>,
}

/// The sleep app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Sleep {
    /// Container image.
    pub image: String,
    /// Clusters that run sleep.
    pub clusters: Vec<String>,
}
