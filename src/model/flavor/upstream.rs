//! Upstream Istio, installed with Helm: `multi-primary` (an istiod in every cluster) and
//! `primary-remote` (an istiod in the primary serves the remotes). Both modes share this
//! file; they differ in which clusters run istiod, which is all that [`Topology`] says.
//!
//! What meshgen renders is what istio.io's multicluster guides have an operator type per
//! cluster (`content/en/docs/setup/install/multicluster/{multi-primary,primary-remote}*`):
//! the `istio-system` Namespace with its network label (and, on a remote, the
//! `topology.istio.io/controlPlaneClusters` annotation), the values of the `base`,
//! `istiod` and `gateway` charts ([`crate::model::helm`]), the Istio config where istiod
//! reads it (`samples/multicluster/expose-services.yaml` on every primary with an
//! east-west gateway, `expose-istiod.yaml` on the primary of primary-remote), and what
//! the runbook needs for the remote secrets (`istioctl create-remote-secret`) and for one
//! root of trust (`cacerts`, `tools/certs/Makefile.selfsigned.mk`).

/// The runbooks' steps and what `verify.sh` checks of an upstream mesh.
mod runbook;

use serde::Serialize;

pub use runbook::{MULTI_PRIMARY_STEPS, PRIMARY_REMOTE_STEPS};

use super::{PilotEndpoint, RemoteSecret};
use crate::check::{ParsedFacts, RemotePilot};
use crate::layout;
use crate::model::bootstrap::API_SERVER_PORT;
use crate::model::cluster::{ClusterInput, MeshRole};
use crate::model::gateways::{EAST_WEST_SERVICE, INGRESS_SERVICE};
use crate::model::helm::{
    BaseValues, Chart, ChartValues, GatewayValues, HelmRelease, ISTIO_CHART_REPO,
    ISTIO_CHART_REPO_NAME, IstiodValues,
};
use crate::model::mesh::{LABEL_NETWORK, MeshFacts};
use crate::model::metallb::{LbRole, LbService, ServicePatch};
use crate::model::runbook::Step;
use crate::model::{ISTIO_NAMESPACE, Pair, pair};
use crate::net;
use crate::plan::Plan;

/// The remote's namespace annotation naming the clusters whose istiod may control it
/// (istio/api `annotation/annotations.yaml`; read by istiod's `checkShouldLead`,
/// `pilot/pkg/serviceregistry/kube/controller/multicluster.go`).
pub const CONTROL_PLANE_CLUSTERS: &str = "topology.istio.io/controlPlaneClusters";
/// The Service meshgen adds on a primary-remote primary whose istiod the remotes reach
/// directly (`loadBalancerIPs.istiod`).
pub const ISTIOD_LB_SERVICE: &str = "istiod-lb";
/// The remote profile of the base and istiod charts (`files/profile-remote.yaml`).
const REMOTE_PROFILE: &str = "remote";
/// The files of upstream's self-signed CA Makefile (`tools/certs/`); the first includes
/// the second from its own folder.
const CERT_MAKEFILES: [&str; 2] = ["Makefile.selfsigned.mk", "common.mk"];

/// Which clusters run istiod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topology {
    /// Every cluster.
    MultiPrimary,
    /// The cluster at this index of the plan; `pilot`: where the others reach it.
    PrimaryRemote {
        primary: usize,
        pilot: Option<RemotePilot>,
    },
}

/// The upstream mesh as a whole.
#[derive(Debug, Clone, Serialize)]
pub struct UpstreamMesh {
    /// The primary-remote mesh's primary.
    pub primary: Option<String>,
    /// Its place in `clusters` (the README installs it first).
    pub primary_index: Option<usize>,
    /// The clusters that run istiod, in plan order: each holds a remote secret of every
    /// other cluster of the mesh, and a `cacerts` Secret.
    pub istiod_clusters: Vec<String>,
    /// The clusters whose istiod is the primary's.
    pub remotes: Vec<String>,
    /// Where the remotes reach the primary's istiod.
    pub remote_pilot: Option<RemotePilotAddress>,
    /// The Istio release: the charts' version.
    pub version: String,
    /// `helm repo add <name> <url>`.
    pub chart_repo_name: String,
    pub chart_repo: String,
    /// Upstream's CA Makefiles of this release: file name and raw URL.
    pub cert_makefiles: Vec<Pair>,
    /// The image registry, if the plan names one (`global.hub`).
    pub registry: Option<String>,
    /// Each cluster's `--server` ([`api_server`]), parallel to the plan's clusters.
    #[serde(skip)]
    api_servers: Vec<String>,
    /// The plan's cluster names, in plan order.
    #[serde(skip)]
    cluster_names: Vec<String>,
    #[serde(skip)]
    topology: Topology,
}

