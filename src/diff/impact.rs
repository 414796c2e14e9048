//! What a change does to the running mesh, from the mesh's rules. Each note names the
//! upstream code or document the rule comes from.

use super::{Impact, ImpactKind, Input, Severity};
use crate::model::{ClusterModel, Model};
use crate::net::{self, AddrRange};

const INJECTION: &str = "istio/istio pkg/kube/inject/inject.go (extractClusterAndNetwork) and \
                         pkg/kube/inject/webhook.go (applyMetadata)";
const INJECTION_TEMPLATE: &str =
    "istio/istio manifests/charts/istio-control/istio-discovery/files/injection-template.yaml";
const MESH_NETWORKS: &str = "istio/api mesh/v1alpha1/network.proto (Network.gateways: traffic from \
                             remote networks arrives at the gateway's address)";
const METALLB: &str = "metallb/metallb controller/service.go (convergeBalancer)";
const BOOTSTRAP: &str = "kubernetes/kubernetes cmd/kubeadm/app/apis/kubeadm/v1beta4/types.go \
                         (ClusterConfiguration, read by kubeadm init); kubernetes-sigs/kind \
                         pkg/cluster/internal/create/create.go (the config is read by kind create cluster)";

fn note(
    kind: ImpactKind,
    severity: Severity,
    clusters: Vec<String>,
    message: String,
    source: &str,
) -> Impact {
    Impact {
        kind,
        severity,
        clusters,
        message,
        source: source.to_owned(),
    }
}

pub(super) fn impacts(old: &Input<'_>, new: &Input<'_>) -> Vec<Impact> {
    let (old, new) = (old.model, new.model);
    let mut notes = Vec::new();
    mesh_wide(old, new, &mut notes);
    for after in &new.clusters {
        match old.cluster(&after.name) {
            Some(before) => kept(new, before, after, &mut notes),
            None => notes.push(note(
                ImpactKind::ClusterAdded,
                Severity::Order,
                vec![after.name.clone()],
                format!(
                    "{} joins: it is created, labelled and given its MetalLB pools, the control \
                     plane learns its identity and its gateway gets its address before any \
                     param points other clusters at it, so the rest of the mesh keeps serving \
                     while it joins",
                    after.name
                ),
                MESH_NETWORKS,
            )),
        }
    }
    for before in &old.clusters {
        if new.cluster(&before.name).is_none() {
            notes.push(note(
                ImpactKind::ClusterRemoved,
                Severity::Order,
                vec![before.name.clone()],
                format!(
                    "{} leaves: first the params and secrets that send traffic or the control \
                     plane to it are removed, then its demo, gateways and pools, then what \
                     meshgen set on its existing objects; traffic to its services from other \
                     clusters stops at the first of these steps",
                    before.name
                ),
                MESH_NETWORKS,
            ));
        }
    }
    notes.sort_by_key(|n| (n.severity, n.kind));
    notes
}

fn mesh_wide(old: &Model, new: &Model, notes: &mut Vec<Impact>) {
    if old.mesh.id != new.mesh.id {
        notes.push(note(
            ImpactKind::MeshId,
            Severity::Disruptive,
            Vec::new(),
            format!(
                "mesh ID {} → {}: every proxy carries the mesh ID it was injected with \
                 (ISTIO_META_MESH_ID), so every injected workload must restart, and a hosted \
                 mesh's GlobalMesh is named after it: this is a new mesh, not a change to one",
                old.mesh.id, new.mesh.id
            ),
            INJECTION_TEMPLATE,
        ));
    }
    if old.flavor.trust_domain() != new.flavor.trust_domain() {
        notes.push(note(
            ImpactKind::TrustDomain,
            Severity::Disruptive,
            Vec::new(),
            "the trust domain changed: workload identities are spiffe://<trust domain>/..., \
             so mTLS between workloads of the old and the new domain fails unless the old one \
             stays as an alias until every workload has restarted"
                .into(),
            "istio/istio pkg/spiffe/spiffe.go",
        ));
    }
    let endpoints = |m: &Model| m.flavor.pilot_endpoints();
    for (was, is) in endpoints(old).iter().zip(endpoints(new).iter()) {
        if was.cluster != is.cluster {
            notes.push(note(
                ImpactKind::ControlPlane,
                Severity::Disruptive,
                vec![was.cluster.clone(), is.cluster.clone()],
                format!(
                    "the {} moves from {} to {}: every proxy reconnects to the new one, and the \
                     old one must keep serving until the {} param points at the new address",
                    is.title, was.cluster, is.cluster, is.param
                ),
                INJECTION_TEMPLATE,
            ));
        }
    }
    if old.mesh.multi_network != new.mesh.multi_network {
        notes.push(note(
            ImpactKind::NetworkMode,
            Severity::Disruptive,
            Vec::new(),
            if new.mesh.multi_network {
                "single → multi network: traffic between networks goes through the east-west \
                 gateways once their meshNetworks entries exist"
            } else {
                "multi → single network: the east-west gateways and meshNetworks go; pods must \
                 reach each other directly before the gateways are deleted"
            }
            .into(),
            MESH_NETWORKS,
        ));
    }
    if old.mesh.version != new.mesh.version {
        notes.push(note(
            ImpactKind::MeshVersion,
            Severity::Restart,
            Vec::new(),
            format!(
                "mesh version {} → {}: the gateways take the new proxy image when their stage is \
                 applied; sidecars take it only when their pods are re-injected (restarted)",
                old.mesh.version, new.mesh.version
            ),
            INJECTION_TEMPLATE,
        ));
    }
    if new.gitops.is_some() {
        notes.push(note(
            ImpactKind::Gitops,
            Severity::Info,
            Vec::new(),
            "the plan has a gitops section: commit and push the tree and let Argo CD or Flux \
             apply (and prune) the stage folders instead of the `kubectl apply -k` and \
             `kubectl delete` commands of the stage steps; the other steps stay by hand"
                .into(),
            "argoproj/argo-cd docs/user-guide/auto_sync.md; fluxcd/kustomize-controller docs/spec/v1/kustomizations.md (prune)",
        ));
    }
}

