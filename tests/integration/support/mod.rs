//! Helpers shared by the test modules: `check` (the demo plan, mutations, assertions on
//! diagnostics), `safety` (folder snapshots, running the binary under a deadline, comparing
//! rendered documents) and `snapshots` (compare with a committed file or tree, or bless it).

pub mod check;
pub mod safety;
pub mod snapshots;

/// Taken by the tests that time themselves or run meshgen on large inputs (hostile's 20 s
/// budget per case, check_scale's timings, write's renders killed mid-way), so that they never
/// share the cores with each other: in one test binary they would run side by side, which as
/// separate binaries they never did.
pub fn timed_alone() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
