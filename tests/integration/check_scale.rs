//! check() at fleet scale: 10,000 clusters of 20 nodes. The rules sort or index instead of
//! comparing pairs, so a clean plan costs near-linear time and a plan where everything
//! overlaps everything still gets a report that grows linearly, not quadratically.
//! Timings are printed (`cargo test --release --test integration check_scale -- --nocapture`).

use std::time::Instant;

use meshgen::plan::*;

// The benchmark's generator: N clusters on N/3 networks, two pools each.
#[path = "../../benches/support/plan_gen.rs"]
#[allow(dead_code)] // its YAML writer serves the benchmark only
mod plan_gen;
use plan_gen::plan as fleet;

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
    let _alone = crate::support::timed_alone();
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
    let _alone = crate::support::timed_alone();
    // Single mode, one network, every pod subnet and every pool the same, every LB IP shared.
    let mut plan = fleet(10_000, 2);
    plan.mesh.network_mode = NetworkMode::Single;
    for c in &mut plan.clusters {
        c.network = "flat".into();
        c.pod_subnet = "10.0.0.0/16".into();
        c.metallb = Some(Metallb {
            pools: vec![Pool {
                name: "pool".into(),
                addresses: vec!["192.0.2.0/29".into()],
                auto_assign: None,
                avoid_buggy_ips: None,
            }],
            interfaces: vec![],
        });
        c.load_balancer_ips.east_west = Some("192.0.2.2".into());
        c.load_balancer_ips.ingress = None;
    }
    let (d, ms) = timed(&plan);
    let count = |code: &str| d.iter().filter(|d| d.code == code).count();
    // One report per cluster that overlaps an earlier one, not one per pair (50 million).
    assert_eq!(count("MG032"), 9_999);
    assert_eq!(count("MG054"), 9_999);
    assert_eq!(count("MG057"), 9_999);
    assert_eq!(count("MG041"), 10_000);
    let mut by_code = std::collections::BTreeMap::new();
    for x in d.iter() {
        *by_code.entry(x.code).or_insert(0) += 1;
    }
    assert!(d.len() < 5 * 10_000, "{} diagnostics: {by_code:?}", d.len());
    eprintln!(
        "check(): 10,000 clusters all overlapping: {ms:.1} ms, {} diagnostics",
        d.len()
    );
}

/// The fleet with its last cluster a kind cluster with the NodePort fallback.
fn fleet_with_fallback(clusters: u32) -> meshgen::Plan {
    let mut plan = fleet(clusters, 1);
    if let Some(last) = plan.clusters.last_mut() {
        last.kind = meshgen::plan::ClusterType::Kind;
        last.east_west_node_port = Some(31443);
    }
    plan
}

/// MG100: the NodePort fallback host port of the cluster at place N is 35443 + N, so the
/// 30,094th cluster with the fallback has none. `validate` says so, where the model
/// refused it as an internal error; one cluster fewer passes both.
#[test]
fn the_fallback_host_ports_run_out_at_the_30094th_cluster() {
    let fits = fleet_with_fallback(30_093);
    let (d, facts) = meshgen::check::check_parsed(&fits);
    assert!(d.is_empty(), "{:?}", d.iter().take(5).collect::<Vec<_>>());
    let facts = facts.expect("parsed facts");
    assert_eq!(
        facts.clusters.last().unwrap().fallback_host_port,
        Some(65535)
    );
    let model = meshgen::model::Model::resolve(&fits, &facts);
    assert_eq!(
        model
            .clusters
            .last()
            .unwrap()
            .kind_config
            .fallback_host_port,
        Some(65535)
    );
    drop(model);
    drop(fits);

    let over = fleet_with_fallback(30_094);
    let (d, facts) = meshgen::check::check_parsed(&over);
    let codes: Vec<(&str, &str)> = d
        .iter()
        .map(|d| (d.code.as_str(), d.path.as_str()))
        .collect();
    assert_eq!(
        codes,
        [("MG100", "clusters[30093].eastWestNodePort")],
        "{:?}",
        d.iter().take(5).collect::<Vec<_>>()
    );
    let only = d.iter().next().unwrap();
    assert!(
        only.message.contains("cluster-30093 is cluster 30094"),
        "{}",
        only.message
    );
    assert!(only.message.contains("would be 65536"), "{}", only.message);
    assert!(only.hint.contains("among the first 30093"), "{}", only.hint);
    // What the check refuses never reaches the model.
    assert!(facts.is_none());
}

