//! The mesh's topology as a picture: one box per network with its clusters (and their
//! role), each east-west gateway with its address, the cross-network paths between the
//! networks' gateways, where each istiod is reached (`remotePilotAddress`) and by whom,
//! which istiod reads which cluster's API server (its remote secrets, upstream modes), and
//! the mesh's global side (Mspider's global service cluster in hosted mode).
//!
//! [`Graph::of`] reads the model once into a neutral graph; [`mermaid`] and [`dot`]
//! write it. The README's diagram and `meshgen graph` both come from here, so they never
//! disagree. Flavor-specific facts come from the flavor seam
//! ([`crate::model::flavor::MeshFlavor::pilot_endpoints`], `remote_secrets`, `global_cluster`, and
//! [`crate::model::cluster::MeshRole::title`]), never from matching on a flavor.
//!
//! Large meshes stay readable: at most [`MAX_NETWORKS`] networks and
//! [`MAX_CLUSTERS_PER_NETWORK`] clusters in each are drawn (the control plane's first);
//! the rest are counted in "more" boxes, and [`Graph::summary`] says what was left out.

pub mod dot;
pub mod mermaid;

use std::collections::HashMap;

use crate::model::Model;
use crate::model::gateways::CROSS_NETWORK_PORT;

/// Networks drawn at most; the others are counted in one box.
pub const MAX_NETWORKS: usize = 10;
/// Clusters drawn at most per network; the others are counted in one box per network.
pub const MAX_CLUSTERS_PER_NETWORK: usize = 6;
/// Remote-secret edges drawn at most (every pair of 7 primaries); a larger mesh's are
/// described in the summary instead.
pub const MAX_SECRET_EDGES: usize = 21;
/// The port istiod serves xDS and certificates on to proxies of other clusters.
const ISTIOD_PORT: u16 = 15012;

/// The topology, ready to be written as Mermaid or DOT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    /// `mesh <id>`.
    pub title: String,
    /// One group per network drawn, in the model's network order.
    pub groups: Vec<Group>,
    /// Nodes outside every network: the global side, the networks not drawn.
    pub outside: Vec<Node>,
    pub edges: Vec<Edge>,
    /// What the picture leaves out, when the mesh is larger than it draws.
    pub summary: Option<String>,
}

/// A network and what is drawn in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: String,
    pub label: String,
    pub nodes: Vec<Node>,
}

/// One box; `lines` are its label, first line first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub id: String,
    pub lines: Vec<String>,
    pub shape: Shape,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Cluster,
    Gateway,
    Istiod,
    /// The mesh's global side (a cluster holding the mesh's own objects).
    Global,
    /// Clusters or networks counted, not drawn.
    More,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub label: Option<String>,
    pub kind: EdgeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// A cluster runs this component (no arrow).
    Runs,
    /// Cross-network mTLS between two networks' gateways (both ways).
    CrossNetwork,
    /// Proxies of a cluster reach an istiod in another cluster (dashed arrow).
    ControlPlane,
    /// The global side configures a control plane (dotted arrow).
    Configures,
    /// The istiod of `from` reads the API server of `to` with a remote secret (dotted arrow).
    Reads,
    /// The istiods of both clusters read each other's API server (dotted, both ways).
    ReadEachOther,
}

