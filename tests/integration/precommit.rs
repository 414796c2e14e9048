//! The hooks of `.pre-commit-hooks.yaml`, run by the real `pre-commit` tool in scratch repos.
//!
//! Two kinds of test, so that the suite stays fast and still proves what users get:
//! - `local_*`: the scratch repo's `.pre-commit-config.yaml` has `repo: local` hooks built
//!   from the published `.pre-commit-hooks.yaml` (same id, name, entry, files,
//!   pass_filenames, always_run), with `language: system` and the entry pointing at the
//!   meshgen this `cargo test` built. Each case is a real pre-commit run of the published
//!   hook definitions, in well under a second.
//! - `published_hooks_install_with_cargo_and_run`: the hooks exactly as users get them,
//!   `repo:` pointing at a copy of this working tree, so pre-commit installs meshgen with
//!   `cargo install` (`language: rust`). One test, because that compiles meshgen: about 1.5
//!   minutes the first time, about 10 seconds after, since `CARGO_TARGET_DIR` keeps the
//!   build in target/precommit-install (the release profile is relaxed to opt-level 0 for
//!   the test; what is tested is that the published hooks install and run).
//!
//! Without `pre-commit` on PATH the tests skip with a loud message, unless CI is set: then
//! they fail (`pip install pre-commit`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const DEMO: &str = include_str!("../../golden/demo/plan.yaml");
const HOOKS: &str = include_str!("../../.pre-commit-hooks.yaml");

/// Whether `pre-commit` runs; `false` (after a loud note) means skip, and in CI it panics.
fn have_pre_commit(test: &str) -> bool {
    let found = Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but `pre-commit` is not on PATH: pip install pre-commit"
        );
        eprintln!(
            "\n*** SKIPPED {test}: `pre-commit` is not on PATH (pip install pre-commit). \
             In CI (CI set) this test fails instead. ***\n"
        );
    }
    found
}

/// A command with the outer git environment removed (cargo test may run inside a git hook).
fn command(program: &str, dir: &Path) -> Command {
    let mut command = Command::new(program);
    command
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("NO_COLOR")
        .env("GIT_AUTHOR_NAME", "meshgen test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "meshgen test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com");
    command
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = command("git", dir)
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// `Passed`, `Failed` or `(no files to check)Skipped`: how pre-commit reported hook `name`.
fn result_of<'a>(text: &'a str, name: &str) -> &'a str {
    text.lines()
        .find(|l| l.starts_with(&format!("{name}...")))
        .and_then(|l| l.rsplit('.').next())
        .unwrap_or("(not run)")
}

