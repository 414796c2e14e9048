//! Upstream Istio's Helm charts: the releases a cluster installs and their values.
//!
//! The upstream flavors ([`super::flavor::upstream`]) fill these in; the values files, the
//! runbook's `helm upgrade --install` commands and the GitOps objects (Flux HelmReleases,
//! Argo CD Applications: [`super::gitops`]) all place the same [`HelmRelease`], so the
//! values cannot differ between them. Each chart's values have one template,
//! `templates/helm/<chart>.yaml`, which reads them as `values`.
//!
//! Sources (istio/istio): the charts' `values.yaml` (`manifests/charts/base`,
//! `manifests/charts/istio-control/istio-discovery`, `manifests/charts/gateway`), their
//! `files/profile-remote.yaml`, and istio.io's multicluster install guides
//! (`content/en/docs/setup/install/multicluster/`), which set the keys below.

use serde::Serialize;

use super::Pair;
use super::metallb::IpFamilyPolicy;

/// The Helm repository of Istio's charts (istio/istio `manifests/charts/README.md`).
pub const ISTIO_CHART_REPO: &str = "https://istio-release.storage.googleapis.com/charts";
/// The local name the runbook gives it (`helm repo add istio ...`).
pub const ISTIO_CHART_REPO_NAME: &str = "istio";

/// An Istio chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Chart {
    /// `istio/base`: the CRDs and the cluster roles.
    Base,
    /// `istio/istiod` (`manifests/charts/istio-control/istio-discovery`).
    Istiod,
    /// `istio/gateway`.
    Gateway,
}

impl Chart {
    /// The chart's name in the repository.
    pub fn name(self) -> &'static str {
        match self {
            Chart::Base => "base",
            Chart::Istiod => "istiod",
            Chart::Gateway => "gateway",
        }
    }

    /// The chart's values schema for `version`, for editors (a yaml-language-server
    /// modeline). Of the three, only the gateway chart publishes one
    /// (`manifests/charts/gateway/values.schema.json`); base and istiod have none at any
    /// tag from 1.22 to master, so their values files name none rather than a URL that
    /// does not exist.
    pub fn values_schema(self, version: &str) -> Option<String> {
        match self {
            Chart::Gateway => Some(format!(
                "https://raw.githubusercontent.com/istio/istio/{version}/manifests/charts/gateway/values.schema.json"
            )),
            Chart::Base | Chart::Istiod => None,
        }
    }

    /// Install order: a chart needs the ones before it (base's CRDs, istiod's webhook,
    /// which injects the gateways).
    pub fn rank(self) -> usize {
        match self {
            Chart::Base => 0,
            Chart::Istiod => 1,
            Chart::Gateway => 2,
        }
    }
}

/// One Helm release of an Istio chart in one cluster, in namespace `istio-system`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HelmRelease {
    /// The release name, as the guides name it (`istio-base`, `istiod`,
    /// `istio-eastwestgateway`); Flux and Argo CD are told it, so their defaults
    /// (`[namespace-]name`, the Application's name) never rename a release.
    pub release: String,
    pub chart: Chart,
    /// `istio/<chart>`, as `helm upgrade --install` names it.
    pub chart_ref: String,
    pub namespace: String,
    /// The chart version: the mesh's Istio release.
    pub version: String,
    /// Where the values file goes.
    pub values_path: String,
    /// The values schema the file's modeline names, if the chart has one.
    pub values_schema: Option<String>,
    /// The release of the same cluster this one waits for (Flux `dependsOn`).
    pub depends_on: Option<String>,
    pub values: ChartValues,
}

/// A release's values, tagged with its chart (the template that places them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ChartValues {
    Base(BaseValues),
    Istiod(IstiodValues),
    Gateway(GatewayValues),
}

/// Values of `istio/base`: nothing on a primary; the `remote` profile on a remote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaseValues {
    pub chart: Chart,
    pub profile: Option<&'static str>,
}

/// Values of `istio/istiod`, as the multicluster guides set them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IstiodValues {
    pub chart: Chart,
    /// `remote` on a remote: no istiod Deployment, only the injector webhook and the
    /// config-cluster RBAC (`files/profile-remote.yaml`).
    pub profile: Option<&'static str>,
    /// `global.hub`, when the plan names a registry.
    pub hub: Option<String>,
    /// `global.meshID`: the same in every cluster.
    pub mesh_id: String,
    /// `global.multiCluster.clusterName`: the cluster's name, which its remote secret
    /// (`--name`) and its injection path repeat.
    pub cluster_name: String,
    /// `global.network`.
    pub network: String,
    /// `global.externalIstiod`: the primary of primary-remote, which then runs the
    /// namespace controller and patches the webhooks of the remotes that name it in
    /// `topology.istio.io/controlPlaneClusters`.
    pub external_istiod: bool,
    /// `global.configCluster`: a remote keeps istiod's RBAC and validation webhook.
    pub config_cluster: bool,
    /// `global.remotePilotAddress`: where a remote reaches the primary's istiod (an IP,
    /// never with a port).
    pub remote_pilot_address: Option<String>,
    /// `istiodRemote.injectionPath`: `/inject/cluster/<cluster>/net/<network>` of the
    /// remote itself, which istiod reads as the injected pods' cluster and network.
    pub injection_path: Option<String>,
    /// `global.proxy.clusterDomain`, for a DNS domain other than `cluster.local`.
    pub cluster_domain: Option<String>,
}

/// Values of `istio/gateway` for the east-west or the ingress gateway. Only keys that
/// every gateway chart from 1.24 on has (its `values.schema.json` refuses others).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GatewayValues {
    pub chart: Chart,
    /// `name`: the Deployment and Service; its selector labels are `app: <name>` and
    /// `istio: <name without istio->` (`templates/_helpers.tpl`), which the Istio
    /// Gateways select.
    pub name: String,
    /// `networkGateway`: makes it the network's gateway (network label,
    /// `ISTIO_META_REQUESTED_NETWORK_VIEW` and the four east-west ports).
    pub network_gateway: Option<String>,
    /// `service.annotations`: MetalLB's pool and address.
    pub annotations: Vec<Pair>,
    /// `service.ipFamilyPolicy`, for a dual-stack address.
    pub ip_family_policy: Option<IpFamilyPolicy>,
}
