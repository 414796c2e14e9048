//! The opt-in GitOps objects: Argo CD Applications and Flux Kustomizations that sync
//! each cluster's stage folders (`clusters/<name>/<stage>/`) from git.
//!
//! Stages are applied in [`Stage::ALL`] order (see [`Stage`]). Argo CD expresses the
//! order with sync waves on the per-stage Applications under a root Application (app of
//! apps); Flux with `dependsOn` between a cluster's Kustomizations. Patch files
//! (global/, node labels, ...) are never synced: they change objects that Mspider or
//! kubeadm own, and stay runbook steps.
//!
//! Every file has one context struct below (it carries its own path), as every template
//! of the render does.

use std::sync::Arc;

use serde::Serialize;

use super::cluster::Kustomization;
use super::{ClusterModel, ISTIO_NAMESPACE, METALLB_NAMESPACE};
use crate::check::ParsedFacts;
use crate::layout::{self, Stage};
use crate::plan::{self, Plan};

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
    /// `gitops/flux/kustomization.yaml`: what `kubectl apply -k` and the self-sync build.
    pub kustomization: Kustomization,
    /// The cluster Flux runs in (`local: true`), when the mesh has it.
    pub home_cluster: Option<String>,
    /// The kubeconfig Secrets of the other clusters, in plan order.
    pub secrets: Vec<FluxSecret>,
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

