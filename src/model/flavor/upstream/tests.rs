//! The upstream flavors on the golden plans: who runs istiod, what each chart gets.

use super::*;
use crate::model::Model;
use crate::model::flavor::{ClusterFlavor, MeshFlavor};
use crate::plan::{Format, Source};

fn model(yaml: &str) -> Model {
    let plan = crate::plan::parse(&Source::new("plan.yaml", yaml, Format::Yaml)).unwrap();
    let (diagnostics, facts) = crate::check::check_parsed(&plan);
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    Model::resolve(&plan, &facts.unwrap())
}

fn upstream(cluster: &ClusterFlavor) -> &UpstreamCluster {
    match cluster {
        ClusterFlavor::MultiPrimary(c) | ClusterFlavor::PrimaryRemote(c) => c,
        ClusterFlavor::Hosted(_) => panic!("a hosted cluster"),
    }
}

fn istiod_values(cluster: &UpstreamCluster) -> &IstiodValues {
    cluster
        .releases
        .iter()
        .find_map(|r| match &r.values {
            ChartValues::Istiod(v) => Some(v),
            _ => None,
        })
        .unwrap()
}

const PRIMARY_REMOTE: &str = include_str!("../../../../golden/primary-remote/plan.yaml");

#[test]
fn a_remote_reaches_the_primary_through_its_east_west_gateway() {
    let model = model(PRIMARY_REMOTE);
    let MeshFlavor::PrimaryRemote(mesh) = &model.flavor else {
        panic!("primary-remote");
    };
    assert_eq!(mesh.istiod_clusters, ["east"]);
    assert_eq!(mesh.remotes, ["west"]);
    assert_eq!(mesh.istiod_cluster_indices(), [0]);
    let pilot = mesh.remote_pilot.as_ref().unwrap();
    assert_eq!(
        (pilot.address.as_str(), pilot.service.as_str()),
        ("192.168.40.241", EAST_WEST_SERVICE)
    );
    let (east, west) = (
        upstream(&model.clusters[0].flavor),
        upstream(&model.clusters[1].flavor),
    );
    let remote = istiod_values(west);
    assert_eq!(remote.profile, Some(REMOTE_PROFILE));
    assert!(remote.config_cluster && !remote.external_istiod);
    assert_eq!(
        remote.remote_pilot_address.as_deref(),
        Some("192.168.40.241")
    );
    assert_eq!(
        remote.injection_path.as_deref(),
        Some("/inject/cluster/west/net/west-net")
    );
    let primary = istiod_values(east);
    assert!(primary.external_istiod && !primary.config_cluster);
    assert_eq!(
        (primary.profile, &primary.remote_pilot_address),
        (None, &None)
    );
    assert_eq!(
        west.namespace.annotations,
        [pair(CONTROL_PLANE_CLUSTERS, "east")]
    );
    assert!(east.namespace.annotations.is_empty());
    assert_eq!(west.namespace.labels, [pair(LABEL_NETWORK, "west-net")]);
    assert!(east.expose_istiod.is_some() && west.expose_istiod.is_none());
    assert!(east.istiod_lb.is_none());
    // Only the primary holds Istio config: the remote has no istio stage at all.
    assert!(model.clusters[1].stage_dirs.istio.is_none());
    let names: Vec<&str> = west.releases.iter().map(|r| r.release.as_str()).collect();
    assert_eq!(names, ["istio-base", "istiod", "istio-eastwestgateway"]);
    assert_eq!(west.api_server, "https://192.168.50.10:6443");
    // The remote's install step puts its secret into the primary; the primary's, none.
    assert_eq!(west.secret_into, ["east"]);
    assert!(east.secret_into.is_empty());
}

#[test]
fn a_dedicated_istiod_address_replaces_expose_istiod() {
    let plan = PRIMARY_REMOTE.replace(
        "      eastWest: 192.168.40.241\n",
        "      eastWest: 192.168.40.241\n      istiod: 192.168.40.243\n",
    );
    let model = model(&plan);
    let MeshFlavor::PrimaryRemote(mesh) = &model.flavor else {
        panic!("primary-remote");
    };
    let pilot = mesh.remote_pilot.as_ref().unwrap();
    assert_eq!(
        (
            pilot.address.as_str(),
            pilot.service.as_str(),
            pilot.dedicated
        ),
        ("192.168.40.243", ISTIOD_LB_SERVICE, true)
    );
    let east = upstream(&model.clusters[0].flavor);
    assert!(east.expose_istiod.is_none());
    let service = &east.istiod_lb.as_ref().unwrap().service;
    assert_eq!(service.name, ISTIOD_LB_SERVICE);
    // MetalLB serves it first, in the primary's pool.
    assert_eq!(model.clusters[0].lb_services[0].name, ISTIOD_LB_SERVICE);
    let remote = istiod_values(upstream(&model.clusters[1].flavor));
    assert_eq!(
        remote.remote_pilot_address.as_deref(),
        Some("192.168.40.243")
    );
}

#[test]
fn in_multi_primary_every_cluster_runs_istiod() {
    let model = model(include_str!("../../../../golden/multi-primary/plan.yaml"));
    let MeshFlavor::MultiPrimary(mesh) = &model.flavor else {
        panic!("multi-primary");
    };
    assert_eq!(mesh.istiod_cluster_indices(), [0, 1, 2]);
    assert!(mesh.remote_pilot.is_none() && mesh.primary.is_none());
    for cluster in &model.clusters {
        let c = upstream(&cluster.flavor);
        assert!(c.runs_istiod && c.namespace.annotations.is_empty());
        // Secrets are exchanged in a step of their own, not during the install.
        assert!(c.secret_into.is_empty());
        let values = istiod_values(c);
        assert_eq!(values.profile, None);
        assert!(!values.external_istiod && !values.config_cluster);
        assert_eq!(values.cluster_name, cluster.name);
        assert_eq!(values.network, cluster.network);
        // The guides' order: base, istiod, then the gateways.
        let ranks: Vec<usize> = c.releases.iter().map(|r| r.chart.rank()).collect();
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{}", cluster.name);
    }
    // A kind cluster's API server is bound to the master IP on kubeadm's port too.
    assert_eq!(
        upstream(&model.clusters[2].flavor).api_server,
        "https://172.18.30.10:6443"
    );
}

#[test]
fn single_network_primary_remote_keeps_the_primary_east_west_gateway() {
    let plan = PRIMARY_REMOTE
        .replace("networkMode: multi", "networkMode: single")
        .replace("network: west-net", "network: east-net")
        .replace("    loadBalancerIPs:\n      eastWest: 192.168.50.241\n", "");
    let model = model(&plan);
    let east = upstream(&model.clusters[0].flavor);
    let gateway = east
        .releases
        .iter()
        .find(|r| r.release == EAST_WEST_SERVICE)
        .expect("the primary's east-west gateway exposes istiod");
    let ChartValues::Gateway(values) = &gateway.values else {
        panic!("gateway values");
    };
    assert_eq!(values.network_gateway.as_deref(), Some("east-net"));
    assert!(east.expose_istiod.is_some());
    // No cross-network Gateway on one network.
    assert!(model.clusters[0].cross_network_gateway.is_none());
    let west = upstream(&model.clusters[1].flavor);
    assert!(west.releases.iter().all(|r| r.chart != Chart::Gateway));
}