#[test]
fn repeated_problems_fold_in_text_and_stay_whole_in_json() {
    // 1,000 clusters on a Kubernetes release the mesh's Istio does not support: one warning each.
    let mut plan = fleet(1_000, 1);
    plan.mesh.version = "1.15.3-mspider".into();
    for c in &mut plan.clusters {
        c.kubernetes_version = "1.28".into();
    }
    let source = meshgen::Source::new("fleet.yaml", plan_gen::yaml(&plan), meshgen::Format::Yaml);
    let checked = meshgen::check_source(&source, false).expect("warnings only");
    let warnings = &checked.warnings;
    assert_eq!(warnings.iter().filter(|d| d.code == "MG062").count(), 1_000);
    let text = warnings.to_text(&source, false);
    let titles = text
        .lines()
        .filter(|l| l.starts_with("warning[MG062]"))
        .count();
    assert_eq!(titles, 3, "{text}");
    let fold = text
        .lines()
        .find(|l| l.starts_with("note: 997 more warnings [MG062] with the same message: "))
        .unwrap_or_else(|| panic!("no fold line in:\n{text}"));
    assert!(
        fold.contains("clusters[3].kubernetesVersion (line "),
        "{fold}"
    );
    assert!(fold.contains(" and 992 others"), "{fold}");
    assert!(text.lines().count() < 100, "{} lines", text.lines().count());
    assert!(text.ends_with("fleet.yaml: 1000 warnings\n"), "{text}");
    // JSON and GitHub keep every one.
    let json: serde_json::Value =
        serde_json::from_str(&meshgen::report::json(Some("fleet.yaml"), warnings)).unwrap();
    assert_eq!(json["diagnostics"].as_array().map(Vec::len), Some(1_000));
    assert_eq!(
        meshgen::report::github(None, warnings).lines().count(),
        1_000
    );
}

