//! One test (or more) per check: a small mutation of the demo plan, asserting the code,
//! the field path, and key words of the message and hint.

use crate::support::check as check_support;

use check_support::*;
use meshgen::Plan;
use meshgen::plan::{Cluster, MeshMode, Metallb, NetworkMode, Node, Pool};
use meshgen::{Format, Severity};

fn pool(name: &str, addresses: &[&str]) -> Pool {
    Pool {
        name: name.into(),
        addresses: addresses.iter().map(|a| a.to_string()).collect(),
        auto_assign: None,
        avoid_buggy_ips: None,
    }
}

fn set_pools(cluster: &mut Cluster, pools: Vec<Pool>) {
    cluster.metallb = Some(Metallb {
        pools,
        interfaces: vec![],
    });
}

#[test]
fn the_demo_plan_is_clean_in_both_formats() {
    assert_only(&located(&read(DEMO_YAML), Format::Yaml), &[]);
    assert_only(&located(&read(DEMO_TOML), Format::Toml), &[]);
}

// ---- names ----------------------------------------------------------------------------

#[test]
fn mesh_id_must_be_a_label_short_enough_for_the_istiod_service() {
    let d = mutated(|p| p.mesh.id = "Mdemo_Mesh".into());
    assert_error(&d, "MG010", "mesh.id", &["upper-case `M`", "`mdemo-mesh`"]);
    let d = mutated(|p| p.mesh.id = "m".repeat(47));
    assert_error(
        &d,
        "MG010",
        "mesh.id",
        &["47 characters", "at most 46", "istiod-<id>-hosted-lb"],
    );
    assert_only(&mutated(|p| p.mesh.id = "m".repeat(46)), &[]);
}

#[test]
fn cluster_names_refuse_paths_and_look_alikes() {
    let d = mutated(|p| p.clusters[2].name = "../etc".into());
    assert_error(
        &d,
        "MG010",
        "clusters[2].name",
        &["contains `.`", "clusters/<name>/", "`etc`"],
    );
    // Cyrillic "с" (U+0441) in place of the Latin "c".
    let d = mutated(|p| p.clusters[1].name = "mdemo-\u{441}luster2".into());
    assert_error(&d, "MG010", "clusters[1].name", &["U+0441", "not ASCII"]);
    let d = mutated(|p| p.clusters[1].name = "mdemo/cluster2".into());
    assert_error(
        &d,
        "MG010",
        "clusters[1].name",
        &["contains `/`", "`mdemo-cluster2`"],
    );
    let d = mutated(|p| p.clusters[1].name = "c".repeat(64));
    assert_error(&d, "MG010", "clusters[1].name", &["64 characters"]);
}

#[test]
fn network_global_cluster_node_pool_and_namespace_names() {
    let d = mutated(|p| p.clusters[0].network = "network.c1".into());
    assert_error(
        &d,
        "MG010",
        "clusters[0].network",
        &["contains `.`", "meshNetworks"],
    );
    let d = mutated(|p| p.mesh.global_cluster = Some("Kpanda".into()));
    assert_error(&d, "MG010", "mesh.globalCluster", &["upper-case `K`"]);
    let d = mutated(|p| p.clusters[0].nodes[0].name = "../master".into());
    assert_error(&d, "MG010", "clusters[0].nodes[0].name", &["contains `/`"]);
    // Node names are subdomains: dots are fine.
    assert_only(
        &mutated(|p| p.clusters[0].nodes[0].name = "node-1.example.com".into()),
        &[],
    );
    let d = mutated(|p| {
        set_pools(
            &mut p.clusters[1],
            vec![pool("First Pool", &["10.6.136.25-10.6.136.29"])],
        )
    });
    assert_error(
        &d,
        "MG010",
        "clusters[1].metallb.pools[0].name",
        &["upper-case `F`", "`first-pool`"],
    );
    let d = mutated(|p| p.demo.as_mut().unwrap().namespace = "Sample".into());
    assert_error(&d, "MG010", "demo.namespace", &["upper-case `S`"]);
}

#[test]
fn a_cluster_listed_twice() {
    let d = mutated(|p| {
        let copy = p.clusters[1].clone();
        p.clusters.push(copy);
    });
    assert_error(
        &d,
        "MG011",
        "clusters[3].name",
        &["mdemo-cluster2", "clusters[1] and clusters[3]"],
    );
}

#[test]
fn a_node_listed_twice_in_one_cluster() {
    let d = mutated(|p| {
        let copy = p.clusters[0].nodes[0].clone();
        p.clusters[0].nodes.push(copy);
    });
    assert_error(
        &d,
        "MG012",
        "clusters[0].nodes[1].name",
        &["master", "mdemo-cluster1"],
    );
    // The same node name in two clusters is fine.
    assert_no(&mutated(|_| {}), "MG012");
}

#[test]
fn topology_values_are_label_values() {
    let d = mutated(|p| {
        let node = &mut p.clusters[0].nodes[0];
        node.region = "r".repeat(64);
        node.zone = String::new();
        node.subzone = Some("sub zone".into());
    });
    assert_error(
        &d,
        "MG013",
        "clusters[0].nodes[0].region",
        &["64 characters"],
    );
    assert_error(&d, "MG013", "clusters[0].nodes[0].zone", &["is empty"]);
    assert_error(
        &d,
        "MG013",
        "clusters[0].nodes[0].subzone",
        &["contains a space", "`sub-zone`"],
    );
    // Upper case, `_` and `.` are fine in label values.
    let d = mutated(|p| {
        p.clusters[0].nodes.push(Node {
            name: "worker".into(),
            role: None,
            region: "Region_1.a".into(),
            zone: "Z1".into(),
            subzone: None,
        })
    });
    assert_only(&d, &[]);
}

#[test]
fn helloworld_versions_are_label_values_and_make_deployment_names() {
    let d = mutated(|p| {
        let versions = &mut p.demo.as_mut().unwrap().helloworld.versions;
        versions.insert("mdemo-cluster1".into(), "v 1".into());
        versions.insert("mdemo-cluster2".into(), "V2".into());
    });
    assert_error(
        &d,
        "MG013",
        "demo.helloworld.versions.mdemo-cluster1",
        &["contains a space"],
    );
    assert_error(
        &d,
        "MG010",
        "demo.helloworld.versions.mdemo-cluster2",
        &["helloworld-V2", "`v2`"],
    );
}

#[test]
fn a_pool_listed_twice_in_one_cluster() {
    let d = mutated(|p| {
        set_pools(
            &mut p.clusters[1],
            vec![
                pool("first-pool", &["10.6.136.25-10.6.136.29"]),
                pool("first-pool", &["10.6.136.40/30"]),
            ],
        )
    });
    assert_only(&d, &[("MG014", "clusters[1].metallb.pools[1].name")]);
}

#[test]
fn dns_domain_is_a_dns_subdomain() {
    let d = mutated(|p| p.mesh.dns_domain = "cluster..local".into());
    assert_error(&d, "MG015", "mesh.dnsDomain", &["empty part"]);
    let d = mutated(|p| p.mesh.dns_domain = "Cluster.local".into());
    assert_error(&d, "MG015", "mesh.dnsDomain", &["upper-case `C`"]);
    assert_only(
        &mutated(|p| p.mesh.dns_domain = "mesh.example.internal".into()),
        &[],
    );
}

// ---- control plane --------------------------------------------------------------------

#[test]
fn control_plane_cluster_must_exist() {
    let d = mutated(|p| p.mesh.control_plane_cluster = Some("mdemo-cluster".into()));
    assert_error(
        &d,
        "MG020",
        "mesh.controlPlaneCluster",
        &[
            "`mdemo-cluster`",
            "mdemo-cluster1 sets loadBalancerIPs.istiod",
        ],
    );
    // Which istiod IP is stray cannot be told, so none is reported.
    assert_only(&d, &[("MG020", "mesh.controlPlaneCluster")]);
    let d = mutated(|p| p.clusters.clear());
    assert_only(
        &d,
        &[
            ("MG020", "mesh.controlPlaneCluster"),
            ("MG070", "demo.helloworld.versions.mdemo-cluster1"),
            ("MG070", "demo.helloworld.versions.mdemo-cluster2"),
            ("MG070", "demo.helloworld.versions.mdemo-cluster3"),
            ("MG070", "demo.sleep.clusters[0]"),
            ("MG070", "demo.sleep.clusters[1]"),
            ("MG070", "demo.sleep.clusters[2]"),
        ],
    );
}

