//! The `traffic:` section (MG110–MG121): each failover entry names a service the plan
//! knows, and its locality settings are ones Istio takes and that can change something.
//!
//! The rules on `failover` and `failoverPriority` mirror istio/istio
//! `pkg/config/validation/agent/validation.go`, `ValidateLocalityLbSetting`, so a plan is
//! refused before Istio would refuse the DestinationRule:
//! - `failover` with `topology.kubernetes.io/region`, `.../zone` or `topology.istio.io/subzone`
//!   in `failoverPriority` is an error (an exact comparison of the key: `key=value` forms
//!   and other labels, the network first of all, may go with `failover`);
//! - each `failover` pair: `from` differs from `to`, neither has a `/` nor a `*`.
//!
//! What Istio cannot know and the plan can: the regions exist, the service runs where the
//! pair sends it and in more than one locality. Istio takes any string in
//! `failoverPriority`; meshgen wants a label key (it is compared with pod and node labels).
//! Durations are [`crate::grammar::istio::duration`]s. Istio only warns when a failover
//! policy has no outlier detection; meshgen always writes one.

use std::collections::{HashMap, HashSet};

use super::{Facts, FailoverParsed, and_list, shown};
use crate::codes::Code;
use crate::diag::{Diagnostic, Diagnostics};
use crate::grammar::{istio, names};
use crate::plan::{Failover, HELLOWORLD, SLEEP};

/// Node labels a `failover` pair cannot be combined with (pilot's `label.LabelTopologyRegion`,
/// `LabelTopologyZone`, `LabelTopologySubzone`).
const LOCALITY_KEYS: [&str; 3] = [
    "topology.kubernetes.io/region",
    "topology.kubernetes.io/zone",
    "topology.istio.io/subzone",
];
const NETWORK_KEY: &str = "topology.istio.io/network";
const CLUSTER_KEY: &str = "topology.istio.io/cluster";
const HOSTNAME_KEY: &str = "kubernetes.io/hostname";

/// Every rule; for each entry, its service split and placed (`None` where a rule failed).
pub(super) fn check(facts: &Facts, out: &mut Diagnostics) -> Vec<Option<FailoverParsed>> {
    let Some(traffic) = &facts.plan.traffic else {
        return Vec::new();
    };
    let mut parsed = Vec::with_capacity(traffic.failover.len());
    let regions: HashSet<&str> = facts
        .plan
        .clusters
        .iter()
        .flat_map(|c| &c.nodes)
        .map(|n| n.region.as_str())
        .collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, entry) in traffic.failover.iter().enumerate() {
        let at = |field: &str| format!("traffic.failover[{i}].{field}");
        if let Some(first) = seen.insert(&entry.service, i) {
            seen.insert(&entry.service, first);
            out.push(
                Diagnostic::error(
                    Code::DuplicateFailoverService,
                    at("service"),
                    format!(
                        "{} already has a failover entry, traffic.failover[{first}]",
                        shown(&entry.service)
                    ),
                )
                .hint("one DestinationRule per service: merge the two entries into one"),
            );
        }
        service(facts, entry, &at, out);
        let clusters = runs_in(facts, entry, &at, out);
        priority(entry, &at, out);
        region_pairs(facts, entry, &regions, clusters.as_deref(), &at, out);
        outlier_detection(entry, &at, out);
        if let Some(clusters) = &clusters {
            single_locality(facts, entry, clusters, &at, out);
        }
        parsed.push(entry.name_and_namespace().zip(clusters).map(
            |((name, namespace), clusters)| {
                FailoverParsed {
                    name: name.to_owned(),
                    namespace: namespace.to_owned(),
                    clusters: clusters
                        .iter()
                        .filter_map(|c| facts.by_name.get(c).copied())
                        .collect(),
                    helloworld: entry.is_demo_app(facts.plan) && name == HELLOWORLD,
                }
            },
        ));
    }
    parsed
}

