//! Benchmark of meshgen's pipeline stages over generated plans (issue 6).
//!
//! `cargo bench` runs the full set: N = 10, 100, 1,000, 10,000 clusters, M = 20 nodes,
//! timing load, check, model, render and write separately; then the render as the CLI
//! streams it, into a new folder, again over that tree, and `render --check` of it;
//! `cp -r` of the tree for comparison; peak memory of each of those three (each in a
//! fresh process); and the demo plan as a whole `meshgen render` process.
//! Under `cargo test` (no `--bench` argument) it runs one small size as a smoke test.
//! `cargo bench --bench pipeline -- --emit N FILE` writes the generated plan of N clusters.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use meshgen::{Format, Options, Source};

const NODES: u32 = 20;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `-- --emit N FILE`: write the generated plan of N clusters, e.g. for hyperfine runs of the CLI.
    if let Some(i) = args.iter().position(|a| a == "--emit") {
        let (Some(n), Some(file)) = (
            args.get(i + 1).and_then(|n| n.parse().ok()),
            args.get(i + 2),
        ) else {
            panic!("usage: --emit N FILE");
        };
        let text = support::plan_gen::yaml(&support::plan_gen::plan(n, NODES));
        std::fs::write(file, text).expect("write the plan");
        return;
    }
    // `--peak write|check PLAN DIR` (internal): one `meshgen render` in this fresh process,
    // printing its peak RSS in KiB.
    if let Some(i) = args.iter().position(|a| a == "--peak") {
        let [mode, plan, dir] = [1, 2, 3].map(|k| args.get(i + k).expect("--peak MODE PLAN DIR"));
        let text = std::fs::read_to_string(plan).expect("read the plan");
        let source = Source::new(plan.clone(), text, Format::Yaml);
        let (model, _) = meshgen::resolve(&source, &Options::default(), false).expect("valid plan");
        cli_render(model, Path::new(dir), mode == "check");
        println!("{}", peak_rss_kib());
        return;
    }
    if !args.iter().any(|a| a == "--bench") {
        let stats = run_size(10, 1);
        println!(
            "pipeline smoke: 10 clusters -> {} files, {} bytes",
            stats.files, stats.tree_bytes
        );
        return;
    }
    let sizes: Vec<u32> = match std::env::var("MESHGEN_BENCH_SIZES") {
        Ok(list) => list
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect(),
        Err(_) => vec![10, 100, 1_000, 10_000],
    };
    println!(
        "meshgen pipeline benchmark, M = {NODES} nodes per cluster, best of 3 (10,000: 1 run)"
    );
    println!("Stages, each on its own (the render holds the whole tree in memory):");
    println!(
        "{:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10} {:>9}",
        "N", "load", "check", "model", "render", "write", "tree", "files"
    );
    let mut all = Vec::new();
    for &n in &sizes {
        let stats = run_size(n, if n >= 10_000 { 1 } else { 3 });
        println!(
            "{:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10} {:>9}",
            n,
            ms(stats.load),
            ms(stats.check),
            ms(stats.model),
            ms(stats.render),
            ms(stats.write),
            format!("{:.1} MB", stats.tree_bytes as f64 / 1e6),
            stats.files
        );
        all.push((n, stats));
    }
    println!();
    println!("As `meshgen render` runs (load, check, model, then render streamed to the folder):");
    println!(
        "{:>7} {:>10} {:>10} {:>10} {:>9} | {:>10} {:>10} {:>10} {:>6}",
        "N",
        "new dir",
        "re-render",
        "--check",
        "cp -r",
        "RSS new",
        "RSS re-r.",
        "RSS check",
        "ratio"
    );
    for (n, stats) in &all {
        let peaks = peak_rss_in_children(*n);
        let worst = peaks.iter().copied().max().unwrap_or(0);
        let mb = |kib: u64| format!("{:.0} MB", kib as f64 * 1024.0 / 1e6);
        let front = stats.load + stats.check + stats.model;
        println!(
            "{:>7} {:>10} {:>10} {:>10} {:>9} | {:>10} {:>10} {:>10} {:>6.2}",
            n,
            ms(front + stats.cli_write),
            ms(front + stats.cli_rewrite),
            ms(front + stats.cli_check),
            ms(stats.copy),
            mb(peaks[0]),
            mb(peaks[1]),
            mb(peaks[2]),
            worst as f64 * 1024.0 / stats.tree_bytes as f64
        );
    }
    println!("(ratio: the highest peak RSS over the bytes of the tree)");
    demo_process();
}

/// What `meshgen render -o DIR` (or `--check`) does after resolving the plan: clusters
/// stream to the folder, or to the comparison, as they render.
fn cli_render(model: meshgen::model::Model, dir: &Path, check: bool) {
    let options = Options::default();
    if check {
        let drift = meshgen::check_dir(model, &options, dir).expect("check");
        assert!(drift.is_none(), "drift");
    } else {
        meshgen::render_to_dir(model, &options, dir, false).expect("write");
    }
}

#[derive(Default)]
struct Stats {
    load: Duration,
    check: Duration,
    model: Duration,
    render: Duration,
    write: Duration,
    cli_write: Duration,
    cli_rewrite: Duration,
    cli_check: Duration,
    copy: Duration,
    files: usize,
    tree_bytes: usize,
}