#[test]
fn control_plane_cluster_needs_an_istiod_ip() {
    let d = mutated(|p| p.clusters[0].load_balancer_ips.istiod = None);
    assert_error(
        &d,
        "MG021",
        "clusters[0].loadBalancerIPs.istiod",
        &["mdemo-cluster1", "e.g. 10.64.30.71"],
    );
    assert_only(&d, &[("MG021", "clusters[0].loadBalancerIPs.istiod")]);
}

#[test]
fn istiod_ip_only_on_the_control_plane_cluster() {
    let d = mutated(|p| p.clusters[1].load_balancer_ips.istiod = Some("10.6.136.25".into()));
    assert_error(
        &d,
        "MG022",
        "clusters[1].loadBalancerIPs.istiod",
        &["mdemo-cluster2", "runs in mdemo-cluster1"],
    );
    assert_only(&d, &[("MG022", "clusters[1].loadBalancerIPs.istiod")]);
}

// ---- mesh modes -----------------------------------------------------------------------

/// The demo plan as an upstream Istio mesh of `mode` (Istio 1.29.2, Kubernetes 1.33, no
/// Mspider fields), with `primary` as controlPlaneCluster.
fn upstream(mode: MeshMode, primary: Option<&str>) -> Plan {
    let mut plan = demo();
    plan.mesh.mode = mode;
    plan.mesh.version = "1.29.2".into();
    plan.mesh.global_cluster = None;
    plan.mesh.registry = None;
    plan.mesh.control_plane_cluster = primary.map(str::to_owned);
    for cluster in &mut plan.clusters {
        cluster.kubernetes_version = "1.33".into();
        cluster.load_balancer_ips.istiod = None;
    }
    plan
}

fn upstream_mutated(
    mode: MeshMode,
    primary: Option<&str>,
    change: impl FnOnce(&mut Plan),
) -> meshgen::Diagnostics {
    let mut plan = upstream(mode, primary);
    change(&mut plan);
    meshgen::check::check(&plan)
}

#[test]
fn upstream_plans_need_no_mspider_fields() {
    assert_only(&upstream_mutated(MeshMode::MultiPrimary, None, |_| {}), &[]);
    let primary = Some("mdemo-cluster1");
    assert_only(
        &upstream_mutated(MeshMode::PrimaryRemote, primary, |_| {}),
        &[],
    );
    // The registry is optional upstream, and a valid one is taken.
    let d = upstream_mutated(MeshMode::MultiPrimary, None, |p| {
        p.mesh.registry = Some("docker.io/istio".into())
    });
    assert_only(&d, &[]);
}

#[test]
fn each_mode_says_which_fields_it_needs() {
    let d = mutated(|p| p.mesh.global_cluster = None);
    assert_error(
        &d,
        "MG028",
        "mesh.globalCluster",
        &[
            "mode `hosted` needs mesh.globalCluster",
            "multi-primary or primary-remote",
        ],
    );
    let d = mutated(|p| {
        p.mesh.control_plane_cluster = None;
        p.mesh.registry = None;
    });
    assert_error(&d, "MG028", "mesh.controlPlaneCluster", &["hosted"]);
    assert_error(&d, "MG028", "mesh.registry", &["hosted"]);
    assert_no(&d, "MG020");
    let d = upstream_mutated(MeshMode::PrimaryRemote, None, |_| {});
    assert_error(
        &d,
        "MG028",
        "mesh.controlPlaneCluster",
        &["mode `primary-remote`", "the primary"],
    );
}

#[test]
fn a_field_of_another_mode_names_the_mode_it_belongs_to() {
    let d = upstream_mutated(MeshMode::MultiPrimary, Some("mdemo-cluster1"), |p| {
        p.mesh.global_cluster = Some("kpanda-global-cluster".into());
        p.clusters[0].load_balancer_ips.istiod = Some("10.64.30.71".into());
    });
    assert_error(
        &d,
        "MG024",
        "mesh.controlPlaneCluster",
        &[
            "`hosted` and `primary-remote`",
            "not to `multi-primary`",
            "mode: primary-remote",
        ],
    );
    assert_error(
        &d,
        "MG024",
        "mesh.globalCluster",
        &["belongs to mode `hosted`", "Mspider"],
    );
    assert_error(
        &d,
        "MG024",
        "clusters[0].loadBalancerIPs.istiod",
        &["`hosted`", "`primary-remote`", "not to `multi-primary`"],
    );
    let d = upstream_mutated(MeshMode::PrimaryRemote, Some("mdemo-cluster1"), |p| {
        p.mesh.global_cluster = Some("kpanda-global-cluster".into())
    });
    assert_only(&d, &[("MG024", "mesh.globalCluster")]);
}

#[test]
fn primary_remote_istiod_ips_and_the_primary() {
    let primary = Some("mdemo-cluster1");
    // A dedicated istiod LoadBalancer on the primary is fine, on a remote it is stray.
    let d = upstream_mutated(MeshMode::PrimaryRemote, primary, |p| {
        p.clusters[0].load_balancer_ips.istiod = Some("10.64.30.71".into())
    });
    assert_only(&d, &[]);
    let d = upstream_mutated(MeshMode::PrimaryRemote, primary, |p| {
        p.clusters[1].load_balancer_ips.istiod = Some("10.6.136.28".into())
    });
    assert_error(
        &d,
        "MG022",
        "clusters[1].loadBalancerIPs.istiod",
        &["primary's istiod runs in mdemo-cluster1"],
    );
    let d = upstream_mutated(MeshMode::PrimaryRemote, Some("mdemo-cluster9"), |_| {});
    assert_error(&d, "MG020", "mesh.controlPlaneCluster", &["mdemo-cluster9"]);
}

#[test]
fn primary_remote_remotes_need_an_address_of_the_primary() {
    let primary = Some("mdemo-cluster1");
    // Multi network: the primary's east-west gateway is needed in any case.
    let d = upstream_mutated(MeshMode::PrimaryRemote, primary, |p| {
        p.clusters[0].load_balancer_ips.east_west = None;
        p.clusters[0].load_balancer_ips.istiod = Some("10.64.30.71".into());
    });
    assert_error(
        &d,
        "MG025",
        "clusters[0].loadBalancerIPs.eastWest",
        &[
            "multi-network primary-remote",
            "cross-network Gateway",
            "e.g. 10.64.30.7",
        ],
    );
    // Single network: the east-west gateway or an istiod LoadBalancer.
    let single = |p: &mut Plan| {
        p.mesh.network_mode = NetworkMode::Single;
        for cluster in &mut p.clusters {
            cluster.network = "network-c1".into();
            cluster.load_balancer_ips.east_west = None;
        }
    };
    let d = upstream_mutated(MeshMode::PrimaryRemote, primary, single);
    assert_error(
        &d,
        "MG025",
        "clusters[0].loadBalancerIPs.eastWest",
        &[
            "mdemo-cluster2 and mdemo-cluster3",
            "neither",
            "expose-istiod",
        ],
    );
    let d = upstream_mutated(MeshMode::PrimaryRemote, primary, |p| {
        single(p);
        p.clusters[0].load_balancer_ips.istiod = Some("10.64.30.71".into());
    });
    assert_only(&d, &[]);
    // The primary's east-west IP is used in single network mode: no MG041 for it.
    let d = upstream_mutated(MeshMode::PrimaryRemote, primary, |p| {
        single(p);
        p.clusters[0].load_balancer_ips.east_west = Some("10.64.30.73".into());
        p.clusters[1].load_balancer_ips.east_west = Some("10.6.136.29".into());
    });
    assert_only(&d, &[("MG041", "clusters[1].loadBalancerIPs.eastWest")]);
}

#[test]
fn remotes_reach_an_ipv6_primary_only_from_istio_1_30() {
    // The same rule as a hosted istiod's (MG023): the remotes' remotePilotAddress.
    let v6 = |address: &str| {
        let address = address.to_owned();
        move |p: &mut Plan| {
            p.clusters[0].metallb.as_mut().unwrap().pools[0]
                .addresses
                .push("fd00:64::70-fd00:64::7f".into());
            p.clusters[0].load_balancer_ips.east_west = Some(address);
        }
    };
    let primary = Some("mdemo-cluster1");
    let d = upstream_mutated(MeshMode::PrimaryRemote, primary, v6("fd00:64::73"));
    assert_error(
        &d,
        "MG023",
        "clusters[0].loadBalancerIPs.eastWest",
        &["the primary's istiod", "fd00:64::73", "Istio 1.29", "1.30"],
    );
    // A dual-stack pair: the remotes take its IPv4 address.
    let d = upstream_mutated(
        MeshMode::PrimaryRemote,
        primary,
        v6("10.64.30.73,fd00:64::73"),
    );
    assert_only(&d, &[]);
    // Multi-primary has no remotePilotAddress.
    let d = upstream_mutated(MeshMode::MultiPrimary, None, v6("fd00:64::73"));
    assert_only(&d, &[]);
}

