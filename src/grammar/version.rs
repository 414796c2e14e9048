//! Versions: a cluster's Kubernetes version and the mesh (Mspider / Istio) version.

use std::fmt;

/// A plan's `kubernetesVersion`: `MAJOR.MINOR` or `MAJOR.MINOR.PATCH`, numbers without a
/// sign or a leading zero, and no leading `v` (`"1.25"`, `"1.25.3"`).
///
/// kubeadm's `kubernetesVersion` takes `v?MAJOR.MINOR.PATCH[suffix]` (kubernetes/kubernetes
/// `cmd/kubeadm/app/util/version.go`, `kubeReleaseRegex`) and kind's node images are
/// tagged `vMAJOR.MINOR.PATCH`; the plan asks for less than either and meshgen writes the
/// full `v1.25.16` form itself (a missing patch is filled from the kind node images).
/// The plan keeps one spelling, the one its schema documents (`"1.25"`), so that the
/// planning form shows the value as written and two plans compare by text: `v1.25` is
/// refused with a hint to drop the `v`, rather than taken as a second spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KubeVersion {
    pub major: u32,
    pub minor: u32,
    /// `None` for `MAJOR.MINOR`.
    pub patch: Option<u32>,
}

impl KubeVersion {
    /// `None` when `text` is not `MAJOR.MINOR[.PATCH]`.
    pub fn parse(text: &str) -> Option<KubeVersion> {
        let mut parts = text.split('.');
        let major = number(parts.next()?)?;
        let minor = number(parts.next()?)?;
        let patch = parts.next().map(number);
        if parts.next().is_some() {
            return None;
        }
        Some(KubeVersion {
            major,
            minor,
            patch: match patch {
                Some(patch) => Some(patch?),
                None => None,
            },
        })
    }

    /// The release kubeadm and kind take, `v1.25.3`, with `default_patch` where the plan
    /// names no patch.
    pub fn release(&self, default_patch: u32) -> String {
        format!(
            "v{}.{}.{}",
            self.major,
            self.minor,
            self.patch.unwrap_or(default_patch)
        )
    }
}

impl fmt::Display for KubeVersion {
    /// As the plan writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)?;
        match self.patch {
            Some(patch) => write!(f, ".{patch}"),
            None => Ok(()),
        }
    }
}

/// The mesh version: `MAJOR.MINOR.PATCH[-suffix]` (`1.15.3-mspider`), suffix letters,
/// digits, `.` and `-`. It is also the tag of every mesh image (`<registry>/proxyv2:<version>`),
/// so it is at most 128 characters and always a valid tag ([`super::image::tag`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MeshVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
    text: String,
}

impl MeshVersion {
    /// The longest image tag (distribution/reference `tag`: `[\w][\w.-]{0,127}`).
    const MAX: usize = 128;