impl Graph {
    /// The picture of `model`'s mesh.
    pub fn of(model: &Model) -> Graph {
        let endpoints = model.flavor.pilot_endpoints();
        let index_of: HashMap<&str, usize> = (model.clusters.iter().enumerate())
            .map(|(i, c)| (c.name.as_str(), i))
            .collect();
        let control_planes: Vec<&str> = endpoints.iter().map(|e| e.cluster.as_str()).collect();

        // Networks holding a control plane first, then plan order; at most MAX_NETWORKS.
        let mut order: Vec<usize> = (0..model.networks.len()).collect();
        order.sort_by_key(|&n| {
            let network = &model.networks[n];
            !network
                .clusters
                .iter()
                .any(|c| control_planes.contains(&c.as_str()))
        });
        let (shown, hidden) = order.split_at(order.len().min(MAX_NETWORKS));
        let mut shown = shown.to_vec();
        shown.sort_unstable();

        let mut graph = Graph {
            title: format!("mesh {}", model.mesh.id),
            groups: Vec::new(),
            outside: Vec::new(),
            edges: Vec::new(),
            summary: None,
        };
        let mut drawn_clusters = 0usize;
        // The id of each drawn cluster, and of each network's cross-network gateway.
        let mut drawn: HashMap<&str, String> = HashMap::new();
        // Per drawn network, its first drawn meshNetworks gateway: where the paths between
        // networks are drawn (every gateway of a network serves them alike).
        let mut network_gateways: Vec<String> = Vec::new();
        for &n in &shown {
            let network = &model.networks[n];
            let gateway_clusters: Vec<&str> = network
                .gateways
                .iter()
                .map(|g| g.cluster.as_str())
                .collect();
            // The control plane and the network's gateway clusters first, then plan order.
            let mut members: Vec<&str> = network.clusters.iter().map(String::as_str).collect();
            members.sort_by_key(|c| (!control_planes.contains(c), !gateway_clusters.contains(c)));
            let (members, rest) = members.split_at(members.len().min(MAX_CLUSTERS_PER_NETWORK));
            let mut members = members.to_vec();
            members.sort_by_key(|c| index_of.get(c).copied());
            let mut entry: Option<String> = None;
            let mut group = Group {
                id: format!("net{n}"),
                label: format!("network {}", network.id),
                nodes: Vec::new(),
            };
            for name in members {
                let Some(cluster) = index_of.get(name).map(|&i| (i, &model.clusters[i])) else {
                    continue;
                };
                let (i, cluster) = cluster;
                let id = format!("c{i}");
                group.nodes.push(Node {
                    id: id.clone(),
                    lines: vec![cluster.name.clone(), cluster.mesh_role.title().to_owned()],
                    shape: Shape::Cluster,
                });
                if let Some(service) = &cluster.east_west_service {
                    let gateway = format!("gw{i}");
                    group.nodes.push(Node {
                        id: gateway.clone(),
                        lines: vec![
                            "east-west gateway".to_owned(),
                            service.address.annotation.clone(),
                        ],
                        shape: Shape::Gateway,
                    });
                    graph
                        .edges
                        .push(Edge::new(&id, &gateway, None, EdgeKind::Runs));
                    if entry.is_none() && gateway_clusters.contains(&name) {
                        entry = Some(gateway);
                    }
                }
                for (k, endpoint) in endpoints.iter().enumerate() {
                    if endpoint.cluster == cluster.name {
                        let istiod = format!("istiod{k}");
                        group.nodes.push(Node {
                            id: istiod.clone(),
                            lines: vec![
                                endpoint.title.clone(),
                                endpoint.address.clone(),
                                endpoint.param.clone(),
                            ],
                            shape: Shape::Istiod,
                        });
                        graph
                            .edges
                            .push(Edge::new(&id, &istiod, None, EdgeKind::Runs));
                    }
                }
                drawn.insert(name, id);
                drawn_clusters += 1;
            }
            network_gateways.extend(entry);
            if !rest.is_empty() {
                group.nodes.push(Node {
                    id: format!("more{n}"),
                    lines: vec![format!("{} more clusters", rest.len())],
                    shape: Shape::More,
                });
            }
            graph.groups.push(group);
        }

        // Every pair of networks reaches each other through their gateways.
        for (a, from) in network_gateways.iter().enumerate() {
            for to in &network_gateways[a + 1..] {
                let label = format!("mTLS {CROSS_NETWORK_PORT}");
                graph
                    .edges
                    .push(Edge::new(from, to, Some(label), EdgeKind::CrossNetwork));
            }
        }
        for (k, endpoint) in endpoints.iter().enumerate() {
            for client in &endpoint.clients {
                if let Some(id) = drawn.get(client.as_str()) {
                    let label = format!("istiod {ISTIOD_PORT}");
                    let istiod = format!("istiod{k}");
                    graph
                        .edges
                        .push(Edge::new(id, &istiod, Some(label), EdgeKind::ControlPlane));
                }
            }
        }
        let secret_note = graph.remote_secrets(model, &drawn);
        if let Some(global) = model.flavor.global_cluster() {
            graph.outside.push(Node {
                id: "global".to_owned(),
                lines: vec![
                    global.to_owned(),
                    "global service cluster".to_owned(),
                    "GlobalMesh, MeshCluster".to_owned(),
                ],
                shape: Shape::Global,
            });
            for k in 0..endpoints.len() {
                let label = Some("control-plane params".to_owned());
                let istiod = format!("istiod{k}");
                graph
                    .edges
                    .push(Edge::new("global", &istiod, label, EdgeKind::Configures));
            }
        }
        if !hidden.is_empty() {
            let clusters: usize = hidden
                .iter()
                .map(|&n| model.networks[n].clusters.len())
                .sum();
            graph.outside.push(Node {
                id: "morenets".to_owned(),
                lines: vec![format!(
                    "{} more networks, {clusters} clusters",
                    hidden.len()
                )],
                shape: Shape::More,
            });
        }
        let total = model.clusters.len();
        if drawn_clusters < total {
            graph.summary = Some(format!(
                "The mesh has {total} clusters on {} networks; the diagram draws {drawn_clusters} \
                 clusters on {} networks (at most {MAX_NETWORKS} networks and \
                 {MAX_CLUSTERS_PER_NETWORK} clusters in each, control planes first) and counts the rest.",
                model.networks.len(),
                shown.len(),
            ));
        }
        if let Some(note) = secret_note {
            graph.summary = Some(match graph.summary.take() {
                Some(summary) => format!("{summary} {note}"),
                None => note,
            });
        }
        graph
    }

