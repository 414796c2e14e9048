//! Locality failover: one DestinationRule per `traffic.failover` entry, placed where the
//! mesh's istiod reads config ([`ConfigPlace`], the flavor's), and the order in which
//! each calling locality's sidecars try the service's endpoints ([`super::priority`]),
//! for the README's table, the runbook's failover step and `verify.sh --failover`.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Serialize;

use super::flavor::ConfigPlacement;
use super::mesh::MeshFacts;
use super::priority::{self, Place, Setting};
use super::{ClusterModel, Pair, pair};
use crate::check::{FailoverParsed, ParsedFacts};
use crate::layout;
use crate::plan::{self, Plan};

/// Callers shown in a README table: the table of a 10,000-cluster mesh stays readable.
const MAX_CALLERS: usize = 32;
/// Endpoints named in one level of a README row.
const MAX_PER_LEVEL: usize = 12;

/// Every failover entry.
#[derive(Debug, Clone, Serialize)]
pub struct TrafficModel {
    /// The DestinationRules go to the mesh's own control plane (one copy, under
    /// `control_plane_dir`), not to clusters.
    pub control_plane: bool,
    pub control_plane_dir: String,
    /// The name verify.sh finds the control plane's API server's context by.
    pub control_plane_context: Option<String>,
    pub failover: Vec<FailoverModel>,
    /// The runbook's demo failover step (helloworld has an entry and sleep calls it).
    pub demo: Option<DemoFailover>,
}

/// One failover entry.
#[derive(Debug, Clone, Serialize)]
pub struct FailoverModel {
    /// `<name>.<namespace>`.
    pub service: String,
    pub destination_rule: DestinationRule,
    /// Where the DestinationRule is written (one file, or one per cluster).
    pub files: Vec<ConfigFile>,
    /// How the endpoints are ordered, for the README.
    pub order_by: String,
    /// The predicted order per calling locality (the first `MAX_CALLERS`).
    pub callers: Vec<CallerOrder>,
    /// Callers left out of the table.
    pub more_callers: usize,
}

/// Context of `istio/destinationrule.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct DestinationRule {
    pub api_version: String,
    pub name: String,
    pub namespace: String,
    /// `<name>.<namespace>.svc.<dnsDomain>`.
    pub host: String,
    pub failover_priority: Vec<String>,
    /// `from` → `to` region pairs (`key` from, `value` to).
    pub failover: Vec<Pair>,
    pub consecutive_5xx_errors: u32,
    pub interval: String,
    pub base_ejection_time: String,
}

/// One copy of a DestinationRule.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigFile {
    pub path: String,
    /// The cluster it is applied to; none: the control plane's own API server.
    pub cluster: Option<String>,
    /// The name `verify.sh` finds its kubeconfig context by: the cluster, or the control
    /// plane's API server.
    pub context: String,
}

/// The order one calling locality sees.
#[derive(Debug, Clone, Serialize)]
pub struct CallerOrder {
    pub cluster: String,
    /// `region/zone[/subzone]`.
    pub locality: String,
    /// Best first; each level lists the endpoints that answer while it has a healthy one.
    pub levels: Vec<Level>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Level {
    /// 1-based, as the README counts.
    pub rank: usize,
    pub endpoints: Vec<Endpoint>,
    /// Endpoints of the level left out of the README.
    pub more: usize,
}

/// The pods of one cluster in one locality.
#[derive(Debug, Clone, Serialize)]
pub struct Endpoint {
    pub cluster: String,
    pub locality: String,
    /// helloworld's version in that cluster.
    pub version: Option<String>,
    /// Reached through the east-west gateway of the endpoint's network.
    pub via_gateway: bool,
}

/// The runbook's failover demonstration: from one sleep, scale the first level's
/// helloworld to zero and see the next level answer.
#[derive(Debug, Clone, Serialize)]
pub struct DemoFailover {
    /// The caller: a sleep cluster whose nodes are all in one locality.
    pub caller: String,
    pub locality: String,
    pub namespace: String,
    pub hello_url: String,
    /// Versions that answer first.
    pub first: Vec<String>,
    /// The helloworld Deployments of the first level (`key` cluster, `value` Deployment).
    pub scale: Vec<Pair>,
    /// Their replicas, to scale back to.
    pub replicas: u32,
    /// Versions that answer once those are scaled to zero.
    pub next: Vec<String>,
}

/// The expected answers of one sleep's loop with the DestinationRule applied.
#[derive(Debug, Clone, Serialize)]
pub struct FirstAnswers {
    pub cluster: String,
    pub versions: Vec<String>,
}

struct Entry<'p> {
    plan: &'p plan::Failover,
    parsed: &'p FailoverParsed,
    setting_failover: Vec<(String, String)>,
    /// The service's endpoints: one per (cluster, locality) of the clusters that run it.
    endpoints: Vec<Place<'p>>,
    versions: Vec<Option<&'p str>>,
}

