//! The same plan in YAML and TOML loads to the same value.

use meshgen::{Format, Source, plan};

fn load(path: &str, format: Format) -> meshgen::Plan {
    let text = std::fs::read_to_string(path).unwrap();
    plan::parse(&Source::new(path, text, format)).unwrap_or_else(|d| panic!("{path}: {d:?}"))
}

#[test]
fn demo_plan_yaml_and_toml_load_to_the_same_value() {
    let yaml = load("golden/demo/plan.yaml", Format::Yaml);
    let toml = load("golden/demo/plan.toml", Format::Toml);
    assert_eq!(yaml, toml);
    assert_eq!(yaml.clusters.len(), 3);
    assert_eq!(
        yaml.clusters[0].load_balancer_ips.istiod.as_deref(),
        Some("10.64.30.71")
    );
}
