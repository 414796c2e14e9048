//! The opt-in GitOps objects: Argo CD Applications and Flux Kustomizations that sync
//! each cluster's stage folders (`clusters/<name>/<stage>/`) from git.
//!
//! Stages are applied in [`Stage::ALL`] order, because each needs what the one before
//! set up: MetalLB pools need the MetalLB CRDs, the east-west gateway needs a pool to get
//! its address, the demo needs the mesh. Argo CD expresses the order with sync waves on
//! the per-stage Applications (app of apps); Flux with `dependsOn` between a cluster's
//! Kustomizations. Patch files (global/, node labels, ...) are never synced: they change
//! objects that Mspider or kubeadm own, and stay runbook steps.

use minijinja::{Environment, Value, context};
use serde::Serialize;

use crate::Options;
use crate::check::gitops::normalize_path;
use crate::plan::{self, NetworkMode, Plan};
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

    /// The stages the render writes for `cluster` (a stage with nothing in it is absent): the
    /// same rule as the render's own stage list, which this must agree with.
    pub fn of(plan: &Plan, cluster: &plan::Cluster) -> Vec<Stage> {
        Stage::ALL
            .into_iter()
            .filter(|stage| match stage {
                Stage::Metallb => cluster.metallb.is_some(),
                Stage::Istio => {
                    plan.mesh.network_mode == NetworkMode::Multi
                        && cluster.load_balancer_ips.east_west.is_some()
                }
                Stage::Demo => plan.demo.as_ref().is_some_and(|demo| {
                    demo.helloworld.versions.contains_key(&cluster.name)
                        || demo.sleep.clusters.contains(&cluster.name)
                }),
            })
            .collect()
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

/// Everything the gitops templates place; these fields are load-bearing (the templates
/// read them by name). Paths are final: repository-relative, `/`-separated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GitOpsModel {
    pub mesh_id: String,
    pub repo_url: String,
    /// As written in the plan: Argo CD's `targetRevision`.
    pub revision: String,
    /// How Flux's `GitRepository.spec.ref` names the revision.
    pub flux_ref: FluxRef,
    /// The rendered tree's folder in the repository with a trailing `/`, or `` for the root.
    pub tree_prefix: String,
    /// Every cluster with the stages it has, in plan order.
    pub clusters: Vec<ClusterStages>,
    pub argocd: Option<ArgoModel>,
    pub flux: Option<FluxModel>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterStages {
    pub name: String,
    pub stages: Vec<Stage>,
}

/// `ref.branch`, `ref.name` (a full ref such as `refs/tags/v1`) or `ref.commit`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FluxRef {
    pub field: &'static str,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArgoModel {
    pub namespace: String,
    pub project: String,
    /// Path of `gitops/argocd/apps` in the repository: what the root Application syncs.
    pub apps_path: String,
    pub apps: Vec<ArgoApp>,
}

/// One Application: one stage of one cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArgoApp {
    pub name: String,
    pub cluster: String,
    pub stage: Stage,
    /// `argocd.argoproj.io/sync-wave`, a string as annotations must be.
    pub wave: String,
    pub path: String,
    /// Exactly one of `server` and `destination_name` is set.
    pub server: Option<String>,
    pub destination_name: Option<String>,
    pub namespace: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FluxModel {
    pub namespace: String,
    pub interval: String,
    pub repo_secret: Option<String>,
    /// Path of `gitops/flux` in the repository (`./`-prefixed, as Flux writes paths).
    pub self_path: String,
    pub kustomizations: Vec<FluxKustomization>,
    /// The kubeconfig Secrets the Kustomizations read, each once, for the runbook.
    pub secrets: Vec<KubeConfigSecret>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct KubeConfigSecret {
    pub name: String,
    /// The key Flux reads (its default, `value`, when the plan names none).
    pub key: String,
    /// The first cluster whose kubeconfig it holds.
    pub cluster: String,
}

/// One Flux Kustomization: one stage of one cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FluxKustomization {
    pub name: String,
    pub cluster: String,
    pub stage: Stage,
    pub path: String,
    /// The same cluster's previous stage, which must be ready first.
    pub depends_on: Option<String>,
    /// `None` for the cluster Flux runs in.
    pub kube_config_secret: Option<String>,
    pub kube_config_key: Option<String>,
}

