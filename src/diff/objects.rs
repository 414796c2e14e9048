//! The objects of the stage folders (`clusters/<name>/<stage>/`), which meshgen creates:
//! what is added or changed is applied with `kubectl apply -k` of the stage; what is gone
//! is deleted object by object, because `apply` never deletes anything.

use std::collections::HashSet;

use serde_json::Value;

use super::files::same;
use super::{Action, Change, Draft, Input, Phase, Side, kubectl, sh};
use crate::layout::{self, Stage};
use crate::model::ClusterModel;

/// An object as `kubectl` names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct ObjectId {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
}

impl ObjectId {
    /// `<plural>.<group>` (core kinds: `<plural>`), the resource kubectl takes.
    fn resource(&self) -> String {
        let kind = self.kind.to_ascii_lowercase();
        // English plurals as Kubernetes' resource names use them (policy -> policies, gateway -> gateways).
        let plural = match kind.strip_suffix('y') {
            Some(stem) if !stem.ends_with(['a', 'e', 'i', 'o', 'u']) => format!("{stem}ies"),
            _ if kind.ends_with('s') => format!("{kind}es"),
            _ => format!("{kind}s"),
        };
        match self.api_version.split_once('/') {
            Some((group, _)) => format!("{plural}.{group}"),
            None => plural,
        }
    }

    /// `<kubectl> delete <resource> <name> [-n NS] --ignore-not-found`.
    pub fn delete_command(&self, kubectl: &str) -> String {
        let namespace = self
            .namespace
            .as_ref()
            .map(|ns| format!(" -n {}", sh(ns)))
            .unwrap_or_default();
        format!(
            "{kubectl} delete {} {}{namespace} --ignore-not-found",
            sh(&self.resource()),
            sh(&self.name)
        )
    }

    /// `Kind name`, for summaries.
    fn label(&self) -> String {
        format!("{} {}", self.kind, self.name)
    }
}

/// The objects of a rendered YAML file, in document order.
pub(super) fn identities(bytes: &[u8]) -> Vec<ObjectId> {
    let text = String::from_utf8_lossy(bytes);
    let documents: Vec<Value> = serde_saphyr::from_multiple(&text).unwrap_or_default();
    documents
        .iter()
        .filter_map(|doc| {
            let text = |v: &Value| v.as_str().map(str::to_owned);
            Some(ObjectId {
                api_version: text(doc.get("apiVersion")?)?,
                kind: text(doc.get("kind")?)?,
                name: text(doc.get("metadata")?.get("name")?)?,
                namespace: doc
                    .get("metadata")
                    .and_then(|m| m.get("namespace"))
                    .and_then(text),
            })
        })
        .collect()
}

/// A folder of objects on one side: its kustomization (a stage folder has one) and its
/// resource files, in apply order.
pub(super) struct Folder {
    pub kustomization: Option<String>,
    pub files: Vec<String>,
}

fn folder(cluster: Option<&ClusterModel>, stage: Stage) -> Option<Folder> {
    let folder = cluster?.stages.iter().find(|s| s.stage == stage)?;
    Some(Folder {
        kustomization: Some(folder.kustomization.path.clone()),
        files: folder
            .kustomization
            .resources
            .iter()
            .map(|resource| format!("{}/{resource}", folder.dir))
            .collect(),
    })
}

/// Where a folder's objects go and how: a cluster's stage, or the mesh's own control plane.
pub(super) struct Target {
    /// `the istio stage`, `the mesh's control plane`.
    pub what: String,
    pub cluster: Option<String>,
    pub context: String,
    pub side: Side,
    /// `kubectl ...` up to its verb.
    pub kubectl: String,
    /// The command that applies the folder's files.
    pub apply: String,
    /// Phase and rank of the apply step, rank of the delete step.
    pub phase: Phase,
    pub rank: u8,
    pub delete_rank: u8,
    pub before: Option<String>,
}

impl Target {
    /// Objects applied in the mesh's own control plane (hosted: its API server), reached
    /// through `access`; `page`: the console page that shows them.
    pub(super) fn control_plane(
        access: &crate::model::flavor::ControlPlaneAccess,
        what: String,
        files: &[String],
        phase: Phase,
        delete_rank: u8,
        page: &str,
    ) -> Target {
        Target {
            what,
            cluster: None,
            context: access.context.clone(),
            side: Side::ControlPlane,
            apply: files
                .iter()
                .map(|file| format!("{} apply -f - < {file}", access.kubectl))
                .collect::<Vec<_>>()
                .join(" && "),
            kubectl: access.kubectl.clone(),
            phase,
            rank: 1,
            delete_rank,
            before: Some(access.before(page)),
        }
    }
}

