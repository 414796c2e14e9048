//! `verify.sh` of every golden tree, run against a fake kubectl (`support/fake-kubectl`)
//! that answers from fixtures: a mesh set up as its plan says passes; each kind of wrong
//! answer fails with its exact line, the runbook step and exit 1; a missing kubectl or
//! context exits 2; and no run ever asks kubectl for anything but `get`, `exec ... curl`,
//! `version` and `config`.
//!
//! The fixtures are a mock of the clusters written here from the plan, with the kubectl
//! commands spelled out independently of meshgen's model (the JSONPaths were tried against
//! kubectl's JSONPath engine in the issue 13 research): a command verify.sh sends that the
//! mock does not know is an `UNKNOWN` in the fake's log, and fails the test.

use std::collections::BTreeMap;
use std::fs;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use meshgen::plan::{ClusterType, Format, MeshMode, NodeRole, Plan, Source};

use crate::verify_upstream::{istiod_clusters, upstream_world};

const FAKE: &str = "tests/integration/support/fake-kubectl";
const TOPOLOGY: &str = "jsonpath={.metadata.labels.topology\\.kubernetes\\.io/region}/{.metadata.labels.topology\\.kubernetes\\.io/zone}/{.metadata.labels.topology\\.istio\\.io/subzone}";
const EXCLUDE_LABEL: &str =
    "jsonpath={.metadata.labels.node\\.kubernetes\\.io/exclude-from-external-load-balancers}";
const TAINTS: &str = "jsonpath={.spec.taints}";
const NETWORK_LABEL: &str = "jsonpath={.metadata.labels.topology\\.istio\\.io/network}";
const LB_IPS: &str = "jsonpath={.status.loadBalancer.ingress[*].ip}";
const GATEWAY: &str = "jsonpath={.spec.servers[0].port.number} {.spec.servers[0].tls.mode} {.spec.servers[0].hosts[*]}";
const PODS: &str = "jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.status.conditions[?(@.type==\"Ready\")].status} c={range .spec.containers[*]}{.name},{end} i={range .spec.initContainers[*]}{.name},{end}{\"\\n\"}{end}";
pub(crate) const DESTINATION_RULE: &str = "jsonpath={.spec.host}|{.spec.trafficPolicy.loadBalancer.localityLbSetting.failoverPriority[*]}|{range .spec.trafficPolicy.loadBalancer.localityLbSetting.failover[*]}{.from}>{.to},{end}|{.spec.trafficPolicy.outlierDetection.consecutive5xxErrors}/{.spec.trafficPolicy.outlierDetection.interval}/{.spec.trafficPolicy.outlierDetection.baseEjectionTime}";
const PARAMS: &str = "istio\\.custom_params\\.values\\.global\\.";

/// kubectl's answer to one command.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    rc: i32,
    stderr: String,
    stdout: String,
}

pub(crate) fn ok(stdout: impl Into<String>) -> Answer {
    Answer {
        rc: 0,
        stderr: String::new(),
        stdout: stdout.into(),
    }
}

pub(crate) fn not_found(what: &str) -> Answer {
    Answer {
        rc: 1,
        stderr: format!("Error from server (NotFound): {what} not found"),
        stdout: String::new(),
    }
}

/// The clusters as kubectl shows them: each command (its arguments joined by spaces, as
/// the fake receives them) and the answer.
pub(crate) struct World(BTreeMap<String, Answer>);

impl World {
    fn clone_world(&self) -> World {
        World(self.0.clone())
    }

    pub(crate) fn set(&mut self, context: &str, args: &[&str], answer: Answer) {
        self.0.insert(key(context, args), answer);
    }

    /// Change the answer to a command the mock already knows (so a typo in a test cannot
    /// add a command verify.sh never sends).
    pub(crate) fn change(&mut self, context: &str, args: &[&str], answer: Answer) {
        let key = key(context, args);
        assert!(self.0.contains_key(&key), "the mock has no {key}");
        self.0.insert(key, answer);
    }

    fn contexts(&mut self, names: &[&str]) {
        self.0.insert(
            "config get-contexts -o name".to_owned(),
            ok(names.join("\n")),
        );
    }
}

fn key(context: &str, args: &[&str]) -> String {
    format!("--context {context} {}", args.join(" "))
}

pub(crate) fn load(case: &str) -> Plan {
    let path = format!("golden/{case}/plan.yaml");
    let text = fs::read_to_string(&path).unwrap();
    meshgen::plan::parse(&Source::new(path, text, Format::Yaml)).unwrap()
}

/// The addresses of a plan's `a` or `a,b`, as Kubernetes prints them.
pub(crate) fn addresses(text: &str) -> Vec<IpAddr> {
    text.split(',').map(|a| a.trim().parse().unwrap()).collect()
}

fn first_v4(text: &str) -> String {
    let ips = addresses(text);
    ips.iter()
        .find(|ip| ip.is_ipv4())
        .unwrap_or(&ips[0])
        .to_string()
}

