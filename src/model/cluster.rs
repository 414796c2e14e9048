//! One cluster and everything rendered for it: nodes, LoadBalancer Services, MetalLB,
//! gateways, the demo, stage folders and bootstrap files, plus what the control-plane
//! flavor adds ([`ClusterFlavor`]).

use std::sync::Arc;

use serde::Serialize;

use super::bootstrap::{self, KindConfig, KubeadmConfig};
use super::demo::{self, ClusterDemo};
use super::existing::{Patch, PatchFormat, Purpose};
use super::flavor::{ClusterFlavor, MeshFlavor};
use super::gateways::{self, CrossNetworkGateway, EAST_WEST_SERVICE, INGRESS_SERVICE};
use super::mesh::{LABEL_EXCLUDE_FROM_LB, LABEL_REGION, LABEL_SUBZONE, LABEL_ZONE, MeshFacts};
use super::metallb::{self, LbRole, LbService, MetallbConfig, ServicePatch};
use super::runbook::Step;
use super::{Pair, pair};
use crate::check::{ClusterParsed, PinnedIp};
use crate::layout::{self, Stage};
use crate::plan::{self, ClusterType, NodeRole, Plan};

/// One cluster and everything rendered for it.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterModel {
    pub name: String,
    pub cluster_type: ClusterType,
    pub is_kind: bool,
    /// As written in the plan (`1.25` or `1.25.3`).
    pub kubernetes_version: String,
    /// Full release used by kubeadm and the kind node image, e.g. `v1.25.16`.
    pub kubernetes_release: String,
    pub pod_subnet: String,
    pub service_subnet: Option<String>,
    pub master_ip: String,
    pub network: String,
    /// Other clusters on the same network (their pods reach each other directly).
    pub network_peers: Vec<String>,
    /// Role in the seed's network planning table.
    pub mesh_role: MeshRole,
    pub nodes: Vec<NodeModel>,
    /// The control-plane node that kubeadm init names (first control-plane node).
    pub control_plane_node: Option<String>,
    /// Nodes that join after `kubeadm init`.
    pub joining_nodes: Vec<String>,
    /// No node is a worker: every node is a control-plane node, which kubeadm taints and
    /// labels `node.kubernetes.io/exclude-from-external-load-balancers`.
    pub no_workers: bool,
    /// Joining nodes of a kubeadm cluster without workers: their `NoSchedule` taint must
    /// go after `kubeadm join` (the kubeadm config's `taints: []` covers the first node).
    pub untaint_after_join: Vec<String>,
    /// A kind cluster of several control-plane nodes and no worker: kind removes the
    /// exclude label only from a cluster of one node (kubernetes-sigs/kind
    /// `pkg/cluster/internal/create/actions/kubeadminit/init.go`), so the runbook removes it.
    pub kind_keeps_exclude_label: bool,
    pub east_west_service: Option<LbService>,
    /// The NodePort fallback's node port of the east-west gateway's `tls` port.
    pub east_west_node_port: Option<u16>,
    pub ingress_service: Option<LbService>,
    /// Every LoadBalancer Service with a planned address: the flavor's control-plane
    /// Services first, then the east-west and the ingress gateway.
    pub lb_services: Vec<LbService>,
    pub metallb: Option<MetallbConfig>,
    pub cross_network_gateway: Option<CrossNetworkGateway>,
    pub demo: Option<ClusterDemo>,
    /// The stage folders, in apply order; empty stages are left out.
    pub stages: Vec<StageFolder>,
    /// The same folders by name, for the runbook's `kubectl apply -k`.
    pub stage_dirs: StageDirs,
    /// `clusters/<name>/kustomization.yaml`, listing the stage folders.
    pub kustomization: Kustomization,
    pub kind_config: KindConfig,
    pub kubeadm_config: KubeadmConfig,
    /// Folder of this cluster's manifests.
    pub dir: String,
    /// Folder of this cluster's bootstrap files.
    pub bootstrap_dir: String,
    /// What the control-plane flavor adds to this cluster.
    pub flavor: ClusterFlavor,
}

/// A cluster's role in the mesh (the network planning table shows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MeshRole {
    /// Hosted mode: runs the hosted istiod, and workloads.
    HostedControlPlane,
    /// Hosted mode: runs workloads; the hosted istiod serves it.
    Work,
    /// Upstream modes: runs its own istiod (every cluster of multi-primary, the primary
    /// of primary-remote).
    Primary,
    /// Primary-remote: the primary's istiod serves it.
    Remote,
}

