//! Limits of the rendered tree that the plan's grammars do not imply: the host port each
//! kind cluster forwards to its east-west gateway's NodePort fallback (MG100, clusters with
//! `eastWestNodePort`), and the
//! length of the file names meshgen builds from plan names (MG101). A plan past them
//! would pass every other rule and then fail in `render`.

use super::{Facts, shown};
use crate::codes::Code;
use crate::diag::{Diagnostic, Diagnostics};
use crate::grammar::names;
use crate::layout::{self, Stage};
use crate::plan::{ClusterType, NetworkMode};

/// Host port of the first cluster's NodePort fallback; the cluster at place `i` of the
/// plan gets `FIRST_FALLBACK_HOST_PORT + i`, so kind clusters can share a host.
pub const FIRST_FALLBACK_HOST_PORT: u16 = 35443;

/// MG100 for each cluster with the NodePort fallback whose host port would pass 65535;
/// the host port of every cluster, parallel to `plan.clusters`.
pub(super) fn fallback_host_ports(facts: &Facts, out: &mut Diagnostics) -> Vec<Option<u16>> {
    let plan = facts.plan;
    // Only a kind cluster with the fallback (`eastWestNodePort`) on an east-west gateway
    // (multi mode, an eastWest IP; MG042 refuses the rest) gets a port: other networks reach
    // a kubeadm cluster's node port on the node itself.
    let multi = plan.mesh.network_mode == NetworkMode::Multi;
    let last_place = u16::MAX - FIRST_FALLBACK_HOST_PORT;
    let mut ports = Vec::with_capacity(plan.clusters.len());
    for (i, cluster) in plan.clusters.iter().enumerate() {
        let fallback = cluster.east_west_node_port.is_some() && cluster.kind == ClusterType::Kind;
        if !(multi && fallback && cluster.load_balancer_ips.east_west.is_some()) {
            ports.push(None);
            continue;
        }
        let port = u16::try_from(i)
            .ok()
            .and_then(|i| FIRST_FALLBACK_HOST_PORT.checked_add(i));
        if port.is_none() {
            out.push(
                Diagnostic::error(
                    Code::FallbackHostPortsExhausted,
                    format!("clusters[{i}].eastWestNodePort"),
                    format!(
                        "{} is cluster {} of the plan and a kind cluster with the NodePort fallback, but the NodePort \
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
                     place in the plan: list the clusters with the NodePort fallback among the first \
                     {}, or split the mesh into more plans",
                    usize::from(last_place) + 1
                )),
            );
        }
        ports.push(port);
    }
    ports
}

/// The longest file name (one path component) Linux file systems take (`NAME_MAX`, ext4,
/// xfs, btrfs, tmpfs; and 255 UTF-16 units on NTFS and APFS).
const FILE_NAME_MAX: usize = 255;

/// MG101 for each node and pool whose name makes a file name longer than 255 bytes: a
/// valid Kubernetes name may have 253 characters.
pub(super) fn file_names(facts: &Facts, out: &mut Diagnostics) {
    for (i, cluster) in facts.plan.clusters.iter().enumerate() {
        for (j, node) in cluster.nodes.iter().enumerate() {
            file_name(
                out,
                || format!("clusters[{i}].nodes[{j}].name"),
                "node",
                &node.name,
                layout::NODE_PATCH_FILE,
                layout::PATCHES_DIR,
            );
        }
        for (k, pool) in cluster.metallb.iter().flat_map(|m| &m.pools).enumerate() {
            file_name(
                out,
                || format!("clusters[{i}].metallb.pools[{k}].name"),
                "pool",
                &pool.name,
                layout::POOL_FILE,
                Stage::Metallb.name(),
            );
        }
    }
}

fn file_name(
    out: &mut Diagnostics,
    path: impl FnOnce() -> String,
    what: &str,
    name: &str,
    (prefix, suffix): (&str, &str),
    folder: &str,
) {
    let length = prefix.len() + name.len() + suffix.len();
    // A name its own rule refuses (MG010: longer than 253, or not ASCII) needs no second report.
    if length <= FILE_NAME_MAX || names::dns1123_subdomain(name).is_err() {
        return;
    }
    let max = FILE_NAME_MAX - prefix.len() - suffix.len();
    let shown_name = shown(name);
    let shown_name = match shown_name.char_indices().nth(40) {
        Some((cut, _)) => format!("{}...", &shown_name[..cut]),
        None => shown_name,
    };
    out.push(
        Diagnostic::error(
            Code::FileNameTooLong,
            path(),
            format!(
                "{what} name `{shown_name}` is {} characters long: meshgen writes it to \
                 {folder}/{prefix}<name>{suffix}, a {length}-byte file name, and file systems take \
                 at most {FILE_NAME_MAX}",
                name.len()
            ),
        )
        .hint(format!("use a {what} name of at most {max} characters")),
    );
}
