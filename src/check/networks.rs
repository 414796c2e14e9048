//! Networks: in multi mode each network needs an east-west gateway (MG040); in single
//! mode an east-west IP is unused (MG041); the NodePort fallback needs a port of the
//! NodePort range on a cluster with an east-west gateway (MG042).

use std::collections::HashMap;

use super::load_balancer::free_address;
use super::{Facts, and_list, shown};
use crate::codes::Code;
use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::NetworkMode;

/// Kubernetes' default NodePort range (kube-apiserver `--service-node-port-range`,
/// `30000-32767`).
pub const NODE_PORT_RANGE: std::ops::RangeInclusive<u16> = 30000..=32767;

pub(super) fn check(facts: &Facts, out: &mut Diagnostics) {
    match facts.plan.mesh.network_mode {
        NetworkMode::Multi => gateways(facts, out),
        NetworkMode::Single => unused_east_west(facts, out),
    }
    node_ports(facts, out);
}

/// MG042: `eastWestNodePort` outside the NodePort range, or on a cluster without an
/// east-west gateway.
fn node_ports(facts: &Facts, out: &mut Diagnostics) {
    let multi = facts.plan.mesh.network_mode == NetworkMode::Multi;
    for (i, cluster) in facts.plan.clusters.iter().enumerate() {
        let Some(port) = cluster.east_west_node_port else {
            continue;
        };
        let path = format!("clusters[{i}].eastWestNodePort");
        let (start, end) = (NODE_PORT_RANGE.start(), NODE_PORT_RANGE.end());
        if !NODE_PORT_RANGE.contains(&port) {
            out.push(
                Diagnostic::error(
                    Code::InvalidEastWestNodePort,
                    path,
                    format!(
                        "eastWestNodePort {port} of {} is outside Kubernetes' NodePort range \
                         {start}-{end}, so the API server refuses the Service",
                        facts.cluster_name(i)
                    ),
                )
                .hint(format!("pick a free port in {start}-{end}, e.g. 31443")),
            );
        } else if !(multi && cluster.load_balancer_ips.east_west.is_some()) {
            let why = if multi {
                "it sets no loadBalancerIPs.eastWest"
            } else {
                "networkMode single installs none"
            };
            out.push(
                Diagnostic::error(
                    Code::InvalidEastWestNodePort,
                    path,
                    format!(
                        "{} sets eastWestNodePort, but runs no east-west gateway: {why}",
                        facts.cluster_name(i)
                    ),
                )
                .hint("remove eastWestNodePort, or give the cluster an east-west gateway"),
            );
        }
    }
}

/// MG040: a network none of whose clusters sets `loadBalancerIPs.eastWest`.
fn gateways(facts: &Facts, out: &mut Diagnostics) {
    /// Names shown for a network's clusters.
    const SHOWN: usize = 3;
    struct Network {
        /// The first `SHOWN` clusters on it.
        some: [usize; SHOWN],
        clusters: usize,
        has_gateway: bool,
    }
    let mut networks: HashMap<&str, Network> = HashMap::new();
    for (i, cluster) in facts.plan.clusters.iter().enumerate() {
        let n = networks.entry(cluster.network.as_str()).or_insert(Network {
            some: [i; SHOWN],
            clusters: 0,
            has_gateway: false,
        });
        if let Some(slot) = n.some.get_mut(n.clusters) {
            *slot = i;
        }
        n.clusters += 1;
        n.has_gateway |= cluster.load_balancer_ips.east_west.is_some();
    }
    let mut missing: Vec<(&str, &Network)> = networks
        .iter()
        .filter(|(_, n)| !n.has_gateway)
        .map(|(id, n)| (*id, n))
        .collect();
    missing.sort_unstable_by_key(|(_, n)| n.some[0]);
    for (id, n) in missing {
        let i = n.some[0];
        let on_it = if n.clusters == 1 {
            format!(
                "its only cluster, {}, does not set loadBalancerIPs.eastWest",
                facts.cluster_name(i)
            )
        } else {
            let names: Vec<String> = n.some[..n.clusters.min(SHOWN)]
                .iter()
                .map(|&j| facts.cluster_name(j))
                .collect();
            let more = if n.clusters > SHOWN { " and more" } else { "" };
            format!(
                "none of its clusters ({}{more}) sets loadBalancerIPs.eastWest",
                and_list(&names)
            )
        };
        let example = free_address(facts, i, None)
            .map(|ip| format!(", e.g. {ip}"))
            .unwrap_or_default();
        out.push(
            Diagnostic::error(
                Code::NetworkWithoutEastWest,
                format!("clusters[{i}].loadBalancerIPs.eastWest"),
                format!("network {} has no east-west gateway: {on_it}", shown(id)),
            )
            .hint(format!(
                "the other networks reach its pods only through that gateway: set \
                 clusters[{i}].loadBalancerIPs.eastWest to a free address of its pools{example}"
            )),
        );
    }
}

/// MG041 (warning): an east-west IP in single network mode, where no such gateway is installed.
fn unused_east_west(facts: &Facts, out: &mut Diagnostics) {
    for (i, cluster) in facts.plan.clusters.iter().enumerate() {
        if cluster.load_balancer_ips.east_west.is_some() && !facts.plan.runs_east_west_gateway(i) {
            out.push(
                Diagnostic::warning(
                    Code::UnusedEastWest,
                    format!("clusters[{i}].loadBalancerIPs.eastWest"),
                    format!(
                        "{} sets loadBalancerIPs.eastWest, but networkMode single installs no \
                         east-west gateway",
                        facts.cluster_name(i)
                    ),
                )
                .hint(
                    "remove it; or, if the pod networks cannot reach each other, set \
                     mesh.networkMode: multi with a network per cluster",
                ),
            );
        }
    }
}
