//! The demo apps: the clusters they name exist (MG070), helloworld versions are valid and
//! distinct (MG013, MG010, MG071), sleep lists each cluster once (MG072).

use std::collections::{HashMap, HashSet};

use super::names::{LABEL_VALUE_RULE, label_name, with_example};
use super::{Facts, shown};
use crate::codes::Code;
use crate::diag::{Diagnostic, Diagnostics};
use crate::grammar::names;

/// helloworld's Deployment is `helloworld-<version>`.
const DEPLOYMENT_PREFIX: &str = "helloworld-";

pub(super) fn check(facts: &Facts, out: &mut Diagnostics) {
    let Some(demo) = &facts.plan.demo else {
        return;
    };
    label_name(
        out,
        || "demo.namespace".to_owned(),
        "demo namespace",
        &demo.namespace,
        63,
        "it names a Namespace",
    );

    let mut versions: HashMap<&str, &str> = HashMap::with_capacity(demo.helloworld.versions.len());
    for (cluster, version) in &demo.helloworld.versions {
        let path = || format!("demo.helloworld.versions.{cluster}");
        if !facts.by_name.contains_key(cluster.as_str()) {
            out.push(unknown_cluster(
                facts,
                path(),
                "demo.helloworld.versions",
                cluster,
            ));
        }
        if let Some(problem) = helloworld_version_problem(version) {
            out.push(problem.at(path()));
        }
        if let Some(first) = versions.insert(version, cluster) {
            // Keep the first cluster as the owner of the version.
            versions.insert(version, first);
            out.push(
                Diagnostic::error(
                    Code::DuplicateHelloworldVersion,
                    path(),
                    format!(
                        "helloworld version {} is used by both {} and {}",
                        shown(version),
                        shown(first),
                        shown(cluster)
                    ),
                )
                .hint(
                    "the verification loop tells the clusters apart by the version that answers: give \
                     each cluster its own",
                ),
            );
        }
    }

    let mut listed: HashSet<&str> = HashSet::with_capacity(demo.sleep.clusters.len());
    for (k, cluster) in demo.sleep.clusters.iter().enumerate() {
        let path = || format!("demo.sleep.clusters[{k}]");
        if !facts.by_name.contains_key(cluster.as_str()) {
            out.push(unknown_cluster(
                facts,
                path(),
                "demo.sleep.clusters",
                cluster,
            ));
        }
        if !listed.insert(cluster) {
            out.push(
                Diagnostic::error(
                    Code::DuplicateSleepCluster,
                    path(),
                    format!("demo.sleep.clusters lists {} twice", shown(cluster)),
                )
                .hint("sleep runs once per cluster: remove the repeated entry"),
            );
        }
    }
}

fn unknown_cluster(facts: &Facts, path: String, field: &str, cluster: &str) -> Diagnostic {
    Diagnostic::error(
        Code::UnknownDemoCluster,
        path,
        format!(
            "{field} names cluster `{}`, which is not in clusters",
            shown(cluster)
        ),
    )
    .hint(format!(
        "use a cluster name from clusters: {}",
        facts.some_cluster_names(5)
    ))
}

/// A version that is not a label value (MG013), or that makes a bad Deployment name (MG010).
/// The returned diagnostic's path is set by the caller.
fn helloworld_version_problem(version: &str) -> Option<Problem> {
    let problem = if version.is_empty() {
        Err("is empty".to_owned())
    } else {
        names::label_value(version)
    };
    if let Err(problem) = problem {
        return Some(Problem {
            code: Code::InvalidLabelValue,
            message: format!(
                "helloworld version `{}` is not a valid label value: it {problem}",
                shown(version)
            ),
            hint: with_example(
                &format!("it becomes the pods' version label: {LABEL_VALUE_RULE}"),
                names::suggest_label_value(version),
            ),
        });
    }
    let deployment = format!("{DEPLOYMENT_PREFIX}{version}");
    let problem = names::dns1123_subdomain(&deployment).err()?;
    let lower = version.to_ascii_lowercase().replace('_', "-");
    let example = names::dns1123_subdomain(&format!("{DEPLOYMENT_PREFIX}{lower}"))
        .is_ok()
        .then_some(lower);
    Some(Problem {
        code: Code::InvalidName,
        message: format!(
            "helloworld version `{}` names the Deployment {deployment}, which is not a valid \
             Kubernetes name: it {problem}",
            shown(version)
        ),
        hint: with_example(
            &format!(
                "use lower-case letters, digits, `-` and `.`, so that {DEPLOYMENT_PREFIX}<version> \
                 is a valid name"
            ),
            example,
        ),
    })
}

struct Problem {
    code: Code,
    message: String,
    hint: String,
}

impl Problem {
    fn at(self, path: String) -> Diagnostic {
        Diagnostic::error(self.code, path, self.message).hint(self.hint)
    }
}
