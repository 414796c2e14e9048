//! Render Mspider's hosted mode's own files ([`crate::model::flavor::hosted`]), from
//! `templates/hosted/`.

use crate::model::flavor::hosted::{HostedCluster, HostedMesh};
use crate::tree::Tree;

use super::Renderer;

/// The GlobalMesh merge patch.
pub(super) fn render_mesh(
    out: &Renderer,
    tree: &mut Tree,
    mesh: &HostedMesh,
) -> Result<(), String> {
    let patch = &mesh.global_mesh;
    out.yaml(tree, &patch.path, "hosted/globalmesh-patch.yaml", patch)
}

/// One cluster's `istio-system` label patch, east-west gateway IstioOperator and
/// MeshCluster JSON patch.
pub(super) fn render_cluster(
    out: &Renderer,
    tree: &mut Tree,
    cluster: &HostedCluster,
) -> Result<(), String> {
    let network_label = &cluster.network_label_patch;
    out.yaml(
        tree,
        &network_label.path,
        "patches/namespace.yaml",
        network_label,
    )?;
    if let Some(gateway) = &cluster.east_west_gateway {
        out.yaml(tree, &gateway.path, "hosted/eastwest-gateway.yaml", gateway)?;
    }
    if let Some(patch) = &cluster.node_port_patch {
        out.json(tree, &patch.path, &patch.ops)?;
    }
    let patch = &cluster.mesh_cluster_patch;
    out.json(tree, &patch.path, &patch.ops)
}
