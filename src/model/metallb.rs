//! LoadBalancer addresses and the MetalLB objects that hand them out.

use std::net::IpAddr;

use serde::Serialize;

use super::runbook::Step;
use super::{ISTIO_NAMESPACE, Pair, pair};
use crate::check::PinnedIp;
use crate::layout;
use crate::net::{DualStack, Pool};
use crate::plan;

pub use super::METALLB_NAMESPACE;

/// Selector of MetalLB's pods: every workload of `config/manifests/metallb-native.yaml`
/// (metallb/metallb) carries `app: metallb`.
pub const METALLB_POD_SELECTOR: &str = "app=metallb";
/// MetalLB's Service annotations, after the prefix of the plan's MetalLB release
/// ([`crate::grammar::MetallbVersion::annotation_prefix`]; metallb/metallb
/// `controller/service.go`, `website/content/usage/_index.md`).
const ANNOTATION_LB_IPS: &str = "loadBalancerIPs";
const ANNOTATION_POOL: &str = "address-pool";

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
    pub step: Step,
}

/// A LoadBalancer Service of the mesh and the address planned for it.
#[derive(Debug, Clone, Serialize)]
pub struct LbService {
    /// `hosted istiod`, `east-west gateway` or `ingress gateway`.
    pub role: String,
    /// The runbook step that gives the Service its address.
    pub step: Step,
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
    /// The annotations the patch sets: all of them, or none where the Service's owner
    /// takes them another way ([`ServicePatch::FamilyOnly`]).
    pub patch_annotations: Vec<Pair>,
}

/// How a LoadBalancer Service gets what [`LbService`] plans for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServicePatch {
    /// Its own manifest carries it (the east-west gateway's IstioOperator).
    None,
    /// A patch of the existing Service sets the annotations and the family policy.
    Full,
    /// Its owner sets the annotations (Mspider's console, for the hosted istiod); a patch
    /// sets only a dual-stack family policy.
    FamilyOnly,
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
    /// The plan's `autoAssign`; where it leaves it out, `false` for a pool that serves a
    /// planned address (see [`metallb_config`]).
    pub auto_assign: Option<bool>,
    /// `autoAssign: false` is meshgen's, not the plan's: the pool serves planned addresses.
    pub reserved: bool,
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

/// A LoadBalancer Service `name` of `cluster` at `address`; `patched`: the Service
/// already exists and gets its address through a patch file.
/// `pinned`: the plan's address and the pool that serves it (MetalLB hands a Service its
/// requested addresses only from one pool that serves them all); `prefix`: of the
/// annotations the cluster's MetalLB release reads.
pub fn lb_service(
    cluster: &plan::Cluster,
    prefix: &str,
    role: LbRole,
    name: &str,
    pinned: &PinnedIp,
    patch: ServicePatch,
) -> LbService {
    let address = LbAddress::of(pinned.ips);
    let has_metallb = cluster.metallb.is_some();
    let pool = pinned
        .pool
        .and_then(|k| cluster.metallb.as_ref()?.pools.get(k))
        .map(|p| p.name.clone());
    let mut annotations = Vec::new();
    if has_metallb {
        if let Some(pool) = &pool {
            annotations.push(pair(&format!("{prefix}/{ANNOTATION_POOL}"), pool));
        }
        annotations.push(pair(
            &format!("{prefix}/{ANNOTATION_LB_IPS}"),
            &address.annotation,
        ));
    }
    let ip_family_policy = address
        .dual_stack
        .then_some(IpFamilyPolicy::RequireDualStack);
    let patch_annotations = match patch {
        ServicePatch::Full => annotations.clone(),
        ServicePatch::None | ServicePatch::FamilyOnly => Vec::new(),
    };
    let patched = patch != ServicePatch::None
        && (!patch_annotations.is_empty() || ip_family_policy.is_some());
    let patch_path = patched.then(|| layout::service_patch(&cluster.name, name));
    LbService {
        role: role.title.to_owned(),
        step: role.step,
        name: name.to_owned(),
        namespace: ISTIO_NAMESPACE.to_owned(),
        address,
        pool,
        annotations,
        ip_family_policy,
        patch_path,
        patch_annotations,
    }
}

/// `parsed`: the plan's pools, parsed (parallel to `metallb.pools`).
pub fn metallb_config(
    cluster: &str,
    metallb: &plan::Metallb,
    parsed: &[Pool],
    lb_services: &[LbService],
) -> MetallbConfig {
    let pools = metallb
        .pools
        .iter()
        .zip(parsed)
        .map(|(pool, parsed)| {
            let serves: Vec<Pair> = lb_services
                .iter()
                .filter(|s| s.pool.as_deref() == Some(pool.name.as_str()))
                .map(|s| pair(&s.address.annotation, &s.role))
                .collect();
            // MetalLB keeps assigning from an auto-assign pool to any Service that asks for
            // no address, so another Service could take a planned one first; with
            // `autoAssign: false` "addresses can still be specifically allocated"
            // (metallb/metallb `website/content/configuration/_advanced_ipaddresspool_configuration.md`).
            let reserved = pool.auto_assign.is_none() && !serves.is_empty();
            IpAddressPool {
                path: layout::ip_address_pool(cluster, &pool.name),
                name: pool.name.clone(),
                namespace: METALLB_NAMESPACE.to_owned(),
                // Canonical, as MetalLB reads them.
                addresses: parsed.entries.iter().map(|(_, e)| e.to_string()).collect(),
                auto_assign: if reserved {
                    Some(false)
                } else {
                    pool.auto_assign
                },
                reserved,
                avoid_buggy_ips: pool.avoid_buggy_ips,
                serves,
            }
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

impl LbAddress {
    /// A pinned address (or dual-stack pair), in plan order.
    pub fn of(ips: DualStack<IpAddr>) -> LbAddress {
        let addresses: Vec<String> = ips.iter().map(|ip| ip.to_string()).collect();
        LbAddress {
            annotation: addresses.join(","),
            dual_stack: ips.is_dual(),
            primary: ips.primary().to_string(),
            addresses,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::parse_dual_ips;

    #[test]
    fn lb_addresses() {
        let of = |text: &str| LbAddress::of(parse_dual_ips(text).unwrap());
        let single = of("10.64.30.71");
        assert_eq!(single.annotation, "10.64.30.71");
        assert!(!single.dual_stack);
        let dual = of("fd00:0::71,10.0.0.71");
        assert_eq!(dual.annotation, "fd00::71,10.0.0.71");
        assert_eq!(dual.primary, "10.0.0.71");
        assert!(dual.dual_stack);
        assert_eq!(of("fd00::9").primary, "fd00::9");
    }
}