/// Apply and delete steps for every stage folder of every cluster, and for the Istio
/// config that lives in the mesh's own control plane.
pub(super) fn stages(old: &Input<'_>, new: &Input<'_>) -> Vec<Draft> {
    let mut drafts = Vec::new();
    let names = super::cluster::names(old.model, new.model);
    for name in names {
        let (before, after) = (old.model.cluster(&name), new.model.cluster(&name));
        let first = drafts.len();
        for stage in Stage::ALL {
            let (was, is) = (folder(before, stage), folder(after, stage));
            let dir = layout::stage_dir(&name, stage);
            let (phase, rank) = match stage {
                Stage::Metallb => (Phase::Pools, 0),
                // After the Services that get their addresses through a patch (rank 0).
                Stage::Istio => (Phase::Gateways, 1),
                Stage::Demo => (Phase::Workloads, 0),
            };
            let target = Target {
                what: format!("the {} stage", stage.name()),
                cluster: Some(name.clone()),
                context: name.clone(),
                side: Side::Cluster,
                kubectl: kubectl(&name),
                apply: format!("{} apply -k {}", kubectl(&name), sh(&dir)),
                phase,
                rank,
                // The demo first, then the gateways, then the pools that served them.
                delete_rank: match stage {
                    Stage::Demo => 0,
                    Stage::Istio => 1,
                    Stage::Metallb => 2,
                },
                before: None,
            };
            drafts.extend(folder_steps(old, new, &target, was.as_ref(), is.as_ref()));
        }
        // The cluster's kustomization lists its stages: it changes with the stages that come or go.
        let kustomization = layout::cluster_kustomization(&name);
        let differs = !same(old.tree.get(&kustomization), new.tree.get(&kustomization));
        if differs && let Some(draft) = drafts.get_mut(first) {
            draft.files.push(kustomization);
        }
    }
    drafts.extend(control_plane(old, new));
    drafts
}

/// The Istio config of the mesh's own control plane (hosted: in its API server), reached
/// as the flavor says ([`crate::model::flavor::MeshFlavor::control_plane_access`]).
fn control_plane(old: &Input<'_>, new: &Input<'_>) -> Vec<Draft> {
    let config = |side: &Input<'_>| {
        side.model
            .control_plane_config
            .as_ref()
            .map(|config| Folder {
                kustomization: None,
                files: config.files().into_iter().map(str::to_owned).collect(),
            })
    };
    let (was, is) = (config(old), config(new));
    if was.is_none() && is.is_none() {
        return Vec::new();
    }
    let access = new
        .model
        .flavor
        .control_plane_access()
        .or_else(|| old.model.flavor.control_plane_access());
    let Some(access) = access else {
        return Vec::new();
    };
    let files: Vec<String> = is
        .iter()
        .flat_map(|f| f.files.iter().map(|p| sh(p)))
        .collect();
    let target = Target::control_plane(
        &access,
        "the mesh's control plane".into(),
        &files,
        Phase::Gateways,
        1,
        "Gateway",
    );
    folder_steps(old, new, &target, was.as_ref(), is.as_ref())
}

