//! Whole clusters (created, decommissioned, bootstrap files that changed), their node
//! labels on kind, Helm releases, remote secrets, restarts after an identity change, and
//! the check that a moved LoadBalancer address answers before anything points at it.

use super::{Action, Change, Draft, Input, Phase, Side, kubectl, sh};
use crate::model::gateways::INGRESS_SERVICE;
use crate::model::mesh::LABEL_NETWORK;
use crate::model::{ClusterModel, ISTIO_NAMESPACE, Model};

/// Every cluster name: NEW's in plan order, then those only OLD has.
pub(super) fn names(old: &Model, new: &Model) -> Vec<String> {
    let mut names: Vec<String> = new.clusters.iter().map(|c| c.name.clone()).collect();
    for cluster in &old.clusters {
        if new.cluster(&cluster.name).is_none() {
            names.push(cluster.name.clone());
        }
    }
    names
}

fn bootstrap_files(side: &Input<'_>, cluster: &ClusterModel) -> Vec<String> {
    [&cluster.kind_config.path, &cluster.kubeadm_config.path]
        .into_iter()
        .filter(|path| side.tree.get(path).is_some())
        .cloned()
        .collect()
}

/// Clusters created and decommissioned, bootstrap files of kept clusters, and node
/// labels of kind clusters (kind sets them from its config, which has no patch file).
pub(super) fn clusters(old: &Input<'_>, new: &Input<'_>) -> Vec<Draft> {
    let mut drafts = Vec::new();
    for name in names(old.model, new.model) {
        match (old.model.cluster(&name), new.model.cluster(&name)) {
            (None, Some(cluster)) => {
                let mut draft = Draft::new(
                    Phase::CreateClusters,
                    Side::Cluster,
                    Action::CreateCluster,
                    Change::Added,
                    format!("create {name} (README.md, step 1)"),
                )
                .at(Some(&name), None);
                draft.commands.push(if cluster.is_kind {
                    format!(
                        "kind create cluster --config {}",
                        sh(&cluster.kind_config.path)
                    )
                } else {
                    // On the control-plane node, with the tree's file copied there.
                    format!("kubeadm init --config {}", sh(&cluster.kubeadm_config.path))
                });
                draft.files = bootstrap_files(new, cluster);
                drafts.push(draft);
            }
            (Some(cluster), None) => {
                let mut draft = Draft::new(
                    Phase::DeleteClusters,
                    Side::Cluster,
                    Action::DeleteCluster,
                    Change::Removed,
                    format!(
                        "{name} has left the mesh (the steps above): decommission it, or keep it \
                         as a cluster outside the mesh"
                    ),
                )
                .at(Some(&name), None);
                draft.commands.push(if cluster.is_kind {
                    format!(
                        "kind delete cluster --name {}",
                        sh(&cluster.kind_config.name)
                    )
                } else {
                    "kubeadm reset -f   # on every node of the cluster".to_owned()
                });
                draft.files = bootstrap_files(old, cluster);
                drafts.push(draft);
            }
            (Some(before), Some(after)) => drafts.extend(kept(old, new, before, after)),
            (None, None) => {}
        }
    }
    drafts
}

