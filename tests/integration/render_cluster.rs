//! `render --cluster NAME`: only that cluster's files, byte-identical to the full render.
//! The README and the GlobalMesh patch cover the whole mesh and are left out.

use meshgen::{CompileError, Format, Options, Source, Tree};

fn compile(cluster: Option<&str>) -> Result<Tree, CompileError> {
    let text = std::fs::read_to_string("golden/demo/plan.yaml").unwrap();
    let source = Source::new("plan.yaml", text, Format::Yaml);
    let options = Options {
        cluster: cluster.map(str::to_owned),
        ..Options::default()
    };
    meshgen::compile(&source, &options).map(|(tree, _)| tree)
}

fn belongs_to(path: &str, cluster: &str) -> bool {
    path.starts_with(&format!("clusters/{cluster}/"))
        || path.starts_with(&format!("bootstrap/{cluster}/"))
        || path == format!("global/meshcluster-{cluster}.json")
}

#[test]
fn one_cluster_gets_exactly_its_own_files() {
    let full = compile(None).unwrap();
    for cluster in ["mdemo-cluster1", "mdemo-cluster2", "mdemo-cluster3"] {
        let one = compile(Some(cluster)).unwrap();
        for (path, bytes) in one.iter() {
            assert!(
                belongs_to(path, cluster),
                "{cluster}: {path} is not its file"
            );
            assert_eq!(
                full.get(path),
                Some(bytes),
                "{path} differs from the full render"
            );
        }
        for (path, _) in full.iter() {
            if belongs_to(path, cluster) {
                assert!(one.get(path).is_some(), "{cluster}: {path} is missing");
            }
        }
        assert!(one.get("README.md").is_none());
        assert!(one.get("global/globalmesh.yaml").is_none());
        assert!(
            one.get(&format!("clusters/{cluster}/kustomization.yaml"))
                .is_some()
        );
    }
}

#[test]
fn an_unknown_cluster_is_refused() {
    match compile(Some("mdemo-cluster9")) {
        Err(CompileError::Usage(message)) => {
            assert!(message.contains("no such cluster"), "{message}");
            assert!(message.contains("mdemo-cluster1"), "{message}");
        }
        Err(CompileError::Plan(d)) => panic!("unexpected plan error: {d:?}"),
        Err(CompileError::Internal(m)) => panic!("internal error: {m}"),
        Ok(tree) => panic!("rendered {} files for an unknown cluster", tree.len()),
    }
}
