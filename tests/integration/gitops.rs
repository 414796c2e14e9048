//! The gitops section: its checks (MG090–MG099) and the Argo CD and Flux objects it renders.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use meshgen::{Code, Diagnostics, Format, Options, Severity, Source, Tree, codes};

const DEMO: &str = include_str!("../../golden/demo/plan.yaml");
const GOLDEN: &str = include_str!("../../golden/gitops/plan.yaml");

/// The demo plan with `gitops` (a YAML block starting at `gitops:`) appended.
fn demo_with(gitops: &str) -> Source {
    Source::new("plan.yaml", format!("{DEMO}{gitops}"), Format::Yaml)
}

fn diagnostics(source: &Source) -> Diagnostics {
    match meshgen::check_source(source, false) {
        Ok(checked) => checked.warnings,
        Err(diagnostics) => diagnostics,
    }
}

fn render(source: &Source) -> Tree {
    match meshgen::compile(source, &Options::default()) {
        Ok((tree, _)) => tree,
        Err(e) => panic!("{} does not compile: {e:?}", source.name),
    }
}

fn text<'a>(tree: &'a Tree, path: &str) -> &'a str {
    let bytes = tree
        .get(path)
        .unwrap_or_else(|| panic!("no {path} in the tree"));
    std::str::from_utf8(bytes).unwrap()
}

fn yaml(tree: &Tree, path: &str) -> serde_json::Value {
    serde_saphyr::from_str(text(tree, path)).unwrap()
}

/// (code, severity, path, line) of every diagnostic, for exact comparisons.
fn found(d: &Diagnostics) -> Vec<(Code, Severity, String, Option<u32>)> {
    d.iter()
        .map(|d| (d.code, d.severity, d.path.clone(), d.line))
        .collect()
}

/// Line (1-based) of the first line from `gitops:` on that contains `needle`.
fn line_of(source: &Source, needle: &str) -> Option<u32> {
    let lines: Vec<&str> = source.text.lines().collect();
    let start = lines.iter().position(|l| l.starts_with("gitops:"))?;
    lines[start..]
        .iter()
        .position(|l| l.contains(needle))
        .map(|i| (start + i) as u32 + 1)
}

#[test]
fn every_gitops_code_has_a_bad_example_that_triggers_it_and_a_fixed_one_that_does_not() {
    let gitops_codes: Vec<_> = codes::ALL
        .iter()
        .filter(|c| ("MG090".."MG100").contains(&c.code.as_str()))
        .collect();
    assert_eq!(gitops_codes.len(), 10, "MG090..MG099 each have an entry");
    for info in gitops_codes {
        let bad = diagnostics(&demo_with(info.bad));
        assert!(
            bad.iter().any(|d| d.code == info.code),
            "{}: the bad example does not trigger it: {:?}",
            info.code,
            found(&bad)
        );
        let fixed = diagnostics(&demo_with(info.fixed));
        assert!(
            fixed.is_empty(),
            "{}: the fixed example still has problems: {:?}",
            info.code,
            found(&fixed)
        );
    }
}

#[test]
fn the_golden_gitops_plan_is_clean() {
    let source = Source::new("golden/gitops/plan.yaml", GOLDEN, Format::Yaml);
    assert_eq!(found(&diagnostics(&source)), vec![]);
}

#[test]
fn a_cluster_without_a_destination_is_reported_at_the_clusters_map() {
    let source = demo_with(
        "gitops:\n  repoURL: https://git.example.com/mesh.git\n  argocd:\n    clusters:\n      \
         mdemo-cluster1: { name: in-cluster }\n",
    );
    let d = diagnostics(&source);
    // A block mapping's position is where its first entry starts.
    let line = line_of(&source, "mdemo-cluster1: { name: in-cluster }");
    assert_eq!(
        found(&d),
        vec![
            (
                Code::GitopsNoDestination,
                Severity::Error,
                "gitops.argocd.clusters".into(),
                line
            ),
            (
                Code::GitopsNoDestination,
                Severity::Error,
                "gitops.argocd.clusters".into(),
                line
            ),
        ]
    );
    let messages: Vec<_> = d.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "cluster mdemo-cluster2 has no Argo CD destination",
            "cluster mdemo-cluster3 has no Argo CD destination"
        ]
    );
    assert!(d.iter().all(|d| !d.hint.is_empty()));
}

