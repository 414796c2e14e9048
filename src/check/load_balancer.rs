//! LoadBalancer IPs and MetalLB pools: where each IP may sit
//! (MG050–MG052, MG057), how pools relate (MG054, MG055), and whether they are big
//! enough for the Services they serve (MG056). Their syntax (MG031, MG053) is in
//! [`super::pools`].

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::net::IpAddr;

use super::overlap::{self, RangeIndex, Span};
use super::{ClusterFacts, Facts, Service, and_list, family, shown};
use crate::codes::Code;
use crate::diag::{Diagnostic, Diagnostics};
use crate::net::{self, DualStack};
use crate::plan::{Cluster, MeshMode};

pub(super) fn check(facts: &Facts, out: &mut Diagnostics) {
    let pools = pool_index(facts);
    lb_ips(facts, &pools, out);
    pool_overlaps(facts, out);
    pools_hold_master_ips(facts, out);
    for (i, cluster, f) in facts.each() {
        exhausted(facts, i, cluster, f, out);
    }
}

/// Every parsed pool entry of the mesh, tagged (cluster, pool).
fn pool_index(facts: &Facts) -> RangeIndex<(usize, usize)> {
    let spans = facts
        .each()
        .flat_map(|(i, _, f)| {
            f.pools.iter().enumerate().flat_map(move |(k, pool)| {
                pool.entries.iter().map(move |(_, e)| (e.range(), (i, k)))
            })
        })
        .collect();
    RangeIndex::new(spans)
}

fn pool_name(facts: &Facts, i: usize, k: usize) -> String {
    facts
        .plan
        .clusters
        .get(i)
        .and_then(|c| c.metallb.as_ref())
        .and_then(|m| m.pools.get(k))
        .map(|p| shown(&p.name))
        .unwrap_or_default()
}

/// MG050, MG051, MG052, MG057: each pinned IP, against its cluster and the mesh.
fn lb_ips(facts: &Facts, pools: &RangeIndex<(usize, usize)>, out: &mut Diagnostics) {
    let mut masters: HashMap<IpAddr, usize> = HashMap::with_capacity(facts.clusters.len());
    for (i, _, f) in facts.each() {
        if let Some(ip) = f.master_ip {
            masters.entry(ip).or_insert(i);
        }
    }
    let mut first_use: HashMap<IpAddr, (usize, Service)> =
        HashMap::with_capacity(facts.clusters.len() * 2);
    for (i, cluster, f) in facts.each() {
        for service in Service::ALL {
            let Some(ips) = f.lb_ips[service as usize] else {
                continue;
            };
            let path = || format!("clusters[{i}].loadBalancerIPs.{}", service.field());
            let what =
                |ip: IpAddr| format!("{} IP {ip} of {}", service.field(), facts.cluster_name(i));
            for ip in ips.iter() {
                match first_use.entry(ip) {
                    Entry::Vacant(e) => {
                        e.insert((i, service));
                    }
                    Entry::Occupied(e) => {
                        let (j, other) = *e.get();
                        let hint = match free_address(facts, i, Some(ip.is_ipv4())) {
                            Some(free) => format!(
                                "each LoadBalancer Service needs its own address; {} is free in {}'s pools",
                                free,
                                facts.cluster_name(i)
                            ),
                            None => {
                                "each LoadBalancer Service needs its own address: pick another \
                                     one, and add it to a pool if needed"
                                    .to_owned()
                            }
                        };
                        out.push(
                            Diagnostic::error(
                                Code::LbIpReused,
                                path(),
                                format!(
                                    "{} is already the {} IP of {} (clusters[{j}].loadBalancerIPs.{})",
                                    what(ip),
                                    other.field(),
                                    facts.cluster_name(j),
                                    other.field()
                                ),
                            )
                            .hint(hint),
                        );
                    }
                }
                // An address already refused for what it is needs no "outside the pools" too:
                // the hint of that refusal names the pools.
                let mut refused = false;
                if let Some(&j) = masters.get(&ip) {
                    refused = true;
                    let whose = if j == i {
                        "its own master IP".to_owned()
                    } else {
                        format!("the master IP of {}", facts.cluster_name(j))
                    };
                    out.push(
                        Diagnostic::error(
                            Code::LbIpIsMasterIp,
                            path(),
                            format!("{} is {whose}", what(ip)),
                        )
                        .hint(pick_hint(
                            facts,
                            i,
                            ip,
                            "the node already answers on that address",
                        )),
                    );
                }
                let subnets = [
                    ("podSubnet", f.pod_subnet),
                    ("serviceSubnet", f.service_subnet),
                ];
                for (field, subnet) in subnets {
                    if let Some(net) = subnet.and_then(|s| s.iter().find(|n| n.contains(&ip))) {
                        refused = true;
                        out.push(
                            Diagnostic::error(
                                Code::LbIpInSubnet,
                                path(),
                                format!("{} lies inside its {field} {net}", what(ip)),
                            )
                            .hint(pick_hint(
                                facts,
                                i,
                                ip,
                                "cluster traffic to that address would be routed to pods or Services",
                            )),
                        );
                    }
                }
                if !refused
                    && cluster.metallb.is_some()
                    && f.pools_parsed
                    && net::pool_for(&f.pools, ip).is_none()
                {
                    out.push(outside_pools(facts, pools, i, f, path(), &what(ip), ip));
                }
            }
            // MetalLB honours a Service's requested IPs only when one pool holds them all.
            let all: Vec<IpAddr> = ips.iter().collect();
            if all.len() > 1 && cluster.metallb.is_some() && f.pools_parsed {
                let each_served = all.iter().all(|ip| net::pool_for(&f.pools, *ip).is_some());
                let one_pool = f.pools.iter().any(|p| p.serves_all(all.iter().copied()));
                if each_served && !one_pool {
                    out.push(
                        Diagnostic::error(
                            Code::LbIpsSplitOverPools,
                            path(),
                            format!(
                                "the dual-stack {} IPs of {} ({}) lie in different MetalLB pools",
                                service.field(),
                                facts.cluster_name(i),
                                all.iter().map(IpAddr::to_string).collect::<Vec<_>>().join(", ")
                            ),
                        )
                        .hint(
                            "MetalLB assigns a Service's requested addresses only from one pool: put both \
                             families' ranges in the same pool",
                        ),
                    );
                }
            }
        }
    }
}

