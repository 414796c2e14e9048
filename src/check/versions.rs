//! Versions: the mesh version (MG060), each cluster's Kubernetes version (MG061), and
//! whether that Istio release supports that Kubernetes (MG062, a warning). The grammars
//! are [`crate::grammar::version`].

use super::shown;
use crate::codes::Code;
use crate::diag::{Diagnostic, Diagnostics};
use crate::grammar::{KubeVersion, MeshVersion, MetallbVersion};
use crate::plan::{Plan, default_metallb_version};

/// Istio's published support table: Istio minor -> the Kubernetes minors it supports
/// (first, last; every minor in between too).
///
/// Source: istio.io "Supported Releases", table "Support status of Istio releases", column
/// "Supported Kubernetes Versions" (https://istio.io/latest/docs/releases/supported-releases/,
/// generated from istio/istio.io `data/compatibility/supportStatus.yml`); rows 1.7 to 1.29
/// as that table lists them, 1.30 from its release announcement of 2026-05-18 ("officially
/// supported on Kubernetes versions 1.32 to 1.36"). Gathered 2026-08. The "tested, but not
/// supported" column is left out: those versions get the warning. Minors outside the
/// table get no warning: meshgen cannot know a newer release's range, and a stale table
/// must not nag about a release it has never seen.
const ISTIO_KUBERNETES: &[(u32, u32, u32)] = &[
    (7, 16, 18),
    (8, 16, 19),
    (9, 17, 20),
    (10, 18, 21),
    (11, 18, 22),
    (12, 19, 22),
    (13, 20, 23),
    (14, 21, 24),
    (15, 22, 25),
    (16, 22, 25),
    (17, 23, 26),
    (18, 24, 27),
    (19, 25, 28),
    (20, 25, 29),
    (21, 26, 29),
    (22, 27, 30),
    (23, 27, 30),
    (24, 28, 31),
    (25, 29, 32),
    (26, 29, 33),
    (27, 29, 33),
    (28, 30, 34),
    (29, 31, 35),
    (30, 32, 36),
];

/// The Kubernetes minors (1.x) Istio 1.`istio_minor` supports, if the table knows that release.
pub fn supported_kubernetes(istio_minor: u32) -> Option<(u32, u32)> {
    ISTIO_KUBERNETES
        .iter()
        .find(|(istio, _, _)| *istio == istio_minor)
        .map(|(_, first, last)| (*first, *last))
}

/// The versions that parsed: the mesh's, and each cluster's (parallel to `plan.clusters`).
pub(super) type Parsed = (Option<MeshVersion>, Vec<Option<KubeVersion>>);

pub(super) fn check(plan: &Plan, out: &mut Diagnostics) -> Parsed {
    let mesh = mesh_version(plan, out);
    let istio = mesh.as_ref().map(MeshVersion::minor_version);
    let mut clusters = Vec::with_capacity(plan.clusters.len());
    for (i, cluster) in plan.clusters.iter().enumerate() {
        let path = || format!("clusters[{i}].kubernetesVersion");
        let text = &cluster.kubernetes_version;
        let parsed = KubeVersion::parse(text);
        clusters.push(parsed);
        let Some(KubeVersion { major, minor, .. }) = parsed else {
            out.push(
                Diagnostic::error(
                    Code::InvalidKubernetesVersion,
                    path(),
                    format!(
                        "kubernetesVersion `{}` is not MAJOR.MINOR or MAJOR.MINOR.PATCH",
                        shown(text)
                    ),
                )
                .hint(version_hint(
                    text,
                    "\"1.25\" (quoted, so YAML keeps it a string)",
                )),
            );
            continue;
        };
        let Some((1, istio_minor)) = istio else {
            continue;
        };
        let Some((first, last)) = supported_kubernetes(istio_minor) else {
            continue;
        };
        if major == 1 && (first..=last).contains(&minor) {
            continue;
        }
        let fits: Vec<u32> = ISTIO_KUBERNETES
            .iter()
            .filter(|(_, first, last)| major == 1 && (*first..=*last).contains(&minor))
            .map(|(istio, _, _)| *istio)
            .collect();
        let upgrade = match (fits.first(), fits.last()) {
            (Some(a), Some(b)) if a == b => format!("use a mesh release based on Istio 1.{a}, "),
            (Some(a), Some(b)) => format!("use a mesh release based on Istio 1.{a} to 1.{b}, "),
            _ => String::new(),
        };
        out.push(
            Diagnostic::warning(
                Code::UnsupportedKubernetesVersion,
                path(),
                format!(
                    "Kubernetes {major}.{minor} is outside what Istio 1.{istio_minor} supports \
                     (Kubernetes 1.{first} to 1.{last})"
                ),
            )
            .hint(format!(
                "istio.io's supported-releases table lists 1.{first} to 1.{last} for Istio \
                 1.{istio_minor}: {upgrade}or run Kubernetes 1.{first} to 1.{last} on this cluster"
            )),
        );
    }
    (mesh, clusters)
}

/// MG060: check `mesh.version`; the version when it is valid.
fn mesh_version(plan: &Plan, out: &mut Diagnostics) -> Option<MeshVersion> {
    let text = &plan.mesh.version;
    match MeshVersion::parse(text) {
        Some(version) => Some(version),
        None => {
            out.push(
                Diagnostic::error(
                    Code::InvalidMeshVersion,
                    "mesh.version",
                    format!(
                        "mesh version `{}` is not MAJOR.MINOR.PATCH[-suffix]",
                        shown(text)
                    ),
                )
                .hint(version_hint(
                    text,
                    "1.15.3-mspider (the Mspider release; it is also the image tag)",
                )),
            );
            None
        }
    }
}

/// MG063: check `metallb.version`; the release, the default one when the plan names none.
pub(super) fn metallb_version(plan: &Plan, out: &mut Diagnostics) -> Option<MetallbVersion> {
    let text = plan
        .metallb
        .as_ref()
        .map_or_else(default_metallb_version, |m| m.version.clone());
    let parsed = MetallbVersion::parse(&text);
    let problem = match parsed {
        None => format!(
            "metallb.version `{}` is not vMAJOR.MINOR.PATCH",
            shown(&text)
        ),
        Some(version) if version < MetallbVersion::FIRST_WITH_CRDS => format!(
            "MetalLB {version} predates the IPAddressPool and L2Advertisement CRDs meshgen \
             writes (v0.13.0); it reads a ConfigMap instead"
        ),
        Some(version) => return Some(version),
    };
    out.push(
        Diagnostic::error(Code::InvalidMetallbVersion, "metallb.version", problem).hint(format!(
            "name the release the clusters run as MetalLB tags it, v0.13.0 or later, e.g. {}",
            default_metallb_version()
        )),
    );
    None
}

fn version_hint(text: &str, example: &str) -> String {
    if text.starts_with(['v', 'V']) {
        format!("drop the leading `v`, e.g. {example}")
    } else {
        format!("e.g. {example}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_ordered_and_ranges_are_sane() {
        for pair in ISTIO_KUBERNETES.windows(2) {
            let ((a, a_first, a_last), (b, b_first, b_last)) = (pair[0], pair[1]);
            assert_eq!(b, a + 1, "one row per minor");
            assert!(
                a_first <= b_first && a_last <= b_last,
                "ranges only move up"
            );
        }
        assert_eq!(supported_kubernetes(15), Some((22, 25)));
        assert_eq!(supported_kubernetes(31), None);
    }
}
