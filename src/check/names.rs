//! Names and label values (MG010–MG015, MG059 for interfaces): what Kubernetes accepts as an object name, a
//! label value or a DNS domain (the grammars are [`crate::grammar::names`]), and names
//! that must be unique.

use std::collections::{HashMap, HashSet};

use super::{Facts, shown};
use crate::codes::Code;
use crate::diag::{Diagnostic, Diagnostics};
use crate::grammar::names::{self, DnsDomain};

/// The longest mesh ID: the hosted istiod Service `istiod-<id>-hosted-lb` is a 63-character label.
const MESH_ID_MAX: usize = names::LABEL_MAX - "istiod-".len() - "-hosted-lb".len();

/// Every name rule; the DNS domain when it is valid.
pub(super) fn check(facts: &Facts, out: &mut Diagnostics) -> Option<DnsDomain> {
    let plan = facts.plan;
    let mesh = &plan.mesh;
    label_name(
        out,
        || "mesh.id".to_owned(),
        "mesh ID",
        &mesh.id,
        MESH_ID_MAX,
        "it names the GlobalMesh and the hosted istiod Service istiod-<id>-hosted-lb",
    );
    if let Some(global_cluster) = &mesh.global_cluster {
        label_name(
            out,
            || "mesh.globalCluster".to_owned(),
            "globalCluster",
            global_cluster,
            names::LABEL_MAX,
            "it names a cluster",
        );
    }
    let dns_domain = names::dns_domain(&mesh.dns_domain);
    if let Err(problem) = &dns_domain {
        out.push(
            Diagnostic::error(
                Code::InvalidDnsDomain,
                "mesh.dnsDomain",
                format!(
                    "dnsDomain `{}` is not a valid DNS domain: it {problem}",
                    shown(&mesh.dns_domain)
                ),
            )
            .hint(
                "write the clusters' DNS domain as kubelet's --cluster-domain has it, e.g. \
                 cluster.local, without a leading or trailing dot",
            ),
        );
    }

    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(plan.clusters.len());
    let mut within: HashSet<&str> = HashSet::new();
    for (i, cluster) in plan.clusters.iter().enumerate() {
        let at = |field: &str| format!("clusters[{i}].{field}");
        label_name(
            out,
            || at("name"),
            "cluster name",
            &cluster.name,
            names::LABEL_MAX,
            "it names the cluster's folder clusters/<name>/ and its MeshCluster",
        );
        if let Some(&first) = seen.get(cluster.name.as_str()) {
            out.push(
                Diagnostic::error(
                    Code::DuplicateCluster,
                    at("name"),
                    format!(
                        "cluster {} is listed twice: clusters[{first}] and clusters[{i}]",
                        shown(&cluster.name)
                    ),
                )
                .hint("each cluster appears once: remove the repeated entry or rename it"),
            );
        } else {
            seen.insert(&cluster.name, i);
        }
        label_name(
            out,
            || at("network"),
            "network ID",
            &cluster.network,
            names::LABEL_MAX,
            "it is the topology.istio.io/network label and a key of the dotted meshNetworks parameters, \
             so it cannot hold a dot",
        );

        within.clear();
        for (j, node) in cluster.nodes.iter().enumerate() {
            let node_at = |field: &str| at(&format!("nodes[{j}].{field}"));
            if let Err(problem) = names::dns1123_subdomain(&node.name) {
                out.push(
                    Diagnostic::error(
                        Code::InvalidName,
                        node_at("name"),
                        format!(
                            "node name `{}` is not a valid Kubernetes name: it {problem}",
                            shown(&node.name)
                        ),
                    )
                    .hint("write the name `kubectl get nodes` shows"),
                );
            }
            if !within.insert(&node.name) {
                out.push(
                    Diagnostic::error(
                        Code::DuplicateNode,
                        node_at("name"),
                        format!(
                            "node {} is listed twice in {}",
                            shown(&node.name),
                            facts.cluster_name(i)
                        ),
                    )
                    .hint("a node has one set of topology labels: list it once"),
                );
            }
            let topology = [
                ("region", Some(&node.region)),
                ("zone", Some(&node.zone)),
                ("subzone", node.subzone.as_ref()),
            ];
            for (field, value) in topology {
                if let Some(value) = value {
                    topology_value(out, || node_at(field), field, value);
                }
            }
        }

        for (k, interface) in cluster
            .metallb
            .iter()
            .flat_map(|m| &m.interfaces)
            .enumerate()
        {
            if let Err(problem) = names::interface_name(interface) {
                out.push(
                    Diagnostic::error(
                        Code::InvalidInterface,
                        at(&format!("metallb.interfaces[{k}]")),
                        format!(
                            "interface `{}` is not a network interface name: it {problem}",
                            shown(interface)
                        ),
                    )
                    .hint(
                        "write the name `ip link` shows on the nodes (1 to 15 bytes, no `/`, `:` or \
                         white space), e.g. enp1s0",
                    ),
                );
            }
        }

        within.clear();
        for (k, pool) in cluster.metallb.iter().flat_map(|m| &m.pools).enumerate() {
            let pool_at = || at(&format!("metallb.pools[{k}].name"));
            if let Err(problem) = names::dns1123_subdomain(&pool.name) {
                out.push(
                    Diagnostic::error(
                        Code::InvalidName,
                        pool_at(),
                        format!(
                            "pool name `{}` is not a valid Kubernetes name: it {problem}",
                            shown(&pool.name)
                        ),
                    )
                    .hint(with_example(
                        "it names an IPAddressPool: use lower-case letters, digits, `-` and `.`",
                        names::suggest_label(&pool.name, names::LABEL_MAX),
                    )),
                );
            }
            if !within.insert(&pool.name) {
                out.push(
                    Diagnostic::error(
                        Code::DuplicatePool,
                        pool_at(),
                        format!(
                            "pool {} is listed twice in {}",
                            shown(&pool.name),
                            facts.cluster_name(i)
                        ),
                    )
                    .hint("each pool is one IPAddressPool object: rename one, or merge their addresses"),
                );
            }
        }
    }
    dns_domain.ok()
}