/// MG050 for `ip`, explaining where it is instead.
fn outside_pools(
    facts: &Facts,
    pools: &RangeIndex<(usize, usize)>,
    i: usize,
    f: &ClusterFacts,
    path: String,
    what: &str,
    ip: IpAddr,
) -> Diagnostic {
    let buggy = f.pools.iter().enumerate().find(|(_, p)| p.holds(ip));
    let message = if let Some((k, _)) = buggy {
        format!(
            "{what} is in pool {} of its cluster, but that pool sets avoidBuggyIPs, so MetalLB never \
             hands out an address ending in .0 or .255",
            pool_name(facts, i, k)
        )
    } else if f.pools.is_empty() {
        format!("{what} cannot be served: the cluster has no MetalLB pool")
    } else if let Some((_, (j, k))) = pools.find(ip).filter(|(_, (j, _))| *j != i) {
        format!(
            "{what} is outside every MetalLB pool of its cluster; it is in pool {} of {}, and MetalLB \
             only hands out a cluster's own pools",
            pool_name(facts, j, k),
            facts.cluster_name(j)
        )
    } else {
        format!("{what} is outside every MetalLB pool of its cluster")
    };
    Diagnostic::error(Code::LbIpOutsidePools, path, message).hint(pick_hint(
        facts,
        i,
        ip,
        "MetalLB assigns only addresses of the cluster's pools",
    ))
}

/// "pick an address in first-pool (10.6.136.25-10.6.136.29), e.g. 10.6.136.25".
fn pick_hint(facts: &Facts, i: usize, ip: IpAddr, why: &str) -> String {
    let Some(f) = facts.clusters.get(i) else {
        return why.to_owned();
    };
    let choices: Vec<String> = f
        .pools
        .iter()
        .enumerate()
        .filter_map(|(k, pool)| {
            let ranges: Vec<String> = pool
                .entries
                .iter()
                .map(|(_, e)| e.range())
                .filter(|r| r.is_ipv4() == ip.is_ipv4())
                .map(|r| r.to_string())
                .collect();
            (!ranges.is_empty())
                .then(|| format!("{} ({})", pool_name(facts, i, k), ranges.join(", ")))
        })
        .take(3)
        .collect();
    if choices.is_empty() {
        return format!(
            "{why}: add an {} pool to clusters[{i}].metallb.pools that holds the address",
            family(ip)
        );
    }
    let example = free_address(facts, i, Some(ip.is_ipv4()))
        .map(|free| format!(", e.g. {free}"))
        .unwrap_or_default();
    format!(
        "{why}: pick an address in {}{example}",
        choices.join(" or ")
    )
}