#[test]
fn every_problem_of_a_bad_gitops_section_is_reported_with_its_path_and_line() {
    let source = demo_with(concat!(
        "gitops:\n",
        "  repoURL: git@github.com:example/mesh.git\n",
        "  revision: release 1.0\n",
        "  path: /deploy/mesh\n",
        "  argocd:\n",
        "    namespace: Argo_CD\n",
        "    project: My Project\n",
        "    clusters:\n",
        "      mdemo-cluster1: { server: \"10.64.30.130:6443\" }\n",
        "      mdemo-cluster2: { server: \"https://10.6.230.5:6443\", name: c2 }\n",
        "      mdemo-cluster3: {}\n",
        "      kpanda-global-cluster: { name: global }\n",
        "  flux:\n",
        "    interval: 10 minutes\n",
        "    repoSecret: Git_Creds\n",
        "    clusters:\n",
        "      mdemo-cluster1: { local: true, kubeConfigSecret: c1 }\n",
        "      mdemo-cluster2: { kubeConfigSecret: C2, kubeConfigKey: \"bad key\" }\n",
        "      mdemo-cluster3: { kubeConfigKey: value }\n",
    ));
    let at = |needle: &str| line_of(&source, needle);
    let e = Severity::Error;
    let mut expected = vec![
        (
            Code::GitopsRepoUrl,
            e,
            "gitops.repoURL".to_owned(),
            at("repoURL:"),
        ),
        (
            Code::GitopsRevision,
            e,
            "gitops.revision".into(),
            at("revision:"),
        ),
        (
            Code::GitopsPath,
            e,
            "gitops.path".into(),
            at("path: /deploy"),
        ),
        (
            Code::GitopsName,
            e,
            "gitops.argocd.namespace".into(),
            at("Argo_CD"),
        ),
        (
            Code::GitopsName,
            e,
            "gitops.argocd.project".into(),
            at("My Project"),
        ),
        (
            Code::GitopsDestination,
            e,
            "gitops.argocd.clusters.mdemo-cluster1.server".into(),
            at("10.64.30.130:6443"),
        ),
        (
            Code::GitopsDestination,
            e,
            "gitops.argocd.clusters.mdemo-cluster2".into(),
            at("name: c2"),
        ),
        (
            Code::GitopsDestination,
            e,
            "gitops.argocd.clusters.mdemo-cluster3".into(),
            at("mdemo-cluster3: {}"),
        ),
        (
            Code::GitopsUnknownCluster,
            e,
            "gitops.argocd.clusters.kpanda-global-cluster".into(),
            at("kpanda-global-cluster: {"),
        ),
        (
            Code::GitopsInterval,
            e,
            "gitops.flux.interval".into(),
            at("10 minutes"),
        ),
        (
            Code::GitopsName,
            e,
            "gitops.flux.repoSecret".into(),
            at("Git_Creds"),
        ),
        (
            Code::GitopsDestination,
            e,
            "gitops.flux.clusters.mdemo-cluster1".into(),
            at("kubeConfigSecret: c1"),
        ),
        (
            Code::GitopsName,
            e,
            "gitops.flux.clusters.mdemo-cluster2.kubeConfigKey".into(),
            at("bad key"),
        ),
        (
            Code::GitopsName,
            e,
            "gitops.flux.clusters.mdemo-cluster2.kubeConfigSecret".into(),
            at("bad key"),
        ),
        (
            Code::GitopsDestination,
            e,
            "gitops.flux.clusters.mdemo-cluster3".into(),
            at("kubeConfigKey: value }"),
        ),
        (
            Code::GitopsDestination,
            e,
            "gitops.flux.clusters.mdemo-cluster3.kubeConfigKey".into(),
            at("kubeConfigKey: value }"),
        ),
    ];
    let d = diagnostics(&source);
    let mut got = found(&d);
    expected.sort_by(|a, b| (&a.2, a.0).cmp(&(&b.2, b.0)));
    got.sort_by(|a, b| (&a.2, a.0).cmp(&(&b.2, b.0)));
    assert_eq!(got, expected);
    let global = d
        .iter()
        .find(|d| d.code == Code::GitopsUnknownCluster)
        .unwrap();
    assert!(global.hint.contains("global cluster"), "{}", global.hint);
    let scp = d.iter().find(|d| d.code == Code::GitopsRepoUrl).unwrap();
    assert!(
        scp.hint.contains("ssh://git@github.com/org/repo.git"),
        "{}",
        scp.hint
    );
}