/// MG010 for a name that must be an RFC 1123 label of at most `max` characters.
pub(super) fn label_name(
    out: &mut Diagnostics,
    path: impl FnOnce() -> String,
    what: &str,
    value: &str,
    max: usize,
    why: &str,
) {
    if let Err(problem) = names::dns1123_label(value, max) {
        out.push(
            Diagnostic::error(
                Code::InvalidName,
                path(),
                format!(
                    "{what} `{}` is not a valid Kubernetes name: it {problem}",
                    shown(value)
                ),
            )
            .hint(with_example(
                &format!(
                    "{why}: use lower-case letters, digits and `-`, starting and ending with a letter \
                     or digit, at most {max} characters"
                ),
                names::suggest_label(value, max),
            )),
        );
    }
}

/// MG013 for a node's topology label value.
fn topology_value(out: &mut Diagnostics, path: impl FnOnce() -> String, field: &str, value: &str) {
    // Kubernetes takes an empty label value; a topology label without one means nothing.
    let problem = if value.is_empty() {
        Err("is empty".to_owned())
    } else {
        names::label_value(value)
    };
    if let Err(problem) = problem {
        out.push(
            Diagnostic::error(
                Code::InvalidLabelValue,
                path(),
                format!(
                    "{field} `{}` is not a valid label value: it {problem}",
                    shown(value)
                ),
            )
            .hint(with_example(
                &format!("it becomes a node label: {LABEL_VALUE_RULE}"),
                names::suggest_label_value(value),
            )),
        );
    }
}

pub(super) const LABEL_VALUE_RULE: &str = "use letters, digits, `-`, `_` and `.`, starting and \
                                           ending with a letter or digit, at most 63 characters";

pub(super) fn with_example(rule: &str, example: Option<String>) -> String {
    match example {
        Some(example) => format!("{rule}; e.g. `{example}`"),
        None => rule.to_owned(),
    }
}
