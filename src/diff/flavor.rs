//! What a control-plane flavor installs and connects, compared: Helm releases (upgraded
//! with their new values, uninstalled when gone) and remote secrets (created with the
//! routing, deleted before what they reach goes). Hosted meshes have neither; the upstream
//! flavors tell the diff theirs through the flavor seam.

use super::cluster::names;
use super::{Action, Change, Draft, Input, Phase, Side, kubectl, sh};
use crate::model::Model;
use crate::model::existing::Purpose;
use crate::model::flavor::{HelmRelease, RemoteSecret};

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

/// As the upstream multicluster guides create one (istioctl `create-remote-secret`).
fn create_remote_secret(secret: &RemoteSecret) -> String {
    format!(
        "istioctl create-remote-secret --context={} --name={} | kubectl apply -f - --context={}",
        sh(&secret.of_cluster),
        sh(&secret.of_cluster),
        sh(&secret.in_cluster)
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
    let mut drafts = Vec::new();
    for secret in after.iter().filter(|s| !before.contains(s)) {
        let mut draft = Draft::new(
            Phase::Routing,
            Side::Cluster,
            Action::RemoteSecret,
            Change::Added,
            format!(
                "{}'s istiod reads {}'s API server",
                secret.in_cluster, secret.of_cluster
            ),
        )
        .at(Some(&secret.in_cluster), Some(&secret.in_cluster));
        draft.commands.push(create_remote_secret(secret));
        drafts.push(draft);
    }
    for secret in before.iter().filter(|s| !after.contains(s)) {
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
        };
        assert_eq!(
            create_remote_secret(&secret),
            "istioctl create-remote-secret --context=c2 --name=c2 | kubectl apply -f - --context=c1"
        );
        assert_eq!(
            delete_remote_secret(&secret),
            "kubectl --context c1 delete secret istio-remote-secret-c2 -n istio-system --ignore-not-found"
        );
    }
}