impl TrafficModel {
    pub fn resolve(
        plan: &Plan,
        facts: &ParsedFacts,
        mesh: &MeshFacts,
        placement: &ConfigPlacement,
        api_server: Option<&str>,
        clusters: &[Arc<ClusterModel>],
    ) -> Option<TrafficModel> {
        let entries = entries(plan, facts);
        if entries.is_empty() {
            return None;
        }
        let failover = entries
            .iter()
            .map(|entry| failover_model(plan, mesh, placement, api_server, entry))
            .collect();
        let demo = demo_failover(plan, mesh, clusters, &entries);
        Some(TrafficModel {
            control_plane: *placement == ConfigPlacement::MeshControlPlane,
            control_plane_dir: layout::CONTROL_PLANE_ISTIO_DIR.to_owned(),
            control_plane_context: api_server.map(str::to_owned),
            failover,
            demo,
        })
    }

    /// For `verify.sh --failover`: the versions each sleep may hear from, with the
    /// helloworld DestinationRule applied (empty without a helloworld entry).
    pub fn first_answers(plan: &Plan, facts: &ParsedFacts, mesh: &MeshFacts) -> Vec<FirstAnswers> {
        let entries = entries(plan, facts);
        let (Some(demo), Some(entry)) = (&plan.demo, entries.iter().find(|e| e.parsed.helloworld))
        else {
            return Vec::new();
        };
        plan.clusters
            .iter()
            .filter(|c| demo.sleep.clusters.contains(&c.name))
            .map(|cluster| {
                let mut versions = BTreeSet::new();
                // A sleep pod may run on any node: the union of its localities' first levels.
                for caller in callers_of(cluster) {
                    let levels = order(mesh, &caller, entry);
                    for seen in levels.first().into_iter().flatten() {
                        versions.extend(entry.versions[seen.endpoint]);
                    }
                }
                FirstAnswers {
                    cluster: cluster.name.clone(),
                    versions: versions.into_iter().map(str::to_owned).collect(),
                }
            })
            .collect()
    }
}

/// Each failover entry with what the checks parsed of it.
fn entries<'p>(plan: &'p Plan, facts: &'p ParsedFacts) -> Vec<Entry<'p>> {
    let Some(traffic) = &plan.traffic else {
        return Vec::new();
    };
    traffic
        .failover
        .iter()
        .zip(&facts.failover)
        .map(|(item, parsed)| entry(plan, item, parsed))
        .collect()
}

/// One place per distinct locality of a cluster's nodes, in node order.
fn callers_of(cluster: &plan::Cluster) -> Vec<Place<'_>> {
    let mut places: Vec<Place<'_>> = Vec::new();
    for node in &cluster.nodes {
        let place = Place {
            cluster: &cluster.name,
            network: &cluster.network,
            region: &node.region,
            zone: &node.zone,
            subzone: node.subzone.as_deref().unwrap_or(""),
            pod_labels: vec![],
        };
        if !places.contains(&place) {
            places.push(place);
        }
    }
    places
}

fn entry<'p>(plan: &'p Plan, item: &'p plan::Failover, parsed: &'p FailoverParsed) -> Entry<'p> {
    let version = |cluster: &str| {
        plan.demo
            .as_ref()
            .filter(|_| parsed.helloworld)
            .and_then(|d| d.helloworld.versions.get(cluster))
            .map(String::as_str)
    };
    let mut endpoints = Vec::new();
    let mut versions = Vec::new();
    for cluster in parsed.clusters.iter().filter_map(|&i| plan.clusters.get(i)) {
        let version = version(&cluster.name);
        for mut place in callers_of(cluster) {
            if let Some(version) = version {
                place.pod_labels = vec![("app", plan::HELLOWORLD), ("version", version)];
            }
            endpoints.push(place);
            versions.push(version);
        }
    }
    Entry {
        plan: item,
        parsed,
        setting_failover: item
            .failover
            .iter()
            .map(|p| (p.from.clone(), p.to.clone()))
            .collect(),
        endpoints,
        versions,
    }
}

fn order(mesh: &MeshFacts, caller: &Place<'_>, entry: &Entry<'_>) -> Vec<Vec<priority::Seen>> {
    let setting = Setting {
        failover_priority: &entry.plan.failover_priority,
        failover: &entry.setting_failover,
    };
    priority::levels(caller, &entry.endpoints, &setting, mesh.multi_network)
}

fn locality(place: &Place<'_>) -> String {
    if place.subzone.is_empty() {
        format!("{}/{}", place.region, place.zone)
    } else {
        format!("{}/{}/{}", place.region, place.zone, place.subzone)
    }
}

