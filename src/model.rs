//! Stage 3, resolve: the checked plan turned into every fact the templates need.
//!
//! Templates only place values computed here: no address math, lookups or
//! defaults in a template. Each template family has one documented context
//! struct below (the struct is what the template sees as its variables); the
//! README template sees the whole [`Model`]. Every output path is decided here
//! too, so the files, the kustomizations and the runbook commands name the same
//! files.
//!
//! `resolve` runs only on a plan that passed the checks, but it never trusts
//! that: anything it cannot parse or find is an `Err` (a meshgen bug: a check
//! let it through), never a panic.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;

use serde::Serialize;

pub mod gitops;

use crate::layout::{self, Stage as StageKind};
use crate::net::{self, AddrRange};
use crate::plan::{self, ClusterType, NetworkMode, NodeRole, Plan};

/// Namespace of the mesh components in every cluster.
pub const ISTIO_NAMESPACE: &str = "istio-system";
/// Namespace MetalLB runs in (and its pools and advertisements live in).
pub const METALLB_NAMESPACE: &str = "metallb-system";
/// Namespace of GlobalMesh and MeshCluster on the global service cluster.
pub const MSPIDER_NAMESPACE: &str = "mspider-system";
/// MetalLB release the runbook installs (the release the CRD schemas in the
/// reference come from).
pub const METALLB_VERSION: &str = "v0.16.1";
/// Port of the east-west gateway's cross-network mTLS passthrough listener.
pub const CROSS_NETWORK_PORT: u16 = 15443;
/// Mspider's cluster role of every cluster of a hosted mesh, the control-plane cluster included.
pub const HOSTED_WORKLOAD_CLUSTER: &str = "HOSTED_WORKLOAD_CLUSTER";
/// Node port the kind configs forward for the east-west gateway's NodePort
/// fallback; inside the default NodePort range (30000-32767).
pub const NODE_PORT_FALLBACK: u16 = 31443;
/// Host port of the first cluster's NodePort fallback; each cluster (in plan
/// order) gets the next one, so kind clusters can share a host.
const FIRST_FALLBACK_HOST_PORT: u16 = 35443;
/// Image of the throw-away pod that probes the hosted istiod when the plan has no demo.
const DEFAULT_PROBE_IMAGE: &str = "curlimages/curl";
/// Port of helloworld's Service.
const HELLOWORLD_PORT: u16 = 5000;

const LABEL_REGION: &str = "topology.kubernetes.io/region";
const LABEL_ZONE: &str = "topology.kubernetes.io/zone";
const LABEL_SUBZONE: &str = "topology.istio.io/subzone";
const LABEL_NETWORK: &str = "topology.istio.io/network";
const ANNOTATION_LB_IPS: &str = "metallb.io/loadBalancerIPs";
const ANNOTATION_POOL: &str = "metallb.io/address-pool";
const PARAM_PREFIX: &str = "istio.custom_params.values.global.";

/// Newest kindest/node patch release of each Kubernetes minor, from kind's
/// release notes (v0.22.0 to v0.31.0). Used when the plan gives `MAJOR.MINOR`:
/// kind publishes node images only for full versions.
const KIND_NODE_PATCHES: &[((u64, u64), u64)] = &[
    ((1, 23), 17),
    ((1, 24), 17),
    ((1, 25), 16),
    ((1, 26), 15),
    ((1, 27), 16),
    ((1, 28), 15),
    ((1, 29), 14),
    ((1, 30), 13),
    ((1, 31), 12),
    ((1, 32), 8),
    ((1, 33), 4),
    ((1, 34), 0),
    ((1, 35), 0),
];

/// Everything the render stage needs, computed once.
#[derive(Debug, Clone, Serialize)]
pub struct Model {
    pub mesh: MeshFacts,
    /// Networks in order of first appearance in the plan.
    pub networks: Vec<Network>,
    /// Clusters in plan order. Shared, so the README's template can read them in place.
    pub clusters: Vec<Arc<ClusterModel>>,
    /// The GlobalMesh merge patch (global/).
    pub global_mesh: GlobalMeshPatch,
    /// The demo apps, when the plan has them.
    pub demo: Option<DemoFacts>,
    /// Which clusters each runbook step concerns.
    pub runbook: Runbook,
    /// Argo CD and Flux objects, when the plan has a gitops section.
    pub gitops: Option<gitops::GitOpsModel>,
}

/// The clusters each optional runbook step applies to (plan order); an empty
/// list means the README says why the step has nothing to do.
#[derive(Debug, Clone, Serialize)]
pub struct Runbook {
    /// Clusters that run MetalLB (step 3).
    pub metallb_clusters: Vec<String>,
    /// Clusters whose LoadBalancer IPs the platform, not MetalLB, must provide.
    pub external_lb_clusters: Vec<String>,
    /// Clusters with an east-west gateway (step 11).
    pub east_west_clusters: Vec<String>,
    /// Clusters with an ingress gateway IP to pin (step 10).
    pub ingress_clusters: Vec<String>,
    /// Clusters the hosted istiod is probed from: all but the control plane (step 7).
    pub probe_clusters: Vec<String>,
    /// Clusters with a demo stage (step 13).
    pub demo_clusters: Vec<String>,
}

/// Mesh-wide facts.
#[derive(Debug, Clone, Serialize)]
pub struct MeshFacts {
    pub id: String,
    /// Mspider mesh version, also the image tag of mesh components.
    pub version: String,
    /// `multi`: an east-west gateway per network and meshNetworks; `single`: neither.
    pub multi_network: bool,
    pub control_plane_cluster: String,
    pub global_cluster: String,
    /// Namespace of GlobalMesh / MeshCluster on the global cluster.
    pub global_namespace: String,
    pub registry: String,
    /// Image of the east-west gateway (and every sidecar): `<registry>/proxyv2:<version>`.
    pub proxy_image: String,
    pub dns_domain: String,
    /// Hosts of the cross-network Gateway: `*.` + the last label of the DNS domain.
    pub cross_network_hosts: String,
    /// `networking.istio.io/v1` from Istio 1.22 on, `networking.istio.io/v1beta1` before.
    pub gateway_api_version: String,
    pub hosted_istiod: HostedIstiod,
    /// Every cluster of the plan: all are work clusters of a hosted mesh.
    pub work_clusters: Vec<String>,
    pub metallb_version: String,
    /// `kubectl apply -f` URL of MetalLB's native manifest.
    pub metallb_manifest_url: String,
    /// Image of the one-off pod that checks the hosted istiod is reachable.
    pub probe_image: String,
    /// Node port and first host port of the kind NodePort fallback.
    pub node_port_fallback: u16,
}