#[test]
fn upstream_api_servers_must_be_reachable() {
    let d = upstream_mutated(MeshMode::MultiPrimary, None, |p| {
        p.clusters[2].master_ip = "127.0.0.1".into()
    });
    assert_error(
        &d,
        "MG027",
        "clusters[2].masterIP",
        &["127.0.0.1", "mdemo-cluster3", "--server"],
    );
    // Hosted mode has no remote secrets.
    assert_no(
        &mutated(|p| p.clusters[2].master_ip = "127.0.0.1".into()),
        "MG027",
    );
}

#[test]
fn upstream_versions_are_istio_releases_meshgen_knows() {
    for (version, words) in [
        ("1.23.2", &["older than 1.24", "remote profile"][..]),
        (
            "1.31.0",
            &["newer than the releases meshgen knows", "1.24 to 1.30"][..],
        ),
        ("1.29.2-mspider", &["not an Istio release", "-rc.N"][..]),
        ("2.0.0", &["newer than the releases meshgen knows"][..]),
        ("1.0.0", &["older than 1.24"][..]),
    ] {
        let d = upstream_mutated(MeshMode::MultiPrimary, None, |p| {
            p.mesh.version = version.into()
        });
        assert_error(&d, "MG064", "mesh.version", words);
    }
    for version in ["1.24.0", "1.30.0-rc.0", "1.29.0-beta.1"] {
        let d = upstream_mutated(MeshMode::MultiPrimary, None, |p| {
            p.mesh.version = version.into()
        });
        assert_no(&d, "MG064");
    }
    // Hosted versions are Mspider's: no MG064.
    assert_no(
        &mutated(|p| p.mesh.version = "1.15.3-mspider".into()),
        "MG064",
    );
    // The Kubernetes support range of the Istio release applies upstream too.
    let d = upstream_mutated(MeshMode::MultiPrimary, None, |p| {
        p.clusters[1].kubernetes_version = "1.25".into()
    });
    assert_warning(
        &d,
        "MG062",
        "clusters[1].kubernetesVersion",
        &["Istio 1.29", "1.31 to 1.35"],
    );
}

#[test]
fn upstream_cluster_names_are_dns_labels_and_unique() {
    // clusterName and istioctl's --name: the same name rules as every cluster name.
    let d = upstream_mutated(MeshMode::MultiPrimary, None, |p| {
        p.clusters[1].name = "Cluster_2".into()
    });
    assert_error(&d, "MG010", "clusters[1].name", &["upper-case `C`"]);
    let d = upstream_mutated(MeshMode::MultiPrimary, None, |p| {
        p.clusters[2].name = "mdemo-cluster1".into()
    });
    assert_error(&d, "MG011", "clusters[2].name", &["listed twice"]);
}

// ---- subnets --------------------------------------------------------------------------

#[test]
fn subnets_are_cidrs_without_host_bits() {
    let d = mutated(|p| p.clusters[1].pod_subnet = "10.202.0.1/16".into());
    assert_error(
        &d,
        "MG030",
        "clusters[1].podSubnet",
        &["host bits", "write the network address: 10.202.0.0/16"],
    );
    let d = mutated(|p| p.clusters[2].service_subnet = Some("10.111.0.0".into()));
    assert_error(&d, "MG030", "clusters[2].serviceSubnet", &["not a CIDR"]);
    let d = mutated(|p| p.clusters[2].pod_subnet = "::ffff:10.100.0.0/112".into());
    assert_error(&d, "MG030", "clusters[2].podSubnet", &["IPv4-mapped"]);
}

#[test]
fn dual_stack_subnets_take_one_cidr_per_family() {
    let d = mutated(|p| p.clusters[0].pod_subnet = "10.201.0.0/16,10.211.0.0/16".into());
    assert_error(
        &d,
        "MG030",
        "clusters[0].podSubnet",
        &["two IPv4", "one IPv4 and one IPv6"],
    );
    let d =
        mutated(|p| p.clusters[0].pod_subnet = "10.201.0.0/16,fd00:201::/56,fd00:202::/56".into());
    assert_error(&d, "MG030", "clusters[0].podSubnet", &["3 comma-separated"]);
    assert_only(
        &mutated(|p| p.clusters[0].pod_subnet = "10.201.0.0/16,fd00:201::/56".into()),
        &[],
    );
    assert_only(
        &mutated(|p| p.clusters[0].pod_subnet = "fd00:201::/56, 10.201.0.0/16".into()),
        &[],
    );
}

#[test]
fn master_ips_are_single_addresses() {
    let d = mutated(|p| p.clusters[1].master_ip = "10.6.230.256".into());
    assert_error(&d, "MG031", "clusters[1].masterIP", &["not an IP address"]);
    let d = mutated(|p| p.clusters[1].master_ip = "::ffff:10.6.230.5".into());
    assert_error(&d, "MG031", "clusters[1].masterIP", &["IPv4-mapped"]);
    let d = mutated(|p| p.clusters[1].master_ip = "10.6.230.5,fd00::5".into());
    assert_error(&d, "MG031", "clusters[1].masterIP", &["takes one address"]);
}

#[test]
fn lb_ips_are_addresses_or_dual_stack_pairs() {
    let d = mutated(|p| p.clusters[1].load_balancer_ips.east_west = Some("10.6.136.299".into()));
    assert_error(
        &d,
        "MG031",
        "clusters[1].loadBalancerIPs.eastWest",
        &["not an IP address"],
    );
    let d = mutated(|p| {
        p.clusters[1].load_balancer_ips.east_west = Some("10.6.136.29,10.6.136.28".into())
    });
    assert_error(
        &d,
        "MG031",
        "clusters[1].loadBalancerIPs.eastWest",
        &["two IPv4"],
    );
    // A bad address is reported once, and does not make the network lack a gateway.
    assert_no(&d, "MG040");
    assert_no(&d, "MG050");
}

#[test]
fn pod_subnets_on_one_network_must_not_overlap() {
    let d = mutated(|p| {
        p.clusters[1].network = "network-c1".into();
        p.clusters[1].pod_subnet = "10.201.128.0/17".into();
    });
    assert_error(
        &d,
        "MG032",
        "clusters[1].podSubnet",
        &[
            "podSubnet 10.201.128.0/17 of mdemo-cluster2 overlaps podSubnet 10.201.0.0/16 of mdemo-cluster1",
            "network network-c1",
            "give mdemo-cluster2 its own network ID",
        ],
    );
    assert_only(&d, &[("MG032", "clusters[1].podSubnet")]);
}

#[test]
fn single_mode_forbids_any_pod_subnet_overlap() {
    let d = mutated(|p| {
        p.mesh.network_mode = NetworkMode::Single;
        for c in &mut p.clusters {
            c.network = "flat".into();
            c.load_balancer_ips.east_west = None;
        }
        p.clusters[2].pod_subnet = "10.202.0.0/24".into();
    });
    assert_error(
        &d,
        "MG032",
        "clusters[2].podSubnet",
        &["networkMode single", "of mdemo-cluster2"],
    );
    assert_only(&d, &[("MG032", "clusters[2].podSubnet")]);
}

#[test]
fn service_subnet_must_not_overlap_its_pod_subnet() {
    let d = mutated(|p| p.clusters[2].service_subnet = Some("10.100.128.0/17".into()));
    assert_error(
        &d,
        "MG033",
        "clusters[2].serviceSubnet",
        &["10.100.128.0/17", "podSubnet 10.100.0.0/16"],
    );
    // Another cluster's pod subnet is no concern of this rule.
    assert_only(
        &mutated(|p| p.clusters[2].service_subnet = Some("10.201.0.0/16".into())),
        &[],
    );
}

#[test]
fn pod_subnets_overlapping_across_networks_warn() {
    let d = mutated(|p| p.clusters[2].pod_subnet = "10.201.0.0/16".into());
    assert_warning(
        &d,
        "MG034",
        "clusters[2].podSubnet",
        &["(network network-c3)", "(network network-c1)", "DNS proxy"],
    );
    assert_only(&d, &[("MG034", "clusters[2].podSubnet")]);
}

