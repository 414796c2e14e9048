//! Pod and service subnets and master IPs: syntax (MG030, MG031), overlaps (MG032–MG034),
//! and single-network mode (MG035).

use std::collections::HashMap;
use std::net::IpAddr;

use ipnet::IpNet;

use super::overlap::{self, Span};
use super::{Facts, not_valid, shown};
use crate::codes::Code;
use crate::diag::{Diagnostic, Diagnostics};
use crate::net::{self, AddrRange, DualStack};
use crate::plan::{Cluster, NetworkMode};

/// Parse cluster `i`'s subnets and master IP, reporting those that do not parse.
pub(super) fn parse(
    i: usize,
    cluster: &Cluster,
    out: &mut Diagnostics,
) -> (
    Option<DualStack<IpNet>>,
    Option<DualStack<IpNet>>,
    Option<IpAddr>,
) {
    let pod = parse_subnet(i, "podSubnet", &cluster.pod_subnet, out);
    let service = cluster
        .service_subnet
        .as_deref()
        .and_then(|text| parse_subnet(i, "serviceSubnet", text, out));
    let master = match net::parse_ip(&cluster.master_ip) {
        Ok(ip) => Some(ip),
        Err(reason) => {
            let hint = if cluster.master_ip.contains(',') {
                "masterIP takes one address: the one kubeadm advertises the API server on"
                    .to_owned()
            } else {
                "write the control-plane node's address, e.g. 10.64.30.130 or fd00::130".to_owned()
            };
            out.push(
                Diagnostic::error(
                    Code::InvalidIp,
                    format!("clusters[{i}].masterIP"),
                    not_valid("masterIP", &cluster.master_ip, &reason),
                )
                .hint(hint),
            );
            None
        }
    };
    (pod, service, master)
}

fn parse_subnet(
    i: usize,
    field: &str,
    text: &str,
    out: &mut Diagnostics,
) -> Option<DualStack<IpNet>> {
    match net::parse_dual_cidrs(text) {
        Ok(subnet) => Some(subnet),
        Err(reason) => {
            out.push(
                Diagnostic::error(
                    Code::InvalidCidr,
                    format!("clusters[{i}].{field}"),
                    not_valid(field, text, &reason),
                )
                .hint(cidr_hint(text)),
            );
            None
        }
    }
}

/// A fix for a CIDR that does not parse: the network when host bits are set, else the form.
fn cidr_hint(text: &str) -> String {
    let fixed: Vec<String> = text
        .split(',')
        .filter_map(|part| part.trim().parse::<IpNet>().ok())
        .filter(|n| n.addr() != n.network())
        .map(|n| n.trunc().to_string())
        .collect();
    if let [network] = fixed.as_slice() {
        format!("write the network address: {network}")
    } else {
        "write address/prefix with no host bits, e.g. 10.244.0.0/16; for dual-stack one IPv4 and one \
         IPv6 CIDR separated by a comma, e.g. 10.244.0.0/16,fd00:10:244::/56"
            .to_owned()
    }
}

pub(super) fn check(facts: &Facts, out: &mut Diagnostics) {
    pod_overlaps(facts, out);
    service_overlaps_pod(facts, out);
    if facts.plan.mesh.network_mode == NetworkMode::Single {
        single_network(facts, out);
    }
}