/// `global.remotePilotAddress` of every remote, and what serves it.
#[derive(Debug, Clone, Serialize)]
pub struct RemotePilotAddress {
    pub address: String,
    /// The Service on the primary behind it: the east-west gateway (with expose-istiod)
    /// or `istiod-lb`.
    pub service: String,
    pub dedicated: bool,
}

/// What the upstream modes add to one cluster.
#[derive(Debug, Clone, Serialize)]
pub struct UpstreamCluster {
    pub mesh_role: MeshRole,
    /// Runs istiod (a primary).
    pub runs_istiod: bool,
    pub namespace: IstioNamespace,
    /// The Helm releases, in install order.
    pub releases: Vec<HelmRelease>,
    /// The primary's `istiod-lb` Service (primary-remote, `loadBalancerIPs.istiod`).
    pub istiod_service: Option<LbService>,
    pub istiod_lb: Option<IstiodLb>,
    /// The primary's `expose-istiod` Gateway and VirtualService (primary-remote, remotes
    /// reaching istiod through the east-west gateway).
    pub expose_istiod: Option<ExposeIstiod>,
    /// `--server` of the cluster's remote secret: its API server where the other
    /// clusters reach it, the master IP on kubeadm's port (which the kind config binds too).
    pub api_server: String,
    /// The istiod clusters this cluster's install step puts its remote secret into,
    /// between istiod and the gateways: a remote's primary, whose istiod then patches the
    /// remote's injection webhook that the gateway pods need (the order of istio/istio.io
    /// `content/en/docs/setup/install/multicluster/primary-remote_multi-network/index.md`).
    /// None elsewhere (multi-primary exchanges secrets in a step of its own).
    pub secret_into: Vec<String>,
}

/// Context of `upstream/namespace.yaml`: the `istio-system` Namespace.
#[derive(Debug, Clone, Serialize)]
pub struct IstioNamespace {
    pub path: String,
    pub name: String,
    pub labels: Vec<Pair>,
    pub annotations: Vec<Pair>,
}

/// Context of `upstream/istiod-lb.yaml`: a LoadBalancer Service in front of istiod's
/// xDS (15012) and webhook (15017) ports, which the remotes' `istiod` Service points at.
#[derive(Debug, Clone, Serialize)]
pub struct IstiodLb {
    pub path: String,
    pub service: LbService,
}

/// Context of `upstream/expose-istiod.yaml` (istio/istio `samples/multicluster/expose-istiod.yaml`).
#[derive(Debug, Clone, Serialize)]
pub struct ExposeIstiod {
    pub path: String,
    pub api_version: String,
    pub namespace: String,
    /// `istiod.istio-system.svc.<dns domain>`.
    pub istiod_host: String,
}

/// `--server` of a cluster's remote secret: its API server where the other clusters reach
/// it, the master IP on kubeadm's port (which the kind config binds too).
fn api_server(master_ip: std::net::IpAddr) -> String {
    format!("https://{}:{API_SERVER_PORT}", net::url_host(master_ip))
}

impl UpstreamMesh {
    pub(super) fn resolve(
        plan: &Plan,
        facts: &ParsedFacts,
        mesh: &MeshFacts,
        topology: Topology,
    ) -> UpstreamMesh {
        let names = |keep: &dyn Fn(usize) -> bool| -> Vec<String> {
            plan.clusters
                .iter()
                .enumerate()
                .filter(|(i, _)| keep(*i))
                .map(|(_, c)| c.name.clone())
                .collect()
        };
        let (primary, istiod_clusters, remotes, remote_pilot) = match topology {
            Topology::MultiPrimary => (None, names(&|_| true), Vec::new(), None),
            Topology::PrimaryRemote { primary, pilot } => (
                plan.clusters.get(primary).map(|c| c.name.clone()),
                names(&|i| i == primary),
                names(&|i| i != primary),
                pilot.map(|pilot| RemotePilotAddress {
                    address: pilot.ips.ips.primary().to_string(),
                    service: if pilot.dedicated {
                        ISTIOD_LB_SERVICE
                    } else {
                        EAST_WEST_SERVICE
                    }
                    .to_owned(),
                    dedicated: pilot.dedicated,
                }),
            ),
        };
        UpstreamMesh {
            primary_index: match topology {
                Topology::MultiPrimary => None,
                Topology::PrimaryRemote { primary, .. } => Some(primary),
            },
            primary,
            istiod_clusters,
            remotes,
            remote_pilot,
            version: mesh.version.clone(),
            chart_repo_name: ISTIO_CHART_REPO_NAME.to_owned(),
            chart_repo: ISTIO_CHART_REPO.to_owned(),
            cert_makefiles: CERT_MAKEFILES
                .iter()
                .map(|file| {
                    pair(
                        file,
                        &format!(
                            "https://raw.githubusercontent.com/istio/istio/{}/tools/certs/{file}",
                            mesh.version
                        ),
                    )
                })
                .collect(),
            registry: plan.mesh.registry.clone(),
            cluster_names: names(&|_| true),
            api_servers: (facts.clusters.iter())
                .map(|c| api_server(c.master_ip))
                .collect(),
            topology,
        }
    }