/// The hosted istiod LoadBalancer Service on the control-plane cluster.
#[derive(Debug, Clone, Serialize)]
pub struct HostedIstiod {
    /// `istiod-<meshID>-hosted-lb`.
    pub service_name: String,
    pub namespace: String,
    pub cluster: String,
    pub address: LbAddress,
    /// `remotePilotAddress`: the IPv4 address when the Service is dual-stack.
    pub pilot_address: String,
    /// `http://<pilot address>:443`: plain HTTP to istiod's TLS port answers 400.
    pub probe_url: String,
}

/// One network ID and where its traffic enters.
#[derive(Debug, Clone, Serialize)]
pub struct Network {
    pub id: String,
    pub clusters: Vec<String>,
    /// The network's meshNetworks gateway (multi-network mode only).
    pub gateway: Option<NetworkGateway>,
}

/// A meshNetworks gateway: the east-west LB IP of the first cluster (plan
/// order) of the network that has one.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkGateway {
    pub cluster: String,
    /// For a dual-stack gateway, its IPv4 address: meshNetworks takes one
    /// address, and IPv4 is the family every cluster of a mixed mesh reaches.
    pub address: String,
    pub port: u16,
}

/// One LoadBalancer IP assignment: one address, or one per family (dual-stack).
#[derive(Debug, Clone, Serialize)]
pub struct LbAddress {
    /// Canonical addresses, in plan order.
    pub addresses: Vec<String>,
    /// Value of the `metallb.io/loadBalancerIPs` annotation (comma-separated).
    pub annotation: String,
    /// The address to give where only one fits: the IPv4 one if any.
    pub primary: String,
    pub dual_stack: bool,
}

/// A `key: value` pair (label, annotation, param), kept in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pair {
    pub key: String,
    pub value: String,
}

fn pair(key: &str, value: &str) -> Pair {
    Pair {
        key: key.to_owned(),
        value: value.to_owned(),
    }
}

/// Context of `global/globalmesh-patch.yaml`: a merge patch of
/// `spec.ownerConfig.controlPlaneParams` (a flat string map, so a merge patch
/// adds these keys and keeps every other).
#[derive(Debug, Clone, Serialize)]
pub struct GlobalMeshPatch {
    pub path: String,
    pub name: String,
    pub namespace: String,
    /// remotePilotAddress, then each network's meshNetworks gateway address and port.
    pub params: Vec<Pair>,
}

/// Context of `global/meshcluster-patch.json`: a JSON patch of one MeshCluster.
/// `meshedParams` is a list, which a merge patch would replace wholesale, so
/// this tests that entry 0 is this mesh's and then adds the params to it.
#[derive(Debug, Clone, Serialize)]
pub struct MeshClusterPatch {
    pub path: String,
    pub name: String,
    pub namespace: String,
    pub mesh_name: String,
    /// The params it sets (also shown in the README).
    pub params: Vec<Pair>,
    pub is_hosted_owner: bool,
    pub ops: Vec<JsonPatchOp>,
}

/// One RFC 6902 operation.
#[derive(Debug, Clone, Serialize)]
pub struct JsonPatchOp {
    pub op: String,
    pub path: String,
    pub value: serde_json::Value,
}

/// One cluster and everything rendered for it.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterModel {
    pub name: String,
    /// `standard-k8s` or `kind`.
    pub cluster_type: String,
    pub is_kind: bool,
    /// As written in the plan (`1.25` or `1.25.3`).
    pub kubernetes_version: String,
    /// Full release used by kubeadm and the kind node image, e.g. `v1.25.16`.
    pub kubernetes_release: String,
    pub pod_subnet: String,
    pub service_subnet: Option<String>,
    pub master_ip: String,
    pub network: String,
    /// Other clusters on the same network (their pods reach each other directly).
    pub network_peers: Vec<String>,
    pub is_control_plane: bool,
    /// Role in the seed's network planning table.
    pub mesh_role: String,
    pub nodes: Vec<NodeModel>,
    /// The control-plane node that kubeadm init names (first control-plane node).
    pub control_plane_node: Option<String>,
    /// The other nodes, which join with `kubeadm join`.
    pub joining_nodes: Vec<String>,
    /// The hosted istiod Service (control-plane cluster only).
    pub hosted_istiod_service: Option<LbService>,
    /// The east-west gateway Service (multi-network mode, clusters with an eastWest IP).
    pub east_west_service: Option<LbService>,
    /// The ingress gateway Service, when the plan gives it an IP.
    pub ingress_service: Option<LbService>,
    /// The three above that exist, in that order (verification, pool usage).
    pub lb_services: Vec<LbService>,
    pub network_label_patch: NamespacePatch,
    pub metallb: Option<MetallbConfig>,
    pub east_west_gateway: Option<EastWestGateway>,
    pub cross_network_gateway: Option<CrossNetworkGateway>,
    pub demo: Option<ClusterDemo>,
    /// The stage folders, in apply order; empty stages are left out.
    pub stages: Vec<StageFolder>,
    /// The same folders by name, for the runbook's `kubectl apply -k`.
    pub stage_dirs: StageDirs,
    /// `clusters/<name>/kustomization.yaml`, listing the stage folders.
    pub kustomization: Kustomization,
    pub mesh_cluster_patch: MeshClusterPatch,
    pub kind_config: KindConfig,
    pub kubeadm_config: KubeadmConfig,
    /// Folder of this cluster's manifests.
    pub dir: String,
    /// Folder of this cluster's bootstrap files.
    pub bootstrap_dir: String,
}

/// Context of `patches/node.yaml`: one node and its topology labels.
#[derive(Debug, Clone, Serialize)]
pub struct NodeModel {
    pub name: String,
    /// `control-plane` or `worker` (default: the first node is the control plane).
    pub role: String,
    /// Shared with the node's entry in the kind config.
    pub labels: Arc<[Pair]>,
    /// `region/zone[/subzone]`, for the planning form.
    pub topology: String,
    /// The label patch; absent on kind clusters, whose config sets the labels.
    pub patch_path: Option<String>,
}

/// Context of `patches/namespace.yaml`: labels added to an existing namespace.
#[derive(Debug, Clone, Serialize)]
pub struct NamespacePatch {
    pub path: String,
    pub name: String,
    pub labels: Vec<Pair>,
}

/// A LoadBalancer Service of the mesh and the address planned for it.
#[derive(Debug, Clone, Serialize)]
pub struct LbService {
    /// `hosted istiod`, `east-west gateway` or `ingress gateway`.
    pub role: String,
    pub name: String,
    pub namespace: String,
    pub address: LbAddress,
    /// The MetalLB pool that holds every address of the Service.
    pub pool: Option<String>,
    /// MetalLB annotations (empty on a cluster without MetalLB).
    pub annotations: Vec<Pair>,
    /// `RequireDualStack` when the Service gets one address per family.
    pub ip_family_policy: Option<String>,
    /// The patch of an existing Service (context of `patches/service.yaml`);
    /// absent for the east-west gateway, whose IstioOperator carries the same.
    pub patch_path: Option<String>,
}

