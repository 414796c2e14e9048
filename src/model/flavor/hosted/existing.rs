//! The existing objects a hosted mesh's files patch (for `meshgen diff`,
//! [`crate::model::existing`]): the GlobalMesh, and per cluster the `istio-system` label
//! and the MeshCluster. Moved here from `hosted.rs` unchanged.

use super::{HostedCluster, HostedMesh};
use crate::model::existing::{Patch, PatchFormat, Purpose};

/// Mspider's resources on the global service cluster (`discovery.mspider.io`).
const GLOBAL_MESH_RESOURCE: &str = "globalmeshes.discovery.mspider.io";
const MESH_CLUSTER_RESOURCE: &str = "meshclusters.discovery.mspider.io";

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
    }
}
