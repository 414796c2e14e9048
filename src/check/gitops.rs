//! Rules for the `gitops:` section (MG090–MG099): every cluster reachable, every
//! value well-formed for both Argo CD and Flux.

use std::collections::{BTreeMap, HashSet};

use crate::codes::Code;
use crate::diag::{Diagnostic, Diagnostics};
use crate::grammar::{Url, gitops, names, text};
use crate::layout::Stage;
use crate::plan::{ArgoCd, ArgoDestination, Flux, FluxTarget, GitOps, Plan};

/// Longest name Flux and Argo CD's label tracking can put in a label value.
const LABEL_VALUE_MAX: usize = 63;

use crate::grammar::gitops::normalize_path;

/// Every gitops rule; `gitops.path` in canonical form (`Some(None)` without a gitops
/// section, `None` when the path is not valid).
pub fn check(plan: &Plan, out: &mut Diagnostics) -> Option<Option<String>> {
    let Some(gitops) = &plan.gitops else {
        return Some(None);
    };
    let path = check_source(gitops, out);
    if gitops.argocd.is_none() && gitops.flux.is_none() {
        out.push(
            Diagnostic::warning(
                Code::GitopsNoTool,
                "gitops",
                "the gitops section enables neither argocd nor flux, so it renders nothing",
            )
            .hint("add `argocd:` or `flux:` with a destination per cluster, or remove the section"),
        );
    }
    if let Some(argocd) = &gitops.argocd {
        check_argocd(plan, argocd, out);
    }
    if let Some(flux) = &gitops.flux {
        check_flux(plan, flux, out);
    }
    path.map(Some)
}

/// repoURL, revision and path: shared by both tools; the canonical path when it is valid.
fn check_source(gitops: &GitOps, out: &mut Diagnostics) -> Option<String> {
    if let Err(why) = Url::parse(&gitops.repo_url, &["https", "http", "ssh"]) {
        let scp_like = !gitops.repo_url.contains("://") && gitops.repo_url.contains(':');
        let hint = if scp_like {
            "write an scp-like address as ssh://, e.g. `git@github.com:org/repo.git` as \
             `ssh://git@github.com/org/repo.git`"
        } else {
            "use the https:// or ssh:// URL you would `git clone`"
        };
        out.push(
            Diagnostic::error(
                Code::GitopsRepoUrl,
                "gitops.repoURL",
                format!("repoURL `{}` {why}", text::escaped(&gitops.repo_url)),
            )
            .hint(hint),
        );
    }
    if let Err(why) = gitops::revision(&gitops.revision) {
        out.push(
            Diagnostic::error(
                Code::GitopsRevision,
                "gitops.revision",
                format!("revision `{}` {why}", text::escaped(&gitops.revision)),
            )
            .hint("name a branch (`main`), a full ref (`refs/tags/v1.0.0`) or a 40-hex commit SHA"),
        );
    }
    let path = normalize_path(&gitops.path);
    if let Err(why) = &path {
        out.push(
            Diagnostic::error(
                Code::GitopsPath,
                "gitops.path",
                format!("path `{}` {why}", text::escaped(&gitops.path)),
            )
            .hint("give the -o folder relative to the repository root, e.g. `deploy/mesh`, or `.`"),
        );
    }
    path.ok()
}

fn check_argocd(plan: &Plan, argocd: &ArgoCd, out: &mut Diagnostics) {
    check_namespace("gitops.argocd.namespace", &argocd.namespace, out);
    if names::dns1123_subdomain(&argocd.project).is_err() {
        out.push(invalid_name(
            "gitops.argocd.project",
            "Argo CD project",
            &argocd.project,
            NameRule::Subdomain,
        ));
    }
    check_keys(
        plan,
        "gitops.argocd.clusters",
        "Argo CD",
        &argocd.clusters,
        out,
    );
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (cluster, destination) in &argocd.clusters {
        let path = format!("gitops.argocd.clusters.{cluster}");
        if let Some(target) = check_argo_destination(&path, cluster, destination, out) {
            shared_destination(
                &mut seen,
                target,
                cluster,
                &path,
                "Argo CD destination",
                out,
            );
        }
    }
}