impl GitOpsModel {
    /// The GitOps facts of a checked plan; `Ok(None)` without a gitops section.
    /// An `Err` is a meshgen bug: the checks let something through.
    pub fn resolve(plan: &Plan) -> Result<Option<GitOpsModel>, String> {
        let Some(gitops) = &plan.gitops else {
            return Ok(None);
        };
        let tree_path = normalize_path(&gitops.path)
            .map_err(|why| format!("gitops.path passed the checks but {why}"))?;
        let in_tree = |rest: &str| {
            if tree_path.is_empty() {
                rest.to_owned()
            } else {
                format!("{tree_path}/{rest}")
            }
        };
        let stages: Vec<(&str, Vec<Stage>)> = plan
            .clusters
            .iter()
            .map(|c| (c.name.as_str(), Stage::of(plan, c)))
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
                        apps.push(ArgoApp {
                            name: format!("{cluster}-{}", stage.name()),
                            cluster: (*cluster).to_owned(),
                            stage: *stage,
                            wave: stage.wave().to_string(),
                            path: in_tree(&format!("clusters/{cluster}/{}", stage.name())),
                            server: destination.server.clone(),
                            destination_name: destination.name.clone(),
                            namespace: stage.namespace(plan),
                        });
                    }
                }
                Some(ArgoModel {
                    namespace: argocd.namespace.clone(),
                    project: argocd.project.clone(),
                    apps_path: in_tree("gitops/argocd/apps"),
                    apps,
                })
            }
        };

        let flux = match &gitops.flux {
            None => None,
            Some(flux) => {
                let mut kustomizations = Vec::new();
                let mut secrets: Vec<KubeConfigSecret> = Vec::new();
                for (cluster, cluster_stages) in &stages {
                    let target = flux.clusters.get(*cluster).ok_or_else(|| {
                        format!("cluster {cluster} has no Flux target after the checks")
                    })?;
                    if let Some(name) = &target.kube_config_secret {
                        let key = target.kube_config_key.as_deref().unwrap_or("value");
                        if !secrets.iter().any(|s| &s.name == name && s.key == key) {
                            secrets.push(KubeConfigSecret {
                                name: name.clone(),
                                key: key.to_owned(),
                                cluster: (*cluster).to_owned(),
                            });
                        }
                    }
                    let mut previous: Option<String> = None;
                    for stage in cluster_stages {
                        let name = format!("{cluster}-{}", stage.name());
                        kustomizations.push(FluxKustomization {
                            name: name.clone(),
                            cluster: (*cluster).to_owned(),
                            stage: *stage,
                            path: format!(
                                "./{}",
                                in_tree(&format!("clusters/{cluster}/{}", stage.name()))
                            ),
                            depends_on: previous.replace(name),
                            kube_config_secret: target.kube_config_secret.clone(),
                            kube_config_key: target.kube_config_key.clone(),
                        });
                    }
                }
                Some(FluxModel {
                    namespace: flux.namespace.clone(),
                    interval: flux.interval.clone(),
                    repo_secret: flux.repo_secret.clone(),
                    self_path: format!("./{}", in_tree("gitops/flux")),
                    kustomizations,
                    secrets,
                })
            }
        };

        Ok(Some(GitOpsModel {
            mesh_id: plan.mesh.id.clone(),
            repo_url: gitops.repo_url.clone(),
            revision: gitops.revision.clone(),
            flux_ref: flux_ref(&gitops.revision),
            tree_prefix: in_tree(""),
            clusters: stages
                .into_iter()
                .map(|(name, stages)| ClusterStages {
                    name: name.to_owned(),
                    stages,
                })
                .collect(),
            argocd,
            flux,
        }))
    }
}

/// Flux needs to be told what kind of ref the revision is: a full ref or a commit SHA
/// is recognisable, anything else is a branch.
fn flux_ref(revision: &str) -> FluxRef {
    let is_sha =
        matches!(revision.len(), 40 | 64) && revision.bytes().all(|b| b.is_ascii_hexdigit());
    let field = if is_sha {
        "commit"
    } else if revision.starts_with("refs/") {
        "name"
    } else {
        "branch"
    };
    FluxRef {
        field,
        value: revision.to_owned(),
    }
}

/// Write `gitops/argocd/**` and `gitops/flux/**` (nothing without a gitops section). With
/// `--cluster`, only that cluster's Applications and Kustomizations are written.
pub fn render_gitops(
    gitops: Option<&GitOpsModel>,
    options: &Options,
    env: &Environment<'_>,
    tree: &mut Tree,
) -> Result<(), String> {
    let Some(gitops) = gitops else {
        return Ok(());
    };
    let wanted = |cluster: &str| {
        options
            .cluster
            .as_deref()
            .is_none_or(|only| only == cluster)
    };
    let header = super::header(&gitops.mesh_id);
    let model = value(gitops);

    if let Some(argocd) = &gitops.argocd {
        let mut resources = Vec::new();
        for app in argocd.apps.iter().filter(|a| wanted(&a.cluster)) {
            let file = format!("{}.yaml", app.name);
            let body = super::render_template(
                env,
                "gitops/argocd-application.yaml",
                context! { gitops => model.clone(), argocd => value(argocd), app => value(app) },
            )?;
            super::add_yaml(tree, &format!("gitops/argocd/apps/{file}"), &header, &body)?;
            resources.push(file);
        }
        let body = super::render_template(
            env,
            "gitops/kustomization.yaml",
            context! { resources => resources },
        )?;
        super::add_yaml(
            tree,
            "gitops/argocd/apps/kustomization.yaml",
            &header,
            &body,
        )?;
        let body = super::render_template(
            env,
            "gitops/argocd-root.yaml",
            context! { gitops => model.clone(), argocd => value(argocd) },
        )?;
        super::add_yaml(tree, "gitops/argocd/root.yaml", &header, &body)?;
    }

    if let Some(flux) = &gitops.flux {
        let mut resources = vec!["sync.yaml".to_owned()];
        let body = super::render_template(
            env,
            "gitops/flux-sync.yaml",
            context! { gitops => model.clone(), flux => value(flux) },
        )?;
        super::add_yaml(tree, "gitops/flux/sync.yaml", &header, &body)?;
        for kustomization in flux.kustomizations.iter().filter(|k| wanted(&k.cluster)) {
            let file = format!("{}.yaml", kustomization.name);
            let body = super::render_template(
                env,
                "gitops/flux-kustomization.yaml",
                context! { gitops => model.clone(), flux => value(flux), kustomization => value(kustomization) },
            )?;
            super::add_yaml(tree, &format!("gitops/flux/{file}"), &header, &body)?;
            resources.push(file);
        }
        let body = super::render_template(
            env,
            "gitops/kustomization.yaml",
            context! { resources => resources },
        )?;
        super::add_yaml(tree, "gitops/flux/kustomization.yaml", &header, &body)?;
    }

    let body = super::render_template(env, "gitops/README.md", context! { gitops => model })?;
    tree.insert("gitops/README.md", body.into_bytes())
}

/// A serializable model part as a template value.
fn value<T: Serialize>(part: &T) -> Value {
    Value::from(minijinja::value::Serde(part))
}
