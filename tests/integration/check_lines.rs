//! Lines and columns: `Diagnostics::locate` places each check's path on the right spot of
//! the plan text, in YAML and in TOML, including map keys that are cluster names and fields
//! that are missing (placed at their parent).

use crate::support::check as check_support;

use check_support::*;
use meshgen::Format;

/// 1-based (line, column) of the first `needle` in `text`.
fn position(text: &str, needle: &str) -> (u32, u32) {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in the plan"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
    (line as u32, column as u32)
}

fn at(text: &str, format: Format, code: &str, path: &str) -> (u32, u32) {
    let diagnostics = located(text, format);
    let d = find(&diagnostics, code, path);
    (d.line.expect("a line"), d.column.expect("a column"))
}

#[test]
fn lb_ip_outside_the_pools() {
    let yaml = demo_yaml_with("eastWest: 10.6.136.29", "eastWest: 10.6.136.30");
    let path = "clusters[1].loadBalancerIPs.eastWest";
    assert_eq!(
        at(&yaml, Format::Yaml, "MG050", path),
        position(&yaml, "10.6.136.30")
    );
    let toml = demo_toml_with("eastWest = \"10.6.136.29\"", "eastWest = \"10.6.136.30\"");
    assert_eq!(
        at(&toml, Format::Toml, "MG050", path),
        position(&toml, "\"10.6.136.30\"")
    );
}

#[test]
fn demo_versions_keyed_by_cluster_name() {
    let yaml = demo_yaml_with(
        "      mdemo-cluster3: vc3\n",
        "      mdemo-cluster3: vc3\n      mdemo-cluster9: vc9\n",
    );
    let path = "demo.helloworld.versions.mdemo-cluster9";
    assert_eq!(
        at(&yaml, Format::Yaml, "MG070", path),
        position(&yaml, "vc9")
    );
    let toml = demo_toml_with(
        "mdemo-cluster3 = \"vc3\" }",
        "mdemo-cluster3 = \"vc3\", mdemo-cluster9 = \"vc9\" }",
    );
    assert_eq!(
        at(&toml, Format::Toml, "MG070", path),
        position(&toml, "\"vc9\"")
    );
}

#[test]
fn a_missing_field_is_placed_at_its_parent() {
    let yaml = demo_yaml_with(
        "      istiod: 10.64.30.71             # hosted istiod (control-plane cluster only)\n",
        "",
    );
    let path = "clusters[0].loadBalancerIPs.istiod";
    assert_eq!(
        at(&yaml, Format::Yaml, "MG021", path),
        position(&yaml, "eastWest: 10.64.30.73")
    );
    let toml = demo_toml_with("{ istiod = \"10.64.30.71\", eastWest", "{ eastWest");
    assert_eq!(
        at(&toml, Format::Toml, "MG021", path),
        position(&toml, "{ eastWest = \"10.64.30.73\"")
    );
}

#[test]
fn pool_entries_in_flow_sequences_and_tables() {
    let yaml = demo_yaml_with(
        "addresses: [10.64.30.75-10.64.30.77]",
        "addresses: [10.64.30.70, 10.64.30.77-10.64.30.75]",
    );
    let path = "clusters[2].metallb.pools[0].addresses[1]";
    assert_eq!(
        at(&yaml, Format::Yaml, "MG053", path),
        position(&yaml, "10.64.30.77-10.64.30.75")
    );
    let toml = demo_toml_with(
        "addresses = [\"10.64.30.75-10.64.30.77\"]",
        "addresses = [\"10.64.30.70\", \"10.64.30.77-10.64.30.75\"]",
    );
    assert_eq!(
        at(&toml, Format::Toml, "MG053", path),
        position(&toml, "\"10.64.30.77-10.64.30.75\"")
    );
}

#[test]
fn node_fields_in_flow_mappings() {
    let yaml = demo_yaml_with(
        "zone: zone2, subzone: subzone2",
        "zone: zone2, subzone: sub zone2",
    );
    let path = "clusters[1].nodes[0].subzone";
    assert_eq!(
        at(&yaml, Format::Yaml, "MG013", path),
        position(&yaml, "sub zone2")
    );
    let toml = demo_toml_with("subzone = \"subzone2\"", "subzone = \"sub zone2\"");
    assert_eq!(
        at(&toml, Format::Toml, "MG013", path),
        position(&toml, "\"sub zone2\"")
    );
}
