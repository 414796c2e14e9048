//! The README's snippets, exercised: every fenced block that follows a
//! `<!-- test: NAME -->` marker is parsed, checked against meshgen, and where it is shell,
//! run with `sh` in a scratch repository (with `meshgen` on PATH and `kubectl` replaced by a
//! stub that records its arguments, since there is no cluster).

#![cfg(unix)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const DEMO: &str = include_str!("../../golden/demo/plan.yaml");
const MULTI_PRIMARY: &str = include_str!("../../golden/multi-primary/plan.yaml");
const HOOKS: &str = include_str!("../../.pre-commit-hooks.yaml");

/// Every snippet the document must have, each exercised by a test below.
const NAMES: &[&str] = &[
    "quickstart",
    "workflow",
    "plan-example",
    "upstream-plan",
    "precommit-config",
    "precommit-local",
    "ci-github-actions",
    "ci-shell",
    "argocd-plan",
    "argocd-health",
    "argocd-bootstrap",
    "flux-plan",
    "flux-bootstrap",
    "editor-existing-plan",
    "editor-shared-schema",
    "vscode-settings",
    "neovim-settings",
    "helix-settings",
    "taplo-settings",
    "completions",
    "graph-dot",
    "diff-usage",
    "ci-diff-comment",
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
    // The same Lua as the file the gitops golden tree carries (one source: Argo CD's docs).
    let file = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("golden/gitops/out/gitops/argocd/argocd-cm-application-health.yaml"),
    )
    .unwrap();
    let rendered = yaml(&file);
    assert_eq!(
        rendered["data"]["resource.customizations.health.argoproj.io_Application"],
        serde_json::Value::from(lua)
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

/// Whether `path` (`/`-separated, relative) matches `glob`, as the editors' globs do:
/// `**/` stands for any number of folders, `*` for any characters within one name.
fn glob_matches(glob: &str, path: &str) -> bool {
    fn name_matches(glob: &[u8], name: &[u8]) -> bool {
        match glob.split_first() {
            None => name.is_empty(),
            Some((b'*', rest)) => (0..=name.len()).any(|i| name_matches(rest, &name[i..])),
            Some((c, rest)) => name.first() == Some(c) && name_matches(rest, &name[1..]),
        }
    }
    fn parts_match(glob: &[&str], path: &[&str]) -> bool {
        match glob.split_first() {
            None => path.is_empty(),
            Some((&"**", rest)) => (0..=path.len()).any(|i| parts_match(rest, &path[i..])),
            Some((g, rest)) => {
                !path.is_empty()
                    && name_matches(g.as_bytes(), path[0].as_bytes())
                    && parts_match(rest, &path[1..])
            }
        }
    }
    let glob: Vec<&str> = glob.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    parts_match(&glob, &path)
}

/// The globs of an editor setting take plans by the README's naming, and nothing else.
fn assert_plan_globs(editor: &str, globs: &[&str]) {
    let any = |path: &str| globs.iter().any(|g| glob_matches(g, path));
    for plan in [
        "mesh.yaml",
        "deploy/mesh.yaml",
        "prod.mesh.yaml",
        "envs/prod/staging.mesh.yaml",
    ] {
        assert!(
            any(&plan.replace(".yaml", if editor == "taplo" { ".toml" } else { ".yaml" })),
            "{editor}: {globs:?} skip {plan}"
        );
    }
    for other in [
        "deploy/values.yaml",
        "deploy/mesh/clusters/c1/kustomization.yaml",
        "Cargo.toml",
    ] {
        assert!(!any(other), "{editor}: {globs:?} take {other}");
    }
}

#[test]
fn editor_setups_point_at_the_schema_meshgen_writes() {
    let expected: serde_json::Value = serde_json::from_str(&meshgen::plan::schema_json()).unwrap();
    let read_json = |path: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };

    // A plan that exists: the schema goes beside it and the modeline names it.
    let scratch = Scratch::new(DEMO);
    let steps = snippet("editor-existing-plan");
    assert_eq!(steps.lang, "sh");
    let out = scratch.sh(&steps.body);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let plan = std::fs::read_to_string(scratch.path("repo/deploy/mesh.yaml")).unwrap();
    let first = plan.lines().next().unwrap();
    let relative = first
        .strip_prefix("# yaml-language-server: $schema=")
        .unwrap_or_else(|| panic!("not a modeline: {first}"));
    let schema_file = scratch.path("repo/deploy").join(relative);
    assert_eq!(read_json(&schema_file), expected);
    assert_eq!(
        plan.split_once('\n').unwrap().1,
        DEMO,
        "the plan is otherwise unchanged"
    );
    let out = scratch.meshgen(&["validate", "--deny-warnings", "deploy/mesh.yaml"]);
    assert!(out.status.success(), "{}", text(&out));
    // The schema accepts the plan and rejects a typo, as the editor will.
    let validator = jsonschema::validator_for(&expected).unwrap();
    assert!(validator.is_valid(&yaml(&plan)));
    assert!(!validator.is_valid(&yaml(&plan.replace("networkMode", "netwrokMode"))));

    // One schema at the root for several plans; every editor's settings name it.
    let scratch = Scratch::new(DEMO);
    let shared = snippet("editor-shared-schema");
    let out = scratch.sh(&shared.body);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let root = scratch.path("repo");
    let schema_at = |relative: &str| -> serde_json::Value { read_json(&root.join(relative)) };

    let vscode = snippet("vscode-settings");
    assert_eq!(vscode.lang, "json");
    let vscode: serde_json::Value = serde_json::from_str(&vscode.body).unwrap();
    let schemas = vscode["yaml.schemas"].as_object().unwrap();
    assert_eq!(schemas.len(), 1);
    let (path, globs) = schemas.iter().next().unwrap();
    assert_eq!(schema_at(path), expected);
    let vscode_globs: Vec<&str> = globs
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    assert_plan_globs("VS Code", &vscode_globs);

    let neovim = snippet("neovim-settings");
    assert_eq!(neovim.lang, "lua");
    assert!(
        neovim.body.contains(&format!("['{path}'] = {{ ")),
        "{}",
        neovim.body
    );
    for glob in &vscode_globs {
        assert!(
            neovim.body.contains(&format!("'{glob}'")),
            "neovim lacks {glob}"
        );
    }

    let helix = snippet("helix-settings");
    assert_eq!(helix.lang, "toml");
    let helix: toml::Table = toml::from_str(&helix.body).unwrap();
    let schemas = &helix["language-server"]["yaml-language-server"]["config"]["yaml"]["schemas"];
    let (path, globs) = schemas.as_table().unwrap().iter().next().unwrap();
    assert_eq!(schema_at(path), expected);
    let globs: Vec<&str> = globs
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    assert_eq!(globs, vscode_globs);

    let taplo = snippet("taplo-settings");
    assert_eq!(taplo.lang, "toml");
    let config: toml::Table = toml::from_str(&taplo.body).unwrap();
    let rule = &config["rule"][0];
    assert_eq!(
        schema_at(rule["schema"]["path"].as_str().unwrap()),
        expected
    );
    let globs: Vec<&str> = rule["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    assert_plan_globs("taplo", &globs);
    // With taplo installed (.ci/run installs it), the rule holds for a real TOML plan.
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/node/node_modules/.bin/taplo");
    if !bin.exists() {
        eprintln!("SKIPPED: taplo is not installed (.ci/run installs it with npm)");
        return;
    }
    std::fs::write(root.join(".taplo.toml"), &taplo.body).unwrap();
    let toml_plan = include_str!("../../golden/demo/plan.toml");
    std::fs::write(root.join("deploy/prod.mesh.toml"), toml_plan).unwrap();
    let broken = toml_plan.replacen("networkMode = \"multi\"", "networkMode = \"triple\"", 1);
    std::fs::write(root.join("deploy/bad.mesh.toml"), broken).unwrap();
    let lint = |file: &str| {
        Command::new(&bin)
            .args(["lint", file])
            .current_dir(&root)
            .env("RUST_LOG", "error")
            .output()
            .unwrap()
    };
    assert_eq!(lint("deploy/prod.mesh.toml").status.code(), Some(0));
    let out = lint("deploy/bad.mesh.toml");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
}

#[test]
fn glob_matching_follows_the_editors() {
    assert!(glob_matches("**/mesh.yaml", "mesh.yaml"));
    assert!(glob_matches("**/mesh.yaml", "a/b/mesh.yaml"));
    assert!(glob_matches("*.mesh.yaml", "prod.mesh.yaml"));
    assert!(!glob_matches("*.mesh.yaml", "a/prod.mesh.yaml"));
    assert!(!glob_matches("mesh.yaml", "deploy/mesh.yaml"));
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

#[test]
fn the_upstream_plan_example_is_the_multi_primary_golden_plan_and_validates() {
    let example = snippet("upstream-plan");
    assert_eq!(example.lang, "yaml");
    // The golden plan without its leading comment lines.
    let golden: String = MULTI_PRIMARY
        .lines()
        .skip_while(|l| l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(example.body, golden);
    let source = meshgen::Source::new("mesh.yaml", example.body, meshgen::Format::Yaml);
    let checked = meshgen::check_source(&source, true).unwrap_or_else(|d| panic!("{d:?}"));
    assert_eq!(
        checked.plan.mesh.mode,
        meshgen::plan::MeshMode::MultiPrimary
    );
}

#[test]
fn graph_dot_renders_an_svg_with_graphviz() {
    let script = snippet("graph-dot");
    assert_eq!(script.lang, "sh");
    let scratch = Scratch::new(DEMO);
    if scratch.command("dot").arg("-V").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but Graphviz is not installed"
        );
        eprintln!("\n*** SKIPPED running graph-dot: Graphviz (dot) is not installed ***\n");
        return;
    }
    let out = scratch.sh(&script.body);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let svg = std::fs::read_to_string(scratch.path("repo/mesh.svg")).unwrap();
    assert!(
        svg.contains("<svg") && svg.contains("<title>istiod0</title>"),
        "{svg}"
    );
}

/// The scratch repository with the demo plan committed on `main` (and pushed), then changed
/// on a branch `change` by `edit`, committed.
fn scratch_with_a_plan_change(edit: impl Fn(&str) -> String) -> Scratch {
    let scratch = Scratch::new(DEMO);
    scratch.git(&["checkout", "-q", "-b", "main"]);
    scratch.git(&["add", "-A"]);
    scratch.git(&["commit", "-q", "-m", "mesh"]);
    scratch.git(&["push", "-q", "origin", "main"]);
    scratch.git(&["checkout", "-q", "-b", "change"]);
    std::fs::write(scratch.path("repo/deploy/mesh.yaml"), edit(DEMO)).unwrap();
    scratch.git(&["commit", "-q", "-am", "change the mesh"]);
    scratch
}

#[test]
fn diff_usage_prints_the_change_plan_against_main() {
    let script = snippet("diff-usage");
    assert_eq!(script.lang, "sh");
    let scratch = scratch_with_a_plan_change(|plan| plan.replace("network-c2", "network-east"));
    let out = scratch.sh(&script.body);
    // Exit 1: there is something to do.
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("network-c2 → network-east"), "{stdout}");
    assert!(
        stdout.contains("kubectl --context mdemo-cluster2 rollout restart deployment -n sample"),
        "{stdout}"
    );
}