pub(crate) fn joined(ips: &[IpAddr]) -> String {
    ips.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

fn curl(namespace: &str, url: &str) -> Vec<String> {
    [
        "exec",
        "-n",
        namespace,
        "deploy/sleep",
        "-c",
        "sleep",
        "--",
        "curl",
        "-sS",
        url,
    ]
    .map(str::to_owned)
    .to_vec()
}

fn hello(versions: &[&str]) -> Answer {
    let mut lines = Vec::new();
    for i in 0..30 {
        let v = versions[i % versions.len()];
        lines.push(format!(
            "Hello version: {v}, instance: helloworld-{v}-5d4f8c6b7-x{i}"
        ));
    }
    ok(lines.join("\n"))
}

/// A mesh set up exactly as `plan` says, every step of its runbook done; with
/// `failover`, the failover step too (each sleep answered by its own cluster's helloworld).
pub(crate) fn world(plan: &Plan, failover: bool) -> World {
    let mut w = World(BTreeMap::new());
    w.0.insert("version --client".to_owned(), ok("Client Version: v1.33.0"));
    let mesh = &plan.mesh;
    let hosted = mesh.mode == MeshMode::Hosted;
    let hosted_api = format!("{}-hosted-apiserver", mesh.id);
    let global = mesh.global_cluster.as_deref().unwrap_or_default();
    let control_plane = mesh.control_plane_cluster.as_deref().unwrap_or_default();
    let mut contexts: Vec<&str> = plan.clusters.iter().map(|c| c.name.as_str()).collect();
    if hosted {
        contexts.extend([global, hosted_api.as_str()]);
    }
    w.contexts(&contexts);
    let hosts = format!("*.{}", mesh.dns_domain.rsplit('.').next().unwrap());
    let globalmesh = |param: &str| {
        let path = format!("jsonpath={{.spec.ownerConfig.controlPlaneParams.{PARAMS}{param}}}");
        [
            "get".to_owned(),
            "globalmeshes.discovery.mspider.io".to_owned(),
            mesh.id.clone(),
            "-n".to_owned(),
            "mspider-system".to_owned(),
            "-o".to_owned(),
            path,
        ]
    };
    let set = |w: &mut World, context: &str, args: &[String], answer: Answer| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        w.set(context, &args, answer);
    };
    let mut gateways: Vec<(&str, String, String)> = Vec::new();
    for (index, c) in plan.clusters.iter().enumerate() {
        let name = c.name.as_str();
        let labels = |node: &meshgen::plan::Node| {
            format!(
                "{}/{}/{}",
                node.region,
                node.zone,
                node.subzone.as_deref().unwrap_or("")
            )
        };
        // No worker (the first node is the control plane unless it says otherwise): no
        // node keeps kubeadm's taint or its exclude-from-external-load-balancers label.
        let no_workers = c.nodes.iter().enumerate().all(|(i, node)| {
            node.role
                .map_or(i == 0, |role| role == NodeRole::ControlPlane)
        });
        if no_workers && c.kind == ClusterType::Kind {
            let path = format!(
                "jsonpath={{range .items[*]}}{}| {{end}}",
                &EXCLUDE_LABEL["jsonpath=".len()..]
            );
            w.set(
                name,
                &["get", "nodes", "-o", &path],
                ok("| ".repeat(c.nodes.len())),
            );
        }
        if no_workers && c.kind != ClusterType::Kind {
            for node in &c.nodes {
                w.set(name, &["get", "node", &node.name, "-o", TAINTS], ok(""));
                w.set(
                    name,
                    &["get", "node", &node.name, "-o", EXCLUDE_LABEL],
                    ok(""),
                );
            }
        }
        if c.kind == ClusterType::Kind {
            // kind's own node names, listed by name: not in plan order.
            let all: Vec<String> = c.nodes.iter().rev().map(labels).collect();
            let path = format!(
                "jsonpath={{range .items[*]}}{} {{end}}",
                &TOPOLOGY["jsonpath=".len()..]
            );
            w.set(
                name,
                &["get", "nodes", "-o", &path],
                ok(all.join(" ") + " "),
            );
        } else {
            for node in &c.nodes {
                w.set(
                    name,
                    &["get", "node", &node.name, "-o", TOPOLOGY],
                    ok(labels(node)),
                );
            }
        }
        if let Some(metallb) = &c.metallb {
            let names: Vec<&str> = metallb.pools.iter().map(|p| p.name.as_str()).collect();
            let items = "jsonpath={.items[*].metadata.name}";
            // Pools of the cluster's own beside the planned ones.
            let pools = format!("{} other-pool", names.join(" "));
            w.set(
                name,
                &[
                    "get",
                    "ipaddresspools.metallb.io",
                    "-n",
                    "metallb-system",
                    "-o",
                    items,
                ],
                ok(pools),
            );
            w.set(
                name,
                &[
                    "get",
                    "l2advertisements.metallb.io",
                    "-n",
                    "metallb-system",
                    "-o",
                    items,
                ],
                ok("mesh-l2"),
            );
        }
        w.set(
            name,
            &["get", "namespace", "istio-system", "-o", NETWORK_LABEL],
            ok(&c.network),
        );
        let ips = &c.load_balancer_ips;
        if let (true, Some(istiod)) = (hosted, &ips.istiod) {
            let service = format!("istiod-{}-hosted-lb", mesh.id);
            let args = [
                "get",
                "service",
                &service,
                "-n",
                "istio-system",
                "-o",
                LB_IPS,
            ];
            w.set(name, &args, ok(joined(&addresses(istiod))));
            set(
                &mut w,
                global,
                &globalmesh("remotePilotAddress"),
                ok(first_v4(istiod)),
            );
        }
        if let Some(ingress) = &ips.ingress {
            let args = [
                "get",
                "service",
                "istio-ingressgateway",
                "-n",
                "istio-system",
                "-o",
                LB_IPS,
            ];
            w.set(name, &args, ok(joined(&addresses(ingress))));
        }
        if let (true, Some(east_west)) = (plan.runs_east_west_gateway(index), &ips.east_west) {
            let service = [
                "get",
                "service",
                "istio-eastwestgateway",
                "-n",
                "istio-system",
                "-o",
            ];
            w.set(
                name,
                &[&service[..], &[LB_IPS]].concat(),
                ok(joined(&addresses(east_west))),
            );
            w.set(
                name,
                &[&service[..], &[NETWORK_LABEL]].concat(),
                ok(&c.network),
            );
            // meshNetworks lists every east-west gateway of a network, in plan order: its
            // LoadBalancer address, or with the NodePort fallback the node's address and the
            // node port (kind: the host port its config forwards, 35443 + the cluster's place).
            let (address, port) = match c.east_west_node_port {
                None => (first_v4(east_west), "15443".to_owned()),
                Some(_) if c.kind == ClusterType::Kind => {
                    (c.master_ip.clone(), (35443 + index).to_string())
                }
                Some(node_port) => (c.master_ip.clone(), node_port.to_string()),
            };
            gateways.push((&c.network, address, port));
        }
        if !hosted {
            continue;
        }
        let meshcluster = |path: &str| {
            vec![
                "get".to_owned(),
                "meshclusters.discovery.mspider.io".to_owned(),
                c.name.clone(),
                "-n".to_owned(),
                "mspider-system".to_owned(),
                "-o".to_owned(),
                format!("jsonpath={{.spec.meshedParams[0].{path}}}"),
            ]
        };
        set(&mut w, global, &meshcluster("meshName"), ok(&mesh.id));
        set(
            &mut w,
            global,
            &meshcluster("params.global\\.meshID"),
            ok(&mesh.id),
        );
        set(
            &mut w,
            global,
            &meshcluster("params.global\\.clusterRole"),
            ok("HOSTED_WORKLOAD_CLUSTER"),
        );
        set(
            &mut w,
            global,
            &meshcluster(&format!("params.{PARAMS}network")),
            ok(&c.network),
        );
        if c.name == control_plane {
            set(&mut w, global, &meshcluster("isHostedOwner"), ok("true"));
        }
        // A work cluster whose Services are IPv6 first gets istiod's remote Service pinned
        // to IPv4, the family remotePilotAddress takes (the dual-stack plan's comment).
        let subnets = c.service_subnet.as_deref().unwrap_or(&c.pod_subnet);
        let v6_first = subnets.split(',').next().is_some_and(|s| s.contains(':'));
        if c.name != control_plane && v6_first && subnets.contains(',') {
            let policy = format!("params.{PARAMS}ipFamilyPolicy");
            set(&mut w, global, &meshcluster(&policy), ok("SingleStack"));
            let families = format!("params.{PARAMS}ipFamilies\\[0\\]");
            set(&mut w, global, &meshcluster(&families), ok("IPv4"));
        }
    }
    // The cross-network Gateway lives where istiod reads config: in a hosted mesh's own
    // control plane (global/istio/, applied in the hosted API server), once for the mesh;
    // upstream, on every cluster that runs istiod.
    let config_contexts: Vec<String> = if hosted {
        vec![hosted_api.clone()]
    } else {
        istiod_clusters(plan)
    };
    if !gateways.is_empty() {
        let args = [
            "get",
            "gateways.networking.istio.io",
            "cross-network-gateway",
            "-n",
            "istio-system",
            "-o",
            GATEWAY,
        ];
        for context in &config_contexts {
            w.set(
                context,
                &args,
                ok(format!("15443 AUTO_PASSTHROUGH {hosts}")),
            );
        }
    }
    let mut place: BTreeMap<&str, usize> = BTreeMap::new();
    for (network, address, port) in gateways.into_iter().filter(|_| hosted) {
        let i = place.entry(network).or_default();
        let param = format!("meshNetworks\\.{network}\\.gateways\\[{i}\\]\\.");
        *i += 1;
        set(
            &mut w,
            global,
            &globalmesh(&format!("{param}address")),
            ok(address),
        );
        set(
            &mut w,
            global,
            &globalmesh(&format!("{param}port")),
            ok(port),
        );
    }
    if hosted && mesh.dns_domain != "cluster.local" {
        set(
            &mut w,
            global,
            &globalmesh("proxy\\.clusterDomain"),
            ok(&mesh.dns_domain),
        );
    }
    if let Some(demo) = &plan.demo {
        let ns = demo.namespace.as_str();
        let versions: Vec<&str> = demo
            .helloworld
            .versions
            .values()
            .map(String::as_str)
            .collect();
        for (cluster, version) in &demo.helloworld.versions {
            let selector = format!("app=helloworld,version={version}");
            w.set(
                cluster,
                &["get", "pods", "-n", ns, "-l", &selector, "-o", PODS],
                ok(format!("helloworld-{version}-5d4f8c6b7-abcde Running True c=helloworld,istio-proxy, i=istio-init,")),
            );
        }
        let url = format!("helloworld.{ns}:5000/hello?[1-30]");
        let istiod = plan
            .clusters
            .iter()
            .find(|c| c.name == control_plane)
            .and_then(|c| c.load_balancer_ips.istiod.as_deref())
            .map(first_v4)
            .unwrap_or_default();
        let istiod = if istiod.contains(':') {
            format!("[{istiod}]")
        } else {
            istiod
        };
        for cluster in &demo.sleep.clusters {
            if hosted && cluster != control_plane {
                // Plain HTTP to istiod's webhook port, a TLS port: 400 (Mspider v0.17.0 and
                // later serve no 443 on the hosted istiod's Service).
                let probe = format!("http://{istiod}:15017/");
                let args = [
                    "exec",
                    "-n",
                    ns,
                    "deploy/sleep",
                    "-c",
                    "sleep",
                    "--",
                    "curl",
                    "-sS",
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_code}",
                    &probe,
                ];
                w.set(cluster, &args, ok("400"));
            }
            w.set(
                cluster,
                &["get", "pods", "-n", ns, "-l", "app=sleep", "-o", PODS],
                ok("sleep-7f9c6b5d4-fghij Running True c=sleep,istio-proxy, i=istio-init,"),
            );
            let answer = match demo.helloworld.versions.get(cluster) {
                Some(own) if failover => hello(&[own]),
                _ => hello(&versions),
            };
            set(&mut w, cluster, &curl(ns, &url), answer);
        }
    }
    for entry in plan.traffic.iter().flat_map(|t| &t.failover) {
        let (name, ns) = entry.service.split_once('.').unwrap();
        let od = entry.outlier_detection.clone().unwrap_or_default();
        let rule = format!(
            "{name}.{ns}.svc.{}|{}|{}|{}/{}/{}",
            mesh.dns_domain,
            entry.failover_priority.join(" "),
            entry
                .failover
                .iter()
                .map(|p| format!("{}>{},", p.from, p.to))
                .collect::<String>(),
            od.consecutive_5xx_errors.unwrap_or(1),
            od.interval.as_deref().unwrap_or("1s"),
            od.base_ejection_time.as_deref().unwrap_or("1m"),
        );
        let args = [
            "get",
            "destinationrules.networking.istio.io",
            name,
            "-n",
            ns,
            "-o",
            DESTINATION_RULE,
        ];
        for context in &config_contexts {
            w.set(
                context,
                &args,
                if failover {
                    ok(rule.clone())
                } else {
                    not_found("destinationrules")
                },
            );
        }
    }
    if !hosted {
        upstream_world(plan, &mut w);
    }
    w
}