fn kept(
    old: &Input<'_>,
    new: &Input<'_>,
    before: &ClusterModel,
    after: &ClusterModel,
) -> Vec<Draft> {
    let mut drafts = Vec::new();
    let name = &after.name;
    let files: Vec<String> = [&after.kind_config.path, &after.kubeadm_config.path]
        .into_iter()
        .filter(|path| !super::files::same(old.tree.get(path), new.tree.get(path)))
        .cloned()
        .collect();
    if files.is_empty() {
        return drafts;
    }
    if after.is_kind && before.is_kind {
        // kind writes node labels only when it creates the nodes: label the running ones.
        for (was, is) in before.nodes.iter().zip(&after.nodes) {
            let mut words: Vec<String> = Vec::new();
            for label in is.labels.iter() {
                if !was.labels.contains(label) {
                    words.push(sh(&format!("{}={}", label.key, label.value)));
                }
            }
            for label in was.labels.iter() {
                if !is.labels.iter().any(|l| l.key == label.key) {
                    words.push(sh(&format!("{}-", label.key)));
                }
            }
            if words.is_empty() || was.node_name != is.node_name {
                continue;
            }
            let mut draft = Draft::new(
                Phase::Topology,
                Side::Cluster,
                Action::Label,
                Change::Changed,
                format!(
                    "labels of kind node {} (plan node {})",
                    is.node_name, is.name
                ),
            )
            .at(Some(name), Some(name));
            draft.commands.push(format!(
                "{} label node {} {} --overwrite",
                kubectl(name),
                sh(&is.node_name),
                words.join(" ")
            ));
            draft.files = files.clone();
            drafts.push(draft);
        }
    }
    let summary = if bootstrap_changes(before, after).is_empty() {
        format!(
            "{name}'s bootstrap files changed: nothing to run, kind and kubeadm read them only \
             when they create a cluster (the steps above change the running one)"
        )
    } else {
        format!(
            "{name}'s bootstrap files changed: kind and kubeadm read them only when they create \
             the cluster, so the running cluster keeps its settings (see the impact notes)"
        )
    };
    let mut draft = Draft::new(
        Phase::Review,
        Side::Cluster,
        Action::Review,
        Change::Changed,
        summary,
    )
    .at(Some(name), None);
    draft.files = files;
    drafts.push(draft);
    drafts
}

/// What changed of what a cluster gets only when it is created (kind and kubeadm read
/// their configs then), each as `what old -> new`.
pub(super) fn bootstrap_changes(before: &ClusterModel, after: &ClusterModel) -> Vec<String> {
    let mut changed: Vec<String> = [
        ("pod subnet", &before.pod_subnet, &after.pod_subnet),
        ("master IP", &before.master_ip, &after.master_ip),
        (
            "Kubernetes release",
            &before.kubernetes_release,
            &after.kubernetes_release,
        ),
        (
            "DNS domain",
            &before.kubeadm_config.dns_domain,
            &after.kubeadm_config.dns_domain,
        ),
    ]
    .iter()
    .filter(|(_, a, b)| a != b)
    .map(|(what, a, b)| format!("{what} {a} → {b}"))
    .collect();
    if before.service_subnet != after.service_subnet {
        changed.push("service subnet".into());
    }
    if before.cluster_type != after.cluster_type {
        changed.push("cluster type".into());
    }
    if after.is_kind && before.nodes.len() != after.nodes.len() {
        changed.push("kind nodes added or removed".into());
    }
    changed
}

/// Restarts of injected workloads in kept clusters whose network or mesh ID changed: the
/// injector writes both into each pod when it is created (istio/istio
/// `pkg/kube/inject/inject.go` `extractClusterAndNetwork`, `webhook.go` `applyMetadata`;
/// `ISTIO_META_MESH_ID` in `manifests/charts/istio-control/istio-discovery/files/injection-template.yaml`).
pub(super) fn restarts(old: &Input<'_>, new: &Input<'_>) -> Vec<Draft> {
    let mesh_changed = old.model.mesh.id != new.model.mesh.id;
    let mut drafts = Vec::new();
    for after in &new.model.clusters {
        let Some(before) = old.model.cluster(&after.name) else {
            continue;
        };
        let network_changed = before.network != after.network;
        if !network_changed && !mesh_changed {
            continue;
        }
        let name = &after.name;
        let why = match (network_changed, mesh_changed) {
            (true, true) => format!("network {} and mesh ID", after.network),
            (true, false) => format!("network {}", after.network),
            _ => format!("mesh ID {}", new.model.mesh.id),
        };
        let mut draft = Draft::new(
            Phase::Restart,
            Side::Cluster,
            Action::Restart,
            Change::Changed,
            format!(
                "restart {name}'s injected workloads so their proxies take the {why} \
                 (the east-west gateway restarts with its new manifest)"
            ),
        )
        .at(Some(name), Some(name));
        if let Some(demo) = &after.demo {
            draft.commands.push(format!(
                "{} rollout restart deployment -n {}",
                kubectl(name),
                sh(&demo.namespace.name)
            ));
        }
        if after.ingress_service.is_some() {
            draft.commands.push(format!(
                "{} rollout restart deployment {INGRESS_SERVICE} -n {ISTIO_NAMESPACE}",
                kubectl(name)
            ));
        }
        if network_changed {
            // Pods injected before carry the old network label: list any left.
            draft.commands.push(format!(
                "{} get pods -A -l {}   # expect none: restart what is listed",
                kubectl(name),
                sh(&format!("{LABEL_NETWORK}={}", before.network))
            ));
        } else {
            // Every injected pod is labelled security.istio.io/tlsMode (injection-template.yaml).
            draft.commands.push(format!(
                "{} get pods -A -l security.istio.io/tlsMode   # every injected pod: restart what \
                 was created before the change",
                kubectl(name)
            ));
        }
        drafts.push(draft);
    }
    drafts
}

