//! `meshgen diff OLD NEW`: what to run, in which order, to take the clusters from OLD's
//! tree to NEW's. A consumer of the model and the render, above both: `render` stays a
//! pure function of one plan; everything about a transition lives here.
//!
//! Both plans are resolved and rendered. Every file that differs between the two trees
//! is accounted for by at least one [`Step`] ([`files`] says what each path is): stage
//! objects are applied with `kubectl apply -k` and deleted one by one when gone
//! ([`objects`]); patches of existing objects are diffed field by field, so what a merge
//! patch no longer sets is removed (`kubectl label ... key-`, a merge patch with `null`,
//! JSON patch `remove` ops: [`patches`]); clusters are created or decommissioned, Helm
//! releases upgraded and remote secrets created or deleted ([`cluster`], [`flavor`]); the
//! failover DestinationRules are applied where istiod reads them ([`traffic`]). Steps are
//! ordered by [`Phase`], so new addresses answer before the params point at them and
//! references to what goes are dropped before it goes. [`impact`] adds notes from the
//! mesh's rules, each naming its upstream source; [`format`] prints the plan as text or
//! Markdown, and the JSON form is this module's types (schema: `schemas/change-plan.schema.json`).

mod cluster;
mod fields;
mod files;
mod flavor;
pub mod format;
mod impact;
mod objects;
mod patches;
mod traffic;

use std::collections::{BTreeMap, HashMap};

use schemars::JsonSchema;
use serde::Serialize;

use crate::model::Model;
use crate::tree::Tree;
use crate::{CompileError, Diagnostics, Options, Source};

/// Version of the JSON document's shape: fields are only ever added; a field that
/// changes meaning or goes bumps it.
pub const SCHEMA_VERSION: u32 = 1;

/// The change plan: the JSON document `meshgen diff --format json` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangePlan {
    /// Version of this document's shape, now 1: fields are only ever added; one that
    /// changes meaning or goes bumps it.
    pub schema_version: u32,
    pub old: PlanInfo,
    pub new: PlanInfo,
    /// Whether the two plans compile to different trees (exit 1) or the same one (exit 0).
    pub changed: bool,
    /// Every file that differs between OLD's tree and NEW's, with the steps that apply it.
    pub files: Vec<FileChange>,
    /// What to run, in order.
    pub steps: Vec<Step>,
    /// What the changes do to the running mesh, each with its upstream source.
    pub impacts: Vec<Impact>,
}

/// One of the two plans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlanInfo {
    /// The plan file as given; `null` for stdin.
    pub file: Option<String>,
    /// Its mesh ID.
    pub mesh: String,
}

/// A file of the tree that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileChange {
    /// Path in the tree.
    pub path: String,
    pub change: Change,
    /// Numbers of the steps that apply (or undo) it.
    pub steps: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    Added,
    Changed,
    Removed,
}

/// One thing to do, with the exact commands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// 1-based position in the plan.
    pub number: usize,
    pub phase: Phase,
    pub side: Side,
    /// The cluster the step is about (also for a global object of one cluster).
    pub cluster: Option<String>,
    /// The kubeconfig context the commands use, when they reach a cluster.
    pub context: Option<String>,
    pub action: Action,
    pub change: Change,
    /// What the step does, in one line.
    pub summary: String,
    /// What must be true first.
    pub before: Option<String>,
    /// Shell commands, run from the folder holding NEW's rendered tree, in order.
    pub commands: Vec<String>,
    /// Tree paths the step applies or undoes.
    pub files: Vec<String>,
}

/// Where a step acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    /// In one cluster.
    Cluster,
    /// On the mesh's global side (hosted: Mspider's global service cluster).
    Global,
    /// In the mesh's own control plane (hosted: its API server, where its Istio config lives).
    ControlPlane,
    /// In the tree or the git repository only (runbook, GitOps objects).
    Tree,
}

/// The kind of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    CreateCluster,
    DeleteCluster,
    /// `kubectl label`.
    Label,
    /// `kubectl annotate`.
    Annotate,
    /// `kubectl patch` (merge or JSON).
    Patch,
    /// `kubectl apply -k` of a stage folder.
    Apply,
    /// `kubectl delete` of objects that are gone.
    Delete,
    /// `helm upgrade --install` / `helm uninstall`.
    Helm,
    /// Create or delete a remote secret.
    RemoteSecret,
    /// Check a LoadBalancer address before anything points at it.
    Verify,
    /// Restart injected workloads, which read the mesh's identity at injection.
    Restart,
    /// A change made by hand where meshgen has no command for it (a console).
    Manual,
    /// Read a changed file; nothing to run.
    Review,
    /// A changed file meshgen does not know how to apply (a meshgen bug).
    Unclassified,
}

