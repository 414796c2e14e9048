//! Which files differ between the two trees, and the steps for the files that are only
//! read (the runbook) or that a GitOps tool applies (Argo CD and Flux objects).

use std::collections::BTreeMap;

use super::{Action, Change, Draft, Input, Phase, Side};
use crate::layout;

/// Every path whose bytes differ, with how.
pub(super) fn differences(old: &crate::Tree, new: &crate::Tree) -> BTreeMap<String, Change> {
    let mut differing = BTreeMap::new();
    for (path, bytes) in new.iter() {
        match old.get(path) {
            None => {
                differing.insert(path.to_owned(), Change::Added);
            }
            Some(before) if before != bytes => {
                differing.insert(path.to_owned(), Change::Changed);
            }
            Some(_) => {}
        }
    }
    for (path, _) in old.iter() {
        if new.get(path).is_none() {
            differing.insert(path.to_owned(), Change::Removed);
        }
    }
    differing
}

/// Whether a file says the same on both sides: the same bytes, or the same YAML documents
/// or JSON value (a file whose generated-by comment alone changed, when the mesh ID did).
pub(super) fn same(old: Option<&[u8]>, new: Option<&[u8]>) -> bool {
    match (old, new) {
        (Some(a), Some(b)) if a == b => true,
        (Some(a), Some(b)) => {
            let parse = |bytes: &[u8]| -> Option<Vec<serde_json::Value>> {
                let text = std::str::from_utf8(bytes).ok()?;
                match serde_json::from_str(text) {
                    Ok(value) => Some(vec![value]),
                    Err(_) => serde_saphyr::from_multiple(text).ok(),
                }
            };
            parse(a).is_some_and(|a| Some(a) == parse(b))
        }
        (None, None) => true,
        _ => false,
    }
}

/// The runbook and the GitOps objects.
pub(super) fn review(
    old: &Input<'_>,
    new: &Input<'_>,
    differing: &BTreeMap<String, Change>,
) -> Vec<Draft> {
    let mut drafts = Vec::new();
    if let Some(change) = differing.get(layout::README) {
        let mut draft = Draft::new(
            Phase::Review,
            Side::Tree,
            Action::Review,
            *change,
            "the runbook and planning form (README.md) changed: read it; it describes NEW's mesh"
                .into(),
        );
        draft.files.push(layout::README.to_owned());
        drafts.push(draft);
    }
    if let Some(change) = differing.get(layout::KUBECONFIG_SCRIPT) {
        let mut draft = Draft::new(
            Phase::Review,
            Side::Tree,
            Action::Review,
            *change,
            "the kubeconfig script changed: use NEW's copy for the next cluster's kubeconfig \
             (the runbook's kubeconfig step); the copies it made stay valid"
                .into(),
        );
        draft.files.push(layout::KUBECONFIG_SCRIPT.to_owned());
        drafts.push(draft);
    }
    let gitops: Vec<(&String, &Change)> = differing
        .iter()
        .filter(|(path, _)| layout::is_gitops(path))
        .collect();
    if gitops.is_empty() {
        return drafts;
    }
    let change = if gitops.iter().all(|(_, c)| **c == Change::Removed) {
        Change::Removed
    } else if gitops.iter().all(|(_, c)| **c == Change::Added) {
        Change::Added
    } else {
        Change::Changed
    };
    let mut draft = Draft::new(
        Phase::Workloads,
        Side::Tree,
        Action::Apply,
        change,
        "GitOps objects changed: commit and push the tree; Argo CD's root Application and Flux's \
         self-sync Kustomization apply them and prune the ones that are gone (both sync with prune)"
            .into(),
    );
    // Argo CD's root and Flux's self-sync are applied once by hand: again when they change.
    let gitops_of = |side: &Input<'_>| side.model.gitops.clone();
    let (old_gitops, new_gitops) = (gitops_of(old), gitops_of(new));
    if let Some(root) = new_gitops
        .as_ref()
        .and_then(|g| g.argocd.as_ref())
        .map(|a| &a.root)
        && differing.contains_key(&root.path)
    {
        draft.commands.push(format!(
            "kubectl apply -n {} -f {}",
            super::sh(&root.namespace),
            super::sh(&root.path)
        ));
    }
    let had_argo = old_gitops.as_ref().is_some_and(|g| g.argocd.is_some());
    let has_argo = new_gitops.as_ref().is_some_and(|g| g.argocd.is_some());
    let had_flux = old_gitops.as_ref().is_some_and(|g| g.flux.is_some());
    let has_flux = new_gitops.as_ref().is_some_and(|g| g.flux.is_some());
    if (has_argo && !had_argo) || (has_flux && !had_flux) {
        draft.before = Some(
            "the tree is committed and pushed, and the GitOps tool reaches every cluster \
             (README.md of meshgen: Argo CD needs the clusters' destinations, Flux the \
             kubeconfig Secrets)"
                .into(),
        );
    }
    if has_flux && !had_flux {
        draft
            .commands
            .push(format!("kubectl apply -k {}", super::sh(layout::FLUX_DIR)));
    }
    if old_gitops.is_some() && new_gitops.is_none() {
        draft.summary = "GitOps objects are no longer rendered: remove OLD's Applications and Flux \
                         objects with your GitOps tool (whether what they synced stays is its choice)"
            .into();
    }
    draft.files = gitops.iter().map(|(path, _)| (*path).clone()).collect();
    drafts.push(draft);
    drafts
}
