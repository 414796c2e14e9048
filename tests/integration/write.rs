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
