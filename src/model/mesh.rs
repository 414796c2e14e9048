//! Mesh-wide facts that hold whatever runs the control plane, and the networks.

use std::collections::HashMap;

use serde::Serialize;

use super::ISTIO_NAMESPACE;
use super::gateways::{self, CROSS_NETWORK_PORT};
use super::metallb::{self, METALLB_NAMESPACE, lb_address};
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

pub(super) fn mesh_facts(plan: &Plan) -> Result<MeshFacts, String> {
    let mesh = &plan.mesh;
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
        dns_domain: mesh.dns_domain.clone(),
        cross_network_hosts: format!("*.{last_label}"),
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
    })
}

/// Networks in order of first appearance; in multi mode each with its gateway.
pub(super) fn networks(plan: &Plan, multi_network: bool) -> Result<Vec<Network>, String> {
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

/// `MAJOR.MINOR` of a mesh version (`1.15.3-mspider`).
pub(super) fn mesh_minor(version: &str) -> Result<(u64, u64), String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mesh_versions() {
        assert_eq!(mesh_minor("1.15.3-mspider").unwrap(), (1, 15));
        assert_eq!(mesh_minor("1.22.0").unwrap(), (1, 22));
        assert!(mesh_minor("latest").is_err());
    }
}