/// A free address in cluster `i`'s pools (of one family, if given): one MetalLB hands out,
/// and no LoadBalancer or master IP of the mesh. Looks at the first few addresses of each entry.
pub(super) fn free_address(facts: &Facts, i: usize, ipv4: Option<bool>) -> Option<IpAddr> {
    const LOOK: u128 = 64;
    let f = facts.clusters.get(i)?;
    for pool in &f.pools {
        for range in pool.entries.iter().map(|(_, e)| e.range()) {
            if ipv4.is_some_and(|v4| v4 != range.is_ipv4()) {
                continue;
            }
            for offset in 0..LOOK.min(range.size()) {
                let Some(ip) = net::ip_add(range.start, offset) else {
                    break;
                };
                if pool.serves(ip) && !facts.taken.contains(&ip) {
                    return Some(ip);
                }
            }
        }
    }
    None
}

/// MG054: pool entries that overlap, within a pool, between pools, or across clusters.
fn pool_overlaps(facts: &Facts, out: &mut Diagnostics) {
    let mut spans: Vec<Span<(usize, usize, usize)>> = facts
        .each()
        .flat_map(|(i, _, f)| {
            f.pools.iter().enumerate().flat_map(move |(k, pool)| {
                pool.entries.iter().map(move |(m, e)| Span {
                    range: e.range(),
                    group: 0,
                    tag: (i, k, *m),
                })
            })
        })
        .collect();
    let entry = |(i, k, m): (usize, usize, usize)| {
        let text = facts
            .plan
            .clusters
            .get(i)
            .and_then(|c| c.metallb.as_ref())
            .and_then(|p| p.pools.get(k))
            .and_then(|p| p.addresses.get(m))
            .map(|a| shown(a))
            .unwrap_or_default();
        (text, pool_name(facts, i, k))
    };
    overlap::within_groups(&mut spans, |a, b| {
        let (first, later) = if a.tag <= b.tag { (a, b) } else { (b, a) };
        let (i, k, m) = later.tag;
        let (text, pool) = entry(later.tag);
        let (other_text, other_pool) = entry(first.tag);
        let other = if first.tag.0 == i && first.tag.1 == k {
            format!("entry {other_text} of the same pool")
        } else if first.tag.0 == i {
            format!("{other_text} of pool {other_pool} in the same cluster")
        } else {
            format!(
                "{other_text} of pool {other_pool} of {}",
                facts.cluster_name(first.tag.0)
            )
        };
        out.push(
            Diagnostic::error(
                Code::PoolsOverlap,
                format!("clusters[{i}].metallb.pools[{k}].addresses[{m}]"),
                format!(
                    "{text} of pool {pool} of {} overlaps {other}",
                    facts.cluster_name(i)
                ),
            )
            .hint(
                "MetalLB could hand the shared addresses to two Services at once: split the \
                 addresses so that each belongs to one pool",
            ),
        );
    });
}

/// MG055: a pool entry holding a master IP (the cluster's own, or another cluster's).
fn pools_hold_master_ips(facts: &Facts, out: &mut Diagnostics) {
    let mut masters: Vec<(IpAddr, usize)> = facts
        .each()
        .filter_map(|(i, _, f)| f.master_ip.map(|ip| (ip, i)))
        .collect();
    masters.sort_unstable();
    for (i, cluster, f) in facts.each() {
        for (k, pool) in f.pools.iter().enumerate() {
            for (m, entry) in &pool.entries {
                let range = entry.range();
                let own = f.master_ip.filter(|ip| range.contains(*ip));
                let held = match own {
                    Some(ip) => Some((ip, i)),
                    None => {
                        let from = masters.partition_point(|(ip, _)| *ip < range.start);
                        masters
                            .get(from)
                            .copied()
                            .filter(|(ip, _)| range.contains(*ip))
                    }
                };
                let Some((ip, j)) = held else { continue };
                let whose = if j == i {
                    "its own masterIP".to_owned()
                } else {
                    format!("the masterIP of {}", facts.cluster_name(j))
                };
                let text = cluster
                    .metallb
                    .as_ref()
                    .and_then(|mb| mb.pools.get(k))
                    .and_then(|p| p.addresses.get(*m))
                    .map(|a| shown(a))
                    .unwrap_or_default();
                out.push(
                    Diagnostic::error(
                        Code::PoolHoldsMasterIp,
                        format!("clusters[{i}].metallb.pools[{k}].addresses[{m}]"),
                        format!(
                            "{text} of pool {} of {} holds {whose} {ip}",
                            pool_name(facts, i, k),
                            facts.cluster_name(i)
                        ),
                    )
                    .hint(format!(
                        "MetalLB would announce the node's address for a Service: leave {ip} out of the pool"
                    )),
                );
            }
        }
    }
}

