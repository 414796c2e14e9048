//! Mspider's hosted mesh: one istiod, in `controlPlaneCluster`, behind a LoadBalancer
//! Service, serves every cluster. Mspider creates the mesh and installs its
//! components; meshgen adds what the seed procedure has an operator set by hand: the
//! hosted istiod's address, the GlobalMesh and MeshCluster params on the global
//! service cluster (namespace `mspider-system`), the `istio-system` network label and
//! the east-west gateway as an IstioOperator that Mspider's in-cluster operator
//! reconciles (DaoCloud/DaoCloud-docs,
//! `docs/zh/docs/mspider/03UserGuide/multiCluster/multiClusterInstall.md`).

use std::sync::Arc;

use serde::Serialize;

use super::{ClusterFlavor, ConfigPlace};
use crate::check::{ParsedFacts, PinnedIp};
use crate::layout;
use crate::model::cluster::{ClusterInput, MeshRole, NamespacePatch};
use crate::model::gateways::{self, ServicePort};
use crate::model::mesh::{LABEL_NETWORK, MeshFacts, Network};
use crate::model::metallb::{IpFamilyPolicy, LbAddress, LbRole, LbService};
use crate::model::runbook::{Step, Steps};
use crate::model::verify::{self, Check};
use crate::model::{ClusterModel, ISTIO_NAMESPACE, Pair, pair};
use crate::net;
use crate::plan::Plan;

/// Namespace of GlobalMesh and MeshCluster on the global service cluster.
pub const MSPIDER_NAMESPACE: &str = "mspider-system";
/// Mspider's cluster role of every cluster of a hosted mesh, the control-plane cluster included.
pub const HOSTED_WORKLOAD_CLUSTER: &str = "HOSTED_WORKLOAD_CLUSTER";
/// Prefix of the Istio values among Mspider's control-plane params.
const PARAM_PREFIX: &str = "istio.custom_params.values.global.";
/// Image of the throw-away pod that probes the hosted istiod when the plan has no demo.
const DEFAULT_PROBE_IMAGE: &str = "curlimages/curl";

/// The hosted runbook's steps, in order (`templates/hosted/README.md` includes one file each).
pub const RUNBOOK_STEPS: &[Step] = &[
    Step::Clusters,
    Step::Nodes,
    Step::Metallb,
    Step::CreateMesh,
    Step::IstiodIp,
    Step::Globalmesh,
    Step::WorkClusters,
    Step::Meshcluster,
    Step::NetworkLabel,
    Step::Ingress,
    Step::EastWest,
    Step::VerifyLb,
    Step::Demo,
    Step::VerifyTraffic,
    Step::Failover,
];

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
    /// Every cluster of the plan: all are work clusters of a hosted mesh.
    pub work_clusters: Vec<String>,
    /// Image of the one-off pod that checks the hosted istiod is reachable.
    pub probe_image: String,
    /// Clusters the hosted istiod is probed from: all but the control plane.
    pub probe_clusters: Vec<String>,
    /// The GlobalMesh merge patch (global/).
    pub global_mesh: GlobalMeshPatch,
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
    /// `http://<pilot address>:443`: plain HTTP to istiod's TLS port answers 400.
    pub probe_url: String,
}

/// Context of `hosted/globalmesh-patch.yaml`: a merge patch of
/// `spec.ownerConfig.controlPlaneParams` (a flat string map, so a merge patch
/// adds these keys and keeps every other).
#[derive(Debug, Clone, Serialize)]
pub struct GlobalMeshPatch {
    pub path: String,
    pub name: String,
    pub namespace: String,
    /// remotePilotAddress, then each network's meshNetworks gateway address and port.
    pub params: Vec<Pair>,
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
}

/// The JSON patch of one MeshCluster (rendered as JSON, not a template).
/// `meshedParams` is a list, which a merge patch would replace wholesale, so
/// this tests that entry 0 is this mesh's and then adds the params to it.
#[derive(Debug, Clone, Serialize)]
pub struct MeshClusterPatch {
    pub path: String,
    pub name: String,
    pub namespace: String,
    pub mesh_name: String,
    /// The params it sets (also shown in the README).
    pub params: Vec<Pair>,
    pub is_hosted_owner: bool,
    /// The patch itself; the README does not show it.
    #[serde(skip)]
    pub ops: Vec<JsonPatchOp>,
}

