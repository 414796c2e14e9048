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

use crate::model::cluster::NodeModel;
use crate::model::{ClusterModel, Model};
use crate::plan::NodeRole;

pub(crate) fn context(model: &Model) -> Value {
    let graph = crate::graph::Graph::of(model);
    minijinja::context! {
        // Mermaid text, placed as it is inside its code block: graph::mermaid escapes labels.
        diagram => Value::from_safe_string(crate::graph::mermaid(&graph).trim_end().to_owned()),
        diagram_summary => converted(&graph.summary),
        mesh => converted(&model.mesh),
        networks => converted(&model.networks),
        clusters => Value::from_object(Clusters(model.clusters.clone())),
        flavor => converted(&model.flavor),
        control_plane_config => converted(&model.control_plane_config),
        demo => converted(&model.demo),
        runbook => converted(&model.runbook),
        kubeconfig_script => converted(&model.kubeconfig_script),
        gitops => converted(&model.gitops),
        traffic => converted(&model.traffic),
        control_plane_context => converted(&model.verify.control_plane_context),
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
            "cluster_type" => converted(&c.cluster_type),
            "is_kind" => Value::from(c.is_kind),
            "kubernetes_version" => Value::from(c.kubernetes_version.as_str()),
            "kubernetes_release" => Value::from(c.kubernetes_release.as_str()),
            "pod_subnet" => Value::from(c.pod_subnet.as_str()),
            "service_subnet" => converted(&c.service_subnet),
            "master_ip" => Value::from(c.master_ip.as_str()),
            "network" => Value::from(c.network.as_str()),
            "network_peers" => converted(&c.network_peers),
            "mesh_role" => converted(&c.mesh_role),
            "mesh_role_title" => Value::from(c.mesh_role.title()),
            "nodes" => converted(&c.nodes.iter().map(NodeView::of).collect::<Vec<_>>()),
            "joining_nodes" => converted(&c.joining_nodes),
            "east_west_service" => converted(&c.east_west_service),
            "east_west_node_port" => converted(&c.east_west_node_port),
            "no_workers" => Value::from(c.no_workers),
            "untaint_after_join" => converted(&c.untaint_after_join),
            "kind_keeps_exclude_label" => Value::from(c.kind_keeps_exclude_label),
            "ingress_service" => converted(&c.ingress_service),
            "lb_services" => converted(&c.lb_services),
            "metallb" => converted(&c.metallb),
            // The Gateway's file, on clusters with one.
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
            // What the control-plane flavor adds (see `model::flavor`).
            "flavor" => converted(&c.flavor),
            _ => return None,
        })
    }
}

/// A node without its labels (the README shows them joined, as `topology`).
#[derive(Serialize)]
struct NodeView<'a> {
    name: &'a str,
    role: NodeRole,
    topology: &'a str,
    patch_path: Option<&'a str>,
}

impl<'a> NodeView<'a> {
    fn of(n: &'a NodeModel) -> NodeView<'a> {
        NodeView {
            name: &n.name,
            role: n.role,
            topology: &n.topology,
            patch_path: n.patch_path.as_deref(),
        }
    }
}

/// The kind config without its node list.
#[derive(Serialize)]
struct KindView<'a> {
    path: &'a str,
    context: &'a str,
    api_server_address: &'a str,
    fallback_host_port: Option<u16>,
}