    /// `None` when `text` is not `MAJOR.MINOR.PATCH[-suffix]`.
    pub fn parse(text: &str) -> Option<MeshVersion> {
        if text.len() > Self::MAX {
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
        if parts.next().is_some() {
            return None;
        }
        Some(MeshVersion {
            major: number(major)?,
            minor: number(minor)?,
            patch: number(patch)?,
            text: text.to_owned(),
        })
    }

    /// (major, minor), to compare with a release that changed something (`>= (1, 22)`).
    pub fn minor_version(&self) -> (u32, u32) {
        (self.major, self.minor)
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for MeshVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A MetalLB release, `vMAJOR.MINOR.PATCH` as MetalLB tags them (`v0.16.1`; the `v` may be
/// left out). It names the manifest the runbook installs
/// (`config/manifests/metallb-native.yaml` at that tag, metallb/metallb) and picks what the
/// release reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MetallbVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl MetallbVersion {
    /// The first release with the CRDs (`IPAddressPool`, `L2Advertisement`): v0.13.0
    /// (metallb/metallb `website/content/release-notes/_index.md`; the ConfigMap config was
    /// removed in v0.13.2).
    pub const FIRST_WITH_CRDS: MetallbVersion = MetallbVersion::new(0, 13, 0);
    /// The first release that reads the `metallb.io/` Service annotations: v0.14.9 (commit
    /// fc863cc "change annotation prefix to metallb.io"; v0.14.8 still has
    /// `AnnotationPrefix = "metallb.universe.tf"` in `controller/service.go`).
    pub const FIRST_WITH_METALLB_IO: MetallbVersion = MetallbVersion::new(0, 14, 9);
    /// The first release that announces nothing from nodes labelled
    /// `node.kubernetes.io/exclude-from-external-load-balancers`: v0.14.0 (commit 1a8e52c,
    /// `speaker/layer2_controller.go`).
    pub const FIRST_HONOURING_EXCLUDE_LABEL: MetallbVersion = MetallbVersion::new(0, 14, 0);

    /// The first release whose webhook Service is `metallb-webhook-service` (commit b3d8a0fbe
    /// "Helm: align the conversion webhook service on CRDs"); before, `webhook-service`
    /// (`config/manifests/metallb-native.yaml` at each tag).
    pub const FIRST_WITH_METALLB_WEBHOOK_SERVICE: MetallbVersion = MetallbVersion::new(0, 14, 4);

    pub const fn new(major: u32, minor: u32, patch: u32) -> MetallbVersion {
        MetallbVersion {
            major,
            minor,
            patch,
        }
    }

    /// `None` when `text` is not `[v]MAJOR.MINOR.PATCH`.
    pub fn parse(text: &str) -> Option<MetallbVersion> {
        let core = text.strip_prefix('v').unwrap_or(text);
        let mut parts = core.split('.');
        let (major, minor, patch) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        Some(MetallbVersion::new(
            number(major)?,
            number(minor)?,
            number(patch)?,
        ))
    }

    /// The prefix of the Service annotations this release reads (`controller/service.go`:
    /// `AnnotationPrefix = "metallb.io"`, `DeprecatedAnnotationPrefix = "metallb.universe.tf"`).
    pub fn annotation_prefix(&self) -> &'static str {
        if *self >= Self::FIRST_WITH_METALLB_IO {
            "metallb.io"
        } else {
            "metallb.universe.tf"
        }
    }
}

impl MetallbVersion {
    /// The Service of the controller's webhook, which validates the pools.
    pub fn webhook_service(&self) -> &'static str {
        if *self >= Self::FIRST_WITH_METALLB_WEBHOOK_SERVICE {
            "metallb-webhook-service"
        } else {
            "webhook-service"
        }
    }
}

impl fmt::Display for MetallbVersion {
    /// As MetalLB tags it: `v0.16.1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// A version number: digits, no sign, no leading zero (as kubeadm's `0|[1-9][0-9]*`).
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
    fn kubernetes_versions() {
        let v = |text: &str| KubeVersion::parse(text);
        assert_eq!(
            v("1.25"),
            Some(KubeVersion {
                major: 1,
                minor: 25,
                patch: None
            })
        );
        assert_eq!(v("1.25.3").and_then(|v| v.patch), Some(3));
        assert_eq!(v("1.0.0").map(|v| v.to_string()).as_deref(), Some("1.0.0"));
        for bad in [
            "",
            "1",
            "1.",
            "1.25.",
            "1.25.3.1",
            "v1.25",
            "V1.25",
            "1.+5",
            "1.-5",
            "01.25",
            "1.025",
            "1.25.03",
            " 1.25",
            "1.25 ",
            "1.x",
            "1.25.3-rc.1",
            "1.99999999999",
        ] {
            assert_eq!(v(bad), None, "{bad:?}");
        }
        assert_eq!(v("1.25").unwrap().release(16), "v1.25.16");
        assert_eq!(v("1.25.3").unwrap().release(16), "v1.25.3");
    }

    #[test]
    fn mesh_versions() {
        let v = |text: &str| MeshVersion::parse(text);
        let mspider = v("1.15.3-mspider").unwrap();
        assert_eq!(mspider.minor_version(), (1, 15));
        assert_eq!(mspider.patch, 3);
        assert_eq!(mspider.to_string(), "1.15.3-mspider");
        assert_eq!(v("1.30.0").unwrap().minor_version(), (1, 30));
        assert!(v("1.22.0-rc.1-x").is_some());
        for bad in [
            "1.15",
            "v1.15.3",
            "1.15.3-",
            "1.15.3-a b",
            "1.015.3",
            "1.15.3.4",
            "1.15.3+build",
            "latest",
            &format!("1.15.3-{}", "a".repeat(122)),
        ] {
            assert_eq!(v(bad), None, "{bad:?}");
        }
        assert!(v(&format!("1.15.3-{}", "a".repeat(121))).is_some());
    }

    #[test]
    fn metallb_versions() {
        let v = |text: &str| MetallbVersion::parse(text);
        assert_eq!(v("v0.16.1"), Some(MetallbVersion::new(0, 16, 1)));
        assert_eq!(v("0.14.8").unwrap().to_string(), "v0.14.8");
        assert_eq!(
            v("v0.14.8").unwrap().annotation_prefix(),
            "metallb.universe.tf"
        );
        assert_eq!(v("v0.14.9").unwrap().annotation_prefix(), "metallb.io");
        assert!(v("v0.12.1").unwrap() < MetallbVersion::FIRST_WITH_CRDS);
        for bad in [
            "",
            "v0.14",
            "v0.14.9-rc1",
            "V0.14.9",
            "vv0.14.9",
            "0.014.9",
            "latest",
        ] {
            assert_eq!(v(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn every_mesh_version_is_an_image_tag() {
        for text in ["1.15.3-mspider", "1.30.0", "1.22.0-rc.1-x", "0.0.0-a.b-c"] {
            assert!(MeshVersion::parse(text).is_some(), "{text}");
            assert!(super::super::image::tag(text).is_ok(), "{text}");
        }
    }
}
