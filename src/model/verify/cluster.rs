//! The checks of one cluster's own objects: node labels (and kubeadm's label a patch removes),
//! MetalLB's objects, the `istio-system` network label, LoadBalancer addresses, the east-west
//! gateway's network label and the cross-network Gateway.

use super::{Check, Compare, args, jsonpath_key};
use crate::model::cluster::NodeModel;
use crate::model::gateways::CrossNetworkGateway;
use crate::model::mesh::{
    LABEL_EXCLUDE_FROM_LB, LABEL_NETWORK, LABEL_REGION, LABEL_SUBZONE, LABEL_ZONE,
};
use crate::model::runbook::{Step, Steps};
use crate::model::{ClusterModel, ISTIO_NAMESPACE};

fn label_path(key: &str) -> String {
    format!("{{.metadata.labels.{}}}", jsonpath_key(key))
}

/// Node labels, the `istio-system` network label, LoadBalancer addresses, the east-west
/// gateway's network label and the cross-network Gateway.
pub(super) fn cluster_checks(cluster: &ClusterModel, steps: &Steps, out: &mut Vec<Check>) {
    let name = cluster.name.as_str();
    let nodes = steps.number(Step::Nodes);
    let topology = [LABEL_REGION, LABEL_ZONE, LABEL_SUBZONE]
        .map(label_path)
        .join("/");
    let planned = |node: &NodeModel| {
        [LABEL_REGION, LABEL_ZONE, LABEL_SUBZONE]
            .map(|key| {
                node.labels
                    .iter()
                    .find(|p| p.key == key)
                    .map_or("", |p| p.value.as_str())
            })
            .join("/")
    };
    if cluster.is_kind {
        // kind names the nodes itself and sets their labels from its config (step 1): the
        // labels, one set per node, in any order.
        let mut check = Check::of(
            name,
            steps.number(Step::Clusters),
            "nodes: region/zone/subzone labels (kind names the nodes)".to_owned(),
            cluster
                .nodes
                .iter()
                .map(planned)
                .collect::<Vec<_>>()
                .join(" "),
            args(
                &["get", "nodes"],
                &format!("{{range .items[*]}}{topology} {{end}}"),
            ),
        );
        check.compare = Compare::Items;
        out.push(check);
    }
    for node in cluster.nodes.iter().filter(|_| !cluster.is_kind) {
        out.push(Check::of(
            name,
            nodes,
            format!("node {}: region/zone/subzone labels", node.name),
            planned(node),
            args(&["get", "node", &node.node_name], &topology),
        ));
    }
    exclude_label_checks(cluster, steps, out);
    if let Some(metallb) = &cluster.metallb {
        let step = steps.number(Step::Metallb);
        let names = |kind: &str, names: Vec<&str>, ns: &str| {
            let mut check = Check::of(
                name,
                step,
                format!("MetalLB {kind} in {ns}: {}", names.join(", ")),
                names.join(" "),
                args(
                    &["get", &format!("{kind}.metallb.io"), "-n", ns],
                    "{.items[*].metadata.name}",
                ),
            );
            check.compare = Compare::Includes;
            check
        };
        let pools = metallb.pools.iter().map(|p| p.name.as_str()).collect();
        let ns = metallb.advertisement.namespace.as_str();
        out.push(names("ipaddresspools", pools, ns));
        out.push(names(
            "l2advertisements",
            vec![metallb.advertisement.name.as_str()],
            ns,
        ));
    }
    out.push(Check::of(
        name,
        steps.number(Step::NetworkLabel),
        format!("namespace {ISTIO_NAMESPACE}: label {LABEL_NETWORK}"),
        cluster.network.clone(),
        args(
            &["get", "namespace", ISTIO_NAMESPACE],
            &label_path(LABEL_NETWORK),
        ),
    ));
    for service in &cluster.lb_services {
        let mut check = Check::of(
            name,
            steps.number_for(service.step, cluster.flavor.mesh_role()),
            format!(
                "{} Service {}/{}: LoadBalancer address",
                service.role, service.namespace, service.name
            ),
            service.address.addresses.join(" "),
            args(
                &["get", "service", &service.name, "-n", &service.namespace],
                "{.status.loadBalancer.ingress[*].ip}",
            ),
        );
        check.compare = Compare::Words;
        out.push(check);
    }
    let east_west = steps.number_for(Step::EastWest, cluster.flavor.mesh_role());
    if let Some(service) = &cluster.east_west_service {
        out.push(Check::of(
            name,
            east_west,
            format!(
                "Service {}/{}: label {LABEL_NETWORK}",
                service.namespace, service.name
            ),
            cluster.network.clone(),
            args(
                &["get", "service", &service.name, "-n", &service.namespace],
                &label_path(LABEL_NETWORK),
            ),
        ));
    }
    if let Some(gateway) = &cluster.cross_network_gateway {
        out.push(gateway_check(name, east_west, gateway));
    }
}

