//! `meshgen render -o DIR`, `--check`, `--stdout` and `--force` through the real binary:
//! the folder is replaced whole or not at all, meshgen's files are listed in its manifest,
//! nothing meshgen did not write is lost, no link is followed, failures are clean.

use crate::support::safety as safety_support;

use std::ffi::OsStr;
use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use meshgen::Format;
use safety_support::*;

/// A temporary folder holding plan files and the output folder `out`.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        Setup {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn out(&self) -> PathBuf {
        self.path("out")
    }

    /// Write `spec` as a plan file; returns its path and the tree it compiles to.
    fn plan(&self, name: &str, spec: &PlanSpec) -> (PathBuf, meshgen::Tree) {
        let text = spec.to_yaml();
        let path = self.path(name);
        fs::write(&path, &text).unwrap();
        (path, compile(name, &text, Format::Yaml))
    }

    fn render(&self, plan: &Path, extra: &[&str]) -> std::process::Output {
        let out = self.out();
        let mut args: Vec<&OsStr> = vec![
            OsStr::new("render"),
            plan.as_os_str(),
            OsStr::new("-o"),
            out.as_os_str(),
        ];
        args.extend(extra.iter().map(OsStr::new));
        meshgen(&args)
    }
}

fn assert_exit(output: &std::process::Output, code: i32, what: &str) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "{what}: status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        text(&output.stdout),
        text(&output.stderr)
    );
    assert!(!text(&output.stderr).contains("panicked"), "{what}: panic");
}

#[test]
fn render_writes_the_tree_and_a_manifest_that_sha256sum_verifies() {
    let _alone = crate::support::timed_alone();
    let s = Setup::new();
    let (plan, tree) = s.plan("plan.yaml", &PlanSpec::sized(3, 0));
    let output = s.render(&plan, &[]);
    assert_exit(&output, 0, "render");
    assert_eq!(snapshot(&s.out()), expected_snapshot(&tree));
    assert!(leftovers(&s.out()).is_empty());
    // The manifest is in sha256sum's format: the tools verify the tree on their own.
    let verified = Command::new("sha256sum")
        .args(["--check", "--strict", "--quiet", meshgen::write::MANIFEST])
        .current_dir(s.out())
        .output();
    if let Ok(verified) = verified {
        assert!(verified.status.success(), "{}", text(&verified.stdout));
    }
    // A second render changes nothing and --check agrees.
    assert_exit(&s.render(&plan, &[]), 0, "second render");
    assert_eq!(snapshot(&s.out()), expected_snapshot(&tree));
    let check = s.render(&plan, &["--check"]);
    assert_exit(&check, 0, "check");
    assert!(check.stdout.is_empty());
}

#[test]
fn render_creates_missing_parent_folders_and_works_from_inside_the_folder() {
    let _alone = crate::support::timed_alone();
    let s = Setup::new();
    let (plan, tree) = s.plan("plan.yaml", &PlanSpec::sized(2, 0));
    let nested = s.path("a/b/out");
    let output = meshgen(&[
        OsStr::new("render"),
        plan.as_os_str(),
        OsStr::new("-o"),
        nested.as_os_str(),
    ]);
    assert_exit(&output, 0, "render into a/b/out");
    assert_eq!(snapshot(&nested), expected_snapshot(&tree));
    // `-o .` from inside the folder replaces the folder itself.
    let (plan2, tree2) = s.plan("plan2.yaml", &PlanSpec::sized(2, 1));
    let output = run_with_deadline(
        Command::new(BIN)
            .args([
                OsStr::new("render"),
                plan2.as_os_str(),
                OsStr::new("-o"),
                OsStr::new("."),
            ])
            .current_dir(&nested),
        Duration::from_secs(60),
        "render -o .",
    );
    assert_exit(&output, 0, "render -o .");
    assert_eq!(snapshot(&nested), expected_snapshot(&tree2));
    assert!(leftovers(&nested).is_empty());
}

#[test]
fn check_prints_a_unified_diff_of_drift_and_writes_nothing() {
    let _alone = crate::support::timed_alone();
    let s = Setup::new();
    let (three, _) = s.plan("three.yaml", &PlanSpec::sized(3, 0));
    let mut changed = PlanSpec::sized(2, 0);
    changed.clusters[1].network = 77;
    let (two, tree_two) = s.plan("two.yaml", &changed);
    assert_exit(&s.render(&three, &[]), 0, "render");
    let before = snapshot(&s.out());

    let check = s.render(&two, &["--check"]);
    assert_exit(&check, 1, "check on drift");
    assert_eq!(snapshot(&s.out()), before, "--check wrote something");
    let diff = text(&check.stdout);
    // Every file of c2 is removed; c1's network changed; the manifest follows.
    let removed: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with("--- a/clusters/c2/"))
        .collect();
    assert!(!removed.is_empty(), "{diff}");
    assert!(diff.contains("+++ /dev/null"), "{diff}");
    assert!(
        diff.contains("-    topology.istio.io/network: net-1"),
        "{diff}"
    );
    assert!(
        diff.contains("+    topology.istio.io/network: net-77"),
        "{diff}"
    );
    assert!(diff.contains("--- a/.meshgen/manifest"), "{diff}");
    assert!(
        text(&check.stderr).contains("is stale"),
        "{}",
        text(&check.stderr)
    );

    // Added files show against /dev/null; a missing folder is all additions.
    fs::remove_dir_all(s.out()).unwrap();
    let check = s.render(&two, &["--check"]);
    assert_exit(&check, 1, "check on a missing folder");
    let diff = text(&check.stdout);
    assert_eq!(
        diff.matches("--- /dev/null").count(),
        tree_two.len() + 1,
        "{diff}"
    );
    assert!(!s.out().exists(), "--check created the folder");
}

#[test]
fn check_ignores_files_meshgen_does_not_own_and_follows_no_link() {
    let _alone = crate::support::timed_alone();
    let s = Setup::new();
    let (plan, _) = s.plan("plan.yaml", &PlanSpec::sized(2, 0));
    assert_exit(&s.render(&plan, &[]), 0, "render");
    fs::write(s.out().join("NOTES.md"), "mine\n").unwrap();
    assert_exit(&s.render(&plan, &["--check"]), 0, "check with a user file");
    // The same files behind a link to another folder are not meshgen's tree.
    let elsewhere = s.path("elsewhere");
    fs::rename(s.out().join("clusters"), &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, s.out().join("clusters")).unwrap();
    let check = s.render(&plan, &["--check"]);
    assert_exit(&check, 1, "check through a link");
    assert!(text(&check.stdout).contains("+++ b/clusters/c0/"));
    assert!(elsewhere.exists() && snapshot(&elsewhere).len() > 1);
}

