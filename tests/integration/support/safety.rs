//! Shared by the safety tests (write, hostile, prop): valid plans of any size, folder
//! snapshots, running the binary with a deadline, and comparing rendered documents.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The meshgen binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_meshgen");

/// The repository root (for golden/ and tests/corpus/).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

// ---------------------------------------------------------------------------------------
// Valid plans
// ---------------------------------------------------------------------------------------

/// A valid plan, described by its choices; [`PlanSpec::to_value`] makes the plan.
/// Every address is derived from the cluster's index, so subnets never overlap, pools
/// never overlap and every load-balancer IP sits in its cluster's pool.
#[derive(Debug, Clone)]
pub struct PlanSpec {
    pub mesh_id: String,
    pub version: String,
    pub multi_network: bool,
    pub registry: String,
    pub clusters: Vec<ClusterSpec>,
    /// helloworld and sleep images, when the plan has the demo.
    pub demo: Option<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct ClusterSpec {
    /// Unique in the plan.
    pub name: String,
    pub kind: bool,
    pub kubernetes_version: String,
    /// Index of its network (multi-network mode); every network has an east-west IP.
    pub network: usize,
    pub service_subnet: bool,
    /// Node names are `node-<i>`; these are (region, zone, subzone) per node.
    pub nodes: Vec<(String, String, Option<String>)>,
    pub pool_as_cidr: bool,
    pub ingress: bool,
    pub in_demo: bool,
}

impl ClusterSpec {
    pub fn simple(name: &str, network: usize) -> ClusterSpec {
        ClusterSpec {
            name: name.to_owned(),
            kind: false,
            kubernetes_version: "1.25".to_owned(),
            network,
            service_subnet: network.is_multiple_of(2),
            nodes: vec![("region1".into(), format!("zone{network}"), None)],
            pool_as_cidr: false,
            ingress: false,
            in_demo: true,
        }
    }
}

impl PlanSpec {
    /// `clusters` clusters `c0`, `c1`, ... on as many networks, with the demo apps.
    /// `variant` changes values (not the file set), to get a different tree.
    pub fn sized(clusters: usize, variant: usize) -> PlanSpec {
        PlanSpec {
            mesh_id: "mesh".to_owned(),
            version: "1.15.3-mspider".to_owned(),
            multi_network: true,
            registry: "release.daocloud.io/mspider".to_owned(),
            clusters: (0..clusters)
                .map(|i| {
                    let mut c = ClusterSpec::simple(&format!("c{i}"), i + variant * 1000);
                    c.nodes = vec![(format!("region{variant}"), format!("zone{i}"), None)];
                    c
                })
                .collect(),
            demo: Some((
                "docker.m.daocloud.io/istio/examples-helloworld-v1".to_owned(),
                "curlimages/curl".to_owned(),
            )),
        }
    }

    pub fn to_value(&self) -> Value {
        let network = |c: &ClusterSpec| {
            if self.multi_network {
                format!("net-{}", c.network)
            } else {
                "net-0".to_owned()
            }
        };
        let clusters: Vec<Value> = self
            .clusters
            .iter()
            .enumerate()
            .map(|(i, c)| {
                // Cluster i: pods 10.<i+1>.0.0/16, services 10.<i+101>.0.0/16, master and
                // pool in 172.16.<i>.0/24 (pool .96-.127), east-west .101, ingress .102.
                let lan = format!("172.16.{i}");
                let mut lb = serde_json::Map::new();
                if i == 0 {
                    lb.insert("istiod".into(), json!(format!("{lan}.100")));
                }
                if self.multi_network {
                    lb.insert("eastWest".into(), json!(format!("{lan}.101")));
                }
                if c.ingress {
                    lb.insert("ingress".into(), json!(format!("{lan}.102")));
                }
                let pool = if c.pool_as_cidr {
                    format!("{lan}.96/27")
                } else {
                    format!("{lan}.100-{lan}.120")
                };
                let nodes: Vec<Value> = c
                    .nodes
                    .iter()
                    .enumerate()
                    .map(|(n, (region, zone, subzone))| {
                        let mut node = json!({
                            "name": format!("node-{n}"),
                            "region": region,
                            "zone": zone,
                        });
                        if let Some(subzone) = subzone {
                            node["subzone"] = json!(subzone);
                        }
                        node
                    })
                    .collect();
                let mut cluster = json!({
                    "name": c.name,
                    "type": if c.kind { "kind" } else { "standard-k8s" },
                    "kubernetesVersion": c.kubernetes_version,
                    "podSubnet": format!("10.{}.0.0/16", i + 1),
                    "masterIP": format!("{lan}.10"),
                    "network": network(c),
                    "nodes": nodes,
                    "metallb": { "pools": [{ "name": "pool-0", "addresses": [pool] }] },
                    "loadBalancerIPs": lb,
                });
                if c.service_subnet {
                    cluster["serviceSubnet"] = json!(format!("10.{}.0.0/16", i + 101));
                }
                cluster
            })
            .collect();
        let mut plan = json!({
            "mesh": {
                "id": self.mesh_id,
                "version": self.version,
                "mode": "hosted",
                "controlPlaneCluster": self.clusters.first().map(|c| c.name.as_str()).unwrap_or(""),
                "globalCluster": "kpanda-global-cluster",
                "registry": self.registry,
                "networkMode": if self.multi_network { "multi" } else { "single" },
            },
            "clusters": clusters,
        });
        if let Some((hello, sleep)) = &self.demo {
            let demo: Vec<&ClusterSpec> = self.clusters.iter().filter(|c| c.in_demo).collect();
            let versions: serde_json::Map<String, Value> = demo
                .iter()
                .enumerate()
                .map(|(i, c)| (c.name.clone(), json!(format!("v{i}"))))
                .collect();
            plan["demo"] = json!({
                "namespace": "sample",
                "helloworld": { "image": hello, "versions": versions },
                "sleep": { "image": sleep, "clusters": demo.iter().map(|c| &c.name).collect::<Vec<_>>() },
            });
        }
        plan
    }

