//! The context of `README.md`: the model, its clusters read in place.
//!
//! The template engine copies a context into its own values before rendering. That is
//! cheap for one file of one cluster, but the README covers every cluster: a copy of
//! all of them cost more memory than the tree the render writes. So `clusters` is a
//! sequence the template reads lazily: each cluster is a view over the shared
//! [`ClusterModel`] that converts a field only when the template reads it, and only
//! what the runbook shows (a field it reads and the view lacks fails the render).

use std::sync::Arc;

use minijinja::Value;
use minijinja::value::{Enumerator, Object, ObjectRepr};
use serde::Serialize;

use crate::model::{ClusterModel, Model, NodeModel, Pair};

pub(crate) fn context(model: &Model) -> Value {
    minijinja::context! {
        mesh => converted(&model.mesh),
        networks => converted(&model.networks),
        clusters => Value::from_object(Clusters(model.clusters.clone())),
        global_mesh => converted(&model.global_mesh),
        demo => converted(&model.demo),
        runbook => converted(&model.runbook),
    }
}

#[derive(Debug)]
struct Clusters(Vec<Arc<ClusterModel>>);

impl Object for Clusters {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let cluster = self.0.get(key.as_usize()?)?;
        Some(Value::from_object(ClusterView(Arc::clone(cluster))))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.0.len())
    }
}

/// A template value converted from `value` (a copy).
fn converted<T: Serialize>(value: &T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

/// One cluster as the README sees it.
#[derive(Debug)]
struct ClusterView(Arc<ClusterModel>);

impl Object for ClusterView {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.get_value_by_str(key.as_str()?)
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<Value> {
        let c = &*self.0;
        Some(match key {
            "name" => Value::from(c.name.as_str()),
            "cluster_type" => Value::from(c.cluster_type.as_str()),
            "is_kind" => Value::from(c.is_kind),
            "kubernetes_version" => Value::from(c.kubernetes_version.as_str()),
            "kubernetes_release" => Value::from(c.kubernetes_release.as_str()),
            "pod_subnet" => Value::from(c.pod_subnet.as_str()),
            "service_subnet" => converted(&c.service_subnet),
            "master_ip" => Value::from(c.master_ip.as_str()),
            "network" => Value::from(c.network.as_str()),
            "network_peers" => converted(&c.network_peers),
            "mesh_role" => Value::from(c.mesh_role.as_str()),
            "nodes" => converted(&c.nodes.iter().map(NodeView::of).collect::<Vec<_>>()),
            "joining_nodes" => converted(&c.joining_nodes),
            "hosted_istiod_service" => converted(&c.hosted_istiod_service),
            "east_west_service" => converted(&c.east_west_service),
            "ingress_service" => converted(&c.ingress_service),
            "lb_services" => converted(&c.lb_services),
            "network_label_patch" => converted(&FileOf {
                name: &c.network_label_patch.name,
                path: &c.network_label_patch.path,
            }),
            "metallb" => converted(&c.metallb),
            // The IstioOperator's and the Gateway's files, on clusters with an east-west gateway.
            "east_west_gateway" => converted(&c.east_west_gateway.as_ref().map(|g| &g.path)),
            "cross_network_gateway" => {
                converted(&c.cross_network_gateway.as_ref().map(|g| &g.path))
            }
            // The demo namespace, on clusters that run the demo.
            "demo_namespace" => converted(&c.demo.as_ref().map(|d| &d.namespace.name)),
            "stage_dirs" => converted(&c.stage_dirs),
            "kind_config" => converted(&KindView {
                path: &c.kind_config.path,
                context: &c.kind_config.context,
                api_server_address: &c.kind_config.api_server_address,
                fallback_host_port: c.kind_config.fallback_host_port,
            }),
            "kubeadm_config" => converted(&c.kubeadm_config),
            "mesh_cluster_patch" => converted(&MeshClusterView {
                path: &c.mesh_cluster_patch.path,
                name: &c.mesh_cluster_patch.name,
                namespace: &c.mesh_cluster_patch.namespace,
                params: &c.mesh_cluster_patch.params,
                is_hosted_owner: c.mesh_cluster_patch.is_hosted_owner,
            }),
            _ => return None,
        })
    }
}

/// A node without its labels (the README shows them joined, as `topology`).
#[derive(Serialize)]
struct NodeView<'a> {
    name: &'a str,
    role: &'a str,
    topology: &'a str,
    patch_path: Option<&'a str>,
}

impl<'a> NodeView<'a> {
    fn of(n: &'a NodeModel) -> NodeView<'a> {
        NodeView {
            name: &n.name,
            role: &n.role,
            topology: &n.topology,
            patch_path: n.patch_path.as_deref(),
        }
    }
}

/// An object the runbook patches: its name and the patch file.
#[derive(Serialize)]
struct FileOf<'a> {
    name: &'a str,
    path: &'a str,
}

/// The kind config without its node list.
#[derive(Serialize)]
struct KindView<'a> {
    path: &'a str,
    context: &'a str,
    api_server_address: &'a str,
    fallback_host_port: Option<u16>,
}

/// The MeshCluster patch without its JSON patch operations.
#[derive(Serialize)]
struct MeshClusterView<'a> {
    path: &'a str,
    name: &'a str,
    namespace: &'a str,
    params: &'a [Pair],
    is_hosted_owner: bool,
}
