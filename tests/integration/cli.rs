//! The command line as scripts and people see it: diagnostics formats, colour, explain,
//! completions, the manual page, and exit codes. The cases that are one run with a fixed
//! input and an exact output (the diagnostics formats, colour, exit codes) are trycmd files
//! in `tests/cmd/`; what stays here runs meshgen more than once or checks every code.

use std::path::Path;
use std::process::{Command, Output};

use meshgen::codes;

const DEMO: &str = include_str!("../../golden/demo/plan.yaml");

fn meshgen(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshgen"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env("COLUMNS", "100")
        .output()
        .expect("meshgen runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// A scratch folder holding `files`.
fn scratch(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn render_check_reports_a_stale_tree_in_each_format() {
    let dir = scratch(&[("mesh.yaml", DEMO)]);
    assert!(
        meshgen(dir.path(), &["render", "-o", "out"])
            .status
            .success()
    );
    let fresh = meshgen(
        dir.path(),
        &["render", "-o", "out", "--check", "--format", "json"],
    );
    assert_eq!(fresh.status.code(), Some(0));
    assert_eq!(
        stdout(&fresh),
        "{\"file\":\"mesh.yaml\",\"diagnostics\":[],\"errors\":0,\"warnings\":0}\n"
    );

    // A valid change to the plan that is not rendered: the tree is stale.
    std::fs::write(
        dir.path().join("mesh.yaml"),
        DEMO.replace("network-c1", "network-x"),
    )
    .unwrap();
    // The message may say what changed between "stale" and the fix (kept open on purpose).
    let (stale, fix) = (
        "out is stale",
        "; run `meshgen render mesh.yaml -o out` and commit the result",
    );

    let text_out = meshgen(dir.path(), &["render", "-o", "out", "--check"]);
    assert_eq!(text_out.status.code(), Some(1));
    let diff = stdout(&text_out);
    assert!(
        diff.lines()
            .any(|l| l.starts_with('-') && l.contains("network-c1")),
        "{diff}"
    );
    assert!(
        diff.lines()
            .any(|l| l.starts_with('+') && l.contains("network-x")),
        "{diff}"
    );
    let err = stderr(&text_out);
    assert!(err.starts_with(&format!("meshgen: {stale}")), "{err}");
    assert!(
        err.ends_with(&format!("{fix}\n")) && err.lines().count() == 1,
        "{err}"
    );

    let json = meshgen(
        dir.path(),
        &["render", "-o", "out", "--check", "--format", "json"],
    );
    assert_eq!(json.status.code(), Some(1));
    assert_eq!(
        stdout(&json),
        stdout(&fresh),
        "stdout holds only the JSON document"
    );
    assert!(
        stderr(&json)
            .lines()
            .any(|l| l.starts_with('+') && l.contains("network-x"))
    );

    let github = meshgen(
        dir.path(),
        &["render", "-o", "out", "--check", "--format", "github"],
    );
    assert_eq!(github.status.code(), Some(1));
    let out = stdout(&github);
    let annotation = out.lines().last().unwrap_or_default();
    assert!(
        annotation.starts_with(&format!(
            "::error file=mesh.yaml,title=meshgen render --check::{stale}"
        )) && annotation.ends_with(fix),
        "{out}"
    );
}

#[test]
fn every_code_has_a_title_an_explanation_and_bad_and_fixed_examples() {
    let mut seen = std::collections::BTreeSet::new();
    for info in codes::ALL {
        assert!(seen.insert(info.code), "{} listed twice", info.code);
        let well_formed = info.code.as_str().len() == 5
            && info.code.as_str().starts_with("MG")
            && info.code.as_str()[2..].bytes().all(|b| b.is_ascii_digit());
        assert!(well_formed, "{} is not MG + 3 digits", info.code);
        for (what, text) in [
            ("title", info.title),
            ("explanation", info.explanation),
            ("bad", info.bad),
            ("fixed", info.fixed),
        ] {
            assert!(!text.trim().is_empty(), "{} has no {what}", info.code);
        }
        assert_ne!(
            info.bad, info.fixed,
            "{}: the fix changes nothing",
            info.code
        );
    }
}

#[test]
fn explain_prints_the_title_explanation_and_both_examples_of_every_code() {
    let dir = scratch(&[]);
    for info in codes::ALL {
        let out = meshgen(dir.path(), &["explain", info.code.as_str()]);
        assert_eq!(out.status.code(), Some(0), "{}", info.code);
        let text = stdout(&out);
        assert!(
            text.starts_with(&format!("{}: {}\n\n", info.code, info.title)),
            "{text}"
        );
        let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(words(&text).contains(&words(info.explanation)), "{text}");
        let indented =
            |example: &str| -> String { example.lines().map(|l| format!("    {l}\n")).collect() };
        let bad_at = text.find("A plan with the problem:\n\n").unwrap();
        let fixed_at = text.find("\nFixed:\n\n").unwrap();
        assert!(
            text[bad_at..fixed_at].contains(&indented(info.bad)),
            "{text}"
        );
        assert!(text[fixed_at..].ends_with(&indented(info.fixed)), "{text}");
        // The explanation is wrapped (the title line and the indented examples are as written).
        assert!(
            text.lines()
                .skip(1)
                .all(|l| l.starts_with("    ") || l.chars().count() <= 80),
            "{text}"
        );
    }
}

#[test]
fn explain_accepts_a_bare_number_and_lists_codes_without_an_argument() {
    let dir = scratch(&[]);
    assert_eq!(
        stdout(&meshgen(dir.path(), &["explain", "2"])),
        stdout(&meshgen(dir.path(), &["explain", "mg002"]))
    );
    let list = stdout(&meshgen(dir.path(), &["explain"]));
    let expected: String = codes::ALL
        .iter()
        .map(|c| format!("{}  {}\n", c.code, c.title))
        .collect();
    assert_eq!(list, expected);
}

#[test]
fn explain_an_unknown_code_exits_2_and_lists_the_known_ones() {
    let dir = scratch(&[]);
    let out = meshgen(dir.path(), &["explain", "MG999"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(
        err.starts_with("meshgen: no diagnostic code `MG999`; the codes are MG001, MG002"),
        "{err}"
    );
    for info in codes::ALL {
        assert!(err.contains(info.code.as_str()), "{err}");
    }
}

#[test]
fn completions_are_scripts_for_each_shell() {
    let dir = scratch(&[]);
    let script = |shell: &str| {
        let out = meshgen(dir.path(), &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        stdout(&out)
    };
    let bash = script("bash");
    assert!(bash.contains("_meshgen()"), "{bash}");
    assert!(bash.contains("complete -F _meshgen"), "{bash}");
    let zsh = script("zsh");
    assert!(zsh.starts_with("#compdef meshgen"), "{zsh}");
    let fish = script("fish");
    assert!(fish.contains("complete -c meshgen"), "{fish}");
    for text in [&bash, &zsh, &fish] {
        for word in [
            "validate",
            "render",
            "explain",
            "completions",
            "format",
            "deny-warnings",
            "github",
        ] {
            assert!(text.contains(word), "{word} not completed");
        }
    }
    // The bash script at least parses.
    if let Ok(status) = Command::new("bash").arg("-n").arg("-c").arg(&bash).status() {
        assert!(status.success(), "bash -n rejects the completion script");
    }
    assert_eq!(
        meshgen(dir.path(), &["completions", "tcsh"]).status.code(),
        Some(2)
    );
}

#[test]
fn man_prints_a_roff_page_with_every_subcommand() {
    let dir = scratch(&[]);
    let out = meshgen(dir.path(), &["man"]);
    assert_eq!(out.status.code(), Some(0));
    let page = stdout(&out);
    assert!(page.contains(".TH meshgen 1"), "{page}");
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH DESCRIPTION",
        ".SH OPTIONS",
        ".SH SUBCOMMANDS",
    ] {
        assert!(page.contains(section), "{section} missing");
    }
    for sub in [
        "init",
        "validate",
        "render",
        "schema",
        "explain",
        "completions",
        "man",
    ] {
        assert!(
            page.contains(&format!("meshgen\\-{sub}")),
            "{sub} missing:\n{page}"
        );
    }
}

const PRIMARY_REMOTE: &str = include_str!("../../golden/primary-remote/plan.yaml");
const MULTI_PRIMARY: &str = include_str!("../../golden/multi-primary/plan.yaml");

/// Every file under `dir`, by `/`-separated relative path.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap();
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn certs_writes_one_root_and_an_intermediate_per_istiod_cluster() {
    let dir = scratch(&[("mesh.yaml", MULTI_PRIMARY)]);
    let run = meshgen(dir.path(), &["certs", "mesh.yaml", "--out", "keys"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("test stands only"),
        "{}",
        stderr(&run)
    );
    let keys = dir.path().join("keys");
    let mut expected = vec!["root-cert.pem".to_owned(), "root-key.pem".to_owned()];
    for cluster in ["cluster1", "cluster2", "cluster3"] {
        for file in [
            "ca-cert.pem",
            "ca-key.pem",
            "cert-chain.pem",
            "root-cert.pem",
        ] {
            expected.push(format!("{cluster}/{file}"));
        }
    }
    expected.sort();
    assert_eq!(files_under(&keys), expected);
    let read = |path: &str| std::fs::read_to_string(keys.join(path)).unwrap();
    let root = read("root-cert.pem");
    for cluster in ["cluster1", "cluster2", "cluster3"] {
        assert_eq!(read(&format!("{cluster}/root-cert.pem")), root);
        let chain = read(&format!("{cluster}/cert-chain.pem"));
        assert_eq!(
            chain,
            format!("{}{root}", read(&format!("{cluster}/ca-cert.pem")))
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |path: &str| {
                std::fs::metadata(keys.join(path))
                    .unwrap()
                    .permissions()
                    .mode()
                    & 0o777
            };
            assert_eq!(mode(&format!("{cluster}/ca-key.pem")), 0o600, "{cluster}");
            assert_eq!(mode("root-key.pem"), 0o600);
            assert_eq!(mode(cluster) & 0o077, 0, "{cluster}/ is private");
        }
        // openssl, where the machine has it, agrees the intermediate is the root's CA.
        if let Ok(verify) = Command::new("openssl")
            .args(["verify", "-CAfile", "root-cert.pem"])
            .arg(format!("{cluster}/ca-cert.pem"))
            .current_dir(&keys)
            .output()
        {
            assert!(verify.status.success(), "{}", stdout(&verify));
        }
    }
    // Never over existing keys; nothing is written then.
    let again = meshgen(dir.path(), &["certs", "mesh.yaml", "--out", "keys"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("never overwrites"),
        "{}",
        stderr(&again)
    );
    assert_eq!(read("root-cert.pem"), root);
}

#[test]
fn certs_keeps_keys_out_of_git_and_rendered_trees() {
    // Primary-remote: only the primary runs istiod.
    let dir = scratch(&[("mesh.yaml", PRIMARY_REMOTE)]);
    let run = meshgen(dir.path(), &["certs", "mesh.yaml", "--out", "keys"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(dir.path().join("keys/east/ca-key.pem").exists());
    assert!(!dir.path().join("keys/west").exists());

    // Inside a rendered tree, at any depth.
    assert!(
        meshgen(dir.path(), &["render", "-o", "out"])
            .status
            .success()
    );
    let run = meshgen(
        dir.path(),
        &["certs", "mesh.yaml", "--out", "out/certs/new"],
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("a tree meshgen rendered"),
        "{}",
        stderr(&run)
    );
    assert!(!dir.path().join("out/certs").exists());

    // Inside a git work tree (a .git folder, or a .git file of a worktree).
    for dot_git in ["folder", "file"] {
        let repo = scratch(&[("mesh.yaml", PRIMARY_REMOTE)]);
        if dot_git == "folder" {
            std::fs::create_dir(repo.path().join(".git")).unwrap();
        } else {
            std::fs::write(repo.path().join(".git"), "gitdir: /elsewhere\n").unwrap();
        }
        let run = meshgen(repo.path(), &["certs", "mesh.yaml", "--out", "keys"]);
        assert_eq!(run.status.code(), Some(2), "{dot_git}");
        assert!(stderr(&run).contains("git work tree"), "{}", stderr(&run));
        assert!(!repo.path().join("keys").exists());
    }

    // A hosted mesh plugs no CA; a plan with problems reports them (exit 1).
    let hosted = scratch(&[("mesh.yaml", DEMO)]);
    let run = meshgen(hosted.path(), &["certs", "mesh.yaml", "--out", "keys"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("upstream modes"), "{}", stderr(&run));
    let broken = scratch(&[("mesh.yaml", &PRIMARY_REMOTE.replace("1.29.2", "1.23.2"))]);
    let run = meshgen(broken.path(), &["certs", "mesh.yaml", "--out", "keys"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(stderr(&run).contains("MG064"), "{}", stderr(&run));
    assert!(!broken.path().join("keys").exists());
}

#[test]
fn init_writes_the_plan_with_a_modeline_and_the_schema_beside_it() {
    let dir = scratch(&[]);
    let schema = stdout(&meshgen(dir.path(), &["schema"]));
    // YAML: yaml-language-server's modeline, the schema beside the plan, a folder created.
    let out = meshgen(dir.path(), &["init", "deploy/mesh.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let plan = std::fs::read_to_string(dir.path().join("deploy/mesh.yaml")).unwrap();
    assert_eq!(
        plan,
        format!("# yaml-language-server: $schema=mesh-plan.schema.json\n{DEMO}")
    );
    let beside = dir.path().join("deploy/mesh-plan.schema.json");
    assert_eq!(std::fs::read_to_string(&beside).unwrap(), schema);
    assert!(
        stderr(&out).contains("deploy/mesh-plan.schema.json was written"),
        "{}",
        stderr(&out)
    );
    let out = meshgen(
        dir.path(),
        &["validate", "--deny-warnings", "deploy/mesh.yaml"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A second plan in the folder: the schema there is kept, never overwritten.
    std::fs::write(&beside, "{}\n").unwrap();
    let out = meshgen(dir.path(), &["init", "deploy/other.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&beside).unwrap(), "{}\n");
    assert!(stderr(&out).contains("differs"), "{}", stderr(&out));
    // TOML: the `#:schema` directive of taplo and tombi.
    let toml = std::fs::read_to_string(dir.path().join("deploy/other.toml")).unwrap();
    assert_eq!(
        toml,
        format!(
            "#:schema ./mesh-plan.schema.json\n{}",
            include_str!("../../golden/demo/plan.toml")
        )
    );
    let out = meshgen(dir.path(), &["validate", "deploy/other.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The plan itself is never overwritten.
    let out = meshgen(dir.path(), &["init", "deploy/mesh.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("exists; not overwriting it"),
        "{}",
        stderr(&out)
    );
    let out = meshgen(dir.path(), &["init", "mesh.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.path().join("mesh.json").exists());
}

#[test]
fn schema_writes_to_a_file_in_a_new_folder() {
    let dir = scratch(&[]);
    let printed = stdout(&meshgen(dir.path(), &["schema"]));
    let out = meshgen(dir.path(), &["schema", "-o", "a/b/mesh-plan.schema.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let file = dir.path().join("a/b/mesh-plan.schema.json");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), printed);
    // An existing (stale) schema is replaced: it is generated.
    std::fs::write(&file, "{}").unwrap();
    let out = meshgen(
        dir.path(),
        &["schema", "--output", "a/b/mesh-plan.schema.json"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), printed);
}

#[test]
fn a_huge_value_is_cut_in_every_format() {
    // A 1 MB cluster name, named twice: the report must not echo megabytes.
    let name = "A".repeat(1_000_000);
    let text = DEMO
        .replacen("  - name: mdemo-cluster2", &format!("  - name: {name}"), 1)
        .replacen(
            "clusters: [mdemo-cluster1, mdemo-cluster2, mdemo-cluster3]",
            &format!("clusters: [mdemo-cluster1, {name}, mdemo-cluster3]"),
            1,
        );
    assert!(
        text.contains(&format!("  - name: {name}")),
        "the demo plan moved"
    );
    let dir = scratch(&[("mesh.yaml", &text)]);
    for format in ["text", "json", "github"] {
        let out = meshgen(dir.path(), &["validate", "mesh.yaml", "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}");
        let printed = [out.stdout, out.stderr].concat();
        let printed = String::from_utf8_lossy(&printed);
        assert!(printed.len() < 8_000, "{format}: {} bytes", printed.len());
        assert!(printed.contains("characters cut]"), "{format}: {printed}");
    }
}