fn combined(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A scratch git repo holding a valid plan at deploy/mesh.yaml, its rendered tree at
/// deploy/mesh, and a YAML file that is not a plan; all committed.
struct Project {
    dir: tempfile::TempDir,
    /// pre-commit's cache, kept out of the user's home.
    home: PathBuf,
}

impl Project {
    fn new(config: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join(".pre-commit-home");
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(&repo).unwrap();
        git(&repo, &["init", "-q"]);
        write(&repo, "deploy/mesh.yaml", DEMO);
        write(&repo, "values.yaml", "this: [is not, a plan\n");
        write(&repo, ".pre-commit-config.yaml", config);
        let project = Project { dir, home };
        let render = project.meshgen(&["render", "deploy/mesh.yaml", "-o", "deploy/mesh"]);
        assert!(render.status.success(), "{}", combined(&render));
        git(&repo, &["add", "-A"]);
        git(
            &repo,
            &["commit", "-q", "-m", "mesh plan and its rendered tree"],
        );
        project
    }

    fn repo(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    fn meshgen(&self, args: &[&str]) -> Output {
        command(env!("CARGO_BIN_EXE_meshgen"), &self.repo())
            .args(args)
            .output()
            .unwrap()
    }

    /// `program args` in the repo, with pre-commit's cache in the scratch folder.
    fn run(&self, program: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        command(program, &self.repo())
            .args(args)
            .env("PRE_COMMIT_HOME", &self.home)
            .envs(env.iter().copied())
            .output()
            .unwrap()
    }
}

/// `.pre-commit-config.yaml` with `repo: local` copies of the published hooks, run with
/// the meshgen this test suite built; meshgen-check gets `args`.
fn local_config(check_args: &[&str]) -> String {
    let hooks: Vec<serde_json::Value> = serde_saphyr::from_str(HOOKS).unwrap();
    let binary = env!("CARGO_BIN_EXE_meshgen");
    assert!(
        !binary.contains(char::is_whitespace),
        "{binary}: pre-commit splits entries on spaces"
    );
    let local: Vec<serde_json::Value> = hooks
        .into_iter()
        .map(|mut hook| {
            let entry = hook["entry"].as_str().unwrap().to_owned();
            let rest = entry.strip_prefix("meshgen ").expect("entries run meshgen");
            hook["entry"] = format!("{binary} {rest}").into();
            hook["language"] = "system".into();
            if hook["id"] == "meshgen-check" {
                hook["args"] = serde_json::json!(check_args);
            }
            hook
        })
        .collect();
    // JSON is YAML.
    serde_json::json!({ "repos": [{ "repo": "local", "hooks": local }] }).to_string()
}

const CHECK_ARGS: &[&str] = &["deploy/mesh.yaml", "-o", "deploy/mesh"];

#[test]
fn the_published_hooks_are_the_two_documented_ones() {
    let hooks: Vec<serde_json::Value> = serde_saphyr::from_str(HOOKS).unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["meshgen-validate", "meshgen-check"]);
    for hook in &hooks {
        assert_eq!(
            hook["language"], "rust",
            "pre-commit builds meshgen with cargo"
        );
    }
    assert_eq!(hooks[0]["entry"], "meshgen validate");
    assert_eq!(hooks[1]["entry"], "meshgen render --check");
    assert_eq!(hooks[1]["pass_filenames"], false);
}

#[test]
fn local_hooks_pass_on_a_valid_plan_and_a_fresh_tree_and_skip_other_yaml() {
    if !have_pre_commit("local_hooks_pass_on_a_valid_plan_and_a_fresh_tree_and_skip_other_yaml") {
        return;
    }
    let project = Project::new(&local_config(CHECK_ARGS));
    let out = project.run(
        "pre-commit",
        &["run", "--all-files", "--color", "never"],
        &[],
    );
    let text = combined(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    // values.yaml is broken YAML: it passes only because the files pattern leaves it out.
    assert_eq!(result_of(&text, "meshgen validate"), "Passed", "{text}");
    assert_eq!(
        result_of(&text, "meshgen render --check"),
        "Passed",
        "{text}"
    );
}

#[test]
fn local_hooks_reject_a_commit_of_a_broken_plan_with_meshgens_message() {
    if !have_pre_commit("local_hooks_reject_a_commit_of_a_broken_plan_with_meshgens_message") {
        return;
    }
    let project = Project::new(&local_config(CHECK_ARGS));
    let installed = project.run("pre-commit", &["install"], &[]);
    assert!(installed.status.success(), "{}", combined(&installed));
    let repo = project.repo();
    write(
        &repo,
        "deploy/mesh.yaml",
        &DEMO.replace("networkMode: multi", "netwrokMode: multi"),
    );
    git(&repo, &["add", "deploy/mesh.yaml"]);
    let commit = project.run("git", &["commit", "-m", "typo"], &[]);
    let text = combined(&commit);
    assert_ne!(
        commit.status.code(),
        Some(0),
        "the commit went through:\n{text}"
    );
    let line = DEMO
        .lines()
        .position(|l| l.contains("networkMode: multi"))
        .unwrap()
        + 1;
    assert_eq!(result_of(&text, "meshgen validate"), "Failed", "{text}");
    assert!(
        text.contains("error[MG002]: unknown field `netwrokMode`"),
        "{text}"
    );
    assert!(
        text.contains(&format!("--> deploy/mesh.yaml:{line}:3")),
        "{text}"
    );
    assert_eq!(
        git(&repo, &["rev-list", "--count", "HEAD"]).trim(),
        "1",
        "no new commit"
    );
}

#[test]
fn local_hooks_fail_on_a_stale_tree_with_the_diff() {
    if !have_pre_commit("local_hooks_fail_on_a_stale_tree_with_the_diff") {
        return;
    }
    let project = Project::new(&local_config(CHECK_ARGS));
    let repo = project.repo();
    // A valid change to the plan, committed without re-rendering.
    write(
        &repo,
        "deploy/mesh.yaml",
        &DEMO.replace("network-c1", "network-one"),
    );
    git(&repo, &["add", "deploy/mesh.yaml"]);
    let out = project.run("pre-commit", &["run", "--color", "never"], &[]);
    let text = combined(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_eq!(result_of(&text, "meshgen validate"), "Passed", "{text}");
    assert_eq!(
        result_of(&text, "meshgen render --check"),
        "Failed",
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with('-') && l.contains("network-c1")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with('+') && l.contains("network-one")),
        "{text}"
    );
    assert!(
        text.contains("deploy/mesh is stale")
            && text.contains("run `meshgen render deploy/mesh.yaml -o deploy/mesh`"),
        "{text}"
    );
    // Re-rendering makes it pass again.
    assert!(
        project
            .meshgen(&["render", "deploy/mesh.yaml", "-o", "deploy/mesh"])
            .status
            .success()
    );
    git(&repo, &["add", "-A"]);
    let out = project.run("pre-commit", &["run", "--color", "never"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", combined(&out));
}

/// A git repo holding this working tree's files (tracked and new, as on disk), committed:
/// what a user's `repo:` + `rev:` would fetch.
fn hooks_repo(dir: &Path) -> String {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"));
    let listed = git(
        source,
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
    );
    for name in listed.split('\0').filter(|n| !n.is_empty()) {
        let from = source.join(name);
        if from.is_file() {
            let to = dir.join(name);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(&from, &to).unwrap();
        }
    }
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "meshgen"]);
    git(dir, &["rev-parse", "HEAD"]).trim().to_owned()
}

#[test]
fn published_hooks_install_with_cargo_and_run() {
    if !have_pre_commit("published_hooks_install_with_cargo_and_run") {
        return;
    }
    let hooks = tempfile::tempdir().unwrap();
    let rev = hooks_repo(hooks.path());
    let config = serde_json::json!({
        "repos": [{
            "repo": hooks.path().to_str().unwrap(),
            "rev": rev,
            "hooks": [
                { "id": "meshgen-validate" },
                { "id": "meshgen-check", "args": CHECK_ARGS },
            ],
        }]
    })
    .to_string();
    let project = Project::new(&config);
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/precommit-install");
    let target = target.to_str().unwrap();
    let env = [
        ("CARGO_TARGET_DIR", target),
        ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0"),
        ("CARGO_PROFILE_RELEASE_DEBUG", "false"),
        ("CARGO_PROFILE_RELEASE_INCREMENTAL", "true"),
        ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256"),
    ];
    let out = project.run(
        "pre-commit",
        &["run", "--all-files", "--color", "never"],
        &env,
    );
    let text = combined(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(result_of(&text, "meshgen validate"), "Passed", "{text}");
    assert_eq!(
        result_of(&text, "meshgen render --check"),
        "Passed",
        "{text}"
    );

    let repo = project.repo();
    write(
        &repo,
        "deploy/mesh.yaml",
        &DEMO.replace("networkMode: multi", "netwrokMode: multi"),
    );
    let out = project.run(
        "pre-commit",
        &["run", "--all-files", "--color", "never"],
        &env,
    );
    let text = combined(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_eq!(result_of(&text, "meshgen validate"), "Failed", "{text}");
    assert!(
        text.contains("error[MG002]: unknown field `netwrokMode`"),
        "{text}"
    );
}