/// MetalLB objects of one cluster (the `metallb` stage).
#[derive(Debug, Clone, Serialize)]
pub struct MetallbConfig {
    pub pools: Vec<IpAddressPool>,
    pub advertisement: L2Advertisement,
}

/// Context of `metallb/ipaddresspool.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct IpAddressPool {
    pub path: String,
    pub name: String,
    pub namespace: String,
    /// Canonical CIDRs and `start-end` ranges.
    pub addresses: Vec<String>,
    pub auto_assign: Option<bool>,
    pub avoid_buggy_ips: Option<bool>,
    /// The planned LB IPs this pool hands out, with the Service each is for.
    pub serves: Vec<Pair>,
}

/// Context of `metallb/l2advertisement.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct L2Advertisement {
    pub path: String,
    pub name: String,
    pub namespace: String,
    pub pools: Vec<String>,
    pub interfaces: Vec<String>,
}

/// Context of `istio/eastwest-gateway.yaml`: the east-west gateway IstioOperator.
#[derive(Debug, Clone, Serialize)]
pub struct EastWestGateway {
    pub path: String,
    pub name: String,
    pub namespace: String,
    pub gateway_name: String,
    pub labels: Vec<Pair>,
    /// `ISTIO_META_REQUESTED_NETWORK_VIEW`: traffic through it stays in this network.
    pub network: String,
    pub cluster: String,
    pub mesh_id: String,
    pub hub: String,
    pub tag: String,
    pub ports: Vec<ServicePort>,
    pub service_annotations: Vec<Pair>,
    pub ip_family_policy: Option<String>,
}

/// A Service port (all TCP: istioctl analyze IST0162 counts only TCP ports).
#[derive(Debug, Clone, Serialize)]
pub struct ServicePort {
    pub name: String,
    pub port: u16,
}

/// Context of `istio/cross-network-gateway.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct CrossNetworkGateway {
    pub path: String,
    pub api_version: String,
    pub name: String,
    pub namespace: String,
    pub selector: Vec<Pair>,
    pub hosts: Vec<String>,
    pub port: u16,
}

/// Demo apps of one cluster (the `demo` stage).
#[derive(Debug, Clone, Serialize)]
pub struct ClusterDemo {
    /// Context of `demo/namespace.yaml`.
    pub namespace: DemoNamespace,
    /// helloworld's Service: in every cluster that runs helloworld or calls it.
    pub helloworld_service: Option<HelloworldService>,
    pub helloworld: Option<HelloworldDeployment>,
    pub sleep: Option<SleepApp>,
}

/// Context of `demo/namespace.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct DemoNamespace {
    pub path: String,
    pub name: String,
    pub labels: Vec<Pair>,
}

/// Context of `demo/helloworld-service.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct HelloworldService {
    pub path: String,
    pub namespace: String,
    pub port: u16,
}

/// Context of `demo/helloworld-deployment.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct HelloworldDeployment {
    pub path: String,
    /// `helloworld-<version>`.
    pub name: String,
    pub namespace: String,
    pub version: String,
    pub image: String,
    pub port: u16,
}

/// Context of the sleep family: `demo/sleep-serviceaccount.yaml`,
/// `demo/sleep-service.yaml`, `demo/sleep-deployment.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct SleepApp {
    pub service_account_path: String,
    pub service_path: String,
    pub deployment_path: String,
    pub namespace: String,
    pub image: String,
}

/// One stage folder of a cluster: itself kustomize-buildable.
#[derive(Debug, Clone, Serialize)]
pub struct StageFolder {
    pub stage: StageKind,
    /// What must run in the cluster before this stage applies.
    pub needs: String,
    pub dir: String,
    pub kustomization: Kustomization,
}

/// Folder of each stage a cluster has.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StageDirs {
    pub metallb: Option<String>,
    pub istio: Option<String>,
    pub demo: Option<String>,
}

/// Context of `kustomization.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct Kustomization {
    pub path: String,
    /// Files or folders, relative to the kustomization.
    pub resources: Vec<String>,
}

/// Context of `bootstrap/kind-cluster.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct KindConfig {
    pub path: String,
    pub name: String,
    /// The kubeconfig context kind creates: `kind-<name>`.
    pub context: String,
    pub api_server_address: String,
    /// `ipv6` or `dual`; absent for IPv4 (kind's default).
    pub ip_family: Option<String>,
    pub pod_subnet: String,
    pub service_subnet: Option<String>,
    /// Set through a kubeadm patch when it is not kind's `cluster.local`.
    pub dns_domain: Option<String>,
    /// `kindest/node:<release>`, the image of every node.
    pub node_image: String,
    pub nodes: Vec<KindNode>,
    /// Host port forwarded to [`NODE_PORT_FALLBACK`] on the first control-plane
    /// node, on clusters with an east-west gateway.
    pub fallback_host_port: Option<u16>,
}

/// A kind node.
#[derive(Debug, Clone, Serialize)]
pub struct KindNode {
    pub role: String,
    pub labels: Arc<[Pair]>,
    pub port_mappings: Vec<PortMapping>,
}

/// A kind `extraPortMappings` entry.
#[derive(Debug, Clone, Serialize)]
pub struct PortMapping {
    pub container_port: u16,
    pub host_port: u16,
}

/// Context of `bootstrap/kubeadm-config.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct KubeadmConfig {
    pub path: String,
    /// `kubeadm.k8s.io/v1beta3` before Kubernetes 1.31, `v1beta4` from 1.31.
    pub api_version: String,
    pub advertise_address: String,
    pub node_name: Option<String>,
    pub cluster_name: String,
    pub kubernetes_version: String,
    pub pod_subnet: String,
    pub service_subnet: Option<String>,
    pub dns_domain: String,
}

/// The demo as a whole (README tables and verification).
#[derive(Debug, Clone, Serialize)]
pub struct DemoFacts {
    pub namespace: String,
    pub helloworld_image: String,
    pub sleep_image: String,
    /// What sleep curls: `helloworld.<namespace>:5000/hello`.
    pub hello_url: String,
    /// One row per cluster of the plan.
    pub rows: Vec<DemoRow>,
    /// Every helloworld version the verification loop must see.
    pub versions: Vec<String>,
    /// Clusters that run sleep (where the verification loop runs).
    pub sleep_clusters: Vec<String>,
}

/// One row of the demo deployment table.
#[derive(Debug, Clone, Serialize)]
pub struct DemoRow {
    pub cluster: String,
    pub helloworld_version: Option<String>,
    pub sleep: bool,
}

