//! LoadBalancer addresses and the MetalLB objects that hand them out.

use std::net::IpAddr;

use serde::Serialize;

use super::{ISTIO_NAMESPACE, Pair, pair};
use crate::layout;
use crate::net::{self, AddrRange};
use crate::plan;

pub use super::METALLB_NAMESPACE;

/// Selector of MetalLB's pods: every workload of `config/manifests/metallb-native.yaml`
/// (metallb/metallb) carries `app: metallb`.
pub const METALLB_POD_SELECTOR: &str = "app=metallb";
/// MetalLB's Service annotations (the `metallb.io/` prefix replaced `metallb.universe.tf/`
/// in v0.14.9: metallb/metallb `website/content/usage/_index.md`).
const ANNOTATION_LB_IPS: &str = "metallb.io/loadBalancerIPs";
const ANNOTATION_POOL: &str = "metallb.io/address-pool";

/// One LoadBalancer IP assignment: one address, or one per family (dual-stack).
#[derive(Debug, Clone, Serialize)]
pub struct LbAddress {
    /// Canonical addresses, in plan order.
    pub addresses: Vec<String>,
    /// Value of the `metallb.io/loadBalancerIPs` annotation (comma-separated).
    pub annotation: String,
    /// The address to give where only one fits: the IPv4 one if any.
    pub primary: String,
    pub dual_stack: bool,
}

/// `spec.ipFamilyPolicy` of a Service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum IpFamilyPolicy {
    /// One address per family, or the Service fails (Kubernetes refuses to half-serve it).
    RequireDualStack,
}

/// What a LoadBalancer Service is, and the runbook step that gives it its address.
#[derive(Debug, Clone, Copy)]
pub struct LbRole {
    /// `hosted istiod`, `east-west gateway`, `ingress gateway`.
    pub title: &'static str,
    /// The step's name (see [`super::runbook::Steps`]).
    pub step: &'static str,
}

/// A LoadBalancer Service of the mesh and the address planned for it.
#[derive(Debug, Clone, Serialize)]
pub struct LbService {
    /// `hosted istiod`, `east-west gateway` or `ingress gateway`.
    pub role: String,
    /// The runbook step that gives the Service its address.
    pub step: String,
    pub name: String,
    pub namespace: String,
    pub address: LbAddress,
    /// The MetalLB pool that holds every address of the Service.
    pub pool: Option<String>,
    /// MetalLB annotations (empty on a cluster without MetalLB).
    pub annotations: Vec<Pair>,
    /// `RequireDualStack` when the Service gets one address per family.
    pub ip_family_policy: Option<IpFamilyPolicy>,
    /// The patch of an existing Service (context of `patches/service.yaml`);
    /// absent for the east-west gateway, whose own manifest carries the same.
    pub patch_path: Option<String>,
}

/// MetalLB objects of one cluster (the `metallb` stage).
#[derive(Debug, Clone, Serialize)]
pub struct MetallbConfig {
    pub pools: Vec<IpAddressPool>,
    pub advertisement: L2Advertisement,
}

/// Context of `metallb/ipaddresspool.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct IpAddressPool {
    pub path: String,
    pub name: String,
    pub namespace: String,
    /// Canonical CIDRs and `start-end` ranges.
    pub addresses: Vec<String>,
    pub auto_assign: Option<bool>,
    pub avoid_buggy_ips: Option<bool>,
    /// The planned LB IPs this pool hands out, with the Service each is for.
    pub serves: Vec<Pair>,
}

/// Context of `metallb/l2advertisement.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct L2Advertisement {
    pub path: String,
    pub name: String,
    pub namespace: String,
    pub pools: Vec<String>,
    pub interfaces: Vec<String>,
}

/// A plan pool with its entries parsed (for lookups) and canonical (for output).
pub struct ParsedPool<'a> {
    pool: &'a plan::Pool,
    ranges: Vec<AddrRange>,
    entries: Vec<String>,
}

/// The cluster's MetalLB pools, parsed for lookups and canonical for output.
pub fn parse_pools(cluster: &plan::Cluster) -> Result<Vec<ParsedPool<'_>>, String> {
    let Some(metallb) = &cluster.metallb else {
        return Ok(Vec::new());
    };
    metallb
        .pools
        .iter()
        .map(|pool| {
            let mut ranges = Vec::new();
            let mut entries = Vec::new();
            for entry in &pool.addresses {
                let problem =
                    |e: String| format!("cluster `{}` pool `{}`: {e}", cluster.name, pool.name);
                ranges.push(AddrRange::parse_pool_entry(entry).map_err(problem)?);
                entries.push(pool_entry_text(entry).map_err(problem)?);
            }
            Ok(ParsedPool {
                pool,
                ranges,
                entries,
            })
        })
        .collect()
}

