//! `verify.sh` of the upstream golden trees (multi-primary, primary-remote): the mock
//! clusters of `verify.rs` plus what the upstream runbooks set up, spelled out here from
//! the plan and the upstream sources: Helm's release Secrets (helm/helm
//! `pkg/storage/driver/secrets.go`: labels `owner=helm`, `name`, `status`), istiod's
//! Deployment, the remote's `topology.istio.io/controlPlaneClusters` annotation, the
//! `expose-istiod` objects (istio/istio `samples/multicluster/expose-istiod.yaml`) and the
//! remote secrets `istio-remote-secret-<cluster>` annotated `networking.istio.io/cluster`
//! (istio/istio `istioctl/pkg/multicluster/remote_secret.go`).

use meshgen::plan::{MeshMode, Plan};

use crate::verify::{
    Answer, DESTINATION_RULE, World, addresses, joined, load, not_found, ok, run, world,
};

const HELM_STATUS: &str = "jsonpath={.items[*].metadata.labels.status}";
const READY: &str = "jsonpath={.status.readyReplicas}/{.spec.replicas}";
const CONTROL_PLANE_CLUSTERS: &str =
    "jsonpath={.metadata.annotations.topology\\.istio\\.io/controlPlaneClusters}";
const SECRET_CLUSTER: &str = "jsonpath={.metadata.annotations.networking\\.istio\\.io/cluster}";
const LB_IPS: &str = "jsonpath={.status.loadBalancer.ingress[*].ip}";
const EXPOSE_GATEWAY: &str = "jsonpath={.spec.servers[*].port.number} {.spec.servers[*].tls.mode}";
const EXPOSE_VS: &str = "jsonpath={.spec.tls[*].route[*].destination.port.number}";

/// The plan's clusters that run istiod: every one (multi-primary), or the primary.
pub(crate) fn istiod_clusters(plan: &Plan) -> Vec<String> {
    let primary = plan.mesh.control_plane_cluster.as_deref();
    plan.clusters
        .iter()
        .filter(|c| plan.mesh.mode == MeshMode::MultiPrimary || Some(c.name.as_str()) == primary)
        .map(|c| c.name.clone())
        .collect()
}

fn helm(release: &str) -> Vec<String> {
    let selector = format!("owner=helm,name={release}");
    [
        "get",
        "secrets",
        "-n",
        "istio-system",
        "-l",
        &selector,
        "-o",
        HELM_STATUS,
    ]
    .map(str::to_owned)
    .to_vec()
}

fn remote_secret(of: &str) -> Vec<String> {
    let name = format!("istio-remote-secret-{of}");
    [
        "get",
        "secret",
        &name,
        "-n",
        "istio-system",
        "-o",
        SECRET_CLUSTER,
    ]
    .map(str::to_owned)
    .to_vec()
}

fn set(w: &mut World, context: &str, args: &[String], answer: Answer) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    w.set(context, &args, answer);
}

fn change(w: &mut World, context: &str, args: &[String], answer: Answer) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    w.change(context, &args, answer);
}

