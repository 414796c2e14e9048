//! The README's snippets, exercised: every fenced block that follows a
//! `<!-- test: NAME -->` marker is parsed, checked against meshgen, and where it is shell,
//! run with `sh` in a scratch repository (with `meshgen` on PATH and `kubectl` replaced by a
//! stub that records its arguments, since there is no cluster).

#![cfg(unix)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const DEMO: &str = include_str!("../../golden/demo/plan.yaml");
const HOOKS: &str = include_str!("../../.pre-commit-hooks.yaml");

/// Every snippet the document must have, each exercised by a test below.
const NAMES: &[&str] = &[
    "quickstart",
    "workflow",
    "plan-example",
    "precommit-config",
    "precommit-local",
    "ci-github-actions",
    "ci-shell",
    "argocd-plan",
    "argocd-health",
    "argocd-bootstrap",
    "flux-plan",
    "flux-bootstrap",
    "editor-schema",
    "editor-modeline",
    "vscode-settings",
    "completions",
];

struct Snippet {
    lang: String,
    body: String,
}

/// The marked snippets of README.md.
fn snippets() -> BTreeMap<String, Snippet> {
    let name = "README.md";
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap();
    let mut found = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(marker) = line
            .trim()
            .strip_prefix("<!-- test: ")
            .and_then(|rest| rest.strip_suffix(" -->"))
        else {
            continue;
        };
        let fence = lines
            .by_ref()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default();
        let lang = fence
            .strip_prefix("```")
            .unwrap_or_else(|| panic!("{name}: `{marker}` is not followed by a fenced block"));
        let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        let snippet = Snippet {
            lang: lang.to_owned(),
            body: body.join("\n") + "\n",
        };
        assert!(
            found.insert(marker.to_owned(), snippet).is_none(),
            "{name}: `{marker}` twice"
        );
    }
    found
}

fn snippet(name: &str) -> Snippet {
    snippets()
        .remove(name)
        .unwrap_or_else(|| panic!("no snippet `{name}`"))
}

fn yaml(text: &str) -> serde_json::Value {
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("not YAML: {e}\n{text}"))
}

