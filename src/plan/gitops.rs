//! The opt-in `gitops:` section: how Argo CD or Flux pull the rendered tree.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Argo CD and/or Flux objects that sync the rendered tree from git to the clusters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GitOps {
    /// URL of the git repository that holds the rendered tree.
    #[serde(rename = "repoURL")]
    pub repo_url: String,
    /// Branch, tag or commit to sync.
    #[serde(default = "default_revision")]
    pub revision: String,
    /// Folder of the rendered tree inside the repository (the `-o` folder), e.g. `deploy/mesh`.
    #[serde(default = "default_path")]
    pub path: String,
    /// Argo CD Applications, one per cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub argocd: Option<ArgoCd>,
    /// Flux GitRepository and one Kustomization per cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flux: Option<Flux>,
}

fn default_revision() -> String {
    "main".to_owned()
}

fn default_path() -> String {
    ".".to_owned()
}

/// Argo CD settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ArgoCd {
    /// Namespace Argo CD runs in.
    #[serde(default = "default_argocd_namespace")]
    pub namespace: String,
    /// Argo CD project of the Applications.
    #[serde(default = "default_project")]
    pub project: String,
    /// Cluster name (plan) to the Argo CD destination: an API server URL or an Argo CD cluster name.
    pub clusters: BTreeMap<String, String>,
}

fn default_argocd_namespace() -> String {
    "argocd".to_owned()
}

fn default_project() -> String {
    "default".to_owned()
}

/// Flux settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Flux {
    /// Namespace Flux runs in.
    #[serde(default = "default_flux_namespace")]
    pub namespace: String,
    /// Reconcile interval, e.g. `10m`.
    #[serde(default = "default_interval")]
    pub interval: String,
    /// Cluster name (plan) to the name of the Secret holding that cluster's kubeconfig.
    pub clusters: BTreeMap<String, String>,
}

fn default_flux_namespace() -> String {
    "flux-system".to_owned()
}

fn default_interval() -> String {
    "10m".to_owned()
}
