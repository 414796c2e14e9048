//! The existing Mspider objects a hosted mesh's files change, and what `meshgen diff` is
//! told about each: the GlobalMesh's `controlPlaneParams` (a merge patch) and each
//! cluster's MeshCluster params (a JSON patch) on the global service cluster, and the
//! `istio-system` network label (DaoCloud/DaoCloud-docs
//! `docs/zh/docs/mspider/03UserGuide/multiCluster/multiClusterInstall.md`).

use serde::Serialize;

use super::{
    HOSTED_WORKLOAD_CLUSTER, HostedCluster, HostedIstiod, HostedMesh, MESH_ID_PARAM,
    MSPIDER_NAMESPACE, PARAM_PREFIX,
};
use crate::check::IpFamily;
use crate::layout;
use crate::model::existing::{Patch, PatchFormat, Purpose};
use crate::model::gateways::ServicePort;
use crate::model::mesh::{MeshFacts, Network};
use crate::model::metallb::LbService;
use crate::model::{Pair, pair};

/// Mspider's resources on the global service cluster (`discovery.mspider.io`).
const GLOBAL_MESH_RESOURCE: &str = "globalmeshes.discovery.mspider.io";
const MESH_CLUSTER_RESOURCE: &str = "meshclusters.discovery.mspider.io";

/// Context of `hosted/globalmesh-patch.yaml`: a merge patch of
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

/// The JSON patch of one MeshCluster (rendered as JSON, not a template).
/// `meshedParams` is a list, which a merge patch would replace wholesale, so this tests
/// that entry 0 holds this mesh's `global.meshID` (the seed documents
/// `.spec.meshedParams[].params` with it; no public source names any other field of the
/// entry) and then adds only what the seed has the operator add, the network ID (and, where
/// a cluster needs it, the family of its istiod-remote Service). `global.meshID`,
/// `global.clusterRole` and `isHostedOwner` are Mspider's controller's: the runbook confirms
/// them with a command instead of overwriting them.
#[derive(Debug, Clone, Serialize)]
pub struct MeshClusterPatch {
    pub path: String,
    pub name: String,
    pub namespace: String,
    pub mesh_name: String,
    /// The params it sets (also shown in the README).
    pub params: Vec<Pair>,
    /// What Mspider's controller must have set, which the runbook confirms: `global.meshID`,
    /// `global.clusterRole`, and whether the entry is the hosted owner.
    pub confirm: Vec<Pair>,
    pub is_hosted_owner: bool,
    /// The patch itself; the README does not show it.
    #[serde(skip)]
    pub ops: Vec<JsonPatchOp>,
}

/// The node port of the east-west gateway's `tls` port, set on its Service once Pluma
/// Operator installed it (a JSON patch: `test` that the port is the `tls` one, then `add`).
#[derive(Debug, Clone, Serialize)]
pub struct NodePortPatch {
    pub path: String,
    pub service: String,
    pub namespace: String,
    #[serde(skip)]
    pub ops: Vec<JsonPatchOp>,
}

/// The JSON patch that pins the node port of the one port of `ports` (the IstioOperator's)
/// that has one: the gateway chart renders `service.ports` in the IstioOperator's order
/// (istio/istio `manifests/charts/gateway/templates/service.yaml`).
pub(super) fn node_port_patch(
    cluster: &str,
    service: &LbService,
    ports: &[ServicePort],
) -> Option<NodePortPatch> {
    let (index, port, node_port) = ports
        .iter()
        .enumerate()
        .find_map(|(i, p)| Some((i, p.port, p.node_port?)))?;
    let at = |field: &str| format!("/spec/ports/{index}/{field}");
    Some(NodePortPatch {
        path: layout::service_node_port_patch(cluster, &service.name),
        service: service.name.clone(),
        namespace: service.namespace.clone(),
        ops: vec![
            JsonPatchOp {
                op: "test",
                path: at("port"),
                value: port.into(),
            },
            JsonPatchOp {
                op: "add",
                path: at("nodePort"),
                value: node_port.into(),
            },
        ],
    })
}

/// One RFC 6902 operation, in the field order the patch file shows.
#[derive(Debug, Clone, Serialize)]
pub struct JsonPatchOp {
    pub op: &'static str,
    pub path: String,
    pub value: serde_json::Value,
}

impl HostedMesh {
    /// The GlobalMesh, on the global service cluster.
    pub(in crate::model::flavor) fn patches(&self) -> Vec<Patch> {
        let patch = &self.global_mesh;
        vec![Patch {
            path: patch.path.clone(),
            context: self.global_cluster.clone(),
            global: true,
            kind: "GlobalMesh".to_owned(),
            resource: GLOBAL_MESH_RESOURCE.to_owned(),
            name: patch.name.clone(),
            namespace: Some(patch.namespace.clone()),
            format: PatchFormat::Merge,
            purpose: Purpose::Routing,
            precondition: Some(format!(
                "the mesh {} exists in Mspider (created in its console)",
                patch.name
            )),
        }]
    }
}