/// A scratch git repository with `deploy/mesh.yaml`, a bare `origin` to push to, a HOME,
/// and a bin folder with `meshgen` and a `kubectl` stub.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new(plan: &str) -> Scratch {
        let scratch = Scratch {
            dir: tempfile::tempdir().unwrap(),
        };
        for folder in ["repo/deploy", "home", "bin", "origin.git"] {
            std::fs::create_dir_all(scratch.path(folder)).unwrap();
        }
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_meshgen"), scratch.path("bin/meshgen"))
            .unwrap();
        let stub = "#!/bin/sh\n# Records what would have been sent to a cluster.\necho \"$*\" >> \"$KUBECTL_LOG\"\n";
        std::fs::write(scratch.path("bin/kubectl"), stub).unwrap();
        let mode = std::os::unix::fs::PermissionsExt::from_mode(0o755);
        std::fs::set_permissions(scratch.path("bin/kubectl"), mode).unwrap();
        std::fs::write(scratch.path("repo/deploy/mesh.yaml"), plan).unwrap();
        scratch.git(&["init", "-q", "--bare", "../origin.git"]);
        scratch.git(&["init", "-q"]);
        scratch.git(&["remote", "add", "origin", "../origin.git"]);
        scratch.git(&["config", "push.autoSetupRemote", "true"]);
        scratch
    }

    fn path(&self, rest: &str) -> PathBuf {
        self.dir.path().join(rest)
    }

    fn command(&self, program: &str) -> Command {
        let path = format!(
            "{}:{}",
            self.path("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut command = Command::new(program);
        command
            .current_dir(self.path("repo"))
            .env("PATH", path)
            .env("HOME", self.path("home"))
            .env("KUBECTL_LOG", self.path("kubectl.log"))
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env("GIT_AUTHOR_NAME", "meshgen test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "meshgen test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com")
            .env("GIT_CONFIG_NOSYSTEM", "1");
        command
    }

    fn git(&self, args: &[&str]) {
        let out = self
            .command("git")
            .args([
                "-c",
                "init.defaultBranch=main",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", text(&out));
    }

    fn meshgen(&self, args: &[&str]) -> Output {
        self.command("meshgen").args(args).output().unwrap()
    }

    /// Run a shell snippet as it is written, stopping at the first failing command.
    fn sh(&self, script: &str) -> Output {
        self.command("sh")
            .arg("-e")
            .arg("-c")
            .arg(script)
            .output()
            .unwrap()
    }

    /// The kubectl stub's record: one line of arguments per call.
    fn kubectl_calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.path("kubectl.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The demo plan with a plan snippet (a top-level `gitops:` section) appended.
fn plan_with(section: &str) -> String {
    format!("{DEMO}{}", snippet(section).body)
}

#[test]
fn the_document_has_every_snippet_and_only_those() {
    let found: Vec<String> = snippets().into_keys().collect();
    let mut expected: Vec<&str> = NAMES.to_vec();
    expected.sort();
    assert_eq!(found, expected);
}

#[test]
fn precommit_config_uses_the_published_hooks_with_working_args() {
    let config = snippet("precommit-config");
    assert_eq!(config.lang, "yaml");
    let config = yaml(&config.body);
    let published: Vec<serde_json::Value> = serde_saphyr::from_str(HOOKS).unwrap();
    let published: Vec<&str> = published
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    let hooks = config["repos"][0]["hooks"].as_array().unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, published, "the snippet uses every published hook");

    // meshgen-check's args are a working `meshgen render --check` on a fresh tree.
    let args: Vec<&str> = hooks[1]["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let scratch = Scratch::new(DEMO);
    let plan = args[0];
    let out_dir = args[args.iter().position(|a| *a == "-o").unwrap() + 1];
    assert!(
        scratch
            .meshgen(&["render", plan, "-o", out_dir])
            .status
            .success()
    );
    let mut check = vec!["render", "--check"];
    check.extend(&args);
    let out = scratch.meshgen(&check);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // pre-commit itself accepts the file (when installed; tests/integration/precommit.rs runs the hooks).
    let file = scratch.path("repo/.pre-commit-config.yaml");
    std::fs::write(&file, snippet("precommit-config").body).unwrap();
    match scratch
        .command("pre-commit")
        .arg("validate-config")
        .arg(&file)
        .output()
    {
        Ok(out) => assert!(out.status.success(), "{}", text(&out)),
        Err(_) => eprintln!("NOTE: pre-commit not installed; validate-config not run"),
    }
}

#[test]
fn precommit_local_hooks_mirror_the_published_ones_and_run() {
    let local = snippet("precommit-local");
    assert_eq!(local.lang, "yaml");
    let config = yaml(&local.body);
    assert_eq!(config["repos"][0]["repo"], "local");
    let hooks = config["repos"][0]["hooks"].as_array().unwrap();
    let published: Vec<serde_json::Value> = serde_saphyr::from_str(HOOKS).unwrap();
    assert_eq!(hooks.len(), published.len());
    for (hook, published) in hooks.iter().zip(&published) {
        for key in [
            "id",
            "name",
            "entry",
            "files",
            "pass_filenames",
            "always_run",
        ] {
            assert_eq!(hook[key], published[key], "{key} of {}", published["id"]);
        }
        assert_eq!(hook["language"], "system");
    }

    // Run them with pre-commit, with meshgen on PATH: a fresh tree passes, a stale one fails.
    let scratch = Scratch::new(DEMO);
    assert!(
        scratch
            .meshgen(&["render", "deploy/mesh.yaml", "-o", "deploy/mesh"])
            .status
            .success()
    );
    std::fs::write(scratch.path("repo/.pre-commit-config.yaml"), &local.body).unwrap();
    scratch.git(&["add", "-A"]);
    let pre_commit = |scratch: &Scratch| {
        scratch
            .command("pre-commit")
            .args(["run", "--color", "never"])
            .env("PRE_COMMIT_HOME", scratch.path("pre-commit-home"))
            .output()
    };
    let Ok(out) = pre_commit(&scratch) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but pre-commit is not installed"
        );
        eprintln!("\n*** SKIPPED running precommit-local: pre-commit is not installed ***\n");
        return;
    };
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    std::fs::write(
        scratch.path("repo/deploy/mesh.yaml"),
        DEMO.replace("network-c1", "network-one"),
    )
    .unwrap();
    scratch.git(&["add", "-A"]);
    let out = pre_commit(&scratch).unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("deploy/mesh is stale"),
        "{}",
        text(&out)
    );
}

/// The `run:` steps of the workflow that call meshgen.
fn workflow_meshgen_steps() -> Vec<String> {
    let workflow = snippet("ci-github-actions");
    assert_eq!(workflow.lang, "yaml");
    let workflow = yaml(&workflow.body);
    let steps = workflow["jobs"]["meshgen"]["steps"].as_array().unwrap();
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(
        runs.iter()
            .any(|r| r.starts_with("cargo install --locked") && r.ends_with(" meshgen")),
        "the workflow installs meshgen: {runs:?}"
    );
    runs.iter()
        .filter(|r| r.starts_with("meshgen "))
        .map(|r| r.to_string())
        .collect()
}

#[test]
fn ci_workflow_passes_on_a_fresh_tree_and_annotates_a_stale_one() {
    let steps = workflow_meshgen_steps();
    assert_eq!(steps.len(), 2, "{steps:?}");
    let scratch = Scratch::new(DEMO);
    assert!(
        scratch
            .meshgen(&["render", "deploy/mesh.yaml", "-o", "deploy/mesh"])
            .status
            .success()
    );
    for step in &steps {
        let out = scratch.sh(step);
        assert_eq!(out.status.code(), Some(0), "{step}: {}", text(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "",
            "{step}: nothing to annotate"
        );
    }
    // A plan change that is not re-rendered: the check step fails with an annotation.
    let plan = DEMO.replace("network-c1", "network-one");
    std::fs::write(scratch.path("repo/deploy/mesh.yaml"), plan).unwrap();
    let out = scratch.sh(&steps[1]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "::error file=deploy/mesh.yaml,title=meshgen render --check::deploy/mesh is stale"
        ),
        "{stdout}"
    );
    // A broken plan: the validate step annotates the plan's line.
    let broken = DEMO.replace("networkMode: multi", "netwrokMode: multi");
    std::fs::write(scratch.path("repo/deploy/mesh.yaml"), broken).unwrap();
    let out = scratch.sh(&steps[0]);
    assert_eq!(out.status.code(), Some(1));
    let line = DEMO
        .lines()
        .position(|l| l.contains("networkMode"))
        .unwrap()
        + 1;
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with(&format!(
            "::error file=deploy/mesh.yaml,line={line},col=3,title=MG002::"
        )),
        "{}",
        text(&out)
    );
}

#[test]
fn ci_shell_commands_pass_and_write_a_json_report() {
    let script = snippet("ci-shell");
    assert_eq!(script.lang, "sh");
    let scratch = Scratch::new(DEMO);
    assert!(
        scratch
            .meshgen(&["render", "deploy/mesh.yaml", "-o", "deploy/mesh"])
            .status
            .success()
    );
    let out = scratch.sh(&script.body);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report = std::fs::read_to_string(scratch.path("repo/meshgen-report.json")).unwrap();
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(
        report,
        serde_json::json!({"file": "deploy/mesh.yaml", "diagnostics": [], "errors": 0, "warnings": 0})
    );
}

/// Plan snippet + demo plan: valid, and rendered with the named tool's objects.
fn check_plan_snippet(name: &str, tool: &str) -> Scratch {
    let section = snippet(name);
    assert_eq!(section.lang, "yaml");
    let scratch = Scratch::new(&plan_with(name));
    let out = scratch.meshgen(&["validate", "deploy/mesh.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "deploy/mesh.yaml: no problems\n"
    );
    let gitops = &yaml(&section.body)["gitops"];
    assert_eq!(
        gitops["path"], "deploy/mesh",
        "the snippet's path is the tree's -o folder"
    );
    assert!(gitops[tool].is_object());
    scratch
}

#[test]
fn argocd_plan_bootstrap_and_health_check_work_together() {
    let scratch = check_plan_snippet("argocd-plan", "argocd");
    let bootstrap = snippet("argocd-bootstrap");
    assert_eq!(bootstrap.lang, "sh");
    let out = scratch.sh(&bootstrap.body);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        scratch.kubectl_calls(),
        ["apply -n argocd -f deploy/mesh/gitops/argocd/root.yaml"]
    );
    let root =
        std::fs::read_to_string(scratch.path("repo/deploy/mesh/gitops/argocd/root.yaml")).unwrap();
    let root = yaml(&root);
    assert_eq!(root["kind"], "Application");
    assert_eq!(root["metadata"]["namespace"], "argocd");
    assert_eq!(
        root["spec"]["source"]["path"],
        "deploy/mesh/gitops/argocd/apps"
    );
    // What the root syncs was committed and pushed.
    let pushed = scratch
        .command("git")
        .args([
            "--git-dir",
            "../origin.git",
            "ls-tree",
            "-r",
            "--name-only",
            "main",
        ])
        .output()
        .unwrap();
    let pushed = String::from_utf8_lossy(&pushed.stdout);
    assert!(
        pushed.contains("deploy/mesh/gitops/argocd/apps/mdemo-cluster2-istio.yaml"),
        "{pushed}"
    );

    // The health check is a ConfigMap data key holding Lua that reports the Application's
    // own health (so the root waits for it).
    let health = snippet("argocd-health");
    assert_eq!(health.lang, "yaml");
    let parsed = yaml(&health.body);
    let data = parsed["data"].as_object().unwrap();
    assert_eq!(data.len(), 1);
    let lua = data["resource.customizations.health.argoproj.io_Application"]
        .as_str()
        .unwrap();
    assert!(
        lua.contains("obj.status.health.status") && lua.trim_end().ends_with("return hs"),
        "{lua}"
    );
}

#[test]
fn flux_plan_and_bootstrap_name_the_same_secrets_and_a_buildable_folder() {
    let scratch = check_plan_snippet("flux-plan", "flux");
    assert!(
        scratch
            .meshgen(&["render", "deploy/mesh.yaml", "-o", "deploy/mesh"])
            .status
            .success()
    );
    let bootstrap = snippet("flux-bootstrap");
    assert_eq!(bootstrap.lang, "sh");
    let out = scratch.sh(&bootstrap.body);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let plan = yaml(&snippet("flux-plan").body);
    let mut secrets: Vec<String> = plan["gitops"]["flux"]["clusters"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|t| t["kubeConfigSecret"].as_str())
        .map(|name| format!("-n flux-system create secret generic {name} --from-file=value="))
        .collect();
    secrets.sort();
    let calls = scratch.kubectl_calls();
    let (creates, applies): (Vec<&String>, Vec<&String>) =
        calls.iter().partition(|c| c.contains("create secret"));
    assert_eq!(creates.len(), secrets.len(), "{calls:?}");
    for (call, expected) in creates.iter().zip(&secrets) {
        assert!(call.starts_with(expected.as_str()), "{call} vs {expected}");
    }
    assert_eq!(applies, ["apply -k deploy/mesh/gitops/flux"]);
    let folder = scratch.path("repo/deploy/mesh/gitops/flux");
    assert!(folder.join("kustomization.yaml").is_file());
    // The real kubectl builds it, as `kubectl apply -k` would, when it is installed.
    if let Ok(out) = Command::new("kubectl")
        .arg("kustomize")
        .arg(&folder)
        .output()
    {
        assert!(out.status.success(), "{}", text(&out));
        let built = String::from_utf8_lossy(&out.stdout);
        assert!(built.contains("kind: GitRepository"), "{built}");
        assert_eq!(built.matches("kind: Kustomization").count(), 10, "{built}");
    }
}

#[test]
fn editor_schema_modeline_and_vscode_settings_point_at_the_same_schema() {
    let scratch = Scratch::new(DEMO);
    let command = snippet("editor-schema");
    assert_eq!(command.lang, "sh");
    let out = scratch.sh(&command.body);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let written = command.body.trim().rsplit(' ').next().unwrap();
    let schema_file = scratch.path("repo").join(written);
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_file).unwrap()).unwrap();
    assert_eq!(
        schema,
        serde_json::from_str::<serde_json::Value>(&meshgen::plan::schema_json()).unwrap()
    );

    // The schema accepts the demo plan and rejects a typo, as the editor will.
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&yaml(DEMO)));
    assert!(!validator.is_valid(&yaml(&DEMO.replace("networkMode", "netwrokMode"))));

    // The modeline names the schema relative to the plan (deploy/mesh.yaml).
    let modeline = snippet("editor-modeline");
    assert_eq!(modeline.lang, "yaml");
    let first = modeline.body.lines().next().unwrap();
    let relative = first
        .strip_prefix("# yaml-language-server: $schema=")
        .unwrap_or_else(|| panic!("not a modeline: {first}"));
    let plan_dir = scratch.path("repo/deploy");
    assert_eq!(
        plan_dir.join(relative).canonicalize().unwrap(),
        schema_file.canonicalize().unwrap()
    );
    let fragment = yaml(&modeline.body);
    assert_eq!(fragment["mesh"]["id"], "mdemo-mesh");

    // VS Code: the schema path is relative to the workspace (the repository root).
    let settings = snippet("vscode-settings");
    assert_eq!(settings.lang, "json");
    let settings: serde_json::Value = serde_json::from_str(&settings.body).unwrap();
    let schemas = settings["yaml.schemas"].as_object().unwrap();
    assert_eq!(schemas.len(), 1);
    let (path, globs) = schemas.iter().next().unwrap();
    assert_eq!(
        scratch.path("repo").join(path).canonicalize().unwrap(),
        schema_file.canonicalize().unwrap()
    );
    let globs: Vec<&str> = globs
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    assert!(
        globs.contains(&"**/mesh.yaml") && globs.contains(&"mesh.yaml"),
        "{globs:?}"
    );
}