/// One run of a golden tree's verify.sh with `world` as the clusters.
pub(crate) struct Run {
    status: Option<i32>,
    pub(crate) stdout: String,
    stderr: String,
    /// The fake's log: one line per kubectl call.
    log: Vec<String>,
}

pub(crate) fn run(case: &str, world: &World, args: &[&str]) -> Run {
    run_with(case, world, args, "sh")
}

fn run_with(case: &str, world: &World, args: &[&str], shell: &str) -> Run {
    let scratch = tempfile::tempdir().unwrap();
    let (fixtures, bin) = (scratch.path().join("fixtures"), scratch.path().join("bin"));
    fs::create_dir_all(&fixtures).unwrap();
    fs::create_dir_all(&bin).unwrap();
    for (i, (key, answer)) in world.0.iter().enumerate() {
        let mut text = format!("args: {key}\n");
        if answer.rc != 0 {
            text.push_str(&format!("rc: {}\n", answer.rc));
        }
        if !answer.stderr.is_empty() {
            text.push_str(&format!("stderr: {}\n", answer.stderr));
        }
        text.push_str("---\n");
        if !answer.stdout.is_empty() {
            text.push_str(&answer.stdout);
            text.push('\n');
        }
        fs::write(fixtures.join(format!("{i:04}.fixture")), text).unwrap();
    }
    let fake = Path::new(env!("CARGO_MANIFEST_DIR")).join(FAKE);
    std::os::unix::fs::symlink(&fake, bin.join("kubectl")).unwrap();
    let log = scratch.path().join("kubectl.log");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let script: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("golden")
        .join(case)
        .join("out/verify.sh");
    let output = Command::new(shell)
        .arg(&script)
        .args(args)
        .env("PATH", path)
        .env("FAKE_KUBECTL_FIXTURES", &fixtures)
        .env("FAKE_KUBECTL_LOG", &log)
        .output()
        .unwrap();
    let log = fs::read_to_string(&log).unwrap_or_default();
    let run = Run {
        status: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        log: log.lines().map(str::to_owned).collect(),
    };
    run.assert_read_only();
    run
}