impl HostedCluster {
    /// The `istio-system` network label and the MeshCluster params.
    pub(in crate::model::flavor) fn patches(&self, cluster: &str, mesh: &HostedMesh) -> Vec<Patch> {
        let label = &self.network_label_patch;
        let params = &self.mesh_cluster_patch;
        let joined = format!(
            "{cluster} is a work cluster of the mesh {} (added in Mspider's console)",
            params.mesh_name
        );
        vec![
            Patch {
                path: label.path.clone(),
                context: cluster.to_owned(),
                global: false,
                kind: "Namespace".to_owned(),
                resource: "namespace".to_owned(),
                name: label.name.clone(),
                namespace: None,
                format: PatchFormat::Merge,
                purpose: Purpose::Network,
                // Mspider creates istio-system when the cluster joins the mesh.
                precondition: Some(joined.clone()),
            },
            Patch {
                path: params.path.clone(),
                context: mesh.global_cluster.clone(),
                global: true,
                kind: "MeshCluster".to_owned(),
                resource: MESH_CLUSTER_RESOURCE.to_owned(),
                name: params.name.clone(),
                namespace: Some(params.namespace.clone()),
                format: PatchFormat::Json,
                purpose: Purpose::Membership,
                precondition: Some(joined),
            },
        ]
        .into_iter()
        .chain(self.node_port_patch.iter().map(|patch| Patch {
            path: patch.path.clone(),
            context: cluster.to_owned(),
            global: false,
            kind: "Service".to_owned(),
            resource: "service".to_owned(),
            name: patch.service.clone(),
            namespace: Some(patch.namespace.clone()),
            format: PatchFormat::Json,
            purpose: Purpose::Address,
            precondition: Some(format!(
                "Pluma Operator installed the east-west gateway of {cluster}"
            )),
        }))
        .collect()
    }
}

pub(super) fn global_mesh_patch(
    mesh: &MeshFacts,
    istiod: &HostedIstiod,
    networks: &[Network],
) -> GlobalMeshPatch {
    let mut params = vec![Pair {
        key: format!("{PARAM_PREFIX}remotePilotAddress"),
        value: istiod.pilot_address.clone(),
    }];
    if let Some(domain) = &mesh.cluster_domain {
        params.push(pair(&format!("{PARAM_PREFIX}proxy.clusterDomain"), domain));
    }
    for network in networks {
        for (i, gateway) in network.gateways.iter().enumerate() {
            let key = format!("{PARAM_PREFIX}meshNetworks.{}.gateways[{i}]", network.id);
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

pub(super) fn mesh_cluster_patch(
    mesh: &MeshFacts,
    cluster: &str,
    network: &str,
    istiod_family: Option<IpFamily>,
    is_control_plane: bool,
) -> MeshClusterPatch {
    let mut params = vec![pair(&format!("{PARAM_PREFIX}network"), network)];
    if let Some(family) = istiod_family {
        // Not documented by Mspider: the keys follow its flat map of Istio values, with
        // list items indexed as in `meshNetworks.<n>.gateways[0]`.
        params.push(pair(
            &format!("{PARAM_PREFIX}ipFamilyPolicy"),
            "SingleStack",
        ));
        params.push(pair(
            &format!("{PARAM_PREFIX}ipFamilies[0]"),
            family.as_str(),
        ));
    }
    let entry = "/spec/meshedParams/0";
    let mut ops = vec![JsonPatchOp {
        op: "test",
        path: format!("{entry}/params/{}", json_pointer_token(MESH_ID_PARAM)),
        value: serde_json::Value::from(mesh.id.as_str()),
    }];
    for param in &params {
        ops.push(JsonPatchOp {
            op: "add",
            path: format!("{entry}/params/{}", json_pointer_token(&param.key)),
            value: serde_json::Value::from(param.value.as_str()),
        });
    }
    MeshClusterPatch {
        path: layout::mesh_cluster_patch(cluster),
        name: cluster.to_owned(),
        namespace: MSPIDER_NAMESPACE.to_owned(),
        mesh_name: mesh.id.clone(),
        params,
        confirm: vec![
            pair(MESH_ID_PARAM, &mesh.id),
            pair("global.clusterRole", HOSTED_WORKLOAD_CLUSTER),
            pair(
                "isHostedOwner",
                if is_control_plane {
                    "true"
                } else {
                    "false or empty"
                },
            ),
        ],
        is_hosted_owner: is_control_plane,
        ops,
    }
}

/// One JSON Pointer reference token (RFC 6901: `~` as `~0`, `/` as `~1`).
fn json_pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_pointer_tokens_are_escaped() {
        assert_eq!(json_pointer_token("a.b[0]"), "a.b[0]");
        assert_eq!(json_pointer_token("a/b~c"), "a~1b~0c");
    }
}
