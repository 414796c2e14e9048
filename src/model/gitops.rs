//! The opt-in GitOps objects: Argo CD Applications and Flux Kustomizations that sync
//! each cluster's stage folders (`clusters/<name>/<stage>/`) from git.
//!
//! Stages are applied in [`Stage::ALL`] order (see [`Stage`]). Argo CD expresses the
//! order with sync waves on the per-stage Applications under a root Application (app of
//! apps); Flux with `dependsOn` between a cluster's Kustomizations. Patch files
//! (global/, node labels, ...) are never synced: they change objects that Mspider or
//! kubeadm own, and stay runbook steps.
//!
//! In the upstream modes each cluster also installs Istio's Helm charts
//! ([`crate::model::helm`]): an Argo CD Application per release (a chart source with the
//! values inline, ordered by sync waves between the MetalLB stage and the `istio` stage),
//! or a Flux HelmRelease per release (`dependsOn` base → istiod → gateways), applied in
//! the Flux cluster by a `<cluster>-charts` Kustomization between the same stages. The
//! `istio-system` Namespace, the `cacerts` Secrets and the remote secrets stay runbook
//! steps: the first comes before everything, the others hold keys and tokens.
//!
//! Every file has one context struct below (it carries its own path), as every template
//! of the render does.

use std::sync::Arc;

use serde::Serialize;

use super::cluster::Kustomization;
use super::helm::{HelmRelease, ISTIO_CHART_REPO, ISTIO_CHART_REPO_NAME};
use super::{ClusterModel, ISTIO_NAMESPACE, METALLB_NAMESPACE};
use crate::check::ParsedFacts;
use crate::layout::{self, Stage};
use crate::plan::{self, Plan};

mod argo;
mod charts;

use argo::argo_model;
use charts::flux_chart_folder;
pub use charts::{ArgoChartApp, FluxChartFolder, FluxHelmRelease, FluxHelmRepository};

/// The key of a kubeconfig Secret Flux reads when none is named (the Kustomization and
/// HelmRelease CRDs: "If no key is set, the key will default to 'value'").
const FLUX_KUBECONFIG_KEY: &str = "value";

/// Namespace of a stage's objects: Argo CD's default for any object that names none.
fn stage_namespace(stage: Stage, plan: &Plan) -> String {
    match stage {
        Stage::Metallb => METALLB_NAMESPACE.to_owned(),
        Stage::Istio => ISTIO_NAMESPACE.to_owned(),
        Stage::Demo => plan
            .demo
            .as_ref()
            .map_or_else(plan::default_demo_namespace, |d| d.namespace.clone()),
    }
}

/// Every GitOps file of the tree, each with its template context. Paths in the repository
/// are final: repository-relative and `/`-separated (`./`-prefixed for Flux).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GitOpsModel {
    /// Where the tree is committed (for the README).
    pub repo: GitRepo,
    pub argocd: Option<ArgoModel>,
    pub flux: Option<FluxModel>,
}

/// The git repository, revision and folder that hold the rendered tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GitRepo {
    pub repo_url: String,
    pub revision: String,
    /// Canonical (`deploy/mesh`), empty for the repository root.
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArgoModel {
    pub root: ArgoRoot,
    pub apps: Vec<ArgoApp>,
    /// One Application per Helm release of each cluster (upstream modes).
    pub chart_apps: Vec<ArgoChartApp>,
    /// `gitops/argocd/apps/kustomization.yaml`: what the root Application syncs.
    pub apps_kustomization: Kustomization,
    /// The `argocd-cm` patch that lets sync waves wait for Applications' health.
    pub health_patch: ArgoHealthPatch,
    /// The cluster Argo CD runs in (its destination is `in-cluster` or
    /// `https://kubernetes.default.svc`), when the mesh has it.
    pub home_cluster: Option<String>,
    /// Every other cluster, with the destination Argo CD must know it by.
    pub registrations: Vec<ArgoRegistration>,
}

/// Context of `gitops/argocd-cm-health.yaml`: a merge patch of Argo CD's `argocd-cm` that
/// restores the health assessment of `argoproj.io/Application`. Argo CD removed it in 1.8,
/// and "you might need to restore it if you are using app-of-apps pattern and orchestrating
/// synchronization using sync waves" (argoproj/argo-cd `docs/operator-manual/health.md`,
/// whose Lua this is); without it a wave never waits for the one before.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArgoHealthPatch {
    pub path: String,
    pub name: String,
    pub namespace: String,
}

/// A cluster Argo CD must have registered, under the destination its Applications name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArgoRegistration {
    pub cluster: String,
    pub server: Option<String>,
    pub name: Option<String>,
}

/// The kubeconfig Secret a remote cluster's Flux Kustomizations read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FluxSecret {
    pub cluster: String,
    pub name: String,
    /// Flux's default key is `value` (kustomize-controller docs: "`.secretRef.key` key
    /// (default: `value` or `value.yaml`)").
    pub key: String,
}

