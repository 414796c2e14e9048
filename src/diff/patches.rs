//! Patches of objects that exist already ([`crate::model::existing`]): node labels, the
//! mesh namespace's network label, Service addresses, the control plane's params.
//!
//! Applying NEW's patch file sets what NEW sets, but a merge patch only adds: what OLD
//! set and NEW does not must be removed by a command of its own. So each object's two
//! patches are compared field by field; removals become `kubectl label ... key-` /
//! `kubectl annotate ... key-` (labels, annotations), a merge patch with `null` (RFC 7386:
//! `null` deletes the member) or JSON patch `remove` ops (RFC 6902), one field at a time,
//! never a whole map (other fields of it belong to someone else).

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};

use super::fields::{Fields, insert_null, paths, scalar, shown};

use super::{Action, Change, Draft, Input, Phase, Side, kubectl, sh};
use crate::model::Model;
use crate::model::existing::{Patch, PatchFormat, Purpose};

/// Every patched object of a model, with the cluster it is about (`None`: the mesh).
fn targets(model: &Model) -> Vec<(Option<String>, Patch)> {
    let clusters = model.clusters.iter().flat_map(|c| {
        c.patches(&model.flavor)
            .into_iter()
            .map(|p| (Some(c.name.clone()), p))
    });
    clusters
        .chain(model.flavor.patches().into_iter().map(|p| (None, p)))
        .collect()
}

type Key = (String, String, Option<String>, String);

fn key(patch: &Patch) -> Key {
    (
        patch.context.clone(),
        patch.resource.clone(),
        patch.namespace.clone(),
        patch.name.clone(),
    )
}

/// The steps for every patched object whose patch differs.
pub(super) fn patches(old: &Input<'_>, new: &Input<'_>) -> Vec<Draft> {
    let (before, after) = (targets(old.model), targets(new.model));
    // Indexed: a fleet has tens of thousands of patched objects.
    let index = |list: &[(Option<String>, Patch)]| -> HashMap<Key, usize> {
        list.iter()
            .enumerate()
            .map(|(i, (_, p))| (key(p), i))
            .collect()
    };
    let (old_index, new_index) = (index(&before), index(&after));
    let mut keys: Vec<(Key, Option<String>)> = Vec::new();
    let mut seen: HashSet<Key> = HashSet::new();
    for (cluster, patch) in after.iter().chain(&before) {
        let key = key(patch);
        if seen.insert(key.clone()) {
            keys.push((key, cluster.clone()));
        }
    }
    let find = |list: &[(Option<String>, Patch)], index: &HashMap<Key, usize>, k: &Key| {
        index.get(k).map(|&i| list[i].1.clone())
    };
    let mut drafts = Vec::new();
    for (k, cluster) in keys {
        let (was, is) = (find(&before, &old_index, &k), find(&after, &new_index, &k));
        let old_bytes = was.as_ref().and_then(|p| old.tree.get(&p.path));
        let new_bytes = is.as_ref().and_then(|p| new.tree.get(&p.path));
        if super::files::same(old_bytes, new_bytes) {
            continue;
        }
        let Some(patch) = is.as_ref().or(was.as_ref()) else {
            continue;
        };
        let mut files: Vec<String> = Vec::new();
        for p in [&was, &is].into_iter().flatten() {
            if !files.contains(&p.path) {
                files.push(p.path.clone());
            }
        }
        let object = Object {
            patch,
            cluster: cluster.as_deref(),
            files,
        };
        let fields = |bytes: Option<&[u8]>| bytes.map(|b| Fields::parse(patch.format, b));
        let steps = object.steps(fields(old_bytes), fields(new_bytes));
        if steps.is_empty() {
            // Only the patch's guard (its JSON patch `test` ops) changed: the object's
            // fields stay as they are, and the impact notes say what the guarded value means.
            let mut draft = Draft::new(
                Phase::Review,
                Side::Tree,
                Action::Review,
                Change::Changed,
                format!(
                    "{} {}: only the patch's test of the existing object changed; nothing to run on it",
                    patch.kind, patch.name
                ),
            );
            draft.files = object.files;
            drafts.push(draft);
        } else {
            drafts.extend(steps);
        }
    }
    drafts
}

