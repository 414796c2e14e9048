//! Versions: the mesh version (MG060), each cluster's Kubernetes version (MG061),
//! whether that Istio release supports that Kubernetes (MG062, a warning), and, in the
//! upstream modes, whether the version is an Istio release meshgen renders Helm values for
//! (MG064); and `metallb.version` (MG063). The grammars are [`crate::grammar::version`].

use super::shown;
use crate::codes::Code;
use crate::diag::{Diagnostic, Diagnostics};
use crate::grammar::{KubeVersion, MeshVersion, MetallbVersion};
use crate::plan::{MeshMode, Plan, default_metallb_version};

/// The first Istio minor the upstream modes install: Istio 1.24 removed the in-cluster
/// operator (Helm is the documented install) and added the `remote` profile to the `base`
/// and `istiod` charts, which primary-remote needs (istio.io primary-remote guide: "only
/// available from Istio release 1.24 onwards"; istio/istio `manifests/charts/*/files/
/// profile-remote.yaml` from tag 1.24.0). The keys meshgen writes into the charts' values
/// (`global.externalIstiod`: 1.23; the gateway chart's `networkGateway`, `service.*`) are
/// in every chart from 1.24 on.
pub const UPSTREAM_FIRST_MINOR: u32 = 24;

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
    if plan.mesh.mode != MeshMode::Hosted
        && let Some(version) = &mesh
    {
        istio_release(plan.mesh.mode, version, out);
    }
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
                    if plan.mesh.mode == MeshMode::Hosted {
                        "1.15.3-mspider (the Mspider release; it is also the image tag)"
                    } else {
                        "1.29.2 (the Istio release: the version of its Helm charts)"
                    },
                )),
            );
            None
        }
    }
}

/// MG064: in the upstream modes the version is an Istio release (a chart version) that
/// meshgen knows: 1.24 or newer, in the support table, `MAJOR.MINOR.PATCH` or a
/// pre-release (`-alpha.N`, `-beta.N`, `-rc.N`, as istio/istio tags them).
fn istio_release(mode: MeshMode, version: &MeshVersion, out: &mut Diagnostics) {
    let text = version.as_str();
    let newest = ISTIO_KUBERNETES.last().map_or(0, |row| row.0);
    let suffix = text.split_once('-').map(|(_, suffix)| suffix);
    let pre_release = |suffix: &str| {
        ["alpha.", "beta.", "rc."].iter().any(|kind| {
            suffix
                .strip_prefix(kind)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
    };
    let problem = if suffix.is_some_and(|s| !pre_release(s)) {
        format!(
            "`{}` is not an Istio release: mode `{}` installs upstream Istio's Helm charts, whose \
             versions are MAJOR.MINOR.PATCH (or a pre-release, -alpha.N, -beta.N, -rc.N)",
            shown(text),
            mode.name()
        )
    } else if version.major == 1 && version.minor < UPSTREAM_FIRST_MINOR {
        format!(
            "Istio {text} is older than 1.{UPSTREAM_FIRST_MINOR}, the first release mode `{}` \
             installs: from 1.{UPSTREAM_FIRST_MINOR} Helm is the documented install and the \
             base and istiod charts have the remote profile",
            mode.name()
        )
    } else if version.major != 1 || supported_kubernetes(version.minor).is_none() {
        format!(
            "Istio {text} is newer than the releases meshgen knows (1.{UPSTREAM_FIRST_MINOR} to \
             1.{newest}): their charts' values and their Kubernetes support are not known to it"
        )
    } else {
        return;
    };
    out.push(
        Diagnostic::error(Code::UnknownIstioRelease, "mesh.version", problem).hint(format!(
            "write an Istio release from 1.{UPSTREAM_FIRST_MINOR}.0 to 1.{newest}.x, e.g. 1.29.2 \
             (the chart version the runbook installs)"
        )),
    );
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
