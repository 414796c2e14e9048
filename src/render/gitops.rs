//! The opt-in GitOps objects: Argo CD Applications and Flux Kustomizations that sync
//! each cluster's stage folders (`clusters/<name>/<stage>/`) from git.
//!
//! Stages are applied in [`Stage::ALL`] order, because each needs what the one before
//! set up: MetalLB pools need the MetalLB CRDs, the east-west gateway needs a pool to get
//! its address, the demo needs the mesh. Argo CD expresses the order with sync waves on
//! the per-stage Applications under a root Application (app of apps); Flux with
//! `dependsOn` between a cluster's Kustomizations. Patch files (global/, node labels, ...)
//! are never synced: they change objects that Mspider or kubeadm own, and stay runbook
//! steps.
//!
//! Every file has one context struct below (it carries its own path), as every template
//! of the render does; [`render_gitops`] only places them.

use minijinja::Value;
use serde::Serialize;

use crate::Options;
use crate::check::gitops::normalize_path;
use crate::plan::{self, Plan};
use crate::tree::Tree;

/// A kustomize-buildable sub-folder of `clusters/<name>/`, synced as one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// MetalLB `IPAddressPool` and `L2Advertisement` (needs the MetalLB CRDs).
    Metallb,
    /// East-west gateway `IstioOperator` and cross-network `Gateway` (needs the Istio CRDs).
    Istio,
    /// helloworld and sleep (needs the mesh).
    Demo,
}

impl Stage {
    /// Every stage, in the order they must be applied.
    pub const ALL: [Stage; 3] = [Stage::Metallb, Stage::Istio, Stage::Demo];

    /// The folder name, also the suffix of the Application and Kustomization names.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Metallb => "metallb",
            Stage::Istio => "istio",
            Stage::Demo => "demo",
        }
    }

    /// Argo CD sync wave: after wave 0, where a user's own prerequisites (MetalLB itself) go.
    fn wave(self) -> usize {
        Stage::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }

    /// The stage of a folder name the model gave a cluster (`metallb`, `istio`, `demo`).
    fn from_name(name: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|stage| stage.name() == name)
    }

    /// Namespace of the stage's objects: Argo CD's default for any object that names none.
    fn namespace(self, plan: &Plan) -> String {
        match self {
            Stage::Metallb => "metallb-system".to_owned(),
            Stage::Istio => "istio-system".to_owned(),
            Stage::Demo => plan
                .demo
                .as_ref()
                .map_or_else(plan::default_demo_namespace, |d| d.namespace.clone()),
        }
    }
}

/// Every GitOps file of the tree, each with its template context. Paths in the repository
/// are final: repository-relative and `/`-separated (`./`-prefixed for Flux).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GitOpsModel {
    pub argocd: Option<ArgoModel>,
    pub flux: Option<FluxModel>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArgoModel {
    pub root: ArgoRoot,
    pub apps: Vec<ArgoApp>,
    /// `gitops/argocd/apps/kustomization.yaml`: what the root Application syncs.
    pub apps_kustomization: KustomizationFile,
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
    pub kustomization: KustomizationFile,
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

/// Context of `gitops/kustomization.yaml`: the files of a gitops folder, for kustomize.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KustomizationFile {
    pub path: String,
    /// File names, relative to the kustomization.
    pub resources: Vec<String>,
}

