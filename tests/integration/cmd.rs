//! The command-line cases: each `tests/cmd/NAME.toml` runs meshgen once (args, stdin,
//! environment, working folder) and expects its exit code, with stdout and stderr exactly
//! as `NAME.stdout` / `NAME.stderr` (a missing file is not compared; an empty one means
//! nothing is printed). The plans they read are in `tests/cmd/plans/` (`plans/mesh.yaml` is a
//! link to the demo plan, `golden/demo/plan.yaml`, so that there is one copy of it).
//!
//! Run one case: `cargo test --test integration cmd -- trycmd=NAME`.
//! Bless: `TRYCMD=overwrite cargo test --all-targets`, then read the diff.

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .register_bin(
            "meshgen",
            std::path::Path::new(env!("CARGO_BIN_EXE_meshgen")),
        )
        // Help and diagnostics wrap at the terminal width; pin it (meshgen caps it at 100).
        .env("COLUMNS", "100")
        .case("tests/cmd/*.toml");
}