/// The order steps run in: everything a phase needs was done by the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// New clusters are created.
    CreateClusters,
    /// Node topology labels.
    Topology,
    /// MetalLB pools, before a Service asks for an address in them.
    Pools,
    /// The control plane learns the cluster's identity (mesh, network, role).
    Membership,
    /// The network label of the mesh's namespace.
    NetworkLabel,
    /// Gateways and Service addresses, then a check that the new addresses answer.
    Gateways,
    /// Params that point at addresses, once those answer; remote secrets.
    Routing,
    /// The demo apps.
    Workloads,
    /// Injected workloads restarted to take a new network or mesh ID.
    Restart,
    /// References to what goes are dropped before it goes.
    Unroute,
    /// Objects that are gone are deleted (demo, then gateways, then pools).
    DeleteObjects,
    /// Fields meshgen set on existing objects that it no longer sets.
    RemoveFields,
    /// The control plane forgets clusters that left.
    LeaveMesh,
    /// Removed clusters are decommissioned.
    DeleteClusters,
    /// Files to read, with nothing to run.
    Review,
}

/// A note on what the change does to the running mesh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Impact {
    pub kind: ImpactKind,
    pub severity: Severity,
    /// The clusters it concerns (empty: the whole mesh).
    pub clusters: Vec<String>,
    pub message: String,
    /// The upstream code or document the rule comes from (repository and path).
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ImpactKind {
    MeshId,
    TrustDomain,
    ControlPlane,
    NetworkMode,
    NetworkId,
    ClusterAdded,
    ClusterRemoved,
    LbAddress,
    PoolAddress,
    Bootstrap,
    MeshVersion,
    Gitops,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Traffic or identity breaks until the change is complete.
    Disruptive,
    /// Workloads must be restarted to take the change.
    Restart,
    /// The steps' order matters; it is the order given.
    Order,
    Info,
}

/// One side of the comparison.
pub struct Input<'a> {
    /// The plan file as given; `None` for stdin.
    pub file: Option<&'a str>,
    pub model: &'a Model,
    pub tree: &'a Tree,
}

/// Why `compare` has no change plan.
#[derive(Debug)]
pub enum DiffError {
    /// A plan is wrong: each bad plan with every problem, located.
    Plans(Vec<(Source, Diagnostics)>),
    /// meshgen itself failed (a bug).
    Internal(String),
}

/// Resolve, check and render both plans, then compare them. Pure: nothing is read or written.
pub fn compare(old: &Source, new: &Source, deny_warnings: bool) -> Result<ChangePlan, DiffError> {
    let mut bad = Vec::new();
    let mut sides = Vec::new();
    let options = Options {
        deny_warnings,
        ..Options::default()
    };
    for source in [old, new] {
        match crate::resolve(source, &options) {
            Ok((model, _warnings)) => sides.push(model),
            Err(CompileError::Plan(diagnostics)) => bad.push((source.clone(), diagnostics)),
            Err(CompileError::Usage(e) | CompileError::Internal(e)) => {
                return Err(DiffError::Internal(e));
            }
        }
    }
    if !bad.is_empty() {
        return Err(DiffError::Plans(bad));
    }
    let [old_model, new_model] = <[Model; 2]>::try_from(sides)
        .map_err(|_| DiffError::Internal("two plans resolved to other than two models".into()))?;
    let render = |model: &Model| {
        crate::render::render(model, &Options::default()).map_err(DiffError::Internal)
    };
    let (old_tree, new_tree) = (render(&old_model)?, render(&new_model)?);
    let file = |source: &Source| (source.name != "<stdin>").then(|| source.name.clone());
    let (old_file, new_file) = (file(old), file(new));
    Ok(change_plan(
        &Input {
            file: old_file.as_deref(),
            model: &old_model,
            tree: &old_tree,
        },
        &Input {
            file: new_file.as_deref(),
            model: &new_model,
            tree: &new_tree,
        },
    ))
}

/// A step before it has its number, with the key it is ordered by.
#[derive(Debug, Clone)]
struct Draft {
    phase: Phase,
    /// Order inside the phase (e.g. a Service before the check of its address).
    rank: u8,
    cluster: Option<String>,
    side: Side,
    context: Option<String>,
    action: Action,
    change: Change,
    summary: String,
    before: Option<String>,
    commands: Vec<String>,
    files: Vec<String>,
}

impl Draft {
    fn new(phase: Phase, side: Side, action: Action, change: Change, summary: String) -> Draft {
        Draft {
            phase,
            rank: 0,
            cluster: None,
            side,
            context: None,
            action,
            change,
            summary,
            before: None,
            commands: Vec::new(),
            files: Vec::new(),
        }
    }

    /// In (or about) `cluster`, through kubeconfig context `context`.
    fn at(mut self, cluster: Option<&str>, context: Option<&str>) -> Draft {
        self.cluster = cluster.map(str::to_owned);
        self.context = context.map(str::to_owned);
        self
    }
}