#[test]
fn a_report_on_one_long_line_is_complete_and_bounded() {
    // 80,000 entries of one flow list, each naming a cluster the plan does not have.
    let demo = std::fs::read_to_string("golden/demo/plan.yaml").unwrap();
    let names: Vec<String> = (0..80_000).map(|i| format!("x{i}")).collect();
    let plan = demo.replacen(
        "clusters: [mdemo-cluster1, mdemo-cluster2, mdemo-cluster3]",
        &format!("clusters: [{}]", names.join(", ")),
        1,
    );
    assert_ne!(plan, demo);
    let source = meshgen::Source::new("plan.yaml", plan, meshgen::Format::Yaml);
    let diagnostics = meshgen::check_source(&source, false).err().expect("errors");
    let unknown = diagnostics.iter().filter(|d| d.code == "MG070").count();
    assert_eq!(unknown, 80_000);
    let text = diagnostics.to_text(&source, false);
    // Every caret is drawn (the messages differ, so nothing folds), each under an excerpt
    // of at most about 100 characters, not the 560 kB line.
    assert_eq!(text.matches("error[MG070]").count(), 80_000);
    assert!(text.contains("^ demo.sleep.clusters[79999]"));
    assert!(
        text.lines().all(|l| l.chars().count() < 300),
        "a line of the report is not bounded"
    );
    let json = meshgen::report::json(Some("plan.yaml"), &diagnostics);
    assert!(json.contains(r#""path":"demo.sleep.clusters[79999]""#));
}

/// The topology of a large mesh stays readable and within what Mermaid draws by default
/// (mermaid-js/mermaid `packages/mermaid/src/schemas/config.schema.yaml`: `maxTextSize`
/// 50,000 characters, `maxEdges` 500): at most 10 networks and 6 clusters in each are
/// drawn, the control plane's network first, the rest counted, and the diagram says so.
#[test]
fn the_diagram_of_a_large_mesh_is_summarised() {
    let resolve = |plan: &Plan| {
        let (_, facts) = meshgen::check::check_parsed(plan);
        meshgen::model::Model::resolve(plan, &facts.expect("the plan passes the checks"))
    };
    let plan = fleet(1_000, 2);
    let model = resolve(&plan);
    let graph = meshgen::graph::Graph::of(&model);
    let mermaid = meshgen::graph::mermaid(&graph);
    assert!(mermaid.len() < 50_000, "{} characters", mermaid.len());
    let edges = mermaid
        .lines()
        .filter(|l| l.contains("--") || l.contains("-."))
        .count();
    assert!(edges < 500, "{edges} edges");
    assert_eq!(graph.groups.len(), meshgen::graph::MAX_NETWORKS);
    assert!(
        graph.groups[0]
            .nodes
            .iter()
            .any(|n| Some(&n.lines[0]) == plan.mesh.control_plane_cluster.as_ref())
    );
    let summary = graph.summary.as_deref().expect("a summary");
    assert!(
        summary.contains("1000 clusters on 334 networks"),
        "{summary}"
    );
    assert!(
        mermaid.contains("324 more networks, 970 clusters"),
        "{mermaid}"
    );
    // Each drawn network of three clusters shows them all; none is summarised.
    assert!(!mermaid.contains("more clusters"));
    // Graphviz lays the summarised fleet out (CI installs it; without it, say so).
    let dot = meshgen::graph::dot(&graph);
    match std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        Ok(mut child) => {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(dot.as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "dot: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Err(_) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but Graphviz is not installed"
            );
            eprintln!(
                "\n*** SKIPPED dot -Tsvg of the fleet's graph: Graphviz is not installed ***\n"
            );
        }
    }
    let mut wide = fleet(30, 2);
    for c in &mut wide.clusters {
        c.network = "one".into();
    }
    let model = resolve(&wide);
    let mermaid = meshgen::graph::mermaid(&meshgen::graph::Graph::of(&model));
    assert!(
        mermaid.contains("more0{{\"24 more clusters\"}}"),
        "{mermaid}"
    );
}

/// Which istiod reads which cluster's API server is drawn while it stays readable: every
/// pair of a small multi-primary mesh is one dotted edge both ways; a mesh with more than
/// `MAX_SECRET_EDGES` such edges among the drawn clusters draws none and says so.
#[test]
fn remote_secret_edges_are_drawn_or_summarised() {
    let multi_primary = |clusters: u32| {
        let mut plan = fleet(clusters, 2);
        plan.mesh.mode = meshgen::plan::MeshMode::MultiPrimary;
        plan.mesh.version = "1.29.2".into();
        (plan.mesh.control_plane_cluster, plan.mesh.global_cluster) = (None, None);
        for cluster in &mut plan.clusters {
            cluster.load_balancer_ips.istiod = None;
        }
        let (diagnostics, facts) = meshgen::check::check_parsed(&plan);
        let facts = facts.unwrap_or_else(|| panic!("{diagnostics:?}"));
        meshgen::graph::Graph::of(&meshgen::model::Model::resolve(&plan, &facts))
    };
    let reads = |graph: &meshgen::graph::Graph| {
        (graph.edges.iter())
            .filter(|e| e.kind == meshgen::graph::EdgeKind::ReadEachOther)
            .count()
    };
    // Three primaries: three pairs.
    let small = multi_primary(3);
    assert_eq!(reads(&small), 3);
    assert!(small.summary.is_none(), "{:?}", small.summary);
    // Thirty: 60 drawn at most (10 networks of 3), far more than MAX_SECRET_EDGES pairs.
    let large = multi_primary(30);
    assert_eq!(reads(&large), 0);
    let summary = large.summary.as_deref().expect("a summary");
    assert!(
        summary.contains(
            "870 remote secrets (which istiod reads which cluster's API server) are not drawn."
        ),
        "{summary}"
    );
}
