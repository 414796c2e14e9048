//! The GitOps objects of the upstream modes' Helm releases ([`crate::model::helm`]): an
//! Argo CD Application per release with the chart as its source and the values inline, in
//! sync waves between the MetalLB stage and the later ones; a Flux HelmRelease per release,
//! from one HelmRepository, with `dependsOn` in chart order.
//!
//! Sources: Argo CD's Application CRD (`spec.source.chart`, `helm.releaseName`,
//! `helm.valuesObject`) and `docs/user-guide/sync-waves.md`; Flux's HelmRelease
//! (`helm.toolkit.fluxcd.io/v2`: `releaseName`, `targetNamespace`, `storageNamespace`,
//! `dependsOn`, `kubeConfig`, `values`) and HelmRepository (`source.toolkit.fluxcd.io/v1`)
//! CRDs.

use serde::Serialize;

use super::Kustomization;
use crate::layout::{self, Stage};
use crate::model::helm::{HelmRelease, ISTIO_CHART_REPO_NAME};
use crate::plan;

/// Context of `gitops/argocd-chart-application.yaml`: one Helm release of one cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArgoChartApp {
    pub path: String,
    /// `<cluster>-<release>`.
    pub name: String,
    pub namespace: String,
    pub part_of: String,
    pub wave: String,
    pub project: String,
    /// The Helm repository of the chart.
    pub chart_repo: String,
    pub release: HelmRelease,
    pub server: Option<String>,
    pub destination_name: Option<String>,
}

/// Context of `gitops/flux-helmrepository.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FluxHelmRepository {
    pub path: String,
    pub name: String,
    pub namespace: String,
    pub part_of: String,
    pub interval: String,
    pub url: String,
}

/// One cluster's HelmReleases and the kustomization of their folder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FluxChartFolder {
    pub kustomization: Kustomization,
    pub releases: Vec<FluxHelmRelease>,
}

/// Context of `gitops/flux-helmrelease.yaml`: one Helm release of one cluster, installed
/// by Flux's helm-controller from the Flux cluster (with the cluster's kubeconfig).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FluxHelmRelease {
    pub path: String,
    /// `<cluster>-<release>`.
    pub name: String,
    pub namespace: String,
    pub part_of: String,
    pub interval: String,
    /// The HelmRepository's name.
    pub repository: String,
    pub release: HelmRelease,
    /// `<cluster>-<release>` of the release it waits for.
    pub depends_on: Option<String>,
    pub kube_config_secret: Option<String>,
    pub kube_config_key: Option<String>,
}

/// Argo CD sync waves: the MetalLB stage in wave 1 (after wave 0, where a user's own
/// prerequisites such as MetalLB itself go), each chart rank in a wave of its own, then the
/// later stages. A mesh without charts keeps the stages' own waves ([`Stage::wave`]).
pub(super) struct Waves {
    pub chart_ranks: usize,
}

impl Waves {
    pub fn stage(&self, stage: Stage) -> usize {
        match stage {
            Stage::Metallb => stage.wave(),
            _ => stage.wave() + self.chart_ranks,
        }
    }

    pub fn chart(&self, release: &HelmRelease) -> usize {
        Stage::Metallb.wave() + 1 + release.chart.rank()
    }
}

/// One cluster's HelmReleases: each waits for the release before it in its chart order
/// (Flux `dependsOn`, in the same namespace), and reaches the cluster with its kubeconfig.
pub(super) fn flux_chart_folder(
    mesh_id: &str,
    flux: &plan::Flux,
    cluster: &str,
    releases: &[HelmRelease],
    target: &plan::FluxTarget,
) -> FluxChartFolder {
    let name = |release: &str| format!("{cluster}-{release}");
    let releases: Vec<FluxHelmRelease> = releases
        .iter()
        .map(|release| FluxHelmRelease {
            path: layout::flux_helm_release(cluster, &release.release),
            name: name(&release.release),
            namespace: flux.namespace.clone(),
            part_of: mesh_id.to_owned(),
            interval: flux.interval.clone(),
            repository: ISTIO_CHART_REPO_NAME.to_owned(),
            depends_on: release.depends_on.as_deref().map(name),
            kube_config_secret: target.kube_config_secret.clone(),
            kube_config_key: target.kube_config_key.clone(),
            release: release.clone(),
        })
        .collect();
    FluxChartFolder {
        kustomization: Kustomization {
            path: layout::flux_charts_kustomization(cluster),
            resources: releases
                .iter()
                .map(|r| layout::file_name(&r.path).to_owned())
                .collect(),
        },
        releases,
    }
}