#[test]
fn single_mode_needs_one_network() {
    let d = mutated(|p| {
        p.mesh.network_mode = NetworkMode::Single;
        for c in &mut p.clusters {
            c.load_balancer_ips.east_west = None;
        }
        p.clusters[2].network = "network-c1".into();
    });
    // network-c1 is the network most clusters name, so the others are told to join it.
    assert_only(&d, &[("MG035", "clusters[1].network")]);
    assert_error(
        &d,
        "MG035",
        "clusters[1].network",
        &[
            "network-c2",
            "while 2 clusters are on network-c1",
            "network: network-c1",
        ],
    );
}

// ---- networks -------------------------------------------------------------------------

#[test]
fn each_network_needs_an_east_west_gateway() {
    let d = mutated(|p| p.clusters[1].load_balancer_ips.east_west = None);
    assert_error(
        &d,
        "MG040",
        "clusters[1].loadBalancerIPs.eastWest",
        &[
            "network network-c2",
            "its only cluster, mdemo-cluster2, does not set loadBalancerIPs.eastWest",
            "e.g. 10.6.136.25",
        ],
    );
    assert_only(&d, &[("MG040", "clusters[1].loadBalancerIPs.eastWest")]);
    // One gateway serves every cluster on its network.
    let d = mutated(|p| {
        p.clusters[2].network = "network-c2".into();
        p.clusters[2].load_balancer_ips.east_west = None;
    });
    assert_only(&d, &[]);
    let d = mutated(|p| {
        p.clusters[1].network = "network-c3".into();
        p.clusters[1].load_balancer_ips.east_west = None;
        p.clusters[2].load_balancer_ips.east_west = None;
    });
    assert_error(
        &d,
        "MG040",
        "clusters[1].loadBalancerIPs.eastWest",
        &["none of its clusters (mdemo-cluster2 and mdemo-cluster3) sets"],
    );
}

#[test]
fn east_west_ip_in_single_mode_warns() {
    let d = mutated(|p| {
        p.mesh.network_mode = NetworkMode::Single;
        for c in &mut p.clusters {
            c.network = "flat".into();
        }
    });
    assert_warning(
        &d,
        "MG041",
        "clusters[0].loadBalancerIPs.eastWest",
        &["networkMode single"],
    );
    assert_only(
        &d,
        &[
            ("MG041", "clusters[0].loadBalancerIPs.eastWest"),
            ("MG041", "clusters[1].loadBalancerIPs.eastWest"),
            ("MG041", "clusters[2].loadBalancerIPs.eastWest"),
        ],
    );
}

// ---- load balancer and pools -----------------------------------------------------------

#[test]
fn lb_ip_outside_the_pools() {
    let d = mutated(|p| p.clusters[1].load_balancer_ips.east_west = Some("10.6.136.30".into()));
    assert_error(
        &d,
        "MG050",
        "clusters[1].loadBalancerIPs.eastWest",
        &[
            "eastWest IP 10.6.136.30 of mdemo-cluster2 is outside every MetalLB pool",
            "pick an address in first-pool (10.6.136.25-10.6.136.29), e.g. 10.6.136.25",
        ],
    );
    assert_only(&d, &[("MG050", "clusters[1].loadBalancerIPs.eastWest")]);
}

#[test]
fn lb_ip_in_another_clusters_pool() {
    let d = mutated(|p| p.clusters[2].load_balancer_ips.ingress = Some("10.64.30.72".into()));
    // Also used twice (MG057); MG050 says whose pool it is in.
    assert_error(
        &d,
        "MG050",
        "clusters[2].loadBalancerIPs.ingress",
        &["in pool first-pool of mdemo-cluster1", "e.g. 10.64.30.75"],
    );
}

#[test]
fn lb_ip_skipped_by_avoid_buggy_ips() {
    let d = mutated(|p| {
        let mut pool = pool("first-pool", &["10.6.136.0/24"]);
        pool.avoid_buggy_ips = Some(true);
        set_pools(&mut p.clusters[1], vec![pool]);
        p.clusters[1].load_balancer_ips.east_west = Some("10.6.136.255".into());
    });
    assert_error(
        &d,
        "MG050",
        "clusters[1].loadBalancerIPs.eastWest",
        &["avoidBuggyIPs", "e.g. 10.6.136.1"],
    );
}

#[test]
fn clusters_without_metallb_are_not_held_to_pools() {
    let d = mutated(|p| {
        p.clusters[1].metallb = None;
        p.clusters[1].load_balancer_ips.east_west = Some("192.0.2.10".into());
    });
    assert_only(&d, &[]);
}

#[test]
fn lb_ip_that_is_a_master_ip() {
    let d = mutated(|p| p.clusters[0].load_balancer_ips.ingress = Some("10.64.30.130".into()));
    assert_error(
        &d,
        "MG051",
        "clusters[0].loadBalancerIPs.ingress",
        &["its own master IP", "e.g. 10.64.30.72"],
    );
    // Refused as a master IP, it is not also reported as outside the pools.
    assert_only(&d, &[("MG051", "clusters[0].loadBalancerIPs.ingress")]);
    let d = mutated(|p| {
        set_pools(
            &mut p.clusters[1],
            vec![pool(
                "first-pool",
                &["10.6.136.25-10.6.136.29", "10.64.30.131/32"],
            )],
        );
        p.clusters[1].load_balancer_ips.east_west = Some("10.64.30.131".into());
    });
    assert_error(
        &d,
        "MG051",
        "clusters[1].loadBalancerIPs.eastWest",
        &["the master IP of mdemo-cluster3"],
    );
}

#[test]
fn lb_ip_inside_pod_or_service_subnet() {
    let d = mutated(|p| {
        set_pools(
            &mut p.clusters[2],
            vec![pool(
                "first-pool",
                &["10.64.30.75-10.64.30.77", "10.111.0.10/32"],
            )],
        );
        p.clusters[2].load_balancer_ips.ingress = Some("10.111.0.10".into());
    });
    assert_error(
        &d,
        "MG052",
        "clusters[2].loadBalancerIPs.ingress",
        &["inside its serviceSubnet 10.111.0.0/16"],
    );
    let d = mutated(|p| p.clusters[2].load_balancer_ips.east_west = Some("10.100.0.77".into()));
    assert_error(
        &d,
        "MG052",
        "clusters[2].loadBalancerIPs.eastWest",
        &["inside its podSubnet 10.100.0.0/16"],
    );
    assert_only(&d, &[("MG052", "clusters[2].loadBalancerIPs.eastWest")]);
}

#[test]
fn pool_entries_must_parse() {
    let d = mutated(|p| {
        set_pools(
            &mut p.clusters[2],
            vec![
                pool(
                    "first-pool",
                    &[
                        "10.64.30.77-10.64.30.75",
                        "10.64.30.80-fd00::1",
                        "10.64.30.81/24",
                        "nonsense",
                    ],
                ),
                pool("empty", &[]),
            ],
        );
    });
    let at = |m: usize| format!("clusters[2].metallb.pools[0].addresses[{m}]");
    assert_error(
        &d,
        "MG053",
        &at(0),
        &[
            "reversed",
            "write the lower address first: 10.64.30.75-10.64.30.77",
        ],
    );
    assert_error(&d, "MG053", &at(1), &["mixes IPv4 and IPv6"]);
    assert_error(&d, "MG053", &at(2), &["host bits", "10.64.30.0/24"]);
    assert_error(&d, "MG053", &at(3), &["not a CIDR"]);
    assert_error(
        &d,
        "MG053",
        "clusters[2].metallb.pools[1].addresses",
        &["no addresses"],
    );
    // With entries unreadable, "outside the pools" and "too small" cannot be judged.
    assert_no(&d, "MG050");
    assert_no(&d, "MG056");
}

#[test]
fn pools_must_not_overlap() {
    let d = mutated(|p| {
        set_pools(
            &mut p.clusters[2],
            vec![pool("first-pool", &["10.64.30.73-10.64.30.77"])],
        )
    });
    assert_error(
        &d,
        "MG054",
        "clusters[2].metallb.pools[0].addresses[0]",
        &[
            "10.64.30.73-10.64.30.77 of pool first-pool of mdemo-cluster3 overlaps 10.64.30.71-10.64.30.73 of pool first-pool of mdemo-cluster1",
        ],
    );
    let d = mutated(|p| {
        set_pools(
            &mut p.clusters[1],
            vec![pool(
                "first-pool",
                &["10.6.136.25-10.6.136.29", "10.6.136.24/30"],
            )],
        )
    });
    assert_error(
        &d,
        "MG054",
        "clusters[1].metallb.pools[0].addresses[1]",
        &["of the same pool"],
    );
    let d = mutated(|p| {
        set_pools(
            &mut p.clusters[1],
            vec![
                pool("first-pool", &["10.6.136.25-10.6.136.29"]),
                pool("second", &["10.6.136.0/24"]),
            ],
        )
    });
    assert_error(
        &d,
        "MG054",
        "clusters[1].metallb.pools[1].addresses[0]",
        &["of pool first-pool in the same cluster"],
    );
}