/// The change plan from OLD to NEW.
pub fn change_plan(old: &Input<'_>, new: &Input<'_>) -> ChangePlan {
    let differing = files::differences(old.tree, new.tree);
    let mut drafts = Vec::new();
    if !differing.is_empty() {
        drafts.extend(cluster::clusters(old, new));
        drafts.extend(objects::stages(old, new));
        drafts.extend(patches::patches(old, new));
        drafts.extend(flavor::namespaces(old, new));
        drafts.extend(flavor::helm_releases(old, new));
        drafts.extend(flavor::remote_secrets(old, new));
        drafts.extend(cluster::restarts(old, new));
        drafts.extend(cluster::verify_addresses(old, new));
        drafts.extend(cluster::pilot_addresses(old, new));
        drafts.extend(traffic::destination_rules(old, new));
        drafts.extend(files::review(old, new, &differing));
        drafts.extend(traffic::verify_script(old, new));
    }
    drafts.extend(unclassified(old.tree, new.tree, &differing, &drafts));
    order(&mut drafts, old.model, new.model);

    let steps: Vec<Step> = drafts
        .into_iter()
        .enumerate()
        .map(|(i, d)| Step {
            number: i + 1,
            phase: d.phase,
            side: d.side,
            cluster: d.cluster,
            context: d.context,
            action: d.action,
            change: d.change,
            summary: d.summary,
            before: d.before,
            commands: d.commands,
            files: d.files,
        })
        .collect();
    let mut steps_of: HashMap<&str, Vec<usize>> = HashMap::new();
    for step in &steps {
        for file in &step.files {
            steps_of.entry(file.as_str()).or_default().push(step.number);
        }
    }
    let files = differing
        .iter()
        .map(|(path, change)| FileChange {
            path: path.clone(),
            change: *change,
            steps: steps_of.get(path.as_str()).cloned().unwrap_or_default(),
        })
        .collect();
    let info = |side: &Input<'_>| PlanInfo {
        file: side.file.map(str::to_owned),
        mesh: side.model.mesh.id.clone(),
    };
    ChangePlan {
        schema_version: SCHEMA_VERSION,
        old: info(old),
        new: info(new),
        changed: !differing.is_empty(),
        files,
        impacts: if differing.is_empty() {
            Vec::new()
        } else {
            impact::impacts(old, new)
        },
        steps,
    }
}

/// Steps for the differing files no other step accounts for: those whose content is the
/// same (only their generated-by comment changed), and any other, which is a meshgen bug
/// (a kind of file the diff does not know) and is never silently dropped.
fn unclassified(
    old: &Tree,
    new: &Tree,
    differing: &BTreeMap<String, Change>,
    drafts: &[Draft],
) -> Vec<Draft> {
    let covered: std::collections::HashSet<&str> = drafts
        .iter()
        .flat_map(|d| d.files.iter().map(String::as_str))
        .collect();
    let (cosmetic, unknown): (Vec<String>, Vec<String>) = differing
        .keys()
        .filter(|path| !covered.contains(path.as_str()))
        .cloned()
        .partition(|path| files::same(old.get(path), new.get(path)));
    let mut steps = Vec::new();
    for (files, action, summary) in [
        (
            cosmetic,
            Action::Review,
            "only the generated-by comment changed (it names the mesh): nothing to run",
        ),
        (
            unknown,
            Action::Unclassified,
            "files meshgen does not know how to apply (a bug in meshgen): apply them by hand",
        ),
    ] {
        if files.is_empty() {
            continue;
        }
        let mut draft = Draft::new(
            Phase::Review,
            Side::Tree,
            action,
            Change::Changed,
            summary.into(),
        );
        draft.files = files;
        steps.push(draft);
    }
    steps
}

/// Sort the drafts: by phase, rank, cluster (NEW's plan order, then the clusters only
/// OLD has, then the mesh-wide steps), keeping the order they were made in otherwise.
fn order(drafts: &mut [Draft], old: &Model, new: &Model) {
    let mut position: HashMap<&str, usize> = HashMap::new();
    for name in new
        .clusters
        .iter()
        .chain(&old.clusters)
        .map(|c| c.name.as_str())
    {
        let next = position.len();
        position.entry(name).or_insert(next);
    }
    drafts.sort_by_key(|d| {
        let cluster = d
            .cluster
            .as_deref()
            .and_then(|c| position.get(c).copied())
            .unwrap_or(usize::MAX);
        (d.phase, d.rank, cluster)
    });
}

/// A shell word (commands are printed for sh and bash).
fn sh(text: &str) -> String {
    crate::render::escape::shell_word(text)
}

/// `kubectl --context CONTEXT`.
fn kubectl(context: &str) -> String {
    format!("kubectl --context {}", sh(context))
}

/// The JSON Schema of [`ChangePlan`] (committed as `schemas/change-plan.schema.json`).
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(ChangePlan);
    serde_json::to_string_pretty(&schema).unwrap_or_default()
}
