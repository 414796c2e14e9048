//! `verify.sh`: every expectation the runbook states, as read-only kubectl commands with
//! the answer a correctly set-up mesh gives, and the runbook step that sets it.
//!
//! The script ([`crate::layout::VERIFY`], `templates/verify.sh`) only places these: each
//! [`Check`] is one line of output (`ok`, `FAIL` with the expected and observed value and
//! the step, or `SKIP`). The commands and their JSONPaths were run against kubectl's own
//! JSONPath engine (`/work/notes/issue13-14-16-facts.md` part B): keys with dots or
//! brackets escape them (`\.`, `\[`), and a missing field prints nothing, so every check
//! compares the answer with the expected value. Only `kubectl get`, `kubectl exec ... curl`
//! and `kubectl version`/`config` are ever run.
//!
//! The shared checks are here; a flavor adds its own ([`super::flavor::MeshFlavor::verify_checks`]).

use std::sync::Arc;

use serde::Serialize;

use super::demo::DemoFacts;
use super::flavor::MeshFlavor;
use super::mesh::{LABEL_NETWORK, MeshFacts};
use super::runbook::{Step, Steps};
use super::traffic::{FirstAnswers, TrafficModel};
use super::{ClusterModel, ISTIO_NAMESPACE};
use crate::check::ParsedFacts;
use crate::plan::Plan;

/// Requests of one helloworld loop (`curl` URL globbing: one `kubectl exec`).
const LOOP_REQUESTS: u32 = 30;

/// Context of `verify.sh`.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyModel {
    pub mesh_id: String,
    /// Every cluster of the plan (`--cluster` takes one of them).
    pub clusters: Vec<String>,
    /// Whether the plan has failover entries (`--failover` is refused without).
    pub has_failover: bool,
    pub checks: Vec<Check>,
}

/// How a check compares kubectl's answer with the expected value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Compare {
    /// The answer is the expected text.
    Equal,
    /// The answer's words are the expected words, in any order (dual-stack addresses).
    Words,
    /// The answer's words are the expected words, in any order, each as often (one per node).
    Items,
    /// The answer's words include every expected word (objects among others).
    Includes,
    /// Every line is a pod `NAME PHASE READY c=CONTAINERS, i=INIT_CONTAINERS,` that is
    /// Running and Ready with an `istio-proxy` container (or a native-sidecar init
    /// container); at least one line.
    Pods,
    /// The helloworld versions that answer include every expected one.
    VersionsAll,
    /// Some helloworld version answers, and only expected ones.
    VersionsOnly,
}

/// When a check runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum When {
    Always,
    /// Only with `--failover` (the failover step's state).
    Failover,
    /// Only without `--failover` (a state the failover step changes).
    NotFailover,
}

/// One check: `kubectl --context <context of target> ARGS`, compared with `expected`.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub compare: Compare,
    /// The name the context is looked up by: a plan cluster, the global cluster, or the
    /// control plane's API server.
    pub target: String,
    /// A missing context skips the check (`SKIP`) instead of stopping the script.
    pub optional: bool,
    /// The plan cluster the check is about (`--cluster`); `-` for the whole mesh.
    pub cluster: String,
    pub when: When,
    pub step: usize,
    /// What is checked, e.g. `node master: region/zone/subzone labels`.
    pub what: String,
    pub expected: String,
    /// kubectl's arguments after `--context CONTEXT`.
    pub args: Vec<String>,
}

impl Check {
    /// An `Equal` check of one cluster, always run.
    pub fn of(
        cluster: &str,
        step: usize,
        what: String,
        expected: String,
        args: Vec<String>,
    ) -> Check {
        Check {
            compare: Compare::Equal,
            target: cluster.to_owned(),
            optional: false,
            cluster: cluster.to_owned(),
            when: When::Always,
            step,
            what,
            expected,
            args,
        }
    }
}

/// A map key in a JSONPath: `.`, `[` and `]` escaped.
pub fn jsonpath_key(key: &str) -> String {
    key.replace('.', "\\.")
        .replace('[', "\\[")
        .replace(']', "\\]")
}

