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
//! The shared checks are here: a cluster's own objects in [`cluster`], the demo's and the
//! failover's in [`demo`]; a flavor adds its own ([`super::flavor::MeshFlavor::verify_checks`]).

use std::sync::Arc;

use serde::Serialize;

mod cluster;
mod demo;

use super::ClusterModel;
use super::demo::DemoFacts;
use super::flavor::MeshFlavor;
use super::gateways::ControlPlaneConfig;
use super::mesh::MeshFacts;
use super::runbook::{Step, Steps};
use super::traffic::TrafficModel;
use crate::check::ParsedFacts;
use crate::plan::Plan;
use cluster::{cluster_checks, gateway_check, in_control_plane};
use demo::{demo_checks, failover_checks};

/// Context of `verify.sh`.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyModel {
    pub mesh_id: String,
    /// Every cluster of the plan (`--cluster` takes one of them).
    pub clusters: Vec<String>,
    /// Whether the plan has failover entries (`--failover` is refused without).
    pub has_failover: bool,
    /// The name the context of the mesh's own control plane's API server is found by, when
    /// checks read it.
    pub control_plane_context: Option<String>,
    /// Whether some checks read a context that is not one of the plan's clusters (hosted:
    /// the global service cluster, the mesh's API server).
    pub reads_other_contexts: bool,
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
    /// The answer is `READY/WANTED` with READY equal to WANTED and at least 1 (a
    /// Deployment's `readyReplicas`/`replicas`; an HPA may change the count).
    Ready,
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
        control_plane_config: Option<&ControlPlaneConfig>,
        steps: &Steps,
    ) -> VerifyModel {
        let mut checks = Vec::new();
        for cluster in clusters {
            cluster_checks(cluster, steps, &mut checks);
        }
        let api_server = flavor.control_plane_api_server();
        if let (Some(config), Some(api_server)) = (control_plane_config, api_server) {
            let step = steps.number(Step::CrossNetwork);
            let check = gateway_check(api_server, step, &config.cross_network_gateway);
            checks.push(in_control_plane(check));
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
            reads_other_contexts: flavor.global_cluster().is_some(),
            control_plane_context: api_server
                .filter(|_| {
                    checks
                        .iter()
                        .any(|c| c.target == api_server.unwrap_or_default())
                })
                .map(str::to_owned),
            checks,
        }
    }
}
