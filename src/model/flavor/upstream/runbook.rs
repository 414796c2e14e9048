//! The upstream runbooks' steps (`templates/multi-primary/README.md`,
//! `templates/primary-remote/README.md`), and what `verify.sh` checks that only the upstream
//! modes have: each Helm release deployed, istiod ready where it runs, a remote's
//! `controlPlaneClusters` annotation, the remote secrets, and the primary's `expose-istiod`.

use std::sync::Arc;

use super::UpstreamMesh;
use crate::model::flavor::ClusterFlavor;
use crate::model::runbook::{RunbookSteps, Step, Steps};
use crate::model::verify::{self, Check, Compare};
use crate::model::{ClusterModel, ISTIO_NAMESPACE};

/// The shared steps the upstream runbooks do in another: the Namespace manifest carries the
/// network label; Helm installs the gateways (their addresses in the values) and the install
/// step applies the Istio config (the cross-network Gateway, `expose-istiod` or `istiod-lb`).
const DONE_IN: &[(Step, Step)] = &[
    (Step::NetworkLabel, Step::Namespace),
    (Step::Ingress, Step::Install),
    (Step::EastWest, Step::Install),
    (Step::CrossNetwork, Step::Install),
    (Step::IstiodIp, Step::Install),
];

/// Multi-primary: every cluster installed in one step, then the remote secrets.
pub const MULTI_PRIMARY_STEPS: RunbookSteps = RunbookSteps {
    headings: &[
        Step::Clusters,
        Step::Kubeconfig,
        Step::Nodes,
        Step::Metallb,
        Step::Namespace,
        Step::Trust,
        Step::HelmRepo,
        Step::Install,
        Step::RemoteSecrets,
        Step::VerifyLb,
        Step::VerifyMesh,
        Step::Demo,
        Step::VerifyTraffic,
        Step::Failover,
    ],
    done_in: DONE_IN,
    remote_done_in: &[],
};

/// Primary-remote: the primary installed first, then each remote with its remote secret in
/// the primary, and only then the remote's gateways.
pub const PRIMARY_REMOTE_STEPS: RunbookSteps = RunbookSteps {
    headings: &[
        Step::Clusters,
        Step::Kubeconfig,
        Step::Nodes,
        Step::Metallb,
        Step::Namespace,
        Step::Trust,
        Step::HelmRepo,
        Step::Install,
        Step::Remotes,
        Step::VerifyLb,
        Step::VerifyMesh,
        Step::Demo,
        Step::VerifyTraffic,
        Step::Failover,
    ],
    done_in: &[
        (Step::NetworkLabel, Step::Namespace),
        (Step::Ingress, Step::Install),
        (Step::EastWest, Step::Install),
        (Step::CrossNetwork, Step::Install),
        (Step::IstiodIp, Step::Install),
        (Step::RemoteSecrets, Step::Remotes),
    ],
    remote_done_in: &[
        (Step::Install, Step::Remotes),
        (Step::Ingress, Step::Remotes),
        (Step::EastWest, Step::Remotes),
    ],
};

/// Helm's release Secrets carry the labels `owner=helm`, `name=<release>` and
/// `status=<status>` (helm/helm `pkg/storage/driver/secrets.go`, `newSecretsObject`), in the
/// release's namespace; only `kubectl get` is needed, not `helm`.
fn helm_release_check(cluster: &str, step: usize, release: &str, namespace: &str) -> Check {
    let mut check = Check::of(
        cluster,
        step,
        format!("Helm release {namespace}/{release}: deployed"),
        "deployed".to_owned(),
        verify::args(
            &[
                "get",
                "secrets",
                "-n",
                namespace,
                "-l",
                &format!("owner=helm,name={release}"),
            ],
            "{.items[*].metadata.labels.status}",
        ),
    );
    // Earlier revisions are `superseded`; one is `deployed`.
    check.compare = Compare::Includes;
    check
}