#[test]
fn a_copied_destination_is_a_warning_that_deny_warnings_turns_into_an_error() {
    let info = codes::ALL
        .iter()
        .find(|c| c.code == Code::GitopsSharedDestination)
        .unwrap();
    let source = demo_with(info.bad);
    let checked = meshgen::check_source(&source, false).expect("warnings do not fail a plan");
    assert_eq!(
        found(&checked.warnings),
        vec![(
            Code::GitopsSharedDestination,
            Severity::Warning,
            "gitops.argocd.clusters.mdemo-cluster3".into(),
            line_of(&source, "mdemo-cluster3: { server")
        )]
    );
    assert!(
        checked
            .warnings
            .iter()
            .next()
            .unwrap()
            .message
            .contains("mdemo-cluster2")
    );
    let denied = meshgen::check_source(&source, true).err().expect("denied");
    assert_eq!(denied.errors(), 1);
}

#[test]
fn a_cluster_name_too_long_for_a_label_is_refused_when_a_tool_names_objects_after_it() {
    let long = "c".repeat(60);
    let plan = DEMO.replace("mdemo-cluster3", &long);
    let source = Source::new(
        "plan.yaml",
        format!(
            "{plan}gitops:\n  repoURL: https://git.example.com/mesh.git\n  flux:\n    clusters:\n      \
             mdemo-cluster1: {{ local: true }}\n      mdemo-cluster2: {{ kubeConfigSecret: c2 }}\n      \
             {long}: {{ kubeConfigSecret: c3 }}\n"
        ),
        Format::Yaml,
    );
    let d = diagnostics(&source);
    let gitops: Vec<_> = found(&d)
        .into_iter()
        .filter(|f| f.2.starts_with("gitops"))
        .collect();
    assert_eq!(
        gitops,
        vec![(
            Code::GitopsName,
            Severity::Error,
            format!("gitops.flux.clusters.{long}"),
            line_of(&source, "kubeConfigSecret: c3")
        )]
    );
}