/// Context of `gitops/argocd-root.yaml`: the app of apps, applied once by hand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArgoRoot {
    pub path: String,
    /// The mesh ID.
    pub name: String,
    pub namespace: String,
    pub project: String,
    pub repo_url: String,
    pub revision: String,
    /// Repository path of `gitops/argocd/apps`.
    pub source_path: String,
}

/// Context of `gitops/argocd-application.yaml`: one stage of one cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArgoApp {
    pub path: String,
    /// `<cluster>-<stage>`.
    pub name: String,
    pub namespace: String,
    /// The mesh ID (`app.kubernetes.io/part-of`).
    pub part_of: String,
    pub stage: Stage,
    /// `argocd.argoproj.io/sync-wave`, a string as annotations must be.
    pub wave: String,
    pub project: String,
    pub repo_url: String,
    pub revision: String,
    /// Repository path of the stage folder.
    pub source_path: String,
    /// Exactly one of `server` and `destination_name` is set.
    pub server: Option<String>,
    pub destination_name: Option<String>,
    pub destination_namespace: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FluxModel {
    pub sync: FluxSync,
    pub kustomizations: Vec<FluxKustomization>,
    /// The HelmRepository of Istio's charts, when a cluster installs them.
    pub helm_repository: Option<FluxHelmRepository>,
    /// Each cluster's HelmReleases, in a folder its `<cluster>-charts` Kustomization applies.
    pub chart_folders: Vec<FluxChartFolder>,
    /// The cluster Flux runs in (its target is `local: true`), when the mesh has it.
    pub home_cluster: Option<String>,
    /// Every other cluster, with the Secret that holds its kubeconfig.
    pub secrets: Vec<FluxSecret>,
    /// The folder `kubectl apply -k` applies once.
    pub dir: String,
    /// `gitops/flux/kustomization.yaml`: what `kubectl apply -k` and the self-sync build.
    pub kustomization: Kustomization,
}

/// Context of `gitops/flux-sync.yaml`: the GitRepository, and a Kustomization that keeps
/// `gitops/flux` itself in sync (as Flux's own bootstrap does).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FluxSync {
    pub path: String,
    /// The mesh ID: names the GitRepository and the self-sync Kustomization.
    pub name: String,
    pub namespace: String,
    pub interval: String,
    pub repo_url: String,
    /// `branch`, `name` (a full ref such as `refs/tags/v1`) or `commit`: how Flux's
    /// `spec.ref` names the revision.
    pub ref_field: &'static str,
    pub revision: String,
    pub repo_secret: Option<String>,
    /// Repository path of `gitops/flux`.
    pub source_path: String,
}

/// Context of `gitops/flux-kustomization.yaml`: one stage of one cluster (or its charts
/// folder).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FluxKustomization {
    pub path: String,
    /// `<cluster>-<stage>`.
    pub name: String,
    pub namespace: String,
    /// The mesh ID: `app.kubernetes.io/part-of` and the GitRepository's name.
    pub part_of: String,
    /// The stage's name, or `charts`.
    pub component: String,
    pub interval: String,
    /// Repository path of the stage folder.
    pub source_path: String,
    /// The same cluster's previous stage, which must be ready first.
    pub depends_on: Option<String>,
    /// `None` for the cluster Flux runs in.
    pub kube_config_secret: Option<String>,
    pub kube_config_key: Option<String>,
}

/// A cluster's part of the GitOps tree: its name, stages and Helm releases.
struct ClusterUnits<'a> {
    name: &'a str,
    stages: Vec<Stage>,
    releases: &'a [HelmRelease],
}

impl GitOpsModel {
    /// The GitOps files of a checked plan; `None` without a gitops section.
    pub fn resolve(
        plan: &Plan,
        facts: &ParsedFacts,
        clusters: &[Arc<ClusterModel>],
    ) -> Option<GitOpsModel> {
        let gitops = plan.gitops.as_ref()?;
        let tree_path = facts.gitops_path.as_deref().unwrap_or_default();
        // The stages are the folders the model gave each cluster and the releases the
        // flavor gave it, so GitOps syncs exactly what is rendered.
        let units: Vec<ClusterUnits> = clusters
            .iter()
            .map(|c| ClusterUnits {
                name: &c.name,
                stages: c.stages.iter().map(|s| s.stage).collect(),
                releases: c.flavor.charts(),
            })
            .collect();
        let argocd = gitops
            .argocd
            .as_ref()
            .map(|argocd| argo_model(plan, gitops, argocd, tree_path, &units));
        let flux = gitops
            .flux
            .as_ref()
            .map(|flux| flux_model(plan, gitops, flux, tree_path, &units));
        Some(GitOpsModel {
            repo: GitRepo {
                repo_url: gitops.repo_url.clone(),
                revision: gitops.revision.clone(),
                path: tree_path.to_owned(),
            },
            argocd,
            flux,
        })
    }
}

