//! kubeadm settings: `kubeadm.criSocket` is a socket kubeadm takes (MG081); the image
//! repository is checked with the other registries ([`super::images`], MG080).

use super::shown;
use crate::codes::Code;
use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::Plan;

/// MG081 for each `criSocket` that is neither an absolute path nor a `unix://` or `npipe://`
/// URL; each cluster's socket as a URL (`None` without one or when it is refused), parallel
/// to `plan.clusters`.
///
/// Source: kubernetes/kubernetes `cmd/kubeadm/app/util/config/initconfiguration.go`: a
/// socket without a URL scheme is deprecated, and kubeadm prepends `unix://` with a warning
/// ("Usage of CRI endpoints without URL scheme is deprecated"); meshgen writes the URL.
pub(super) fn cri_sockets(plan: &Plan, out: &mut Diagnostics) -> Vec<Option<String>> {
    let mut sockets = Vec::with_capacity(plan.clusters.len());
    for (i, cluster) in plan.clusters.iter().enumerate() {
        let Some(text) = cluster
            .kubeadm
            .as_ref()
            .and_then(|k| k.cri_socket.as_deref())
        else {
            sockets.push(None);
            continue;
        };
        match cri_socket(text) {
            Ok(url) => sockets.push(Some(url)),
            Err(why) => {
                sockets.push(None);
                out.push(
                    Diagnostic::error(
                        Code::InvalidCriSocket,
                        format!("clusters[{i}].kubeadm.criSocket"),
                        format!(
                            "criSocket `{}` of {} {why}",
                            shown(text),
                            shown(&cluster.name)
                        ),
                    )
                    .hint(
                        "give the runtime's socket as an absolute path, e.g. \
                         /var/run/cri-dockerd.sock, or as unix:///var/run/cri-dockerd.sock",
                    ),
                );
            }
        }
    }
    sockets
}

/// The socket as the URL kubeadm takes: `unix://` + an absolute path, or a `unix://` /
/// `npipe://` URL as given.
pub fn cri_socket(text: &str) -> Result<String, String> {
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("contains white space or a control character".to_owned());
    }
    if let Some(path) = text.strip_prefix("unix://") {
        return if path.starts_with('/') && path.len() > 1 {
            Ok(text.to_owned())
        } else {
            Err("is not unix:// and an absolute path".to_owned())
        };
    }
    if text.starts_with("npipe://") && text.len() > "npipe://".len() {
        return Ok(text.to_owned());
    }
    if text.contains("://") {
        return Err("has a URL scheme other than unix:// or npipe://".to_owned());
    }
    if text.starts_with('/') && text.len() > 1 {
        Ok(format!("unix://{text}"))
    } else {
        Err("is not an absolute path".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sockets_become_urls() {
        assert_eq!(
            cri_socket("/var/run/cri-dockerd.sock").unwrap(),
            "unix:///var/run/cri-dockerd.sock"
        );
        assert_eq!(
            cri_socket("unix:///run/containerd/containerd.sock").unwrap(),
            "unix:///run/containerd/containerd.sock"
        );
        assert!(cri_socket("npipe:////./pipe/containerd-containerd").is_ok());
        for bad in [
            "cri-dockerd.sock",
            "unix://run/x.sock",
            "tcp://1.2.3.4:5",
            "/a b",
            "/",
            "",
        ] {
            assert!(cri_socket(bad).is_err(), "{bad:?}");
        }
    }
}