/// A LoadBalancer Service `name` of `cluster` at `address`; `patched`: the Service
/// already exists and gets its address through a patch file.
pub fn lb_service(
    cluster: &str,
    role: LbRole,
    name: &str,
    address: LbAddress,
    pools: &[ParsedPool<'_>],
    has_metallb: bool,
    patched: bool,
) -> Result<LbService, String> {
    let ips = address
        .addresses
        .iter()
        .map(|ip| net::parse_ip(ip))
        .collect::<Result<Vec<IpAddr>, _>>()?;
    // MetalLB hands a Service its requested addresses only from one pool that holds them all.
    let pool = pools
        .iter()
        .find(|p| {
            ips.iter()
                .all(|ip| p.ranges.iter().any(|r| r.contains(*ip)))
        })
        .map(|p| p.pool.name.clone());
    let mut annotations = Vec::new();
    if has_metallb {
        if let Some(pool) = &pool {
            annotations.push(pair(ANNOTATION_POOL, pool));
        }
        annotations.push(pair(ANNOTATION_LB_IPS, &address.annotation));
    }
    let ip_family_policy = address
        .dual_stack
        .then_some(IpFamilyPolicy::RequireDualStack);
    let patch_path = (patched && (!annotations.is_empty() || ip_family_policy.is_some()))
        .then(|| layout::service_patch(cluster, name));
    Ok(LbService {
        role: role.title.to_owned(),
        step: role.step.to_owned(),
        name: name.to_owned(),
        namespace: ISTIO_NAMESPACE.to_owned(),
        address,
        pool,
        annotations,
        ip_family_policy,
        patch_path,
    })
}

pub fn metallb_config(
    cluster: &str,
    metallb: &plan::Metallb,
    pools: &[ParsedPool<'_>],
    lb_services: &[LbService],
) -> MetallbConfig {
    let pools = pools
        .iter()
        .map(|ParsedPool { pool, entries, .. }| IpAddressPool {
            path: layout::ip_address_pool(cluster, &pool.name),
            name: pool.name.clone(),
            namespace: METALLB_NAMESPACE.to_owned(),
            addresses: entries.clone(),
            auto_assign: pool.auto_assign,
            avoid_buggy_ips: pool.avoid_buggy_ips,
            serves: lb_services
                .iter()
                .filter(|s| s.pool.as_deref() == Some(pool.name.as_str()))
                .map(|s| pair(&s.address.annotation, &s.role))
                .collect(),
        })
        .collect::<Vec<_>>();
    MetallbConfig {
        advertisement: L2Advertisement {
            path: layout::l2_advertisement(cluster),
            name: "mesh-l2".to_owned(),
            namespace: METALLB_NAMESPACE.to_owned(),
            pools: pools.iter().map(|p| p.name.clone()).collect(),
            interfaces: metallb.interfaces.clone(),
        },
        pools,
    }
}

/// An LB IP field: one address, or two of different families separated by a comma.
pub fn lb_address(text: &str) -> Result<LbAddress, String> {
    let ips = net::parse_ips(text)?;
    let primary = ips
        .iter()
        .find(|ip| ip.is_ipv4())
        .or_else(|| ips.first())
        .ok_or_else(|| format!("`{text}` holds no address"))?
        .to_string();
    let addresses: Vec<String> = ips.iter().map(IpAddr::to_string).collect();
    Ok(LbAddress {
        annotation: addresses.join(","),
        dual_stack: ips.iter().any(IpAddr::is_ipv4) && ips.iter().any(IpAddr::is_ipv6),
        addresses,
        primary,
    })
}

/// An address as a URL host: IPv6 in brackets.
pub fn url_host(ip: &str) -> Result<String, String> {
    Ok(match net::parse_ip(ip)? {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    })
}

/// A pool entry as MetalLB reads it, canonical: a CIDR, or `start-end`.
fn pool_entry_text(entry: &str) -> Result<String, String> {
    let range = AddrRange::parse_pool_entry(entry)?;
    if entry.contains('-') {
        Ok(format!("{}-{}", range.start, range.end))
    } else {
        Ok(net::parse_cidr(entry)?.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lb_addresses() {
        let single = lb_address("10.64.30.71").unwrap();
        assert_eq!(single.annotation, "10.64.30.71");
        assert!(!single.dual_stack);
        let dual = lb_address("fd00:0::71, 10.0.0.71").unwrap();
        assert_eq!(dual.annotation, "fd00::71,10.0.0.71");
        assert_eq!(dual.primary, "10.0.0.71");
        assert!(dual.dual_stack);
        assert_eq!(lb_address("fd00::9").unwrap().primary, "fd00::9");
        assert_eq!(url_host("fd00::9").unwrap(), "[fd00::9]");
        assert!(lb_address("10.0.0.300").is_err());
    }

    #[test]
    fn pool_entries_are_written_as_metallb_reads_them() {
        let text = |s: &str| pool_entry_text(s).unwrap();
        assert_eq!(text("10.64.30.71-10.64.30.73"), "10.64.30.71-10.64.30.73");
        assert_eq!(text(" 10.0.0.0/28 "), "10.0.0.0/28");
        assert_eq!(text("10.0.0.1 - 10.0.0.1"), "10.0.0.1-10.0.0.1");
        assert_eq!(text("fd00:0::/120"), "fd00::/120");
        assert_eq!(text("fd00::1-fd00:0::9"), "fd00::1-fd00::9");
        assert!(pool_entry_text("10.0.0.1/24").is_err());
    }
}
