//! Mspider's hosted mesh: one istiod, in `controlPlaneCluster`, behind a LoadBalancer
//! Service, serves every cluster. Mspider creates the mesh and installs its
//! components; meshgen adds what the seed procedure has an operator set by hand: the
//! hosted istiod's address, the GlobalMesh and MeshCluster params on the global
//! service cluster (namespace `mspider-system`), the `istio-system` network label and
//! the east-west gateway as an IstioOperator that Mspider's in-cluster operator
//! reconciles (DaoCloud/DaoCloud-docs,
//! `docs/zh/docs/mspider/03UserGuide/multiCluster/multiClusterInstall.md`).

/// The Mspider objects the hosted mesh patches: the GlobalMesh and MeshCluster params and the
/// `istio-system` label, and what `meshgen diff` is told about each.
mod patches;
/// The runbook's steps and what `verify.sh` checks of a hosted mesh.
mod runbook;

use serde::Serialize;

pub use patches::{GlobalMeshPatch, JsonPatchOp, MeshClusterPatch, NodePortPatch};
use patches::{global_mesh_patch, mesh_cluster_patch, node_port_patch};
pub use runbook::RUNBOOK_STEPS;

use super::{ControlPlaneAccess, PilotEndpoint};
use crate::check::{HostedFacts, ParsedFacts};
use crate::layout;
use crate::model::cluster::{ClusterInput, MeshRole, NamespacePatch};
use crate::model::gateways::{self, ServicePort};
use crate::model::mesh::{LABEL_NETWORK, MeshFacts, Network};
use crate::model::metallb::{IpFamilyPolicy, LbAddress, LbRole, LbService, ServicePatch};
use crate::model::runbook::Step;
use crate::model::{ISTIO_NAMESPACE, Pair, pair};
use crate::net;
use crate::plan::Plan;

/// Namespace of GlobalMesh and MeshCluster on the global service cluster.
pub const MSPIDER_NAMESPACE: &str = "mspider-system";
/// Mspider's cluster role of every cluster of a hosted mesh, the control-plane cluster included.
pub const HOSTED_WORKLOAD_CLUSTER: &str = "HOSTED_WORKLOAD_CLUSTER";
/// The MeshCluster param that names the entry's mesh (the seed: "Confirm that
/// `global.meshID: mdemo-mesh`").
const MESH_ID_PARAM: &str = "global.meshID";
/// Prefix of the Istio values among Mspider's control-plane params.
const PARAM_PREFIX: &str = "istio.custom_params.values.global.";
/// The hosted istiod's ports that work clusters use: xDS over TLS and the webhook (HTTPS).
const ISTIOD_XDS_PORT: u16 = 15012;
const ISTIOD_WEBHOOK_PORT: u16 = 15017;
/// Image of the throw-away pod that probes the hosted istiod when the plan has no demo.
const DEFAULT_PROBE_IMAGE: &str = "curlimages/curl";
/// From Istio 1.23 on, Mspider's Pluma Operator (not Istio's in-cluster operator) reconciles
/// IstioOperators (DaoCloud-docs `docs/en/docs/mspider/intro/release-notes.md`, v0.36.0).
const PLUMA_FROM: (u32, u32) = (1, 23);
/// The chart repository Mspider's release notes name for Istio >= 1.23 ("the built-in Addon
/// repository", GlobalMesh `global.istioRepo`): it holds the `-mspider` chart versions.
const MSPIDER_CHART_REPOSITORY: &str = "https://release.daocloud.io/chartrepo/addon";
/// The IstioOperator annotation that names the chart repository Pluma installs from; without
/// it Pluma uses upstream's, which has no `-mspider` chart (pluma-tools/pluma-operator
/// `internal/pkg/constants/constants.go`, `internal/istio/iop.go`).
const PLUMA_SOURCE_REPO: &str = "pluma.io/source-repo";