fn failover_model(
    plan: &Plan,
    mesh: &MeshFacts,
    placement: &ConfigPlacement,
    api_server: Option<&str>,
    entry: &Entry<'_>,
) -> FailoverModel {
    let item = entry.plan;
    let (name, namespace) = (entry.parsed.name.as_str(), entry.parsed.namespace.as_str());
    let detection = item.outlier_detection.clone().unwrap_or_default();
    let destination_rule = DestinationRule {
        api_version: mesh.gateway_api_version.clone(),
        name: name.to_owned(),
        namespace: namespace.to_owned(),
        host: format!("{name}.{namespace}.svc.{}", mesh.dns_domain),
        failover_priority: item.failover_priority.clone(),
        failover: item.failover.iter().map(|p| pair(&p.from, &p.to)).collect(),
        consecutive_5xx_errors: detection
            .consecutive_5xx_errors
            .unwrap_or(plan::DEFAULT_CONSECUTIVE_5XX_ERRORS),
        interval: detection
            .interval
            .unwrap_or_else(|| plan::DEFAULT_INTERVAL.to_owned()),
        base_ejection_time: detection
            .base_ejection_time
            .unwrap_or_else(|| plan::DEFAULT_BASE_EJECTION_TIME.to_owned()),
    };
    let files = match placement {
        ConfigPlacement::MeshControlPlane => vec![ConfigFile {
            path: layout::mesh_destination_rule(name, namespace),
            cluster: None,
            context: api_server.unwrap_or_default().to_owned(),
        }],
        ConfigPlacement::Clusters(clusters) => clusters
            .iter()
            .filter_map(|&i| plan.clusters.get(i))
            .map(|c| ConfigFile {
                path: layout::cluster_destination_rule(&c.name, name, namespace),
                cluster: Some(c.name.clone()),
                context: c.name.clone(),
            })
            .collect(),
    };
    let order_by = match (item.failover_priority.is_empty(), item.failover.is_empty()) {
        (true, true) => {
            "locality: the caller's region/zone/subzone, then its zone, its region, then any region"
                .to_owned()
        }
        (true, false) => {
            "locality, with the failover pairs deciding the region after the caller's own"
                .to_owned()
        }
        (false, true) => format!("the labels {}", item.failover_priority.join(", ")),
        (false, false) => format!(
            "the labels {}, then locality with the failover pairs within each level",
            item.failover_priority.join(", ")
        ),
    };
    let all_callers: Vec<Place<'_>> = plan.clusters.iter().flat_map(callers_of).collect();
    let callers = all_callers
        .iter()
        .take(MAX_CALLERS)
        .map(|caller| CallerOrder {
            cluster: caller.cluster.to_owned(),
            locality: locality(caller),
            levels: order(mesh, caller, entry)
                .into_iter()
                .enumerate()
                .map(|(i, level)| Level {
                    rank: i + 1,
                    more: level.len().saturating_sub(MAX_PER_LEVEL),
                    endpoints: level
                        .iter()
                        .take(MAX_PER_LEVEL)
                        .map(|seen| {
                            let endpoint = &entry.endpoints[seen.endpoint];
                            Endpoint {
                                cluster: endpoint.cluster.to_owned(),
                                locality: locality(endpoint),
                                version: entry.versions[seen.endpoint].map(str::to_owned),
                                via_gateway: seen.via_gateway,
                            }
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    FailoverModel {
        service: item.service.clone(),
        destination_rule,
        files,
        order_by,
        callers,
        more_callers: all_callers.len().saturating_sub(MAX_CALLERS),
    }
}

/// The demonstration: the first sleep cluster (plan order) in one locality whose order
/// has a second level; the helloworld Deployments of its first level are scaled to zero.
fn demo_failover(
    plan: &Plan,
    mesh: &MeshFacts,
    clusters: &[Arc<ClusterModel>],
    entries: &[Entry<'_>],
) -> Option<DemoFailover> {
    let demo = plan.demo.as_ref()?;
    let entry = entries.iter().find(|e| e.parsed.helloworld)?;
    let deployment = |cluster: &str| {
        clusters
            .iter()
            .find(|c| c.name == cluster)
            .and_then(|c| c.demo.as_ref()?.helloworld.as_ref())
            .map(|d| d.name.clone())
    };
    demo.sleep.clusters.iter().find_map(|name| {
        let cluster = plan.clusters.iter().find(|c| &c.name == name)?;
        let [caller] = callers_of(cluster).try_into().ok()?;
        let levels = order(mesh, &caller, entry);
        let first = levels.first()?;
        // Scaling a cluster's Deployment removes its pods in every locality.
        let scaled: BTreeSet<&str> = first
            .iter()
            .map(|s| entry.endpoints[s.endpoint].cluster)
            .collect();
        let next = levels.iter().skip(1).find_map(|level| {
            let left: BTreeSet<&str> = level
                .iter()
                .filter(|s| !scaled.contains(entry.endpoints[s.endpoint].cluster))
                .filter_map(|s| entry.versions[s.endpoint])
                .collect();
            (!left.is_empty()).then_some(left)
        })?;
        let versions = |level: &[priority::Seen]| -> BTreeSet<&str> {
            level
                .iter()
                .filter_map(|s| entry.versions[s.endpoint])
                .collect()
        };
        Some(DemoFailover {
            caller: name.clone(),
            locality: locality(&caller),
            namespace: demo.namespace.clone(),
            hello_url: super::demo::hello_url(&demo.namespace),
            first: versions(first).into_iter().map(str::to_owned).collect(),
            scale: scaled
                .iter()
                .filter_map(|c| Some(pair(c, &deployment(c)?)))
                .collect(),
            next: next.into_iter().map(str::to_owned).collect(),
            replicas: super::demo::HELLOWORLD_REPLICAS,
        })
    })
}
