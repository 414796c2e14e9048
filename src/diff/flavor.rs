//! What a control-plane flavor installs and connects, compared: the namespace manifest its
//! releases install into (applied before them), Helm releases (upgraded with their new
//! values, uninstalled when gone) and remote secrets (created with the routing, created
//! again when the API server they reach moved, deleted before what they reach goes).
//! Hosted meshes have none of these; the upstream flavors tell the diff theirs through the
//! flavor seam.

use super::cluster::names;
use super::{Action, Change, Draft, Input, Phase, Side, kubectl, sh};
use crate::model::Model;
use crate::model::cluster::MeshRole;
use crate::model::existing::Purpose;
use crate::model::flavor::{HelmRelease, RemoteSecret};

/// `kubectl apply -f` of each namespace manifest that is new or changed (its network label,
/// a remote's controlling primary), before the releases; `kubectl delete -f` of one that is
/// gone, after them.
pub(super) fn namespaces(old: &Input<'_>, new: &Input<'_>) -> Vec<Draft> {
    let mut drafts = Vec::new();
    for name in names(old.model, new.model) {
        let manifest = |model: &Model| {
            (model.cluster(&name))
                .and_then(|c| c.flavor.namespace_manifest())
                .map(str::to_owned)
        };
        let (before, after) = (manifest(old.model), manifest(new.model));
        if let Some(path) = &after {
            if before.as_ref() == Some(path) && old.tree.get(path) == new.tree.get(path) {
                continue;
            }
            let change = if before.is_some() {
                Change::Changed
            } else {
                Change::Added
            };
            let mut draft = Draft::new(
                Phase::Membership,
                Side::Cluster,
                Action::Apply,
                change,
                format!("apply the namespace manifest {path}"),
            )
            .at(Some(&name), Some(&name));
            draft
                .commands
                .push(format!("{} apply -f {}", kubectl(&name), sh(path)));
            draft.files = vec![path.clone()];
            drafts.push(draft);
            let runs_istiod = |model: &Model| {
                model.cluster(&name).map(|c| c.mesh_role) == Some(MeshRole::Primary)
            };
            if runs_istiod(new.model) && !runs_istiod(old.model) {
                drafts.push(cacerts(&name));
            }
        } else if let Some(path) = before {
            let mut draft = Draft::new(
                Phase::LeaveMesh,
                Side::Cluster,
                Action::Delete,
                Change::Removed,
                format!("the namespace manifest {path} is gone"),
            )
            .at(Some(&name), Some(&name));
            draft.rank = 4;
            draft.commands.push(format!(
                "{} delete -f {} --ignore-not-found",
                kubectl(&name),
                sh(&path)
            ));
            draft.files = vec![path];
            drafts.push(draft);
        }
    }
    drafts
}

/// A cluster that starts running istiod needs an intermediate CA of the mesh's one root as
/// its `cacerts` Secret before its istiod starts (istiod mounts it optionally and would make
/// a root of its own): the runbook's trust step, from the folder that holds the root
/// (`$CERTS`, outside the tree: no key is in it). The commands of
/// `templates/upstream/readme/step-trust.md`.
fn cacerts(cluster: &str) -> Draft {
    let mut draft = Draft::new(
        Phase::Membership,
        Side::Cluster,
        Action::Manual,
        Change::Added,
        format!(
            "{cluster} runs istiod: give it an intermediate CA of the mesh's root as the Secret \
             cacerts before its istiod release (README.md, the trust step; CERTS: the folder \
             that holds the root, or `meshgen certs` for a test stand)"
        ),
    )
    .at(Some(cluster), Some(cluster));
    let dir = |file: &str| format!("--from-file=\"$CERTS\"/{}/{file}", sh(cluster));
    draft.commands = vec![
        format!(
            "make -C \"$CERTS\" -f tools/certs/Makefile.selfsigned.mk {}",
            sh(&format!("{cluster}-cacerts"))
        ),
        format!(
            "{} create secret generic cacerts -n {} {} {} {} {}",
            kubectl(cluster),
            sh(crate::model::ISTIO_NAMESPACE),
            dir("ca-cert.pem"),
            dir("ca-key.pem"),
            dir("root-cert.pem"),
            dir("cert-chain.pem")
        ),
    ];
    draft
}

