//! The control-plane cluster (hosted: the hosted istiod's; primary-remote: the primary):
//! it exists (MG020), exposes istiod in hosted mode (MG021), is the only cluster with an
//! istiod IP (MG022), and every cluster it serves reaches its istiod in its address family
//! (MG023). Multi-primary has none (the mode's fields are [`super::modes`]).

use std::net::IpAddr;

use super::load_balancer::free_address;
use super::{ClusterFacts, Facts, Service, family, shown};
use crate::codes::Code;
use crate::diag::{Diagnostic, Diagnostics};
use crate::grammar::MeshVersion;
use crate::net::DualStack;
use crate::plan::MeshMode;

/// Where the clusters the control plane serves reach its istiod (their
/// `remotePilotAddress`): hosted, the hosted istiod's LoadBalancer; primary-remote, the
/// primary's `istiod-lb` if the plan gives it an IP, else its east-west gateway (with
/// `expose-istiod`). The one choice, which the checks and the model share. `None` in
/// multi-primary, or while the address is missing (MG021, MG025) or does not parse.
pub(super) fn pilot_address(facts: &Facts) -> Option<(Service, DualStack<IpAddr>)> {
    let lb_ips = &facts.clusters.get(facts.control_plane?)?.lb_ips;
    let istiod = lb_ips[Service::Istiod as usize].map(|ips| (Service::Istiod, ips));
    match facts.plan.mesh.mode {
        MeshMode::Hosted => istiod,
        MeshMode::PrimaryRemote => istiod
            .or_else(|| lb_ips[Service::EastWest as usize].map(|ips| (Service::EastWest, ips))),
        MeshMode::MultiPrimary => None,
    }
}

pub(super) fn check(facts: &Facts, out: &mut Diagnostics) {
    let plan = facts.plan;
    // Without the field the mode check reports what is missing (or, in multi-primary,
    // there is no control-plane cluster).
    let Some(named) = &plan.mesh.control_plane_cluster else {
        return;
    };
    if plan.mesh.mode == MeshMode::MultiPrimary {
        return;
    }
    let hosted = plan.mesh.mode == MeshMode::Hosted;
    let with_istiod: Vec<usize> = plan
        .clusters
        .iter()
        .enumerate()
        .filter(|(_, c)| c.load_balancer_ips.istiod.is_some())
        .map(|(i, _)| i)
        .collect();
    let Some(cp) = facts.control_plane else {
        // Without a known control-plane cluster, which istiod IP is stray cannot be told.
        let hint = match with_istiod.as_slice() {
            [i] => format!(
                "{} sets loadBalancerIPs.istiod: if the control plane runs there, name it here",
                facts.cluster_name(*i)
            ),
            _ => format!(
                "name the cluster that runs istiod, one of: {}",
                facts.some_cluster_names(5)
            ),
        };
        out.push(
            Diagnostic::error(
                Code::UnknownControlPlane,
                "mesh.controlPlaneCluster",
                format!(
                    "controlPlaneCluster `{}` is not one of the clusters",
                    shown(named)
                ),
            )
            .hint(hint),
        );
        return;
    };
    // Only the hosted istiod needs one; primary-remote's istiod-lb is optional.
    if hosted
        && plan
            .clusters
            .get(cp)
            .is_some_and(|c| c.load_balancer_ips.istiod.is_none())
    {
        let example = free_address(facts, cp, None)
            .map(|ip| format!(", e.g. {ip}"))
            .unwrap_or_default();
        out.push(
            Diagnostic::error(
                Code::MissingIstiodIp,
                format!("clusters[{cp}].loadBalancerIPs.istiod"),
                format!(
                    "{} runs the hosted control plane but has no loadBalancerIPs.istiod",
                    facts.cluster_name(cp)
                ),
            )
            .hint(format!(
                "the other clusters reach istiod at that address (remotePilotAddress): set \
                 clusters[{cp}].loadBalancerIPs.istiod to a free address of its pools{example}"
            )),
        );
    }
    for i in with_istiod.into_iter().filter(|&i| i != cp) {
        out.push(
            Diagnostic::error(
                Code::StrayIstiodIp,
                format!("clusters[{i}].loadBalancerIPs.istiod"),
                format!(
                    "{} sets loadBalancerIPs.istiod, but the {} runs in {}",
                    facts.cluster_name(i),
                    if hosted {
                        "hosted control plane"
                    } else {
                        "primary's istiod"
                    },
                    facts.cluster_name(cp)
                ),
            )
            .hint(format!(
                "remove it; or, if istiod runs in {}, set mesh.controlPlaneCluster to it",
                facts.cluster_name(i)
            )),
        );
    }
}