/// The hosted mesh as a whole.
#[derive(Debug, Clone, Serialize)]
pub struct HostedMesh {
    pub control_plane_cluster: String,
    pub global_cluster: String,
    /// Namespace of GlobalMesh / MeshCluster on the global cluster.
    pub global_namespace: String,
    pub registry: String,
    /// Image of the east-west gateway (and every sidecar): `<registry>/proxyv2:<version>`.
    pub proxy_image: String,
    pub hosted_istiod: HostedIstiod,
    /// `<meshID>-hosted-apiserver`: the API server of the mesh's virtual cluster, in the
    /// control-plane cluster, where the mesh's Istio config lives (DaoCloud-docs
    /// `docs/en/docs/mspider/best-practice/managed-mesh-to-sync.md`).
    pub hosted_apiserver: String,
    /// Every cluster of the plan: all are work clusters of a hosted mesh.
    pub work_clusters: Vec<String>,
    /// Image of the one-off pod that checks the hosted istiod is reachable.
    pub probe_image: String,
    /// Clusters the hosted istiod is probed from: all but the control plane.
    pub probe_clusters: Vec<String>,
    /// Clusters whose istiod-remote Service is pinned to the hosted istiod's family
    /// (their MeshCluster params set `global.ipFamilies`), and that family.
    pub istiod_family_clusters: Vec<String>,
    pub istiod_family: Option<String>,
    /// The GlobalMesh merge patch (global/).
    pub global_mesh: GlobalMeshPatch,
    /// Whether Pluma Operator reconciles the east-west IstioOperator (Istio >= 1.23). It
    /// installs Istio's `gateway` chart and drops every value the chart's schema does not
    /// list, `serviceAnnotations` and a port's `nodePort` among them
    /// (pluma-tools/pluma-operator `internal/pkg/schema/schema.go`, `FilterValues`): the
    /// Service's MetalLB annotations then come from a patch.
    pub pluma: bool,
}

/// The hosted istiod LoadBalancer Service on the control-plane cluster.
#[derive(Debug, Clone, Serialize)]
pub struct HostedIstiod {
    /// `istiod-<meshID>-hosted-lb`.
    pub service_name: String,
    pub namespace: String,
    pub cluster: String,
    pub address: LbAddress,
    /// `remotePilotAddress`: the IPv4 address when the Service is dual-stack.
    pub pilot_address: String,
    /// `http://<pilot address>:15017/`: plain HTTP to istiod's webhook port (Go's TLS
    /// server) answers 400. Mspider v0.17.0 removed port 443 from the Service (release notes,
    /// "Removals"); work clusters reach istiod on 15012 and 15017
    /// (`docs/en/docs/mspider/troubleshoot/failed-to-add-cluster.md`).
    pub probe_url: String,
    /// The ports the Service must list: 15012 (xDS) and 15017 (webhook).
    pub ports: Vec<u16>,
    /// The MetalLB annotations to enter in the console's "Load balancer annotations"
    /// (empty without MetalLB on the control-plane cluster): the one source of the address.
    pub annotations: Vec<Pair>,
    /// `kubectl get -o jsonpath=` of `spec.loadBalancerIP`, the `loadBalancerIPs`
    /// annotation and the bound address, `|`-separated.
    pub address_jsonpath: String,
}

/// What the hosted mode adds to one cluster.
#[derive(Debug, Clone, Serialize)]
pub struct HostedCluster {
    pub mesh_role: MeshRole,
    /// The hosted istiod's Service, on the control-plane cluster.
    pub istiod_service: Option<LbService>,
    /// The east-west gateway IstioOperator, on clusters with an east-west gateway.
    pub east_west_gateway: Option<EastWestGateway>,
    /// The network label of `istio-system`, which Mspider creates.
    pub network_label_patch: NamespacePatch,
    pub mesh_cluster_patch: MeshClusterPatch,
    /// Under Pluma, the NodePort fallback's node port, which Pluma drops from the
    /// IstioOperator: a JSON patch of the gateway's Service once it exists.
    pub node_port_patch: Option<NodePortPatch>,
}

/// Context of `hosted/eastwest-gateway.yaml`: the east-west gateway IstioOperator.
#[derive(Debug, Clone, Serialize)]
pub struct EastWestGateway {
    pub path: String,
    pub name: String,
    pub namespace: String,
    pub gateway_name: String,
    pub labels: Vec<Pair>,
    /// `ISTIO_META_REQUESTED_NETWORK_VIEW`: traffic through it stays in this network.
    pub network: String,
    pub cluster: String,
    pub mesh_id: String,
    pub hub: String,
    pub tag: String,
    pub ports: Vec<ServicePort>,
    pub service_annotations: Vec<Pair>,
    pub ip_family_policy: Option<IpFamilyPolicy>,
    /// `values.global.proxy.clusterDomain`, for a DNS domain other than `cluster.local`.
    pub cluster_domain: Option<String>,
    /// Annotations of the IstioOperator itself: Pluma's chart repository (Istio >= 1.23).
    pub annotations: Vec<Pair>,
}