/// MG110, MG111: `<name>.<namespace>` with valid names, in a namespace the plan declares.
fn service(facts: &Facts, entry: &Failover, at: &dyn Fn(&str) -> String, out: &mut Diagnostics) {
    let Some((name, namespace)) = entry.name_and_namespace() else {
        out.push(
            Diagnostic::error(
                Code::InvalidFailoverService,
                at("service"),
                format!(
                    "service `{}` is not `<name>.<namespace>`",
                    shown(&entry.service)
                ),
            )
            .hint("write the Service's name and namespace, e.g. `helloworld.sample`; meshgen adds `.svc.<dnsDomain>`"),
        );
        return;
    };
    // A Service name is a DNS-1035 label (Kubernetes `ValidateServiceName`); a namespace a DNS-1123 label.
    let name_problem = names::dns1123_label(name, names::LABEL_MAX)
        .err()
        .or_else(|| {
            (!name.starts_with(|c: char| c.is_ascii_lowercase()))
                .then(|| "does not start with a letter".to_owned())
        });
    for (what, value, problem) in [
        ("name", name, name_problem),
        (
            "namespace",
            namespace,
            names::dns1123_label(namespace, names::LABEL_MAX).err(),
        ),
    ] {
        if let Some(problem) = problem {
            out.push(
                Diagnostic::error(
                    Code::InvalidFailoverService,
                    at("service"),
                    format!(
                        "service `{}` has the {what} `{}`, which is not a valid Kubernetes name: it {problem}",
                        shown(&entry.service),
                        shown(value)
                    ),
                )
                .hint("use lower-case letters, digits and `-`, at most 63 characters (a Service name starts with a letter)"),
            );
        }
    }
    let demo_namespace = facts.plan.demo.as_ref().map(|d| d.namespace.as_str());
    if entry.clusters.is_none() && demo_namespace != Some(namespace) {
        let declared = match demo_namespace {
            Some(ns) => format!("the demo's namespace is `{}`", shown(ns)),
            None => "the plan has no demo".to_owned(),
        };
        out.push(
            Diagnostic::error(
                Code::UnknownFailoverNamespace,
                at("service"),
                format!(
                    "namespace `{}` of service `{}` is not one the plan declares ({declared})",
                    shown(namespace),
                    shown(&entry.service)
                ),
            )
            .hint("for the demo, name its namespace; for a service meshgen does not deploy, list the clusters that run it (and have its namespace) in `clusters`"),
        );
    }
}

/// MG112, MG113: where the service runs, when the plan says so.
fn runs_in<'p>(
    facts: &Facts<'p>,
    entry: &'p Failover,
    at: &dyn Fn(&str) -> String,
    out: &mut Diagnostics,
) -> Option<Vec<&'p str>> {
    let plan = facts.plan;
    if let Some(listed) = &entry.clusters {
        if entry.is_demo_app(plan) {
            out.push(
                Diagnostic::error(
                    Code::FailoverServiceUnplaced,
                    at("clusters"),
                    format!(
                        "{} is a demo app: meshgen deploys it where the demo section says, so `clusters` would say it twice",
                        shown(&entry.service)
                    ),
                )
                .hint("remove `clusters` (change the demo section to move the app)"),
            );
            return None;
        }
        let mut named = HashSet::new();
        let mut valid = Vec::with_capacity(listed.len());
        for (k, cluster) in listed.iter().enumerate() {
            let problem = if !facts.by_name.contains_key(cluster.as_str()) {
                format!(
                    "names cluster `{}`, which is not in clusters",
                    shown(cluster)
                )
            } else if !named.insert(cluster.as_str()) {
                format!("lists `{}` twice", shown(cluster))
            } else {
                valid.push(cluster.as_str());
                continue;
            };
            out.push(
                Diagnostic::error(
                    Code::FailoverUnknownCluster,
                    at(&format!("clusters[{k}]")),
                    format!("failover `clusters` {problem}"),
                )
                .hint(format!(
                    "list each cluster that runs {} once, by its name in clusters: {}",
                    shown(&entry.service),
                    facts.some_cluster_names(5)
                )),
            );
        }
        if listed.is_empty() {
            out.push(
                Diagnostic::error(
                    Code::FailoverServiceUnplaced,
                    at("clusters"),
                    format!(
                        "{} runs in no cluster: `clusters` is empty",
                        shown(&entry.service)
                    ),
                )
                .hint("list the clusters that run the service"),
            );
        }
        // With a cluster wrong, the rules that need the service's place would judge half of it.
        return Some(valid).filter(|v| !v.is_empty() && v.len() == listed.len());
    }
    let (name, namespace) = entry.name_and_namespace()?;
    let demo = plan.demo.as_ref().filter(|d| d.namespace == namespace)?;
    let clusters = entry.clusters(plan);
    match &clusters {
        None => out.push(
            Diagnostic::error(
                Code::FailoverServiceUnplaced,
                at("service"),
                format!(
                    "the plan does not say where {} runs: the demo deploys only {HELLOWORLD} and {SLEEP} in `{}`",
                    shown(&entry.service),
                    shown(&demo.namespace)
                ),
            )
            .hint("list the clusters that run the service in `clusters`"),
        ),
        Some(list) if list.is_empty() => out.push(
            Diagnostic::error(
                Code::FailoverServiceUnplaced,
                at("service"),
                format!("the demo runs {name} in no cluster of the plan"),
            )
            .hint(if name == HELLOWORLD {
                "give clusters a helloworld version in demo.helloworld.versions"
            } else {
                "list clusters in demo.sleep.clusters"
            }),
        ),
        Some(_) => {}
    }
    clusters.filter(|c| !c.is_empty())
}