impl GitOpsModel {
    /// The GitOps files of a checked plan; `Ok(None)` without a gitops section.
    /// An `Err` is a meshgen bug: the checks let something through.
    pub fn resolve(
        plan: &Plan,
        clusters: &[std::sync::Arc<crate::model::ClusterModel>],
    ) -> Result<Option<GitOpsModel>, String> {
        let Some(gitops) = &plan.gitops else {
            return Ok(None);
        };
        let tree_path = normalize_path(&gitops.path)
            .map_err(|why| format!("gitops.path passed the checks but {why}"))?;
        let in_repo = |rest: &str| {
            if tree_path.is_empty() {
                rest.to_owned()
            } else {
                format!("{tree_path}/{rest}")
            }
        };
        let mesh_id = &plan.mesh.id;
        // The stages are the folders the model gave each cluster, so GitOps syncs exactly what is rendered.
        let stages: Vec<(&str, Vec<Stage>)> = clusters
            .iter()
            .map(|c| {
                let stages = c
                    .stages
                    .iter()
                    .filter_map(|s| Stage::from_name(&s.name))
                    .collect();
                (c.name.as_str(), stages)
            })
            .collect();

        let argocd = match &gitops.argocd {
            None => None,
            Some(argocd) => {
                let mut apps = Vec::new();
                for (cluster, cluster_stages) in &stages {
                    let destination = argocd.clusters.get(*cluster).ok_or_else(|| {
                        format!("cluster {cluster} has no Argo CD destination after the checks")
                    })?;
                    for stage in cluster_stages {
                        let name = format!("{cluster}-{}", stage.name());
                        apps.push(ArgoApp {
                            path: format!("gitops/argocd/apps/{name}.yaml"),
                            name,
                            namespace: argocd.namespace.clone(),
                            part_of: mesh_id.clone(),
                            stage: *stage,
                            wave: stage.wave().to_string(),
                            project: argocd.project.clone(),
                            repo_url: gitops.repo_url.clone(),
                            revision: gitops.revision.clone(),
                            source_path: in_repo(&format!("clusters/{cluster}/{}", stage.name())),
                            server: destination.server.clone(),
                            destination_name: destination.name.clone(),
                            destination_namespace: stage.namespace(plan),
                        });
                    }
                }
                Some(ArgoModel {
                    root: ArgoRoot {
                        path: "gitops/argocd/root.yaml".to_owned(),
                        name: mesh_id.clone(),
                        namespace: argocd.namespace.clone(),
                        project: argocd.project.clone(),
                        repo_url: gitops.repo_url.clone(),
                        revision: gitops.revision.clone(),
                        source_path: in_repo("gitops/argocd/apps"),
                    },
                    apps_kustomization: KustomizationFile {
                        path: "gitops/argocd/apps/kustomization.yaml".to_owned(),
                        resources: apps.iter().map(|a| file_name(&a.path)).collect(),
                    },
                    apps,
                })
            }
        };

        let flux = match &gitops.flux {
            None => None,
            Some(flux) => {
                let mut kustomizations = Vec::new();
                for (cluster, cluster_stages) in &stages {
                    let target = flux.clusters.get(*cluster).ok_or_else(|| {
                        format!("cluster {cluster} has no Flux target after the checks")
                    })?;
                    let mut previous: Option<String> = None;
                    for stage in cluster_stages {
                        let name = format!("{cluster}-{}", stage.name());
                        kustomizations.push(FluxKustomization {
                            path: format!("gitops/flux/{name}.yaml"),
                            name: name.clone(),
                            namespace: flux.namespace.clone(),
                            part_of: mesh_id.clone(),
                            stage: *stage,
                            interval: flux.interval.clone(),
                            source_path: format!(
                                "./{}",
                                in_repo(&format!("clusters/{cluster}/{}", stage.name()))
                            ),
                            depends_on: previous.replace(name),
                            kube_config_secret: target.kube_config_secret.clone(),
                            kube_config_key: target.kube_config_key.clone(),
                        });
                    }
                }
                let sync = FluxSync {
                    path: "gitops/flux/sync.yaml".to_owned(),
                    name: mesh_id.clone(),
                    namespace: flux.namespace.clone(),
                    interval: flux.interval.clone(),
                    repo_url: gitops.repo_url.clone(),
                    ref_field: flux_ref_field(&gitops.revision),
                    revision: gitops.revision.clone(),
                    repo_secret: flux.repo_secret.clone(),
                    source_path: format!("./{}", in_repo("gitops/flux")),
                };
                let files =
                    std::iter::once(&sync.path).chain(kustomizations.iter().map(|k| &k.path));
                Some(FluxModel {
                    kustomization: KustomizationFile {
                        path: "gitops/flux/kustomization.yaml".to_owned(),
                        resources: files.map(|path| file_name(path)).collect(),
                    },
                    sync,
                    kustomizations,
                })
            }
        };
        Ok(Some(GitOpsModel { argocd, flux }))
    }
}

/// The last part of a tree path: how a kustomization in the same folder lists the file.
fn file_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_owned()
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

/// Write `gitops/argocd/**` and `gitops/flux/**`: nothing without a gitops section, and
/// nothing with `--cluster`, since these files cover the whole mesh.
pub(crate) fn render_gitops(
    gitops: Option<&GitOpsModel>,
    options: &Options,
    out: &super::Renderer,
    tree: &mut Tree,
) -> Result<(), String> {
    let Some(gitops) = gitops else {
        return Ok(());
    };
    if options.cluster.is_some() {
        return Ok(());
    }
    let mut yaml = |path: &str, template: &str, context: Value| -> Result<(), String> {
        out.yaml(tree, path, template, &context)
    };
    if let Some(argocd) = &gitops.argocd {
        let root = &argocd.root;
        yaml(&root.path, "gitops/argocd-root.yaml", value(root))?;
        for app in &argocd.apps {
            yaml(&app.path, "gitops/argocd-application.yaml", value(app))?;
        }
        let kustomization = &argocd.apps_kustomization;
        yaml(
            &kustomization.path,
            "gitops/kustomization.yaml",
            value(kustomization),
        )?;
    }
    if let Some(flux) = &gitops.flux {
        yaml(&flux.sync.path, "gitops/flux-sync.yaml", value(&flux.sync))?;
        for kustomization in &flux.kustomizations {
            yaml(
                &kustomization.path,
                "gitops/flux-kustomization.yaml",
                value(kustomization),
            )?;
        }
        let kustomization = &flux.kustomization;
        yaml(
            &kustomization.path,
            "gitops/kustomization.yaml",
            value(kustomization),
        )?;
    }
    Ok(())
}

/// A context struct as a template value.
fn value<T: Serialize>(context: &T) -> Value {
    Value::from(minijinja::value::Serde(context))
}