#[test]
fn stale_files_are_pruned_and_files_meshgen_did_not_write_survive() {
    let _alone = crate::support::timed_alone();
    let s = Setup::new();
    let (three, _) = s.plan("three.yaml", &PlanSpec::sized(3, 0));
    let (two, tree_two) = s.plan("two.yaml", &PlanSpec::sized(2, 0));
    assert_exit(&s.render(&three, &[]), 0, "render three");
    let out = s.out();
    // Things of the user's, beside, inside and under meshgen's folders.
    let outside = s.path("outside.txt");
    fs::write(&outside, "outside\n").unwrap();
    fs::write(out.join("NOTES.md"), "notes\n").unwrap();
    fs::write(out.join("clusters/c0/extra.yaml"), "kind: Mine\n").unwrap();
    fs::write(out.join("clusters/c2/mine.txt"), "in a stale cluster\n").unwrap();
    fs::create_dir_all(out.join("empty/deeper")).unwrap();
    fs::write(out.join(".meshgen/notes"), "beside the manifest\n").unwrap();
    std::os::unix::fs::symlink(&outside, out.join("link-out")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/target", out.join("dangling")).unwrap();
    let inode = |p: &Path| std::os::unix::fs::MetadataExt::ino(&fs::metadata(p).unwrap());
    let notes_inode = inode(&out.join("NOTES.md"));
    let mut mine = snapshot(&out);
    mine.retain(|path, _| {
        [
            "NOTES.md",
            "empty",
            "link-out",
            "dangling",
            ".meshgen/notes",
        ]
        .iter()
        .any(|p| path.starts_with(p))
            || path.ends_with("extra.yaml")
            || path.ends_with("mine.txt")
    });

    let output = s.render(&two, &[]);
    assert_exit(&output, 0, "render two");
    let after = snapshot(&out);
    for (path, entry) in &mine {
        assert_eq!(
            after.get(path),
            Some(entry),
            "{} was not kept",
            path.display()
        );
    }
    // The same file, not a copy.
    assert_eq!(inode(&out.join("NOTES.md")), notes_inode);
    // c2's generated files are gone; only the user's file keeps its folder.
    let c2: Vec<_> = after
        .keys()
        .filter(|p| p.starts_with("clusters/c2"))
        .collect();
    assert_eq!(
        c2,
        vec![Path::new("clusters/c2"), Path::new("clusters/c2/mine.txt")]
    );
    let mut expected = expected_snapshot(&tree_two);
    expected.extend(mine);
    expected.insert("clusters/c2".into(), Entry::Folder);
    assert_eq!(after, expected);
    assert_eq!(fs::read_to_string(&outside).unwrap(), "outside\n");
    assert!(
        text(&output.stderr).contains("removed"),
        "{}",
        text(&output.stderr)
    );

    // A cluster whose folder held only meshgen's files leaves no empty folder.
    fs::remove_dir_all(out.join("clusters/c2")).unwrap();
    let (one, tree_one) = s.plan("one.yaml", &PlanSpec::sized(1, 0));
    assert_exit(&s.render(&one, &[]), 0, "render one");
    assert!(!out.join("clusters/c1").exists());
    assert!(!out.join("clusters/c2").exists());
    let mut clusters: Vec<PathBuf> = snapshot(&out)
        .into_keys()
        .filter(|p| p.starts_with("clusters"))
        .collect();
    clusters.retain(|p| !p.ends_with("extra.yaml"));
    let expected: Vec<PathBuf> = expected_snapshot(&tree_one)
        .into_keys()
        .filter(|p| p.starts_with("clusters"))
        .collect();
    assert_eq!(clusters, expected);
}

#[test]
fn files_meshgen_did_not_write_are_never_replaced_without_force() {
    let _alone = crate::support::timed_alone();
    let s = Setup::new();
    let (plan, tree) = s.plan("plan.yaml", &PlanSpec::sized(2, 0));
    let (path, _) = tree.iter().next().unwrap();
    let target = s.out().join(path);
    fs::create_dir_all(target.parent().unwrap()).unwrap();
    fs::write(&target, "my own file\n").unwrap();
    let before = snapshot(&s.out());

    let output = s.render(&plan, &[]);
    assert_exit(&output, 1, "render over a user file");
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(path) && stderr.contains("not written by meshgen"),
        "{stderr}"
    );
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(
        snapshot(&s.out()),
        before,
        "a refused render changed the folder"
    );
    assert!(leftovers(&s.out()).is_empty());

    let output = s.render(&plan, &["--force"]);
    assert_exit(&output, 0, "render --force");
    assert_eq!(snapshot(&s.out()), expected_snapshot(&tree));
}

#[test]
fn identical_files_without_a_manifest_are_adopted() {
    let _alone = crate::support::timed_alone();
    let s = Setup::new();
    let (plan, tree) = s.plan("plan.yaml", &PlanSpec::sized(2, 0));
    assert_exit(&s.render(&plan, &[]), 0, "render");
    fs::remove_file(s.out().join(meshgen::write::MANIFEST)).unwrap();
    assert_exit(&s.render(&plan, &[]), 0, "render without a manifest");
    assert_eq!(snapshot(&s.out()), expected_snapshot(&tree));
}

#[test]
fn edited_generated_files_are_neither_overwritten_nor_pruned_without_force() {
    let _alone = crate::support::timed_alone();
    let s = Setup::new();
    let (two, tree_two) = s.plan("two.yaml", &PlanSpec::sized(2, 0));
    let (one, tree_one) = s.plan("one.yaml", &PlanSpec::sized(1, 0));
    assert_exit(&s.render(&two, &[]), 0, "render");
    // One kept file edited, and one that the next tree drops.
    let kept = tree_one.iter().next().unwrap().0;
    let stale = tree_two
        .iter()
        .map(|(p, _)| p)
        .find(|p| tree_one.get(p).is_none())
        .unwrap();
    for path in [kept, stale] {
        let mut bytes = fs::read(s.out().join(path)).unwrap();
        bytes.extend_from_slice(b"# my edit\n");
        fs::write(s.out().join(path), bytes).unwrap();
    }
    let before = snapshot(&s.out());
    let output = s.render(&one, &[]);
    assert_exit(&output, 1, "render over edits");
    let stderr = text(&output.stderr);
    for path in [kept, stale] {
        assert!(
            stderr.contains(&format!("{path}: changed since meshgen wrote it")),
            "{stderr}"
        );
    }
    assert_eq!(snapshot(&s.out()), before);
    assert_exit(&s.render(&one, &["--force"]), 0, "render --force");
    assert_eq!(snapshot(&s.out()), expected_snapshot(&tree_one));
}