impl MeshRole {
    /// The role's name, as the planning form and the topology diagram show it.
    pub fn title(self) -> &'static str {
        match self {
            MeshRole::HostedControlPlane => "Hosted control plane, work cluster",
            MeshRole::Work => "Work cluster",
            MeshRole::Primary => "Primary (runs istiod)",
            MeshRole::Remote => "Remote (the primary's istiod serves it)",
        }
    }
}

/// Context of `patches/node.yaml`: one node and its topology labels.
#[derive(Debug, Clone, Serialize)]
pub struct NodeModel {
    pub name: String,
    /// The Node object's name in the cluster: the plan's name, except on kind, which
    /// names nodes itself ([`bootstrap::kind_node_names`]).
    pub node_name: String,
    /// Default: the first node is the control plane.
    pub role: NodeRole,
    /// Shared with the node's entry in the kind config.
    pub labels: Arc<[Pair]>,
    /// Labels the patch removes (a merge patch's `null`, RFC 7386): kubeadm's
    /// `node.kubernetes.io/exclude-from-external-load-balancers` on the control-plane nodes
    /// of a cluster without workers. kubeadm sets it whatever the taints
    /// (`cmd/kubeadm/app/phases/markcontrolplane/markcontrolplane.go`), and MetalLB 0.14+
    /// announces no address from such a node (metallb/metallb `speaker/layer2_controller.go`;
    /// its troubleshooting page: "won't announce any service from such nodes").
    pub removed_labels: Vec<String>,
    /// `region/zone[/subzone]`, for the planning form.
    pub topology: String,
    /// The label patch; absent on kind clusters, whose config sets the labels.
    pub patch_path: Option<String>,
}

/// Context of `patches/namespace.yaml`: labels added to an existing namespace.
#[derive(Debug, Clone, Serialize)]
pub struct NamespacePatch {
    pub path: String,
    pub name: String,
    pub labels: Vec<Pair>,
}

/// One stage folder of a cluster: itself kustomize-buildable.
#[derive(Debug, Clone, Serialize)]
pub struct StageFolder {
    pub stage: Stage,
    pub dir: String,
    pub kustomization: Kustomization,
}

/// Folder of each stage a cluster has.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StageDirs {
    pub metallb: Option<String>,
    pub istio: Option<String>,
    pub demo: Option<String>,
}

/// Context of `kustomization.yaml`: the files of a folder, for kustomize.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kustomization {
    pub path: String,
    /// Files or folders, relative to the kustomization.
    pub resources: Vec<String>,
}

/// The plan's cluster with what every part of its model reads.
pub struct ClusterInput<'a> {
    pub plan: &'a Plan,
    pub mesh: &'a MeshFacts,
    /// Position in the plan.
    pub index: usize,
    pub cluster: &'a plan::Cluster,
    /// Its values as the checks parsed them.
    pub parsed: &'a ClusterParsed,
    /// Every cluster on this cluster's network, itself included.
    pub network_members: &'a [String],
    /// Whether the mesh's Istio config (the cross-network Gateway) goes into this
    /// cluster's `istio` stage ([`super::flavor::ConfigPlacement`]).
    pub holds_istio_config: bool,
}

impl ClusterInput<'_> {
    /// The LoadBalancer Service `name` at the plan's address `pinned`, if any;
    /// `patched`: the Service exists already and gets its address through a patch.
    pub fn lb_service(
        &self,
        pinned: Option<&PinnedIp>,
        role: LbRole,
        name: &str,
        patch: ServicePatch,
    ) -> Option<LbService> {
        let prefix = &self.mesh.metallb_annotation_prefix;
        pinned.map(|pinned| metallb::lb_service(self.cluster, prefix, role, name, pinned, patch))
    }
}