impl Model {
    /// Resolve a checked plan. An `Err` here is a meshgen bug (a check let something through).
    pub fn resolve(plan: &Plan) -> Result<Model, String> {
        let mesh = mesh_facts(plan)?;
        let networks = networks(plan, mesh.multi_network)?;
        let network_members: HashMap<&str, &Vec<String>> = networks
            .iter()
            .map(|n| (n.id.as_str(), &n.clusters))
            .collect();
        let mut clusters = Vec::with_capacity(plan.clusters.len());
        for (index, cluster) in plan.clusters.iter().enumerate() {
            let peers = network_members
                .get(cluster.network.as_str())
                .map_or(&[][..], |members| members.as_slice());
            clusters.push(Arc::new(cluster_model(plan, &mesh, index, cluster, peers)?));
        }
        let global_mesh = global_mesh_patch(&mesh, &networks);
        let demo = plan.demo.as_ref().map(|demo| demo_facts(plan, demo));
        let runbook = runbook(&clusters);
        let gitops = gitops::GitOpsModel::resolve(plan, &clusters)?;
        Ok(Model {
            mesh,
            networks,
            clusters,
            global_mesh,
            demo,
            runbook,
            gitops,
        })
    }

    /// The cluster named `name`.
    pub fn cluster(&self, name: &str) -> Option<&ClusterModel> {
        self.clusters
            .iter()
            .map(Arc::as_ref)
            .find(|c| c.name == name)
    }
}

fn runbook(clusters: &[Arc<ClusterModel>]) -> Runbook {
    let names = |keep: &dyn Fn(&ClusterModel) -> bool| {
        clusters
            .iter()
            .filter(|c| keep(c))
            .map(|c| c.name.clone())
            .collect()
    };
    Runbook {
        metallb_clusters: names(&|c| c.metallb.is_some()),
        external_lb_clusters: names(&|c| c.metallb.is_none() && !c.lb_services.is_empty()),
        east_west_clusters: names(&|c| c.east_west_gateway.is_some()),
        ingress_clusters: names(&|c| c.ingress_service.is_some()),
        probe_clusters: names(&|c| !c.is_control_plane),
        demo_clusters: names(&|c| c.demo.is_some()),
    }
}

fn mesh_facts(plan: &Plan) -> Result<MeshFacts, String> {
    let mesh = &plan.mesh;
    let control_plane = plan
        .clusters
        .iter()
        .find(|c| c.name == mesh.control_plane_cluster)
        .ok_or_else(|| {
            format!(
                "control-plane cluster `{}` is not in the plan",
                mesh.control_plane_cluster
            )
        })?;
    let istiod_ips = control_plane
        .load_balancer_ips
        .istiod
        .as_deref()
        .ok_or_else(|| {
            format!(
                "control-plane cluster `{}` has no loadBalancerIPs.istiod",
                control_plane.name
            )
        })?;
    let address = lb_address(istiod_ips)?;
    let probe_url = format!("http://{}:443", url_host(&address.primary)?);
    let (major, minor) = mesh_minor(&mesh.version)?;
    let gateway_api_version = if (major, minor) >= (1, 22) {
        "networking.istio.io/v1"
    } else {
        "networking.istio.io/v1beta1"
    };
    let last_label = mesh
        .dns_domain
        .trim_end_matches('.')
        .rsplit('.')
        .next()
        .filter(|label| !label.is_empty())
        .ok_or_else(|| format!("DNS domain `{}` has no label", mesh.dns_domain))?;
    Ok(MeshFacts {
        id: mesh.id.clone(),
        version: mesh.version.clone(),
        multi_network: mesh.network_mode == NetworkMode::Multi,
        control_plane_cluster: mesh.control_plane_cluster.clone(),
        global_cluster: mesh.global_cluster.clone(),
        global_namespace: MSPIDER_NAMESPACE.to_owned(),
        registry: mesh.registry.clone(),
        proxy_image: format!("{}/proxyv2:{}", mesh.registry, mesh.version),
        dns_domain: mesh.dns_domain.clone(),
        cross_network_hosts: format!("*.{last_label}"),
        gateway_api_version: gateway_api_version.to_owned(),
        hosted_istiod: HostedIstiod {
            service_name: hosted_istiod_service(&mesh.id),
            namespace: ISTIO_NAMESPACE.to_owned(),
            cluster: control_plane.name.clone(),
            pilot_address: address.primary.clone(),
            address,
            probe_url,
        },
        work_clusters: plan.clusters.iter().map(|c| c.name.clone()).collect(),
        metallb_version: METALLB_VERSION.to_owned(),
        metallb_manifest_url: format!(
            "https://raw.githubusercontent.com/metallb/metallb/{METALLB_VERSION}/config/manifests/metallb-native.yaml"
        ),
        probe_image: plan
            .demo
            .as_ref()
            .map_or(DEFAULT_PROBE_IMAGE, |d| d.sleep.image.as_str())
            .to_owned(),
        node_port_fallback: NODE_PORT_FALLBACK,
    })
}

/// Name of the hosted istiod LoadBalancer Service Mspider creates.
pub fn hosted_istiod_service(mesh_id: &str) -> String {
    format!("istiod-{mesh_id}-hosted-lb")
}

/// Networks in order of first appearance; in multi mode each with its gateway.
fn networks(plan: &Plan, multi_network: bool) -> Result<Vec<Network>, String> {
    let mut networks: Vec<Network> = Vec::new();
    let mut index_of: HashMap<&str, usize> = HashMap::new();
    for cluster in &plan.clusters {
        let index = match index_of.get(cluster.network.as_str()) {
            Some(&index) => index,
            None => {
                index_of.insert(&cluster.network, networks.len());
                networks.push(Network {
                    id: cluster.network.clone(),
                    clusters: Vec::new(),
                    gateway: None,
                });
                networks.len() - 1
            }
        };
        let Some(network) = networks.get_mut(index) else {
            return Err(format!("network `{}` vanished", cluster.network));
        };
        network.clusters.push(cluster.name.clone());
        if multi_network
            && network.gateway.is_none()
            && let Some(ips) = &cluster.load_balancer_ips.east_west
        {
            network.gateway = Some(NetworkGateway {
                cluster: cluster.name.clone(),
                address: lb_address(ips)?.primary,
                port: CROSS_NETWORK_PORT,
            });
        }
    }
    if multi_network && let Some(network) = networks.iter().find(|n| n.gateway.is_none()) {
        return Err(format!(
            "network `{}` has no cluster with an east-west IP",
            network.id
        ));
    }
    Ok(networks)
}

