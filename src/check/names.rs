//! Names and label values (MG010–MG015): what Kubernetes accepts as an object name, a
//! label value or a DNS domain, and names that must be unique.

use std::collections::{HashMap, HashSet};

use super::{Facts, shown};
use crate::codes::Code;
use crate::diag::{Diagnostic, Diagnostics};

/// The longest mesh ID: the hosted istiod Service `istiod-<id>-hosted-lb` is a 63-character label.
const MESH_ID_MAX: usize = 63 - "istiod-".len() - "-hosted-lb".len();

pub(super) fn check(facts: &Facts, out: &mut Diagnostics) {
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
    label_name(
        out,
        || "mesh.globalCluster".to_owned(),
        "globalCluster",
        &mesh.global_cluster,
        63,
        "it names a cluster",
    );
    if let Some(problem) = subdomain_problem(&mesh.dns_domain) {
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
            63,
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
            63,
            "it is the topology.istio.io/network label and a key of the dotted meshNetworks parameters, \
             so it cannot hold a dot",
        );

        within.clear();
        for (j, node) in cluster.nodes.iter().enumerate() {
            let node_at = |field: &str| at(&format!("nodes[{j}].{field}"));
            if let Some(problem) = subdomain_problem(&node.name) {
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

        within.clear();
        for (k, pool) in cluster.metallb.iter().flat_map(|m| &m.pools).enumerate() {
            let pool_at = || at(&format!("metallb.pools[{k}].name"));
            if let Some(problem) = subdomain_problem(&pool.name) {
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
                        suggest_label(&pool.name, 63),
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
    if let Some(problem) = label_problem(value, max) {
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
                suggest_label(value, max),
            )),
        );
    }
}

/// MG013 for a node's topology label value.
fn topology_value(out: &mut Diagnostics, path: impl FnOnce() -> String, field: &str, value: &str) {
    let problem = if value.is_empty() {
        Some("is empty".to_owned())
    } else {
        label_value_problem(value)
    };
    if let Some(problem) = problem {
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
                suggest_label_value(value),
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

/// Why `value` is not an RFC 1123 label of at most `max` characters, if it is not.
pub(super) fn label_problem(value: &str, max: usize) -> Option<String> {
    if value.is_empty() {
        return Some("is empty".to_owned());
    }
    if let Some(c) = value
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(char_problem(c));
    }
    edge_and_length(value, max)
}

/// Why `value` is not an RFC 1123 subdomain (dot-separated labels, 253 characters), if it is not.
pub(super) fn subdomain_problem(value: &str) -> Option<String> {
    if value.is_empty() {
        return Some("is empty".to_owned());
    }
    if let Some(c) = value
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '.'))
    {
        return Some(char_problem(c));
    }
    if value.len() > 253 {
        return Some(format!("is {} characters long, more than 253", value.len()));
    }
    value.split('.').find_map(|part| {
        if part.is_empty() {
            Some("has an empty part between dots".to_owned())
        } else {
            edge_and_length(part, 63).map(|p| format!("has a part `{part}` that {p}"))
        }
    })
}

/// Why `value` is not a Kubernetes label value, if it is not (empty is allowed).
pub(super) fn label_value_problem(value: &str) -> Option<String> {
    if let Some(c) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Some(char_problem(c));
    }
    let count = value.chars().count();
    if count > 63 {
        return Some(format!("is {count} characters long, more than 63"));
    }
    match (value.chars().next(), value.chars().last()) {
        (Some(c), _) if !c.is_ascii_alphanumeric() => Some(format!("starts with `{c}`")),
        (_, Some(c)) if !c.is_ascii_alphanumeric() => Some(format!("ends with `{c}`")),
        _ => None,
    }
}

/// Length and first/last character of a label whose characters are already valid.
fn edge_and_length(value: &str, max: usize) -> Option<String> {
    if value.len() > max {
        return Some(format!(
            "is {} characters long, more than {max}",
            value.len()
        ));
    }
    if value.starts_with('-') {
        return Some("starts with `-`".to_owned());
    }
    if value.ends_with('-') {
        return Some("ends with `-`".to_owned());
    }
    None
}

/// Name the first character that is not allowed, so look-alikes and hidden characters show.
fn char_problem(c: char) -> String {
    let code = format!("U+{:04X}", c as u32);
    if c.is_ascii_uppercase() {
        format!("contains upper-case `{c}`")
    } else if c == ' ' {
        "contains a space".to_owned()
    } else if c.is_control() || c.is_whitespace() {
        format!("contains the invisible character {code}")
    } else if !c.is_ascii() {
        format!("contains `{c}` ({code}), which is not ASCII (a look-alike of an ASCII letter?)")
    } else {
        format!("contains `{c}`")
    }
}

/// A valid label close to `value`, if there is one: lower case, other characters as `-`.
pub(super) fn suggest_label(value: &str, max: usize) -> Option<String> {
    let mapped: String = value
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut out = String::with_capacity(mapped.len());
    for c in mapped.chars() {
        if !(c == '-' && (out.is_empty() || out.ends_with('-'))) {
            out.push(c);
        }
    }
    out.truncate(max);
    let out = out.trim_end_matches('-').to_owned();
    (!out.is_empty() && out != value && label_problem(&out, max).is_none()).then_some(out)
}

/// A valid label value close to `value`, if there is one.
pub(super) fn suggest_label_value(value: &str) -> Option<String> {
    let mapped: String = value
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let trimmed = mapped.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    let mut out: String = trimmed.chars().take(63).collect();
    while out.ends_with(|c: char| !c.is_ascii_alphanumeric()) {
        out.pop();
    }
    (!out.is_empty() && out != value && label_value_problem(&out).is_none()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(label_problem("mdemo-cluster1", 63), None);
        assert_eq!(
            label_problem("Mdemo", 63).unwrap(),
            "contains upper-case `M`"
        );
        assert_eq!(label_problem("../etc", 63).unwrap(), "contains `.`");
        assert!(label_problem("mdemо", 63).unwrap().contains("U+043E"));
        assert_eq!(label_problem("-a", 63).unwrap(), "starts with `-`");
        assert!(
            label_problem(&"a".repeat(64), 63)
                .unwrap()
                .contains("64 characters")
        );
        assert_eq!(
            suggest_label("Mdemo_Cluster 1", 63).as_deref(),
            Some("mdemo-cluster-1")
        );
        assert_eq!(suggest_label("---", 63), None);
    }

    #[test]
    fn subdomains_and_label_values() {
        assert_eq!(subdomain_problem("node-1.example.com"), None);
        assert_eq!(subdomain_problem("../etc").unwrap(), "contains `/`");
        assert_eq!(
            subdomain_problem("a..b").unwrap(),
            "has an empty part between dots"
        );
        assert_eq!(label_value_problem("Region_1.a"), None);
        assert_eq!(label_value_problem(""), None);
        assert_eq!(label_value_problem("zone 1").unwrap(), "contains a space");
        assert_eq!(label_value_problem("zone-").unwrap(), "ends with `-`");
        assert_eq!(suggest_label_value("zone 1").as_deref(), Some("zone-1"));
    }
}
