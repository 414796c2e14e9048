//! The order in which istiod has a caller's sidecar try a service's endpoints: Envoy
//! priorities, from the caller's locality, the endpoints' localities and networks, and
//! the DestinationRule's `localityLbSetting`.
//!
//! A port of istio/istio (release 1.30, `86c9f01`):
//! - `pilot/pkg/networking/core/loadbalancer/loadbalancer.go`: `ApplyLocalityLoadBalancer`
//!   (with outlier detection set, `failoverPriority` orders by labels and `failover`, if
//!   also set, orders within each level; without `failoverPriority`, the locality order),
//!   `applyLocalityFailover`, `applyFailoverPriorities`, `applyFailoverPriorityPerLocality`;
//! - `pilot/pkg/networking/util/util.go`: `LbPriority` (0 same region/zone/subzone, 1 same
//!   zone, 2 same region, 3 another region; 4 another region than the caller's `failover`
//!   pair names);
//! - `pilot/pkg/xds/endpoints/ep_filters.go`: `EndpointsByNetworkFilter`. An endpoint on
//!   another network is reached through that network's east-west gateway, and stands in
//!   its locality group as an endpoint labelled with the network only (the gateway's
//!   cluster: none for a meshNetworks gateway). So `failoverPriority` cannot order other
//!   networks by region or zone, while the locality order still can;
//! - `pilot/pkg/serviceregistry/util/label/label.go`: `AugmentLabels` (the region, zone,
//!   subzone, cluster and network labels that pods and callers carry).
//!
//! Every level is renumbered from 0 without gaps, as pilot does.

use std::collections::{BTreeMap, BTreeSet};

use super::mesh::{LABEL_NETWORK, LABEL_REGION, LABEL_SUBZONE, LABEL_ZONE};

/// The cluster label pilot adds to every endpoint and caller.
pub const LABEL_CLUSTER: &str = "topology.istio.io/cluster";

/// Where a caller or an endpoint runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place<'a> {
    pub cluster: &'a str,
    pub network: &'a str,
    pub region: &'a str,
    pub zone: &'a str,
    /// Empty when the node has none.
    pub subzone: &'a str,
    /// The pod's own labels (helloworld's `app` and `version`).
    pub pod_labels: Vec<(&'a str, &'a str)>,
}

impl Place<'_> {
    fn locality(&self) -> (&str, &str, &str) {
        (self.region, self.zone, self.subzone)
    }

    /// `AugmentLabels`: pod labels, then the topology labels that are set; the network
    /// only when no pod label sets it.
    fn labels(&self) -> BTreeMap<&str, &str> {
        let mut labels: BTreeMap<&str, &str> = self.pod_labels.iter().copied().collect();
        for (key, value) in [
            (LABEL_REGION, self.region),
            (LABEL_ZONE, self.zone),
            (LABEL_SUBZONE, self.subzone),
            (LABEL_CLUSTER, self.cluster),
        ] {
            if !value.is_empty() {
                labels.insert(key, value);
            }
        }
        if !self.network.is_empty() {
            labels.entry(LABEL_NETWORK).or_insert(self.network);
        }
        labels
    }
}

/// The DestinationRule's `localityLbSetting` (with outlier detection, which meshgen always sets).
pub struct Setting<'a> {
    pub failover_priority: &'a [String],
    /// `(from, to)` region pairs.
    pub failover: &'a [(String, String)],
}

/// One endpoint as the caller's Envoy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// Index into the endpoints given to [`levels`].
    pub endpoint: usize,
    /// Reached through the endpoint's network's east-west gateway.
    pub via_gateway: bool,
}

