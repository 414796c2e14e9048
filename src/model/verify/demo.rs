//! The demo's checks (its pods with their sidecars, the helloworld loop from every sleep) and,
//! with `--failover`, the DestinationRules and each sleep hearing from its first level only.

use std::sync::Arc;

use super::cluster::in_control_plane;
use super::{Check, Compare, When, args};
use crate::model::ClusterModel;
use crate::model::demo::DemoFacts;
use crate::model::runbook::{Step, Steps};
use crate::model::traffic::{FirstAnswers, TrafficModel};

/// Requests of one helloworld loop (`curl` URL globbing: one `kubectl exec`).
const LOOP_REQUESTS: u32 = 30;

/// The pods of one app, with what the Pods comparison reads.
const PODS_PATH: &str = "{range .items[*]}{.metadata.name} {.status.phase} \
{.status.conditions[?(@.type==\"Ready\")].status} c={range .spec.containers[*]}{.name},{end} \
i={range .spec.initContainers[*]}{.name},{end}{\"\\n\"}{end}";

/// The demo pods with their sidecars, and the helloworld loop from every sleep.
pub(super) fn demo_checks(
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
pub(super) fn failover_checks(
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
            if file.cluster.is_none() {
                check = in_control_plane(check);
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
