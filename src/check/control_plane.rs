//! The control-plane cluster (hosted: the hosted istiod's; primary-remote: the primary):
//! it exists (MG020), exposes istiod in hosted mode (MG021), and is the only cluster with
//! an istiod IP (MG022). Multi-primary has none (the mode's fields are [`super::modes`]).

use super::load_balancer::free_address;
use super::{Facts, shown};
use crate::codes::Code;
use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::MeshMode;

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
