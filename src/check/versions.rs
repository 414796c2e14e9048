//! Versions: the mesh version (MG060), each cluster's Kubernetes version (MG061), and
//! whether that Istio release supports that Kubernetes (MG062, a warning).

use super::shown;
use crate::codes::Code;
use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::Plan;

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

pub(super) fn check(plan: &Plan, out: &mut Diagnostics) {
    let istio = mesh_version(plan, out);
    for (i, cluster) in plan.clusters.iter().enumerate() {
        let path = || format!("clusters[{i}].kubernetesVersion");
        let text = &cluster.kubernetes_version;
        let Some((major, minor)) = kubernetes_version(text) else {
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
}

/// MG060: check `mesh.version`; its (major, minor) when it is valid.
fn mesh_version(plan: &Plan, out: &mut Diagnostics) -> Option<(u32, u32)> {
    let text = &plan.mesh.version;
    match parse_mesh_version(text) {
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

fn version_hint(text: &str, example: &str) -> String {
    if text.starts_with(['v', 'V']) {
        format!("drop the leading `v`, e.g. {example}")
    } else {
        format!("e.g. {example}")
    }
}

/// `MAJOR.MINOR.PATCH[-suffix]` (suffix: letters, digits, `.` and `-`; the whole is an
/// image tag, so at most 128 characters) to (major, minor).
fn parse_mesh_version(text: &str) -> Option<(u32, u32)> {
    if text.len() > 128 {
        return None;
    }
    let (core, suffix) = match text.split_once('-') {
        Some((core, suffix)) => (core, Some(suffix)),
        None => (text, None),
    };
    if let Some(suffix) = suffix
        && (suffix.is_empty()
            || !suffix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'))
    {
        return None;
    }
    let mut parts = core.split('.');
    let (major, minor, patch) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || number(patch).is_none() {
        return None;
    }
    Some((number(major)?, number(minor)?))
}

/// `MAJOR.MINOR` or `MAJOR.MINOR.PATCH` to (major, minor).
fn kubernetes_version(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.split('.');
    let (major, minor) = (number(parts.next()?)?, number(parts.next()?)?);
    match parts.next() {
        Some(patch) if number(patch).is_none() => return None,
        _ => {}
    }
    parts.next().is_none().then_some((major, minor))
}

/// A version number: digits, no sign, no leading zero.
fn number(text: &str) -> Option<u32> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if !digits || (text.len() > 1 && text.starts_with('0')) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse() {
        assert_eq!(parse_mesh_version("1.15.3-mspider"), Some((1, 15)));
        assert_eq!(parse_mesh_version("1.30.0"), Some((1, 30)));
        assert_eq!(parse_mesh_version("1.15"), None);
        assert_eq!(parse_mesh_version("v1.15.3"), None);
        assert_eq!(parse_mesh_version("1.15.3-"), None);
        assert_eq!(parse_mesh_version("1.15.3-a b"), None);
        assert_eq!(parse_mesh_version("1.015.3"), None);
        assert_eq!(kubernetes_version("1.25"), Some((1, 25)));
        assert_eq!(kubernetes_version("1.25.3"), Some((1, 25)));
        assert_eq!(kubernetes_version("1.25.3.1"), None);
        assert_eq!(kubernetes_version("1"), None);
        assert_eq!(kubernetes_version("v1.25"), None);
        assert_eq!(kubernetes_version("1.+5"), None);
    }

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