#[test]
fn pools_must_not_hold_master_ips() {
    let d = mutated(|p| {
        set_pools(
            &mut p.clusters[0],
            vec![pool(
                "first-pool",
                &["10.64.30.71-10.64.30.73", "10.64.30.128/30"],
            )],
        )
    });
    assert_error(
        &d,
        "MG055",
        "clusters[0].metallb.pools[0].addresses[1]",
        &["holds its own masterIP 10.64.30.130"],
    );
    let d = mutated(|p| {
        set_pools(
            &mut p.clusters[0],
            vec![pool(
                "first-pool",
                &["10.64.30.71-10.64.30.73", "10.64.30.131/32"],
            )],
        )
    });
    assert_error(
        &d,
        "MG055",
        "clusters[0].metallb.pools[0].addresses[1]",
        &["the masterIP of mdemo-cluster3 10.64.30.131"],
    );
}

#[test]
fn pools_too_small_for_the_services() {
    // cluster3: east-west pinned to its only address, the ingress gateway has none left.
    let d = mutated(|p| {
        set_pools(
            &mut p.clusters[2],
            vec![pool("first-pool", &["10.64.30.77/32"])],
        )
    });
    assert_error(
        &d,
        "MG056",
        "clusters[2].metallb.pools",
        &[
            "the ingress gateway has no pinned IP and needs 1 IPv4 address",
            "hold 1 IPv4 address with 0 left",
            "add at least 1 IPv4 address",
        ],
    );
    assert_only(&d, &[("MG056", "clusters[2].metallb.pools")]);
    // cluster2 without an eastWest IP gets no east-west gateway (MG040 says so), so its one
    // address is enough for the ingress gateway: no MG056.
    let d = mutated(|p| {
        set_pools(
            &mut p.clusters[1],
            vec![pool("first-pool", &["10.6.136.25/32"])],
        );
        p.clusters[1].load_balancer_ips.east_west = None;
    });
    assert_only(&d, &[("MG040", "clusters[1].loadBalancerIPs.eastWest")]);
}

#[test]
fn pool_capacity_counts_auto_assign_and_avoid_buggy_ips() {
    // .255 and .0 do not count with avoidBuggyIPs: 10.6.136.255-10.6.137.0 holds nothing.
    let d = mutated(|p| {
        let mut buggy = pool("buggy", &["10.6.136.255-10.6.137.0"]);
        buggy.avoid_buggy_ips = Some(true);
        set_pools(
            &mut p.clusters[1],
            vec![pool("first-pool", &["10.6.136.29/32"]), buggy],
        );
    });
    assert_error(
        &d,
        "MG056",
        "clusters[1].metallb.pools",
        &["hold 1 IPv4 address with 0 left"],
    );
    // Without avoidBuggyIPs the same range serves the ingress gateway.
    assert_only(
        &mutated(|p| {
            set_pools(
                &mut p.clusters[1],
                vec![
                    pool("first-pool", &["10.6.136.29/32"]),
                    pool("buggy", &["10.6.136.255-10.6.137.0"]),
                ],
            )
        }),
        &[],
    );
    // A pool without autoAssign serves only pinned IPs.
    let d = mutated(|p| {
        let mut manual = pool("first-pool", &["10.6.136.25-10.6.136.29"]);
        manual.auto_assign = Some(false);
        set_pools(&mut p.clusters[1], vec![manual]);
    });
    assert_error(
        &d,
        "MG056",
        "clusters[1].metallb.pools",
        &["hold 0 IPv4 addresses with 0 left"],
    );
    // Pinning the ingress IP there fixes it.
    assert_only(
        &mutated(|p| {
            let mut manual = pool("first-pool", &["10.6.136.25-10.6.136.29"]);
            manual.auto_assign = Some(false);
            set_pools(&mut p.clusters[1], vec![manual]);
            p.clusters[1].load_balancer_ips.ingress = Some("10.6.136.28".into());
        }),
        &[],
    );
}

#[test]
fn lb_ip_used_twice() {
    let d = mutated(|p| p.clusters[0].load_balancer_ips.ingress = Some("10.64.30.73".into()));
    assert_error(
        &d,
        "MG057",
        "clusters[0].loadBalancerIPs.ingress",
        &[
            "ingress IP 10.64.30.73 of mdemo-cluster1 is already the eastWest IP of mdemo-cluster1",
            "10.64.30.72 is free",
        ],
    );
    assert_only(&d, &[("MG057", "clusters[0].loadBalancerIPs.ingress")]);
    let d = mutated(|p| p.clusters[2].load_balancer_ips.east_west = Some("10.64.30.73".into()));
    assert_error(
        &d,
        "MG057",
        "clusters[2].loadBalancerIPs.eastWest",
        &["(clusters[0].loadBalancerIPs.eastWest)"],
    );
}

// ---- versions -------------------------------------------------------------------------

#[test]
fn mesh_version_format() {
    let d = mutated(|p| p.mesh.version = "v1.15.3".into());
    assert_error(
        &d,
        "MG060",
        "mesh.version",
        &["MAJOR.MINOR.PATCH[-suffix]", "drop the leading `v`"],
    );
    let d = mutated(|p| p.mesh.version = "1.15".into());
    assert_error(&d, "MG060", "mesh.version", &["`1.15`"]);
    assert_only(&mutated(|p| p.mesh.version = "1.15.7".into()), &[]);
}

#[test]
fn kubernetes_version_format() {
    let d = mutated(|p| p.clusters[1].kubernetes_version = "v1.25".into());
    assert_error(
        &d,
        "MG061",
        "clusters[1].kubernetesVersion",
        &["drop the leading `v`"],
    );
    let d = mutated(|p| p.clusters[1].kubernetes_version = "1.25.0.1".into());
    assert_error(
        &d,
        "MG061",
        "clusters[1].kubernetesVersion",
        &["MAJOR.MINOR"],
    );
    assert_only(
        &mutated(|p| p.clusters[1].kubernetes_version = "1.24.17".into()),
        &[],
    );
}

#[test]
fn kubernetes_outside_the_istio_support_table_warns() {
    let d = mutated(|p| p.clusters[1].kubernetes_version = "1.28.3".into());
    assert_warning(
        &d,
        "MG062",
        "clusters[1].kubernetesVersion",
        &[
            "Kubernetes 1.28 is outside what Istio 1.15 supports (Kubernetes 1.22 to 1.25)",
            "use a mesh release based on Istio 1.19 to 1.24",
        ],
    );
    assert_only(&d, &[("MG062", "clusters[1].kubernetesVersion")]);
    // The suffix is ignored: 1.22.1-mspider is Istio 1.22 (Kubernetes 1.27 to 1.30).
    let d = mutated(|p| p.mesh.version = "1.22.1-mspider".into());
    assert_eq!(d.iter().filter(|d| d.code == "MG062").count(), 3);
    // A release newer than the table: no warning.
    assert_only(&mutated(|p| p.mesh.version = "1.99.0".into()), &[]);
    // The edges of the range are in it.
    assert_only(
        &mutated(|p| p.clusters[1].kubernetes_version = "1.22".into()),
        &[],
    );
}

// ---- demo -----------------------------------------------------------------------------

#[test]
fn demo_names_only_plan_clusters() {
    let d = mutated(|p| {
        let demo = p.demo.as_mut().unwrap();
        demo.helloworld
            .versions
            .insert("mdemo-cluster9".into(), "vc9".into());
        demo.sleep.clusters[2] = "mdemo-cluster03".into();
    });
    assert_error(
        &d,
        "MG070",
        "demo.helloworld.versions.mdemo-cluster9",
        &[
            "`mdemo-cluster9`",
            "mdemo-cluster1, mdemo-cluster2, mdemo-cluster3",
        ],
    );
    assert_error(
        &d,
        "MG070",
        "demo.sleep.clusters[2]",
        &["`mdemo-cluster03`"],
    );
    assert_only(
        &d,
        &[
            ("MG070", "demo.helloworld.versions.mdemo-cluster9"),
            ("MG070", "demo.sleep.clusters[2]"),
        ],
    );
}