/// MG115, MG119: `failoverPriority` entries are label keys (or `key=value`), each key once,
/// and no locality label together with `failover`.
fn priority(entry: &Failover, at: &dyn Fn(&str) -> String, out: &mut Diagnostics) {
    let mut keys = HashSet::new();
    for (k, item) in entry.failover_priority.iter().enumerate() {
        let path = at(&format!("failoverPriority[{k}]"));
        let (key, value) = match item.split_once('=') {
            Some((key, value)) => (key, Some(value)),
            None => (item.as_str(), None),
        };
        let problem = names::label_key(key)
            .map_err(|p| format!("the key `{}` {p}", shown(key)))
            .and_then(|()| match value {
                // Istio keeps only the key of `a=b=c` (`priorityLabelOverrides`): refuse it.
                Some(v) if v.contains('=') => Err("it has two `=`".to_owned()),
                Some(v) => {
                    names::label_value(v).map_err(|p| format!("the value `{}` {p}", shown(v)))
                }
                None => Ok(()),
            })
            .and_then(|()| {
                if keys.insert(key) {
                    Ok(())
                } else {
                    Err(format!("an earlier entry has the key `{}`", shown(key)))
                }
            });
        if let Err(problem) = problem {
            out.push(
                Diagnostic::error(
                    Code::InvalidFailoverPriority,
                    path,
                    format!(
                        "failoverPriority entry `{}` is not a label key or `key=value` used once: {problem}",
                        shown(item)
                    ),
                )
                .hint("each entry is a label key (`topology.istio.io/network`) or `key=value`, each key once"),
            );
        }
    }
    if entry.failover.is_empty() {
        return;
    }
    // Istio stops at the first such label: one diagnostic per entry.
    if let Some((k, item)) = entry
        .failover_priority
        .iter()
        .enumerate()
        .find(|(_, item)| LOCALITY_KEYS.contains(&item.as_str()))
    {
        out.push(
            Diagnostic::error(
                Code::FailoverWithTopologyPriority,
                at(&format!("failoverPriority[{k}]")),
                format!(
                    "`failover` and the topology label `{}` in failoverPriority cannot be set together (Istio refuses the DestinationRule)",
                    shown(item)
                ),
            )
            .hint("order regions either by `failover` pairs or by failoverPriority labels; `topology.istio.io/network` may stay with `failover`"),
        );
    }
}

