//! Helpers shared by the test modules: `check` (the demo plan, mutations, assertions on
//! diagnostics), `safety` (folder snapshots, running the binary under a deadline, comparing
//! rendered documents) and `snapshots` (compare with a committed file or tree, or bless it).

pub mod check;
pub mod safety;
pub mod snapshots;
