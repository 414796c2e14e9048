//! `meshgen validate` through the binary: exit codes and what reaches stderr.
//! 0 clean or warnings only; 1 errors (or warnings with --deny-warnings); 2 I/O.

mod check_support;

use std::path::Path;
use std::process::{Command, Output};

fn validate(plan: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshgen"))
        .arg("validate")
        .arg(plan)
        .args(extra)
        .args(["--color", "never"])
        .output()
        .unwrap()
}

fn write_plan(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_demo_plan_validates() {
    for plan in [check_support::DEMO_YAML, check_support::DEMO_TOML] {
        let out = validate(Path::new(plan), &["--deny-warnings"]);
        assert_eq!(out.status.code(), Some(0), "{plan}: {}", stderr(&out));
        assert!(stderr(&out).contains("no problems"), "{}", stderr(&out));
    }
}

#[test]
fn warnings_pass_unless_denied() {
    let dir = tempfile::tempdir().unwrap();
    let text = check_support::demo_yaml_with(
        "    kubernetesVersion: \"1.25\"\n    podSubnet: 10.202.0.0/16",
        "    kubernetesVersion: \"1.28\"\n    podSubnet: 10.202.0.0/16",
    );
    let plan = write_plan(dir.path(), "mesh.yaml", &text);

    let out = validate(&plan, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning[MG062]"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("mesh.yaml:33:24\n"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("^ clusters[1].kubernetesVersion\n"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).ends_with("mesh.yaml: 1 warning\n"),
        "{}",
        stderr(&out)
    );

    let out = validate(&plan, &["--deny-warnings"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("error[MG062]"), "{}", stderr(&out));
    assert!(
        stderr(&out).ends_with("mesh.yaml: 1 error\n"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn errors_fail_with_every_problem_listed() {
    let dir = tempfile::tempdir().unwrap();
    let text = check_support::demo_yaml_with("eastWest: 10.6.136.29", "eastWest: 10.6.136.30")
        .replace("podSubnet: 10.100.0.0/16", "podSubnet: 10.100.0.1/16");
    let plan = write_plan(dir.path(), "mesh.yaml", &text);
    let out = validate(&plan, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("error[MG050]") && err.contains("error[MG030]"),
        "{err}"
    );
    assert!(err.ends_with("mesh.yaml: 2 errors\n"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn a_missing_plan_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = validate(&dir.path().join("absent.yaml"), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read"), "{}", stderr(&out));
}