#[test]
fn no_symlink_is_followed_out_of_the_folder() {
    let _alone = crate::support::timed_alone();
    let s = Setup::new();
    let (plan, tree) = s.plan("plan.yaml", &PlanSpec::sized(2, 0));
    let victim_dir = s.path("victim");
    fs::create_dir(&victim_dir).unwrap();
    fs::write(victim_dir.join("precious"), "precious\n").unwrap();
    let (file, _) = tree.iter().next().unwrap();
    let out = s.out();
    // A link where meshgen writes a file, and a link where it needs a folder.
    fs::create_dir_all(out.join(file).parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(victim_dir.join("precious"), out.join(file)).unwrap();
    std::os::unix::fs::symlink(&victim_dir, out.join(".meshgen")).unwrap();
    let victim_before = snapshot(&victim_dir);
    let before = snapshot(&out);

    let output = s.render(&plan, &[]);
    assert_exit(&output, 1, "render onto links");
    let stderr = text(&output.stderr);
    assert!(stderr.contains("symbolic link"), "{stderr}");
    assert!(
        stderr.contains(&victim_dir.display().to_string()),
        "{stderr}"
    );
    assert_eq!(snapshot(&out), before);
    assert_eq!(snapshot(&victim_dir), victim_before);

    // --force replaces the links themselves; what they point to is untouched.
    assert_exit(
        &s.render(&plan, &["--force"]),
        0,
        "render --force onto links",
    );
    assert_eq!(snapshot(&out), expected_snapshot(&tree));
    assert_eq!(snapshot(&victim_dir), victim_before);

    // A tampered manifest naming a path outside the folder is refused, and never obeyed.
    let manifest = out.join(meshgen::write::MANIFEST);
    let mut text_ = fs::read_to_string(&manifest).unwrap();
    text_.push_str(&format!("{}  ../victim/precious\n", "0".repeat(64)));
    fs::write(&manifest, text_).unwrap();
    let output = s.render(&plan, &[]);
    assert_exit(&output, 1, "render with a tampered manifest");
    assert!(text(&output.stderr).contains("not the manifest meshgen wrote"));
    assert_exit(
        &s.render(&plan, &["--force"]),
        0,
        "--force past a tampered manifest",
    );
    assert_eq!(snapshot(&victim_dir), victim_before);
}

#[test]
fn an_output_folder_that_is_a_link_a_file_or_under_a_file_fails_cleanly() {
    let _alone = crate::support::timed_alone();
    let s = Setup::new();
    let (plan, _) = s.plan("plan.yaml", &PlanSpec::sized(1, 0));
    let file = s.path("a-file");
    fs::write(&file, "not a folder\n").unwrap();
    let real = s.path("real");
    fs::create_dir(&real).unwrap();
    std::os::unix::fs::symlink(&real, s.path("link")).unwrap();
    for (out, needle) in [
        (file.clone(), "is not a folder"),
        (file.join("sub/out"), "is not a folder"),
        (s.path("link"), "is a symbolic link"),
    ] {
        let before = snapshot(s.dir.path());
        let output = meshgen(&[
            OsStr::new("render"),
            plan.as_os_str(),
            OsStr::new("-o"),
            out.as_os_str(),
        ]);
        assert_exit(&output, 2, &format!("render -o {}", out.display()));
        let stderr = text(&output.stderr);
        assert!(stderr.contains(needle), "{stderr}");
        assert!(
            stderr.contains(&s.dir.path().display().to_string()),
            "{stderr}"
        );
        assert_eq!(snapshot(s.dir.path()), before, "{}", out.display());
        let check = meshgen(&[
            OsStr::new("render"),
            plan.as_os_str(),
            OsStr::new("-o"),
            out.as_os_str(),
            OsStr::new("--check"),
        ]);
        assert_exit(&check, 2, &format!("render --check -o {}", out.display()));
    }
    // An unwritable place (root ignores permission bits, but not a read-only sysfs).
    let unwritable = Path::new("/sys/meshgen-test-out");
    let writable = fs::create_dir(unwritable).is_ok();
    if writable {
        fs::remove_dir(unwritable).ok();
    } else if Path::new("/sys/kernel").exists() {
        let output = meshgen(&[
            OsStr::new("render"),
            plan.as_os_str(),
            OsStr::new("-o"),
            unwritable.as_os_str(),
        ]);
        assert_exit(&output, 2, "render -o /sys/...");
        assert!(text(&output.stderr).contains("/sys/meshgen-test-out"));
        assert!(!unwritable.exists());
    }
    // A mount point cannot be swapped by a rename: refused before anything is written.
    if Path::new("/proc/self").exists() {
        let output = meshgen(&[
            OsStr::new("render"),
            plan.as_os_str(),
            OsStr::new("-o"),
            OsStr::new("/proc"),
        ]);
        assert_exit(&output, 2, "render -o /proc");
        assert!(text(&output.stderr).contains("/proc is a mount point"));
    }
}

/// Run `meshgen render PLAN -o OUT` under `sh` with a file-size limit of `blocks`;
/// `ignore_signal` makes a too-big write fail with EFBIG instead of killing meshgen.
fn render_with_size_limit(
    s: &Setup,
    plan: &Path,
    blocks: u32,
    ignore_signal: bool,
) -> std::process::Output {
    let trap = if ignore_signal { "trap '' XFSZ;" } else { "" };
    let script =
        format!("ulimit -c 0; ulimit -f {blocks}; {trap} exec \"$0\" render \"$1\" -o \"$2\"");
    run_with_deadline(
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(BIN)
            .arg(plan)
            .arg(s.out()),
        Duration::from_secs(60),
        "render under a file-size limit",
    )
}

#[test]
fn a_full_disk_fails_cleanly_and_keeps_the_previous_tree() {
    let _alone = crate::support::timed_alone();
    let s = Setup::new();
    let (old, old_tree) = s.plan("old.yaml", &PlanSpec::sized(3, 0));
    let (new, _) = s.plan("new.yaml", &PlanSpec::sized(12, 1));
    assert_exit(&s.render(&old, &[]), 0, "render");
    // Limit 0: the first byte written fails. Limit 1 block: small files fit, the
    // manifest (about a hundred bytes a file) does not.
    for blocks in [0, 1] {
        let output = render_with_size_limit(&s, &new, blocks, true);
        assert_exit(&output, 2, &format!("render with ulimit -f {blocks}"));
        let stderr = text(&output.stderr);
        assert!(stderr.contains("File too large"), "{stderr}");
        assert!(stderr.contains(&s.out().display().to_string()), "{stderr}");
        assert_eq!(snapshot(&s.out()), expected_snapshot(&old_tree));
        assert!(leftovers(&s.out()).is_empty(), "{:?}", leftovers(&s.out()));
    }
}

#[test]
fn a_render_killed_while_writing_leaves_the_previous_tree_whole() {
    let _alone = crate::support::timed_alone();
    let s = Setup::new();
    let (old, old_tree) = s.plan("old.yaml", &PlanSpec::sized(3, 0));
    let (new, new_tree) = s.plan("new.yaml", &PlanSpec::sized(12, 1));
    assert_exit(&s.render(&old, &[]), 0, "render");
    // SIGXFSZ kills meshgen at a deterministic point: its first write (0), or once the
    // small files are written and the manifest outgrows one block (1).
    for blocks in [0, 1] {
        let output = render_with_size_limit(&s, &new, blocks, false);
        assert_eq!(
            output.status.signal(),
            Some(25), // SIGXFSZ
            "ulimit -f {blocks}: {:?} {}",
            output.status,
            text(&output.stderr)
        );
        assert_eq!(snapshot(&s.out()), expected_snapshot(&old_tree));
    }
    // The killed runs left their half-written folders; the next run removes them.
    assert!(!leftovers(&s.out()).is_empty());
    assert_exit(&s.render(&new, &[]), 0, "render after the kills");
    assert_eq!(snapshot(&s.out()), expected_snapshot(&new_tree));
    assert!(leftovers(&s.out()).is_empty(), "{:?}", leftovers(&s.out()));
}

#[test]
fn a_kill_at_any_moment_leaves_one_whole_tree() {
    let _alone = crate::support::timed_alone();
    let s = Setup::new();
    let (a, tree_a) = s.plan("a.yaml", &PlanSpec::sized(30, 0));
    let (b, tree_b) = s.plan("b.yaml", &PlanSpec::sized(30, 1));
    let (whole_a, whole_b) = (expected_snapshot(&tree_a), expected_snapshot(&tree_b));
    assert_exit(&s.render(&a, &[]), 0, "render a");
    // How long a render takes, to spread the kills over it.
    let start = Instant::now();
    assert_exit(&s.render(&b, &[]), 0, "render b");
    let span = start.elapsed().as_micros() as u64;
    for i in 0..24u64 {
        let plan = if i % 2 == 0 { &a } else { &b };
        let mut child = Command::new(BIN)
            .args([
                OsStr::new("render"),
                plan.as_os_str(),
                OsStr::new("-o"),
                s.out().as_os_str(),
            ])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(span * i / 24));
        child.kill().ok();
        child.wait().unwrap();
        let now = snapshot(&s.out());
        assert!(
            now == whole_a || now == whole_b,
            "kill {i} after {}us left a mixed tree",
            span * i / 24
        );
    }
    assert_exit(&s.render(&a, &[]), 0, "render after the kills");
    assert_eq!(snapshot(&s.out()), whole_a);
    assert!(leftovers(&s.out()).is_empty());
}