/// What points at `service` of `cluster`: the meshNetworks entry of the network whose
/// gateway it is, the param that hands out an istiod's address.
fn dependants(model: &Model, cluster: &ClusterModel, service: &str) -> Vec<String> {
    let mut found = Vec::new();
    let is_east_west = cluster
        .east_west_service
        .as_ref()
        .is_some_and(|s| s.name == service);
    for network in &model.networks {
        if is_east_west && network.gateways.iter().any(|g| g.cluster == cluster.name) {
            found.push(format!("the meshNetworks entries of {}", network.id));
        }
    }
    for endpoint in model.flavor.pilot_endpoints() {
        if endpoint.cluster == cluster.name && endpoint.service == service {
            found.push(endpoint.param);
        }
    }
    found
}

fn kept(new: &Model, before: &ClusterModel, after: &ClusterModel, notes: &mut Vec<Impact>) {
    let name = &after.name;
    if before.network != after.network {
        notes.push(note(
            ImpactKind::NetworkId,
            Severity::Restart,
            vec![name.clone()],
            format!(
                "{name}'s network ID {} → {}: a pod's network is written into it when it is \
                 injected, so its injected workloads and gateways keep {} until restarted; until \
                 then the control plane routes to them as if they were on the old network",
                before.network, after.network, before.network
            ),
            INJECTION,
        ));
    }
    for service in &after.lb_services {
        let Some(was) = before.lb_services.iter().find(|s| s.name == service.name) else {
            continue;
        };
        if was.address.annotation == service.address.annotation {
            continue;
        }
        let dependants = dependants(new, after, &service.name);
        let then = if dependants.is_empty() {
            "nothing meshgen renders points at it".to_owned()
        } else {
            format!(
                "{} follows only after the new address is checked, and traffic sent to the old \
                 address fails in between",
                dependants.join(" and ")
            )
        };
        notes.push(note(
            ImpactKind::LbAddress,
            Severity::Order,
            vec![name.clone()],
            format!(
                "{name}'s {} {} moves from {} to {}: MetalLB drops a Service's address when the \
                 address it asks for changes and assigns the new one, so the Service moves as soon \
                 as its manifest or patch is applied; {then}",
                service.role, service.name, was.address.annotation, service.address.annotation
            ),
            METALLB,
        ));
        // A pool change that drops the old address clears it before the Service moves.
        if !held_by_pools(after, &was.address.addresses) {
            notes.push(note(
                ImpactKind::PoolAddress,
                Severity::Disruptive,
                vec![name.clone()],
                format!(
                    "{name}'s new MetalLB pools no longer hold {}, which {} still has until it \
                     moves: MetalLB clears an address its pools no longer allow as soon as the \
                     pools are applied, so {} has no address between the pools step and its own",
                    was.address.annotation, service.name, service.name
                ),
                METALLB,
            ));
        }
    }
    let changed = super::cluster::bootstrap_changes(before, after);
    if !changed.is_empty() {
        notes.push(note(
            ImpactKind::Bootstrap,
            Severity::Disruptive,
            vec![name.clone()],
            format!(
                "{name}: {}: set when the cluster is created; the running cluster keeps its \
                 settings, so recreate it (or change it by hand, outside meshgen)",
                changed.join(", ")
            ),
            BOOTSTRAP,
        ));
    }
}

/// Whether the cluster's MetalLB pools hold every address.
fn held_by_pools(cluster: &ClusterModel, addresses: &[String]) -> bool {
    let Some(metallb) = &cluster.metallb else {
        return true;
    };
    let ranges: Vec<AddrRange> = metallb
        .pools
        .iter()
        .flat_map(|pool| pool.addresses.iter())
        .filter_map(|entry| AddrRange::parse_pool_entry(entry).ok())
        .collect();
    addresses.iter().all(|address| {
        net::parse_ip(address).is_ok_and(|ip| ranges.iter().any(|range| range.contains(ip)))
    })
}
