//! Free-text plan values (registry, images) holding newlines, `: `, quotes,
//! `{{ }}`, `#`, `|` and backticks are placed literally: every YAML document
//! keeps its shape and reads back the exact value, and the README's tables and
//! code blocks stay whole.

use meshgen::{Format, Options, Source, Tree};
use serde_json::Value;

const HOSTILE: &str = "reg.example/a\nkind: Secret # {{ x }} \"q\" 'q' | `b` *c* _d_ <e> on";

fn render_hostile() -> Tree {
    let text = std::fs::read_to_string("golden/demo/plan.yaml").unwrap();
    let mut plan: Value = serde_saphyr::from_str(&text).unwrap();
    plan["mesh"]["registry"] = Value::from(HOSTILE);
    plan["demo"]["helloworld"]["image"] = Value::from(format!("{HOSTILE}/hello"));
    plan["demo"]["sleep"]["image"] = Value::from(format!("{HOSTILE}/sleep"));
    let source = Source::new(
        "plan.yaml",
        serde_json::to_string(&plan).unwrap(),
        Format::Yaml,
    );
    match meshgen::compile(&source, &Options::default()) {
        Ok((tree, _)) => tree,
        Err(e) => panic!("hostile free text must render: {e:?}"),
    }
}

fn docs(tree: &Tree, path: &str) -> Vec<Value> {
    serde_saphyr::from_multiple(std::str::from_utf8(tree.get(path).unwrap()).unwrap()).unwrap()
}

#[test]
fn yaml_documents_keep_their_shape_and_the_exact_value() {
    let tree = render_hostile();
    for cluster in ["mdemo-cluster1", "mdemo-cluster2", "mdemo-cluster3"] {
        let iop = docs(
            &tree,
            &format!("clusters/{cluster}/istio/eastwest-gateway.yaml"),
        );
        assert_eq!(iop.len(), 1);
        assert_eq!(iop[0]["kind"], "IstioOperator");
        assert_eq!(iop[0]["spec"]["values"]["global"]["hub"], HOSTILE);
        let sleep = docs(
            &tree,
            &format!("clusters/{cluster}/demo/sleep-deployment.yaml"),
        );
        assert_eq!(sleep.len(), 1);
        assert_eq!(sleep[0]["kind"], "Deployment");
        assert_eq!(
            sleep[0]["spec"]["template"]["spec"]["containers"][0]["image"],
            format!("{HOSTILE}/sleep")
        );
    }
    for (path, bytes) in tree.iter() {
        let text = std::str::from_utf8(bytes).unwrap();
        assert!(
            !text.contains("\nkind: Secret"),
            "{path}: a value broke out"
        );
    }
}

#[test]
fn readme_tables_and_commands_stay_whole() {
    let tree = render_hostile();
    let readme = std::str::from_utf8(tree.get("README.md").unwrap()).unwrap();
    // The probe pod's image is one shell word, ANSI-C quoted because of the newline.
    assert!(
        readme.contains("--image=$'reg.example/a\\x0akind: Secret # {{ x }} \"q\" \\'q\\' | `b` *c* _d_ <e> on/sleep'"),
        "{readme}"
    );
    // In tables, markup characters are escaped and the newline is a space.
    assert!(readme.contains(
        "reg.example/a kind: Secret \\# {{ x }} \"q\" 'q' \\| \\`b\\` \\*c\\* \\_d\\_ \\<e\\> on"
    ));
    // Every line of a table has as many cells as its header (render checks it too).
    let mut expected = None;
    for line in readme.lines() {
        if line.starts_with('|') {
            let cells = line.replace("\\|", "").matches('|').count();
            assert_eq!(*expected.get_or_insert(cells), cells, "{line}");
        } else {
            expected = None;
        }
    }
}