    /// The plan as YAML text (JSON is YAML).
    pub fn to_yaml(&self) -> String {
        serde_json::to_string_pretty(&self.to_value()).expect("a JSON value prints")
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(&self.to_value()).expect("the plan is a TOML table")
    }
}

// ---------------------------------------------------------------------------------------
// Folders
// ---------------------------------------------------------------------------------------

/// What one path in a folder is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    File(Vec<u8>),
    Folder,
    Link(PathBuf),
}

/// Everything under `dir` that can be read, relative to it, never following links (empty
/// when `dir` does not exist; an unreadable folder is listed without its contents).
fn walk(dir: &Path) -> impl Iterator<Item = (PathBuf, walkdir::DirEntry)> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .filter_map(Result::ok)
        .map(move |entry| (entry.path().strip_prefix(dir).unwrap().to_owned(), entry))
}

/// Everything under `dir`, never following links (empty when `dir` does not exist).
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Entry> {
    walk(dir)
        .map(|(relative, item)| {
            let entry = if item.path_is_symlink() {
                Entry::Link(std::fs::read_link(item.path()).unwrap())
            } else if item.file_type().is_dir() {
                Entry::Folder
            } else {
                Entry::File(std::fs::read(item.path()).unwrap())
            };
            (relative, entry)
        })
        .collect()
}

/// Every path under `dir`, sorted, without reading any file.
pub fn snapshot_names(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walk(dir).map(|(relative, _)| relative).collect();
    out.sort();
    out
}

/// The snapshot a write of `tree` into an empty folder makes (files, folders, manifest).
pub fn expected_snapshot(tree: &meshgen::Tree) -> BTreeMap<PathBuf, Entry> {
    let manifest = meshgen::write::Manifest::of(tree).to_text();
    let mut out = BTreeMap::new();
    for (path, bytes) in tree
        .iter()
        .chain([(meshgen::write::MANIFEST, manifest.as_bytes())])
    {
        let path = PathBuf::from(path);
        for folder in path.ancestors().skip(1) {
            if !folder.as_os_str().is_empty() {
                out.insert(folder.to_owned(), Entry::Folder);
            }
        }
        out.insert(path, Entry::File(bytes.to_vec()));
    }
    out
}

/// Names in `parent` that a write of `out` may leave behind (`.OUT.meshgen-*`).
pub fn leftovers(out: &Path) -> Vec<String> {
    let name = out.file_name().unwrap().to_string_lossy().into_owned();
    let prefix = format!(".{name}.meshgen-");
    std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&prefix))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------

/// Run `command` to completion, killing it (and failing the test) after `limit`.
pub fn run_with_deadline(command: &mut Command, limit: Duration, what: &str) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    // Drain the pipes on threads so a chatty child cannot block on a full pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut buf).ok();
        buf
    });
    let err_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut buf).ok();
        buf
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            child.kill().ok();
            child.wait().ok();
            panic!("{what}: still running after {limit:?} (a hang)");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output {
        status,
        stdout: out_thread.join().unwrap(),
        stderr: err_thread.join().unwrap(),
    }
}