/// Without a worker node, the runbook's node step states that each control-plane node has
/// no taint (kubeadm's config sets `taints: []`, joining nodes are untainted: the create
/// step) and not kubeadm's `node.kubernetes.io/exclude-from-external-load-balancers` label
/// (the node patch's `null`): MetalLB announces no address from a node with it. kind
/// removes both from a one-node cluster itself (the create step), and the node step
/// removes the label from a kind cluster of several nodes.
fn exclude_label_checks(cluster: &ClusterModel, steps: &Steps, out: &mut Vec<Check>) {
    if !cluster.no_workers {
        return;
    }
    let name = cluster.name.as_str();
    let (created, nodes) = (steps.number(Step::Clusters), steps.number(Step::Nodes));
    let label = label_path(LABEL_EXCLUDE_FROM_LB);
    if cluster.is_kind {
        let mut check = Check::of(
            name,
            if cluster.kind_keeps_exclude_label {
                nodes
            } else {
                created
            },
            format!("nodes: no label {LABEL_EXCLUDE_FROM_LB} (kind names the nodes)"),
            // One `|` per node, in any order.
            vec!["|"; cluster.nodes.len()].join(" "),
            args(
                &["get", "nodes"],
                &format!("{{range .items[*]}}{label}| {{end}}"),
            ),
        );
        check.compare = Compare::Items;
        out.push(check);
        return;
    }
    for node in &cluster.nodes {
        out.push(Check::of(
            name,
            created,
            format!("node {}: no taints", node.name),
            String::new(),
            args(&["get", "node", &node.node_name], "{.spec.taints}"),
        ));
        for key in &node.removed_labels {
            out.push(Check::of(
                name,
                nodes,
                format!("node {}: no label {key}", node.name),
                String::new(),
                args(&["get", "node", &node.node_name], &label_path(key)),
            ));
        }
    }
}

/// The cross-network Gateway, where istiod reads it (`target`: a cluster, or the control
/// plane's API server).
pub(super) fn gateway_check(target: &str, step: usize, gateway: &CrossNetworkGateway) -> Check {
    Check::of(
        target,
        step,
        format!(
            "Gateway {}/{}: port, TLS mode, hosts",
            gateway.namespace, gateway.name
        ),
        format!(
            "{} AUTO_PASSTHROUGH {}",
            gateway.port,
            gateway.hosts.join(" ")
        ),
        args(
            &[
                "get",
                "gateways.networking.istio.io",
                &gateway.name,
                "-n",
                &gateway.namespace,
            ],
            "{.spec.servers[0].port.number} {.spec.servers[0].tls.mode} {.spec.servers[0].hosts[*]}",
        ),
    )
}

/// A check of the mesh's own control plane, through the context of its API server: optional,
/// since that API server is seldom a kubeconfig context (hosted: it runs in a pod).
pub(super) fn in_control_plane(mut check: Check) -> Check {
    check.cluster = "-".to_owned();
    check.optional = true;
    check
}
