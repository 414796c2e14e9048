//! Benchmark of meshgen's pipeline stages over generated plans (issue 6).
//!
//! `cargo bench` runs the full set: N = 10, 100, 1,000, 10,000 clusters, M = 20 nodes,
//! timing load, check, model, render and write separately, `render --check` on an
//! unchanged tree, `cp -r` of the tree for comparison, peak memory per N (each N in
//! a fresh process), and the demo plan as a whole `meshgen render` process.
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
    if let Some(n) = args
        .iter()
        .position(|a| a == "--one")
        .and_then(|i| args.get(i + 1))
    {
        let n: u32 = n.parse().expect("--one N");
        let stats = run_size(n, 1);
        println!("{}", stats.peak_rss_kib);
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
    println!(
        "{:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} | {:>11} {:>9} | {:>8} {:>10} {:>10} {:>6}",
        "N",
        "load",
        "check",
        "model",
        "render",
        "write",
        "total",
        "render+wr.",
        "--check",
        "cp -r",
        "tree",
        "peak RSS",
        "ratio"
    );
    for &n in &sizes {
        let stats = run_size(n, if n >= 10_000 { 1 } else { 3 });
        let peak = peak_rss_in_child(n);
        let ratio = peak as f64 * 1024.0 / stats.tree_bytes as f64;
        println!(
            "{:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} | {:>11} {:>9} | {:>8} {:>10} {:>10} {:>6.2}",
            n,
            ms(stats.load),
            ms(stats.check),
            ms(stats.model),
            ms(stats.render),
            ms(stats.write),
            ms(stats.load + stats.check + stats.model + stats.render + stats.write),
            ms(stats.render + stats.write),
            ms(stats.check_unchanged),
            ms(stats.copy),
            format!("{:.1} MB", stats.tree_bytes as f64 / 1e6),
            format!("{:.1} MB", peak as f64 * 1024.0 / 1e6),
            ratio
        );
    }
    demo_process();
}

#[derive(Default)]
struct Stats {
    load: Duration,
    check: Duration,
    model: Duration,
    render: Duration,
    write: Duration,
    check_unchanged: Duration,
    copy: Duration,
    files: usize,
    tree_bytes: usize,
    peak_rss_kib: u64,
}

/// Time every stage for a plan of `n` clusters; each figure is the best of `runs`.
fn run_size(n: u32, runs: u32) -> Stats {
    let text = support::plan_gen::yaml(&support::plan_gen::plan(n, NODES));
    let source = Source::new(format!("bench-{n}.yaml"), text, Format::Yaml);
    let scratch = scratch_dir();
    let mut best = Stats {
        load: Duration::MAX,
        ..Stats::default()
    };
    for run in 0..runs {
        let out = scratch.path().join(format!("out-{run}"));
        let t = Instant::now();
        let plan = meshgen::plan::parse(&source).expect("generated plan parses");
        let load = t.elapsed();
        let t = Instant::now();
        let diagnostics = meshgen::check::check(&plan);
        let check = t.elapsed();
        assert!(
            !diagnostics.has_errors(),
            "generated plan must be valid: {:?}",
            diagnostics.iter().next()
        );
        let t = Instant::now();
        let model = meshgen::model::Model::resolve(&plan).expect("model");
        let model_time = t.elapsed();
        let t = Instant::now();
        let tree = meshgen::render::render(&model, &Options::default()).expect("render");
        let render = t.elapsed();
        let t = Instant::now();
        meshgen::write::write_tree(&tree, &out, false).expect("write");
        let write = t.elapsed();
        let t = Instant::now();
        let drift = meshgen::write::diff_tree(&tree, &out).expect("check");
        let check_unchanged = t.elapsed();
        assert!(drift.is_none(), "a tree just written must not drift");
        let t = Instant::now();
        let copied = Command::new("cp")
            .arg("-r")
            .arg(&out)
            .arg(scratch.path().join(format!("copy-{run}")))
            .status();
        let copy = t.elapsed();
        assert!(copied.is_ok_and(|s| s.success()), "cp -r failed");
        if load + check + model_time + render + write
            < best.load + best.check + best.model + best.render + best.write
            || run == 0
        {
            best = Stats {
                load,
                check,
                model: model_time,
                render,
                write,
                check_unchanged,
                copy,
                files: tree.len(),
                tree_bytes: tree.size(),
                peak_rss_kib: 0,
            };
        }
    }
    best.peak_rss_kib = peak_rss_kib();
    best
}

/// Peak resident memory of a fresh process that loads, checks, renders and writes `n` clusters.
fn peak_rss_in_child(n: u32) -> u64 {
    let exe = std::env::current_exe().expect("bench executable");
    let out = Command::new(exe)
        .args(["--one", &n.to_string()])
        .output()
        .expect("child bench");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
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
