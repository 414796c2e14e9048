//! The east-west gateway (its Service, labels and ports, whatever installs it) and the
//! cross-network Gateway that exposes the mesh's services through it.
//!
//! The ports and labels are upstream's `samples/multicluster/gen-eastwest-gateway.sh`
//! and `samples/multicluster/expose-services.yaml` (istio/istio).

use serde::Serialize;

use super::mesh::{LABEL_NETWORK, MeshFacts};
use super::{ISTIO_NAMESPACE, Pair, pair};
use crate::layout;

/// Port of the east-west gateway's cross-network mTLS passthrough listener.
pub const CROSS_NETWORK_PORT: u16 = 15443;
/// Name of the east-west gateway's Service (and Deployment).
pub const EAST_WEST_SERVICE: &str = "istio-eastwestgateway";
/// Name of the ingress gateway's Service.
pub const INGRESS_SERVICE: &str = "istio-ingressgateway";
/// The east-west gateway's Service ports, as upstream's `gen-eastwest-gateway.sh` writes
/// them: the status port and the cross-network mTLS port, then the two that expose istiod
/// to remote clusters (`tls-istiod`, `tls-webhook`), which only a flavor whose istiod runs
/// behind its east-west gateway needs (upstream primary-remote's `expose-istiod.yaml`).
const STATUS_PORT: (&str, u16) = ("status-port", 15021);
const TLS_PORT: (&str, u16) = ("tls", CROSS_NETWORK_PORT);
const ISTIOD_PORTS: [(&str, u16); 2] = [("tls-istiod", 15012), ("tls-webhook", 15017)];

/// A Service port (all TCP: istioctl analyze IST0162 counts only TCP ports).
#[derive(Debug, Clone, Serialize)]
pub struct ServicePort {
    pub name: String,
    pub port: u16,
    /// The node port the plan pins it to (the NodePort fallback's `tls` port).
    pub node_port: Option<u16>,
}

/// The east-west gateway's ports; `expose_istiod`: with istiod's two; `node_port`: the
/// NodePort fallback's port for `tls` (IstioOperator `k8s.service.ports[].nodePort`, a
/// Kubernetes ServiceSpec overlay; istio/istio 1.15 `operator/pkg/helmreconciler/common.go`
/// `saveNodePorts` keeps a cluster's own node port only where the overlay gives none).
pub fn east_west_ports(expose_istiod: bool, node_port: Option<u16>) -> Vec<ServicePort> {
    let port = |(name, port): (&str, u16), node_port| ServicePort {
        name: name.to_owned(),
        port,
        node_port,
    };
    let mut ports = vec![port(STATUS_PORT, None), port(TLS_PORT, node_port)];
    if expose_istiod {
        ports.extend(ISTIOD_PORTS.map(|p| port(p, None)));
    }
    ports
}

/// The gateway pods' labels: the selector of the cross-network Gateway, and the network.
pub fn east_west_labels(network: &str) -> Vec<Pair> {
    vec![
        pair("istio", "eastwestgateway"),
        pair("app", EAST_WEST_SERVICE),
        pair(LABEL_NETWORK, network),
    ]
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

/// The Gateway that passes cross-network mTLS through the east-west gateways, at `path`.
pub fn cross_network_gateway(mesh: &MeshFacts, path: String) -> CrossNetworkGateway {
    CrossNetworkGateway {
        path,
        api_version: mesh.gateway_api_version.clone(),
        name: "cross-network-gateway".to_owned(),
        namespace: ISTIO_NAMESPACE.to_owned(),
        selector: vec![pair("istio", "eastwestgateway")],
        hosts: vec![mesh.cross_network_hosts.clone()],
        port: CROSS_NETWORK_PORT,
    }
}

/// The Istio config rendered once for the mesh's own control plane
/// ([`super::flavor::ConfigPlacement::MeshControlPlane`]), in `global/istio/`.
#[derive(Debug, Clone, Serialize)]
pub struct ControlPlaneConfig {
    /// `global/istio`.
    pub dir: String,
    pub cross_network_gateway: CrossNetworkGateway,
}

impl ControlPlaneConfig {
    /// Every file of it, in apply order.
    pub fn files(&self) -> Vec<&str> {
        vec![self.cross_network_gateway.path.as_str()]
    }

    pub fn new(mesh: &MeshFacts) -> ControlPlaneConfig {
        ControlPlaneConfig {
            dir: layout::CONTROL_PLANE_ISTIO_DIR.to_owned(),
            cross_network_gateway: cross_network_gateway(
                mesh,
                layout::control_plane_cross_network_gateway(),
            ),
        }
    }
}