/// An istiod whose address no file of the tree sets (hosted: Mspider's console writes its
/// Service's annotations) gets a step that says where to change it, before its check.
pub(super) fn pilot_addresses(old: &Input<'_>, new: &Input<'_>) -> Vec<Draft> {
    let before = old.model.flavor.pilot_endpoints();
    let mut drafts = Vec::new();
    for endpoint in new.model.flavor.pilot_endpoints() {
        let Some(set_by) = &endpoint.set_by else {
            continue;
        };
        let was = before.iter().find(|b| b.title == endpoint.title);
        if was.is_some_and(|w| w.set_by == endpoint.set_by && w.cluster == endpoint.cluster) {
            continue;
        }
        let mut draft = Draft::new(
            Phase::Gateways,
            Side::Cluster,
            Action::Manual,
            if was.is_some() {
                Change::Changed
            } else {
                Change::Added
            },
            format!(
                "give the {} {} its address {}: in {set_by}",
                endpoint.title, endpoint.service, endpoint.address
            ),
        )
        .at(Some(&endpoint.cluster), None);
        draft.rank = 1;
        drafts.push(draft);
    }
    drafts
}

/// For each LoadBalancer Service whose address is new or moved: check the Service shows
/// it before the params that point at it change (the Routing phase comes next).
pub(super) fn verify_addresses(old: &Input<'_>, new: &Input<'_>) -> Vec<Draft> {
    let mut drafts = Vec::new();
    for after in &new.model.clusters {
        let before = old.model.cluster(&after.name);
        for service in &after.lb_services {
            let was = before.and_then(|b| {
                b.lb_services
                    .iter()
                    .find(|s| s.name == service.name && s.namespace == service.namespace)
            });
            let moved = match was {
                Some(was) => was.address.annotation != service.address.annotation,
                None => true,
            };
            if !moved {
                continue;
            }
            let name = &after.name;
            let from = was.map_or(String::new(), |w| {
                format!(" (was {})", w.address.annotation)
            });
            let mut draft = Draft::new(
                Phase::Gateways,
                Side::Cluster,
                Action::Verify,
                if was.is_some() {
                    Change::Changed
                } else {
                    Change::Added
                },
                format!(
                    "check that {} {} answers at {}{from} before anything points at it",
                    service.role, service.name, service.address.annotation
                ),
            )
            .at(Some(name), Some(name));
            draft.rank = 2;
            draft.commands.push(format!(
                "{} get service {} -n {} -o jsonpath='{{.status.loadBalancer.ingress[*].ip}}'   # expect {}",
                kubectl(name),
                sh(&service.name),
                sh(&service.namespace),
                service.address.addresses.join(" ")
            ));
            drafts.push(draft);
        }
    }
    drafts
}