/// Time every stage for a plan of `n` clusters, then the render as the CLI streams it;
/// each figure is the best of `runs`.
fn run_size(n: u32, runs: u32) -> Stats {
    let text = support::plan_gen::yaml(&support::plan_gen::plan(n, NODES));
    let source = Source::new(format!("bench-{n}.yaml"), text, Format::Yaml);
    let scratch = scratch_dir();
    let best =
        |a: &mut Duration, b: Duration| *a = if *a == Duration::ZERO { b } else { (*a).min(b) };
    let mut stats = Stats::default();
    for run in 0..runs {
        let out = scratch.path().join(format!("out-{run}"));
        let t = Instant::now();
        let plan = meshgen::plan::parse(&source).expect("generated plan parses");
        best(&mut stats.load, t.elapsed());
        let t = Instant::now();
        let (diagnostics, facts) = meshgen::check::check_parsed(&plan);
        best(&mut stats.check, t.elapsed());
        assert!(
            !diagnostics.has_errors(),
            "generated plan must be valid: {:?}",
            diagnostics.iter().next()
        );
        let t = Instant::now();
        let model = meshgen::model::Model::resolve(&plan, &facts.expect("parsed facts"));
        best(&mut stats.model, t.elapsed());
        drop(plan);
        let t = Instant::now();
        let tree = meshgen::render::render(&model, &Options::default()).expect("render");
        best(&mut stats.render, t.elapsed());
        let t = Instant::now();
        meshgen::write::write_tree(&tree, &out, false).expect("write");
        best(&mut stats.write, t.elapsed());
        (stats.files, stats.tree_bytes) = (tree.len(), tree.size());
        drop(tree);

        let streamed = scratch.path().join(format!("streamed-{run}"));
        let t = Instant::now();
        cli_render(model.clone(), &streamed, false);
        best(&mut stats.cli_write, t.elapsed());
        let t = Instant::now();
        cli_render(model.clone(), &streamed, false);
        best(&mut stats.cli_rewrite, t.elapsed());
        let t = Instant::now();
        cli_render(model, &streamed, true);
        best(&mut stats.cli_check, t.elapsed());

        let t = Instant::now();
        let copied = Command::new("cp")
            .arg("-r")
            .arg(&out)
            .arg(scratch.path().join(format!("copy-{run}")))
            .status();
        best(&mut stats.copy, t.elapsed());
        assert!(copied.is_ok_and(|s| s.success()), "cp -r failed");
        for dir in [&out, &streamed] {
            std::fs::remove_dir_all(dir).expect("clean up");
        }
        std::fs::remove_dir_all(scratch.path().join(format!("copy-{run}"))).expect("clean up");
    }
    stats
}

/// Peak resident memory of `meshgen render` of `n` clusters into a new folder, again over
/// the tree it wrote, and `--check` of that tree: each in a fresh process.
fn peak_rss_in_children(n: u32) -> [u64; 3] {
    let scratch = scratch_dir();
    let plan = scratch.path().join("plan.yaml");
    let text = support::plan_gen::yaml(&support::plan_gen::plan(n, NODES));
    std::fs::write(&plan, text).expect("write the plan");
    let out = scratch.path().join("out");
    let exe = std::env::current_exe().expect("bench executable");
    ["write", "write", "check"].map(|mode| {
        let child = Command::new(&exe)
            .arg("--peak")
            .arg(mode)
            .arg(&plan)
            .arg(&out)
            .output()
            .expect("child bench");
        assert!(
            child.status.success(),
            "{}",
            String::from_utf8_lossy(&child.stderr)
        );
        String::from_utf8_lossy(&child.stdout)
            .trim()
            .parse()
            .unwrap_or(0)
    })
}

/// VmHWM (peak RSS) of this process, in KiB; 0 where /proc is not there.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// The demo plan rendered by the real binary, as a user runs it: best of 20 whole processes.
fn demo_process() {
    let exe = env!("CARGO_BIN_EXE_meshgen");
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/demo/plan.yaml");
    let scratch = scratch_dir();
    let out = scratch.path().join("out");
    let mut best = Duration::MAX;
    for _ in 0..20 {
        let t = Instant::now();
        let status = Command::new(exe)
            .arg("render")
            .arg(&plan)
            .arg("-o")
            .arg(&out)
            .status()
            .expect("meshgen runs");
        best = best.min(t.elapsed());
        assert!(status.success(), "meshgen render of the demo plan failed");
    }
    println!(
        "demo plan, whole `meshgen render` process: {} (best of 20)",
        ms(best)
    );
}

/// Where trees are written: `MESHGEN_BENCH_DIR` (e.g. /dev/shm, to time meshgen rather
/// than the disk), else the system's temporary folder.
fn scratch_dir() -> tempfile::TempDir {
    match std::env::var_os("MESHGEN_BENCH_DIR") {
        Some(dir) => tempfile::tempdir_in(dir).expect("temp dir in MESHGEN_BENCH_DIR"),
        None => tempfile::tempdir().expect("temp dir"),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}