fn global_mesh_patch(mesh: &MeshFacts, networks: &[Network]) -> GlobalMeshPatch {
    let mut params = vec![Pair {
        key: format!("{PARAM_PREFIX}remotePilotAddress"),
        value: mesh.hosted_istiod.pilot_address.clone(),
    }];
    for network in networks {
        if let Some(gateway) = &network.gateway {
            let key = format!("{PARAM_PREFIX}meshNetworks.{}.gateways[0]", network.id);
            params.push(Pair {
                key: format!("{key}.address"),
                value: gateway.address.clone(),
            });
            params.push(Pair {
                key: format!("{key}.port"),
                value: gateway.port.to_string(),
            });
        }
    }
    GlobalMeshPatch {
        path: layout::GLOBAL_MESH_PATCH.to_owned(),
        name: mesh.id.clone(),
        namespace: MSPIDER_NAMESPACE.to_owned(),
        params,
    }
}

/// `network_members`: every cluster on this cluster's network, itself included.
fn cluster_model(
    plan: &Plan,
    mesh: &MeshFacts,
    index: usize,
    cluster: &plan::Cluster,
    network_members: &[String],
) -> Result<ClusterModel, String> {
    let name = &cluster.name;
    let dir = layout::cluster_dir(name);
    let bootstrap_dir = layout::bootstrap_dir(name);
    let is_kind = cluster.kind == ClusterType::Kind;
    let is_control_plane = *name == mesh.control_plane_cluster;
    let kubernetes_release = kubernetes_release(&cluster.kubernetes_version)?;

    let nodes = cluster
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| node_model(name, is_kind, i, node))
        .collect::<Vec<_>>();
    let control_plane_node = nodes
        .iter()
        .find(|n| n.role == "control-plane")
        .map(|n| n.name.clone());

    let pools = parse_pools(cluster)?;

    let ips = &cluster.load_balancer_ips;
    let has_metallb = cluster.metallb.is_some();
    let service = |text: Option<&str>, role: &str, name: &str, patched: bool| {
        text.map(|text| {
            let address = lb_address(text)?;
            lb_service(
                &cluster.name,
                role,
                name,
                address,
                &pools,
                has_metallb,
                patched,
            )
        })
        .transpose()
    };
    let istiod = service(
        ips.istiod.as_deref().filter(|_| is_control_plane),
        "hosted istiod",
        &hosted_istiod_service(&mesh.id),
        true,
    )?;
    // Single-network mode has no east-west gateway: an eastWest IP there is unused.
    let east_west = service(
        ips.east_west.as_deref().filter(|_| mesh.multi_network),
        "east-west gateway",
        "istio-eastwestgateway",
        false,
    )?;
    let ingress = service(
        ips.ingress.as_deref(),
        "ingress gateway",
        "istio-ingressgateway",
        true,
    )?;
    let lb_services: Vec<LbService> = [&istiod, &east_west, &ingress]
        .into_iter()
        .flatten()
        .cloned()
        .collect();

    let metallb = cluster
        .metallb
        .as_ref()
        .map(|metallb| metallb_config(name, metallb, &pools, &lb_services));

    let east_west_gateway = east_west
        .as_ref()
        .map(|service| east_west_gateway(mesh, cluster, service));
    let cross_network_gateway = east_west_gateway.as_ref().map(|_| CrossNetworkGateway {
        path: layout::cross_network_gateway(name),
        api_version: mesh.gateway_api_version.clone(),
        name: "cross-network-gateway".to_owned(),
        namespace: ISTIO_NAMESPACE.to_owned(),
        selector: vec![pair("istio", "eastwestgateway")],
        hosts: vec![mesh.cross_network_hosts.clone()],
        port: CROSS_NETWORK_PORT,
    });

    let demo = plan.demo.as_ref().and_then(|demo| cluster_demo(name, demo));

    let (stages, stage_dirs) = stages(
        name,
        metallb.as_ref(),
        east_west_gateway.as_ref(),
        cross_network_gateway.as_ref(),
        demo.as_ref(),
    );
    let kustomization = Kustomization {
        path: layout::cluster_kustomization(name),
        resources: stages.iter().map(|s| s.stage.name().to_owned()).collect(),
    };

    let network_peers = network_members
        .iter()
        .filter(|member| *member != name)
        .cloned()
        .collect();

    let kind_config = kind_config(
        plan,
        cluster,
        &kubernetes_release,
        &nodes,
        east_west_gateway.is_some().then_some(index),
    )?;
    let kubeadm_config = kubeadm_config(
        plan,
        cluster,
        &kubernetes_release,
        control_plane_node.clone(),
    )?;

    Ok(ClusterModel {
        name: name.clone(),
        cluster_type: match cluster.kind {
            ClusterType::StandardK8s => "standard-k8s",
            ClusterType::Kind => "kind",
        }
        .to_owned(),
        is_kind,
        kubernetes_version: cluster.kubernetes_version.clone(),
        kubernetes_release,
        pod_subnet: cluster.pod_subnet.clone(),
        service_subnet: cluster.service_subnet.clone(),
        master_ip: cluster.master_ip.clone(),
        network: cluster.network.clone(),
        network_peers,
        is_control_plane,
        mesh_role: if is_control_plane {
            "Hosted control plane, work cluster"
        } else {
            "Work cluster"
        }
        .to_owned(),
        joining_nodes: nodes
            .iter()
            .filter(|n| Some(&n.name) != control_plane_node.as_ref())
            .map(|n| n.name.clone())
            .collect(),
        nodes,
        control_plane_node,
        hosted_istiod_service: istiod,
        east_west_service: east_west,
        ingress_service: ingress,
        lb_services,
        network_label_patch: NamespacePatch {
            path: layout::namespace_patch(name, ISTIO_NAMESPACE),
            name: ISTIO_NAMESPACE.to_owned(),
            labels: vec![pair(LABEL_NETWORK, &cluster.network)],
        },
        metallb,
        east_west_gateway,
        cross_network_gateway,
        demo,
        stages,
        stage_dirs,
        kustomization,
        mesh_cluster_patch: mesh_cluster_patch(mesh, cluster, is_control_plane),
        kind_config,
        kubeadm_config,
        dir,
        bootstrap_dir,
    })
}

/// The cluster's MetalLB pools, parsed for lookups and canonical for output.
fn parse_pools(cluster: &plan::Cluster) -> Result<Vec<ParsedPool<'_>>, String> {
    let Some(metallb) = &cluster.metallb else {
        return Ok(Vec::new());
    };
    metallb
        .pools
        .iter()
        .map(|pool| {
            let mut ranges = Vec::new();
            let mut entries = Vec::new();
            for entry in &pool.addresses {
                let problem =
                    |e: String| format!("cluster `{}` pool `{}`: {e}", cluster.name, pool.name);
                ranges.push(AddrRange::parse_pool_entry(entry).map_err(problem)?);
                entries.push(pool_entry_text(entry).map_err(problem)?);
            }
            Ok(ParsedPool {
                pool,
                ranges,
                entries,
            })
        })
        .collect()
}