/// What the upstream runbook's steps leave in each cluster.
pub(crate) fn upstream_world(plan: &Plan, w: &mut World) {
    let istiod = istiod_clusters(plan);
    let primary = plan.mesh.control_plane_cluster.as_deref();
    for (index, c) in plan.clusters.iter().enumerate() {
        let name = c.name.as_str();
        let runs_istiod = istiod.iter().any(|i| i == name);
        let mut releases = vec!["istio-base", "istiod"];
        if plan.runs_east_west_gateway(index) {
            releases.push("istio-eastwestgateway");
        }
        if c.load_balancer_ips.ingress.is_some() {
            releases.push("istio-ingressgateway");
        }
        for release in releases {
            // An upgraded release: its earlier revision superseded.
            set(w, name, &helm(release), ok("superseded deployed"));
        }
        if runs_istiod {
            let args = [
                "get",
                "deployment",
                "istiod",
                "-n",
                "istio-system",
                "-o",
                READY,
            ];
            w.set(name, &args, ok("2/2"));
        } else if let Some(primary) = primary {
            let args = [
                "get",
                "namespace",
                "istio-system",
                "-o",
                CONTROL_PLANE_CLUSTERS,
            ];
            w.set(name, &args, ok(primary));
        }
        let primary_of_remotes = plan.mesh.mode == MeshMode::PrimaryRemote && Some(name) == primary;
        if let (true, Some(ip)) = (primary_of_remotes, &c.load_balancer_ips.istiod) {
            let args = [
                "get",
                "service",
                "istiod-lb",
                "-n",
                "istio-system",
                "-o",
                LB_IPS,
            ];
            w.set(name, &args, ok(joined(&addresses(ip))));
        } else if primary_of_remotes && plan.runs_east_west_gateway(index) {
            let gateway = [
                "get",
                "gateways.networking.istio.io",
                "istiod-gateway",
                "-n",
                "istio-system",
                "-o",
                EXPOSE_GATEWAY,
            ];
            w.set(name, &gateway, ok("15012 15017 PASSTHROUGH PASSTHROUGH"));
            let vs = [
                "get",
                "virtualservices.networking.istio.io",
                "istiod-vs",
                "-n",
                "istio-system",
                "-o",
                EXPOSE_VS,
            ];
            w.set(name, &vs, ok("15012 443"));
        }
    }
    // Each istiod reads every other cluster (primary-remote: the primary reads the remotes).
    for reader in &istiod {
        for of in plan.clusters.iter().filter(|c| c.name != *reader) {
            set(w, reader, &remote_secret(&of.name), ok(&of.name));
        }
    }
}

fn cases() -> [&'static str; 3] {
    [
        "multi-primary",
        "multi-primary-single-network",
        "primary-remote",
    ]
}

#[test]
fn every_upstream_golden_mesh_set_up_as_planned_passes() {
    for case in cases() {
        let plan = load(case);
        let passed = run(case, &world(&plan, false), &[]);
        passed.assert_passed();
        for release in ["istio-base", "istiod"] {
            assert!(
                passed
                    .stdout
                    .contains(&format!("Helm release istio-system/{release}: deployed")),
                "{case}: {}",
                passed.stdout
            );
        }
        if plan.traffic.is_some() {
            run(case, &world(&plan, true), &["--failover"]).assert_passed();
        }
    }
}

