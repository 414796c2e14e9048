//! The mesh mode's fields: what each `mesh.mode` needs (MG028) and what belongs to
//! another mode (MG024). The one table of which field belongs to which mode is
//! [`FIELDS`]; the messages name the modes a field belongs to.
//!
//! - `hosted` (Mspider): `controlPlaneCluster` (the hosted istiod's cluster),
//!   `globalCluster` (GlobalMesh and MeshCluster live there) and `registry` (Mspider's
//!   images) are needed; `loadBalancerIPs.istiod` is checked with the control plane.
//! - `primary-remote` (upstream Istio): `controlPlaneCluster` names the primary;
//!   `globalCluster` is Mspider's and refused; `registry` is optional (the charts' hub).
//! - `multi-primary` (upstream Istio): every cluster runs istiod, so a
//!   `controlPlaneCluster`, a `globalCluster` and an istiod LoadBalancer IP are refused.

use super::Facts;
use crate::codes::Code;
use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::{Mesh, MeshMode};

/// A mesh field whose meaning depends on the mode.
struct ModeField {
    name: &'static str,
    /// The modes that need it; the others in `allowed` may have it.
    needed: &'static [MeshMode],
    /// The modes it belongs to at all; every other mode refuses it.
    allowed: &'static [MeshMode],
    /// What it is, in the modes it belongs to.
    what: &'static str,
    value: fn(&Mesh) -> Option<&String>,
}

const FIELDS: &[ModeField] = &[
    ModeField {
        name: "controlPlaneCluster",
        needed: &[MeshMode::Hosted, MeshMode::PrimaryRemote],
        allowed: &[MeshMode::Hosted, MeshMode::PrimaryRemote],
        what: "the cluster that runs istiod for every cluster (hosted: the hosted control plane; \
               primary-remote: the primary)",
        value: |m| m.control_plane_cluster.as_ref(),
    },
    ModeField {
        name: "globalCluster",
        needed: &[MeshMode::Hosted],
        allowed: &[MeshMode::Hosted],
        what: "Mspider's global service cluster, where GlobalMesh and MeshCluster live",
        value: |m| m.global_cluster.as_ref(),
    },
    ModeField {
        name: "registry",
        needed: &[MeshMode::Hosted],
        allowed: &[
            MeshMode::Hosted,
            MeshMode::MultiPrimary,
            MeshMode::PrimaryRemote,
        ],
        what: "the image registry of the mesh components (hosted: Mspider's images; upstream \
               modes: optional, the charts' default hub without it)",
        value: |m| m.registry.as_ref(),
    },
];

/// Every mode a field list names, as the plan writes them: `hosted and primary-remote`.
fn modes(list: &[MeshMode]) -> String {
    let names: Vec<String> = list.iter().map(|m| format!("`{}`", m.name())).collect();
    super::and_list(&names)
}

pub(super) fn check(facts: &Facts, out: &mut Diagnostics) {
    let mesh = &facts.plan.mesh;
    let mode = mesh.mode;
    for field in FIELDS {
        let path = format!("mesh.{}", field.name);
        let present = (field.value)(mesh).is_some();
        if !present && field.needed.contains(&mode) {
            out.push(
                Diagnostic::error(
                    Code::ModeFieldMissing,
                    path,
                    format!(
                        "mode `{}` needs mesh.{}: {}",
                        mode.name(),
                        field.name,
                        field.what
                    ),
                )
                .hint(missing_hint(field.name, mode)),
            );
        } else if present && !field.allowed.contains(&mode) {
            out.push(
                Diagnostic::error(
                    Code::ModeFieldRefused,
                    path,
                    format!(
                        "mesh.{} belongs to mode {} ({}), not to `{}`",
                        field.name,
                        modes(field.allowed),
                        field.what,
                        mode.name()
                    ),
                )
                .hint(refused_hint(field.name, mode)),
            );
        }
    }
    if mode == MeshMode::MultiPrimary {
        for (i, cluster) in facts.plan.clusters.iter().enumerate() {
            if cluster.load_balancer_ips.istiod.is_some() {
                out.push(
                    Diagnostic::error(
                        Code::ModeFieldRefused,
                        format!("clusters[{i}].loadBalancerIPs.istiod"),
                        format!(
                            "loadBalancerIPs.istiod of {} belongs to mode `hosted` (the hosted \
                             istiod) and `primary-remote` (the primary's istiod-lb Service), not \
                             to `multi-primary`",
                            facts.cluster_name(i)
                        ),
                    )
                    .hint(
                        "every primary runs its own istiod, which no other cluster reaches: \
                         remove it; or set mesh.mode: primary-remote with this cluster as \
                         mesh.controlPlaneCluster",
                    ),
                );
            }
        }
    }
}

fn missing_hint(field: &str, mode: MeshMode) -> String {
    match (field, mode) {
        ("controlPlaneCluster", MeshMode::PrimaryRemote) => {
            "name the primary, one of `clusters`; the others become its remotes".to_owned()
        }
        ("controlPlaneCluster", _) => {
            "name the cluster that runs the hosted istiod, one of `clusters`".to_owned()
        }
        ("globalCluster", _) => "add it, e.g. globalCluster: kpanda-global-cluster; for \
                                 upstream Istio without Mspider use mode multi-primary or \
                                 primary-remote"
            .to_owned(),
        _ => format!(
            "add mesh.{field}, e.g. registry: release.daocloud.io/mspider; for upstream Istio \
             without Mspider use mode multi-primary or primary-remote"
        ),
    }
}

fn refused_hint(field: &str, mode: MeshMode) -> String {
    match (field, mode) {
        ("controlPlaneCluster", _) => "in multi-primary every cluster runs its own istiod: \
                                       remove it; or set mesh.mode: primary-remote to make that \
                                       cluster the primary"
            .to_owned(),
        _ => format!(
            "upstream Istio has no global service cluster: remove mesh.{field} (mode `{}`); or \
             set mesh.mode: hosted for an Mspider mesh",
            mode.name()
        ),
    }
}