fn metallb_config(
    cluster: &str,
    metallb: &plan::Metallb,
    pools: &[ParsedPool<'_>],
    lb_services: &[LbService],
) -> MetallbConfig {
    let pools = pools
        .iter()
        .map(|ParsedPool { pool, entries, .. }| IpAddressPool {
            path: layout::ip_address_pool(cluster, &pool.name),
            name: pool.name.clone(),
            namespace: METALLB_NAMESPACE.to_owned(),
            addresses: entries.clone(),
            auto_assign: pool.auto_assign,
            avoid_buggy_ips: pool.avoid_buggy_ips,
            serves: lb_services
                .iter()
                .filter(|s| s.pool.as_deref() == Some(pool.name.as_str()))
                .map(|s| pair(&s.address.annotation, &s.role))
                .collect(),
        })
        .collect::<Vec<_>>();
    MetallbConfig {
        advertisement: L2Advertisement {
            path: layout::l2_advertisement(cluster),
            name: "mesh-l2".to_owned(),
            namespace: METALLB_NAMESPACE.to_owned(),
            pools: pools.iter().map(|p| p.name.clone()).collect(),
            interfaces: metallb.interfaces.clone(),
        },
        pools,
    }
}

fn east_west_gateway(
    mesh: &MeshFacts,
    cluster: &plan::Cluster,
    service: &LbService,
) -> EastWestGateway {
    EastWestGateway {
        path: layout::east_west_gateway(&cluster.name),
        name: "eastwest".to_owned(),
        namespace: ISTIO_NAMESPACE.to_owned(),
        gateway_name: service.name.clone(),
        labels: vec![
            pair("istio", "eastwestgateway"),
            pair("app", "istio-eastwestgateway"),
            pair(LABEL_NETWORK, &cluster.network),
        ],
        network: cluster.network.clone(),
        cluster: cluster.name.clone(),
        mesh_id: mesh.id.clone(),
        hub: mesh.registry.clone(),
        tag: mesh.version.clone(),
        ports: [
            ("status-port", 15021),
            ("tls", CROSS_NETWORK_PORT),
            ("tls-istiod", 15012),
            ("tls-webhook", 15017),
        ]
        .into_iter()
        .map(|(name, port)| ServicePort {
            name: name.to_owned(),
            port,
        })
        .collect(),
        service_annotations: service.annotations.clone(),
        ip_family_policy: service.ip_family_policy.clone(),
    }
}

fn node_model(cluster: &str, is_kind: bool, index: usize, node: &plan::Node) -> NodeModel {
    let role = match node.role {
        Some(NodeRole::ControlPlane) => "control-plane",
        Some(NodeRole::Worker) => "worker",
        None if index == 0 => "control-plane",
        None => "worker",
    };
    let mut labels = vec![
        pair(LABEL_REGION, &node.region),
        pair(LABEL_ZONE, &node.zone),
    ];
    let mut topology = format!("{}/{}", node.region, node.zone);
    if let Some(subzone) = &node.subzone {
        labels.push(pair(LABEL_SUBZONE, subzone));
        topology = format!("{topology}/{subzone}");
    }
    NodeModel {
        name: node.name.clone(),
        role: role.to_owned(),
        labels: labels.into(),
        topology,
        patch_path: (!is_kind).then(|| layout::node_patch(cluster, &node.name)),
    }
}

/// A plan pool with its entries parsed (for lookups) and canonical (for output).
struct ParsedPool<'a> {
    pool: &'a plan::Pool,
    ranges: Vec<AddrRange>,
    entries: Vec<String>,
}

fn lb_service(
    cluster: &str,
    role: &str,
    name: &str,
    address: LbAddress,
    pools: &[ParsedPool<'_>],
    has_metallb: bool,
    patched: bool,
) -> Result<LbService, String> {
    let ips = address
        .addresses
        .iter()
        .map(|ip| net::parse_ip(ip))
        .collect::<Result<Vec<IpAddr>, _>>()?;
    // MetalLB hands a Service its requested addresses only from one pool that holds them all.
    let pool = pools
        .iter()
        .find(|p| {
            ips.iter()
                .all(|ip| p.ranges.iter().any(|r| r.contains(*ip)))
        })
        .map(|p| p.pool.name.clone());
    let mut annotations = Vec::new();
    if has_metallb {
        if let Some(pool) = &pool {
            annotations.push(pair(ANNOTATION_POOL, pool));
        }
        annotations.push(pair(ANNOTATION_LB_IPS, &address.annotation));
    }
    let ip_family_policy = address.dual_stack.then(|| "RequireDualStack".to_owned());
    let patch_path = (patched && (!annotations.is_empty() || ip_family_policy.is_some()))
        .then(|| layout::service_patch(cluster, name));
    Ok(LbService {
        role: role.to_owned(),
        name: name.to_owned(),
        namespace: ISTIO_NAMESPACE.to_owned(),
        address,
        pool,
        annotations,
        ip_family_policy,
        patch_path,
    })
}

fn cluster_demo(cluster: &str, demo: &plan::Demo) -> Option<ClusterDemo> {
    let version = demo.helloworld.versions.get(cluster);
    let runs_sleep = demo.sleep.clusters.iter().any(|c| c == cluster);
    if version.is_none() && !runs_sleep {
        return None;
    }
    let namespace = demo.namespace.clone();
    let helloworld = version.map(|version| {
        let name = format!("helloworld-{}", name_part(version));
        HelloworldDeployment {
            path: layout::helloworld_deployment(cluster, &name),
            name,
            namespace: namespace.clone(),
            version: version.clone(),
            image: demo.helloworld.image.clone(),
            port: HELLOWORLD_PORT,
        }
    });
    Some(ClusterDemo {
        namespace: DemoNamespace {
            path: layout::demo_namespace(cluster),
            name: namespace.clone(),
            labels: vec![pair("istio-injection", "enabled")],
        },
        // sleep resolves helloworld.<namespace> through its local Service.
        helloworld_service: Some(HelloworldService {
            path: layout::helloworld_service(cluster),
            namespace: namespace.clone(),
            port: HELLOWORLD_PORT,
        }),
        helloworld,
        sleep: runs_sleep.then(|| SleepApp {
            service_account_path: layout::sleep_service_account(cluster),
            service_path: layout::sleep_service(cluster),
            deployment_path: layout::sleep_deployment(cluster),
            namespace: namespace.clone(),
            image: demo.sleep.image.clone(),
        }),
    })
}

/// A label value as part of an object name (DNS-1123): lower case, `_` and `.` as `-`.
fn name_part(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            'A'..='Z' => c.to_ascii_lowercase(),
            'a'..='z' | '0'..='9' | '-' => c,
            _ => '-',
        })
        .collect()
}

