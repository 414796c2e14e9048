//! The escaping functions of `escape.rs`, and the parse-back checks.

use super::*;

#[test]
fn a_comment_stays_one_comment_line() {
    assert_eq!(
        yaml_comment("yaml-language-server: $schema=https://x/y.json"),
        "# yaml-language-server: $schema=https://x/y.json"
    );
    for hostile in ["a\nb: c", "a\rb", "a\u{85}b", "a\u{2028}b", "a\u{202e}b"] {
        let comment = yaml_comment(hostile);
        assert!(comment.starts_with("# ") && comment.chars().all(|c| !c.is_control()));
        assert!(!comment.contains(['\u{2028}', '\u{202e}']), "{comment}");
    }
}

#[test]
fn quotes_what_yaml_11_would_not_read_as_a_string() {
    for word in [
        "on",
        "Off",
        "y",
        "N",
        "yes",
        "true",
        "null",
        "~",
        "15443",
        "1.25",
        "10.64.30.71",
        "",
        "a: b",
        "#x",
        "{{ x }}",
        "a\nb",
        "*.local",
    ] {
        assert!(
            yaml_scalar(word).starts_with('"'),
            "{word:?} must be quoted"
        );
    }
    for word in [
        "mdemo-mesh",
        "network-c1",
        "release.daocloud.io/mspider",
        "region1",
    ] {
        assert_eq!(yaml_scalar(word), word);
    }
    assert_eq!(yaml_scalar("a\"b\nc"), r#""a\"b\nc""#);
    assert!(!yaml_scalar("a\u{2028}b\rc").contains(['\u{2028}', '\r', '\n']));
}

#[test]
fn invisible_characters_are_written_escaped() {
    let image = "curl\u{202E}lruc\u{200B}\u{E0041}";
    assert_eq!(yaml_scalar(image), r#""curl\u202elruc\u200b\U000e0041""#);
    // Read back, the YAML is the same string.
    let back: String = serde_saphyr::from_str(&yaml_scalar(image)).unwrap();
    assert_eq!(back, image);
    assert_eq!(markdown_text(image), "curl\\u{202e}lruc\\u{200b}\\u{e0041}");
    assert_eq!(
        markdown_code(image),
        "`curl\\u{202e}lruc\\u{200b}\\u{e0041}`"
    );
    assert_eq!(shell_word(image), "$'curl\\u202elruc\\u200b\\U000e0041'");
    assert_eq!(markdown_text("主节点"), "主节点");
}

#[test]
fn markdown_values_stay_in_their_cell() {
    assert_eq!(markdown_text("mdemo-cluster1"), "mdemo-cluster1");
    assert_eq!(markdown_text("10.64.30.71"), "10.64.30.71");
    assert_eq!(markdown_text("a|b\nc"), "a\\|b c");
    assert_eq!(markdown_text("*x* `y` <z>"), "\\*x\\* \\`y\\` \\<z\\>");
    let row = format!("| {} | {} |", markdown_text("a|b\\"), markdown_text("|"));
    assert_eq!(table_cell_count(&row), 2);
}

#[test]
fn code_spans_hold_backticks_and_pipes() {
    assert_eq!(markdown_code("istio-system"), "`istio-system`");
    assert_eq!(markdown_code("a`b"), "``a`b``");
    assert_eq!(markdown_code("`x"), "`` `x ``");
    assert_eq!(markdown_code("a|b\nc"), "`a\\|b c`");
}

#[test]
fn shell_words() {
    assert_eq!(shell_word("mdemo-cluster1"), "mdemo-cluster1");
    assert_eq!(shell_word("fd00::1,10.0.0.1"), "fd00::1,10.0.0.1");
    assert_eq!(shell_word("a b"), "'a b'");
    assert_eq!(shell_word("it's"), "'it'\\''s'");
    assert_eq!(shell_word("a\n```"), "$'a\\x0a```'");
    assert_eq!(shell_word(""), "''");
}

#[test]
fn parse_back_refuses_what_is_not_a_manifest() {
    assert!(check_yaml("x", "a: 1\n---\nb: 2\n").is_ok());
    assert!(check_yaml("x", "- a\n").is_err());
    assert!(check_yaml("x", "# only a comment\n").is_err());
    assert!(check_yaml("x", "a: [\n").is_err());
    assert!(check_yaml("x", "a: {b: [1, {c: 2}], d: 3}\ne: 4\n").is_ok());
    assert!(check_yaml("x", "a: 1\nb: {c: 1}\na: 2\n").is_err());
    assert!(check_yaml("x", "a: {b: 1, b: 2}\n").is_err());
    assert!(check_json("x", "[{\"op\": \"add\"}]").is_ok());
    assert!(check_json("x", "\"text\"").is_err());
    assert!(check_json("x", "[").is_err());
}

#[test]
fn parse_back_checks_shell_quotes() {
    assert!(check_script("x", "#!/bin/sh\necho 'a # b' \"c\\\"d\" # it's\n").is_ok());
    assert!(check_script("x", "#!/bin/sh\nnl='\n'\necho \"$(sed -n '1p' \"$f\")\"\n").is_ok());
    assert!(check_script("x", "#!/bin/sh\ncat <<'EOF'\nit's\nEOF\necho ok\n").is_ok());
    assert!(check_script("x", "#!/bin/sh\necho 'a\n").is_err());
    assert!(check_script("x", "#!/bin/sh\necho \"a\\\"\n").is_err());
    assert!(check_script("x", "#!/bin/sh\ncat <<EOF\nx\n").is_err());
    assert!(check_script("x", "echo\n").is_err());
    // Every shell word the formatter places keeps the quotes balanced.
    for value in ["it's", "a\"b", "a\\", "$(x)", "a\nb", "'", "\\'"] {
        let script = format!("#!/bin/sh\necho {}\n", shell_word(value));
        assert!(check_script("x", &script).is_ok(), "{script}");
    }
}

#[test]
fn parse_back_checks_markdown_structure() {
    assert!(check_markdown("x", "| a | b |\n|---|---|\n| 1 | 2 |\n").is_ok());
    assert!(check_markdown("x", "| a | b |\n|---|---|\n| 1 | 2 | 3 |\n").is_err());
    assert!(check_markdown("x", "| a | b |\n|---|---|\n| 1 \\| 2 | 3 |\n").is_ok());
    assert!(check_markdown("x", "```sh\nls\n").is_err());
    // Shell quoting may put any backslash in a code block.
    assert!(check_markdown("x", "```sh\necho 'K\\&|TN<'\n```\n").is_ok());
    assert!(check_markdown("x", "```sh\nkubectl get \\\n  pods\n```\n").is_ok());
}