    /// One dotted edge per remote secret between drawn clusters (one edge, both ways, where
    /// two istiods read each other), unless there are more than [`MAX_SECRET_EDGES`]: then
    /// none, and the note that says so.
    fn remote_secrets(&mut self, model: &Model, drawn: &HashMap<&str, String>) -> Option<String> {
        let secrets = model.flavor.remote_secrets();
        let reads = |a: &str, b: &str| {
            secrets
                .iter()
                .any(|s| s.in_cluster == a && s.of_cluster == b)
        };
        let mut edges = Vec::new();
        for secret in &secrets {
            let (reader, read) = (secret.in_cluster.as_str(), secret.of_cluster.as_str());
            let (Some(from), Some(to)) = (drawn.get(reader), drawn.get(read)) else {
                continue;
            };
            if !reads(read, reader) {
                let label = Some("remote secret".to_owned());
                edges.push(Edge::new(from, to, label, EdgeKind::Reads));
            } else if index(model, reader) < index(model, read) {
                let label = Some("remote secrets".to_owned());
                edges.push(Edge::new(from, to, label, EdgeKind::ReadEachOther));
            }
        }
        if edges.len() > MAX_SECRET_EDGES {
            return Some(format!(
                "{} remote secrets (which istiod reads which cluster's API server) are not drawn.",
                secrets.len()
            ));
        }
        self.edges.extend(edges);
        None
    }
}

/// A cluster's place in the plan.
fn index(model: &Model, name: &str) -> Option<usize> {
    model.clusters.iter().position(|c| c.name == name)
}

impl Edge {
    fn new(from: &str, to: &str, label: Option<String>, kind: EdgeKind) -> Edge {
        Edge {
            from: from.to_owned(),
            to: to.to_owned(),
            label,
            kind,
        }
    }
}

/// The picture in Mermaid's flowchart syntax.
pub fn mermaid(graph: &Graph) -> String {
    mermaid::write(graph)
}

/// The picture in Graphviz's DOT language.
pub fn dot(graph: &Graph) -> String {
    dot::write(graph)
}