/// Name of the hosted istiod LoadBalancer Service Mspider creates.
pub fn hosted_istiod_service(mesh_id: &str) -> String {
    format!("istiod-{mesh_id}-hosted-lb")
}

impl HostedMesh {
    /// `istiod`: the hosted istiod's pinned address, on the control-plane cluster.
    pub(super) fn resolve(
        plan: &Plan,
        facts: &ParsedFacts,
        hosted: &HostedFacts,
        mesh_facts: &MeshFacts,
        networks: &[Network],
    ) -> HostedMesh {
        let mesh = &plan.mesh;
        let istiod = hosted.istiod;
        let control_plane = &plan.clusters[hosted.control_plane];
        let address = LbAddress::of(istiod.ips);
        let probe_url = format!(
            "http://{}:{ISTIOD_WEBHOOK_PORT}/",
            net::url_host(istiod.ips.primary())
        );
        // The annotations the hosted istiod's LbService gets (the same function builds them).
        let annotations = crate::model::metallb::lb_service(
            control_plane,
            &mesh_facts.metallb_annotation_prefix,
            LbRole {
                title: "hosted istiod",
                step: Step::IstiodIp,
            },
            &hosted_istiod_service(&mesh.id),
            &istiod,
            ServicePatch::FamilyOnly,
        )
        .annotations;
        let prefix = mesh_facts.metallb_annotation_prefix.replace('.', "\\.");
        let address_jsonpath = format!(
            "{{.spec.loadBalancerIP}}|{{.metadata.annotations.{prefix}/loadBalancerIPs}}|\
             {{.status.loadBalancer.ingress[*].ip}}{{\"\\n\"}}"
        );
        let hosted_istiod = HostedIstiod {
            service_name: hosted_istiod_service(&mesh.id),
            namespace: ISTIO_NAMESPACE.to_owned(),
            cluster: control_plane.name.clone(),
            pilot_address: address.primary.clone(),
            address,
            probe_url,
            ports: vec![ISTIOD_XDS_PORT, ISTIOD_WEBHOOK_PORT],
            annotations,
            address_jsonpath,
        };
        HostedMesh {
            control_plane_cluster: control_plane.name.clone(),
            global_cluster: hosted.global_cluster.clone(),
            global_namespace: MSPIDER_NAMESPACE.to_owned(),
            registry: hosted.registry.clone(),
            proxy_image: format!("{}/proxyv2:{}", hosted.registry, mesh.version),
            global_mesh: global_mesh_patch(mesh_facts, &hosted_istiod, networks),
            pluma: facts.mesh_version.minor_version() >= PLUMA_FROM,
            hosted_istiod,
            hosted_apiserver: format!("{}-hosted-apiserver", mesh.id),
            work_clusters: plan.clusters.iter().map(|c| c.name.clone()).collect(),
            probe_image: plan
                .demo
                .as_ref()
                .map_or(DEFAULT_PROBE_IMAGE, |d| d.sleep.image.as_str())
                .to_owned(),
            istiod_family_clusters: plan
                .clusters
                .iter()
                .zip(&facts.clusters)
                .filter(|(_, parsed)| parsed.istiod_family.is_some())
                .map(|(c, _)| c.name.clone())
                .collect(),
            istiod_family: facts
                .clusters
                .iter()
                .find_map(|parsed| parsed.istiod_family)
                .map(|family| family.as_str().to_owned()),
            probe_clusters: plan
                .clusters
                .iter()
                .filter(|c| c.name != control_plane.name)
                .map(|c| c.name.clone())
                .collect(),
        }
    }

