//! Render the GitOps files the model decided ([`crate::model::gitops`]).

use minijinja::Value;
use serde::Serialize;

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
    let mut yaml = |path: &str, template: &str, context: Value| -> Result<(), String> {
        out.yaml(tree, path, template, &context)
    };
    if let Some(argocd) = &gitops.argocd {
        let root = &argocd.root;
        yaml(&root.path, "gitops/argocd-root.yaml", value(root))?;
        for app in &argocd.apps {
            yaml(&app.path, "gitops/argocd-application.yaml", value(app))?;
        }
        let kustomization = &argocd.apps_kustomization;
        yaml(
            &kustomization.path,
            "gitops/kustomization.yaml",
            value(kustomization),
        )?;
    }
    if let Some(flux) = &gitops.flux {
        yaml(&flux.sync.path, "gitops/flux-sync.yaml", value(&flux.sync))?;
        for kustomization in &flux.kustomizations {
            yaml(
                &kustomization.path,
                "gitops/flux-kustomization.yaml",
                value(kustomization),
            )?;
        }
        let kustomization = &flux.kustomization;
        yaml(
            &kustomization.path,
            "gitops/kustomization.yaml",
            value(kustomization),
        )?;
    }
    Ok(())
}

/// A context struct as a template value.
fn value<T: Serialize>(context: &T) -> Value {
    Value::from(minijinja::value::Serde(context))
}
