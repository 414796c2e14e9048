//! Render the GitOps files the model decided ([`crate::model::gitops`]).

use crate::Options;
use crate::model::gitops::GitOpsModel;
use crate::tree::Tree;

/// Write `gitops/argocd/**` and `gitops/flux/**`: nothing without a gitops section, and
/// nothing with `--cluster`, since these files cover the whole mesh.
pub(crate) fn render_gitops(
    gitops: Option<&GitOpsModel>,
    options: &Options,
    out: &super::Renderer,
    tree: &mut Tree,
) -> Result<(), String> {
    let Some(gitops) = gitops else {
        return Ok(());
    };
    if options.cluster.is_some() {
        return Ok(());
    }
    if let Some(argocd) = &gitops.argocd {
        let root = &argocd.root;
        out.yaml(tree, &root.path, "gitops/argocd-root.yaml", root)?;
        for app in &argocd.apps {
            out.yaml(tree, &app.path, "gitops/argocd-application.yaml", app)?;
        }
        out.kustomization(tree, &argocd.apps_kustomization)?;
        let health = &argocd.health_patch;
        out.yaml(tree, &health.path, "gitops/argocd-cm-health.yaml", health)?;
    }
    if let Some(flux) = &gitops.flux {
        out.yaml(tree, &flux.sync.path, "gitops/flux-sync.yaml", &flux.sync)?;
        for kustomization in &flux.kustomizations {
            out.yaml(
                tree,
                &kustomization.path,
                "gitops/flux-kustomization.yaml",
                kustomization,
            )?;
        }
        out.kustomization(tree, &flux.kustomization)?;
    }
    Ok(())
}