impl Run {
    /// Every call was one verify.sh may make: never a mutating verb, never an unknown command.
    fn assert_read_only(&self) {
        for line in &self.log {
            assert!(
                !line.starts_with("MUTATING "),
                "verify.sh changed a cluster: {line}"
            );
            assert!(
                !line.starts_with("UNKNOWN "),
                "a command the mock does not know: {line}\n{}",
                self.stdout
            );
            let words: Vec<&str> = line.split(' ').collect();
            let verb = match words.as_slice() {
                ["--context", _, verb, ..] => *verb,
                [verb, ..] => *verb,
                [] => "",
            };
            match verb {
                "get" | "version" | "config" => {}
                "exec" => assert!(
                    line.contains(" -- curl "),
                    "exec of something but curl: {line}"
                ),
                _ => panic!("verify.sh ran kubectl {verb}: {line}"),
            }
        }
    }

    fn lines(&self, prefix: &str) -> Vec<&str> {
        self.stdout
            .lines()
            .filter(|l| l.starts_with(prefix))
            .collect()
    }

    #[track_caller]
    pub(crate) fn assert_passed(&self) {
        assert_eq!(self.status, Some(0), "{}\n{}", self.stdout, self.stderr);
        assert!(self.lines("FAIL").is_empty(), "{}", self.stdout);
        let summary = self.stdout.lines().last().unwrap_or_default();
        assert!(
            summary.starts_with("summary: ") && summary.contains(" 0 failed"),
            "{summary}"
        );
    }