    pub(super) fn cluster(
        &self,
        input: &ClusterInput<'_>,
        east_west: Option<&LbService>,
    ) -> HostedCluster {
        let cluster = input.cluster;
        let is_control_plane = cluster.name == self.control_plane_cluster;
        let istiod_service = input.lb_service(
            input.parsed.istiod.as_ref().filter(|_| is_control_plane),
            LbRole {
                title: "hosted istiod",
                step: Step::IstiodIp,
            },
            &self.hosted_istiod.service_name,
            // Mspider owns the Service and takes its annotations from the mesh's console
            // settings (step 4); a patch would be a second source (issue 11 item 7).
            ServicePatch::FamilyOnly,
        );
        let east_west_gateway = east_west.map(|service| self.east_west_gateway(input, service));
        HostedCluster {
            mesh_role: if is_control_plane {
                MeshRole::HostedControlPlane
            } else {
                MeshRole::Work
            },
            istiod_service,
            node_port_patch: east_west
                .zip(east_west_gateway.as_ref())
                .filter(|_| self.pluma)
                .and_then(|(service, gateway)| {
                    node_port_patch(&cluster.name, service, &gateway.ports)
                }),
            east_west_gateway,
            network_label_patch: NamespacePatch {
                path: layout::namespace_patch(&cluster.name, ISTIO_NAMESPACE),
                name: ISTIO_NAMESPACE.to_owned(),
                labels: vec![pair(LABEL_NETWORK, &cluster.network)],
            },
            mesh_cluster_patch: mesh_cluster_patch(
                input.mesh,
                &cluster.name,
                &cluster.network,
                input.parsed.istiod_family,
                is_control_plane,
            ),
        }
    }

    /// The east-west gateway as upstream's `gen-eastwest-gateway.sh` writes it, with
    /// Mspider's hub and tag.
    fn east_west_gateway(&self, input: &ClusterInput<'_>, service: &LbService) -> EastWestGateway {
        let cluster = input.cluster;
        EastWestGateway {
            path: layout::east_west_gateway(&cluster.name),
            name: "eastwest".to_owned(),
            namespace: ISTIO_NAMESPACE.to_owned(),
            gateway_name: service.name.clone(),
            labels: gateways::east_west_labels(&cluster.network),
            network: cluster.network.clone(),
            cluster: cluster.name.clone(),
            mesh_id: input.mesh.id.clone(),
            hub: self.registry.clone(),
            tag: input.mesh.version.clone(),
            // Mspider serves istiod through its own `istiod-<mesh>-hosted-lb`, so the
            // east-west gateway carries only cross-network traffic and its status port (the
            // seed's gateway has tls 15443 alone); 15012/15017 would lead nowhere.
            ports: gateways::east_west_ports(false, cluster.east_west_node_port),
            service_annotations: service.annotations.clone(),
            ip_family_policy: service.ip_family_policy,
            cluster_domain: input.mesh.cluster_domain.clone(),
            annotations: if self.pluma {
                vec![pair(PLUMA_SOURCE_REPO, MSPIDER_CHART_REPOSITORY)]
            } else {
                Vec::new()
            },
        }
    }
}

impl HostedMesh {
    /// The hosted istiod, reached by every other cluster at `remotePilotAddress`.
    pub(super) fn pilot_endpoint(&self) -> PilotEndpoint {
        let istiod = &self.hosted_istiod;
        PilotEndpoint {
            title: "hosted istiod".to_owned(),
            cluster: istiod.cluster.clone(),
            service: istiod.service_name.clone(),
            address: istiod.pilot_address.clone(),
            param: "remotePilotAddress".to_owned(),
            clients: self.probe_clusters.clone(),
            // The mesh's `load_balancer_annotations` (README: create the mesh).
            set_by: Some(if istiod.annotations.is_empty() {
                format!(
                    "the platform's load balancer of {} (no MetalLB in the plan)",
                    istiod.cluster
                )
            } else {
                let annotations: Vec<String> = (istiod.annotations.iter())
                    .map(|a| format!("{}={}", a.key, a.value))
                    .collect();
                format!(
                    "Mspider's console: mesh {}, Entry of control plane, Load balancer annotations {}",
                    self.global_mesh.name,
                    annotations.join(", ")
                )
            }),
        }
    }

    /// kubectl inside the hosted API server's pod, as the README's cross-network Gateway
    /// step reaches it (its pod is found by name; the Mspider console is the other way).
    pub(super) fn control_plane_access(&self) -> ControlPlaneAccess {
        let cluster = &self.control_plane_cluster;
        ControlPlaneAccess {
            context: cluster.clone(),
            kubectl: format!("kubectl --context {cluster} exec -i -n NAMESPACE POD -- kubectl"),
            find: format!(
                "NAMESPACE and POD: the hosted API server's pod, from `kubectl --context {cluster} \
                 get pods -A | grep {}`",
                self.hosted_apiserver
            ),
            console: format!(
                "the Mspider console: mesh {}, Traffic Management",
                self.global_mesh.name
            ),
        }
    }
}