/// MG056: the pools cannot give every LoadBalancer Service of the cluster an address.
///
/// The Services: the ingress gateway (always in hosted mode, where Mspider installs it;
/// in the upstream modes where an ingress IP is planned, as only there meshgen installs
/// one); the east-west gateway where one runs ([`Plan::runs_east_west_gateway`]); the
/// istiod LoadBalancer in the control-plane cluster (always in hosted mode; in
/// primary-remote where an istiod IP is planned). A pinned IP comes from the pool holding it; each
/// Service without one needs an address of the cluster's primary family (its first
/// podSubnet's) from an `autoAssign` pool. `avoidBuggyIPs` pools count without `.0`/`.255`.
fn exhausted(facts: &Facts, i: usize, cluster: &Cluster, f: &ClusterFacts, out: &mut Diagnostics) {
    if cluster.metallb.is_none() || !f.pools_parsed {
        return;
    }
    let mut services = Vec::with_capacity(3);
    let ips = &cluster.load_balancer_ips;
    let hosted = facts.plan.mesh.mode == MeshMode::Hosted;
    if facts.control_plane == Some(i) && (hosted || ips.istiod.is_some()) {
        services.push(Service::Istiod);
    }
    if facts.plan.runs_east_west_gateway(i) {
        services.push(Service::EastWest);
    }
    if hosted || ips.ingress.is_some() {
        services.push(Service::Ingress);
    }
    let primary_v4 = f.pod_subnet.map(|s| s.first.addr().is_ipv4());
    let wanted = |ip: &IpAddr| primary_v4.is_none_or(|v4| v4 == ip.is_ipv4());

    let mut taken = vec![0u128; f.pools.len()];
    let mut pinned: Vec<IpAddr> = Vec::with_capacity(6);
    let mut unpinned = Vec::with_capacity(3);
    for &service in &services {
        if service.ip(&cluster.load_balancer_ips).is_none() {
            unpinned.push(service);
        }
        for ip in f.lb_ips[service as usize].iter().flat_map(DualStack::iter) {
            if !wanted(&ip) || pinned.contains(&ip) {
                continue;
            }
            pinned.push(ip);
            if let Some(k) = net::pool_for(&f.pools, ip)
                && let Some(t) = taken.get_mut(k)
            {
                *t += 1;
            }
        }
    }
    if unpinned.is_empty() {
        return;
    }
    let mut free: u128 = 0;
    let mut held: u128 = 0;
    for (pool, taken) in f.pools.iter().zip(&taken) {
        let size: u128 = pool
            .entries
            .iter()
            .map(|(_, e)| e.range())
            .filter(|r| wanted(&r.start))
            .map(|r| r.usable(pool.avoid_buggy_ips))
            .fold(0, u128::saturating_add);
        if pool.auto_assign {
            held = held.saturating_add(size);
            free = free.saturating_add(size.saturating_sub(*taken));
        }
    }
    let need = unpinned.len() as u128;
    if need <= free {
        return;
    }
    let fam = match primary_v4 {
        Some(true) => "IPv4 ",
        Some(false) => "IPv6 ",
        None => "",
    };
    let titles: Vec<&str> = unpinned.iter().map(|s| s.title()).collect();
    let (has, needs) = if need == 1 {
        ("has", "needs")
    } else {
        ("have", "need")
    };
    let addresses = |n: u128| format!("{n} {fam}address{}", if n == 1 { "" } else { "es" });
    out.push(
        Diagnostic::error(
            Code::PoolsExhausted,
            format!("clusters[{i}].metallb.pools"),
            format!(
                "the MetalLB pools of {} run out: {} {has} no pinned IP and {needs} {} from autoAssign \
                 pools, which hold {} with {} left after the pinned IPs",
                facts.cluster_name(i),
                and_list(&titles),
                addresses(need),
                addresses(held),
                free
            ),
        )
        .hint(format!(
            "add at least {} to an autoAssign pool of clusters[{i}].metallb.pools, or pin the \
             Services' IPs in clusters[{i}].loadBalancerIPs",
            addresses(need - free)
        )),
    );
}