fn stages(
    cluster: &str,
    metallb: Option<&MetallbConfig>,
    east_west: Option<&EastWestGateway>,
    cross_network: Option<&CrossNetworkGateway>,
    demo: Option<&ClusterDemo>,
) -> (Vec<StageFolder>, StageDirs) {
    let mut stages = Vec::new();
    let mut add = |stage: StageKind, needs: &str, paths: Vec<&str>| {
        if paths.is_empty() {
            return;
        }
        let stage_dir = layout::stage_dir(cluster, stage);
        let prefix = format!("{stage_dir}/");
        stages.push(StageFolder {
            stage,
            needs: needs.to_owned(),
            kustomization: Kustomization {
                path: layout::stage_kustomization(cluster, stage),
                resources: paths
                    .iter()
                    .map(|p| p.strip_prefix(&prefix).unwrap_or(p).to_owned())
                    .collect(),
            },
            dir: stage_dir,
        });
    };
    if let Some(metallb) = metallb {
        let mut paths: Vec<&str> = metallb.pools.iter().map(|p| p.path.as_str()).collect();
        paths.push(&metallb.advertisement.path);
        add(
            StageKind::Metallb,
            "MetalLB installed (its CRDs and webhook)",
            paths,
        );
    }
    let istio: Vec<&str> = east_west
        .map(|g| g.path.as_str())
        .into_iter()
        .chain(cross_network.map(|g| g.path.as_str()))
        .collect();
    add(
        StageKind::Istio,
        "the cluster joined to the mesh (Istio CRDs and operator)",
        istio,
    );
    if let Some(demo) = demo {
        let mut paths = vec![demo.namespace.path.as_str()];
        paths.extend(demo.helloworld_service.as_ref().map(|s| s.path.as_str()));
        paths.extend(demo.helloworld.as_ref().map(|d| d.path.as_str()));
        if let Some(sleep) = &demo.sleep {
            paths.extend([
                sleep.service_account_path.as_str(),
                sleep.service_path.as_str(),
                sleep.deployment_path.as_str(),
            ]);
        }
        add(
            StageKind::Demo,
            "the mesh running in the cluster (sidecar injection)",
            paths,
        );
    }
    let dir_of = |stage: StageKind| {
        stages
            .iter()
            .find(|s| s.stage == stage)
            .map(|s| s.dir.clone())
    };
    let dirs = StageDirs {
        metallb: dir_of(StageKind::Metallb),
        istio: dir_of(StageKind::Istio),
        demo: dir_of(StageKind::Demo),
    };
    (stages, dirs)
}

fn mesh_cluster_patch(
    mesh: &MeshFacts,
    cluster: &plan::Cluster,
    is_control_plane: bool,
) -> MeshClusterPatch {
    let params = vec![
        pair("global.meshID", &mesh.id),
        pair("global.clusterRole", HOSTED_WORKLOAD_CLUSTER),
        pair(&format!("{PARAM_PREFIX}network"), &cluster.network),
    ];
    let entry = "/spec/meshedParams/0";
    let mut ops = vec![JsonPatchOp {
        op: "test".to_owned(),
        path: format!("{entry}/meshName"),
        value: serde_json::Value::from(mesh.id.as_str()),
    }];
    for param in &params {
        ops.push(JsonPatchOp {
            op: "add".to_owned(),
            path: format!("{entry}/params/{}", json_pointer_token(&param.key)),
            value: serde_json::Value::from(param.value.as_str()),
        });
    }
    if is_control_plane {
        ops.push(JsonPatchOp {
            op: "add".to_owned(),
            path: format!("{entry}/isHostedOwner"),
            value: serde_json::Value::Bool(true),
        });
    }
    MeshClusterPatch {
        path: layout::mesh_cluster_patch(&cluster.name),
        name: cluster.name.clone(),
        namespace: MSPIDER_NAMESPACE.to_owned(),
        mesh_name: mesh.id.clone(),
        params,
        is_hosted_owner: is_control_plane,
        ops,
    }
}

/// One JSON Pointer reference token (RFC 6901: `~` as `~0`, `/` as `~1`).
fn json_pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn kind_config(
    plan: &Plan,
    cluster: &plan::Cluster,
    kubernetes_release: &str,
    nodes: &[NodeModel],
    east_west_index: Option<usize>,
) -> Result<KindConfig, String> {
    let pod_nets = net::parse_cidrs(&cluster.pod_subnet)?;
    let families: BTreeSet<bool> = pod_nets.iter().map(|n| n.addr().is_ipv4()).collect();
    let ip_family = match (families.contains(&true), families.contains(&false)) {
        (true, true) => Some("dual"),
        (false, true) => Some("ipv6"),
        _ => None,
    };
    let fallback_host_port = east_west_index
        .map(|index| {
            u16::try_from(index)
                .ok()
                .and_then(|i| FIRST_FALLBACK_HOST_PORT.checked_add(i))
                .ok_or_else(|| "too many clusters for the NodePort fallback host ports".to_owned())
        })
        .transpose()?;
    let mut mapped = false;
    let nodes = nodes
        .iter()
        .map(|node| {
            let map_here = node.role == "control-plane" && !mapped;
            mapped |= map_here;
            KindNode {
                role: node.role.clone(),
                labels: Arc::clone(&node.labels),
                port_mappings: fallback_host_port
                    .filter(|_| map_here)
                    .map(|host_port| PortMapping {
                        container_port: NODE_PORT_FALLBACK,
                        host_port,
                    })
                    .into_iter()
                    .collect(),
            }
        })
        .collect();
    Ok(KindConfig {
        path: layout::kind_config(&cluster.name),
        name: cluster.name.clone(),
        context: format!("kind-{}", cluster.name),
        api_server_address: cluster.master_ip.clone(),
        ip_family: ip_family.map(str::to_owned),
        pod_subnet: cluster.pod_subnet.clone(),
        service_subnet: cluster.service_subnet.clone(),
        dns_domain: (plan.mesh.dns_domain != plan::default_dns_domain())
            .then(|| plan.mesh.dns_domain.clone()),
        node_image: format!("kindest/node:{kubernetes_release}"),
        nodes,
        fallback_host_port,
    })
}

fn kubeadm_config(
    plan: &Plan,
    cluster: &plan::Cluster,
    kubernetes_release: &str,
    node_name: Option<String>,
) -> Result<KubeadmConfig, String> {
    let (major, minor, _) = kubernetes_version(&cluster.kubernetes_version)?;
    let api_version = if (major, minor) >= (1, 31) {
        "kubeadm.k8s.io/v1beta4"
    } else {
        "kubeadm.k8s.io/v1beta3"
    };
    Ok(KubeadmConfig {
        path: layout::kubeadm_config(&cluster.name),
        api_version: api_version.to_owned(),
        advertise_address: cluster.master_ip.clone(),
        node_name,
        cluster_name: cluster.name.clone(),
        kubernetes_version: kubernetes_release.to_owned(),
        pod_subnet: cluster.pod_subnet.clone(),
        service_subnet: cluster.service_subnet.clone(),
        dns_domain: plan.mesh.dns_domain.clone(),
    })
}

