//! Valid plans of any size, for the benchmark: N clusters over ceil(N/3) networks,
//! M nodes and two MetalLB pools per cluster. Built as a typed `Plan` and
//! serialized, so the text is always well-formed.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use meshgen::plan::{
    Cluster, ClusterType, Demo, Helloworld, LoadBalancerIps, Mesh, MeshMode, Metallb, NetworkMode,
    Node, Plan, Pool, Sleep, default_demo_namespace, default_dns_domain,
};

/// `base + offset` as dotted IPv4.
fn ip(base: [u8; 4], offset: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(Ipv4Addr::from(base)) + offset)
}

/// A plan that passes every check. Address plan, per cluster `i`:
/// pods 10.0.0.0/8 + i*/24 ... (one /24 each), services 11.0.0.0/8 + i*/24,
/// master 172.16.0.1 + i, pools 100.64.0.0 + 8i .. +3 and +4 .. +7.
pub fn plan(clusters: u32, nodes: u32) -> Plan {
    let networks = clusters.div_ceil(3).max(1);
    let name = |i: u32| format!("cluster-{i:05}");
    let clusters_list: Vec<Cluster> = (0..clusters)
        .map(|i| {
            let pools_base = 8 * i;
            let east_west = ip([100, 64, 0, 0], pools_base);
            Cluster {
                name: name(i),
                kind: ClusterType::StandardK8s,
                kubernetes_version: "1.29".into(),
                pod_subnet: format!("{}/24", ip([10, 0, 0, 0], i << 8)),
                service_subnet: Some(format!("{}/24", ip([11, 0, 0, 0], i << 8))),
                master_ip: ip([172, 16, 0, 1], i).to_string(),
                network: format!("network-{:05}", i % networks),
                nodes: (0..nodes)
                    .map(|n| Node {
                        name: format!("node-{n:02}"),
                        role: None,
                        region: format!("region-{}", i % 7),
                        zone: format!("zone-{}", n % 3),
                        subzone: (n % 2 == 0).then(|| format!("subzone-{}", n % 4)),
                    })
                    .collect(),
                metallb: Some(Metallb {
                    pools: vec![
                        Pool {
                            name: "mesh-pool".into(),
                            addresses: vec![format!(
                                "{}-{}",
                                east_west,
                                ip([100, 64, 0, 0], pools_base + 3)
                            )],
                            auto_assign: None,
                            avoid_buggy_ips: None,
                        },
                        Pool {
                            name: "apps-pool".into(),
                            addresses: vec![format!("{}/30", ip([100, 64, 0, 0], pools_base + 4))],
                            auto_assign: Some(true),
                            avoid_buggy_ips: None,
                        },
                    ],
                    interfaces: vec!["eth0".into()],
                }),
                load_balancer_ips: LoadBalancerIps {
                    istiod: (i == 0).then(|| ip([100, 64, 0, 0], pools_base + 2).to_string()),
                    east_west: Some(east_west.to_string()),
                    ingress: Some(ip([100, 64, 0, 0], pools_base + 1).to_string()),
                },
                east_west_node_port: None,
                kubeadm: None,
            }
        })
        .collect();
    let demo_clusters: Vec<String> = (0..clusters.min(3)).map(name).collect();
    Plan {
        mesh: Mesh {
            id: "bench-mesh".into(),
            version: "1.22.3".into(),
            mode: MeshMode::Hosted,
            control_plane_cluster: Some(name(0)),
            global_cluster: Some("kpanda-global-cluster".into()),
            registry: Some("release.daocloud.io/mspider".into()),
            network_mode: NetworkMode::Multi,
            dns_domain: default_dns_domain(),
        },
        demo: Some(Demo {
            namespace: default_demo_namespace(),
            helloworld: Helloworld {
                image: "docker.m.daocloud.io/istio/examples-helloworld-v1".into(),
                versions: demo_clusters
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (c.clone(), format!("v{i}")))
                    .collect::<BTreeMap<_, _>>(),
            },
            sleep: Sleep {
                image: "curlimages/curl".into(),
                clusters: demo_clusters,
            },
        }),
        clusters: clusters_list,
        gitops: None,
        metallb: None,
        traffic: None,
    }
}

/// The plan as block YAML, the way people write plans.
pub fn yaml(plan: &Plan) -> String {
    serde_saphyr::to_string(plan).expect("a plan serializes")
}