/// `helm upgrade --install` of every release whose values changed, `helm uninstall` of
/// the ones that are gone (upstream flavors; hosted has none).
pub(super) fn helm_releases(old: &Input<'_>, new: &Input<'_>) -> Vec<Draft> {
    let mut drafts = Vec::new();
    for name in names(old.model, new.model) {
        let releases = |model: &Model| {
            model
                .cluster(&name)
                .map(|c| c.flavor.helm_releases())
                .unwrap_or_default()
        };
        let (before, after) = (releases(old.model), releases(new.model));
        for release in &after {
            let was = before.iter().find(|r| r.release == release.release);
            let same = was.is_some_and(|w| {
                w == release && old.tree.get(&w.values) == new.tree.get(&release.values)
            });
            if same {
                continue;
            }
            let change = if was.is_some() {
                Change::Changed
            } else {
                Change::Added
            };
            let phase = match release.purpose {
                Purpose::Address => Phase::Gateways,
                _ => Phase::Membership,
            };
            let mut draft = Draft::new(
                phase,
                Side::Cluster,
                Action::Helm,
                change,
                format!(
                    "Helm release {} ({} {})",
                    release.release, release.chart, release.version
                ),
            )
            .at(Some(&name), Some(&name));
            draft.rank = 1;
            draft.commands.push(helm_upgrade(&name, release));
            draft.files = [was.map(|w| w.values.clone()), Some(release.values.clone())]
                .into_iter()
                .flatten()
                .collect();
            draft.files.dedup();
            drafts.push(draft);
        }
        for release in before
            .iter()
            .filter(|r| !after.iter().any(|a| a.release == r.release))
        {
            let phase = match release.purpose {
                Purpose::Address => Phase::DeleteObjects,
                _ => Phase::LeaveMesh,
            };
            let mut draft = Draft::new(
                phase,
                Side::Cluster,
                Action::Helm,
                Change::Removed,
                format!("Helm release {} is gone", release.release),
            )
            .at(Some(&name), Some(&name));
            draft.rank = 3;
            draft.commands.push(helm_uninstall(&name, release));
            draft.files = vec![release.values.clone()];
            drafts.push(draft);
        }
    }
    drafts
}

/// `helm upgrade --install` with the release's values file: installs or upgrades to exactly
/// those values (no `--reuse-values`: a value NEW no longer sets goes back to the chart's).
fn helm_upgrade(cluster: &str, release: &HelmRelease) -> String {
    format!(
        "helm upgrade --install {} {} --version {} --kube-context {} -n {} -f {}",
        sh(&release.release),
        sh(&release.chart),
        sh(&release.version),
        sh(cluster),
        sh(&release.namespace),
        sh(&release.values)
    )
}

fn helm_uninstall(cluster: &str, release: &HelmRelease) -> String {
    format!(
        "helm uninstall {} --kube-context {} -n {}",
        sh(&release.release),
        sh(cluster),
        sh(&release.namespace)
    )
}

/// As the runbook creates one (`templates/upstream/readme/remote-secret.md`, after the
/// upstream multicluster guides): `--server` where the reading istiod reaches the API
/// server, and `-n` on both sides (istioctl writes into the current context's namespace
/// otherwise).
fn create_remote_secret(secret: &RemoteSecret) -> String {
    format!(
        "istioctl create-remote-secret --context={} --name={} --server={} -n {} | kubectl apply --context={} -n {} -f -",
        sh(&secret.of_cluster),
        sh(&secret.of_cluster),
        sh(&secret.server),
        sh(&secret.namespace),
        sh(&secret.in_cluster),
        sh(&secret.namespace)
    )
}