/// One patched object and the files its steps account for.
struct Object<'a> {
    patch: &'a Patch,
    cluster: Option<&'a str>,
    files: Vec<String>,
}

impl Object<'_> {
    fn steps(&self, was: Option<Fields>, is: Option<Fields>) -> Vec<Draft> {
        let patch = self.patch;
        let (change, sets, removes) = match (&was, &is) {
            (None, Some(is)) => (Change::Added, is.set.clone(), Vec::new()),
            (Some(was), None) => (Change::Removed, Vec::new(), paths(&was.set)),
            // A patch whose `test` ops changed (the entry it may change is another one now) is
            // applied whole: every field it sets goes to the entry it now tests.
            (Some(was), Some(is)) if was.tests != is.tests => {
                (Change::Changed, is.set.clone(), Vec::new())
            }
            (Some(was), Some(is)) => (
                Change::Changed,
                is.set
                    .iter()
                    .filter(|field| !was.set.contains(field))
                    .cloned()
                    .collect(),
                paths(&was.set)
                    .into_iter()
                    .filter(|p| !is.set.iter().any(|(q, _)| q == p))
                    .collect(),
            ),
            (None, None) => return Vec::new(),
        };
        let tests = is
            .as_ref()
            .or(was.as_ref())
            .map_or(Vec::new(), |f| f.tests.clone());
        let retested = matches!((&was, &is), (Some(w), Some(i)) if w.tests != i.tests);
        let gone = change == Change::Removed;
        let phase = match (patch.purpose, gone) {
            (Purpose::Topology, false) => Phase::Topology,
            (Purpose::Membership, false) => Phase::Membership,
            (Purpose::Network, false) => Phase::NetworkLabel,
            (Purpose::Address, false) => Phase::Gateways,
            (Purpose::Routing, _) => Phase::Routing,
            (Purpose::Membership, true) => Phase::LeaveMesh,
            (_, true) => Phase::RemoveFields,
        };
        // Routing removals wait until what replaces them serves (and until nothing is sent to
        // what they pointed at); elsewhere a change's removals go with its additions.
        let split = patch.purpose == Purpose::Routing;
        let mut drafts = Vec::new();
        if !sets.is_empty() || (!split && !removes.is_empty()) {
            let removes_here = if split { &[][..] } else { &removes[..] };
            let mut draft = self.draft(phase, change, &sets, removes_here);
            if retested {
                draft
                    .summary
                    .push_str(" (its `test` ops changed: applied whole)");
            }
            draft.commands = self.commands(change, &sets, removes_here, &tests);
            // What the patch tests must exist first: a new object, or the one it tests now.
            if change == Change::Added || retested {
                draft.before = patch.precondition.clone();
            }
            drafts.push(draft);
        }
        if split && !removes.is_empty() {
            let change = if gone {
                Change::Removed
            } else {
                Change::Changed
            };
            let mut draft = self.draft(Phase::Unroute, change, &[], &removes);
            draft.commands = self.commands(change, &[], &removes, &tests);
            drafts.push(draft);
        }
        drafts
    }

    fn draft(
        &self,
        phase: Phase,
        change: Change,
        sets: &[(Vec<String>, Value)],
        removes: &[Vec<String>],
    ) -> Draft {
        let patch = self.patch;
        let mut parts = Vec::new();
        // A field set to `null` is one the patch removes (RFC 7386).
        let set: Vec<String> = sets
            .iter()
            .filter(|(_, value)| !value.is_null())
            .map(|(path, value)| format!("{}={}", shown(path), scalar(value)))
            .collect();
        let removed: Vec<String> = sets
            .iter()
            .filter(|(_, value)| value.is_null())
            .map(|(path, _)| shown(path))
            .chain(removes.iter().map(|path| shown(path)))
            .collect();
        if !set.is_empty() {
            parts.push(format!("set {}", set.join(", ")));
        }
        if !removed.is_empty() {
            parts.push(format!("remove {}", removed.join(", ")));
        }
        let side = if patch.global {
            Side::Global
        } else {
            Side::Cluster
        };
        let action = match self.fields_in(sets, removes) {
            Some("labels") => Action::Label,
            Some("annotations") => Action::Annotate,
            _ => Action::Patch,
        };
        let summary = format!("{} {}: {}", patch.kind, patch.name, parts.join("; "));
        let mut draft =
            Draft::new(phase, side, action, change, summary).at(self.cluster, Some(&patch.context));
        draft.files = self.files.clone();
        draft
    }

    /// `labels` / `annotations` when every field touched is one (merge patches only).
    fn fields_in(
        &self,
        sets: &[(Vec<String>, Value)],
        removes: &[Vec<String>],
    ) -> Option<&'static str> {
        if self.patch.format != PatchFormat::Merge {
            return None;
        }
        let mut paths = sets.iter().map(|(p, _)| p).chain(removes);
        let first = paths.next()?;
        let kind = match first.as_slice() {
            [metadata, kind, _] if metadata == "metadata" && kind == "labels" => "labels",
            [metadata, kind, _] if metadata == "metadata" && kind == "annotations" => "annotations",
            _ => return None,
        };
        let same = |p: &Vec<String>| p.len() == 3 && p[0] == "metadata" && p[1] == kind;
        paths.all(same).then_some(kind)
    }

    fn commands(
        &self,
        change: Change,
        sets: &[(Vec<String>, Value)],
        removes: &[Vec<String>],
        tests: &[Value],
    ) -> Vec<String> {
        let patch = self.patch;
        let target = {
            let namespace = patch
                .namespace
                .as_ref()
                .map(|ns| format!(" -n {}", sh(ns)))
                .unwrap_or_default();
            format!("{} {}{namespace}", sh(&patch.resource), sh(&patch.name))
        };
        let ctl = kubectl(&patch.context);
        let kind = match patch.format {
            PatchFormat::Merge => "merge",
            PatchFormat::Json => "json",
        };
        let with_file = || {
            format!(
                "{ctl} patch {target} --type {kind} --patch-file {}",
                sh(&patch.path)
            )
        };
        // A patch met for the first time is applied as the runbook applies it.
        if change == Change::Added {
            return vec![with_file()];
        }
        if let Some(verb) = self.fields_in(sets, removes) {
            let verb = if verb == "labels" {
                "label"
            } else {
                "annotate"
            };
            let mut words: Vec<String> = sets
                .iter()
                .map(|(path, value)| match value {
                    Value::Null => sh(&format!("{}-", path[2])),
                    value => sh(&format!("{}={}", path[2], scalar(value))),
                })
                .collect();
            words.extend(removes.iter().map(|path| sh(&format!("{}-", path[2]))));
            let overwrite = if sets.iter().all(|(_, v)| v.is_null()) {
                ""
            } else {
                " --overwrite"
            };
            return vec![format!(
                "{ctl} {verb} {target} {}{overwrite}",
                words.join(" ")
            )];
        }
        let mut commands = Vec::new();
        if !sets.is_empty() {
            commands.push(with_file());
        }
        if !removes.is_empty() {
            let body = match patch.format {
                PatchFormat::Merge => {
                    let mut root = Value::Object(Map::new());
                    for path in removes {
                        insert_null(&mut root, path);
                    }
                    root
                }
                PatchFormat::Json => {
                    let mut ops = tests.to_vec();
                    ops.extend(
                        removes
                            .iter()
                            .map(|path| json!({"op": "remove", "path": path[0]})),
                    );
                    Value::Array(ops)
                }
            };
            commands.push(format!(
                "{ctl} patch {target} --type {kind} -p {}",
                sh(&body.to_string())
            ));
        }
        commands
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(format: PatchFormat, purpose: Purpose) -> Patch {
        Patch {
            path: "global/x".into(),
            context: "global".into(),
            global: true,
            kind: "GlobalMesh".into(),
            resource: "globalmeshes.discovery.mspider.io".into(),
            name: "m".into(),
            namespace: Some("mspider-system".into()),
            format,
            purpose,
            precondition: None,
        }
    }

    #[test]
    fn a_merge_patch_sets_from_its_file_and_removes_with_null_later() {
        let old = b"# c\nkind: GlobalMesh\nmetadata:\n  name: m\nspec:\n  params:\n    a: '1'\n    b: '2'\n";
        let new = b"# c\nkind: GlobalMesh\nmetadata:\n  name: m\nspec:\n  params:\n    a: '3'\n";
        let patch = patch(PatchFormat::Merge, Purpose::Routing);
        let object = Object {
            patch: &patch,
            cluster: None,
            files: vec!["global/x".into()],
        };
        let steps = object.steps(
            Some(Fields::parse(PatchFormat::Merge, old)),
            Some(Fields::parse(PatchFormat::Merge, new)),
        );
        assert_eq!(steps.len(), 2, "{steps:?}");
        assert_eq!(
            (steps[0].phase, steps[1].phase),
            (Phase::Routing, Phase::Unroute)
        );
        assert_eq!(
            steps[0].commands,
            [
                "kubectl --context global patch globalmeshes.discovery.mspider.io m -n mspider-system --type merge --patch-file global/x"
            ]
        );
        assert_eq!(
            steps[1].commands,
            [
                r#"kubectl --context global patch globalmeshes.discovery.mspider.io m -n mspider-system --type merge -p '{"spec":{"params":{"b":null}}}'"#
            ]
        );
    }

    #[test]
    fn a_json_patch_removes_after_its_test_ops() {
        let old = br#"[{"op": "test", "path": "/t", "value": "m"}, {"op": "add", "path": "/p/a", "value": "1"}, {"op": "add", "path": "/p/b~1c", "value": "2"}]"#;
        let new = br#"[{"op": "test", "path": "/t", "value": "m"}, {"op": "add", "path": "/p/a", "value": "1"}]"#;
        let patch = patch(PatchFormat::Json, Purpose::Membership);
        let object = Object {
            patch: &patch,
            cluster: Some("c"),
            files: vec!["global/x".into()],
        };
        let steps = object.steps(
            Some(Fields::parse(PatchFormat::Json, old)),
            Some(Fields::parse(PatchFormat::Json, new)),
        );
        assert_eq!(steps.len(), 1, "{steps:?}");
        assert_eq!(steps[0].summary, "GlobalMesh m: remove b/c");
        assert_eq!(
            steps[0].commands,
            [
                r#"kubectl --context global patch globalmeshes.discovery.mspider.io m -n mspider-system --type json -p '[{"op":"test","path":"/t","value":"m"},{"op":"remove","path":"/p/b~1c"}]'"#
            ]
        );
        // Gone altogether: every field it set, removed.
        let steps = object.steps(Some(Fields::parse(PatchFormat::Json, old)), None);
        assert_eq!(steps[0].phase, Phase::LeaveMesh);
        assert!(steps[0].commands[0].contains(r#"{"op":"remove","path":"/p/a"}"#));
    }

    #[test]
    fn labels_change_with_kubectl_label() {
        let old = b"kind: Node\nmetadata:\n  name: n\n  labels:\n    a: x\n    b: y\n";
        let new = b"kind: Node\nmetadata:\n  name: n\n  labels:\n    a: z\n";
        let mut patch = patch(PatchFormat::Merge, Purpose::Topology);
        (patch.resource, patch.name, patch.namespace, patch.context) =
            ("node".into(), "n".into(), None, "c".into());
        let object = Object {
            patch: &patch,
            cluster: Some("c"),
            files: vec![],
        };
        let steps = object.steps(
            Some(Fields::parse(PatchFormat::Merge, old)),
            Some(Fields::parse(PatchFormat::Merge, new)),
        );
        assert_eq!(
            steps[0].commands,
            ["kubectl --context c label node n a=z b- --overwrite"]
        );
        assert_eq!(steps[0].action, Action::Label);
    }
}