    /// The clusters that run istiod, by their place in the plan (in plan order): where
    /// istiod reads the mesh's Istio config.
    pub fn istiod_cluster_indices(&self) -> Vec<usize> {
        match self.topology {
            Topology::MultiPrimary => (0..self.istiod_clusters.len()).collect(),
            Topology::PrimaryRemote { primary, .. } => vec![primary],
        }
    }

    /// Where the remotes reach the primary's istiod (none in multi-primary, or without
    /// remotes).
    pub(super) fn pilot_endpoint(&self) -> Option<PilotEndpoint> {
        let (primary, pilot) = (self.primary.as_ref()?, self.remote_pilot.as_ref()?);
        Some(PilotEndpoint {
            title: "primary istiod".to_owned(),
            cluster: primary.clone(),
            service: pilot.service.clone(),
            address: pilot.address.clone(),
            param: "remotePilotAddress".to_owned(),
            clients: self.remotes.clone(),
            // The remotes' istiod values files set it (`global.remotePilotAddress`).
            set_by: None,
        })
    }

    /// Every remote secret: each cluster's, in every other cluster that runs istiod
    /// (multi-primary: every ordered pair; primary-remote: each remote's in the primary).
    pub(super) fn remote_secrets(&self) -> Vec<RemoteSecret> {
        // The clusters an istiod reads beside its own: every other one.
        let others = match self.topology {
            Topology::MultiPrimary => &self.istiod_clusters,
            Topology::PrimaryRemote { .. } => &self.remotes,
        };
        let server = |name: &str| {
            (self.cluster_names.iter().position(|c| c == name))
                .and_then(|i| self.api_servers.get(i))
                .cloned()
                .unwrap_or_default()
        };
        let mut secrets = Vec::new();
        for reader in &self.istiod_clusters {
            for of in others.iter().filter(|c| *c != reader) {
                secrets.push(RemoteSecret {
                    in_cluster: reader.clone(),
                    of_cluster: of.clone(),
                    namespace: ISTIO_NAMESPACE.to_owned(),
                    server: server(of),
                });
            }
        }
        secrets
    }

    /// Whether the cluster at `index` of the plan runs istiod.
    fn runs_istiod(&self, index: usize) -> bool {
        match self.topology {
            Topology::MultiPrimary => true,
            Topology::PrimaryRemote { primary, .. } => index == primary,
        }
    }

