//! LoadBalancer IPs and MetalLB pool entries, parsed once for every rule (MG031, MG053).

use std::net::IpAddr;

use super::{Service, not_valid, shown};
use crate::codes::Code;
use crate::diag::{Diagnostic, Diagnostics};
use crate::net::{self, DualStack, Pool, PoolEntry};
use crate::plan::Cluster;

type Parsed = ([Option<DualStack<IpAddr>>; 3], Vec<Pool>, bool);

/// Parse cluster `i`'s LoadBalancer IPs and pool entries, reporting those that do not parse.
pub(super) fn parse(i: usize, cluster: &Cluster, out: &mut Diagnostics) -> Parsed {
    let mut lb_ips = [None; 3];
    for service in Service::ALL {
        let Some(text) = service.ip(&cluster.load_balancer_ips) else {
            continue;
        };
        match net::parse_dual_ips(text) {
            Ok(ips) => lb_ips[service as usize] = Some(ips),
            Err(reason) => out.push(
                Diagnostic::error(
                    Code::InvalidIp,
                    format!("clusters[{i}].loadBalancerIPs.{}", service.field()),
                    not_valid(
                        &format!("loadBalancerIPs.{}", service.field()),
                        text,
                        &reason,
                    ),
                )
                .hint(
                    "write one address from the cluster's MetalLB pools, or for dual-stack an IPv4 \
                     and an IPv6 address separated by a comma",
                ),
            ),
        }
    }
    let mut pools = Vec::new();
    let mut parsed = true;
    for (k, pool) in cluster
        .metallb
        .iter()
        .flat_map(|m| m.pools.iter())
        .enumerate()
    {
        let path = || format!("clusters[{i}].metallb.pools[{k}].addresses");
        if pool.addresses.is_empty() {
            out.push(
                Diagnostic::error(
                    Code::InvalidPoolEntry,
                    path(),
                    format!("pool {} has no addresses", shown(&pool.name)),
                )
                .hint("list CIDRs (10.0.0.0/28) or ranges (10.0.0.1-10.0.0.9), or remove the pool"),
            );
        }
        let mut entries = Vec::with_capacity(pool.addresses.len());
        for (m, text) in pool.addresses.iter().enumerate() {
            match PoolEntry::parse(text) {
                Ok(entry) => entries.push((m, entry)),
                Err(reason) => {
                    parsed = false;
                    out.push(
                        Diagnostic::error(
                            Code::InvalidPoolEntry,
                            format!("{}[{m}]", path()),
                            not_valid(&format!("pool {} entry", shown(&pool.name)), text, &reason),
                        )
                        .hint(pool_entry_hint(text)),
                    );
                }
            }
        }
        pools.push(Pool {
            entries,
            auto_assign: pool.auto_assign.unwrap_or(true),
            avoid_buggy_ips: pool.avoid_buggy_ips.unwrap_or(false),
        });
    }
    (lb_ips, pools, parsed)
}

/// A fix for a pool entry that does not parse.
fn pool_entry_hint(text: &str) -> String {
    if let Some((a, b)) = text.split_once('-')
        && let (Ok(a), Ok(b)) = (net::parse_ip(a), net::parse_ip(b))
        && a.is_ipv4() == b.is_ipv4()
        && a > b
    {
        return format!("write the lower address first: {b}-{a}");
    }
    if let Ok(n) = text.trim().parse::<ipnet::IpNet>()
        && n.addr() != n.network()
    {
        return format!(
            "write the network address: {}, or the range {}-{}",
            n.trunc(),
            n.addr(),
            n.broadcast()
        );
    }
    "write a CIDR (10.0.0.0/28) or a range of one family (10.0.0.1-10.0.0.9, fd00::1-fd00::9)"
        .to_owned()
}