#[test]
fn ci_diff_comment_posts_the_markdown_change_plan() {
    let workflow = snippet("ci-diff-comment");
    assert_eq!(workflow.lang, "yaml");
    let workflow = yaml(&workflow.body);
    // Only pull requests that change the plan.
    assert_eq!(
        workflow["on"]["pull_request"]["paths"],
        serde_json::json!(["deploy/mesh.yaml"])
    );
    let job = &workflow["jobs"]["change-plan"];
    assert_eq!(job["permissions"]["pull-requests"], "write");
    let steps = job["steps"].as_array().unwrap();
    assert_eq!(
        steps[0]["with"]["fetch-depth"], 0,
        "the base branch must be fetched"
    );
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(
        runs.iter()
            .any(|r| r.starts_with("cargo install --locked") && r.ends_with(" meshgen"))
    );
    let diff = runs
        .iter()
        .find(|r| r.contains("meshgen diff"))
        .expect("a diff step");
    let comment = steps
        .iter()
        .find(|s| {
            s["run"]
                .as_str()
                .is_some_and(|r| r.starts_with("gh pr comment"))
        })
        .expect("a comment step");

    // GitHub's runner gives these; a `gh` stub records the comment.
    let run = |scratch: &Scratch, script: &str| {
        std::fs::create_dir_all(scratch.path("runner-temp")).unwrap();
        scratch
            .command("sh")
            .arg("-e")
            .arg("-c")
            .arg(script)
            .env("GITHUB_BASE_REF", "main")
            .env("RUNNER_TEMP", scratch.path("runner-temp"))
            .env("GH_LOG", scratch.path("gh.log"))
            .env("GH_TOKEN", "token")
            .env("PR", "7")
            .output()
            .unwrap()
    };
    let scratch = scratch_with_a_plan_change(|plan| {
        plan.replace("eastWest: 10.6.136.29", "eastWest: 10.6.136.28")
    });
    let stub = "#!/bin/sh\necho \"$*\" >> \"$GH_LOG\"\n";
    std::fs::write(scratch.path("bin/gh"), stub).unwrap();
    let mode = std::os::unix::fs::PermissionsExt::from_mode(0o755);
    std::fs::set_permissions(scratch.path("bin/gh"), mode).unwrap();
    let out = run(&scratch, diff);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let posted = std::fs::read_to_string(scratch.path("repo/change-plan.md")).unwrap();
    assert!(
        posted.starts_with("### meshgen diff: mesh `mdemo-mesh`"),
        "{posted}"
    );
    assert!(
        posted.contains("answers at 10.6.136.28 (was 10.6.136.29)"),
        "{posted}"
    );
    let out = run(&scratch, comment["run"].as_str().unwrap());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(scratch.path("gh.log")).unwrap(),
        "pr comment 7 --body-file change-plan.md\n"
    );
    for (key, value) in [
        ("GH_TOKEN", "${{ github.token }}"),
        ("PR", "${{ github.event.pull_request.number }}"),
    ] {
        assert_eq!(comment["env"][key], value);
    }

    // A pull request that changes only the plan's form: nothing to do, still exit 0.
    let scratch =
        scratch_with_a_plan_change(|plan| plan.replace("# optional", "# optional (a comment)"));
    let out = run(&scratch, diff);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let posted = std::fs::read_to_string(scratch.path("repo/change-plan.md")).unwrap();
    assert!(posted.contains("nothing to do"), "{posted}");

    // A broken plan fails the job (meshgen diff exits 2).
    let scratch =
        scratch_with_a_plan_change(|plan| plan.replace("networkMode: multi", "netwrokMode: multi"));
    let out = run(&scratch, diff);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("MG002"),
        "{}",
        text(&out)
    );
}