/// `-o jsonpath=...` as two arguments.
pub fn jsonpath(path: &str) -> [String; 2] {
    ["-o".to_owned(), format!("jsonpath={path}")]
}

pub fn args(words: &[&str], path: &str) -> Vec<String> {
    let mut out: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
    out.extend(jsonpath(path));
    out
}

impl VerifyModel {
    #[allow(clippy::too_many_arguments)]
    pub fn resolve(
        plan: &Plan,
        facts: &ParsedFacts,
        mesh: &MeshFacts,
        flavor: &MeshFlavor,
        clusters: &[Arc<ClusterModel>],
        demo: Option<&DemoFacts>,
        traffic: Option<&TrafficModel>,
        steps: &Steps,
    ) -> VerifyModel {
        let mut checks = Vec::new();
        for cluster in clusters {
            cluster_checks(cluster, steps, &mut checks);
        }
        checks.extend(flavor.verify_checks(clusters, steps));
        if let Some(demo) = demo {
            demo_checks(clusters, demo, steps, &mut checks);
        }
        if let Some(traffic) = traffic {
            let first = TrafficModel::first_answers(plan, facts, mesh);
            failover_checks(traffic, demo, &first, steps, &mut checks);
        }
        // In runbook order (stable: within a step, as the runbook lists them).
        checks.sort_by_key(|c| c.step);
        VerifyModel {
            mesh_id: mesh.id.clone(),
            clusters: clusters.iter().map(|c| c.name.clone()).collect(),
            has_failover: traffic.is_some(),
            checks,
        }
    }
}

fn label_path(key: &str) -> String {
    format!("{{.metadata.labels.{}}}", jsonpath_key(key))
}

/// Node labels, the `istio-system` network label, LoadBalancer addresses, the east-west
/// gateway's network label and the cross-network Gateway.
fn cluster_checks(cluster: &ClusterModel, steps: &Steps, out: &mut Vec<Check>) {
    let name = cluster.name.as_str();
    let nodes = steps.number(Step::Nodes);
    let topology = [
        super::mesh::LABEL_REGION,
        super::mesh::LABEL_ZONE,
        super::mesh::LABEL_SUBZONE,
    ]
    .map(label_path)
    .join("/");
    let planned = |node: &super::cluster::NodeModel| {
        [
            super::mesh::LABEL_REGION,
            super::mesh::LABEL_ZONE,
            super::mesh::LABEL_SUBZONE,
        ]
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
            args(&["get", "node", &node.name], &topology),
        ));
    }
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
            steps.number(service.step),
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
    let east_west = steps.number(Step::EastWest);
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
        out.push(Check::of(
            name,
            east_west,
            format!("Gateway {}/{}: port, TLS mode, hosts", gateway.namespace, gateway.name),
            format!("{} AUTO_PASSTHROUGH {}", gateway.port, gateway.hosts.join(" ")),
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
        ));
    }
}

/// The pods of one app, with what the Pods comparison reads.
const PODS_PATH: &str = "{range .items[*]}{.metadata.name} {.status.phase} \
{.status.conditions[?(@.type==\"Ready\")].status} c={range .spec.containers[*]}{.name},{end} \
i={range .spec.initContainers[*]}{.name},{end}{\"\\n\"}{end}";