fn flux_model(
    plan: &Plan,
    gitops: &plan::GitOps,
    flux: &plan::Flux,
    tree_path: &str,
    units: &[ClusterUnits],
) -> FluxModel {
    let in_repo = |rest: &str| format!("./{}", layout::in_repo(tree_path, rest));
    let mesh_id = &plan.mesh.id;
    let kustomization =
        |name: String,
         component: &str,
         folder: &str,
         depends_on: Option<String>,
         target: Option<&plan::FluxTarget>| FluxKustomization {
            path: layout::flux_kustomization(&name),
            name,
            namespace: flux.namespace.clone(),
            part_of: mesh_id.clone(),
            component: component.to_owned(),
            interval: flux.interval.clone(),
            source_path: in_repo(folder),
            depends_on,
            kube_config_secret: target.and_then(|t| t.kube_config_secret.clone()),
            kube_config_key: target.and_then(|t| t.kube_config_key.clone()),
        };
    let mut kustomizations = Vec::new();
    let mut chart_folders = Vec::new();
    let mut home_cluster = None;
    let mut secrets = Vec::new();
    // MG090: every cluster has a target.
    for unit in units {
        let cluster = unit.name;
        let Some(target) = flux.clusters.get(cluster) else {
            continue;
        };
        match &target.kube_config_secret {
            Some(secret) => secrets.push(FluxSecret {
                cluster: cluster.to_owned(),
                name: secret.clone(),
                key: target
                    .kube_config_key
                    .clone()
                    .unwrap_or_else(|| FLUX_KUBECONFIG_KEY.to_owned()),
            }),
            None => {
                home_cluster.get_or_insert_with(|| cluster.to_owned());
            }
        }
        let mut previous: Option<String> = None;
        let mut charts_pending = !unit.releases.is_empty();
        // In apply order: the MetalLB stage, the charts, the other stages.
        for stage in unit.stages.iter().map(Some).chain(std::iter::once(None)) {
            if charts_pending && stage.is_none_or(|s| *s != Stage::Metallb) {
                charts_pending = false;
                let name = format!("{cluster}-charts");
                // The HelmReleases live in the Flux cluster: no kubeconfig here; each of
                // them has the cluster's.
                kustomizations.push(kustomization(
                    name.clone(),
                    "charts",
                    &layout::flux_charts_dir(cluster),
                    previous.replace(name),
                    None,
                ));
                chart_folders.push(flux_chart_folder(
                    mesh_id,
                    flux,
                    cluster,
                    unit.releases,
                    target,
                ));
            }
            let Some(stage) = stage else {
                continue;
            };
            let name = format!("{cluster}-{}", stage.name());
            kustomizations.push(kustomization(
                name.clone(),
                stage.name(),
                &layout::stage_dir(cluster, *stage),
                previous.replace(name),
                Some(target),
            ));
        }
    }
    let helm_repository = (!chart_folders.is_empty()).then(|| FluxHelmRepository {
        path: layout::flux_helm_repository(),
        name: ISTIO_CHART_REPO_NAME.to_owned(),
        namespace: flux.namespace.clone(),
        part_of: mesh_id.clone(),
        interval: flux.interval.clone(),
        url: ISTIO_CHART_REPO.to_owned(),
    });
    let sync = FluxSync {
        path: layout::flux_sync(),
        name: mesh_id.clone(),
        namespace: flux.namespace.clone(),
        interval: flux.interval.clone(),
        repo_url: gitops.repo_url.clone(),
        ref_field: flux_ref_field(&gitops.revision),
        revision: gitops.revision.clone(),
        repo_secret: flux.repo_secret.clone(),
        source_path: in_repo(layout::FLUX_DIR),
    };
    let files = std::iter::once(&sync.path)
        .chain(helm_repository.iter().map(|r| &r.path))
        .chain(kustomizations.iter().map(|k| &k.path));
    FluxModel {
        kustomization: Kustomization {
            path: layout::flux_dir_kustomization(),
            resources: files
                .map(|path| layout::file_name(path).to_owned())
                .collect(),
        },
        sync,
        kustomizations,
        helm_repository,
        chart_folders,
        home_cluster,
        secrets,
        dir: layout::FLUX_DIR.to_owned(),
    }
}

/// Flux must be told what kind of ref the revision is: a full ref or a commit SHA is
/// recognisable, anything else is a branch.
fn flux_ref_field(revision: &str) -> &'static str {
    let is_sha =
        matches!(revision.len(), 40 | 64) && revision.bytes().all(|b| b.is_ascii_hexdigit());
    if is_sha {
        "commit"
    } else if revision.starts_with("refs/") {
        "name"
    } else {
        "branch"
    }
}