/// The destination's identity (for spotting two clusters with the same one), when well-formed.
fn check_argo_destination(
    path: &str,
    cluster: &str,
    destination: &ArgoDestination,
    out: &mut Diagnostics,
) -> Option<String> {
    let bad = |message: String, hint: &str| {
        Diagnostic::error(Code::GitopsDestination, path, message).hint(hint)
    };
    match (&destination.server, &destination.name) {
        (Some(_), Some(_)) => {
            out.push(bad(
                format!("the Argo CD destination of {cluster} sets both server and name"),
                "keep one: `server` (the API server URL) or `name` (the cluster's name in Argo CD)",
            ));
            None
        }
        (None, None) => {
            out.push(bad(
                format!("the Argo CD destination of {cluster} sets neither server nor name"),
                "set `server: https://<api-server>:6443` or `name: <cluster name in Argo CD>`",
            ));
            None
        }
        (Some(server), None) => match Url::parse(server, &["https", "http"]) {
            Ok(_) => Some(format!("server {}", server.trim_end_matches('/'))),
            Err(why) => {
                out.push(
                    Diagnostic::error(
                        Code::GitopsDestination,
                        format!("{path}.server"),
                        format!("server `{}` {why}", text::escaped(server)),
                    )
                    .hint("write the API server URL as Argo CD lists it, e.g. `https://10.0.0.1:6443`"),
                );
                None
            }
        },
        (None, Some(name)) => {
            let printable = !name.is_empty()
                && name.len() <= 253
                && !name.chars().any(|c| c.is_whitespace() || c.is_control());
            let invisible = text::invisible_problem(name);
            if printable && invisible.is_none() {
                Some(format!("name {name}"))
            } else {
                let message = match invisible {
                    Some(problem) => {
                        format!("Argo CD cluster name `{}` {problem}", text::escaped(name))
                    }
                    None => format!("Argo CD cluster name `{name}` is empty or holds spaces"),
                };
                out.push(
                    Diagnostic::error(Code::GitopsDestination, format!("{path}.name"), message)
                        .hint("use the NAME column of `argocd cluster list`"),
                );
                None
            }
        }
    }
}

fn check_flux(plan: &Plan, flux: &Flux, out: &mut Diagnostics) {
    check_namespace("gitops.flux.namespace", &flux.namespace, out);
    if let Err(why) = gitops::duration(&flux.interval) {
        out.push(
            Diagnostic::error(
                Code::GitopsInterval,
                "gitops.flux.interval",
                format!("interval `{}` {why}", flux.interval),
            )
            .hint("write a Go duration such as `10m`, `30s` or `1h30m`"),
        );
    }
    if let Some(secret) = &flux.repo_secret {
        check_secret_name("gitops.flux.repoSecret", secret, out);
    }
    check_keys(plan, "gitops.flux.clusters", "Flux", &flux.clusters, out);
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (cluster, target) in &flux.clusters {
        let path = format!("gitops.flux.clusters.{cluster}");
        if let Some(identity) = check_flux_target(&path, cluster, target, out) {
            shared_destination(&mut seen, identity, cluster, &path, "Flux target", out);
        }
    }
}

fn check_flux_target(
    path: &str,
    cluster: &str,
    target: &FluxTarget,
    out: &mut Diagnostics,
) -> Option<String> {
    if let Some(key) = &target.kube_config_key {
        if names::config_map_key(key).is_err() {
            out.push(invalid_name(
                &format!("{path}.kubeConfigKey"),
                "Secret key",
                key,
                NameRule::SecretKey,
            ));
        }
        if target.kube_config_secret.is_none() {
            out.push(
                Diagnostic::error(
                    Code::GitopsDestination,
                    format!("{path}.kubeConfigKey"),
                    format!(
                        "the Flux target of {cluster} sets kubeConfigKey without kubeConfigSecret"
                    ),
                )
                .hint("name the Secret in `kubeConfigSecret`, or drop `kubeConfigKey`"),
            );
        }
    }
    match (target.local, &target.kube_config_secret) {
        (true, Some(_)) => {
            out.push(
                Diagnostic::error(
                    Code::GitopsDestination,
                    path,
                    format!("the Flux target of {cluster} sets both local and kubeConfigSecret"),
                )
                .hint("`local: true` is the cluster Flux runs in; a remote cluster needs only `kubeConfigSecret`"),
            );
            None
        }
        (false, None) => {
            out.push(
                Diagnostic::error(
                    Code::GitopsDestination,
                    path,
                    format!("the Flux target of {cluster} sets neither local nor kubeConfigSecret"),
                )
                .hint("set `local: true` where Flux runs, or `kubeConfigSecret: <Secret with the kubeconfig>`"),
            );
            None
        }
        (true, None) => Some("the cluster Flux runs in".to_owned()),
        (false, Some(secret)) => {
            check_secret_name(&format!("{path}.kubeConfigSecret"), secret, out);
            let key = target.kube_config_key.as_deref().unwrap_or("value");
            Some(format!("kubeconfig Secret {secret} key {key}"))
        }
    }
}