/// MG116, MG117, MG118: each pair names two different regions of the plan, and the
/// service runs in the region it goes to.
fn region_pairs(
    facts: &Facts,
    entry: &Failover,
    regions: &HashSet<&str>,
    clusters: Option<&[&str]>,
    at: &dyn Fn(&str) -> String,
    out: &mut Diagnostics,
) {
    let mut known: Vec<&str> = regions.iter().copied().collect();
    known.sort_unstable();
    let serving: Option<HashSet<&str>> = clusters.map(|clusters| {
        clusters
            .iter()
            .filter_map(|c| facts.by_name.get(c))
            .filter_map(|&i| facts.plan.clusters.get(i))
            .flat_map(|c| &c.nodes)
            .map(|n| n.region.as_str())
            .collect()
    });
    let mut froms: HashMap<&str, usize> = HashMap::new();
    for (k, pair) in entry.failover.iter().enumerate() {
        let path = |field: &str| at(&format!("failover[{k}].{field}"));
        let mut problems = Vec::new();
        if pair.from == pair.to {
            problems.push("`from` and `to` are the same region".to_owned());
        }
        for (field, region) in [("from", &pair.from), ("to", &pair.to)] {
            if region.contains('/') {
                problems.push(format!(
                    "`{field}` has a `/` (failover names regions only, not zones)"
                ));
            }
            if region.contains('*') {
                problems.push(format!("`{field}` has a `*` (no wildcards)"));
            }
        }
        if let Some(first) = froms.insert(&pair.from, k) {
            froms.insert(&pair.from, first);
            problems.push(format!(
                "failover[{first}] is from `{}` too, and Istio uses only the first pair from a region",
                shown(&pair.from)
            ));
        }
        if !problems.is_empty() {
            out.push(
                Diagnostic::error(
                    Code::InvalidRegionFailover,
                    path("from"),
                    format!(
                        "failover pair `{}` -> `{}`: {}",
                        shown(&pair.from),
                        shown(&pair.to),
                        and_list(&problems)
                    ),
                )
                .hint("each pair goes from one region to another, each `from` once"),
            );
            continue;
        }
        let mut all_known = true;
        for (field, region) in [("from", &pair.from), ("to", &pair.to)] {
            if !regions.contains(region.as_str()) {
                all_known = false;
                out.push(
                    Diagnostic::error(
                        Code::UnknownFailoverRegion,
                        path(field),
                        format!(
                            "failover `{field}` region `{}` is not the region of any node",
                            shown(region)
                        ),
                    )
                    .hint(format!(
                        "use a region of the plan's nodes: {}",
                        and_list(&known.iter().map(|r| shown(r)).collect::<Vec<_>>())
                    )),
                );
            }
        }
        if let Some(serving) = &serving
            && all_known
            && !serving.contains(pair.to.as_str())
        {
            out.push(
                Diagnostic::error(
                    Code::FailoverTargetWithoutService,
                    path("to"),
                    format!(
                        "{} fails over from `{}` to `{}`, but no cluster in `{}` runs it",
                        shown(&entry.service),
                        shown(&pair.from),
                        shown(&pair.to),
                        shown(&pair.to)
                    ),
                )
                .hint("send the pair to a region that runs the service, or run the service there"),
            );
        }
    }
}

/// MG120: outlier detection durations Istio takes.
fn outlier_detection(entry: &Failover, at: &dyn Fn(&str) -> String, out: &mut Diagnostics) {
    let Some(detection) = &entry.outlier_detection else {
        return;
    };
    for (field, value) in [
        ("interval", &detection.interval),
        ("baseEjectionTime", &detection.base_ejection_time),
    ] {
        let Some(value) = value else {
            continue;
        };
        if let Err(problem) = istio::duration(value) {
            out.push(
                Diagnostic::error(
                    Code::InvalidOutlierDuration,
                    at(&format!("outlierDetection.{field}")),
                    format!("outlierDetection {field} `{}` {problem}", shown(value)),
                )
                .hint("write a duration of at least 1ms in whole milliseconds, e.g. `1s`, `500ms` or `1m`"),
            );
        }
    }
}

/// MG121: the endpoints differ in some label the order looks at (their locality, and the
/// network, cluster or node when failoverPriority names those), or failover changes nothing.
fn single_locality(
    facts: &Facts,
    entry: &Failover,
    clusters: &[&str],
    at: &dyn Fn(&str) -> String,
    out: &mut Diagnostics,
) {
    let keyed = |key: &str| {
        entry
            .failover_priority
            .iter()
            .any(|p| p.split('=').next() == Some(key))
    };
    let (network, cluster, node) = (keyed(NETWORK_KEY), keyed(CLUSTER_KEY), keyed(HOSTNAME_KEY));
    let mut places = HashSet::new();
    for c in clusters
        .iter()
        .filter_map(|c| facts.by_name.get(c))
        .filter_map(|&i| facts.plan.clusters.get(i))
    {
        for n in &c.nodes {
            places.insert((
                n.region.as_str(),
                n.zone.as_str(),
                n.subzone.as_deref().unwrap_or(""),
                network.then_some(c.network.as_str()),
                cluster.then_some(c.name.as_str()),
                node.then_some(n.name.as_str()),
            ));
            if places.len() > 1 {
                return;
            }
        }
    }
    out.push(
        Diagnostic::warning(
            Code::FailoverSingleLocality,
            at("service"),
            format!(
                "every endpoint of {} is in one locality, so there is nowhere to fail over to",
                shown(&entry.service)
            ),
        )
        .hint("run the service in another zone or region too, or remove the entry"),
    );
}