#[test]
fn each_kind_of_wrong_upstream_answer_fails_its_line_with_the_runbook_step() {
    let plan = load("multi-primary");
    let bad = |change_world: &dyn Fn(&mut World)| {
        let mut w = world(&plan, false);
        change_world(&mut w);
        run("multi-primary", &w, &[])
    };
    // A release whose upgrade failed: no revision deployed.
    bad(&|w| change(w, "cluster2", &helm("istiod"), ok("superseded failed"))).assert_failed(
        "FAIL cluster2: Helm release istio-system/istiod: deployed: expected deployed, observed superseded failed, without deployed (runbook step 8)",
    );
    // Never installed: no Secret matches the selector, kubectl prints nothing.
    bad(&|w| change(w, "cluster3", &helm("istio-eastwestgateway"), ok(""))).assert_failed(
        "FAIL cluster3: Helm release istio-system/istio-eastwestgateway: deployed: expected deployed, observed (nothing), without deployed (runbook step 8)",
    );
    let ready = [
        "get",
        "deployment",
        "istiod",
        "-n",
        "istio-system",
        "-o",
        READY,
    ];
    bad(&|w| w.change("cluster1", &ready, ok("1/2"))).assert_failed(
        "FAIL cluster1: Deployment istio-system/istiod: every replica ready: expected READY/REPLICAS, equal and at least 1, observed 1/2 (runbook step 8)",
    );
    // No replica ready: readyReplicas is absent, so kubectl prints `/1`.
    bad(&|w| w.change("cluster1", &ready, ok("/1"))).assert_failed(
        "FAIL cluster1: Deployment istio-system/istiod: every replica ready: expected READY/REPLICAS, equal and at least 1, observed /1 (runbook step 8)",
    );
    bad(&|w| w.change("cluster1", &ready, not_found("deployments.apps \"istiod\""))).assert_failed(
        "FAIL cluster1: Deployment istio-system/istiod: every replica ready: expected READY/REPLICAS, equal and at least 1, observed kubectl failed: Error from server (NotFound): deployments.apps \"istiod\" not found (runbook step 8)",
    );
    bad(&|w| change(w, "cluster3", &remote_secret("cluster1"), not_found("secrets \"istio-remote-secret-cluster1\""))).assert_failed(
        "FAIL cluster3: Secret istio-system/istio-remote-secret-cluster1: the cluster it reads: expected cluster1, observed kubectl failed: Error from server (NotFound): secrets \"istio-remote-secret-cluster1\" not found (runbook step 9)",
    );
    // `create-remote-secret` without `--name`: named after the kube-system UID instead.
    bad(&|w| change(w, "cluster2", &remote_secret("cluster3"), ok("9d0c2f4e-0000"))).assert_failed(
        "FAIL cluster2: Secret istio-system/istio-remote-secret-cluster3: the cluster it reads: expected cluster3, observed 9d0c2f4e-0000 (runbook step 9)",
    );
}

#[test]
fn a_remote_names_its_primary_and_the_primary_exposes_istiod() {
    let plan = load("primary-remote");
    let primary = plan.mesh.control_plane_cluster.clone().unwrap();
    let remote = plan
        .clusters
        .iter()
        .find(|c| c.name != primary)
        .unwrap()
        .name
        .clone();
    let annotation = [
        "get",
        "namespace",
        "istio-system",
        "-o",
        CONTROL_PLANE_CLUSTERS,
    ];
    let mut w = world(&plan, false);
    w.change(&remote, &annotation, ok(""));
    let failed = run("primary-remote", &w, &[]);
    let line = format!(
        "FAIL {remote}: namespace istio-system: annotation topology.istio.io/controlPlaneClusters: expected {primary}, observed (nothing) (runbook step 5)"
    );
    failed.assert_failed(&line);
    // A remote runs no istiod: verify.sh never asks for its Deployment.
    let passed = run("primary-remote", &world(&plan, false), &[]);
    assert!(
        !passed
            .stdout
            .contains(&format!("{remote}: Deployment istio-system/istiod")),
        "{}",
        passed.stdout
    );
    // The remote's own releases are installed in the remotes' step, not the primary's.
    assert!(
        passed.stdout.contains(&format!(
            "ok   {remote}: Helm release istio-system/istiod: deployed"
        )),
        "{}",
        passed.stdout
    );
}

#[test]
fn a_primary_without_the_destination_rule_fails_the_failover_check() {
    // multi-primary: the DestinationRule goes to every primary, each istiod reads its own.
    let plan = load("multi-primary");
    let rule = [
        "get",
        "destinationrules.networking.istio.io",
        "helloworld",
        "-n",
        "sample",
        "-o",
        DESTINATION_RULE,
    ];
    let mut w = world(&plan, true);
    w.change(
        "cluster3",
        &rule,
        not_found("destinationrules.networking.istio.io \"helloworld\""),
    );
    run("multi-primary", &w, &["--failover"]).assert_failed(
        "FAIL cluster3: DestinationRule sample/helloworld: host|failoverPriority|failover|outlierDetection: expected helloworld.sample.svc.cluster.local||region1>region2,|1/1s/1m, observed kubectl failed: Error from server (NotFound): destinationrules.networking.istio.io \"helloworld\" not found (runbook step 14)",
    );
}