/// The apply step of what a folder adds or changes, and the delete step of what is gone.
pub(super) fn folder_steps(
    old: &Input<'_>,
    new: &Input<'_>,
    target: &Target,
    was: Option<&Folder>,
    is: Option<&Folder>,
) -> Vec<Draft> {
    let mut drafts = Vec::new();
    let objects = |side: &Input<'_>, folder: Option<&Folder>| -> Vec<(ObjectId, String)> {
        let files = folder.map_or(&[][..], |f| f.files.as_slice());
        files
            .iter()
            .flat_map(|path| {
                let bytes = side.tree.get(path).unwrap_or_default();
                identities(bytes).into_iter().map(|id| (id, path.clone()))
            })
            .collect()
    };
    let (old_objects, new_objects) = (objects(old, was), objects(new, is));
    let old_ids: HashSet<&ObjectId> = old_objects.iter().map(|(id, _)| id).collect();
    let new_ids: HashSet<&ObjectId> = new_objects.iter().map(|(id, _)| id).collect();
    let draft = |phase, action, change, summary| {
        let mut draft = Draft::new(phase, target.side, action, change, summary)
            .at(target.cluster.as_deref(), Some(&target.context));
        draft.before = target.before.clone();
        draft
    };

    if let Some(is) = is {
        let mut files = Vec::new();
        let (mut added, mut changed) = (Vec::new(), Vec::new());
        for (id, path) in &new_objects {
            if same(old.tree.get(path), new.tree.get(path)) {
                continue;
            }
            if !files.contains(path) {
                files.push(path.clone());
            }
            if old_ids.contains(id) {
                changed.push(id.label());
            } else {
                added.push(id.label());
            }
        }
        if let Some(kustomization) = &is.kustomization
            && !same(old.tree.get(kustomization), new.tree.get(kustomization))
        {
            files.push(kustomization.clone());
        }
        if !files.is_empty() {
            let change = if was.is_none() {
                Change::Added
            } else {
                Change::Changed
            };
            let mut parts = Vec::new();
            if !added.is_empty() {
                parts.push(format!("add {}", added.join(", ")));
            }
            if !changed.is_empty() {
                parts.push(format!("change {}", changed.join(", ")));
            }
            if parts.is_empty() {
                parts.push("its file list changed".into());
            }
            let summary = format!("apply {}: {}", target.what, parts.join("; "));
            let mut draft = draft(target.phase, Action::Apply, change, summary);
            draft.rank = target.rank;
            draft.commands.push(target.apply.clone());
            draft.files = files;
            drafts.push(draft);
        }
    }

    let gone: Vec<&(ObjectId, String)> = old_objects
        .iter()
        .filter(|(id, _)| !new_ids.contains(id))
        .collect();
    let mut files: Vec<String> = Vec::new();
    if let Some(was) = was {
        for path in was.files.iter().chain(&was.kustomization) {
            if new.tree.get(path).is_none() && !files.contains(path) {
                files.push(path.clone());
            }
        }
    }
    if !gone.is_empty() || !files.is_empty() {
        let labels: Vec<String> = gone.iter().map(|(id, _)| id.label()).collect();
        let summary = if labels.is_empty() {
            format!("{}: its files moved; nothing to delete", target.what)
        } else {
            format!("delete from {}: {}", target.what, labels.join(", "))
        };
        let change = if is.is_none() {
            Change::Removed
        } else {
            Change::Changed
        };
        let mut draft = draft(Phase::DeleteObjects, Action::Delete, change, summary);
        draft.rank = target.delete_rank;
        // In reverse apply order: a namespace after what is in it.
        draft.commands = gone
            .iter()
            .rev()
            .map(|(id, _)| id.delete_command(&target.kubectl))
            .collect();
        draft.files = files;
        drafts.push(draft);
    }
    drafts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_plural_and_grouped() {
        let id = |api: &str, kind: &str| ObjectId {
            api_version: api.into(),
            kind: kind.into(),
            name: "n".into(),
            namespace: None,
        };
        assert_eq!(
            id("metallb.io/v1beta1", "IPAddressPool").resource(),
            "ipaddresspools.metallb.io"
        );
        assert_eq!(id("v1", "Namespace").resource(), "namespaces");
        assert_eq!(
            id("networking.istio.io/v1", "Gateway").resource(),
            "gateways.networking.istio.io"
        );
        assert_eq!(
            id("networking.k8s.io/v1", "NetworkPolicy").resource(),
            "networkpolicies.networking.k8s.io"
        );
        assert_eq!(
            id("networking.k8s.io/v1", "Ingress").resource(),
            "ingresses.networking.k8s.io"
        );
        assert_eq!(id("apps/v1", "Deployment").resource(), "deployments.apps");
        assert_eq!(
            id("source.toolkit.fluxcd.io/v1", "GitRepository").resource(),
            "gitrepositories.source.toolkit.fluxcd.io"
        );
        assert_eq!(
            id("install.istio.io/v1alpha1", "IstioOperator").resource(),
            "istiooperators.install.istio.io"
        );
    }

    #[test]
    fn identities_read_every_document() {
        let yaml = b"# c\napiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  namespace: s\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: s\n";
        let ids = identities(yaml);
        assert_eq!(ids.len(), 2);
        assert_eq!(
            ids[0].delete_command(&kubectl("c1")),
            "kubectl --context c1 delete services a -n s --ignore-not-found"
        );
        assert_eq!(ids[1].namespace, None);
    }
}