/// The Secret `istio-remote-secret-<name>` (istioctl `pkg/multicluster/remote_secret.go`).
fn delete_remote_secret(secret: &RemoteSecret) -> String {
    format!(
        "{} delete secret {} -n {} --ignore-not-found",
        kubectl(&secret.in_cluster),
        sh(&format!("istio-remote-secret-{}", secret.of_cluster)),
        sh(&secret.namespace)
    )
}

/// Remote secrets to create (with the routing) and to delete (before what they reach goes).
pub(super) fn remote_secrets(old: &Input<'_>, new: &Input<'_>) -> Vec<Draft> {
    let (before, after) = (
        old.model.flavor.remote_secrets(),
        new.model.flavor.remote_secrets(),
    );
    // One Secret per reader and cluster read (`istio-remote-secret-<name>`).
    let pair = |s: &RemoteSecret| (s.in_cluster.clone(), s.of_cluster.clone());
    let find =
        |list: &[RemoteSecret], s: &RemoteSecret| list.iter().find(|o| pair(o) == pair(s)).cloned();
    let mut drafts = Vec::new();
    for secret in after.iter().filter(|s| !before.contains(s)) {
        let (change, summary) = match find(&before, secret) {
            Some(was) => (
                Change::Changed,
                format!(
                    "{}'s istiod reads {}'s API server at {} (was {}): create its remote secret again",
                    secret.in_cluster, secret.of_cluster, secret.server, was.server
                ),
            ),
            None => (
                Change::Added,
                format!(
                    "{}'s istiod reads {}'s API server",
                    secret.in_cluster, secret.of_cluster
                ),
            ),
        };
        let mut draft = Draft::new(
            Phase::Routing,
            Side::Cluster,
            Action::RemoteSecret,
            change,
            summary,
        )
        .at(Some(&secret.in_cluster), Some(&secret.in_cluster));
        draft.commands.push(create_remote_secret(secret));
        drafts.push(draft);
    }
    for secret in before.iter().filter(|s| find(&after, s).is_none()) {
        let mut draft = Draft::new(
            Phase::Unroute,
            Side::Cluster,
            Action::RemoteSecret,
            Change::Removed,
            format!(
                "{}'s istiod stops reading {}'s API server",
                secret.in_cluster, secret.of_cluster
            ),
        )
        .at(Some(&secret.in_cluster), Some(&secret.in_cluster));
        draft.commands.push(delete_remote_secret(secret));
        drafts.push(draft);
    }
    drafts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_and_remote_secret_commands() {
        let release = HelmRelease {
            release: "istiod".into(),
            chart: "istio/istiod".into(),
            version: "1.30.3".into(),
            namespace: "istio-system".into(),
            values: "clusters/c1/helm/istiod-values.yaml".into(),
            purpose: Purpose::Membership,
        };
        assert_eq!(
            helm_upgrade("c1", &release),
            "helm upgrade --install istiod istio/istiod --version 1.30.3 --kube-context c1 -n istio-system -f clusters/c1/helm/istiod-values.yaml"
        );
        assert_eq!(
            helm_uninstall("c1", &release),
            "helm uninstall istiod --kube-context c1 -n istio-system"
        );
        let secret = RemoteSecret {
            in_cluster: "c1".into(),
            of_cluster: "c2".into(),
            namespace: "istio-system".into(),
            server: "https://192.168.20.10:6443".into(),
        };
        assert_eq!(
            create_remote_secret(&secret),
            "istioctl create-remote-secret --context=c2 --name=c2 --server=https://192.168.20.10:6443 -n istio-system | kubectl apply --context=c1 -n istio-system -f -"
        );
        assert_eq!(
            delete_remote_secret(&secret),
            "kubectl --context c1 delete secret istio-remote-secret-c2 -n istio-system --ignore-not-found"
        );
    }
}
