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
        for app in &argocd.chart_apps {
            out.yaml(tree, &app.path, "gitops/argocd-chart-application.yaml", app)?;
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
        if let Some(repository) = &flux.helm_repository {
            out.yaml(
                tree,
                &repository.path,
                "gitops/flux-helmrepository.yaml",
                repository,
            )?;
        }
        for folder in &flux.chart_folders {
            for release in &folder.releases {
                out.yaml(tree, &release.path, "gitops/flux-helmrelease.yaml", release)?;
            }
            out.kustomization(tree, &folder.kustomization)?;
        }
        out.kustomization(tree, &flux.kustomization)?;
    }
    Ok(())
}
