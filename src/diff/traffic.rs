//! The failover DestinationRules (`traffic.failover`) and `verify.sh`: the rules are
//! applied where istiod reads them (the flavor's one placement rule: the mesh's own
//! control plane, or clusters), after the demo stage made their namespace, and deleted
//! when their entry goes; `verify.sh` is only run.

use std::collections::{BTreeMap, BTreeSet};

use super::objects::{Folder, Target, folder_steps};
use super::{Action, Change, Draft, Input, Phase, Side, kubectl, sh};
use crate::layout;

/// The DestinationRule files of one side, by the cluster they are applied to (`None`:
/// the mesh's own control plane), in plan order.
fn rules(side: &Input<'_>) -> BTreeMap<Option<String>, Vec<String>> {
    let mut by_target: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
    let entries = side.model.traffic.iter().flat_map(|t| &t.failover);
    for file in entries.flat_map(|entry| &entry.files) {
        by_target
            .entry(file.cluster.clone())
            .or_default()
            .push(file.path.clone());
    }
    by_target
}

/// Apply and delete steps for the DestinationRules of every target.
pub(super) fn destination_rules(old: &Input<'_>, new: &Input<'_>) -> Vec<Draft> {
    let (was, is) = (rules(old), rules(new));
    let targets: BTreeSet<&Option<String>> = was.keys().chain(is.keys()).collect();
    let mut drafts = Vec::new();
    for key in targets {
        let folder = |files: Option<&Vec<String>>| {
            files.map(|files| Folder {
                kustomization: None,
                files: files.clone(),
            })
        };
        let (before, after) = (folder(was.get(key)), folder(is.get(key)));
        let files: Vec<String> = after
            .iter()
            .flat_map(|f| f.files.iter().map(|p| sh(p)))
            .collect();
        let target = match key {
            Some(cluster) => Target {
                what: "the failover DestinationRules".into(),
                cluster: Some(cluster.clone()),
                context: cluster.clone(),
                side: Side::Cluster,
                kubectl: kubectl(cluster),
                apply: files
                    .iter()
                    .map(|file| format!("{} apply -f {file}", kubectl(cluster)))
                    .collect::<Vec<_>>()
                    .join(" && "),
                phase: Phase::Workloads,
                // After the demo stage (rank 0), which creates their namespace.
                rank: 1,
                delete_rank: 0,
                before: None,
            },
            None => {
                let access = new
                    .model
                    .flavor
                    .control_plane_access()
                    .or_else(|| old.model.flavor.control_plane_access());
                let Some(access) = access else {
                    continue;
                };
                Target::control_plane(
                    &access,
                    "the failover DestinationRules in the mesh's control plane".into(),
                    &files,
                    Phase::Workloads,
                    0,
                    "Destination Rule",
                )
            }
        };
        drafts.extend(folder_steps(
            old,
            new,
            &target,
            before.as_ref(),
            after.as_ref(),
        ));
    }
    drafts
}

/// `verify.sh` changed: nothing to apply; NEW's copy checks the clusters once the steps ran.
pub(super) fn verify_script(old: &Input<'_>, new: &Input<'_>) -> Option<Draft> {
    let (before, after) = (old.tree.get(layout::VERIFY), new.tree.get(layout::VERIFY));
    if before == after {
        return None;
    }
    let change = match (before, after) {
        (None, _) => Change::Added,
        (_, None) => Change::Removed,
        _ => Change::Changed,
    };
    let mut draft = Draft::new(
        Phase::Review,
        Side::Tree,
        Action::Review,
        change,
        "verify.sh changed: once the steps above ran, run NEW's `./verify.sh` (read-only) to \
         check the clusters against NEW's runbook"
            .into(),
    );
    draft.files.push(layout::VERIFY.to_owned());
    Some(draft)
}