    pub(super) fn cluster(
        &self,
        input: &ClusterInput<'_>,
        east_west: Option<&LbService>,
        ingress: Option<&LbService>,
    ) -> UpstreamCluster {
        let cluster = input.cluster;
        let name = &cluster.name;
        let runs_istiod = self.runs_istiod(input.index);
        let mesh_role = if runs_istiod {
            MeshRole::Primary
        } else {
            MeshRole::Remote
        };
        let mut annotations = Vec::new();
        if let (false, Some(primary)) = (runs_istiod, &self.primary) {
            annotations.push(pair(CONTROL_PLANE_CLUSTERS, primary));
        }
        let namespace = IstioNamespace {
            path: layout::istio_namespace(name),
            name: ISTIO_NAMESPACE.to_owned(),
            labels: vec![pair(LABEL_NETWORK, &cluster.network)],
            annotations,
        };
        let is_primary_of_remotes = runs_istiod && self.primary.is_some();
        let istiod_service = input
            .parsed
            .istiod
            .as_ref()
            .filter(|_| is_primary_of_remotes)
            .map(|pinned| {
                crate::model::metallb::lb_service(
                    cluster,
                    &input.mesh.metallb_annotation_prefix,
                    LbRole {
                        title: "istiod LoadBalancer",
                        step: Step::IstiodIp,
                    },
                    ISTIOD_LB_SERVICE,
                    pinned,
                    ServicePatch::None,
                )
            });
        let istiod_lb = istiod_service.clone().map(|service| IstiodLb {
            path: layout::istiod_lb_service(name),
            service,
        });
        let expose_istiod = self
            .remote_pilot
            .as_ref()
            .filter(|pilot| is_primary_of_remotes && !pilot.dedicated)
            .map(|_| ExposeIstiod {
                path: layout::expose_istiod(name),
                api_version: input.mesh.gateway_api_version.clone(),
                namespace: ISTIO_NAMESPACE.to_owned(),
                istiod_host: format!("istiod.{ISTIO_NAMESPACE}.svc.{}", input.mesh.dns_domain),
            });
        UpstreamCluster {
            mesh_role,
            runs_istiod,
            namespace,
            releases: self.releases(input, runs_istiod, east_west, ingress),
            istiod_service,
            istiod_lb,
            expose_istiod,
            api_server: api_server(input.parsed.master_ip),
            secret_into: match self.topology {
                Topology::PrimaryRemote { .. } if !runs_istiod => self.istiod_clusters.clone(),
                _ => Vec::new(),
            },
        }
    }

    /// The cluster's Helm releases, in the guides' order: base, istiod, then the gateways.
    fn releases(
        &self,
        input: &ClusterInput<'_>,
        runs_istiod: bool,
        east_west: Option<&LbService>,
        ingress: Option<&LbService>,
    ) -> Vec<HelmRelease> {
        let cluster = input.cluster;
        let mesh = input.mesh;
        let remote = !runs_istiod;
        let profile = remote.then_some(REMOTE_PROFILE);
        let istiod = IstiodValues {
            chart: Chart::Istiod,
            profile,
            hub: self.registry.clone(),
            mesh_id: mesh.id.clone(),
            cluster_name: cluster.name.clone(),
            network: cluster.network.clone(),
            external_istiod: runs_istiod && self.primary.is_some(),
            config_cluster: remote,
            remote_pilot_address: self
                .remote_pilot
                .as_ref()
                .filter(|_| remote)
                .map(|p| p.address.clone()),
            injection_path: remote
                .then(|| format!("/inject/cluster/{}/net/{}", cluster.name, cluster.network)),
            cluster_domain: (mesh.dns_domain != crate::plan::default_dns_domain())
                .then(|| mesh.dns_domain.clone()),
        };
        let gateway = |service: &LbService, network_gateway: Option<&str>| GatewayValues {
            chart: Chart::Gateway,
            name: service.name.clone(),
            network_gateway: network_gateway.map(str::to_owned),
            annotations: service.annotations.clone(),
            ip_family_policy: service.ip_family_policy,
        };
        let mut releases = vec![
            (
                "istio-base",
                ChartValues::Base(BaseValues {
                    chart: Chart::Base,
                    profile,
                }),
            ),
            ("istiod", ChartValues::Istiod(istiod)),
        ];
        if let Some(service) = east_west {
            releases.push((
                EAST_WEST_SERVICE,
                ChartValues::Gateway(gateway(service, Some(&cluster.network))),
            ));
        }
        if let Some(service) = ingress {
            releases.push((
                INGRESS_SERVICE,
                ChartValues::Gateway(gateway(service, None)),
            ));
        }
        let mut out = Vec::with_capacity(releases.len());
        for (release, values) in releases {
            let chart = match &values {
                ChartValues::Base(_) => Chart::Base,
                ChartValues::Istiod(_) => Chart::Istiod,
                ChartValues::Gateway(_) => Chart::Gateway,
            };
            // A gateway waits for istiod (which injects it), not for the other gateway.
            let depends_on = match chart {
                Chart::Base => None,
                Chart::Istiod => Some("istio-base"),
                Chart::Gateway => Some("istiod"),
            };
            out.push(HelmRelease {
                release: release.to_owned(),
                chart,
                chart_ref: format!("{ISTIO_CHART_REPO_NAME}/{}", chart.name()),
                namespace: ISTIO_NAMESPACE.to_owned(),
                version: self.version.clone(),
                values_path: layout::helm_values(&cluster.name, release),
                values_schema: chart.values_schema(&self.version),
                depends_on: depends_on.map(str::to_owned),
                values,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests;
