//! Mesh-wide facts that hold whatever runs the control plane, and the networks.

use std::collections::HashMap;

use serde::Serialize;

use super::ISTIO_NAMESPACE;
use super::gateways::{self, CROSS_NETWORK_PORT};
use super::metallb::{self, METALLB_NAMESPACE};
use crate::check::ParsedFacts;
use crate::grammar::MetallbVersion;
use crate::plan::{ClusterType, NetworkMode, Plan};

/// Node label keys of the topology Istio routes by (Kubernetes' well-known labels and
/// Istio's subzone: istio/api `label/labels.gen.go`).
pub const LABEL_REGION: &str = "topology.kubernetes.io/region";
pub const LABEL_ZONE: &str = "topology.kubernetes.io/zone";
pub const LABEL_SUBZONE: &str = "topology.istio.io/subzone";
/// The label kubeadm puts on control-plane nodes, from which MetalLB 0.14+ announces nothing.
pub const LABEL_EXCLUDE_FROM_LB: &str = "node.kubernetes.io/exclude-from-external-load-balancers";
/// The taint kubeadm puts on control-plane nodes unless `taints: []`.
pub const TAINT_CONTROL_PLANE: &str = "node-role.kubernetes.io/control-plane:NoSchedule";
/// The network label Istio reads on a namespace, a pod or a gateway.
pub const LABEL_NETWORK: &str = "topology.istio.io/network";

/// Mesh-wide facts.
#[derive(Debug, Clone, Serialize)]
pub struct MeshFacts {
    pub id: String,
    /// The mesh version, also the image tag of mesh components.
    pub version: String,
    /// `multi`: an east-west gateway per network and meshNetworks; `single`: neither.
    pub multi_network: bool,
    pub dns_domain: String,
    /// `values.global.proxy.clusterDomain` of every Istio chart, when the DNS domain is not
    /// the charts' default `cluster.local`: istiod names services `*.svc.<it>` (`--domain`),
    /// and "all Istio helm charts [must] specify the same clusterDomain value" (istio/istio
    /// `manifests/charts/istio-control/istio-discovery/values.yaml`).
    pub cluster_domain: Option<String>,
    /// Hosts of the cross-network Gateway: `*.` + the last label of the DNS domain.
    pub cross_network_hosts: String,
    /// `networking.istio.io/v1` from Istio 1.22 on, `networking.istio.io/v1beta1` before.
    pub gateway_api_version: String,
    /// The plan's `metallb.version` (default: v0.16.1, the release the CRD schemas in the
    /// reference come from), which the runbook installs.
    pub metallb_version: String,
    /// `metallb.io` from v0.14.9, `metallb.universe.tf` before.
    pub metallb_annotation_prefix: String,
    /// Whether the release honours `node.kubernetes.io/exclude-from-external-load-balancers`
    /// (v0.14.0 on).
    pub metallb_honours_exclude_label: bool,
    /// The Service of MetalLB's webhook, which must have an endpoint before pools are applied.
    pub metallb_webhook_service: String,
    /// `kubectl apply -f` URL of MetalLB's native manifest.
    pub metallb_manifest_url: String,
    /// Namespace MetalLB runs in.
    pub metallb_namespace: String,
    /// Label selector of MetalLB's pods (the `app` label of every Deployment and
    /// DaemonSet in `config/manifests/metallb-native.yaml`, metallb/metallb).
    pub metallb_pods: String,
    /// [`LABEL_EXCLUDE_FROM_LB`] and [`TAINT_CONTROL_PLANE`], for the runbook's commands.
    pub exclude_from_lb_label: String,
    pub control_plane_taint: String,
    /// `-L` columns of `kubectl get nodes` that show the topology labels.
    pub topology_labels: String,
    /// Namespace of the mesh components in every cluster.
    pub istio_namespace: String,
    /// Name of the east-west gateway's Service.
    pub east_west_service: String,
}

/// One network ID and where its traffic enters.
#[derive(Debug, Clone, Serialize)]
pub struct Network {
    pub id: String,
    pub clusters: Vec<String>,
    /// The network's meshNetworks gateways (multi-network mode only): every east-west
    /// gateway of its clusters, in plan order.
    pub gateways: Vec<NetworkGateway>,
}