/// The demo pods with their sidecars, and the helloworld loop from every sleep.
fn demo_checks(
    clusters: &[Arc<ClusterModel>],
    demo: &DemoFacts,
    steps: &Steps,
    out: &mut Vec<Check>,
) {
    let step = steps.number(Step::Demo);
    for cluster in clusters {
        let Some(apps) = &cluster.demo else {
            continue;
        };
        let ns = apps.namespace.name.as_str();
        let mut pods = |selector: String, what: String| {
            let mut check = Check::of(
                &cluster.name,
                step,
                what,
                "Running True istio-proxy".to_owned(),
                args(&["get", "pods", "-n", ns, "-l", &selector], PODS_PATH),
            );
            check.compare = Compare::Pods;
            out.push(check);
        };
        if let Some(hello) = &apps.helloworld {
            pods(
                format!("app=helloworld,version={}", hello.version),
                format!(
                    "pods of {ns}/{}: Running, Ready, with a sidecar",
                    hello.name
                ),
            );
        }
        if apps.sleep.is_some() {
            pods(
                "app=sleep".to_owned(),
                format!("pods of {ns}/sleep: Running, Ready, with a sidecar"),
            );
        }
    }
    if demo.versions.is_empty() {
        return;
    }
    let step = steps.number(Step::VerifyTraffic);
    for name in &demo.sleep_clusters {
        let mut check = Check::of(
            name,
            step,
            format!("helloworld answers to sleep ({LOOP_REQUESTS} requests): every version"),
            demo.versions.join(" "),
            loop_args(demo),
        );
        check.compare = Compare::VersionsAll;
        check.when = When::NotFailover;
        out.push(check);
    }
}

/// One `kubectl exec` running `curl` with URL globbing: LOOP_REQUESTS requests.
fn loop_args(demo: &DemoFacts) -> Vec<String> {
    [
        "exec",
        "-n",
        &demo.namespace,
        "deploy/sleep",
        "-c",
        "sleep",
        "--",
        "curl",
        "-sS",
        &format!("{}?[1-{LOOP_REQUESTS}]", demo.hello_url),
    ]
    .map(str::to_owned)
    .to_vec()
}

/// With `--failover`: each DestinationRule where istiod reads it, and each sleep hearing
/// only from its first level (`first`).
fn failover_checks(
    traffic: &TrafficModel,
    demo: Option<&DemoFacts>,
    first: &[FirstAnswers],
    steps: &Steps,
    out: &mut Vec<Check>,
) {
    let step = steps.number(Step::Failover);
    let lb = ".spec.trafficPolicy.loadBalancer.localityLbSetting";
    let od = ".spec.trafficPolicy.outlierDetection";
    let path = format!(
        "{{.spec.host}}|{{{lb}.failoverPriority[*]}}|{{range {lb}.failover[*]}}{{.from}}>{{.to}},{{end}}|\
         {{{od}.consecutive5xxErrors}}/{{{od}.interval}}/{{{od}.baseEjectionTime}}"
    );
    for entry in &traffic.failover {
        let rule = &entry.destination_rule;
        let expected = format!(
            "{}|{}|{}|{}/{}/{}",
            rule.host,
            rule.failover_priority.join(" "),
            rule.failover
                .iter()
                .map(|p| format!("{}>{},", p.key, p.value))
                .collect::<String>(),
            rule.consecutive_5xx_errors,
            rule.interval,
            rule.base_ejection_time
        );
        let get = args(
            &[
                "get",
                "destinationrules.networking.istio.io",
                &rule.name,
                "-n",
                &rule.namespace,
            ],
            &path,
        );
        for file in &entry.files {
            let mut check = Check::of(
                &file.context,
                step,
                format!(
                    "DestinationRule {}/{}: host|failoverPriority|failover|outlierDetection",
                    rule.namespace, rule.name
                ),
                expected.clone(),
                get.clone(),
            );
            // The control plane's own API server is often no kubeconfig context.
            if file.cluster.is_none() {
                check.cluster = "-".to_owned();
                check.optional = true;
            }
            check.when = When::Failover;
            out.push(check);
        }
    }
    let Some(demo) = demo else {
        return;
    };
    for FirstAnswers { cluster, versions } in first {
        if versions.is_empty() {
            continue;
        }
        let mut check = Check::of(
            cluster,
            step,
            format!(
                "helloworld answers to sleep ({LOOP_REQUESTS} requests): only the nearest locality"
            ),
            versions.join(" "),
            loop_args(demo),
        );
        check.compare = Compare::VersionsOnly;
        check.when = When::Failover;
        out.push(check);
    }
}