#[test]
fn stdout_is_one_stream_of_the_objects_the_clusters_apply() {
    let _alone = crate::support::timed_alone();
    let plan = root().join("golden/demo/plan.yaml");
    let tree = compile(
        "golden/demo/plan.yaml",
        &fs::read_to_string(&plan).unwrap(),
        Format::Yaml,
    );
    let output = meshgen(&[
        OsStr::new("render"),
        plan.as_os_str(),
        OsStr::new("--stdout"),
    ]);
    assert_exit(&output, 0, "render --stdout");
    let stream = text(&output.stdout);
    let streamed = documents("<stdout>", output.stdout.as_slice()).unwrap();
    let mut expected = Vec::new();
    for (path, bytes) in tree.iter() {
        // Stage resources only: no kustomization, patch, bootstrap config, global/ or gitops/ file.
        let parts: Vec<&str> = path.split('/').collect();
        let applied = matches!(parts.as_slice(), ["clusters", _, stage, file]
            if *stage != "patches" && !file.starts_with("kustomization."));
        if applied {
            assert!(stream.contains(&format!("# Source: {path}\n")), "{path}");
            expected.extend(documents(path, bytes).unwrap());
        } else {
            assert!(!stream.contains(&format!("# Source: {path}\n")), "{path}");
        }
    }
    assert!(!expected.is_empty());
    assert_eq!(streamed, expected);
    // Every document in the stream is an object, not an empty document.
    let raw: Vec<serde_json::Value> = serde_saphyr::from_multiple(&stream).unwrap();
    assert!(raw.iter().all(serde_json::Value::is_object), "{stream}");
}

// ---------------------------------------------------------------------------------------
// Faults injected for real (issue 15): strace delays and errors, bind mounts, overlays,
// PID namespaces, other users. Each skips, saying so, where its tool or right is missing.
// ---------------------------------------------------------------------------------------

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

/// Whether `program args` runs here; prints why a test is skipped when not.
fn available(program: &str, args: &[&str], what: &str) -> bool {
    let ok = Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("SKIPPED ({what}): `{program}` is missing or not permitted here");
    }
    ok
}

fn has_strace() -> bool {
    available(
        "strace",
        &["-qq", "-o", "/dev/null", "true"],
        "apt-get install -y strace",
    )
}

fn is_root(what: &str) -> bool {
    let root = fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    if !root {
        eprintln!("SKIPPED ({what}): needs root");
    }
    root
}

/// A bind mount (or any mount) undone when dropped, even when the test fails.
struct Mounted(PathBuf);

impl Mounted {
    fn bind(from: &Path, at: &Path) -> Option<Mounted> {
        let ok = Command::new("mount")
            .arg("--bind")
            .arg(from)
            .arg(at)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("SKIPPED (mount --bind): not permitted here");
        }
        ok.then(|| Mounted(at.to_owned()))
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// `meshgen render PLAN -o OUT EXTRA` under `strace` (main thread only, output
/// discarded) with `faults` (`-e` expressions), run on a thread: join it for the output.
fn render_under_strace(
    s: &Setup,
    plan: &Path,
    extra: &[&str],
    faults: &[&str],
) -> std::thread::JoinHandle<std::process::Output> {
    let mut command = Command::new("strace");
    command.args(["-qq", "-o", "/dev/null"]);
    for fault in faults {
        command.arg("-e").arg(fault);
    }
    command
        .arg(BIN)
        .arg("render")
        .arg(plan)
        .arg("-o")
        .arg(s.out())
        .args(extra);
    std::thread::spawn(move || {
        run_with_deadline(
            &mut command,
            Duration::from_secs(120),
            "render under strace",
        )
    })
}

/// Wait until the meshgen process writing `out` sits in a delay strace injected (it
/// stays in tracing stop).
fn wait_for_injected_delay(out: &Path) {
    let needle = out.as_os_str().as_bytes().to_vec();
    let start = Instant::now();
    let mut stopped_since: Option<Instant> = None;
    while start.elapsed() < Duration::from_secs(90) {
        let stopped = fs::read_dir("/proc").unwrap().flatten().any(|p| {
            let dir = p.path();
            let cmdline = fs::read(dir.join("cmdline")).unwrap_or_default();
            let stat = fs::read_to_string(dir.join("stat")).unwrap_or_default();
            stat.contains("(meshgen) t")
                && cmdline
                    .split(|b| *b == 0)
                    .any(|arg| arg == needle.as_slice())
        });
        match (stopped, stopped_since) {
            (false, _) => stopped_since = None,
            (true, None) => stopped_since = Some(Instant::now()),
            (true, Some(since)) if since.elapsed() > Duration::from_millis(300) => return,
            (true, Some(_)) => {}
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("meshgen never reached the injected delay");
}

/// The 1-based index of the first `openat` of a file named `name` by meshgen's main
/// thread in this run (strace's `when=` counts that thread's calls).
fn openat_index(args: &[&OsStr], name: &str) -> usize {
    let log = tempfile::NamedTempFile::new().unwrap();
    let status = Command::new("strace")
        .args(["-qq", "-e", "trace=openat", "-o"])
        .arg(log.path())
        .arg(BIN)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.code().is_some(), "the traced run was killed");
    let text = fs::read_to_string(log.path()).unwrap();
    // By a path relative to a folder handle, or a whole path.
    let (relative, whole) = (format!("\"{name}\""), format!("/{name}\""));
    1 + text
        .lines()
        .filter(|l| l.starts_with("openat("))
        .position(|l| l.contains(&relative) || l.contains(&whole))
        .unwrap_or_else(|| panic!("no openat of {name}:\n{text}"))
}

#[test]
fn a_bind_mount_inside_the_folder_is_refused_and_never_emptied() {
    if !is_root("mount --bind") {
        return;
    }
    let s = Setup::new();
    let (a, _) = s.plan("a.yaml", &PlanSpec::sized(2, 0));
    let (b, _) = s.plan("b.yaml", &PlanSpec::sized(2, 1));
    assert_exit(&s.render(&a, &[]), 0, "render");
    // Another folder of the same file system, bind mounted inside OUT: same st_dev.
    let elsewhere = s.path("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    fs::write(elsewhere.join("precious.txt"), "precious\n").unwrap();
    fs::create_dir(s.out().join("shared")).unwrap();
    let Some(_mount) = Mounted::bind(&elsewhere, &s.out().join("shared")) else {
        return;
    };
    let before = snapshot(&s.out());
    for extra in [&[][..], &["--force"][..], &["--check"][..]] {
        let output = s.render(&b, extra);
        assert_exit(
            &output,
            2,
            &format!("render {extra:?} with a bind mount inside"),
        );
        let stderr = text(&output.stderr);
        assert!(
            stderr.contains(&format!("{} inside", s.out().join("shared").display()))
                && stderr.contains("is a mount point")
                && stderr.contains("umount"),
            "{stderr}"
        );
        assert_eq!(snapshot(&s.out()), before);
        assert_eq!(
            fs::read_to_string(elsewhere.join("precious.txt")).unwrap(),
            "precious\n"
        );
        assert!(leftovers(&s.out()).is_empty(), "{:?}", leftovers(&s.out()));
    }
}

#[test]
fn an_output_folder_that_is_a_bind_mount_or_an_overlay_layer_is_explained() {
    if !is_root("mount") {
        return;
    }
    let s = Setup::new();
    let (a, _) = s.plan("a.yaml", &PlanSpec::sized(1, 0));
    let source = s.path("source");
    fs::create_dir(&source).unwrap();
    fs::create_dir(s.out()).unwrap();
    let Some(mount) = Mounted::bind(&source, &s.out()) else {
        return;
    };
    let output = s.render(&a, &[]);
    assert_exit(&output, 2, "render into a bind mount");
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(&format!("{} is a mount point", s.out().display()))
            && stderr.contains("bind mount")
            && stderr.contains("/tree"),
        "{stderr}"
    );
    assert!(snapshot(&source).is_empty());
    drop(mount);

    // OUT in an overlay's lower layer (a folder baked into a container image): the
    // kernel refuses to rename it (EXDEV).
    let layers = s.path("layers");
    for part in ["lower", "upper", "work", "merged"] {
        fs::create_dir_all(layers.join(part)).unwrap();
    }
    assert_exit(
        &meshgen(&[
            OsStr::new("render"),
            a.as_os_str(),
            OsStr::new("-o"),
            layers.join("lower/out").as_os_str(),
        ]),
        0,
        "render into the lower layer",
    );
    let lower_before = snapshot(&layers.join("lower"));
    let options = format!(
        "lowerdir={},upperdir={},workdir={}",
        layers.join("lower").display(),
        layers.join("upper").display(),
        layers.join("work").display()
    );
    let mounted = Command::new("mount")
        .args(["-t", "overlay", "overlay", "-o", &options])
        .arg(layers.join("merged"))
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("SKIPPED (overlay): mount -t overlay is not permitted here");
        return;
    }
    let _overlay = Mounted(layers.join("merged"));
    let (b, _) = s.plan("b.yaml", &PlanSpec::sized(1, 1));
    let output = meshgen(&[
        OsStr::new("render"),
        b.as_os_str(),
        OsStr::new("-o"),
        layers.join("merged/out").as_os_str(),
    ]);
    assert_exit(&output, 2, "render into an overlay's lower folder");
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("overlay") && stderr.contains("EXDEV") && stderr.contains("volume"),
        "{stderr}"
    );
    assert_eq!(snapshot(&layers.join("lower")), lower_before);
    assert!(leftovers(&layers.join("merged/out")).is_empty());
}