impl ClusterModel {
    pub fn resolve(input: &ClusterInput<'_>, flavor: &MeshFlavor) -> ClusterModel {
        let (plan, cluster, parsed) = (input.plan, input.cluster, input.parsed);
        let name = &cluster.name;
        let is_kind = cluster.kind == ClusterType::Kind;
        let kubernetes_release = bootstrap::kubernetes_release(parsed.kubernetes);
        let nodes = nodes(cluster);
        let control_plane_node = nodes
            .iter()
            .find(|n| n.role == NodeRole::ControlPlane)
            .map(|n| n.name.clone());
        let no_workers = !nodes.iter().any(|n| n.role == NodeRole::Worker);

        // Where the plan says none runs (single network mode, mostly), an eastWest IP is unused.
        let east_west = input.lb_service(
            parsed
                .east_west
                .as_ref()
                .filter(|_| plan.runs_east_west_gateway(input.index)),
            LbRole {
                title: "east-west gateway",
                step: Step::EastWest,
            },
            EAST_WEST_SERVICE,
            flavor.east_west_patch(),
        );
        let ingress = input.lb_service(
            parsed.ingress.as_ref(),
            LbRole {
                title: "ingress gateway",
                step: Step::Ingress,
            },
            INGRESS_SERVICE,
            flavor.ingress_patch(),
        );
        let cluster_flavor = flavor.cluster(input, east_west.as_ref(), ingress.as_ref());
        let lb_services: Vec<LbService> = cluster_flavor
            .lb_services()
            .into_iter()
            .chain([&east_west, &ingress].into_iter().flatten())
            .cloned()
            .collect();

        let metallb = cluster
            .metallb
            .as_ref()
            .map(|m| metallb::metallb_config(name, m, &parsed.pools, &lb_services));
        let cross_network_gateway = input.holds_istio_config.then(|| {
            gateways::cross_network_gateway(input.mesh, layout::cross_network_gateway(name))
        });
        let demo = plan
            .demo
            .as_ref()
            .and_then(|demo| demo::cluster_demo(name, demo));

        let istio_files = cluster_flavor
            .istio_files()
            .into_iter()
            .chain(cross_network_gateway.as_ref().map(|g| g.path.as_str()))
            .collect();
        let (stages, stage_dirs) = stages(name, metallb.as_ref(), istio_files, demo.as_ref());
        let kustomization = Kustomization {
            path: layout::cluster_kustomization(name),
            resources: stages.iter().map(|s| s.stage.name().to_owned()).collect(),
        };

        let kind_config = bootstrap::kind_config(
            plan,
            cluster,
            parsed,
            &kubernetes_release,
            &nodes,
            // The host port exists where the cluster runs an east-west gateway.
            east_west.as_ref().and(parsed.fallback_host_port),
        );
        let kubeadm_config = bootstrap::kubeadm_config(
            plan,
            cluster,
            parsed,
            &kubernetes_release,
            control_plane_node.clone(),
            no_workers,
        );
        let joining_nodes: Vec<String> = nodes
            .iter()
            .filter(|n| Some(&n.name) != control_plane_node.as_ref())
            .map(|n| n.name.clone())
            .collect();

        ClusterModel {
            name: name.clone(),
            cluster_type: cluster.kind,
            is_kind,
            kubernetes_version: cluster.kubernetes_version.clone(),
            kubernetes_release,
            pod_subnet: cluster.pod_subnet.clone(),
            service_subnet: cluster.service_subnet.clone(),
            master_ip: cluster.master_ip.clone(),
            network: cluster.network.clone(),
            network_peers: input
                .network_members
                .iter()
                .filter(|member| *member != name)
                .cloned()
                .collect(),
            mesh_role: cluster_flavor.mesh_role(),
            untaint_after_join: if no_workers && !is_kind {
                joining_nodes.clone()
            } else {
                Vec::new()
            },
            kind_keeps_exclude_label: is_kind && no_workers && nodes.len() > 1,
            no_workers,
            joining_nodes,
            nodes,
            control_plane_node,
            east_west_node_port: east_west.as_ref().and(cluster.east_west_node_port),
            east_west_service: east_west,
            ingress_service: ingress,
            lb_services,
            metallb,
            cross_network_gateway,
            demo,
            stages,
            stage_dirs,
            kustomization,
            kind_config,
            kubeadm_config,
            dir: layout::cluster_dir(name),
            bootstrap_dir: layout::bootstrap_dir(name),
            flavor: cluster_flavor,
        }
    }
}

impl ClusterModel {
    /// Every existing object this cluster's files patch: its nodes, the Services that
    /// exist before meshgen pins their addresses, and the flavor's (`mesh`: the mesh's flavor).
    pub fn patches(&self, mesh: &MeshFlavor) -> Vec<Patch> {
        let patch = |path: &str, kind: &str, name: &str, namespace: Option<&str>, purpose| Patch {
            path: path.to_owned(),
            context: self.name.clone(),
            global: false,
            kind: kind.to_owned(),
            resource: kind.to_ascii_lowercase(),
            name: name.to_owned(),
            namespace: namespace.map(str::to_owned),
            format: PatchFormat::Merge,
            purpose,
            precondition: None,
        };
        let nodes = self.nodes.iter().filter_map(|node| {
            let path = node.patch_path.as_deref()?;
            Some(patch(path, "Node", &node.name, None, Purpose::Topology))
        });
        let services = self.lb_services.iter().filter_map(|service| {
            let path = service.patch_path.as_deref()?;
            Some(patch(
                path,
                "Service",
                &service.name,
                Some(&service.namespace),
                Purpose::Address,
            ))
        });
        nodes
            .chain(services)
            .chain(self.flavor.patches(&self.name, mesh))
            .collect()
    }
}

