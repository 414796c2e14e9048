//! Benchmark of meshgen's pipeline stages over generated plans (issue 6).
//!
//! `cargo bench` runs the full set: N = 10, 100, 1,000, 10,000 clusters, M = 20 nodes,
//! timing load, check, model, render and write separately; then the render as the CLI
//! streams it: into a new folder, again over that tree (the plan unchanged), over it
//! after a change to one cluster, and `render --check` of the result; `cp -r` of the
//! tree (and `cp -r` then `sync`) for comparison; peak memory of a new folder, a
//! re-render and a check (each in a fresh process); and the demo plan as a whole
//! `meshgen render` process.
//! Under `cargo test` (no `--bench` argument) it runs one small size as a smoke test.
//! `cargo bench --bench pipeline -- --emit N FILE` writes the generated plan of N clusters.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use meshgen::{Format, Options, Source};

const NODES: u32 = 20;

/// The allocator of the `meshgen` binary (src/main.rs), so the in-process runs below
/// time what the command does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        let (model, _) = meshgen::resolve(&source, &Options::default()).expect("valid plan");
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
        "{:>7} {:>10} {:>9} {:>10} | {:>10} {:>10} {:>10} | {:>9} {:>9} {:>9}",
        "N",
        "new dir",
        "cp -r",
        "cp+sync",
        "same plan",
        "1 changed",
        "--check",
        "new/cp",
        "same/chk",
        "1ch/chk"
    );
    for (n, stats) in &all {
        let front = stats.load + stats.check + stats.model;
        let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
        println!(
            "{:>7} {:>10} {:>9} {:>10} | {:>10} {:>10} {:>10} | {:>9.2} {:>9.2} {:>9.2}",
            n,
            ms(front + stats.cli_write),
            ms(stats.copy),
            ms(stats.copy_sync),
            ms(front + stats.cli_rewrite),
            ms(front + stats.cli_change),
            ms(front + stats.cli_check),
            ratio(front + stats.cli_write, stats.copy),
            ratio(stats.cli_rewrite + front, stats.cli_check + front),
            ratio(stats.cli_change + front, stats.cli_check + front),
        );
    }
    println!("(same plan: re-rendered over its own tree; 1 changed: one cluster's nodes changed)");
    println!();
    println!("CPU time of the same runs (user + system, all threads; cp -r: its own):");
    println!(
        "{:>7} {:>10} {:>9} | {:>10} {:>10} {:>10} | {:>9} {:>9} {:>9}",
        "N",
        "new dir",
        "cp -r",
        "same plan",
        "1 changed",
        "--check",
        "new/cp",
        "same/chk",
        "1ch/chk"
    );
    for (n, stats) in &all {
        let c = &stats.cpu;
        let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64().max(1e-3);
        println!(
            "{:>7} {:>10} {:>9} | {:>10} {:>10} {:>10} | {:>9.2} {:>9.2} {:>9.2}",
            n,
            ms(c.front + c.write),
            ms(c.copy),
            ms(c.front + c.rewrite),
            ms(c.front + c.change),
            ms(c.front + c.check),
            ratio(c.front + c.write, c.copy),
            ratio(c.front + c.rewrite, c.front + c.check),
            ratio(c.front + c.change, c.front + c.check),
        );
    }
    println!();
    println!(
        "{:>7} {:>10} {:>10} {:>10} {:>6}",
        "N", "RSS new", "RSS re-r.", "RSS check", "ratio"
    );
    for (n, stats) in &all {
        let peaks = peak_rss_in_children(*n);
        let worst = peaks.iter().copied().max().unwrap_or(0);
        let mb = |kib: u64| format!("{:.0} MB", kib as f64 * 1024.0 / 1e6);
        println!(
            "{:>7} {:>10} {:>10} {:>10} {:>6.2}",
            n,
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
        let comparer = meshgen::write::Comparer::start(dir, None).expect("inspect");
        let drift = meshgen::render_into(model, &options, comparer).expect("check");
        assert!(drift.is_none(), "drift");
    } else {
        let writer = meshgen::write::Writer::start(dir, false, None).expect("inspect");
        meshgen::render_into(model, &options, writer).expect("write");
    }
}

#[derive(Default)]
struct CpuTimes {
    front: Duration,
    write: Duration,
    rewrite: Duration,
    change: Duration,
    check: Duration,
    copy: Duration,
}