#[test]
fn completions_and_man_page_install_where_the_snippet_says() {
    let script = snippet("completions");
    assert_eq!(script.lang, "sh");
    let scratch = Scratch::new(DEMO);
    let out = scratch.sh(&script.body);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let home = scratch.path("home");
    let read = |rest: &str| std::fs::read_to_string(home.join(rest)).unwrap();
    assert!(
        read(".local/share/bash-completion/completions/meshgen").contains("complete -F _meshgen")
    );
    assert!(read(".zfunc/_meshgen").starts_with("#compdef meshgen"));
    assert!(read(".config/fish/completions/meshgen.fish").contains("complete -c meshgen"));
    assert!(read(".local/share/man/man1/meshgen.1").contains(".TH meshgen 1"));
}

#[test]
fn quickstart_renders_the_demo_and_names_the_ci_test_command() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let quickstart = snippet("quickstart").body;
    let mut lines = quickstart
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim());
    // `cargo run --release -- ARGS`: the same ARGS through the binary cargo built, from a fresh folder.
    let render = lines.next().unwrap();
    let args: Vec<&str> = render
        .strip_prefix("cargo run --release -- ")
        .unwrap()
        .split_whitespace()
        .collect();
    let scratch = Scratch::new(DEMO);
    std::fs::create_dir_all(scratch.path("repo/golden/demo")).unwrap();
    std::fs::copy(
        root.join("golden/demo/plan.yaml"),
        scratch.path("repo/golden/demo/plan.yaml"),
    )
    .unwrap();
    let out = scratch.meshgen(&args);
    assert!(out.status.success(), "{render}: {}", text(&out));
    let rendered = std::fs::read(scratch.path("repo/out/demo/README.md")).unwrap();
    assert_eq!(
        rendered,
        std::fs::read(root.join("golden/demo/out/README.md")).unwrap()
    );
    // The test command is the one CI runs, as written.
    let test = lines.next().unwrap();
    let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap();
    assert!(
        ci.lines().any(|l| l.trim() == test),
        "CI does not run `{test}`"
    );
}

#[test]
fn workflow_runs_as_written() {
    let scratch = Scratch::new(DEMO);
    let out = scratch.sh(&snippet("workflow").body);
    assert!(out.status.success(), "{}", text(&out));
    assert!(scratch.path("repo/deploy/mesh/README.md").is_file());
}

#[test]
fn the_plan_example_is_the_demo_plan_and_validates() {
    let example = snippet("plan-example");
    assert_eq!(example.lang, "yaml");
    assert_eq!(
        example.body, DEMO,
        "the README's plan example must be the demo plan that `meshgen init` writes"
    );
    let scratch = Scratch::new(&example.body);
    let out = scratch.meshgen(&["validate", "--deny-warnings", "deploy/mesh.yaml"]);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn the_readme_lists_every_diagnostic_code() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for info in meshgen::codes::ALL {
        assert!(
            readme.contains(&format!("| {} |", info.code)),
            "README.md does not list {}",
            info.code
        );
    }
}
