//! The opt-in `gitops:` section: how Argo CD or Flux pull the rendered tree.
//!
//! GitOps syncs each cluster's stage folders (`clusters/<name>/<stage>/`), never the
//! patch files: those change objects that Mspider or kubeadm own, so they stay runbook
//! steps. That is also why the global cluster needs no destination here.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Argo CD and/or Flux objects that sync the rendered tree from git to the clusters, written under `gitops/argocd/` and `gitops/flux/` in the output folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GitOps {
    /// URL of the git repository that holds the rendered tree: `https://`, `http://` or `ssh://` (for scp-like addresses write `ssh://git@host/org/repo.git`).
    #[serde(rename = "repoURL")]
    pub repo_url: String,
    /// What to sync: a branch name (`main`), a full ref (`refs/tags/v1.2.0`, which Flux needs for a tag) or a 40-hex commit SHA.
    #[serde(default = "default_revision")]
    pub revision: String,
    /// Folder of the rendered tree inside the repository (the `-o` folder), e.g. `deploy/mesh`; `.` is the repository root.
    #[serde(default = "default_path")]
    pub path: String,
    /// Argo CD: one Application per cluster stage, ordered by sync waves, under a root Application (app of apps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub argocd: Option<ArgoCd>,
    /// Flux: a GitRepository and one Kustomization per cluster stage, ordered by `dependsOn`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flux: Option<Flux>,
}

pub fn default_revision() -> String {
    "main".to_owned()
}

pub fn default_path() -> String {
    ".".to_owned()
}

/// Argo CD settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ArgoCd {
    /// Namespace Argo CD runs in (where the Applications live).
    #[serde(default = "default_argocd_namespace")]
    pub namespace: String,
    /// Argo CD project of the Applications.
    #[serde(default = "default_project")]
    pub project: String,
    /// Every cluster of the mesh (by its plan name) to the Argo CD destination that reaches it.
    pub clusters: BTreeMap<String, ArgoDestination>,
}

pub fn default_argocd_namespace() -> String {
    "argocd".to_owned()
}

pub fn default_project() -> String {
    "default".to_owned()
}

/// Where Argo CD deploys a cluster's Applications: set exactly one of `server` and `name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ArgoDestination {
    /// The cluster's API server URL, as registered in Argo CD, e.g. `https://10.64.30.130:6443` (`https://kubernetes.default.svc` is the cluster Argo CD runs in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// The cluster's name as registered in Argo CD (`argocd cluster list`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Flux settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Flux {
    /// Namespace Flux runs in (where the GitRepository and Kustomizations live).
    #[serde(default = "default_flux_namespace")]
    pub namespace: String,
    /// Reconcile interval of the GitRepository and the Kustomizations, a Go duration such as `10m` or `1h30m`.
    #[serde(default = "default_interval")]
    pub interval: String,
    /// Secret (in `namespace`) with the credentials for `repoURL`; leave out for a public repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo_secret: Option<String>,
    /// Every cluster of the mesh (by its plan name) to how Flux reaches it.
    pub clusters: BTreeMap<String, FluxTarget>,
}

pub fn default_flux_namespace() -> String {
    "flux-system".to_owned()
}

pub fn default_interval() -> String {
    "10m".to_owned()
}

/// How Flux reaches a cluster: set `local: true` for the cluster Flux runs in, or `kubeConfigSecret` for a remote one (exactly one of the two).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FluxTarget {
    /// The cluster Flux itself runs in: its Kustomizations need no kubeconfig.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub local: bool,
    /// Secret (in the Flux namespace) holding the cluster's kubeconfig (`kubeConfig.secretRef.name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_config_secret: Option<String>,
    /// Key of the kubeconfig in that Secret; Flux's default is `value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_config_key: Option<String>,
}
