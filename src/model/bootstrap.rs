//! The files that create a cluster: a kind config and a kubeadm config.

use std::sync::Arc;

use serde::Serialize;

use super::Pair;
use super::cluster::NodeModel;
use crate::check::ClusterParsed;
use crate::grammar::KubeVersion;
use crate::layout;
use crate::plan::{self, NodeRole, Plan};

/// The API server's port on a kubeadm master (`localAPIEndpoint.bindPort`'s default), which
/// the kind stand-ins use too.
pub const API_SERVER_PORT: u16 = 6443;

/// Newest kindest/node patch release of each Kubernetes minor, from kind's
/// release notes (v0.22.0 to v0.31.0). Used when the plan gives `MAJOR.MINOR`:
/// kind publishes node images only for full versions.
const KIND_NODE_PATCHES: &[((u32, u32), u32)] = &[
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

/// The IP families of a cluster's pod network (kind's `networking.ipFamily`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IpFamily {
    Ipv4,
    Ipv6,
    Dual,
}

/// Context of `bootstrap/rename-kubeconfig.sh`: the script that copies a kubeconfig under
/// the cluster's own cluster, user and context names. kubeadm's `admin.conf` names its user
/// `kubernetes-admin` (kubernetes/kubernetes `cmd/kubeadm/app/phases/kubeconfig/kubeconfig.go`,
/// `ClientName`) and, without a config file, its cluster `kubernetes`; merged with
/// `KUBECONFIG=a:b`, the first file's user wins for every context.
#[derive(Debug, Clone, Serialize)]
pub struct KubeconfigScript {
    pub path: String,
}

/// Context of `bootstrap/kind-cluster.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct KindConfig {
    pub path: String,
    pub name: String,
    /// The kubeconfig context kind creates: `kind-<name>`.
    pub context: String,
    pub api_server_address: String,
    /// 6443, as on a kubeadm master: kind's default is a random host port (kind
    /// `pkg/apis/config/v1alpha4/types.go`, `APIServerPort`), which no Argo CD destination
    /// or cluster registration written from the plan could name.
    pub api_server_port: u16,
    /// `ipv6` or `dual`; absent for IPv4 (kind's default).
    pub ip_family: Option<IpFamily>,
    pub pod_subnet: String,
    pub service_subnet: Option<String>,
    /// Set through a kubeadm patch when it is not kind's `cluster.local`.
    pub dns_domain: Option<String>,
    /// `kindest/node:<release>`, the image of every node.
    pub node_image: String,
    pub nodes: Vec<KindNode>,
    /// Host port forwarded to the plan's `eastWestNodePort` on the first control-plane
    /// node, on kind clusters with the NodePort fallback.
    pub fallback_host_port: Option<u16>,
}

/// A kind node.
#[derive(Debug, Clone, Serialize)]
pub struct KindNode {
    pub role: NodeRole,
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
    /// `nodeRegistration.taints: []`, for a cluster without worker nodes: unset, kubeadm
    /// taints a control-plane node `NoSchedule` ("If you don't want to taint your
    /// control-plane node, set this field to an empty list", kubernetes/kubernetes
    /// `cmd/kubeadm/app/apis/kubeadm/v1beta3/types.go` and `v1beta4/types.go`,
    /// `NodeRegistrationOptions.Taints`), and nothing would schedule.
    pub untainted: bool,
    /// `nodeRegistration.criSocket` (`--cri-socket`), a URL.
    pub cri_socket: Option<String>,
    /// `imageRepository` (`--image-repository`).
    pub image_repository: Option<String>,
    pub cluster_name: String,
    pub kubernetes_version: String,
    pub pod_subnet: String,
    pub service_subnet: Option<String>,
    pub dns_domain: String,
}