/// The plan's nodes with their roles and topology labels.
fn nodes(cluster: &plan::Cluster) -> Vec<NodeModel> {
    let is_kind = cluster.kind == ClusterType::Kind;
    let role_of = |index: usize, node: &plan::Node| {
        node.role.unwrap_or(if index == 0 {
            NodeRole::ControlPlane
        } else {
            NodeRole::Worker
        })
    };
    let roles: Vec<NodeRole> = (cluster.nodes.iter().enumerate())
        .map(|(i, node)| role_of(i, node))
        .collect();
    let kind_names = bootstrap::kind_node_names(&cluster.name, &roles);
    let no_workers = !roles.contains(&NodeRole::Worker);
    let node_model = |index: usize, node: &plan::Node| {
        let role = role_of(index, node);
        let removed: Vec<String> = if no_workers && role == NodeRole::ControlPlane {
            vec![LABEL_EXCLUDE_FROM_LB.to_owned()]
        } else {
            Vec::new()
        };
        let mut labels = vec![
            pair(LABEL_REGION, &node.region),
            pair(LABEL_ZONE, &node.zone),
        ];
        let mut topology = format!("{}/{}", node.region, node.zone);
        if let Some(subzone) = &node.subzone {
            labels.push(pair(LABEL_SUBZONE, subzone));
            topology = format!("{topology}/{subzone}");
        }
        NodeModel {
            name: node.name.clone(),
            node_name: match kind_names.get(index).filter(|_| is_kind) {
                Some(kind_name) => kind_name.clone(),
                None => node.name.clone(),
            },
            role,
            labels: labels.into(),
            removed_labels: removed.clone(),
            topology,
            // A label goes with `null`, which is a JSON merge patch (RFC 7386) and no label
            // value: the patch is JSON then, which says so and no YAML reader misreads.
            patch_path: (!is_kind).then(|| {
                if removed.is_empty() {
                    layout::node_patch(&cluster.name, &node.name)
                } else {
                    layout::node_merge_patch_json(&cluster.name, &node.name)
                }
            }),
        }
    };
    cluster
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| node_model(i, node))
        .collect()
}

/// The cluster's stage folders with their kustomizations; `istio`: the files of the
/// istio stage, in order.
fn stages(
    cluster: &str,
    metallb: Option<&MetallbConfig>,
    istio: Vec<&str>,
    demo: Option<&ClusterDemo>,
) -> (Vec<StageFolder>, StageDirs) {
    let mut stages = Vec::new();
    let mut add = |stage: Stage, paths: Vec<&str>| {
        if paths.is_empty() {
            return;
        }
        let dir = layout::stage_dir(cluster, stage);
        let prefix = format!("{dir}/");
        stages.push(StageFolder {
            stage,
            kustomization: Kustomization {
                path: layout::stage_kustomization(cluster, stage),
                resources: paths
                    .iter()
                    .map(|p| p.strip_prefix(&prefix).unwrap_or(p).to_owned())
                    .collect(),
            },
            dir,
        });
    };
    if let Some(metallb) = metallb {
        let mut paths: Vec<&str> = metallb.pools.iter().map(|p| p.path.as_str()).collect();
        paths.push(&metallb.advertisement.path);
        add(Stage::Metallb, paths);
    }
    add(Stage::Istio, istio);
    if let Some(demo) = demo {
        let mut paths = vec![demo.namespace.path.as_str()];
        paths.extend(demo.helloworld_service.as_ref().map(|s| s.path.as_str()));
        paths.extend(demo.helloworld.as_ref().map(|d| d.path.as_str()));
        if let Some(sleep) = &demo.sleep {
            paths.extend([
                sleep.service_account_path.as_str(),
                sleep.service_path.as_str(),
                sleep.deployment_path.as_str(),
            ]);
        }
        add(Stage::Demo, paths);
    }
    let dir_of = |stage: Stage| {
        stages
            .iter()
            .find(|s| s.stage == stage)
            .map(|s| s.dir.clone())
    };
    let dirs = StageDirs {
        metallb: dir_of(Stage::Metallb),
        istio: dir_of(Stage::Istio),
        demo: dir_of(Stage::Demo),
    };
    (stages, dirs)
}
