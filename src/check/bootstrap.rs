//! What the cluster bootstrap files need of the plan (MG100): the host port each kind
//! cluster forwards to its east-west gateway's NodePort fallback.

use super::Facts;
use crate::codes;
use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::NetworkMode;

/// Host port of the first cluster's NodePort fallback; the cluster at place `i` of the
/// plan gets `FIRST_FALLBACK_HOST_PORT + i`, so kind clusters can share a host.
pub const FIRST_FALLBACK_HOST_PORT: u16 = 35443;

/// MG100 for each cluster with an east-west gateway whose host port would pass 65535;
/// the host port of every cluster, parallel to `plan.clusters`.
pub(super) fn check(facts: &Facts, out: &mut Diagnostics) -> Vec<Option<u16>> {
    let plan = facts.plan;
    // The render stage installs an east-west gateway only in multi mode where an
    // eastWest IP is planned; only those clusters get a port.
    let multi = plan.mesh.network_mode == NetworkMode::Multi;
    let last_place = u16::MAX - FIRST_FALLBACK_HOST_PORT;
    let mut ports = Vec::with_capacity(plan.clusters.len());
    for (i, cluster) in plan.clusters.iter().enumerate() {
        if !(multi && cluster.load_balancer_ips.east_west.is_some()) {
            ports.push(None);
            continue;
        }
        let port = u16::try_from(i)
            .ok()
            .and_then(|i| FIRST_FALLBACK_HOST_PORT.checked_add(i));
        if port.is_none() {
            out.push(
                Diagnostic::error(
                    codes::FALLBACK_HOST_PORTS_EXHAUSTED,
                    format!("clusters[{i}].loadBalancerIPs.eastWest"),
                    format!(
                        "{} is cluster {} of the plan and has an east-west gateway, but the NodePort \
                         fallback host ports {FIRST_FALLBACK_HOST_PORT}-65535 run out after cluster {}: \
                         its port would be {}",
                        facts.cluster_name(i),
                        i + 1,
                        usize::from(last_place) + 1,
                        usize::from(FIRST_FALLBACK_HOST_PORT) + i
                    ),
                )
                .hint(format!(
                    "each cluster's kind config forwards host port {FIRST_FALLBACK_HOST_PORT} + its \
                     place in the plan: list the clusters with an east-west gateway among the first \
                     {}, or split the mesh into more plans",
                    usize::from(last_place) + 1
                )),
            );
        }
        ports.push(port);
    }
    ports
}