#[test]
fn helloworld_versions_are_distinct() {
    let d = mutated(|p| {
        p.demo
            .as_mut()
            .unwrap()
            .helloworld
            .versions
            .insert("mdemo-cluster3".into(), "vc1".into());
    });
    assert_error(
        &d,
        "MG071",
        "demo.helloworld.versions.mdemo-cluster3",
        &["vc1 is used by both mdemo-cluster1 and mdemo-cluster3"],
    );
    assert_only(&d, &[("MG071", "demo.helloworld.versions.mdemo-cluster3")]);
}

#[test]
fn sleep_lists_each_cluster_once() {
    let d = mutated(|p| p.demo.as_mut().unwrap().sleep.clusters[2] = "mdemo-cluster1".into());
    assert_only(&d, &[("MG072", "demo.sleep.clusters[2]")]);
}

// ---- free text ------------------------------------------------------------------------

#[test]
fn registry_and_images_look_like_image_references() {
    let d = mutated(|p| {
        p.mesh.registry = Some("release.daocloud.io/mspider\nkind: Secret".into());
        let demo = p.demo.as_mut().unwrap();
        demo.helloworld.image = "docker.m.daocloud.io/istio/{{ image }}".into();
        demo.sleep.image = "curlimages/curl:8.7.1 # pinned".into();
    });
    assert_warning(
        &d,
        "MG080",
        "mesh.registry",
        &[
            "invisible character U+000A",
            "\\nkind: Secret",
            "exactly as given",
        ],
    );
    assert_warning(&d, "MG080", "demo.helloworld.image", &["contains a space"]);
    assert_warning(&d, "MG080", "demo.sleep.image", &["contains a space"]);
    assert_eq!(d.errors(), 0);
    let d = mutated(|p| p.mesh.registry = Some("release.daocloud.io/mspider:1.15.3".into()));
    assert_warning(&d, "MG080", "mesh.registry", &["tag or digest"]);
}

// ---- robustness -----------------------------------------------------------------------

#[test]
fn one_bad_value_never_hides_the_others() {
    let d = mutated(|p| {
        p.clusters[0].pod_subnet = "not a cidr".into();
        p.clusters[0].master_ip = "nope".into();
        p.clusters[0].load_balancer_ips.istiod = Some("10.64.30.999".into());
        set_pools(&mut p.clusters[1], vec![pool("first-pool", &["garbage"])]);
        p.clusters[2].load_balancer_ips.east_west = Some("10.64.30.73".into());
        p.clusters[2].service_subnet = Some("10.100.0.0/8".into());
        p.mesh.version = "one".into();
    });
    for (code, path) in [
        ("MG030", "clusters[0].podSubnet"),
        ("MG031", "clusters[0].masterIP"),
        ("MG031", "clusters[0].loadBalancerIPs.istiod"),
        ("MG053", "clusters[1].metallb.pools[0].addresses[0]"),
        ("MG057", "clusters[2].loadBalancerIPs.eastWest"),
        ("MG050", "clusters[2].loadBalancerIPs.eastWest"),
        ("MG030", "clusters[2].serviceSubnet"),
        ("MG060", "mesh.version"),
    ] {
        find(&d, code, path);
    }
    assert!(
        d.iter()
            .all(|d| d.severity == Severity::Error || d.code == "MG034")
    );
}

#[test]
fn ipv6_and_dual_stack_plans_are_checked_alike() {
    let dual = |p: &mut meshgen::Plan| {
        let v6 = [
            ("fd00:201::/56", "fd00:30::71-fd00:30::73"),
            ("fd00:202::/56", "fd00:6::25-fd00:6::29"),
            ("fd00:100::/56", "fd00:30::75-fd00:30::77"),
        ];
        for (c, (pods, range)) in p.clusters.iter_mut().zip(v6) {
            c.pod_subnet = format!("{},{pods}", c.pod_subnet);
            if let Some(m) = &mut c.metallb {
                m.pools[0].addresses.push(range.into());
            }
        }
        p.clusters[0].load_balancer_ips.istiod = Some("10.64.30.71,fd00:30::71".into());
        p.clusters[1].load_balancer_ips.east_west = Some("fd00:6::29,10.6.136.29".into());
    };
    assert_only(&mutated(dual), &[]);
    let d = mutated(|p| {
        dual(p);
        p.clusters[2].metallb.as_mut().unwrap().pools[0].addresses[1] =
            "fd00:30::73-fd00:30::77".into();
        p.clusters[1].load_balancer_ips.east_west = Some("fd00:6::30,10.6.136.29".into());
        p.clusters[2].load_balancer_ips.ingress = Some("fd00:201::10".into());
        p.clusters[2].pod_subnet = "10.100.0.0/16,fd00:201:0:80::/57".into();
    });
    assert_error(
        &d,
        "MG054",
        "clusters[2].metallb.pools[0].addresses[1]",
        &["fd00:30::73-fd00:30::77"],
    );
    assert_error(
        &d,
        "MG050",
        "clusters[1].loadBalancerIPs.eastWest",
        &[
            "fd00:6::30",
            "first-pool (fd00:6::25-fd00:6::29), e.g. fd00:6::25",
        ],
    );
    assert_warning(
        &d,
        "MG034",
        "clusters[2].podSubnet",
        &["fd00:201:0:80::/57", "fd00:201::/56"],
    );
    // An IPv6-only cluster counts IPv6 pool addresses for its Services.
    let d = mutated(|p| {
        let c = &mut p.clusters[1];
        c.pod_subnet = "fd00:202::/56".into();
        set_pools(
            c,
            vec![
                pool("v6", &["fd00:6::29/128"]),
                pool("v4", &["10.6.136.25-10.6.136.29"]),
            ],
        );
        c.load_balancer_ips.east_west = Some("fd00:6::29".into());
    });
    assert_error(
        &d,
        "MG056",
        "clusters[1].metallb.pools",
        &["needs 1 IPv6 address", "hold 1 IPv6 address with 0 left"],
    );
}

#[test]
fn dual_stack_ips_split_over_two_pools() {
    let d = mutated(|p| {
        set_pools(
            &mut p.clusters[1],
            vec![
                pool("first-pool", &["10.6.136.25-10.6.136.29"]),
                pool("v6-pool", &["fd00:6::10-fd00:6::1f"]),
            ],
        );
        p.clusters[1].load_balancer_ips.east_west = Some("10.6.136.29,fd00:6::10".into());
    });
    assert_error(
        &d,
        "MG058",
        "clusters[1].loadBalancerIPs.eastWest",
        &["lie in different MetalLB pools"],
    );
    // One pool holding both families serves the pair.
    let d = mutated(|p| {
        set_pools(
            &mut p.clusters[1],
            vec![pool(
                "first-pool",
                &["10.6.136.25-10.6.136.29", "fd00:6::10-fd00:6::1f"],
            )],
        );
        p.clusters[1].load_balancer_ips.east_west = Some("10.6.136.29,fd00:6::10".into());
    });
    assert_only(&d, &[]);
}

#[test]
fn metallb_interfaces_are_linux_interface_names() {
    let interfaces = |names: &[&str]| {
        mutated(|p| {
            if let Some(m) = p.clusters[0].metallb.as_mut() {
                m.interfaces = names.iter().map(|s| s.to_string()).collect();
            }
        })
    };
    let d = interfaces(&["enp1s0", "enp2s0\u{200B}"]);
    assert_only(&d, &[("MG059", "clusters[0].metallb.interfaces[1]")]);
    assert_error(
        &d,
        "MG059",
        "clusters[0].metallb.interfaces[1]",
        &["U+200B (zero-width space)", "`enp2s0\\u{200b}`", "ip link"],
    );
    assert_error(
        &interfaces(&["eth0:1"]),
        "MG059",
        "clusters[0].metallb.interfaces[0]",
        &["contains `:`"],
    );
    assert_error(
        &interfaces(&["a-very-long-name"]),
        "MG059",
        "clusters[0].metallb.interfaces[0]",
        &["16 bytes long, more than 15"],
    );
    assert_only(&interfaces(&["enp1s0", "br-1a2b3c4d5e6f", "vlan.100"]), &[]);
}