pub fn meshgen(args: &[&std::ffi::OsStr]) -> Output {
    run_with_deadline(
        Command::new(BIN).args(args),
        Duration::from_secs(60),
        &format!("meshgen {args:?}"),
    )
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

// ---------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------

/// Every document of a YAML file (null documents dropped), or why it does not parse.
pub fn documents(path: &str, bytes: &[u8]) -> Result<Vec<Value>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("{path}: not UTF-8: {e}"))?;
    let docs: Vec<Value> =
        serde_saphyr::from_multiple(text).map_err(|e| format!("{path} does not parse: {e}"))?;
    Ok(docs.into_iter().filter(|d| !d.is_null()).collect())
}

pub fn is_yaml(path: &str) -> bool {
    path.ends_with(".yaml") || path.ends_with(".yml")
}

/// A document as (path to a leaf, leaf) pairs, keys and leaves in order: two documents
/// have the same shape and values exactly when their flattenings are equal.
pub fn flatten(value: &Value) -> Vec<(String, Value)> {
    fn walk(at: String, value: &Value, out: &mut Vec<(String, Value)>) {
        match value {
            Value::Object(map) => {
                out.push((at.clone(), Value::String("{}".into())));
                for (k, v) in map {
                    walk(format!("{at}/{k}"), v, out);
                }
            }
            Value::Array(items) => {
                out.push((at.clone(), Value::String("[]".into())));
                for (i, v) in items.iter().enumerate() {
                    walk(format!("{at}/{i}"), v, out);
                }
            }
            leaf => out.push((at, leaf.clone())),
        }
    }
    let mut out = Vec::new();
    walk(String::new(), value, &mut out);
    out
}

/// Replace `marker` by `value` in every string of a flattened document (keys included).
pub fn substitute(flat: Vec<(String, Value)>, marker: &str, value: &str) -> Vec<(String, Value)> {
    flat.into_iter()
        .map(|(at, leaf)| {
            let leaf = match leaf {
                Value::String(s) => Value::String(s.replace(marker, value)),
                other => other,
            };
            (at.replace(marker, value), leaf)
        })
        .collect()
}

/// Every YAML file of `baseline` (rendered with `marker`) and of `rendered` (the files
/// on disk, rendered with `value`) holds the same documents, except that `marker` reads
/// `value` wherever it appears: no value can change a document's shape.
pub fn same_shape(
    baseline: &meshgen::Tree,
    rendered: &BTreeMap<String, Vec<u8>>,
    marker: &str,
    value: &str,
) -> Result<(), String> {
    let mut expected_paths: Vec<String> = baseline
        .iter()
        .map(|(p, _)| p.replace(marker, value))
        .collect();
    expected_paths.sort();
    let actual_paths: Vec<String> = rendered.keys().cloned().collect();
    if actual_paths != expected_paths {
        return Err(format!(
            "the rendered files differ: {actual_paths:?} != {expected_paths:?}"
        ));
    }
    for (path, bytes) in baseline.iter().filter(|(p, _)| is_yaml(p)) {
        let hostile_path = path.replace(marker, value);
        let expected: Vec<Vec<(String, Value)>> = documents(path, bytes)?
            .iter()
            .map(|d| substitute(flatten(d), marker, value))
            .collect();
        let actual: Vec<Vec<(String, Value)>> = documents(&hostile_path, &rendered[&hostile_path])?
            .iter()
            .map(flatten)
            .collect();
        if actual != expected {
            return Err(format!(
                "{hostile_path} changed shape with the value {value:?}:\n{}",
                text(&rendered[&hostile_path])
            ));
        }
    }
    Ok(())
}

/// Every string (values and mapping keys) of a JSON value equal to `from`, replaced by `to`.
pub fn replace_strings(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::String(s) if s == from => *s = to.to_owned(),
        Value::Array(items) => items.iter_mut().for_each(|v| replace_strings(v, from, to)),
        Value::Object(map) => {
            let old = std::mem::take(map);
            for (k, mut v) in old {
                replace_strings(&mut v, from, to);
                map.insert(if k == from { to.to_owned() } else { k }, v);
            }
        }
        _ => {}
    }
}

/// Compile a plan's text, panicking with the diagnostics if it does not compile.
pub fn compile(name: &str, text: &str, format: meshgen::Format) -> meshgen::Tree {
    let source = meshgen::Source::new(name, text, format);
    match meshgen::compile(&source, &meshgen::Options::default()) {
        Ok((tree, _)) => tree,
        Err(meshgen::CompileError::Plan(d)) => {
            panic!(
                "{name} does not compile:\n{}\n{text}",
                d.to_text(&source, false)
            )
        }
        Err(meshgen::CompileError::Internal(e) | meshgen::CompileError::Usage(e)) => {
            panic!("{name}: internal error: {e}")
        }
    }
}