impl UpstreamMesh {
    /// The Helm releases, istiod's readiness, the remote's annotation, `expose-istiod` and
    /// the remote secrets, in runbook order.
    pub(in crate::model::flavor) fn verify_checks(
        &self,
        clusters: &[Arc<ClusterModel>],
        steps: &Steps,
    ) -> Vec<Check> {
        let mut out = Vec::new();
        for cluster in clusters {
            let (ClusterFlavor::MultiPrimary(upstream) | ClusterFlavor::PrimaryRemote(upstream)) =
                &cluster.flavor
            else {
                continue;
            };
            let name = cluster.name.as_str();
            let role = upstream.mesh_role;
            let namespace = &upstream.namespace;
            for annotation in &namespace.annotations {
                out.push(Check::of(
                    name,
                    steps.number(Step::Namespace),
                    format!(
                        "namespace {}: annotation {}",
                        namespace.name, annotation.key
                    ),
                    annotation.value.clone(),
                    verify::args(
                        &["get", "namespace", &namespace.name],
                        &format!(
                            "{{.metadata.annotations.{}}}",
                            verify::jsonpath_key(&annotation.key)
                        ),
                    ),
                ));
            }
            let install = steps.number_for(Step::Install, role);
            for release in &upstream.releases {
                out.push(helm_release_check(
                    name,
                    install,
                    &release.release,
                    &release.namespace,
                ));
            }
            if upstream.runs_istiod {
                // A remote's istiod release (`profile: remote`) runs no istiod Deployment.
                let mut check = Check::of(
                    name,
                    install,
                    format!("Deployment {ISTIO_NAMESPACE}/istiod: every replica ready"),
                    "READY/REPLICAS, equal and at least 1".to_owned(),
                    verify::args(
                        &["get", "deployment", "istiod", "-n", ISTIO_NAMESPACE],
                        "{.status.readyReplicas}/{.spec.replicas}",
                    ),
                );
                check.compare = Compare::Ready;
                out.push(check);
            }
            if let Some(expose) = &upstream.expose_istiod {
                let ns = expose.namespace.as_str();
                out.push(Check::of(
                    name,
                    install,
                    format!("Gateway {ns}/istiod-gateway: ports, TLS modes"),
                    "15012 15017 PASSTHROUGH PASSTHROUGH".to_owned(),
                    verify::args(
                        &[
                            "get",
                            "gateways.networking.istio.io",
                            "istiod-gateway",
                            "-n",
                            ns,
                        ],
                        "{.spec.servers[*].port.number} {.spec.servers[*].tls.mode}",
                    ),
                ));
                out.push(Check::of(
                    name,
                    install,
                    format!("VirtualService {ns}/istiod-vs: destination ports"),
                    "15012 443".to_owned(),
                    verify::args(
                        &[
                            "get",
                            "virtualservices.networking.istio.io",
                            "istiod-vs",
                            "-n",
                            ns,
                        ],
                        "{.spec.tls[*].route[*].destination.port.number}",
                    ),
                ));
            }
        }
        out.extend(self.remote_secret_checks(steps));
        out
    }

    /// Each remote secret, in the cluster whose istiod reads it: `istioctl
    /// create-remote-secret --name <c>` names it `istio-remote-secret-<c>` and annotates it
    /// `networking.istio.io/cluster: <c>` (istio/istio
    /// `istioctl/pkg/multicluster/remote_secret.go`).
    fn remote_secret_checks(&self, steps: &Steps) -> Vec<Check> {
        let step = steps.number(Step::RemoteSecrets);
        self.remote_secrets()
            .into_iter()
            .map(|secret| {
                let name = format!("istio-remote-secret-{}", secret.of_cluster);
                Check::of(
                    &secret.in_cluster,
                    step,
                    format!("Secret {}/{name}: the cluster it reads", secret.namespace),
                    secret.of_cluster.clone(),
                    verify::args(
                        &["get", "secret", &name, "-n", &secret.namespace],
                        &format!(
                            "{{.metadata.annotations.{}}}",
                            verify::jsonpath_key("networking.istio.io/cluster")
                        ),
                    ),
                )
            })
            .collect()
    }
}