#[test]
fn bidi_and_invisible_characters_are_named_not_printed() {
    // A right-to-left override in a name: refused by the name's rule, named by code point,
    // and escaped in the message so it cannot reorder the report.
    let d = mutated(|p| p.clusters[1].network = "network-\u{202E}2c".into());
    let found = find(&d, "MG010", "clusters[1].network");
    assert!(
        found.message.contains("U+202E (right-to-left override)"),
        "{}",
        found.message
    );
    assert!(!found.message.contains('\u{202E}'), "{}", found.message);
    assert!(
        found.message.contains("network-\\u{202e}2c"),
        "{}",
        found.message
    );
    let d = mutated(|p| p.clusters[0].nodes[0].zone = "zone\u{2028}1".into());
    assert_error(
        &d,
        "MG013",
        "clusters[0].nodes[0].zone",
        &["U+2028 (line separator)"],
    );
    let d = mutated(|p| p.mesh.control_plane_cluster = Some("mdemo-cluster1\u{200D}".into()));
    let found = find(&d, "MG020", "mesh.controlPlaneCluster");
    assert!(!found.message.contains('\u{200D}'), "{}", found.message);
}

/// `check_parsed` hands the model the values the rules parsed; each agrees with what the
/// model derives from the plan text today, on every golden plan.
#[test]
fn parsed_facts_agree_with_the_model_on_every_golden_plan() {
    let mut seen = 0;
    for case in std::fs::read_dir("golden").unwrap() {
        let path = case.unwrap().path().join("plan.yaml");
        if !path.exists() {
            continue;
        }
        let text = read(path.to_str().unwrap());
        let source = meshgen::Source::new("plan.yaml", text, Format::Yaml);
        let plan = meshgen::plan::parse(&source).unwrap();
        let (diagnostics, facts) = meshgen::check::check_parsed(&plan);
        assert!(!diagnostics.has_errors(), "{}", path.display());
        let facts = facts.unwrap_or_else(|| panic!("{}: no parsed facts", path.display()));
        let model = meshgen::model::Model::resolve(&plan, &facts);
        assert_eq!(facts.mesh_version.to_string(), plan.mesh.version);
        assert_eq!(facts.dns_domain.as_str(), model.mesh.dns_domain);
        assert_eq!(
            format!("*.{}", facts.dns_domain.last_label()),
            model.mesh.cross_network_hosts
        );
        use meshgen::model::flavor::MeshFlavor;
        let control_plane = match &model.flavor {
            MeshFlavor::Hosted(hosted) => Some(&hosted.control_plane_cluster),
            MeshFlavor::PrimaryRemote(upstream) => upstream.primary.as_ref(),
            MeshFlavor::MultiPrimary(upstream) => {
                assert_eq!(upstream.istiod_clusters.len(), plan.clusters.len());
                None
            }
        };
        assert_eq!(
            facts.control_plane.map(|i| &plan.clusters[i].name),
            control_plane,
            "{}",
            path.display()
        );
        assert_eq!(facts.clusters.len(), model.clusters.len());
        for (parsed, cluster) in facts.clusters.iter().zip(&model.clusters) {
            assert_eq!(
                parsed.kubernetes.to_string(),
                cluster.kubernetes_version,
                "{}",
                cluster.name
            );
            assert_eq!(parsed.master_ip.to_string(), cluster.master_ip);
            assert_eq!(
                parsed.fallback_host_port, cluster.kind_config.fallback_host_port,
                "{}",
                cluster.name
            );
            for service in &cluster.lb_services {
                let pinned = parsed
                    .pinned()
                    .find(|p| {
                        p.ips.iter().map(|ip| ip.to_string()).collect::<Vec<_>>()
                            == service.address.addresses
                    })
                    .unwrap_or_else(|| panic!("{}: {}", cluster.name, service.name));
                assert_eq!(pinned.ips.primary().to_string(), service.address.primary);
                let pool_name = pinned.pool.map(|k| {
                    plan.clusters
                        .iter()
                        .find(|c| c.name == cluster.name)
                        .and_then(|c| c.metallb.as_ref())
                        .map(|m| m.pools[k].name.clone())
                        .unwrap()
                });
                assert_eq!(
                    pool_name, service.pool,
                    "{}: {}",
                    cluster.name, service.name
                );
            }
            if let Some(metallb) = &cluster.metallb {
                for (pool, model_pool) in parsed.pools.iter().zip(&metallb.pools) {
                    let entries: Vec<String> =
                        pool.entries.iter().map(|(_, e)| e.to_string()).collect();
                    assert_eq!(entries, model_pool.addresses, "{}", cluster.name);
                }
            }
        }
        seen += 1;
    }
    assert!(seen >= 5, "{seen} golden plans");
}

#[test]
fn parsed_facts_only_for_a_plan_without_errors() {
    let mut plan = demo();
    let (d, facts) = meshgen::check::check_parsed(&plan);
    assert!(d.is_empty());
    let facts = facts.unwrap();
    assert_eq!(facts.mesh_version.minor_version(), (1, 15));
    assert_eq!(facts.control_plane, Some(0));
    assert_eq!(facts.gitops_path, None);
    // Only a kind cluster with the NodePort fallback gets a host port: none here. Its port
    // follows its place in the plan.
    let ports = |facts: &meshgen::check::ParsedFacts| -> Vec<Option<u16>> {
        facts
            .clusters
            .iter()
            .map(|c| c.fallback_host_port)
            .collect()
    };
    assert_eq!(ports(&facts), [None, None, None]);
    let mut fallback = demo();
    fallback.clusters[2].kind = meshgen::plan::ClusterType::Kind;
    fallback.clusters[2].east_west_node_port = Some(31443);
    fallback.clusters[1].east_west_node_port = Some(31443);
    let (d, facts) = meshgen::check::check_parsed(&fallback);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(ports(&facts.unwrap()), [None, None, Some(35445)]);
    plan.clusters[1].kubernetes_version = "v1.25".into();
    let (d, facts) = meshgen::check::check_parsed(&plan);
    assert!(d.has_errors());
    assert!(facts.is_none());
}

/// A valid name of `len` characters (dot-separated parts of at most 63).
fn long_name(len: usize) -> String {
    let mut name: String = (0..len)
        .map(|i| if i % 50 == 49 { '.' } else { 'a' })
        .collect();
    name.pop();
    name.push('z');
    name
}