fn demo_facts(plan: &Plan, demo: &plan::Demo) -> DemoFacts {
    let sleep: HashSet<&str> = demo.sleep.clusters.iter().map(String::as_str).collect();
    let rows = plan
        .clusters
        .iter()
        .map(|c| DemoRow {
            cluster: c.name.clone(),
            helloworld_version: demo.helloworld.versions.get(&c.name).cloned(),
            sleep: sleep.contains(c.name.as_str()),
        })
        .collect::<Vec<_>>();
    DemoFacts {
        namespace: demo.namespace.clone(),
        helloworld_image: demo.helloworld.image.clone(),
        sleep_image: demo.sleep.image.clone(),
        hello_url: format!("helloworld.{}:{HELLOWORLD_PORT}/hello", demo.namespace),
        versions: rows
            .iter()
            .filter_map(|r| r.helloworld_version.clone())
            .collect(),
        sleep_clusters: rows
            .iter()
            .filter(|r| r.sleep)
            .map(|r| r.cluster.clone())
            .collect(),
        rows,
    }
}

/// An LB IP field: one address, or two of different families separated by a comma.
fn lb_address(text: &str) -> Result<LbAddress, String> {
    let ips = net::parse_ips(text)?;
    let primary = ips
        .iter()
        .find(|ip| ip.is_ipv4())
        .or_else(|| ips.first())
        .ok_or_else(|| format!("`{text}` holds no address"))?
        .to_string();
    let addresses: Vec<String> = ips.iter().map(IpAddr::to_string).collect();
    Ok(LbAddress {
        annotation: addresses.join(","),
        dual_stack: ips.iter().any(IpAddr::is_ipv4) && ips.iter().any(IpAddr::is_ipv6),
        addresses,
        primary,
    })
}

/// An address as a URL host: IPv6 in brackets.
fn url_host(ip: &str) -> Result<String, String> {
    Ok(match net::parse_ip(ip)? {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    })
}

/// A pool entry as MetalLB reads it, canonical: a CIDR, or `start-end`.
fn pool_entry_text(entry: &str) -> Result<String, String> {
    let range = AddrRange::parse_pool_entry(entry)?;
    if entry.contains('-') {
        Ok(format!("{}-{}", range.start, range.end))
    } else {
        Ok(net::parse_cidr(entry)?.to_string())
    }
}

/// `MAJOR.MINOR` of a mesh version (`1.15.3-mspider`).
fn mesh_minor(version: &str) -> Result<(u64, u64), String> {
    let core = version.split(['-', '+']).next().unwrap_or(version);
    let mut parts = core.split('.');
    match (
        parts.next().and_then(|p| p.parse().ok()),
        parts.next().and_then(|p| p.parse().ok()),
    ) {
        (Some(major), Some(minor)) => Ok((major, minor)),
        _ => Err(format!("mesh version `{version}` is not MAJOR.MINOR.PATCH")),
    }
}

/// A plan Kubernetes version: `MAJOR.MINOR` or `MAJOR.MINOR.PATCH` (a leading `v` allowed).
fn kubernetes_version(text: &str) -> Result<(u64, u64, Option<u64>), String> {
    let core = text.trim().trim_start_matches('v');
    let parts: Vec<&str> = core.split('.').collect();
    let number = |i: usize| parts.get(i).and_then(|p| p.parse::<u64>().ok());
    match (parts.len(), number(0), number(1), number(2)) {
        (2, Some(major), Some(minor), _) => Ok((major, minor, None)),
        (3, Some(major), Some(minor), Some(patch)) => Ok((major, minor, Some(patch))),
        _ => Err(format!(
            "Kubernetes version `{text}` is not MAJOR.MINOR[.PATCH]"
        )),
    }
}

/// The full release for a plan version: the plan's patch if given, else the
/// newest kind node image of that minor, else `.0`.
fn kubernetes_release(text: &str) -> Result<String, String> {
    let (major, minor, patch) = kubernetes_version(text)?;
    let patch = patch.unwrap_or_else(|| {
        KIND_NODE_PATCHES
            .iter()
            .find(|(version, _)| *version == (major, minor))
            .map_or(0, |(_, patch)| *patch)
    });
    Ok(format!("v{major}.{minor}.{patch}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(kubernetes_release("1.25").unwrap(), "v1.25.16");
        assert_eq!(kubernetes_release("1.25.3").unwrap(), "v1.25.3");
        assert_eq!(kubernetes_release("1.99").unwrap(), "v1.99.0");
        assert!(kubernetes_release("1.x").is_err());
        assert!(kubernetes_release("1.25.3.4").is_err());
        assert_eq!(mesh_minor("1.15.3-mspider").unwrap(), (1, 15));
        assert_eq!(mesh_minor("1.22.0").unwrap(), (1, 22));
        assert!(mesh_minor("latest").is_err());
    }

    #[test]
    fn lb_addresses() {
        let single = lb_address("10.64.30.71").unwrap();
        assert_eq!(single.annotation, "10.64.30.71");
        assert!(!single.dual_stack);
        let dual = lb_address("fd00:0::71, 10.0.0.71").unwrap();
        assert_eq!(dual.annotation, "fd00::71,10.0.0.71");
        assert_eq!(dual.primary, "10.0.0.71");
        assert!(dual.dual_stack);
        assert_eq!(lb_address("fd00::9").unwrap().primary, "fd00::9");
        assert_eq!(url_host("fd00::9").unwrap(), "[fd00::9]");
        assert!(lb_address("10.0.0.300").is_err());
    }

    #[test]
    fn pool_entries_are_written_as_metallb_reads_them() {
        let text = |s: &str| pool_entry_text(s).unwrap();
        assert_eq!(text("10.64.30.71-10.64.30.73"), "10.64.30.71-10.64.30.73");
        assert_eq!(text(" 10.0.0.0/28 "), "10.0.0.0/28");
        assert_eq!(text("10.0.0.1 - 10.0.0.1"), "10.0.0.1-10.0.0.1");
        assert_eq!(text("fd00:0::/120"), "fd00::/120");
        assert_eq!(text("fd00::1-fd00:0::9"), "fd00::1-fd00::9");
        assert!(pool_entry_text("10.0.0.1/24").is_err());
    }

    #[test]
    fn json_pointer_tokens_are_escaped() {
        assert_eq!(json_pointer_token("a.b[0]"), "a.b[0]");
        assert_eq!(json_pointer_token("a/b~c"), "a~1b~0c");
    }
}
