//! Mesh-wide facts that hold whatever runs the control plane, and the networks.

use std::collections::HashMap;

use serde::Serialize;

use super::ISTIO_NAMESPACE;
use super::gateways::{self, CROSS_NETWORK_PORT};
use super::metallb::{self, METALLB_NAMESPACE};
use crate::check::ParsedFacts;
use crate::plan::{NetworkMode, Plan};

/// Node label keys of the topology Istio routes by (Kubernetes' well-known labels and
/// Istio's subzone: istio/api `label/labels.gen.go`).
pub const LABEL_REGION: &str = "topology.kubernetes.io/region";
pub const LABEL_ZONE: &str = "topology.kubernetes.io/zone";
pub const LABEL_SUBZONE: &str = "topology.istio.io/subzone";
/// The network label Istio reads on a namespace, a pod or a gateway.
pub const LABEL_NETWORK: &str = "topology.istio.io/network";

/// MetalLB release the runbook installs (the release the CRD schemas in the
/// reference come from).
pub const METALLB_VERSION: &str = "v0.16.1";

/// Mesh-wide facts.
#[derive(Debug, Clone, Serialize)]
pub struct MeshFacts {
    pub id: String,
    /// The mesh version, also the image tag of mesh components.
    pub version: String,
    /// `multi`: an east-west gateway per network and meshNetworks; `single`: neither.
    pub multi_network: bool,
    pub dns_domain: String,
    /// Hosts of the cross-network Gateway: `*.` + the last label of the DNS domain.
    pub cross_network_hosts: String,
    /// `networking.istio.io/v1` from Istio 1.22 on, `networking.istio.io/v1beta1` before.
    pub gateway_api_version: String,
    pub metallb_version: String,
    /// `kubectl apply -f` URL of MetalLB's native manifest.
    pub metallb_manifest_url: String,
    /// Namespace MetalLB runs in.
    pub metallb_namespace: String,
    /// Label selector of MetalLB's pods (the `app` label of every Deployment and
    /// DaemonSet in `config/manifests/metallb-native.yaml`, metallb/metallb).
    pub metallb_pods: String,
    /// `-L` columns of `kubectl get nodes` that show the topology labels.
    pub topology_labels: String,
    /// Namespace of the mesh components in every cluster.
    pub istio_namespace: String,
    /// Name of the east-west gateway's Service.
    pub east_west_service: String,
    /// Index of the east-west gateway's `tls` port in its Service's `spec.ports`.
    pub east_west_tls_port_index: usize,
    /// Node port and first host port of the kind NodePort fallback.
    pub node_port_fallback: u16,
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

pub(super) fn mesh_facts(plan: &Plan, facts: &ParsedFacts) -> MeshFacts {
    let mesh = &plan.mesh;
    let gateway_api_version = if facts.mesh_version.minor_version() >= (1, 22) {
        "networking.istio.io/v1"
    } else {
        "networking.istio.io/v1beta1"
    };
    MeshFacts {
        id: mesh.id.clone(),
        version: mesh.version.clone(),
        multi_network: mesh.network_mode == NetworkMode::Multi,
        dns_domain: mesh.dns_domain.clone(),
        cross_network_hosts: format!("*.{}", facts.dns_domain.last_label()),
        gateway_api_version: gateway_api_version.to_owned(),
        metallb_version: METALLB_VERSION.to_owned(),
        metallb_manifest_url: format!(
            "https://raw.githubusercontent.com/metallb/metallb/{METALLB_VERSION}/config/manifests/metallb-native.yaml"
        ),
        metallb_namespace: METALLB_NAMESPACE.to_owned(),
        metallb_pods: metallb::METALLB_POD_SELECTOR.to_owned(),
        topology_labels: [LABEL_REGION, LABEL_ZONE, LABEL_SUBZONE].join(","),
        istio_namespace: ISTIO_NAMESPACE.to_owned(),
        east_west_service: gateways::EAST_WEST_SERVICE.to_owned(),
        east_west_tls_port_index: gateways::east_west_tls_port_index(),
        node_port_fallback: super::bootstrap::NODE_PORT_FALLBACK,
    }
}

/// Networks in order of first appearance; in multi mode each with its gateway (MG040
/// saw to it that every network has a cluster with an east-west IP).
pub(super) fn networks(plan: &Plan, facts: &ParsedFacts, multi_network: bool) -> Vec<Network> {
    let mut networks: Vec<Network> = Vec::new();
    let mut index_of: HashMap<&str, usize> = HashMap::new();
    for (cluster, parsed) in plan.clusters.iter().zip(&facts.clusters) {
        let index = *index_of.entry(&cluster.network).or_insert_with(|| {
            networks.push(Network {
                id: cluster.network.clone(),
                clusters: Vec::new(),
                gateway: None,
            });
            networks.len() - 1
        });
        let network = &mut networks[index];
        network.clusters.push(cluster.name.clone());
        if multi_network
            && network.gateway.is_none()
            && let Some(east_west) = &parsed.east_west
        {
            network.gateway = Some(NetworkGateway {
                cluster: cluster.name.clone(),
                address: east_west.ips.primary().to_string(),
                port: CROSS_NETWORK_PORT,
            });
        }
    }
    networks
}