#[test]
fn node_and_pool_names_must_fit_in_a_file_name() {
    let d = mutated(|p| p.clusters[0].nodes[0].name = long_name(246));
    assert_only(&d, &[("MG101", "clusters[0].nodes[0].name")]);
    assert_error(
        &d,
        "MG101",
        "clusters[0].nodes[0].name",
        &[
            "patches/node-<name>.yaml, a 256-byte file name",
            "at most 245 characters",
        ],
    );
    let d = mutated(|p| {
        if let Some(m) = p.clusters[2].metallb.as_mut() {
            m.pools[0].name = long_name(237);
        }
    });
    assert_only(&d, &[("MG101", "clusters[2].metallb.pools[0].name")]);
    assert_error(
        &d,
        "MG101",
        "clusters[2].metallb.pools[0].name",
        &["ipaddresspool-<name>.yaml", "at most 236 characters"],
    );
    // A name over 253 characters is MG010 alone.
    let d = mutated(|p| p.clusters[0].nodes[0].name = long_name(254));
    assert_only(&d, &[("MG010", "clusters[0].nodes[0].name")]);

    // At the limit the plan is valid, and render writes both files.
    let mut plan = demo();
    plan.clusters[0].nodes[0].name = long_name(245);
    // With a worker, the control-plane node's patch is YAML (`.yaml`, the longer suffix).
    let mut worker = plan.clusters[0].nodes[0].clone();
    worker.name = "worker".into();
    plan.clusters[0].nodes.push(worker);
    if let Some(m) = plan.clusters[0].metallb.as_mut() {
        m.pools[0].name = long_name(236);
    }
    assert!(meshgen::check::check(&plan).is_empty());
    let text = serde_json::to_string(&plan).unwrap();
    let source = meshgen::Source::new("plan.yaml", text, Format::Yaml);
    let (model, _) = meshgen::resolve(&source, &Default::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let writer = meshgen::write::Writer::start(&out, false, None).unwrap();
    meshgen::render_into(model, &Default::default(), writer)
        .unwrap_or_else(|_| panic!("render at the file-name limit failed"));
    let patches = out.join("clusters/mdemo-cluster1/patches");
    assert!(
        patches
            .join(format!("node-{}.yaml", long_name(245)))
            .is_file()
    );
    let pools = out.join("clusters/mdemo-cluster1/metallb");
    assert!(
        pools
            .join(format!("ipaddresspool-{}.yaml", long_name(236)))
            .is_file()
    );
}

// ---- traffic: locality failover ---------------------------------------------------------

fn failover(entry: meshgen::plan::Failover) -> impl FnOnce(&mut meshgen::Plan) {
    move |p| {
        // Three regions: cluster1 region1, cluster2 region2, cluster3 region3.
        for (i, c) in p.clusters.iter_mut().enumerate() {
            c.nodes[0].region = format!("region{}", i + 1);
        }
        p.traffic = Some(meshgen::plan::Traffic {
            failover: vec![entry],
        });
    }
}

fn entry(service: &str) -> meshgen::plan::Failover {
    meshgen::plan::Failover {
        service: service.into(),
        clusters: None,
        failover_priority: vec![],
        failover: vec![],
        outlier_detection: None,
    }
}

fn pair(from: &str, to: &str) -> meshgen::plan::RegionFailover {
    meshgen::plan::RegionFailover {
        from: from.into(),
        to: to.into(),
    }
}

#[test]
fn failover_settings_istio_accepts_pass() {
    // Istio's rule compares the exact key: the network label (and key=value forms of
    // region labels) may go with failover pairs.
    let mut e = entry("helloworld.sample");
    e.failover_priority = vec![
        "topology.istio.io/network".into(),
        "topology.kubernetes.io/region=region2".into(),
    ];
    e.failover = vec![pair("region1", "region2"), pair("region2", "region3")];
    assert_only(&mutated(failover(e)), &[]);
    let mut e = entry("sleep.sample");
    e.failover_priority = vec!["topology.kubernetes.io/region".into()];
    assert_only(&mutated(failover(e)), &[]);
}

#[test]
fn failover_refuses_what_istio_refuses() {
    let mut e = entry("helloworld.sample");
    e.failover_priority = vec![
        "topology.istio.io/network".into(),
        "topology.kubernetes.io/zone".into(),
        "topology.istio.io/subzone".into(),
    ];
    e.failover = vec![
        pair("region1", "region1"),
        pair("region2", "region*"),
        pair("region3", "region1/zone1"),
    ];
    let d = mutated(failover(e));
    // One MG115 for the entry (Istio stops at the first locality label).
    assert_error(
        &d,
        "MG115",
        "traffic.failover[0].failoverPriority[1]",
        &["topology.kubernetes.io/zone"],
    );
    assert_no_more(&d, "MG115", 1);
    // Every pair is judged.
    assert_error(
        &d,
        "MG116",
        "traffic.failover[0].failover[0].from",
        &["the same region"],
    );
    assert_error(
        &d,
        "MG116",
        "traffic.failover[0].failover[1].from",
        &["`*`"],
    );
    assert_error(
        &d,
        "MG116",
        "traffic.failover[0].failover[2].from",
        &["`/`"],
    );
}

fn assert_no_more(d: &meshgen::Diagnostics, code: &str, count: usize) {
    assert_eq!(d.iter().filter(|x| x.code == code).count(), count, "{d:?}");
}

#[test]
fn failover_regions_exist_and_run_the_service() {
    let mut e = entry("reviews.bookinfo");
    e.clusters = Some(vec!["mdemo-cluster1".into(), "mdemo-cluster2".into()]);
    e.failover = vec![
        pair("region1", "region3"),
        pair("region9", "region2"),
        pair("region2", "region1"),
        pair("region1", "region2"),
    ];
    let d = mutated(failover(e));
    assert_error(
        &d,
        "MG118",
        "traffic.failover[0].failover[0].to",
        &["region3", "runs it"],
    );
    assert_error(
        &d,
        "MG117",
        "traffic.failover[0].failover[1].from",
        &["region9", "region1, region2 and region3"],
    );
    assert_error(
        &d,
        "MG116",
        "traffic.failover[0].failover[3].from",
        &["failover[0]", "only the first"],
    );
    assert_no_more(&d, "MG117", 1);
    assert_no_more(&d, "MG118", 1);
}

#[test]
fn failover_service_must_be_placed() {
    let d = mutated(failover(entry("helloworld")));
    assert_error(
        &d,
        "MG110",
        "traffic.failover[0].service",
        &["<name>.<namespace>"],
    );
    let d = mutated(failover(entry("1hello.sample")));
    assert_error(
        &d,
        "MG110",
        "traffic.failover[0].service",
        &["start with a letter"],
    );
    let d = mutated(failover(entry("reviews.bookinfo")));
    assert_error(
        &d,
        "MG111",
        "traffic.failover[0].service",
        &["bookinfo", "`sample`", "clusters"],
    );
    let d = mutated(failover(entry("ratings.sample")));
    assert_error(
        &d,
        "MG112",
        "traffic.failover[0].service",
        &["ratings.sample", "helloworld and sleep"],
    );
    let mut e = entry("helloworld.sample");
    e.clusters = Some(vec!["mdemo-cluster1".into()]);
    assert_error(
        &mutated(failover(e)),
        "MG112",
        "traffic.failover[0].clusters",
        &["demo app"],
    );
    let mut e = entry("reviews.bookinfo");
    e.clusters = Some(vec![
        "mdemo-cluster1".into(),
        "mdemo-cluster1".into(),
        "nope".into(),
    ]);
    let d = mutated(failover(e));
    assert_error(&d, "MG113", "traffic.failover[0].clusters[1]", &["twice"]);
    assert_error(&d, "MG113", "traffic.failover[0].clusters[2]", &["`nope`"]);
    // Without a demo, no namespace is declared.
    let d = mutated(|p| {
        failover(entry("helloworld.sample"))(p);
        p.demo = None;
    });
    assert_error(&d, "MG111", "traffic.failover[0].service", &["no demo"]);
}

#[test]
fn failover_priority_and_durations_are_checked() {
    let mut e = entry("helloworld.sample");
    e.failover_priority = vec![
        "topology.istio.io/network".into(),
        "version=a=b".into(),
        "topology.istio.io/network".into(),
        "Bad Key".into(),
    ];
    e.outlier_detection = Some(meshgen::plan::OutlierDetection {
        consecutive_5xx_errors: None,
        interval: Some("1.5ms".into()),
        base_ejection_time: Some("2m".into()),
    });
    let d = mutated(failover(e));
    assert_error(
        &d,
        "MG119",
        "traffic.failover[0].failoverPriority[1]",
        &["two `=`"],
    );
    assert_error(
        &d,
        "MG119",
        "traffic.failover[0].failoverPriority[2]",
        &["earlier entry"],
    );
    assert_error(
        &d,
        "MG119",
        "traffic.failover[0].failoverPriority[3]",
        &["contains a space"],
    );
    assert_error(
        &d,
        "MG120",
        "traffic.failover[0].outlierDetection.interval",
        &["whole number of milliseconds"],
    );
    assert_no(&d, "MG121");
}

#[test]
fn failover_in_one_locality_is_a_warning() {
    // The demo's three clusters share region1; cluster2 and 3 moved to cluster1's zone.
    let d = mutated(|p| {
        for c in &mut p.clusters {
            c.nodes[0].zone = "zone1".into();
            c.nodes[0].subzone = None;
        }
        p.traffic = Some(meshgen::plan::Traffic {
            failover: vec![entry("helloworld.sample")],
        });
    });
    assert_warning(
        &d,
        "MG121",
        "traffic.failover[0].service",
        &["one locality"],
    );
    // Ordered by network first, the three networks are three levels: no warning.
    let d = mutated(|p| {
        for c in &mut p.clusters {
            c.nodes[0].zone = "zone1".into();
            c.nodes[0].subzone = None;
        }
        let mut e = entry("helloworld.sample");
        e.failover_priority = vec!["topology.istio.io/network".into()];
        p.traffic = Some(meshgen::plan::Traffic { failover: vec![e] });
    });
    assert_no(&d, "MG121");
}

#[test]
fn the_demo_plans_commented_traffic_section_is_valid_when_uncommented() {
    let text = read(DEMO_YAML);
    let (plan, traffic) = text
        .split_once("# traffic:")
        .expect("the demo plan shows traffic");
    let uncommented: String =
        std::iter::once("traffic:".to_owned() + traffic.lines().next().unwrap_or(""))
            .chain(
                traffic
                    .lines()
                    .skip(1)
                    .map(|l| l.strip_prefix("# ").unwrap_or(l).to_owned()),
            )
            .collect::<Vec<_>>()
            .join("\n");
    let text = format!("{plan}{uncommented}\n");
    assert_only(&located(&text, Format::Yaml), &[]);
    let parsed =
        meshgen::plan::parse(&meshgen::Source::new("plan.yaml", text, Format::Yaml)).unwrap();
    let traffic = parsed.traffic.expect("a traffic section");
    assert_eq!(traffic.failover[0].service, "helloworld.sample");
    assert!(traffic.failover[0].outlier_detection.is_some());
}