/// MG032 (same network, or any two in single mode) and MG034 (different networks).
fn pod_overlaps(facts: &Facts, out: &mut Diagnostics) {
    let single = facts.plan.mesh.network_mode == NetworkMode::Single;
    let mut networks: HashMap<&str, usize> = HashMap::new();
    let mut spans = Vec::with_capacity(facts.clusters.len());
    for (i, cluster, f) in facts.each() {
        let next = networks.len();
        let group = if single {
            0
        } else {
            *networks.entry(cluster.network.as_str()).or_insert(next)
        };
        if let Some(subnet) = f.pod_subnet {
            spans.extend(subnet.iter().map(|net| Span {
                range: AddrRange::of_net(&net),
                group,
                tag: (i, net),
            }));
        }
    }
    let describe =
        |(i, net): (usize, IpNet)| format!("podSubnet {net} of {}", facts.cluster_name(i));
    overlap::within_groups(&mut spans, |a, b| {
        let (first, later) = if a.tag <= b.tag { (a, b) } else { (b, a) };
        let network = facts
            .plan
            .clusters
            .get(later.tag.0)
            .map(|c| shown(&c.network))
            .unwrap_or_default();
        let (message, hint) = if single {
            (
                format!(
                    "{} overlaps {}; in networkMode single every pod must be reachable by its own address",
                    describe(later.tag),
                    describe(first.tag)
                ),
                "give the clusters pod subnets that do not overlap, or use networkMode: multi with a \
                 network per cluster"
                    .to_owned(),
            )
        } else {
            (
                format!(
                    "{} overlaps {}, and both clusters are on network {network}",
                    describe(later.tag),
                    describe(first.tag)
                ),
                format!(
                    "clusters on one network reach each other's pods directly, so their pod subnets must \
                     not overlap: give {} its own network ID, or change one of the subnets",
                    facts.cluster_name(later.tag.0)
                ),
            )
        };
        out.push(
            Diagnostic::error(
                Code::PodSubnetsOverlap,
                format!("clusters[{}].podSubnet", later.tag.0),
                message,
            )
            .hint(hint),
        );
    });
    if single {
        return;
    }
    overlap::across_groups(&mut spans, |a, b| {
        let (first, later) = if a.tag <= b.tag { (a, b) } else { (b, a) };
        let network = |i: usize| {
            facts
                .plan
                .clusters
                .get(i)
                .map(|c| shown(&c.network))
                .unwrap_or_default()
        };
        out.push(
            Diagnostic::warning(
                Code::PodSubnetsOverlapAcrossNetworks,
                format!("clusters[{}].podSubnet", later.tag.0),
                format!(
                    "{} (network {}) overlaps {} (network {})",
                    describe(later.tag),
                    network(later.tag.0),
                    describe(first.tag),
                    network(first.tag.0)
                ),
            )
            .hint(
                "east-west gateways keep the networks apart, but Istio's DNS proxy and headless \
                 services hand out pod addresses, which then reach the wrong cluster; use distinct \
                 pod subnets where you can",
            ),
        );
    });
}

/// MG033: a cluster's service subnet overlaps its own pod subnet.
fn service_overlaps_pod(facts: &Facts, out: &mut Diagnostics) {
    for (i, _, f) in facts.each() {
        let (Some(pods), Some(services)) = (f.pod_subnet, f.service_subnet) else {
            continue;
        };
        let clash = services.iter().find_map(|s| {
            pods.iter()
                .find(|p| AddrRange::of_net(p).overlaps(&AddrRange::of_net(&s)))
                .map(|p| (s, p))
        });
        if let Some((service, pod)) = clash {
            out.push(
                Diagnostic::error(
                    Code::ServiceSubnetOverlapsPod,
                    format!("clusters[{i}].serviceSubnet"),
                    format!(
                        "serviceSubnet {service} of {} overlaps its podSubnet {pod}",
                        facts.cluster_name(i)
                    ),
                )
                .hint(
                    "Service IPs and pod IPs must be told apart by address: pick a service subnet \
                     outside the pod subnet (kubeadm's default is 10.96.0.0/12)",
                ),
            );
        }
    }
}

/// MG035: single network mode, but the clusters name more than one network.
fn single_network(facts: &Facts, out: &mut Diagnostics) {
    // The network most clusters name (the first such, on a tie) is taken as the intended one.
    let mut counts: HashMap<&str, (usize, usize)> = HashMap::new();
    for (i, cluster) in facts.plan.clusters.iter().enumerate() {
        counts.entry(cluster.network.as_str()).or_insert((0, i)).0 += 1;
    }
    let Some((main, (count, first))) = counts
        .iter()
        .max_by_key(|(_, (count, first))| (*count, std::cmp::Reverse(*first)))
    else {
        return;
    };
    if counts.len() < 2 {
        return;
    }
    let others = match count {
        1 => format!("{} is on {}", facts.cluster_name(*first), shown(main)),
        n => format!("{n} clusters are on {}", shown(main)),
    };
    for (i, cluster) in facts.plan.clusters.iter().enumerate() {
        if cluster.network != *main {
            out.push(
                Diagnostic::error(
                    Code::SingleModeSplitNetworks,
                    format!("clusters[{i}].network"),
                    format!(
                        "networkMode is single, but {} is on network {} while {others}",
                        facts.cluster_name(i),
                        shown(&cluster.network),
                    ),
                )
                .hint(format!(
                    "in single mode every cluster shares one network: set network: {}, or set \
                     mesh.networkMode: multi if the pod networks cannot reach each other",
                    shown(main)
                )),
            );
        }
    }
}