/// A meshNetworks gateway: where one east-west gateway of the network is reached.
///
/// istiod also registers every Service labelled `topology.istio.io/network` as a gateway
/// of that network at its LoadBalancer address (istio/istio
/// `pilot/pkg/serviceregistry/kube/controller/network.go`, `conversion.go`; from some
/// release on only if it listens on 15443 or the `networking.istio.io/gatewayPort` label's
/// port, in 1.15 whatever its ports), and the east-west gateway's Service carries that label
/// (the gateway chart's `templates/service.yaml` copies the IstioOperator's labels). So the
/// params list every east-west gateway of a network, as istiod sees them anyway.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkGateway {
    pub cluster: String,
    /// For a dual-stack gateway, its IPv4 address: meshNetworks takes one
    /// address, and IPv4 is the family every cluster of a mixed mesh reaches. With the
    /// NodePort fallback, a node address (kind: the host address).
    pub address: String,
    pub port: u16,
    /// The NodePort fallback's node port, when the gateway is reached through it rather
    /// than at its LoadBalancer address.
    pub node_port: Option<u16>,
}

pub(super) fn mesh_facts(plan: &Plan, facts: &ParsedFacts) -> MeshFacts {
    let mesh = &plan.mesh;
    let metallb = facts.metallb_version;
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
        cluster_domain: (mesh.dns_domain != crate::plan::default_dns_domain())
            .then(|| mesh.dns_domain.clone()),
        cross_network_hosts: format!("*.{}", facts.dns_domain.last_label()),
        gateway_api_version: gateway_api_version.to_owned(),
        metallb_version: metallb.to_string(),
        metallb_annotation_prefix: metallb.annotation_prefix().to_owned(),
        metallb_webhook_service: metallb.webhook_service().to_owned(),
        metallb_honours_exclude_label: metallb >= MetallbVersion::FIRST_HONOURING_EXCLUDE_LABEL,
        metallb_manifest_url: format!(
            "https://raw.githubusercontent.com/metallb/metallb/{metallb}/config/manifests/metallb-native.yaml"
        ),
        metallb_namespace: METALLB_NAMESPACE.to_owned(),
        metallb_pods: metallb::METALLB_POD_SELECTOR.to_owned(),
        exclude_from_lb_label: LABEL_EXCLUDE_FROM_LB.to_owned(),
        control_plane_taint: TAINT_CONTROL_PLANE.to_owned(),
        topology_labels: [LABEL_REGION, LABEL_ZONE, LABEL_SUBZONE].join(","),
        istio_namespace: ISTIO_NAMESPACE.to_owned(),
        east_west_service: gateways::EAST_WEST_SERVICE.to_owned(),
    }
}

/// Networks in order of first appearance; in multi mode each with its gateways (MG040
/// saw to it that every network has a cluster with an east-west IP).
pub(super) fn networks(plan: &Plan, facts: &ParsedFacts, multi_network: bool) -> Vec<Network> {
    let mut networks: Vec<Network> = Vec::new();
    let mut index_of: HashMap<&str, usize> = HashMap::new();
    for (cluster, parsed) in plan.clusters.iter().zip(&facts.clusters) {
        let index = *index_of.entry(&cluster.network).or_insert_with(|| {
            networks.push(Network {
                id: cluster.network.clone(),
                clusters: Vec::new(),
                gateways: Vec::new(),
            });
            networks.len() - 1
        });
        let network = &mut networks[index];
        network.clusters.push(cluster.name.clone());
        let Some(east_west) = parsed.east_west.as_ref().filter(|_| multi_network) else {
            continue;
        };
        let gateway = match cluster.east_west_node_port {
            // The NodePort fallback: a node of a kubeadm cluster at the node port; the host
            // of a kind cluster at the host port its config forwards to the node port
            // (kind `extraPortMappings`), which the checks gave every such cluster.
            Some(node_port) => NetworkGateway {
                cluster: cluster.name.clone(),
                address: parsed.master_ip.to_string(),
                port: match cluster.kind {
                    ClusterType::Kind => parsed.fallback_host_port.unwrap_or(node_port),
                    ClusterType::StandardK8s => node_port,
                },
                node_port: Some(node_port),
            },
            None => NetworkGateway {
                cluster: cluster.name.clone(),
                address: east_west.ips.primary().to_string(),
                port: CROSS_NETWORK_PORT,
                node_port: None,
            },
        };
        network.gateways.push(gateway);
    }
    networks
}
