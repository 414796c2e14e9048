//! Property tests: random valid plans always compile, to the same bytes whatever the
//! format or key order, into YAML that parses; random damage to a plan's text never
//! makes meshgen panic. PROPTEST_CASES sets the number of cases (default 64 each).

use crate::support::safety as safety_support;

use meshgen::{CompileError, Format, Options, Source};
use proptest::prelude::*;
use safety_support::*;
use serde_json::Value;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// A DNS label (names, and label values that are also valid names).
fn label() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,6}"
}

/// Free text (registry, images): printable ASCII with YAML's and templates' special
/// characters, some non-ASCII, a newline or a tab.
fn free_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9./:@-]{1,30}",
        "[ -~]{1,24}",
        "[ -~\n\t\u{85}\u{2028}\u{e9}\u{202e}]{1,16}",
        Just("on".to_owned()),
        Just("{{ x }}".to_owned()),
        Just("a: b # c".to_owned()),
    ]
}

fn cluster(index: usize, networks: usize) -> impl Strategy<Value = ClusterSpec> {
    let node = (label(), label(), proptest::option::of(label()));
    (
        label(),
        any::<bool>(),
        prop::sample::select(vec!["1.22", "1.23", "1.24", "1.25", "1.30"]),
        0..networks,
        any::<bool>(),
        prop::collection::vec(node, 1..4),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            move |(prefix, kind, k8s, network, service, nodes, cidr, ingress, demo)| ClusterSpec {
                // Unique: the index is the last character after the only `-`.
                name: format!("{prefix}-{index}"),
                kind,
                kubernetes_version: k8s.to_owned(),
                network,
                service_subnet: service,
                nodes,
                pool_as_cidr: cidr,
                ingress,
                in_demo: demo,
            },
        )
}

fn plan() -> impl Strategy<Value = PlanSpec> {
    (1usize..=6, 1usize..=3)
        .prop_flat_map(|(clusters, networks)| {
            let clusters: Vec<_> = (0..clusters).map(|i| cluster(i, networks)).collect();
            (
                label(),
                prop::sample::select(vec!["1.15.3-mspider", "1.22.1", "1.24.0-mspider"]),
                any::<bool>(),
                free_text(),
                clusters,
                proptest::option::of((free_text(), free_text())),
            )
        })
        .prop_map(|(mesh_id, version, multi, registry, clusters, demo)| {
            let mut spec = PlanSpec {
                mesh_id,
                version: version.to_owned(),
                multi_network: multi,
                registry,
                clusters,
                demo,
            };
            // Every network named in multi mode has a cluster, so an east-west IP.
            if spec.multi_network {
                let mut seen: Vec<usize> = spec.clusters.iter().map(|c| c.network).collect();
                seen.sort_unstable();
                seen.dedup();
                for c in &mut spec.clusters {
                    c.network = seen.iter().position(|n| *n == c.network).unwrap_or(0);
                }
            }
            spec
        })
}

