//! The template environment: escaping by extension, what can be placed, captured blocks.

use super::*;

#[test]
fn every_template_is_escaped_by_its_extension() {
    let env = environment().unwrap();
    for (name, _) in env.templates() {
        assert!(
            [".yaml", ".json", ".md", ".sh"]
                .iter()
                .any(|e| name.ends_with(e)),
            "{name}: no escaping for this extension"
        );
    }
}

#[test]
fn placing_a_list_or_none_is_a_template_error() {
    let mut env = environment().unwrap();
    env.add_template("t.yaml", "a: {{ v }}\n").unwrap();
    let t = env.get_template("t.yaml").unwrap();
    assert!(t.render(minijinja::context! { v => vec![1] }).is_err());
    assert!(t.render(minijinja::context! { v => () }).is_err());
    assert_eq!(
        t.render(minijinja::context! { v => "on" }).unwrap(),
        "a: \"on\"\n"
    );
    assert_eq!(
        t.render(minijinja::context! { v => false }).unwrap(),
        "a: false\n"
    );
    assert!(env.render_str("{{ 'x'|safe }}", ()).is_err());
}

#[test]
fn a_captured_block_keeps_its_escaped_values_and_nothing_else_is_raw() {
    let mut env = environment().unwrap();
    env.add_template("part.yaml", "k: {{ v }}\nlist:\n  - {{ v }}\n")
        .unwrap();
    env.add_template(
        "outer.yaml",
        "top:\n{% filter indent(2, true) %}{% include \"part.yaml\" %}{% endfilter %}\n",
    )
    .unwrap();
    let hostile = "x\nkind: Secret: {{ y }}";
    let text = env
        .get_template("outer.yaml")
        .unwrap()
        .render(minijinja::context! { v => hostile })
        .unwrap();
    let quoted = escape::yaml_scalar(hostile);
    assert_eq!(
        text,
        format!("top:\n  k: {quoted}\n  list:\n    - {quoted}")
    );
    // The shell and Markdown filters mark their output safe: not in YAML.
    env.add_template("sh.yaml", "a: {{ v|sh }}\n").unwrap();
    let sh = env.get_template("sh.yaml").unwrap();
    assert!(sh.render(minijinja::context! { v => "a: b" }).is_err());
}
