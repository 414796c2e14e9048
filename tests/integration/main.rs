//! meshgen's integration tests: one crate, linked once, one module per area (as just's
//! `tests/lib.rs` does). Shared helpers live in `support/`; the command-line cases (args,
//! stdin -> exit code, stdout, stderr) are `trycmd` files in `tests/cmd/`, run by `cmd`.
//!
//! Bless every snapshot (golden trees, diagnostics reports, the JSON Schema, the CLI cases)
//! with one command, then read the diff before committing:
//!     TRYCMD=overwrite cargo test --all-targets
//!
//! A new test file is a module here (`mod NAME;` below), not a `tests/NAME.rs` of its own:
//! `layout::every_test_file_is_a_module_of_this_crate` fails until it is folded in.

mod support;

mod check_codes;
mod check_golden;
mod check_lines;
mod check_props;
mod check_rules;
mod check_scale;
mod cli;
mod cli_help;
mod cmd;
mod gitops;
mod golden;
mod hostile;
mod layout;
mod plan_formats;
mod precommit;
mod prop;
mod readme_snippets;
mod render_cluster;
mod render_determinism;
mod render_escaping;
mod render_fidelity;
mod render_seed;
mod schema;
mod verify;
mod verify_upstream;
mod write;