/// MG023: whether each cluster's Services reach the hosted istiod at `remotePilotAddress`;
/// where a cluster needs the `istiod-remote` Service pinned to that address's family, the
/// family to pin (`global.ipFamilies[0]`), parallel to `plan.clusters`.
///
/// Source (istio/istio, per tag): with an IP `remotePilotAddress` the chart renders a
/// selector-less `istiod-remote` Service and Endpoints (an EndpointSlice from 1.28) of that
/// address (`manifests/charts/istiod-remote/templates/services.yaml`, `endpoints.yaml` before
/// 1.24; `istio-discovery/templates/remote-istiod-service.yaml`,
/// `remote-istiod-endpoints.yaml` / `remote-istiod-endpointslices.yaml` after). The Service
/// sets `ipFamilyPolicy` and `ipFamilies` from `global.ipFamilyPolicy` / `global.ipFamilies`
/// only from 1.20 on (commit da4c765); without them it gets the cluster's primary family,
/// single-stack, and kube-proxy ignores endpoints of another family. Before 1.30 (commit
/// 222ea3c) an IPv6 `remotePilotAddress` is not taken for an IP at all but rendered as
/// `type: ExternalName`. Mspider's work clusters run this chart (its fork from 1.24): its
/// troubleshooting page `docs/en/docs/mspider/troubleshoot/failed-to-add-cluster.md` reads
/// the `istio-remote` endpoints.
pub(super) fn istiod_families(
    facts: &Facts,
    mesh: Option<&MeshVersion>,
    out: &mut Diagnostics,
) -> Vec<Option<IpFamily>> {
    let mut pins = vec![None; facts.clusters.len()];
    let (Some(cp), Some((service, ips))) = (facts.control_plane, pilot_address(facts)) else {
        return pins;
    };
    let pilot = ips.primary();
    let hosted = facts.plan.mesh.mode == MeshMode::Hosted;
    let whose = if hosted {
        "the hosted istiod"
    } else {
        "the primary's istiod"
    };
    let minor = mesh.map(MeshVersion::minor_version);
    let wanted = IpFamily::of(pilot);
    if wanted == IpFamily::Ipv6
        && let Some((major, minor)) = minor
        && (major, minor) < (1, 30)
    {
        out.push(
            Diagnostic::error(
                Code::IstiodFamilyUnreachable,
                format!("clusters[{cp}].loadBalancerIPs.{}", service.field()),
                format!(
                    "{whose}'s address {pilot} is IPv6, and Istio {major}.{minor}'s \
                     istiod-remote chart takes only an IPv4 remotePilotAddress for an address \
                     (an IPv6 one becomes a Service of type ExternalName, which is no DNS name)"
                ),
            )
            .hint(
                "give istiod an IPv4 address (or a dual-stack pair: remotePilotAddress takes its \
                 IPv4 one), or use a mesh release based on Istio 1.30 or later",
            ),
        );
        return pins;
    }
    for (i, cluster) in facts.clusters.iter().enumerate() {
        // A primary-remote primary reaches its own istiod directly.
        if !hosted && i == cp {
            continue;
        }
        let Some((families, field)) = service_families(cluster) else {
            continue;
        };
        let path = || format!("clusters[{i}].{field}");
        if !families.contains(&wanted) {
            out.push(
                Diagnostic::error(
                    Code::IstiodFamilyUnreachable,
                    path(),
                    format!(
                        "{}'s Services are {} only, so none reaches {whose} at {pilot} \
                         ({}): the istiod-remote Service and its endpoint must share a family",
                        facts.cluster_name(i),
                        families[0].as_str(),
                        family(pilot)
                    ),
                )
                .hint(format!(
                    "give {} a dual-stack Service network (both families, e.g. \
                     `10.96.0.0/16,fd00:10:96::/112`), or give istiod an address of its family",
                    facts.cluster_name(i)
                )),
            );
        } else if families[0] != wanted {
            match minor {
                Some(version) if version >= (1, 20) => pins[i] = Some(wanted),
                Some((major, minor)) => out.push(
                    Diagnostic::error(
                        Code::IstiodFamilyUnreachable,
                        path(),
                        format!(
                            "{}'s Services are {} first, so its istiod-remote Service is {} \
                             while {whose}'s address {pilot} is {}; Istio \
                             {major}.{minor}'s chart has no ipFamilies setting to change that",
                            facts.cluster_name(i),
                            families[0].as_str(),
                            families[0].as_str(),
                            family(pilot)
                        ),
                    )
                    .hint(format!(
                        "list the {} subnet first, or use a mesh release based on Istio 1.20 \
                         or later (meshgen then sets global.ipFamilies)",
                        family(pilot)
                    )),
                ),
                None => {}
            }
        }
    }
    pins
}

/// The families of a cluster's Services, primary first, and the field they come from: the
/// service subnet if the plan gives one, else the pod subnet's families with IPv4 first
/// (kind's default service subnet for dual-stack is `10.96.0.0/16,fd00:10:96::/112`,
/// kubernetes-sigs/kind `pkg/internal/apis/config/default.go`; kubeadm's is `10.96.0.0/12`).
fn service_families(cluster: &ClusterFacts) -> Option<(Vec<IpFamily>, &'static str)> {
    if let Some(services) = cluster.service_subnet {
        let families = services.iter().map(|n| IpFamily::of(n.addr())).collect();
        return Some((families, "serviceSubnet"));
    }
    let pods = cluster.pod_subnet?;
    let mut families: Vec<IpFamily> = pods.iter().map(|n| IpFamily::of(n.addr())).collect();
    families.sort();
    Some((families, "podSubnet"))
}

/// An address family, as Kubernetes spells it in `ipFamilies`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum IpFamily {
    Ipv4,
    Ipv6,
}

impl IpFamily {
    pub fn of(ip: IpAddr) -> IpFamily {
        if ip.is_ipv4() {
            IpFamily::Ipv4
        } else {
            IpFamily::Ipv6
        }
    }

    /// `IPv4` or `IPv6`.
    pub fn as_str(self) -> &'static str {
        match self {
            IpFamily::Ipv4 => "IPv4",
            IpFamily::Ipv6 => "IPv6",
        }
    }
}
