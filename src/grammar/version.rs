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
    fn every_mesh_version_is_an_image_tag() {
        for text in ["1.15.3-mspider", "1.30.0", "1.22.0-rc.1-x", "0.0.0-a.b-c"] {
            assert!(MeshVersion::parse(text).is_some(), "{text}");
            assert!(super::super::image::tag(text).is_ok(), "{text}");
        }
    }
}