/// Every mesh cluster has an entry, every entry is a mesh cluster, and every
/// `<cluster>-<stage>` name fits in a label. Linear in the number of clusters.
fn check_keys<T>(
    plan: &Plan,
    path: &str,
    tool: &str,
    entries: &BTreeMap<String, T>,
    out: &mut Diagnostics,
) {
    for cluster in &plan.clusters {
        if !entries.contains_key(&cluster.name) {
            out.push(
                Diagnostic::error(
                    Code::GitopsNoDestination,
                    path,
                    format!("cluster {} has no {tool} destination", cluster.name),
                )
                .hint(format!(
                    "add `{}:` to {path}; every cluster of the mesh needs one",
                    cluster.name
                )),
            );
        }
    }
    let clusters: HashSet<&str> = plan.clusters.iter().map(|c| c.name.as_str()).collect();
    let longest_stage = Stage::ALL.iter().map(|s| s.name().len()).max().unwrap_or(0);
    for key in entries.keys() {
        let key_path = format!("{path}.{key}");
        if !clusters.contains(key.as_str()) {
            let hint = if plan.mesh.global_cluster.as_ref() == Some(key) {
                "the global cluster gets no destination: GitOps syncs only the clusters' stage \
                 folders, and the patches in global/ are applied by the runbook"
                    .to_owned()
            } else {
                format!("use a cluster name from `clusters`: {}", some_names(plan))
            };
            out.push(
                Diagnostic::error(
                    Code::GitopsUnknownCluster,
                    key_path,
                    format!("{key} is not a cluster of the plan"),
                )
                .hint(hint),
            );
        } else if key.len() + 1 + longest_stage > LABEL_VALUE_MAX {
            out.push(
                Diagnostic::error(
                    Code::GitopsName,
                    key_path,
                    format!(
                        "cluster name {key} is too long for {tool}: `{key}-<stage>` names its objects \
                         and must fit in a {LABEL_VALUE_MAX}-character label"
                    ),
                )
                .hint(format!(
                    "shorten the cluster name to at most {} characters",
                    LABEL_VALUE_MAX - 1 - longest_stage
                )),
            );
        }
    }
}

/// The plan's first few cluster names, for a hint.
fn some_names(plan: &Plan) -> String {
    const SHOWN: usize = 5;
    let names: Vec<&str> = plan
        .clusters
        .iter()
        .take(SHOWN)
        .map(|c| c.name.as_str())
        .collect();
    let more = plan.clusters.len().saturating_sub(SHOWN);
    if more > 0 {
        format!("{}, ... ({more} more)", names.join(", "))
    } else {
        names.join(", ")
    }
}

/// Remember `identity` for `cluster`; warn when another cluster already had it.
fn shared_destination<'a>(
    seen: &mut BTreeMap<String, &'a str>,
    identity: String,
    cluster: &'a str,
    path: &str,
    what: &str,
    out: &mut Diagnostics,
) {
    if let Some(first) = seen.get(&identity) {
        out.push(
            Diagnostic::warning(
                Code::GitopsSharedDestination,
                path,
                format!("{cluster} has the same {what} as {first} ({identity})"),
            )
            .hint("each cluster of the mesh is a different cluster; fix the copied entry"),
        );
    } else {
        seen.insert(identity, cluster);
    }
}

fn check_namespace(path: &str, namespace: &str, out: &mut Diagnostics) {
    if names::dns1123_label(namespace, names::LABEL_MAX).is_err() {
        out.push(invalid_name(path, "namespace", namespace, NameRule::Label));
    }
}

fn check_secret_name(path: &str, name: &str, out: &mut Diagnostics) {
    if names::dns1123_subdomain(name).is_err() {
        out.push(invalid_name(path, "Secret name", name, NameRule::Subdomain));
    }
}

/// The naming rule a value broke.
enum NameRule {
    /// RFC 1123 label (namespaces).
    Label,
    /// RFC 1123 subdomain (projects, Secrets).
    Subdomain,
    /// A key of a Secret's data.
    SecretKey,
}

fn invalid_name(path: &str, what: &str, value: &str, rule: NameRule) -> Diagnostic {
    let (rule, hint) = match rule {
        NameRule::Label => (
            "an RFC 1123 label",
            "use lower-case letters, digits and `-`, at most 63 characters, e.g. `flux-system`",
        ),
        NameRule::Subdomain => (
            "an RFC 1123 subdomain",
            "use lower-case letters, digits, `-` and `.`, at most 253 characters",
        ),
        NameRule::SecretKey => (
            "a valid Secret key",
            "use letters, digits, `-`, `_` and `.`, e.g. `value`",
        ),
    };
    Diagnostic::error(
        Code::GitopsName,
        path,
        format!("{what} `{value}` is not {rule}"),
    )
    .hint(hint)
}