/// The same value with every mapping's keys in reverse order.
fn reversed_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .rev()
                .map(|(k, v)| (k.clone(), reversed_keys(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(reversed_keys).collect()),
        other => other.clone(),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn valid_plans_compile_deterministically_to_parseable_yaml(spec in plan()) {
        let yaml = spec.to_yaml();
        let tree = compile("plan.yaml", &yaml, Format::Yaml);
        prop_assert!(!tree.is_empty());
        // Twice, and whatever the format or the key order: the same bytes.
        prop_assert_eq!(&compile("plan.yaml", &yaml, Format::Yaml), &tree);
        prop_assert_eq!(&compile("plan.toml", &spec.to_toml(), Format::Toml), &tree);
        let reordered = serde_json::to_string(&reversed_keys(&spec.to_value())).unwrap();
        prop_assert_eq!(&compile("reordered.yaml", &reordered, Format::Yaml), &tree);
        for (path, bytes) in tree.iter() {
            prop_assert!(bytes.ends_with(b"\n") && !bytes.contains(&b'\r'), "{}", path);
            if is_yaml(path) {
                let docs = documents(path, bytes).map_err(TestCaseError::fail)?;
                prop_assert!(docs.iter().all(Value::is_object), "{}", path);
            }
        }
        documents("--stdout", tree.to_yaml_stream(meshgen::layout::is_applied_object).as_bytes()).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn damaged_plans_never_panic(
        seed in prop_oneof![
            plan().prop_map(|s| (s.to_yaml(), Format::Yaml)),
            plan().prop_map(|s| (s.to_toml(), Format::Toml)),
            Just((std::fs::read_to_string(root().join("golden/demo/plan.yaml")).unwrap(), Format::Yaml)),
            Just((std::fs::read_to_string(root().join("golden/demo/plan.toml")).unwrap(), Format::Toml)),
        ],
        damage in prop::collection::vec(mutation(), 1..8),
    ) {
        let (text, format) = seed;
        let mut bytes = text.into_bytes();
        for m in &damage {
            m.apply(&mut bytes);
        }
        let source = Source::from_bytes("damaged", bytes, format);
        match meshgen::compile(&source, &Options::default()) {
            Ok((tree, _)) => {
                for (path, bytes) in tree.iter().filter(|(p, _)| is_yaml(p)) {
                    documents(path, bytes).map_err(TestCaseError::fail)?;
                }
            }
            Err(CompileError::Plan(diagnostics)) => {
                prop_assert!(diagnostics.has_errors());
                let report = diagnostics.to_text(&source, false);
                prop_assert!(report.contains("error[MG"), "{}", report);
            }
            // A plan that passes the checks and still fails to render is a meshgen bug.
            Err(CompileError::Internal(message) | CompileError::Usage(message)) => {
                prop_assert!(false, "internal error: {}", message);
            }
        }
    }
}

/// A day-2 edit of a valid plan: what operators change between two commits of it.
fn edited(spec: &PlanSpec, edit: usize, at: usize) -> PlanSpec {
    let mut next = spec.clone();
    let n = next.clusters.len();
    let i = at % n;
    match edit % 8 {
        0 if n > 1 => {
            next.clusters.remove(i);
        }
        1 => {
            let mut added = ClusterSpec::simple(&format!("added-{n}"), n);
            added.network = at % (n + 1);
            next.clusters.push(added);
        }
        // Another network ID (a new one, or a neighbour's).
        2 => next.clusters[i].network = at % (n + 2),
        3 => next.clusters[i].ingress = !next.clusters[i].ingress,
        4 => {
            next.demo = next
                .demo
                .take()
                .xor(Some(("hello/world".into(), "curl/curl".into())))
        }
        5 => next.clusters[i]
            .nodes
            .last_mut()
            .map(|node| node.2 = node.2.take().xor(Some("sz".into())))
            .unwrap_or_default(),
        6 => next.mesh_id = format!("{}-2", next.mesh_id),
        _ => next.multi_network = !next.multi_network,
    }
    next
}

/// Every path whose bytes differ between two trees.
fn differing(old: &meshgen::Tree, new: &meshgen::Tree) -> std::collections::BTreeSet<String> {
    let mut paths: std::collections::BTreeSet<String> = new
        .iter()
        .filter(|(path, bytes)| old.get(path) != Some(*bytes))
        .map(|(path, _)| path.to_owned())
        .collect();
    paths.extend(
        old.iter()
            .filter(|(path, _)| new.get(path).is_none())
            .map(|(p, _)| p.to_owned()),
    );
    paths
}

fn change_plan(old: &str, new: &str) -> meshgen::diff::ChangePlan {
    let source = |name: &str, text: &str| Source::new(name, text, Format::Yaml);
    match meshgen::diff::compare(&source("old.yaml", old), &source("new.yaml", new), false) {
        Ok(plan) => plan,
        Err(e) => panic!("diff failed: {e:?}"),
    }
}

proptest! {
    #![proptest_config(config())]

    /// `meshgen diff P P` has nothing to do, whatever the plan's form.
    #[test]
    fn a_plan_diffed_with_itself_has_nothing_to_do(spec in plan()) {
        let yaml = spec.to_yaml();
        let plan = change_plan(&yaml, &yaml);
        prop_assert!(!plan.changed);
        prop_assert!(plan.steps.is_empty() && plan.files.is_empty() && plan.impacts.is_empty());
        let old = Source::new("old.yaml", yaml.as_str(), Format::Yaml);
        let new = Source::new("new.toml", spec.to_toml(), Format::Toml);
        let plan = meshgen::diff::compare(&old, &new, false).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert!(!plan.changed && plan.steps.is_empty());
    }

    /// Every file that differs between OLD's tree and NEW's (each compiled on its own) is in
    /// the change plan's file list and in a step that applies it; no step names a file that
    /// does not differ; the steps are numbered in order.
    #[test]
    fn the_change_plan_accounts_for_every_differing_file(
        (old, new) in prop_oneof![
            (plan(), any::<usize>(), any::<usize>()).prop_map(|(spec, edit, at)| {
                let next = edited(&spec, edit, at);
                (spec, next)
            }),
            (plan(), plan()),
        ],
    ) {
        let (old_yaml, new_yaml) = (old.to_yaml(), new.to_yaml());
        let expected = differing(
            &compile("old.yaml", &old_yaml, Format::Yaml),
            &compile("new.yaml", &new_yaml, Format::Yaml),
        );
        let plan = change_plan(&old_yaml, &new_yaml);
        prop_assert_eq!(plan.changed, !expected.is_empty());
        let listed: std::collections::BTreeSet<String> = plan.files.iter().map(|f| f.path.clone()).collect();
        prop_assert_eq!(&listed, &expected);
        for (i, step) in plan.steps.iter().enumerate() {
            prop_assert_eq!(step.number, i + 1);
            prop_assert!(step.action != meshgen::diff::Action::Unclassified, "unclassified: {:?}", step.files);
            for file in &step.files {
                prop_assert!(expected.contains(file), "step {} names {}, which does not differ", step.number, file);
            }
            if step.context.is_some() {
                prop_assert!(!step.commands.is_empty(), "step {} has no command: {:?}", step.number, step);
            }
        }
        for file in &plan.files {
            prop_assert!(!file.steps.is_empty(), "no step applies {}", file.path);
        }
    }
}

/// One way to damage a plan's text.
#[derive(Debug, Clone)]
enum Mutation {
    /// Set the byte at (position modulo length) to this value.
    Byte(usize, u8),
    /// Remove the line at (position modulo line count).
    DeleteLine(usize),
    /// Repeat that line.
    DuplicateLine(usize),
    /// Swap two lines.
    SwapLines(usize, usize),
    /// Replace the value after the n-th `: ` or ` = ` with this text.
    Value(usize, &'static str),
    /// Insert this text at (position modulo length).
    Insert(usize, &'static str),
}

const VALUES: &[&str] = &[
    "",
    "~",
    "null",
    "1.30",
    "0x1F",
    "yes",
    "[]",
    "{}",
    "[a, [b]]",
    "&a x",
    "*a",
    "!!binary eA==",
    "-",
    ":",
    "'",
    "\"",
    "\t",
    "\u{0}",
    "\u{feff}",
    "..",
    "../../x",
    "a/b",
    "Ü",
    "10.0.0.1/8",
    "::ffff:10.0.0.1",
    "10.0.0.9-10.0.0.1",
    "true",
    "1e999",
    "-1",
    "'''",
    "\"\"\"",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::Byte(p, b)),
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<usize>(), prop::sample::select(VALUES)).prop_map(|(p, v)| Mutation::Value(p, v)),
        (any::<usize>(), prop::sample::select(VALUES)).prop_map(|(p, v)| Mutation::Insert(p, v)),
    ]
}

impl Mutation {
    fn apply(&self, bytes: &mut Vec<u8>) {
        if bytes.is_empty() {
            return;
        }
        let mut lines: Vec<Vec<u8>> = bytes
            .split_inclusive(|b| *b == b'\n')
            .map(<[u8]>::to_vec)
            .collect();
        let n = lines.len();
        match *self {
            Mutation::Byte(at, byte) => {
                let at = at % bytes.len();
                bytes[at] = byte;
                return;
            }
            Mutation::Insert(at, text) => {
                let at = at % bytes.len();
                bytes.splice(at..at, text.bytes());
                return;
            }
            Mutation::DeleteLine(at) => {
                lines.remove(at % n);
            }
            Mutation::DuplicateLine(at) => {
                let line = lines[at % n].clone();
                lines.insert(at % n, line);
            }
            Mutation::SwapLines(a, b) => lines.swap(a % n, b % n),
            Mutation::Value(which, value) => {
                let text = String::from_utf8_lossy(bytes).into_owned();
                let spots: Vec<usize> = text
                    .match_indices(": ")
                    .chain(text.match_indices(" = "))
                    .map(|(i, s)| i + s.len())
                    .collect();
                if spots.is_empty() {
                    return;
                }
                let start = spots[which % spots.len()];
                let end = text[start..]
                    .find(['\n', ',', '}', ']'])
                    .map_or(text.len(), |e| start + e);
                *bytes = format!("{}{value}{}", &text[..start], &text[end..]).into_bytes();
                return;
            }
        }
        *bytes = lines.concat();
    }
}