/// One RFC 6902 operation, in the field order the patch file shows.
#[derive(Debug, Clone, Serialize)]
pub struct JsonPatchOp {
    pub op: &'static str,
    pub path: String,
    pub value: serde_json::Value,
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
        istiod: PinnedIp,
        mesh_facts: &MeshFacts,
        networks: &[Network],
    ) -> HostedMesh {
        let mesh = &plan.mesh;
        let control_plane = &plan.clusters[facts.control_plane];
        let address = LbAddress::of(istiod.ips);
        let probe_url = format!("http://{}:443", net::url_host(istiod.ips.primary()));
        let hosted_istiod = HostedIstiod {
            service_name: hosted_istiod_service(&mesh.id),
            namespace: ISTIO_NAMESPACE.to_owned(),
            cluster: control_plane.name.clone(),
            pilot_address: address.primary.clone(),
            address,
            probe_url,
        };
        HostedMesh {
            control_plane_cluster: mesh.control_plane_cluster.clone(),
            global_cluster: mesh.global_cluster.clone(),
            global_namespace: MSPIDER_NAMESPACE.to_owned(),
            registry: mesh.registry.clone(),
            proxy_image: format!("{}/proxyv2:{}", mesh.registry, mesh.version),
            global_mesh: global_mesh_patch(mesh_facts, &hosted_istiod, networks),
            hosted_istiod,
            work_clusters: plan.clusters.iter().map(|c| c.name.clone()).collect(),
            probe_image: plan
                .demo
                .as_ref()
                .map_or(DEFAULT_PROBE_IMAGE, |d| d.sleep.image.as_str())
                .to_owned(),
            probe_clusters: plan
                .clusters
                .iter()
                .filter(|c| c.name != mesh.control_plane_cluster)
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
            true,
        );
        HostedCluster {
            mesh_role: if is_control_plane {
                MeshRole::HostedControlPlane
            } else {
                MeshRole::Work
            },
            istiod_service,
            east_west_gateway: east_west.map(|service| self.east_west_gateway(input, service)),
            network_label_patch: NamespacePatch {
                path: layout::namespace_patch(&cluster.name, ISTIO_NAMESPACE),
                name: ISTIO_NAMESPACE.to_owned(),
                labels: vec![pair(LABEL_NETWORK, &cluster.network)],
            },
            mesh_cluster_patch: mesh_cluster_patch(
                input.mesh,
                &cluster.name,
                &cluster.network,
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
            ports: gateways::east_west_ports(),
            service_annotations: service.annotations.clone(),
            ip_family_policy: service.ip_family_policy,
        }
    }
}

impl HostedMesh {
    /// A hosted mesh's istiod reads Istio config from the mesh's own virtual cluster,
    /// `<meshID>-hosted-apiserver` in the control-plane cluster; Istio objects in the work
    /// clusters have no effect (DaoCloud/DaoCloud-docs
    /// `docs/en/docs/mspider/best-practice/managed-mesh-to-sync.md`).
    pub(super) fn istio_config(&self) -> ConfigPlace {
        let name = format!("{}-hosted-apiserver", self.global_mesh.name);
        ConfigPlace::ControlPlane {
            context: name.clone(),
            name,
        }
    }

