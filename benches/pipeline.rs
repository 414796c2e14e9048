//! Benchmark of the pipeline stages (issue 6): filled in by the bench work.
fn main() {}
