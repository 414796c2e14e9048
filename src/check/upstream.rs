//! What the upstream modes (multi-primary, primary-remote) need beyond the shared rules,
//! from istio.io's multicluster install guides (`content/en/docs/setup/install/multicluster/`)
//! and the charts of istio/istio (`manifests/charts/`):
//!
//! - MG025: the remotes of a primary-remote mesh reach the primary's istiod only at an
//!   address on the primary, its east-west gateway (with `expose-istiod`) or its
//!   istiod-lb Service; and in multi network mode the primary's east-west gateway is
//!   where the cross-network Gateway its istiod configures for every network applies.
//!   Whether each remote reaches that address in its family is MG023, the same rule as a
//!   hosted mesh's ([`super::control_plane::istiod_families`]).
//! - MG027: `istioctl create-remote-secret --server` must be an API server address the
//!   other clusters reach; istioctl only warns about a loopback one
//!   (`istioctl/pkg/multicluster/remote_secret.go`), meshgen refuses it.

use super::load_balancer::free_address;
use super::{Facts, and_list};
use crate::codes::Code;
use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::{MeshMode, NetworkMode};

pub(super) fn check(facts: &Facts, out: &mut Diagnostics) {
    let mode = facts.plan.mesh.mode;
    if mode == MeshMode::Hosted {
        return;
    }
    api_servers(facts, out);
    if mode == MeshMode::PrimaryRemote
        && let Some(primary) = facts.control_plane
    {
        istiod_address(facts, primary, out);
    }
}

/// MG027: a master IP the other clusters cannot reach.
fn api_servers(facts: &Facts, out: &mut Diagnostics) {
    for (i, _, f) in facts.each() {
        let Some(ip) = f.master_ip else {
            continue;
        };
        if ip.is_loopback() || ip.is_unspecified() {
            out.push(
                Diagnostic::error(
                    Code::UnreachableApiServer,
                    format!("clusters[{i}].masterIP"),
                    format!(
                        "masterIP {ip} of {} is not an address other clusters reach, but every \
                         istiod reads the API servers of the other clusters there (the remote \
                         secrets' --server)",
                        facts.cluster_name(i)
                    ),
                )
                .hint(
                    "write the address of the control-plane node on its network (for kind, a \
                     host address that the other clusters' nodes reach: kind binds the API \
                     server to it)",
                ),
            );
        }
    }
}

/// MG025: where the remotes reach the primary's istiod.
fn istiod_address(facts: &Facts, primary: usize, out: &mut Diagnostics) {
    let plan = facts.plan;
    let Some(cluster) = plan.clusters.get(primary) else {
        return;
    };
    let ips = &cluster.load_balancer_ips;
    let remotes: Vec<String> = (0..plan.clusters.len())
        .filter(|&i| i != primary)
        .take(4)
        .map(|i| facts.cluster_name(i))
        .collect();
    let multi = plan.mesh.network_mode == NetworkMode::Multi;
    let example = || {
        free_address(facts, primary, None)
            .map(|ip| format!(", e.g. {ip}"))
            .unwrap_or_default()
    };
    let at = format!("clusters[{primary}].loadBalancerIPs.eastWest");
    if multi && ips.east_west.is_none() {
        out.push(
            Diagnostic::error(
                Code::PrimaryUnreachable,
                at,
                format!(
                    "{} is the primary of a multi-network primary-remote mesh but has no \
                     loadBalancerIPs.eastWest",
                    facts.cluster_name(primary)
                ),
            )
            .hint(format!(
                "the primary's east-west gateway takes the cross-network Gateway its istiod \
                 configures for every network, and the remotes reach istiod through it \
                 (expose-istiod): set loadBalancerIPs.eastWest of the primary to a free address \
                 of its pools{}",
                example()
            )),
        );
        return;
    }
    if remotes.is_empty() {
        return;
    }
    // The remotes' remotePilotAddress is one of these (control_plane::pilot_address).
    if ips.istiod.is_none() && ips.east_west.is_none() {
        out.push(
            Diagnostic::error(
                Code::PrimaryUnreachable,
                at,
                format!(
                    "the remotes ({}) have no address to reach the istiod of the primary {}: \
                         it has neither loadBalancerIPs.eastWest nor loadBalancerIPs.istiod",
                    and_list(&remotes),
                    facts.cluster_name(primary)
                ),
            )
            .hint(format!(
                "set loadBalancerIPs.eastWest of the primary (its east-west gateway, which \
                     exposes istiod with expose-istiod, as the guides do){}; or \
                     loadBalancerIPs.istiod for a dedicated istiod LoadBalancer",
                example()
            )),
        );
    }
}