    /// The GlobalMesh params and each cluster's MeshCluster params, on the global cluster.
    pub(super) fn verify_checks(
        &self,
        clusters: &[Arc<ClusterModel>],
        steps: &Steps,
    ) -> Vec<Check> {
        let mut out = Vec::new();
        let global = &self.global_mesh;
        let step = steps.number(Step::Globalmesh);
        for param in &global.params {
            let mut check = Check::of(
                &self.global_cluster,
                step,
                format!("GlobalMesh {}: param {}", global.name, param.key),
                param.value.clone(),
                verify::args(
                    &[
                        "get",
                        "globalmeshes.discovery.mspider.io",
                        &global.name,
                        "-n",
                        &global.namespace,
                    ],
                    &format!(
                        "{{.spec.ownerConfig.controlPlaneParams.{}}}",
                        verify::jsonpath_key(&param.key)
                    ),
                ),
            );
            check.cluster = "-".to_owned();
            out.push(check);
        }
        // Step 7's probe, from the sleep pods: `kubectl run` would change the cluster.
        let step = steps.number(Step::WorkClusters);
        for cluster in clusters
            .iter()
            .filter(|c| self.probe_clusters.contains(&c.name))
        {
            let Some(demo) = cluster.demo.as_ref().filter(|d| d.sleep.is_some()) else {
                continue;
            };
            let ns = demo.namespace.name.as_str();
            out.push(Check::of(
                &cluster.name,
                step,
                format!(
                    "hosted istiod at {}: HTTP status to plain HTTP, from sleep",
                    self.hosted_istiod.probe_url
                ),
                "400".to_owned(),
                [
                    "exec",
                    "-n",
                    ns,
                    "deploy/sleep",
                    "-c",
                    "sleep",
                    "--",
                    "curl",
                    "-sS",
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_code}",
                    &self.hosted_istiod.probe_url,
                ]
                .map(str::to_owned)
                .to_vec(),
            ));
        }
        let step = steps.number(Step::Meshcluster);
        for cluster in clusters {
            let ClusterFlavor::Hosted(hosted) = &cluster.flavor;
            let patch = &hosted.mesh_cluster_patch;
            let get = |path: String| {
                verify::args(
                    &[
                        "get",
                        "meshclusters.discovery.mspider.io",
                        &patch.name,
                        "-n",
                        &patch.namespace,
                    ],
                    &format!("{{.spec.meshedParams[0].{path}}}"),
                )
            };
            let mut add = |what: String, expected: String, path: String| {
                let mut check = Check::of(&self.global_cluster, step, what, expected, get(path));
                check.cluster = cluster.name.clone();
                out.push(check);
            };
            add(
                format!("MeshCluster {}: meshedParams[0].meshName", patch.name),
                patch.mesh_name.clone(),
                "meshName".to_owned(),
            );
            for param in &patch.params {
                add(
                    format!("MeshCluster {}: param {}", patch.name, param.key),
                    param.value.clone(),
                    format!("params.{}", verify::jsonpath_key(&param.key)),
                );
            }
            if patch.is_hosted_owner {
                add(
                    format!("MeshCluster {}: isHostedOwner", patch.name),
                    "true".to_owned(),
                    "isHostedOwner".to_owned(),
                );
            }
        }
        out
    }
}

fn global_mesh_patch(
    mesh: &MeshFacts,
    istiod: &HostedIstiod,
    networks: &[Network],
) -> GlobalMeshPatch {
    let mut params = vec![Pair {
        key: format!("{PARAM_PREFIX}remotePilotAddress"),
        value: istiod.pilot_address.clone(),
    }];
    for network in networks {
        if let Some(gateway) = &network.gateway {
            let key = format!("{PARAM_PREFIX}meshNetworks.{}.gateways[0]", network.id);
            params.push(Pair {
                key: format!("{key}.address"),
                value: gateway.address.clone(),
            });
            params.push(Pair {
                key: format!("{key}.port"),
                value: gateway.port.to_string(),
            });
        }
    }
    GlobalMeshPatch {
        path: layout::GLOBAL_MESH_PATCH.to_owned(),
        name: mesh.id.clone(),
        namespace: MSPIDER_NAMESPACE.to_owned(),
        params,
    }
}

fn mesh_cluster_patch(
    mesh: &MeshFacts,
    cluster: &str,
    network: &str,
    is_control_plane: bool,
) -> MeshClusterPatch {
    let params = vec![
        pair("global.meshID", &mesh.id),
        pair("global.clusterRole", HOSTED_WORKLOAD_CLUSTER),
        pair(&format!("{PARAM_PREFIX}network"), network),
    ];
    let entry = "/spec/meshedParams/0";
    let mut ops = vec![JsonPatchOp {
        op: "test",
        path: format!("{entry}/meshName"),
        value: serde_json::Value::from(mesh.id.as_str()),
    }];
    for param in &params {
        ops.push(JsonPatchOp {
            op: "add",
            path: format!("{entry}/params/{}", json_pointer_token(&param.key)),
            value: serde_json::Value::from(param.value.as_str()),
        });
    }
    if is_control_plane {
        ops.push(JsonPatchOp {
            op: "add",
            path: format!("{entry}/isHostedOwner"),
            value: serde_json::Value::Bool(true),
        });
    }
    MeshClusterPatch {
        path: layout::mesh_cluster_patch(cluster),
        name: cluster.to_owned(),
        namespace: MSPIDER_NAMESPACE.to_owned(),
        mesh_name: mesh.id.clone(),
        params,
        is_hosted_owner: is_control_plane,
        ops,
    }
}

/// One JSON Pointer reference token (RFC 6901: `~` as `~0`, `/` as `~1`).
fn json_pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_pointer_tokens_are_escaped() {
        assert_eq!(json_pointer_token("a.b[0]"), "a.b[0]");
        assert_eq!(json_pointer_token("a/b~c"), "a~1b~0c");
    }
}