#[test]
fn argo_cd_applications_come_in_sync_waves_per_stage_under_a_root_application() {
    let tree = render(&Source::new(
        "golden/gitops/plan.yaml",
        GOLDEN,
        Format::Yaml,
    ));
    let root = yaml(&tree, "gitops/argocd/root.yaml");
    assert_eq!(root["kind"], "Application");
    assert_eq!(root["metadata"]["name"], "mdemo-mesh");
    assert_eq!(
        root["spec"]["source"]["path"],
        "deploy/mdemo-mesh/gitops/argocd/apps"
    );
    assert_eq!(
        root["spec"]["destination"]["server"],
        "https://kubernetes.default.svc"
    );

    let listed = yaml(&tree, "gitops/argocd/apps/kustomization.yaml");
    let mut apps = Vec::new();
    for file in listed["resources"].as_array().unwrap() {
        let app = yaml(
            &tree,
            &format!("gitops/argocd/apps/{}", file.as_str().unwrap()),
        );
        let spec = &app["spec"];
        apps.push((
            app["metadata"]["name"].as_str().unwrap().to_owned(),
            app["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"].clone(),
            spec["source"]["path"].as_str().unwrap().to_owned(),
            spec["destination"].clone(),
        ));
        assert_eq!(
            spec["source"]["repoURL"],
            "https://git.example.com/platform/mesh.git"
        );
        assert_eq!(spec["source"]["targetRevision"], "main");
        assert_eq!(spec["syncPolicy"]["automated"]["prune"], true);
    }
    let dest = |json: &str| serde_json::from_str::<serde_json::Value>(json).unwrap();
    let c1 = r#"{"name":"in-cluster""#;
    let c2 = r#"{"server":"https://10.6.230.5:6443""#;
    let c3 = r#"{"server":"https://10.64.30.131:6443""#;
    let mut expected = Vec::new();
    for (cluster, d) in [
        ("mdemo-cluster1", c1),
        ("mdemo-cluster2", c2),
        ("mdemo-cluster3", c3),
    ] {
        for (stage, wave, namespace) in [
            ("metallb", "1", "metallb-system"),
            ("istio", "2", "istio-system"),
            ("demo", "3", "sample"),
        ] {
            expected.push((
                format!("{cluster}-{stage}"),
                serde_json::Value::from(wave),
                format!("deploy/mdemo-mesh/clusters/{cluster}/{stage}"),
                dest(&format!(r#"{d},"namespace":"{namespace}"}}"#)),
            ));
        }
    }
    assert_eq!(apps, expected);
}

#[test]
fn flux_kustomizations_depend_on_the_clusters_previous_stage() {
    let tree = render(&Source::new(
        "golden/gitops/plan.yaml",
        GOLDEN,
        Format::Yaml,
    ));
    let sync = text(&tree, "gitops/flux/sync.yaml");
    let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(sync).unwrap();
    assert_eq!(docs[0]["kind"], "GitRepository");
    assert_eq!(
        docs[0]["spec"]["ref"],
        serde_json::json!({"branch": "main"})
    );
    assert_eq!(docs[1]["kind"], "Kustomization");
    assert_eq!(docs[1]["spec"]["path"], "./deploy/mdemo-mesh/gitops/flux");

    let listed = yaml(&tree, "gitops/flux/kustomization.yaml");
    let files: Vec<&str> = listed["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(files[0], "sync.yaml");
    let mut chain = Vec::new();
    for file in &files[1..] {
        let k = yaml(&tree, &format!("gitops/flux/{file}"));
        let spec = &k["spec"];
        assert_eq!(spec["prune"], true);
        assert_eq!(spec["interval"], "10m");
        assert_eq!(
            spec["sourceRef"],
            serde_json::json!({"kind": "GitRepository", "name": "mdemo-mesh"})
        );
        chain.push((
            k["metadata"]["name"].as_str().unwrap().to_owned(),
            spec["dependsOn"].clone(),
            spec["kubeConfig"].clone(),
            spec["path"].as_str().unwrap().to_owned(),
        ));
    }
    let none = serde_json::Value::Null;
    let secret = |name: &str, key: Option<&str>| match key {
        None => serde_json::json!({"secretRef": {"name": name}}),
        Some(key) => serde_json::json!({"secretRef": {"name": name, "key": key}}),
    };
    let mut expected = Vec::new();
    for (cluster, kube) in [
        ("mdemo-cluster1", none.clone()),
        ("mdemo-cluster2", secret("mdemo-cluster2-kubeconfig", None)),
        (
            "mdemo-cluster3",
            secret("mdemo-cluster3-kubeconfig", Some("value.yaml")),
        ),
    ] {
        let mut previous = none.clone();
        for stage in ["metallb", "istio", "demo"] {
            let name = format!("{cluster}-{stage}");
            expected.push((
                name.clone(),
                previous.clone(),
                kube.clone(),
                format!("./deploy/mdemo-mesh/clusters/{cluster}/{stage}"),
            ));
            previous = serde_json::json!([{ "name": name }]);
        }
    }
    assert_eq!(chain, expected);
}

#[test]
fn stages_follow_the_plan_and_revisions_map_to_the_flux_ref_kind() {
    // Single network (one network ID, no east-west IPs): no east-west gateway, so no istio
    // stage; cluster3 without MetalLB and outside the demo has no stage at all.
    let plan = DEMO
        .replace("networkMode: multi", "networkMode: single")
        .replace("network: network-c2", "network: network-c1")
        .replace("network: network-c3", "network: network-c1")
        .replace("      eastWest: 10.64.30.73\n", "")
        .replace("    loadBalancerIPs:\n      eastWest: 10.6.136.29\n", "")
        .replace("    loadBalancerIPs:\n      eastWest: 10.64.30.77\n", "")
        .replace(
            "    metallb:\n      pools:\n        - { name: first-pool, addresses: [10.64.30.75-10.64.30.77] }\n",
            "",
        )
        .replace("      mdemo-cluster3: vc3\n", "")
        .replace("clusters: [mdemo-cluster1, mdemo-cluster2, mdemo-cluster3]", "clusters: [mdemo-cluster1]");
    for (revision, field) in [
        ("refs/tags/v1.2.0", "name"),
        ("0123456789abcdef0123456789abcdef01234567", "commit"),
        ("release/1.x", "branch"),
    ] {
        let source = Source::new(
            "plan.yaml",
            format!(
                "{plan}gitops:\n  repoURL: ssh://git@git.example.com/mesh.git\n  revision: {revision}\n  \
                 path: ./\n  argocd:\n    clusters:\n      mdemo-cluster1: {{ name: in-cluster }}\n      \
                 mdemo-cluster2: {{ name: c2 }}\n      mdemo-cluster3: {{ name: c3 }}\n  flux:\n    \
                 clusters:\n      mdemo-cluster1: {{ local: true }}\n      mdemo-cluster2: {{ kubeConfigSecret: c2 }}\n      \
                 mdemo-cluster3: {{ kubeConfigSecret: c3 }}\n"
            ),
            Format::Yaml,
        );
        let tree = render(&source);
        let gitops: BTreeSet<&str> = tree
            .iter()
            .map(|(p, _)| p)
            .filter(|p| p.starts_with("gitops/") && !p.ends_with("kustomization.yaml"))
            .collect();
        let expected: BTreeSet<&str> = [
            "gitops/argocd/root.yaml",
            "gitops/argocd/argocd-cm-application-health.yaml",
            "gitops/argocd/apps/mdemo-cluster1-metallb.yaml",
            "gitops/argocd/apps/mdemo-cluster1-demo.yaml",
            "gitops/argocd/apps/mdemo-cluster2-metallb.yaml",
            "gitops/argocd/apps/mdemo-cluster2-demo.yaml",
            "gitops/flux/sync.yaml",
            "gitops/flux/mdemo-cluster1-metallb.yaml",
            "gitops/flux/mdemo-cluster1-demo.yaml",
            "gitops/flux/mdemo-cluster2-metallb.yaml",
            "gitops/flux/mdemo-cluster2-demo.yaml",
        ]
        .into();
        assert_eq!(gitops, expected);
        let demo = yaml(&tree, "gitops/flux/mdemo-cluster1-demo.yaml");
        assert_eq!(
            demo["spec"]["dependsOn"],
            serde_json::json!([{"name": "mdemo-cluster1-metallb"}])
        );
        assert_eq!(demo["spec"]["path"], "./clusters/mdemo-cluster1/demo");
        let app = yaml(&tree, "gitops/argocd/apps/mdemo-cluster1-demo.yaml");
        assert_eq!(
            app["spec"]["source"]["path"],
            "clusters/mdemo-cluster1/demo"
        );
        assert_eq!(app["spec"]["source"]["targetRevision"], revision);
        let docs: Vec<serde_json::Value> =
            serde_saphyr::from_multiple(text(&tree, "gitops/flux/sync.yaml")).unwrap();
        assert_eq!(
            docs[0]["spec"]["ref"],
            serde_json::json!({ field: revision })
        );
        assert_eq!(docs[1]["spec"]["path"], "./gitops/flux");
    }
}

#[test]
fn no_gitops_section_renders_no_gitops_folder_and_one_tool_renders_only_its_own() {
    let tree = render(&Source::new("plan.yaml", DEMO, Format::Yaml));
    assert!(tree.iter().all(|(p, _)| !p.starts_with("gitops/")));
    let info = codes::ALL
        .iter()
        .find(|c| c.code == Code::GitopsUnknownCluster)
        .unwrap();
    let tree = render(&demo_with(info.fixed));
    assert!(tree.get("gitops/flux/sync.yaml").is_some());
    assert!(tree.iter().all(|(p, _)| !p.starts_with("gitops/argocd/")));
}

#[test]
fn render_for_one_cluster_leaves_the_mesh_wide_gitops_folder_out() {
    let source = Source::new("golden/gitops/plan.yaml", GOLDEN, Format::Yaml);
    let options = Options {
        cluster: Some("mdemo-cluster2".to_owned()),
        ..Options::default()
    };
    let (tree, _) = meshgen::compile(&source, &options).unwrap();
    assert!(!tree.is_empty());
    assert!(tree.iter().all(|(p, _)| !p.starts_with("gitops/")));
}

#[test]
fn the_gitops_objects_do_not_depend_on_key_order() {
    // The gitops section moved to the top, with its keys reversed.
    let (before, gitops) = GOLDEN.split_at(GOLDEN.find("gitops:").unwrap());
    let mut lines: Vec<&str> = gitops.lines().collect();
    let flux = lines.iter().position(|l| l.starts_with("  flux:")).unwrap();
    let argocd = lines
        .iter()
        .position(|l| l.starts_with("  argocd:"))
        .unwrap();
    let moved: Vec<&str> = lines.drain(argocd..flux).collect();
    lines.extend(moved);
    let reordered = format!("{}\n{before}", lines.join("\n"));
    let a = render(&Source::new("a.yaml", GOLDEN, Format::Yaml));
    let b = render(&Source::new("b.yaml", reordered, Format::Yaml));
    assert_eq!(a, b);
}

/// The render helper splits `clusters/<name>/` into stage folders; once it does, every stage
/// folder has a GitOps object and every GitOps object a stage folder.
#[test]
fn the_gitops_objects_sync_exactly_the_stage_folders_the_render_writes() {
    let tree = render(&Source::new(
        "golden/gitops/plan.yaml",
        GOLDEN,
        Format::Yaml,
    ));
    let stage_folders: BTreeSet<String> = tree
        .iter()
        .filter_map(|(p, _)| {
            let rest = p
                .strip_prefix("clusters/")?
                .strip_suffix("/kustomization.yaml")?;
            rest.contains('/')
                .then(|| format!("deploy/mdemo-mesh/clusters/{rest}"))
        })
        .collect();
    if stage_folders.is_empty() {
        eprintln!(
            "NOTE: this render writes no clusters/<name>/<stage>/ folders yet; nothing to compare"
        );
        return;
    }
    let synced: BTreeSet<String> = tree
        .iter()
        .filter(|(p, _)| p.starts_with("gitops/argocd/apps/") && !p.ends_with("kustomization.yaml"))
        .map(|(p, _)| {
            yaml(&tree, p)["spec"]["source"]["path"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(synced, stage_folders);
}

/// The rendered objects pass their upstream CRD schemas (../shared/tools/conform).
#[test]
fn conform_accepts_the_rendered_gitops_objects() {
    let conform = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/conform");
    if !conform.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but {} is missing",
            conform.display()
        );
        eprintln!(
            "SKIPPED: {} not found (set CI to make this fail)",
            conform.display()
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tree = render(&Source::new(
        "golden/gitops/plan.yaml",
        GOLDEN,
        Format::Yaml,
    ));
    for (path, bytes) in tree.iter().filter(|(p, _)| p.starts_with("gitops/")) {
        let target = dir.path().join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
    let run = Command::new("python3")
        .arg(&conform)
        .arg(dir.path())
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "conform failed:\n{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // 9 Applications + root, 9 Kustomizations + GitRepository + the self-sync Kustomization.
    assert!(stdout.contains("21 CRD"), "{stdout}");
    assert!(stdout.contains(", 0 problems"), "{stdout}");
}

#[test]
fn the_golden_gitops_plan_in_toml_loads_equal_and_renders_the_same_bytes() {
    let toml = Source::new(
        "golden/gitops/plan.toml",
        include_str!("../../golden/gitops/plan.toml"),
        Format::Toml,
    );
    let yaml = Source::new("golden/gitops/plan.yaml", GOLDEN, Format::Yaml);
    assert_eq!(
        meshgen::plan::parse(&toml).unwrap(),
        meshgen::plan::parse(&yaml).unwrap()
    );
    assert_eq!(render(&toml), render(&yaml));
}

// ---- upstream modes: the Helm releases -------------------------------------------------

const PRIMARY_REMOTE: &str = include_str!("../../golden/primary-remote/plan.yaml");

/// The values a values file holds (its one YAML document), as JSON.
fn values_file(tree: &Tree, path: &str) -> serde_json::Value {
    yaml(tree, path)
}

#[test]
fn upstream_gitops_installs_every_release_with_its_values_file() {
    let tree = render(&Source::new("plan.yaml", PRIMARY_REMOTE, Format::Yaml));
    let releases = [
        ("east", "istio-base", "base", None),
        ("east", "istiod", "istiod", Some("istio-base")),
        ("east", "istio-eastwestgateway", "gateway", Some("istiod")),
        ("east", "istio-ingressgateway", "gateway", Some("istiod")),
        ("west", "istio-base", "base", None),
        ("west", "istiod", "istiod", Some("istio-base")),
        ("west", "istio-eastwestgateway", "gateway", Some("istiod")),
    ];
    let mut waves = Vec::new();
    for (cluster, release, chart, after) in releases {
        let values = values_file(
            &tree,
            &format!("clusters/{cluster}/helm/{release}.values.yaml"),
        );
        let flux = yaml(
            &tree,
            &format!("gitops/flux/charts/{cluster}/{release}.yaml"),
        );
        let spec = &flux["spec"];
        assert_eq!(spec["values"], values, "{cluster} {release}: Flux values");
        assert_eq!(spec["releaseName"], release);
        assert_eq!(spec["targetNamespace"], "istio-system");
        assert_eq!(spec["chart"]["spec"]["chart"], chart);
        assert_eq!(spec["chart"]["spec"]["version"], "1.29.2");
        let depends: Vec<&str> = spec["dependsOn"]
            .as_array()
            .map(|d| d.iter().filter_map(|d| d["name"].as_str()).collect())
            .unwrap_or_default();
        let expected = after.map(|a| format!("{cluster}-{a}"));
        assert_eq!(depends, expected.as_slice(), "{cluster} {release}");
        // The remote is reached with its kubeconfig, the local cluster without.
        assert_eq!(
            spec["kubeConfig"]["secretRef"]["name"].as_str(),
            (cluster == "west").then_some("west-kubeconfig")
        );

        let argo = yaml(
            &tree,
            &format!("gitops/argocd/apps/{cluster}-{release}.yaml"),
        );
        let source = &argo["spec"]["source"];
        assert_eq!(
            source["helm"]["valuesObject"], values,
            "{cluster} {release}: Argo values"
        );
        assert_eq!(source["helm"]["releaseName"], release);
        assert_eq!(source["chart"], chart);
        assert_eq!(source["targetRevision"], "1.29.2");
        assert_eq!(argo["spec"]["destination"]["namespace"], "istio-system");
        let wave: u32 = argo["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        waves.push((chart, wave));
    }
    // base, then istiod, then the gateways, between the MetalLB stage and the Istio config.
    let wave_of = |name: &str| -> u32 {
        yaml(&tree, &format!("gitops/argocd/apps/{name}.yaml"))["metadata"]["annotations"]
            ["argocd.argoproj.io/sync-wave"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    let chart_wave = |chart: &str| waves.iter().find(|w| w.0 == chart).unwrap().1;
    assert!(wave_of("east-metallb") < chart_wave("base"));
    assert!(chart_wave("base") < chart_wave("istiod"));
    assert!(chart_wave("istiod") < chart_wave("gateway"));
    assert!(chart_wave("gateway") < wave_of("east-istio"));
    assert!(wave_of("east-istio") < wave_of("west-demo"));
    assert!(waves.iter().all(|(chart, wave)| *wave == chart_wave(chart)));

    // Flux: metallb, then the charts (applied in the Flux cluster), then the Istio config.
    let charts = yaml(&tree, "gitops/flux/east-charts.yaml");
    assert_eq!(charts["spec"]["dependsOn"][0]["name"], "east-metallb");
    assert!(charts["spec"].get("kubeConfig").is_none());
    assert_eq!(charts["spec"]["wait"], true);
    let istio = yaml(&tree, "gitops/flux/east-istio.yaml");
    assert_eq!(istio["spec"]["dependsOn"][0]["name"], "east-charts");
    let west_demo = yaml(&tree, "gitops/flux/west-demo.yaml");
    assert_eq!(west_demo["spec"]["dependsOn"][0]["name"], "west-charts");

    // No key material and no remote secret goes into git.
    for (path, bytes) in tree.iter() {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("PRIVATE KEY"), "{path}");
        assert!(!text.contains("kind: Secret"), "{path}");
    }
}

#[test]
fn hosted_gitops_has_no_chart_objects() {
    let tree = render(&Source::new("plan.yaml", GOLDEN, Format::Yaml));
    assert!(
        tree.iter()
            .all(|(path, _)| !path.contains("/charts/") && !path.ends_with("helmrepository.yaml")),
        "a hosted mesh installs no chart"
    );
}