/// The endpoints by priority level, best first (each level in the endpoints' order).
/// `multi_network`: endpoints on another network than the caller's go through a gateway.
pub fn levels(
    caller: &Place<'_>,
    endpoints: &[Place<'_>],
    setting: &Setting<'_>,
    multi_network: bool,
) -> Vec<Vec<Seen>> {
    let caller_labels = caller.labels();
    // Each endpoint with the labels pilot compares and its (label-based) priority.
    let mut ranked: Vec<(usize, bool, usize)> = endpoints
        .iter()
        .enumerate()
        .map(|(i, endpoint)| {
            let via_gateway = multi_network && endpoint.network != caller.network;
            let labels = if via_gateway {
                BTreeMap::from([(LABEL_NETWORK, endpoint.network)])
            } else {
                endpoint.labels()
            };
            let priority = if setting.failover_priority.is_empty() {
                0
            } else {
                label_priority(&caller_labels, &labels, setting.failover_priority)
            };
            (i, via_gateway, priority)
        })
        .collect();
    // Renumber the label priorities (applyFailoverPriorities), then compose with the
    // locality order when it applies: old * 5 + locality priority (applyLocalityFailover).
    compact(&mut ranked);
    if setting.failover_priority.is_empty() || !setting.failover.is_empty() {
        for (i, _, priority) in &mut ranked {
            let locality = locality_priority(caller, &endpoints[*i], setting.failover);
            *priority = *priority * 5 + locality;
        }
        compact(&mut ranked);
    }
    let mut levels: BTreeMap<usize, Vec<Seen>> = BTreeMap::new();
    for (endpoint, via_gateway, priority) in ranked {
        levels.entry(priority).or_default().push(Seen {
            endpoint,
            via_gateway,
        });
    }
    levels.into_values().collect()
}

/// `applyFailoverPriorityPerLocality`: with N keys, an endpoint matching the caller on all N
/// is 0, on the first N-1 is 1, ..., on none N. A network mismatch as the first key ranks
/// below every same-network endpoint, the other keys still ordering the other networks.
fn label_priority(
    caller: &BTreeMap<&str, &str>,
    endpoint: &BTreeMap<&str, &str>,
    keys: &[String],
) -> usize {
    let n = keys.len();
    let includes_network = keys.first().is_some_and(|k| k == LABEL_NETWORK);
    let mut adjust = 0;
    for (j, entry) in keys.iter().enumerate() {
        // `key=value` compares with the value (`priorityLabelOverrides`).
        let (key, wanted) = match entry.split_once('=') {
            Some((key, value)) => (key, value),
            None => (
                entry.as_str(),
                caller.get(entry.as_str()).copied().unwrap_or(""),
            ),
        };
        if endpoint.get(key).copied().unwrap_or("") != wanted {
            if j == 0 && includes_network {
                adjust = n;
                continue;
            }
            return n - j + adjust;
        }
    }
    adjust
}

/// `LbPriority`, and 4 for another region than the one the caller's region fails over to.
fn locality_priority(
    caller: &Place<'_>,
    endpoint: &Place<'_>,
    failover: &[(String, String)],
) -> usize {
    let (region, zone, subzone) = caller.locality();
    let priority = if endpoint.region == region {
        if endpoint.zone != zone {
            2
        } else if endpoint.subzone != subzone {
            1
        } else {
            0
        }
    } else {
        3
    };
    // Only the first pair from the caller's region counts.
    match failover.iter().find(|(from, _)| from == region) {
        Some((_, to)) if priority == 3 && endpoint.region != to => 4,
        _ => priority,
    }
}

/// Renumber the priorities 0..N in order, without gaps.
fn compact(ranked: &mut [(usize, bool, usize)]) {
    let order: BTreeMap<usize, usize> = ranked
        .iter()
        .map(|r| r.2)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .enumerate()
        .map(|(i, p)| (p, i))
        .collect();
    for r in ranked {
        r.2 = order.get(&r.2).copied().unwrap_or(r.2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place<'a>(cluster: &'a str, network: &'a str, region: &'a str, zone: &'a str) -> Place<'a> {
        Place {
            cluster,
            network,
            region,
            zone,
            subzone: "",
            pod_labels: vec![],
        }
    }

    fn names(levels: &[Vec<Seen>], endpoints: &[Place<'_>]) -> Vec<Vec<String>> {
        levels
            .iter()
            .map(|level| {
                level
                    .iter()
                    .map(|s| endpoints[s.endpoint].cluster.to_owned())
                    .collect()
            })
            .collect()
    }

    /// The istio.io failover task (`locality-load-balancing/failover/index.md`): sleep in
    /// region1/zone1, failover region1 -> region2: region1.zone1, region1.zone2,
    /// region2.zone3, region3.zone4 (the same as `tools/predict_order.py` prints).
    #[test]
    fn the_istio_io_failover_task() {
        let caller = place("c1", "n", "region1", "zone1");
        let endpoints = [
            place("r1z1", "n", "region1", "zone1"),
            place("r1z2", "n", "region1", "zone2"),
            place("r2z3", "n", "region2", "zone3"),
            place("r3z4", "n", "region3", "zone4"),
        ];
        let failover = [("region1".to_owned(), "region2".to_owned())];
        let setting = Setting {
            failover_priority: &[],
            failover: &failover,
        };
        let order = levels(&caller, &endpoints, &setting, false);
        assert_eq!(
            names(&order, &endpoints),
            [["r1z1"], ["r1z2"], ["r2z3"], ["r3z4"]]
        );
        // Without the pair, region2 and region3 share the last level.
        let setting = Setting {
            failover_priority: &[],
            failover: &[],
        };
        let order = levels(&caller, &endpoints, &setting, false);
        assert_eq!(
            names(&order, &endpoints),
            vec![vec!["r1z1"], vec!["r1z2"], vec!["r2z3", "r3z4"]]
        );
    }

    /// failoverPriority [network, region, zone] across three networks: other networks are
    /// one level, whatever their region (their gateway endpoints carry no region label);
    /// the locality order still ranks them by region.
    #[test]
    fn other_networks_are_not_ranked_by_region_with_failover_priority() {
        let caller = place("c1", "n1", "region1", "zone1");
        let endpoints = [
            place("c1", "n1", "region1", "zone1"),
            place("c2", "n2", "region1", "zone2"),
            place("c3", "n3", "region2", "zone3"),
            place("c4", "n1", "region2", "zone4"),
        ];
        let keys = [LABEL_NETWORK, LABEL_REGION, LABEL_ZONE].map(str::to_owned);
        let setting = Setting {
            failover_priority: &keys,
            failover: &[],
        };
        let order = levels(&caller, &endpoints, &setting, true);
        assert_eq!(
            names(&order, &endpoints),
            vec![vec!["c1"], vec!["c4"], vec!["c2", "c3"]]
        );
        assert!(order[2].iter().all(|s| s.via_gateway));
        assert!(!order[1][0].via_gateway);
        let setting = Setting {
            failover_priority: &[],
            failover: &[],
        };
        let order = levels(&caller, &endpoints, &setting, true);
        assert_eq!(
            names(&order, &endpoints),
            vec![vec!["c1"], vec!["c2"], vec!["c3", "c4"]]
        );
    }

    #[test]
    fn key_value_entries_compare_with_the_value() {
        let caller = place("c1", "n", "region1", "zone1");
        let endpoints = [
            place("c1", "n", "region1", "zone1"),
            place("c2", "n", "region2", "zone2"),
        ];
        let keys = [format!("{LABEL_REGION}=region2")];
        let setting = Setting {
            failover_priority: &keys,
            failover: &[],
        };
        let order = levels(&caller, &endpoints, &setting, false);
        assert_eq!(names(&order, &endpoints), [["c2"], ["c1"]]);
    }
}
