//! Render the upstream flavors' own files ([`crate::model::flavor::upstream`]), from
//! `templates/upstream/` and, for the Helm values, `templates/helm/`.

use crate::model::flavor::upstream::UpstreamCluster;
use crate::tree::Tree;

use super::Renderer;

/// One cluster's `istio-system` Namespace, its Helm values files, and its part of the
/// `istio` stage (the primary's istiod-lb Service and expose-istiod).
pub(super) fn render_cluster(
    out: &Renderer,
    tree: &mut Tree,
    cluster: &UpstreamCluster,
) -> Result<(), String> {
    let namespace = &cluster.namespace;
    out.yaml(tree, &namespace.path, "upstream/namespace.yaml", namespace)?;
    for release in &cluster.releases {
        out.yaml(tree, &release.values_path, "helm/values-file.yaml", release)?;
    }
    if let Some(istiod_lb) = &cluster.istiod_lb {
        out.yaml(tree, &istiod_lb.path, "upstream/istiod-lb.yaml", istiod_lb)?;
    }
    if let Some(expose) = &cluster.expose_istiod {
        out.yaml(tree, &expose.path, "upstream/expose-istiod.yaml", expose)?;
    }
    Ok(())
}
