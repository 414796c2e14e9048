//! check() at fleet scale: 10,000 clusters of 20 nodes. The rules sort or index instead of
//! comparing pairs, so a clean plan costs near-linear time and a plan where everything
//! overlaps everything still gets a report that grows linearly, not quadratically.
//! Timings are printed (`cargo test --release --test check_scale -- --nocapture`).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::time::Instant;

use meshgen::plan::*;

fn v4(n: u32) -> Ipv4Addr {
    Ipv4Addr::from(n)
}

/// A valid plan: `n` clusters on n/3 networks, `nodes` nodes and two pools each.
fn fleet(n: u32, nodes: u32) -> Plan {
    let pods = u32::from(Ipv4Addr::new(10, 0, 0, 0));
    let pools = u32::from(Ipv4Addr::new(172, 16, 0, 0));
    let masters = u32::from(Ipv4Addr::new(192, 168, 0, 1));
    let clusters = (0..n)
        .map(|i| {
            let pool = |k: u32| Pool {
                name: format!("pool-{k}"),
                addresses: vec![format!("{}/29", v4(pools + i * 16 + k * 8))],
                auto_assign: None,
                avoid_buggy_ips: None,
            };
            Cluster {
                name: format!("cluster-{i}"),
                kind: ClusterType::StandardK8s,
                kubernetes_version: "1.25".into(),
                pod_subnet: format!("{}/24", v4(pods + i * 256)),
                service_subnet: Some("10.96.0.0/16".into()),
                master_ip: v4(masters + i).to_string(),
                network: format!("net-{}", i / 3),
                nodes: (0..nodes)
                    .map(|j| Node {
                        name: format!("node-{j}"),
                        role: None,
                        region: format!("region-{}", i % 5),
                        zone: format!("zone-{}", j % 3),
                        subzone: Some(format!("sub-{}", j % 2)),
                    })
                    .collect(),
                metallb: Some(Metallb {
                    pools: vec![pool(0), pool(1)],
                    interfaces: vec![],
                }),
                load_balancer_ips: LoadBalancerIps {
                    istiod: (i == 0).then(|| v4(pools + i * 16 + 1).to_string()),
                    east_west: Some(v4(pools + i * 16 + 2).to_string()),
                    ingress: None,
                },
            }
        })
        .collect::<Vec<_>>();
    let names: Vec<String> = clusters.iter().map(|c| c.name.clone()).collect();
    Plan {
        mesh: Mesh {
            id: "fleet".into(),
            version: "1.15.3-mspider".into(),
            mode: MeshMode::Hosted,
            control_plane_cluster: "cluster-0".into(),
            global_cluster: "kpanda-global-cluster".into(),
            registry: "release.daocloud.io/mspider".into(),
            network_mode: NetworkMode::Multi,
            dns_domain: default_dns_domain(),
        },
        demo: Some(Demo {
            namespace: "sample".into(),
            helloworld: Helloworld {
                image: "docker.m.daocloud.io/istio/examples-helloworld-v1".into(),
                versions: names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (n.clone(), format!("v{i}")))
                    .collect::<BTreeMap<_, _>>(),
            },
            sleep: Sleep {
                image: "curlimages/curl".into(),
                clusters: names,
            },
        }),
        gitops: None,
        clusters,
    }
}

/// The diagnostics, and the fastest of five runs in milliseconds (the machine is shared).
fn timed(plan: &Plan) -> (meshgen::Diagnostics, f64) {
    let mut best = f64::MAX;
    let mut diagnostics = meshgen::Diagnostics::default();
    for _ in 0..5 {
        let start = Instant::now();
        diagnostics = meshgen::check::check(plan);
        best = best.min(start.elapsed().as_secs_f64() * 1000.0);
    }
    (diagnostics, best)
}

#[test]
fn a_clean_fleet_of_10000_clusters() {
    let small = fleet(1_000, 20);
    let (d, small_ms) = timed(&small);
    assert!(d.is_empty(), "{:?}", d.iter().take(5).collect::<Vec<_>>());
    let big = fleet(10_000, 20);
    let (d, big_ms) = timed(&big);
    assert!(d.is_empty(), "{:?}", d.iter().take(5).collect::<Vec<_>>());
    eprintln!(
        "check(): 1,000 clusters {small_ms:.1} ms, 10,000 clusters {big_ms:.1} ms (x{:.1})",
        big_ms / small_ms
    );
}

#[test]
fn everything_overlapping_everything_reports_linearly() {
    // Single mode, one network, every pod subnet and every pool the same, every LB IP shared.
    let mut plan = fleet(10_000, 2);
    plan.mesh.network_mode = NetworkMode::Single;
    for c in &mut plan.clusters {
        c.network = "flat".into();
        c.pod_subnet = "10.0.0.0/16".into();
        c.metallb = Some(Metallb {
            pools: vec![Pool {
                name: "pool".into(),
                addresses: vec!["172.16.0.0/29".into()],
                auto_assign: None,
                avoid_buggy_ips: None,
            }],
            interfaces: vec![],
        });
        c.load_balancer_ips.east_west = Some("172.16.0.2".into());
    }
    let (d, ms) = timed(&plan);
    let count = |code: &str| d.iter().filter(|d| d.code == code).count();
    // One report per cluster that overlaps an earlier one, not one per pair (50 million).
    assert_eq!(count("MG032"), 9_999);
    assert_eq!(count("MG054"), 9_999);
    assert_eq!(count("MG057"), 9_999);
    assert_eq!(count("MG041"), 10_000);
    assert!(d.len() < 5 * 10_000, "{} diagnostics", d.len());
    eprintln!(
        "check(): 10,000 clusters all overlapping: {ms:.1} ms, {} diagnostics",
        d.len()
    );
}
