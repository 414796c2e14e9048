//! The Argo CD part of the GitOps tree: an Application per stage of each cluster and per
//! Helm release (upstream modes), in sync waves (MetalLB stage, charts, later stages), the
//! root Application that syncs them, the clusters to register and the `argocd-cm` health
//! patch that makes the waves wait (argoproj/argo-cd `docs/user-guide/sync-waves.md`,
//! `docs/operator-manual/health.md`).

use super::charts::Waves;
use super::{
    ArgoApp, ArgoChartApp, ArgoHealthPatch, ArgoModel, ArgoRegistration, ArgoRoot, ClusterUnits,
    stage_namespace,
};
use crate::layout::{self, Stage};
use crate::model::cluster::Kustomization;
use crate::model::helm::ISTIO_CHART_REPO;
use crate::plan::{self, Plan};

pub(super) fn argo_model(
    plan: &Plan,
    gitops: &plan::GitOps,
    argocd: &plan::ArgoCd,
    tree_path: &str,
    units: &[ClusterUnits],
) -> ArgoModel {
    let in_repo = |rest: &str| layout::in_repo(tree_path, rest);
    let mesh_id = &plan.mesh.id;
    let waves = Waves {
        chart_ranks: units
            .iter()
            .flat_map(|u| u.releases)
            .map(|r| r.chart.rank() + 1)
            .max()
            .unwrap_or(0),
    };
    let (mut apps, mut chart_apps, mut files) = (Vec::new(), Vec::new(), Vec::new());
    // MG090: every cluster has a destination.
    for unit in units {
        let cluster = unit.name;
        let Some(destination) = argocd.clusters.get(cluster) else {
            continue;
        };
        let stage_app = |stage: Stage| {
            let name = format!("{cluster}-{}", stage.name());
            ArgoApp {
                path: layout::argo_app(&name),
                name,
                namespace: argocd.namespace.clone(),
                part_of: mesh_id.clone(),
                stage,
                wave: waves.stage(stage).to_string(),
                project: argocd.project.clone(),
                repo_url: gitops.repo_url.clone(),
                revision: gitops.revision.clone(),
                source_path: in_repo(&layout::stage_dir(cluster, stage)),
                server: destination.server.clone(),
                destination_name: destination.name.clone(),
                destination_namespace: stage_namespace(stage, plan),
            }
        };
        // In apply order: the MetalLB stage, the charts, the other stages.
        let (before, after): (Vec<Stage>, Vec<Stage>) =
            unit.stages.iter().partition(|s| **s == Stage::Metallb);
        for stage in before {
            let app = stage_app(stage);
            files.push(app.path.clone());
            apps.push(app);
        }
        for release in unit.releases {
            let name = format!("{cluster}-{}", release.release);
            let app = ArgoChartApp {
                path: layout::argo_app(&name),
                name,
                namespace: argocd.namespace.clone(),
                part_of: mesh_id.clone(),
                wave: waves.chart(release).to_string(),
                project: argocd.project.clone(),
                chart_repo: ISTIO_CHART_REPO.to_owned(),
                release: release.clone(),
                server: destination.server.clone(),
                destination_name: destination.name.clone(),
            };
            files.push(app.path.clone());
            chart_apps.push(app);
        }
        for stage in after {
            let app = stage_app(stage);
            files.push(app.path.clone());
            apps.push(app);
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
    ArgoModel {
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
            resources: files
                .iter()
                .map(|path| layout::file_name(path).to_owned())
                .collect(),
        },
        apps,
        chart_apps,
    }
}