/// `fallback_host_port`: the host port of the NodePort fallback, on a cluster with an
/// east-west gateway (the checks picked it: [`crate::check::FIRST_FALLBACK_HOST_PORT`]).
pub fn kind_config(
    plan: &Plan,
    cluster: &plan::Cluster,
    parsed: &ClusterParsed,
    kubernetes_release: &str,
    nodes: &[NodeModel],
    fallback_host_port: Option<u16>,
) -> KindConfig {
    let pod = parsed.pod_subnet;
    let ip_family = match (pod.first.addr().is_ipv4(), pod.is_dual()) {
        (_, true) => IpFamily::Dual,
        (false, false) => IpFamily::Ipv6,
        (true, false) => IpFamily::Ipv4,
    };
    let mut mapped = false;
    let nodes = nodes
        .iter()
        .map(|node| {
            let map_here = node.role == NodeRole::ControlPlane && !mapped;
            mapped |= map_here;
            KindNode {
                role: node.role,
                labels: Arc::clone(&node.labels),
                port_mappings: fallback_host_port
                    .zip(cluster.east_west_node_port)
                    .filter(|_| map_here)
                    .map(|(host_port, container_port)| PortMapping {
                        container_port,
                        host_port,
                    })
                    .into_iter()
                    .collect(),
            }
        })
        .collect();
    KindConfig {
        path: layout::kind_config(&cluster.name),
        name: cluster.name.clone(),
        context: format!("kind-{}", cluster.name),
        api_server_address: cluster.master_ip.clone(),
        api_server_port: API_SERVER_PORT,
        ip_family: Some(ip_family).filter(|f| *f != IpFamily::Ipv4),
        pod_subnet: cluster.pod_subnet.clone(),
        service_subnet: cluster.service_subnet.clone(),
        dns_domain: (plan.mesh.dns_domain != plan::default_dns_domain())
            .then(|| plan.mesh.dns_domain.clone()),
        node_image: format!("kindest/node:{kubernetes_release}"),
        nodes,
        fallback_host_port,
    }
}

/// `untainted`: the cluster has no worker nodes.
pub fn kubeadm_config(
    plan: &Plan,
    cluster: &plan::Cluster,
    parsed: &ClusterParsed,
    kubernetes_release: &str,
    node_name: Option<String>,
    untainted: bool,
) -> KubeadmConfig {
    let version = parsed.kubernetes;
    let api_version = if (version.major, version.minor) >= (1, 31) {
        "kubeadm.k8s.io/v1beta4"
    } else {
        "kubeadm.k8s.io/v1beta3"
    };
    KubeadmConfig {
        path: layout::kubeadm_config(&cluster.name),
        api_version: api_version.to_owned(),
        advertise_address: cluster.master_ip.clone(),
        node_name,
        untainted,
        cri_socket: parsed.cri_socket.clone(),
        image_repository: cluster
            .kubeadm
            .as_ref()
            .and_then(|k| k.image_repository.clone()),
        cluster_name: cluster.name.clone(),
        kubernetes_version: kubernetes_release.to_owned(),
        pod_subnet: cluster.pod_subnet.clone(),
        service_subnet: cluster.service_subnet.clone(),
        dns_domain: plan.mesh.dns_domain.clone(),
    }
}

/// The full release for a plan version: the plan's patch if given, else the newest
/// kind node image of that minor, else `.0`.
pub fn kubernetes_release(version: KubeVersion) -> String {
    let default_patch = KIND_NODE_PATCHES
        .iter()
        .find(|(minor, _)| *minor == (version.major, version.minor))
        .map_or(0, |(_, patch)| *patch);
    version.release(default_patch)
}

/// The names kind gives the nodes of cluster `name`, in config order: `<name>-<role>`,
/// then `<name>-<role>2`, `<name>-<role>3`, ... per role (kubernetes-sigs/kind
/// `pkg/cluster/internal/providers/common/namer.go` `MakeNodeNamer`, called for each
/// node in config order by `providers/docker/provision.go` `planCreation`).
pub fn kind_node_names(name: &str, roles: &[NodeRole]) -> Vec<String> {
    let (mut control_planes, mut workers) = (0usize, 0usize);
    roles
        .iter()
        .map(|role| {
            let (count, role) = match role {
                NodeRole::ControlPlane => (&mut control_planes, "control-plane"),
                NodeRole::Worker => (&mut workers, "worker"),
            };
            *count += 1;
            match *count {
                1 => format!("{name}-{role}"),
                n => format!("{name}-{role}{n}"),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_its_nodes_per_role() {
        use NodeRole::{ControlPlane as C, Worker as W};
        assert_eq!(
            kind_node_names("k", &[C, W, W, C]),
            [
                "k-control-plane",
                "k-worker",
                "k-worker2",
                "k-control-plane2"
            ]
        );
    }

    #[test]
    fn versions() {
        let release = |text: &str| kubernetes_release(KubeVersion::parse(text).unwrap());
        assert_eq!(release("1.25"), "v1.25.16");
        assert_eq!(release("1.25.3"), "v1.25.3");
        assert_eq!(release("1.99"), "v1.99.0");
    }
}