/// Context of `gitops/flux-kustomization.yaml`: one stage of one cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FluxKustomization {
    pub path: String,
    /// `<cluster>-<stage>`.
    pub name: String,
    pub namespace: String,
    /// The mesh ID: `app.kubernetes.io/part-of` and the GitRepository's name.
    pub part_of: String,
    pub stage: Stage,
    pub interval: String,
    /// Repository path of the stage folder.
    pub source_path: String,
    /// The same cluster's previous stage, which must be ready first.
    pub depends_on: Option<String>,
    /// `None` for the cluster Flux runs in.
    pub kube_config_secret: Option<String>,
    pub kube_config_key: Option<String>,
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
        let in_repo = |rest: &str| layout::in_repo(tree_path, rest);
        let mesh_id = &plan.mesh.id;
        // The stages are the folders the model gave each cluster, so GitOps syncs exactly what is rendered.
        let stages: Vec<(&str, Vec<Stage>)> = clusters
            .iter()
            .map(|c| {
                let stages = c.stages.iter().map(|s| s.stage).collect();
                (c.name.as_str(), stages)
            })
            .collect();

        let argocd = match &gitops.argocd {
            None => None,
            Some(argocd) => {
                let mut apps = Vec::new();
                // MG090: every cluster has a destination.
                for (cluster, cluster_stages) in &stages {
                    let Some(destination) = argocd.clusters.get(*cluster) else {
                        continue;
                    };
                    for stage in cluster_stages {
                        let name = format!("{cluster}-{}", stage.name());
                        apps.push(ArgoApp {
                            path: layout::argo_app(&name),
                            name,
                            namespace: argocd.namespace.clone(),
                            part_of: mesh_id.clone(),
                            stage: *stage,
                            wave: stage.wave().to_string(),
                            project: argocd.project.clone(),
                            repo_url: gitops.repo_url.clone(),
                            revision: gitops.revision.clone(),
                            source_path: in_repo(&layout::stage_dir(cluster, *stage)),
                            server: destination.server.clone(),
                            destination_name: destination.name.clone(),
                            destination_namespace: stage_namespace(*stage, plan),
                        });
                    }
                }
                // Argo CD's own cluster: `in-cluster` by name, or its in-cluster API server.
                let is_home = |d: &plan::ArgoDestination| {
                    d.name.as_deref() == Some("in-cluster")
                        || d.server.as_deref() == Some("https://kubernetes.default.svc")
                };
                let mut home_cluster = None;
                let mut registrations = Vec::new();
                for cluster in &plan.clusters {
                    let Some(destination) = argocd.clusters.get(&cluster.name) else {
                        continue;
                    };
                    if is_home(destination) {
                        home_cluster.get_or_insert_with(|| cluster.name.clone());
                    } else {
                        registrations.push(ArgoRegistration {
                            cluster: cluster.name.clone(),
                            server: destination.server.clone(),
                            name: destination.name.clone(),
                        });
                    }
                }
                Some(ArgoModel {
                    health_patch: ArgoHealthPatch {
                        path: layout::ARGO_HEALTH_PATCH.to_owned(),
                        name: "argocd-cm".to_owned(),
                        namespace: argocd.namespace.clone(),
                    },
                    home_cluster,
                    registrations,
                    root: ArgoRoot {
                        path: layout::ARGO_ROOT.to_owned(),
                        name: mesh_id.clone(),
                        namespace: argocd.namespace.clone(),
                        project: argocd.project.clone(),
                        repo_url: gitops.repo_url.clone(),
                        revision: gitops.revision.clone(),
                        source_path: in_repo(layout::ARGO_APPS_DIR),
                    },
                    apps_kustomization: Kustomization {
                        path: layout::argo_apps_kustomization(),
                        resources: apps
                            .iter()
                            .map(|a| layout::file_name(&a.path).to_owned())
                            .collect(),
                    },
                    apps,
                })
            }
        };

        let flux = match &gitops.flux {
            None => None,
            Some(flux) => {
                let mut kustomizations = Vec::new();
                // MG090: every cluster has a target.
                for (cluster, cluster_stages) in &stages {
                    let Some(target) = flux.clusters.get(*cluster) else {
                        continue;
                    };
                    let mut previous: Option<String> = None;
                    for stage in cluster_stages {
                        let name = format!("{cluster}-{}", stage.name());
                        kustomizations.push(FluxKustomization {
                            path: layout::flux_kustomization(&name),
                            name: name.clone(),
                            namespace: flux.namespace.clone(),
                            part_of: mesh_id.clone(),
                            stage: *stage,
                            interval: flux.interval.clone(),
                            source_path: format!(
                                "./{}",
                                in_repo(&layout::stage_dir(cluster, *stage))
                            ),
                            depends_on: previous.replace(name),
                            kube_config_secret: target.kube_config_secret.clone(),
                            kube_config_key: target.kube_config_key.clone(),
                        });
                    }
                }
                let sync = FluxSync {
                    path: layout::flux_sync(),
                    name: mesh_id.clone(),
                    namespace: flux.namespace.clone(),
                    interval: flux.interval.clone(),
                    repo_url: gitops.repo_url.clone(),
                    ref_field: flux_ref_field(&gitops.revision),
                    revision: gitops.revision.clone(),
                    repo_secret: flux.repo_secret.clone(),
                    source_path: format!("./{}", in_repo(layout::FLUX_DIR)),
                };
                let files =
                    std::iter::once(&sync.path).chain(kustomizations.iter().map(|k| &k.path));
                let mut home_cluster = None;
                let mut secrets = Vec::new();
                for cluster in &plan.clusters {
                    let Some(target) = flux.clusters.get(&cluster.name) else {
                        continue;
                    };
                    match &target.kube_config_secret {
                        Some(secret) => secrets.push(FluxSecret {
                            cluster: cluster.name.clone(),
                            name: secret.clone(),
                            key: target
                                .kube_config_key
                                .clone()
                                .unwrap_or_else(|| "value".to_owned()),
                        }),
                        None => {
                            home_cluster.get_or_insert_with(|| cluster.name.clone());
                        }
                    }
                }
                Some(FluxModel {
                    home_cluster,
                    secrets,
                    kustomization: Kustomization {
                        path: layout::flux_dir_kustomization(),
                        resources: files
                            .map(|path| layout::file_name(path).to_owned())
                            .collect(),
                    },
                    sync,
                    kustomizations,
                })
            }
        };
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