/// CPU time used so far by this process (all threads) and its waited-for children, from
/// /proc/self/stat (in USER_HZ, 1/100 s on Linux); zero where /proc is not there.
fn cpu_now() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // After `pid (comm) `: state, then numbers (some negative, e.g. tpgid -1 without
    // a terminal); utime, stime, cutime, cstime are fields 14-17 of the line.
    let fields: Vec<&str> = stat
        .rsplit_once(") ")
        .map(|(_, rest)| rest.split(' ').collect())
        .unwrap_or_default();
    let ticks: i64 = fields
        .get(11..15)
        .map_or(0, |f| f.iter().filter_map(|v| v.parse::<i64>().ok()).sum());
    Duration::from_millis(ticks.max(0) as u64 * 10)
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
    cli_change: Duration,
    cli_check: Duration,
    copy: Duration,
    copy_sync: Duration,
    /// CPU time (user + system, every thread and child) of the same runs: on a shared
    /// machine the wall times above also measure everyone else.
    cpu: CpuTimes,
    files: usize,
    tree_bytes: usize,
}

/// Time every stage for a plan of `n` clusters, then the render as the CLI streams it;
/// each figure is the best of `runs`.
fn run_size(n: u32, runs: u32) -> Stats {
    let generated = support::plan_gen::plan(n, NODES);
    let text = support::plan_gen::yaml(&generated);
    let source = Source::new(format!("bench-{n}.yaml"), text, Format::Yaml);
    // The same plan with one cluster's nodes moved to another zone: that cluster's
    // files and the README change.
    let mut changed = generated;
    let middle = changed.clusters.len() / 2;
    for node in &mut changed.clusters[middle].nodes {
        node.zone = format!("{}-moved", node.zone);
    }
    let changed = Source::new(
        format!("bench-{n}.yaml"),
        support::plan_gen::yaml(&changed),
        Format::Yaml,
    );
    let (changed_model, _) =
        meshgen::resolve(&changed, &Options::default()).expect("the changed plan is valid");
    let scratch = scratch_dir();
    let best =
        |a: &mut Duration, b: Duration| *a = if *a == Duration::ZERO { b } else { (*a).min(b) };
    let mut stats = Stats::default();
    for run in 0..runs {
        let out = scratch.path().join(format!("out-{run}"));
        let cpu = cpu_now();
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
        best(&mut stats.cpu.front, cpu_now() - cpu);
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
        let cpu = cpu_now();
        let t = Instant::now();
        cli_render(model.clone(), &streamed, false);
        best(&mut stats.cli_write, t.elapsed());
        best(&mut stats.cpu.write, cpu_now() - cpu);
        let cpu = cpu_now();
        let t = Instant::now();
        cli_render(model.clone(), &streamed, false);
        best(&mut stats.cli_rewrite, t.elapsed());
        best(&mut stats.cpu.rewrite, cpu_now() - cpu);
        let cpu = cpu_now();
        let t = Instant::now();
        cli_render(changed_model.clone(), &streamed, false);
        best(&mut stats.cli_change, t.elapsed());
        best(&mut stats.cpu.change, cpu_now() - cpu);
        let cpu = cpu_now();
        let t = Instant::now();
        cli_render(changed_model.clone(), &streamed, true);
        best(&mut stats.cli_check, t.elapsed());
        best(&mut stats.cpu.check, cpu_now() - cpu);
        drop(model);

        let copy = scratch.path().join(format!("copy-{run}"));
        let cpu = cpu_now();
        let t = Instant::now();
        let copied = Command::new("cp").arg("-r").arg(&out).arg(&copy).status();
        best(&mut stats.copy, t.elapsed());
        best(&mut stats.cpu.copy, cpu_now() - cpu);
        assert!(copied.is_ok_and(|s| s.success()), "cp -r failed");
        std::fs::remove_dir_all(&copy).expect("clean up");
        // On a disk, a copy is only as safe as meshgen's new folder once it is flushed.
        let _ = Command::new("sync").status();
        let t = Instant::now();
        let copied = Command::new("cp").arg("-r").arg(&out).arg(&copy).status();
        let synced = Command::new("sync").status();
        best(&mut stats.copy_sync, t.elapsed());
        assert!(copied.is_ok_and(|s| s.success()) && synced.is_ok_and(|s| s.success()));
        for dir in [&out, &streamed, &copy] {
            std::fs::remove_dir_all(dir).expect("clean up");
        }
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