    /// Exactly one check failed, with this line.
    #[track_caller]
    pub(crate) fn assert_failed(&self, line: &str) {
        assert_eq!(self.status, Some(1), "{}\n{}", self.stdout, self.stderr);
        assert_eq!(self.lines("FAIL"), [line], "{}", self.stdout);
        assert!(
            self.stdout.ends_with(" 1 failed, 0 skipped\n"),
            "{}",
            self.stdout
        );
    }
}

fn cases() -> Vec<String> {
    let mut cases: Vec<String> = fs::read_dir("golden")
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|c| Path::new("golden").join(c).join("out/verify.sh").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 6, "{cases:?}");
    cases
}

#[test]
fn every_golden_mesh_set_up_as_planned_passes() {
    for case in cases() {
        let plan = load(&case);
        let passed = run(&case, &world(&plan, false), &[]);
        passed.assert_passed();
        // Every check ran: one kubectl call each, plus version and config.
        let checks = passed.lines("ok   ").len();
        assert_eq!(passed.log.len(), checks + 2, "{case}: {}", passed.stdout);
        assert!(checks >= 20, "{case}: {checks} checks");
        if plan.traffic.is_some() {
            run(&case, &world(&plan, true), &["--failover"]).assert_passed();
        }
    }
}

#[test]
fn the_script_is_posix_and_runs_the_same_under_bash() {
    let plan = load("failover");
    for shell in ["dash", "bash"] {
        if Command::new(shell).arg("-c").arg(":").output().is_err() {
            continue;
        }
        run_with("failover", &world(&plan, true), &["--failover"], shell).assert_passed();
        let bad = {
            let mut w = world(&plan, false);
            w.change(
                "fo-cluster3",
                &["get", "node", "master", "-o", TOPOLOGY],
                ok("region2/zone9/"),
            );
            w
        };
        run_with("failover", &bad, &[], shell).assert_failed(
            "FAIL fo-cluster3: node master: region/zone/subzone labels: expected region2/zone3/, observed region2/zone9/ (runbook step 3)",
        );
    }
}