#[test]
fn without_rename_exchange_a_kill_between_the_two_renames_loses_nothing() {
    if !has_strace() {
        return;
    }
    let s = Setup::new();
    let (a, tree_a) = s.plan("a.yaml", &PlanSpec::sized(2, 0));
    let (b, tree_b) = s.plan("b.yaml", &PlanSpec::sized(2, 1));
    assert_exit(&s.render(&a, &[]), 0, "render a");
    fs::write(s.out().join("NOTES.md"), "my notes\n").unwrap();
    let mut with_notes = expected_snapshot(&tree_a);
    with_notes.insert("NOTES.md".into(), Entry::File(b"my notes\n".to_vec()));

    // No RENAME_EXCHANGE: the two renames work, and nothing is lost.
    let no_exchange = "inject=renameat2:error=EINVAL";
    let output = render_under_strace(&s, &b, &[], &[no_exchange])
        .join()
        .unwrap();
    assert_exit(&output, 0, "render b without RENAME_EXCHANGE");
    let mut expected = expected_snapshot(&tree_b);
    expected.insert("NOTES.md".into(), Entry::File(b"my notes\n".to_vec()));
    assert_eq!(snapshot(&s.out()), expected);
    assert!(leftovers(&s.out()).is_empty(), "{:?}", leftovers(&s.out()));

    // Killed between OUT -> .OUT.meshgen-old and the new folder -> OUT.
    let kill = "inject=?rename,renameat:signal=KILL:error=EINTR:when=2";
    let output = render_under_strace(&s, &a, &[], &[no_exchange, kill])
        .join()
        .unwrap();
    assert_ne!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(!s.out().exists(), "the kill was not between the renames");
    // The next render puts the previous tree back first, then renders.
    let output = s.render(&a, &[]);
    assert_exit(&output, 0, "render after the kill");
    assert!(
        text(&output.stderr).contains("restored"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(snapshot(&s.out()), with_notes);
    assert!(leftovers(&s.out()).is_empty(), "{:?}", leftovers(&s.out()));
}

#[test]
fn renders_from_two_pid_namespaces_are_serialized() {
    if !has_strace()
        || !available(
            "unshare",
            &["--pid", "--fork", "--mount-proc", "true"],
            "unshare --pid",
        )
    {
        return;
    }
    let s = Setup::new();
    let (a, _) = s.plan("a.yaml", &PlanSpec::sized(2, 0));
    let (b, tree_b) = s.plan("b.yaml", &PlanSpec::sized(2, 1));
    let (c, _) = s.plan("c.yaml", &PlanSpec::sized(3, 2));
    assert_exit(&s.render(&a, &[]), 0, "render a");
    // B runs in its own PID namespace and waits 3 s just before its swap.
    let mut first = Command::new("unshare");
    first
        .args([
            "--pid",
            "--fork",
            "--mount-proc",
            "strace",
            "-qq",
            "-o",
            "/dev/null",
        ])
        .args(["-e", "inject=renameat2:delay_enter=3000000:when=1"])
        .arg(BIN)
        .arg("render")
        .arg(&b)
        .arg("-o")
        .arg(s.out());
    let first = std::thread::spawn(move || {
        run_with_deadline(&mut first, Duration::from_secs(120), "render b")
    });
    wait_for_injected_delay(&s.out());
    // C, from another PID namespace (where B's process id means nothing), meanwhile.
    let second = run_with_deadline(
        Command::new("unshare")
            .args(["--pid", "--fork", "--mount-proc"])
            .arg(BIN)
            .arg("render")
            .arg(&c)
            .arg("-o")
            .arg(s.out()),
        Duration::from_secs(60),
        "render c",
    );
    assert_exit(&second, 2, "the second render");
    let stderr = text(&second.stderr);
    assert!(
        stderr.contains("is being written by another meshgen render (process")
            && stderr.contains("pid:[")
            && stderr.contains("on host"),
        "{stderr}"
    );
    let first = first.join().unwrap();
    assert_exit(&first, 0, "the first render");
    // B's tree, whole, and its manifest says so.
    assert_eq!(snapshot(&s.out()), expected_snapshot(&tree_b));
    assert!(leftovers(&s.out()).is_empty(), "{:?}", leftovers(&s.out()));
}

#[test]
fn files_written_during_a_render_are_carried_over_or_kept_and_never_deleted() {
    if !has_strace() {
        return;
    }
    let s = Setup::new();
    let (a, _) = s.plan("a.yaml", &PlanSpec::sized(2, 0));
    let (b, tree_b) = s.plan("b.yaml", &PlanSpec::sized(2, 1));
    assert_exit(&s.render(&a, &[]), 0, "render a");
    let render = render_under_strace(
        &s,
        &b,
        &[],
        &["inject=renameat2:delay_enter=3000000:when=1"],
    );
    wait_for_injected_delay(&s.out());
    // While B waits to swap: a new file of the user's, and an edit of a generated file
    // that B rewrites.
    fs::write(s.out().join("late.txt"), "written during the render\n").unwrap();
    fs::create_dir(s.out().join("late-folder")).unwrap();
    fs::write(s.out().join("late-folder/x.txt"), "x\n").unwrap();
    let mut readme = fs::read(s.out().join("README.md")).unwrap();
    readme.extend_from_slice(b"my edit\n");
    fs::write(s.out().join("README.md"), &readme).unwrap();
    let output = render.join().unwrap();
    assert_exit(&output, 0, "render b");
    let stderr = text(&output.stderr);
    // The new file is carried over; the edit is kept, under a name that says so.
    let mut expected = expected_snapshot(&tree_b);
    expected.insert(
        "late.txt".into(),
        Entry::File(b"written during the render\n".to_vec()),
    );
    expected.insert("late-folder".into(), Entry::Folder);
    expected.insert("late-folder/x.txt".into(), Entry::File(b"x\n".to_vec()));
    assert_eq!(snapshot(&s.out()), expected);
    let kept = s.path(".out.meshgen-kept-1");
    assert_eq!(fs::read(kept.join("README.md")).unwrap(), readme);
    assert!(
        stderr.contains("late.txt")
            && stderr.contains(&kept.display().to_string())
            && stderr.contains("README.md"),
        "{stderr}"
    );
    // Every later run says so again, and never removes it.
    for _ in 0..2 {
        let again = s.render(&b, &[]);
        assert_exit(&again, 0, "render b again");
        assert!(
            text(&again.stderr).contains(&format!("warning: {} holds files", kept.display())),
            "{}",
            text(&again.stderr)
        );
        assert_eq!(fs::read(kept.join("README.md")).unwrap(), readme);
    }
}

#[test]
fn an_editor_save_during_the_swap_window_is_kept() {
    if !has_strace() {
        return;
    }
    let s = Setup::new();
    let (a, _) = s.plan("a.yaml", &PlanSpec::sized(2, 0));
    let (b, _) = s.plan("b.yaml", &PlanSpec::sized(2, 1));
    assert_exit(&s.render(&a, &[]), 0, "render a");
    let notes = s.out().join("NOTES.md");
    fs::write(&notes, "version 1\n").unwrap();
    for (i, plan) in [&b, &a, &b].into_iter().enumerate() {
        let render = render_under_strace(
            &s,
            plan,
            &[],
            &["inject=renameat2:delay_enter=2000000:when=1"],
        );
        wait_for_injected_delay(&s.out());
        // The editor's save: write a temporary file, rename it over the file.
        let saved = format!("version {}\n", i + 2);
        fs::write(s.out().join(".NOTES.md.swp"), &saved).unwrap();
        fs::rename(s.out().join(".NOTES.md.swp"), &notes).unwrap();
        let output = render.join().unwrap();
        assert_exit(&output, 0, "render during a save");
        assert_eq!(fs::read_to_string(&notes).unwrap(), saved, "save {i} lost");
        assert!(!s.out().join(".NOTES.md.swp").exists());
        assert!(leftovers(&s.out()).is_empty(), "{:?}", leftovers(&s.out()));
    }
}

#[test]
fn force_replaces_only_what_the_new_tree_writes_and_lists_what_it_removes() {
    let s = Setup::new();
    let (three, _) = s.plan("three.yaml", &PlanSpec::sized(3, 0));
    let (two, tree_two) = s.plan("two.yaml", &PlanSpec::sized(2, 0));
    assert_exit(&s.render(&three, &[]), 0, "render three");
    let out = s.out();
    // Where the previous manifest lists a file the new tree drops, a folder of the user's.
    let stale = "clusters/c2/kustomization.yaml";
    assert!(tree_two.get(stale).is_none());
    fs::remove_file(out.join(stale)).unwrap();
    fs::create_dir(out.join(stale)).unwrap();
    fs::write(out.join(stale).join("mine.txt"), "mine\n").unwrap();
    // Where the new tree writes a file, a folder in the way.
    let written = "clusters/c0/kustomization.yaml";
    assert!(tree_two.get(written).is_some());
    fs::remove_file(out.join(written)).unwrap();
    fs::create_dir_all(out.join(written).join("deep")).unwrap();
    fs::write(out.join(written).join("deep/gone.txt"), "gone\n").unwrap();

    let output = s.render(&two, &[]);
    assert_exit(&output, 1, "render without --force");
    let stderr = text(&output.stderr);
    assert!(stderr.contains(&format!("{written}: a folder where meshgen writes a file")));
    assert!(!stderr.contains(&format!("{stale}:")), "{stderr}");

    let output = s.render(&two, &["--force"]);
    assert_exit(&output, 0, "render --force");
    let stderr = text(&output.stderr);
    assert_eq!(
        fs::read_to_string(out.join(stale).join("mine.txt")).unwrap(),
        "mine\n"
    );
    assert_eq!(
        fs::read(out.join(written)).unwrap(),
        tree_two.get(written).unwrap()
    );
    // Every path it removed is listed.
    assert!(
        stderr.contains(&format!("\n  {written}\n"))
            && stderr.contains(&format!("\n  {written}/deep/gone.txt")),
        "{stderr}"
    );
}

#[test]
fn a_symlink_swapped_in_during_the_carry_is_never_followed() {
    if !has_strace() {
        return;
    }
    let s = Setup::new();
    let mut spec = PlanSpec::sized(1, 0);
    let (a, _) = s.plan("a.yaml", &spec);
    // Another mesh ID changes every file: no file is linked before the carry.
    spec.mesh_id = "other".to_owned();
    let (b, _) = s.plan("b.yaml", &spec);
    assert_exit(&s.render(&a, &[]), 0, "render a");
    let notes = s.out().join("notes");
    fs::create_dir(&notes).unwrap();
    fs::write(notes.join("key.txt"), "mine\n").unwrap();
    fs::set_permissions(&notes, fs::Permissions::from_mode(0o750)).unwrap();
    let secret_dir = s.path("secret");
    fs::create_dir(&secret_dir).unwrap();
    fs::set_permissions(&secret_dir, fs::Permissions::from_mode(0o700)).unwrap();
    let secret = secret_dir.join("key.txt");
    fs::write(&secret, "SECRET\n").unwrap();
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o600)).unwrap();

    let render = render_under_strace(&s, &b, &[], &["inject=linkat:delay_enter=2000000:when=1"]);
    wait_for_injected_delay(&s.out());
    // Between the listing and the carry: notes/ becomes a link to the secret folder.
    fs::rename(&notes, s.out().join("notes.real")).unwrap();
    std::os::unix::fs::symlink(&secret_dir, &notes).unwrap();
    let output = render.join().unwrap();
    assert_exit(&output, 0, "render b");
    // The secret was never linked into OUT, and its folder is as it was.
    assert_eq!(fs::metadata(&secret).unwrap().nlink(), 1);
    let secret_ino = fs::metadata(&secret).unwrap().ino();
    for path in snapshot_names(&s.out()) {
        let meta = fs::symlink_metadata(s.out().join(&path)).unwrap();
        assert_ne!(meta.ino(), secret_ino, "{} is the secret", path.display());
        if meta.is_dir() {
            assert_ne!(meta.mode() & 0o777, 0o777, "{} made 0777", path.display());
        }
    }
    assert_eq!(fs::read_to_string(&secret).unwrap(), "SECRET\n");
    assert_eq!(
        fs::metadata(&secret_dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
    // The user's own key is still there.
    let kept = s.out().join("notes.real/key.txt");
    assert_eq!(fs::read_to_string(kept).unwrap(), "mine\n");
}

#[test]
fn a_kill_right_after_the_swap_is_settled_by_the_next_run() {
    if !has_strace() {
        return;
    }
    let s = Setup::new();
    let (a, _) = s.plan("a.yaml", &PlanSpec::sized(2, 0));
    let (b, tree_b) = s.plan("b.yaml", &PlanSpec::sized(2, 1));
    assert_exit(&s.render(&a, &[]), 0, "render a");
    fs::write(s.out().join("NOTES.md"), "notes\n").unwrap();
    // The first fsync is of OUT's parent, right after the exchange.
    let output = render_under_strace(&s, &b, &[], &["inject=fsync:signal=KILL:when=1"])
        .join()
        .unwrap();
    assert_ne!(output.status.code(), Some(0));
    assert!(!leftovers(&s.out()).is_empty(), "killed before the swap");
    let output = s.render(&b, &[]);
    assert_exit(&output, 0, "render after the kill");
    let mut expected = expected_snapshot(&tree_b);
    expected.insert("NOTES.md".into(), Entry::File(b"notes\n".to_vec()));
    assert_eq!(snapshot(&s.out()), expected);
    assert!(leftovers(&s.out()).is_empty(), "{:?}", leftovers(&s.out()));
}

#[test]
fn carried_folders_keep_their_owner_mode_and_times_and_other_users_files_stay_theirs() {
    if !is_root("chown") {
        return;
    }
    let s = Setup::new();
    let (a, _) = s.plan("a.yaml", &PlanSpec::sized(2, 0));
    let (b, _) = s.plan("b.yaml", &PlanSpec::sized(2, 1));
    assert_exit(&s.render(&a, &[]), 0, "render a");
    let mine = s.out().join("mine");
    fs::create_dir(&mine).unwrap();
    fs::write(mine.join("notes.txt"), "notes\n").unwrap();
    std::os::unix::fs::chown(&mine, Some(1234), Some(2345)).unwrap();
    fs::set_permissions(&mine, fs::Permissions::from_mode(0o700)).unwrap();
    let then = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    fs::File::open(&mine)
        .unwrap()
        .set_times(fs::FileTimes::new().set_modified(then).set_accessed(then))
        .unwrap();
    // A folder meshgen writes into, given to that user too.
    std::os::unix::fs::chown(s.out().join("clusters"), Some(1234), Some(2345)).unwrap();
    assert_exit(&s.render(&b, &[]), 0, "render b");
    let meta = fs::metadata(&mine).unwrap();
    assert_eq!(
        (meta.uid(), meta.gid(), meta.mode() & 0o7777),
        (1234, 2345, 0o700)
    );
    assert_eq!(meta.modified().unwrap(), then);
    let clusters = fs::metadata(s.out().join("clusters")).unwrap();
    assert_eq!((clusters.uid(), clusters.gid()), (1234, 2345));

    // A render by an ordinary user keeps another user's file: the same file, still
    // theirs (a hard link to it is refused by fs.protected_hardlinks; a copy would be
    // the renderer's).
    if !available(
        "setpriv",
        &["--reuid=1000", "--regid=1000", "--clear-groups", "true"],
        "setpriv",
    ) {
        return;
    }
    let work = s.path("work");
    fs::create_dir(&work).unwrap();
    std::os::unix::fs::chown(&work, Some(1000), Some(1000)).unwrap();
    fs::set_permissions(s.dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let as_user = |plan: &Path| {
        run_with_deadline(
            Command::new("setpriv")
                .args([
                    "--reuid=1000",
                    "--regid=1000",
                    "--clear-groups",
                    BIN,
                    "render",
                ])
                .arg(plan)
                .arg("-o")
                .arg(work.join("out")),
            Duration::from_secs(60),
            "render as uid 1000",
        )
    };
    assert_exit(&as_user(&a), 0, "render a as uid 1000");
    let theirs = work.join("out/theirs.txt");
    fs::write(&theirs, "another user's\n").unwrap();
    std::os::unix::fs::chown(&theirs, Some(2000), Some(2000)).unwrap();
    fs::set_permissions(&theirs, fs::Permissions::from_mode(0o644)).unwrap();
    let before = fs::metadata(&theirs).unwrap();
    assert_exit(&as_user(&b), 0, "render b as uid 1000");
    let after = fs::metadata(&theirs).unwrap();
    assert_eq!(
        (after.ino(), after.uid(), after.gid()),
        (before.ino(), 2000, 2000)
    );
    assert_eq!(fs::read_to_string(&theirs).unwrap(), "another user's\n");
    assert!(leftovers(&work.join("out")).is_empty());
}

#[test]
fn check_never_prints_a_file_meshgen_does_not_vouch_for() {
    let s = Setup::new();
    let (plan, tree) = s.plan("plan.yaml", &PlanSpec::sized(2, 0));
    assert_exit(&s.render(&plan, &[]), 0, "render");
    let out = s.out();
    // A generated file overwritten with a secret (its hash is no longer the manifest's),
    // and a manifest that names a `.env` of the user's with a wrong hash.
    let (generated, _) = tree.iter().next().unwrap();
    fs::write(out.join(generated), "TOKEN=hunter2\n").unwrap();
    fs::write(out.join(".env"), "TOKEN=hunter2\n").unwrap();
    let manifest = out.join(meshgen::write::MANIFEST);
    let mut listed = fs::read_to_string(&manifest).unwrap();
    listed = format!("{}  .env\n{listed}", "0".repeat(64));
    fs::write(&manifest, listed).unwrap();

    let check = s.render(&plan, &["--check"]);
    assert_exit(&check, 1, "check");
    let (stdout, stderr) = (text(&check.stdout), text(&check.stderr));
    assert!(
        !stdout.contains("hunter2") && !stderr.contains("hunter2"),
        "{stdout}{stderr}"
    );
    for path in [generated, ".env"] {
        assert!(
            stdout.contains(&format!(
                "--- a/{path} (changed since meshgen wrote it; contents not shown)"
            )),
            "{stdout}"
        );
        assert!(
            stderr.contains(&format!("\n  {path}: changed since meshgen wrote it")),
            "{stderr}"
        );
    }
    assert!(
        stderr.contains("would refuse") && stderr.contains("--force"),
        "{stderr}"
    );
    // And render agrees: it refuses the same two.
    let output = s.render(&plan, &[]);
    assert_exit(&output, 1, "render");
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(generated) && stderr.contains(".env"),
        "{stderr}"
    );
}

#[test]
fn a_fifo_put_at_a_generated_path_during_a_render_does_not_hang_it() {
    if !has_strace() {
        return;
    }
    let s = Setup::new();
    let (plan, tree) = s.plan("plan.yaml", &PlanSpec::sized(1, 0));
    assert_exit(&s.render(&plan, &[]), 0, "render");
    let (generated, _) = tree.iter().next().unwrap();
    let target = s.out().join(generated);
    let out = s.out();
    for mode in [&["--check"][..], &[][..]] {
        // Delay the open of the manifest: OUT is listed, no file is read yet.
        let mut args = vec![
            OsStr::new("render"),
            plan.as_os_str(),
            OsStr::new("-o"),
            out.as_os_str(),
        ];
        args.extend(mode.iter().map(OsStr::new));
        let when = openat_index(&args, "manifest");
        let delay = format!("inject=openat:delay_exit=2000000:when={when}");
        let render = render_under_strace(&s, &plan, mode, &["trace=openat", &delay]);
        wait_for_injected_delay(&s.out());
        // The file the listing saw becomes a FIFO, which no one will ever write to.
        fs::remove_file(&target).unwrap();
        let made = Command::new("mkfifo").arg(&target).status().unwrap();
        assert!(made.success());
        let output = render.join().unwrap();
        assert_exit(&output, 1, &format!("render {mode:?} onto a FIFO"));
        let stderr = text(&output.stderr);
        assert!(
            stderr.contains(&format!("{generated}: not a regular file")),
            "{stderr}"
        );
        fs::remove_file(&target).unwrap();
        fs::write(&target, tree.get(generated).unwrap()).unwrap();
    }
}

#[test]
fn a_cluster_render_into_a_full_tree_touches_only_that_cluster() {
    let s = Setup::new();
    let mut spec_a = PlanSpec::sized(3, 0);
    spec_a.clusters[1].ingress = true;
    let (a, tree_a) = s.plan("a.yaml", &spec_a);
    // B changes c1 (and drops its ingress patch) and c2.
    let mut spec_b = spec_a.clone();
    spec_b.clusters[1].ingress = false;
    spec_b.clusters[1].nodes[0].1 = "zone-b1".to_owned();
    spec_b.clusters[2].nodes[0].1 = "zone-b2".to_owned();
    let (b, _) = s.plan("b.yaml", &spec_b);
    assert_exit(&s.render(&a, &[]), 0, "render a");
    let one = |spec: &PlanSpec, cluster: &str| {
        let source = meshgen::Source::new("plan.yaml", spec.to_yaml(), Format::Yaml);
        let options = meshgen::Options {
            cluster: Some(cluster.to_owned()),
            ..meshgen::Options::default()
        };
        meshgen::compile(&source, &options).unwrap().0
    };
    let (c1_a, c1_b) = (one(&spec_a, "c1"), one(&spec_b, "c1"));
    let ingress = c1_a
        .iter()
        .map(|(p, _)| p)
        .find(|p| c1_b.get(p).is_none())
        .expect("a file of c1 that B drops");

    let output = s.render(&b, &["--cluster", "c1"]);
    assert_exit(&output, 0, "render --cluster c1");
    // Every file outside c1 is A's, c1's are B's, the dropped one is gone.
    let mut expected = meshgen::Tree::default();
    for (path, bytes) in tree_a.iter() {
        if c1_a.get(path).is_none() {
            expected.insert(path, bytes.to_vec()).unwrap();
        }
    }
    expected.merge(c1_b.clone()).unwrap();
    assert_eq!(snapshot(&s.out()), expected_snapshot(&expected));
    assert!(!s.out().join(ingress).exists());

    // --check --cluster looks at that cluster only.
    assert_exit(
        &s.render(&b, &["--check", "--cluster", "c1"]),
        0,
        "check c1",
    );
    let check = s.render(&b, &["--check", "--cluster", "c2"]);
    assert_exit(&check, 1, "check c2");
    let diff = text(&check.stdout);
    assert!(
        diff.lines()
            .filter(|l| l.starts_with("+++ b/") || l.starts_with("--- a/"))
            .all(|l| l.contains("c2") || l.contains(meshgen::write::MANIFEST)),
        "{diff}"
    );
    assert_exit(&s.render(&b, &["--check"]), 1, "check everything");
    // With both clusters rendered, only the mesh-wide files (the README) are stale.
    assert_exit(&s.render(&b, &["--cluster", "c2"]), 0, "render c2");
    let check = s.render(&b, &["--check"]);
    assert_exit(&check, 1, "check everything after both");
    let diff = text(&check.stdout);
    assert!(diff.contains("+++ b/README.md"), "{diff}");
    let headers: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with("+++ b/") || l.starts_with("--- a/"))
        .collect();
    assert!(
        headers
            .iter()
            .all(|l| !l.contains(" b/clusters/") && !l.contains(" a/clusters/")),
        "{headers:?}"
    );
}

#[test]
fn a_huge_file_at_a_generated_path_is_read_in_pieces() {
    let s = Setup::new();
    let (plan, tree) = s.plan("plan.yaml", &PlanSpec::sized(1, 0));
    assert_exit(&s.render(&plan, &[]), 0, "render");
    let (generated, _) = tree.iter().next().unwrap();
    // 256 MiB (sparse: no disk used) where meshgen wrote a small file; the process may
    // use 200 MB of address space in all, so reading it whole would fail.
    let big = fs::File::create(s.out().join(generated)).unwrap();
    big.set_len(256 << 20).unwrap();
    drop(big);
    for extra in ["", "--check"] {
        let script = format!("ulimit -v 200000; exec \"$0\" render \"$1\" -o \"$2\" {extra}");
        let output = run_with_deadline(
            Command::new("sh")
                .arg("-c")
                .arg(script)
                .arg(BIN)
                .arg(&plan)
                .arg(s.out()),
            Duration::from_secs(120),
            "render under a memory limit",
        );
        assert_exit(&output, 1, &format!("render {extra} past a huge file"));
        let stderr = text(&output.stderr);
        assert!(
            stderr.contains(&format!("{generated}: changed since meshgen wrote it")),
            "{stderr}"
        );
    }
}

#[test]
fn an_unchanged_rerender_writes_nothing_and_a_change_rewrites_only_what_changed() {
    let s = Setup::new();
    let spec_a = PlanSpec::sized(3, 0);
    let (a, tree_a) = s.plan("a.yaml", &spec_a);
    assert_exit(&s.render(&a, &[]), 0, "render");
    fs::write(s.out().join("NOTES.md"), "notes\n").unwrap();
    type Stamps = std::collections::BTreeMap<PathBuf, (u64, [i64; 4])>;
    let stamps = |dir: &Path| -> Stamps {
        snapshot_names(dir)
            .into_iter()
            .map(|p| {
                let m = fs::symlink_metadata(dir.join(&p)).unwrap();
                let times = [m.mtime(), m.mtime_nsec(), m.ctime(), m.ctime_nsec()];
                (p, (m.ino(), times))
            })
            .collect()
    };
    let before = stamps(&s.out());
    let out_inode = fs::metadata(s.out()).unwrap().ino();
    let output = s.render(&a, &[]);
    assert_exit(&output, 0, "re-render");
    assert!(text(&output.stderr).contains("up to date, nothing written"));
    // Not a file, not a folder, not OUT itself was touched.
    assert_eq!(stamps(&s.out()), before);
    assert_eq!(fs::metadata(s.out()).unwrap().ino(), out_inode);

    // One cluster changed: every other file is the same file (hard linked), not a copy.
    let mut spec_b = spec_a.clone();
    spec_b.clusters[2].nodes[0].1 = "zone-x".to_owned();
    let (b, tree_b) = s.plan("b.yaml", &spec_b);
    let output = s.render(&b, &[]);
    assert_exit(&output, 0, "render b");
    let after = stamps(&s.out());
    for (path, bytes) in tree_b.iter() {
        let same = tree_a.get(path) == Some(bytes);
        let inode = |m: &Stamps| m[Path::new(path)].0;
        assert_eq!(inode(&after) == inode(&before), same, "{path}");
    }
    // The user's file is the same file, unchanged (only its link count moved).
    let notes = |m: &Stamps| {
        let (ino, times) = m[Path::new("NOTES.md")];
        (ino, times[0], times[1])
    };
    assert_eq!(notes(&after), notes(&before));
}

#[test]
fn progress_shows_on_a_terminal_only() {
    if !available(
        "script",
        &["-qec", "true", "/dev/null"],
        "script (util-linux)",
    ) {
        return;
    }
    let s = Setup::new();
    let spec = PlanSpec::sized(100, 0);
    let (plan, _) = s.plan("plan.yaml", &spec);
    // Progress shows from the first cluster, however fast this machine renders.
    let command = format!(
        "MESHGEN_PROGRESS_AFTER_MS=0 '{BIN}' render '{}' -o '{}'",
        plan.display(),
        s.out().display()
    );
    let on_terminal = run_with_deadline(
        Command::new("script").args(["-qec", &command, "/dev/null"]),
        Duration::from_secs(300),
        "render on a terminal",
    );
    assert_exit(&on_terminal, 0, "render on a terminal");
    let shown = text(&on_terminal.stdout);
    assert!(shown.contains("of 100 clusters"), "{shown}");
    assert!(shown.contains("\r\x1b[K"), "{shown}");
    // Not on a terminal: nothing, with the same zero delay.
    let plain = |extra: &[&str]| {
        let output = Command::new(BIN)
            .env("MESHGEN_PROGRESS_AFTER_MS", "0")
            .arg("render")
            .arg(&plan)
            .arg("-o")
            .arg(s.out())
            .args(extra)
            .output()
            .unwrap();
        assert_exit(&output, 0, &format!("render {extra:?}, not on a terminal"));
        let shown = text(&output.stderr);
        assert!(
            !shown.contains(" of 100") && !shown.contains('\r'),
            "{shown}"
        );
    };
    plain(&["--check"]);
    fs::remove_dir_all(s.out()).unwrap();
    plain(&[]);
}

#[test]
fn a_manifest_of_hundreds_of_thousands_of_files_is_read() {
    let s = Setup::new();
    let (plan, tree) = s.plan("plan.yaml", &PlanSpec::sized(1, 0));
    assert_exit(&s.render(&plan, &[]), 0, "render");
    // 200,000 more lines (20 MB, as 10,000 clusters make): files since removed by hand.
    let manifest = s.out().join(meshgen::write::MANIFEST);
    let mut text = fs::read_to_string(&manifest).unwrap();
    for i in 0..200_000 {
        text.push_str(&format!("{}  gone/{i:06}.yaml\n", "0".repeat(64)));
    }
    fs::write(&manifest, text).unwrap();
    let output = s.render(&plan, &[]);
    assert_exit(&output, 0, "render past a large manifest");
    assert_eq!(snapshot(&s.out()), expected_snapshot(&tree));
}