#[test]
fn each_kind_of_wrong_answer_fails_its_line_with_the_runbook_step() {
    let plan = load("demo");
    let bad = |change: &dyn Fn(&mut World)| {
        let mut w = world(&plan, false);
        change(&mut w);
        run("demo", &w, &[])
    };
    // A topology label.
    bad(&|w| w.change("mdemo-cluster2", &["get", "node", "master", "-o", TOPOLOGY], ok("region1/zone9/subzone2")))
        .assert_failed("FAIL mdemo-cluster2: node master: region/zone/subzone labels: expected region1/zone2/subzone2, observed region1/zone9/subzone2 (runbook step 3)");
    // kubeadm's label still on a node without workers: MetalLB would not announce from it.
    bad(&|w| w.change("mdemo-cluster1", &["get", "node", "master", "-o", EXCLUDE_LABEL], ok("true")))
        .assert_failed("FAIL mdemo-cluster1: node master: no label node.kubernetes.io/exclude-from-external-load-balancers: expected (nothing), observed true (runbook step 3)");
    // The control-plane taint kubeadm's config should have left out.
    bad(&|w| w.change("mdemo-cluster2", &["get", "node", "master", "-o", TAINTS], ok(r#"[{"effect":"NoSchedule","key":"node-role.kubernetes.io/control-plane"}]"#)))
        .assert_failed(r#"FAIL mdemo-cluster2: node master: no taints: expected (nothing), observed [{"effect":"NoSchedule","key":"node-role.kubernetes.io/control-plane"}] (runbook step 1)"#);
    // The network label, not set.
    bad(&|w| w.change("mdemo-cluster3", &["get", "namespace", "istio-system", "-o", NETWORK_LABEL], ok("")))
        .assert_failed("FAIL mdemo-cluster3: namespace istio-system: label topology.istio.io/network: expected network-c3, observed (nothing) (runbook step 10)");
    // A LoadBalancer Service still pending.
    bad(&|w| w.change("mdemo-cluster2", &["get", "service", "istio-eastwestgateway", "-n", "istio-system", "-o", LB_IPS], ok("")))
        .assert_failed("FAIL mdemo-cluster2: east-west gateway Service istio-system/istio-eastwestgateway: LoadBalancer address: expected 10.6.136.29, observed (nothing) (runbook step 12)");
    // The seed's own mistake: remotePilotAddress set to the ingress gateway's address.
    let pilot =
        format!("jsonpath={{.spec.ownerConfig.controlPlaneParams.{PARAMS}remotePilotAddress}}");
    bad(&|w| w.change("kpanda-global-cluster", &["get", "globalmeshes.discovery.mspider.io", "mdemo-mesh", "-n", "mspider-system", "-o", &pilot], ok("10.64.30.72")))
        .assert_failed("FAIL kpanda-global-cluster: GlobalMesh mdemo-mesh: param istio.custom_params.values.global.remotePilotAddress: expected 10.64.30.71, observed 10.64.30.72 (runbook step 7)");
    // A MeshCluster whose network param was never set.
    let network = format!("jsonpath={{.spec.meshedParams[0].params.{PARAMS}network}}");
    bad(&|w| w.change("kpanda-global-cluster", &["get", "meshclusters.discovery.mspider.io", "mdemo-cluster2", "-n", "mspider-system", "-o", &network], ok("")))
        .assert_failed("FAIL mdemo-cluster2: MeshCluster mdemo-cluster2: param istio.custom_params.values.global.network: expected network-c2, observed (nothing) (runbook step 9)");
    // An object that is not there: kubectl's error is the observation.
    bad(&|w| w.change("mdemo-mesh-hosted-apiserver", &["get", "gateways.networking.istio.io", "cross-network-gateway", "-n", "istio-system", "-o", GATEWAY], not_found("gateways.networking.istio.io \"cross-network-gateway\"")))
        .assert_failed("FAIL mdemo-mesh-hosted-apiserver: Gateway istio-system/cross-network-gateway: port, TLS mode, hosts: expected 15443 AUTO_PASSTHROUGH *.local, observed kubectl failed: Error from server (NotFound): gateways.networking.istio.io \"cross-network-gateway\" not found (runbook step 13)");
    // A pod without its sidecar (injection was off when it started).
    let pods = [
        "get",
        "pods",
        "-n",
        "sample",
        "-l",
        "app=helloworld,version=vc2",
        "-o",
        PODS,
    ];
    bad(&|w| w.change("mdemo-cluster2", &pods, ok("helloworld-vc2-1 Running True c=helloworld, i=")))
        .assert_failed("FAIL mdemo-cluster2: pods of sample/helloworld-vc2: Running, Ready, with a sidecar: expected Running True istio-proxy, observed helloworld-vc2-1 has no istio-proxy sidecar (runbook step 15)");
    // A pod not ready.
    bad(&|w| w.change("mdemo-cluster3", &["get", "pods", "-n", "sample", "-l", "app=sleep", "-o", PODS], ok("sleep-1 Pending False c=sleep,istio-proxy, i=")))
        .assert_failed("FAIL mdemo-cluster3: pods of sample/sleep: Running, Ready, with a sidecar: expected Running True istio-proxy, observed sleep-1 is Pending, Ready=False (runbook step 15)");
    // A cluster that never answers the loop.
    let url = curl("sample", "helloworld.sample:5000/hello?[1-30]");
    let url: Vec<&str> = url.iter().map(String::as_str).collect();
    bad(&|w| w.change("mdemo-cluster1", &url, hello(&["vc1", "vc2"])))
        .assert_failed("FAIL mdemo-cluster1: helloworld answers to sleep (30 requests): every version: expected vc1 vc2 vc3, observed versions vc1 vc2 (runbook step 16)");
    // A planned pool missing among the cluster's pools.
    let pools = [
        "get",
        "ipaddresspools.metallb.io",
        "-n",
        "metallb-system",
        "-o",
        "jsonpath={.items[*].metadata.name}",
    ];
    bad(&|w| w.change("mdemo-cluster3", &pools, ok("other-pool")))
        .assert_failed("FAIL mdemo-cluster3: MetalLB ipaddresspools in metallb-system: first-pool: expected first-pool, observed other-pool, without first-pool (runbook step 4)");
    // The hosted istiod not reachable from a work cluster.
    let probe = [
        "exec",
        "-n",
        "sample",
        "deploy/sleep",
        "-c",
        "sleep",
        "--",
        "curl",
        "-sS",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "http://10.64.30.71:15017/",
    ];
    bad(&|w| w.change("mdemo-cluster2", &probe, Answer { rc: 28, stderr: "curl: (28) Failed to connect to 10.64.30.71 port 443 after 130000 ms: Timeout was reached".into(), stdout: "000".into() }))
        .assert_failed("FAIL mdemo-cluster2: hosted istiod at http://10.64.30.71:15017/: HTTP status to plain HTTP, from sleep: expected 400, observed kubectl failed: curl: (28) Failed to connect to 10.64.30.71 port 443 after 130000 ms: Timeout was reached (runbook step 8)");
    // No helloworld answers at all.
    bad(&|w| w.change("mdemo-cluster3", &url, ok("no healthy upstream")))
        .assert_failed("FAIL mdemo-cluster3: helloworld answers to sleep (30 requests): every version: expected vc1 vc2 vc3, observed no answer: no healthy upstream (runbook step 16)");
    // Several wrong answers: every one is reported, still exit 1.
    let mut w = world(&plan, false);
    w.change(
        "mdemo-cluster2",
        &["get", "node", "master", "-o", TOPOLOGY],
        ok(""),
    );
    w.change(
        "mdemo-cluster3",
        &["get", "node", "master", "-o", TOPOLOGY],
        ok(""),
    );
    let both = run("demo", &w, &[]);
    assert_eq!(both.status, Some(1));
    assert_eq!(both.lines("FAIL").len(), 2, "{}", both.stdout);
    assert!(
        both.stdout.contains(" 2 failed, 0 skipped\n"),
        "{}",
        both.stdout
    );
}

#[test]
fn native_sidecars_and_dual_stack_answers_in_any_order_pass() {
    let plan = load("dual-stack");
    let mut w = world(&plan, false);
    // istio-proxy as a native sidecar (an init container with restartPolicy Always).
    let pods = [
        "get",
        "pods",
        "-n",
        "sample",
        "-l",
        "app=helloworld,version=v1",
        "-o",
        PODS,
    ];
    w.change(
        "ds-one",
        &pods,
        ok("helloworld-v1-1 Running True c=helloworld, i=istio-init,istio-proxy,"),
    );
    // Kubernetes may list a dual-stack Service's addresses in the other order.
    let lb = [
        "get",
        "service",
        "istio-eastwestgateway",
        "-n",
        "istio-system",
        "-o",
        LB_IPS,
    ];
    w.change("ds-one", &lb, ok("fd00:50::101 192.168.50.101"));
    run("dual-stack", &w, &[]).assert_passed();
    // kind's nodes in another order pass; a label kind did not set fails (step 1 sets them).
    let path = format!(
        "jsonpath={{range .items[*]}}{} {{end}}",
        &TOPOLOGY["jsonpath=".len()..]
    );
    let mut wrong = w.clone_world();
    wrong.change(
        "ds-two",
        &["get", "nodes", "-o", &path],
        ok("eu/eu-2/hall-c eu/eu-2/hall-c "),
    );
    run("dual-stack", &wrong, &[]).assert_failed(
        "FAIL ds-two: nodes: region/zone/subzone labels (kind names the nodes): expected eu/eu-2/ eu/eu-2/hall-c, observed eu/eu-2/hall-c eu/eu-2/hall-c (runbook step 1)",
    );
    // One of the two addresses missing is a failure.
    w.change("ds-one", &lb, ok("192.168.50.101"));
    run("dual-stack", &w, &[]).assert_failed(
        "FAIL ds-one: east-west gateway Service istio-system/istio-eastwestgateway: LoadBalancer address: expected 192.168.50.101 fd00:50::101, observed 192.168.50.101 (runbook step 12)",
    );
}

#[test]
fn failover_checks_the_destination_rules_and_the_nearest_answers() {
    let plan = load("failover");
    // Before the failover step, --failover finds no DestinationRule.
    let before = run("failover", &world(&plan, false), &["--failover"]);
    assert_eq!(before.status, Some(1));
    let fails = before.lines("FAIL");
    assert!(fails.iter().any(|l| l.starts_with("FAIL fo-mesh-hosted-apiserver: DestinationRule sample/helloworld: host|failoverPriority|failover|outlierDetection: expected helloworld.sample.svc.cluster.local||region1>region2,|1/1s/1m, observed kubectl failed: Error from server (NotFound)") && l.ends_with("(runbook step 17)")), "{}", before.stdout);
    assert!(fails.contains(&"FAIL fo-cluster1: helloworld answers to sleep (30 requests): only the nearest locality: expected vc1, observed versions vc1 vc2 vc3 vc4 (runbook step 17)"), "{}", before.stdout);
    // After it, a sleep still answered by another locality fails.
    let mut w = world(&plan, true);
    let url = curl("sample", "helloworld.sample:5000/hello?[1-30]");
    let url: Vec<&str> = url.iter().map(String::as_str).collect();
    w.change("fo-cluster3", &url, hello(&["vc3", "vc4"]));
    run("failover", &w, &["--failover"]).assert_failed(
        "FAIL fo-cluster3: helloworld answers to sleep (30 requests): only the nearest locality: expected vc3, observed versions vc3 vc4 (runbook step 17)",
    );
    // An outlier detection that differs from the plan.
    let mut w = world(&plan, true);
    let args = [
        "get",
        "destinationrules.networking.istio.io",
        "sleep",
        "-n",
        "sample",
        "-o",
        DESTINATION_RULE,
    ];
    w.change(
        "fo-mesh-hosted-apiserver",
        &args,
        ok("sleep.sample.svc.cluster.local|topology.istio.io/network||3/5s/30s"),
    );
    run("failover", &w, &["--failover"]).assert_failed(
        "FAIL fo-mesh-hosted-apiserver: DestinationRule sample/sleep: host|failoverPriority|failover|outlierDetection: expected sleep.sample.svc.cluster.local|topology.istio.io/network topology.kubernetes.io/region topology.kubernetes.io/zone||3/5s/30s, observed sleep.sample.svc.cluster.local|topology.istio.io/network||3/5s/30s (runbook step 17)",
    );
    // Without --failover, the DestinationRule checks do not run, and the every-version loop does.
    let plain = run("failover", &world(&plan, false), &[]);
    plain.assert_passed();
    assert!(!plain.log.iter().any(|l| l.contains("destinationrules")));
    // A plan without failover entries refuses --failover.
    let demo = run("demo", &world(&load("demo"), false), &["--failover"]);
    assert_eq!(demo.status, Some(2), "{}", demo.stdout);
    assert!(
        demo.stderr.contains("unknown option --failover"),
        "{}",
        demo.stderr
    );
}

#[test]
fn the_control_planes_api_server_is_optional_every_other_context_required() {
    let plan = load("failover");
    // No context for the hosted API server: its checks say SKIP, the rest pass.
    let mut w = world(&plan, true);
    w.contexts(&[
        "fo-cluster1",
        "fo-cluster2",
        "fo-cluster3",
        "fo-cluster4",
        "kpanda-global-cluster",
    ]);
    let skipped = run("failover", &w, &["--failover"]);
    assert_eq!(skipped.status, Some(0), "{}", skipped.stdout);
    assert_eq!(skipped.lines("SKIP").len(), 3, "{}", skipped.stdout);
    assert!(skipped.stdout.contains("SKIP fo-mesh-hosted-apiserver: DestinationRule sample/helloworld: host|failoverPriority|failover|outlierDetection: no context fo-mesh-hosted-apiserver (pass --context fo-mesh-hosted-apiserver=CONTEXT)\n"), "{}", skipped.stdout);
    assert!(
        skipped.stdout.ends_with(" 0 failed, 3 skipped\n"),
        "{}",
        skipped.stdout
    );
    // A cluster's context missing: exit 2 before any check, naming it.
    let mut w = world(&plan, false);
    w.contexts(&[
        "fo-cluster1",
        "fo-cluster2",
        "fo-cluster4",
        "kpanda-global-cluster",
    ]);
    let missing = run("failover", &w, &[]);
    assert_eq!(missing.status, Some(2), "{}", missing.stdout);
    assert_eq!(
        missing.lines("FAIL"),
        [
            "FAIL context fo-cluster3 of fo-cluster3 is not among kubectl's contexts: pass --context-prefix, or --context fo-cluster3=CONTEXT"
        ]
    );
    assert!(missing.lines("ok").is_empty(), "{}", missing.stdout);
    assert_eq!(
        missing.log,
        ["version --client", "config get-contexts -o name"]
    );
    // No kubectl at all.
    let scratch = tempfile::tempdir().unwrap();
    let none = run(
        "failover",
        &world(&plan, false),
        &[
            "--kubectl",
            scratch.path().join("kubectl").to_str().unwrap(),
        ],
    );
    assert_eq!(none.status, Some(2));
    assert!(none.stderr.contains("kubectl not found"), "{}", none.stderr);
    assert!(none.log.is_empty());
}

#[test]
fn contexts_by_prefix_or_by_name_and_one_cluster_at_a_time() {
    let plan = load("demo");
    let good = world(&plan, false);
    // Contexts named kind-<cluster>: the same answers through other context names.
    let renamed = |rename: &dyn Fn(&str) -> String| {
        let mut w = World(BTreeMap::new());
        for (key, answer) in &good.0 {
            let key = match key
                .strip_prefix("--context ")
                .and_then(|k| k.split_once(' '))
            {
                Some((context, rest)) => format!("--context {} {rest}", rename(context)),
                None => key.clone(),
            };
            w.0.insert(key, answer.clone());
        }
        let contexts = [
            "mdemo-cluster1",
            "mdemo-cluster2",
            "mdemo-cluster3",
            "kpanda-global-cluster",
            "mdemo-mesh-hosted-apiserver",
        ]
        .map(rename);
        w.contexts(&contexts.iter().map(String::as_str).collect::<Vec<_>>());
        w
    };
    let prefixed = renamed(&|c| format!("kind-{c}"));
    run("demo", &prefixed, &["--context-prefix", "kind-"]).assert_passed();
    run("demo", &prefixed, &["--context-prefix=kind-"]).assert_passed();
    // One context by name, the last --context for a name winning.
    let mapped = renamed(&|c| {
        if c == "mdemo-cluster2" {
            "prod-2".to_owned()
        } else {
            c.to_owned()
        }
    });
    run(
        "demo",
        &mapped,
        &[
            "--context",
            "mdemo-cluster2=wrong",
            "--context",
            "mdemo-cluster2=prod-2",
        ],
    )
    .assert_passed();
    // --cluster: only that cluster's checks (its MeshCluster's among them), one context.
    let one = run("demo", &good, &["--cluster", "mdemo-cluster2"]);
    one.assert_passed();
    assert!(
        one.log
            .iter()
            .skip(2)
            .all(|l| l.starts_with("--context mdemo-cluster2 ")
                || l.contains(" meshclusters.discovery.mspider.io mdemo-cluster2 ")),
        "{:?}",
        one.log
    );
    assert!(
        one.lines("ok")
            .iter()
            .all(|l| l.starts_with("ok   mdemo-cluster2: ")),
        "{}",
        one.stdout
    );
    // Usage errors exit 2 and ask nothing of kubectl.
    for args in [
        &["--cluster", "nope"][..],
        &["--bogus"],
        &["--context", "no-equals-sign"],
        &["--cluster"],
    ] {
        let usage = run("demo", &good, args);
        assert_eq!(usage.status, Some(2), "{args:?}: {}", usage.stdout);
        assert!(usage.log.is_empty(), "{args:?}");
    }
    let help = run("demo", &good, &["--help"]);
    assert_eq!(help.status, Some(0));
    assert!(
        help.stdout.starts_with("Usage: ./verify.sh"),
        "{}",
        help.stdout
    );
}

#[test]
fn every_generated_script_is_clean_under_shellcheck() {
    let scripts: Vec<PathBuf> = cases()
        .iter()
        .map(|c| Path::new("golden").join(c).join("out/verify.sh"))
        .chain([PathBuf::from(FAKE)])
        .collect();
    let output = Command::new("shellcheck")
        .args(["--shell=sh", "--severity=style"])
        .args(&scripts)
        .output()
        .expect("shellcheck is installed (apt-get install -y shellcheck; .ci/run does)");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
