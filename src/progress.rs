//! Progress of a long render on a terminal (a module of the CLI, not of the library):
//! `meshgen: 532 of 1000 clusters` on stderr, rewritten in place, once a render has
//! taken more than a second; nothing at all when stderr is not a terminal.
//! `MESHGEN_PROGRESS_AFTER_MS` sets that second (tests set 0: whether progress shows
//! must not depend on how fast the machine renders).

use std::io::Write as _;
use std::time::{Duration, Instant};

use meshgen::Tree;
use meshgen::write::{Sink, WriteError};

/// How long a render runs before it shows progress, and how often it redraws.
const QUIET_FOR: Duration = Duration::from_secs(1);
const QUIET_FOR_VAR: &str = "MESHGEN_PROGRESS_AFTER_MS";
const REDRAW_EVERY: Duration = Duration::from_millis(100);

/// A sink that counts the parts passing through to `sink` (one per cluster, plus one
/// for the mesh-wide files).
pub struct Progress<S> {
    sink: S,
    clusters: usize,
    parts: usize,
    started: Instant,
    quiet_for: Duration,
    drawn: Option<Instant>,
    shown: bool,
}

impl<S> Progress<S> {
    /// `shown`: whether stderr is a terminal.
    pub fn new(sink: S, clusters: usize, shown: bool) -> Progress<S> {
        Progress {
            sink,
            clusters,
            parts: 0,
            started: Instant::now(),
            quiet_for: std::env::var(QUIET_FOR_VAR)
                .ok()
                .and_then(|ms| ms.parse().ok())
                .map_or(QUIET_FOR, Duration::from_millis),
            drawn: None,
            shown,
        }
    }

    fn draw(&mut self, text: &str) {
        let now = Instant::now();
        if !self.shown || now.duration_since(self.started) < self.quiet_for {
            return;
        }
        if self
            .drawn
            .is_some_and(|at| now.duration_since(at) < REDRAW_EVERY)
        {
            return;
        }
        self.drawn = Some(now);
        // `\r` and erase-line: the line is rewritten in place.
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[Kmeshgen: {text}");
        let _ = err.flush();
    }
}

impl<S: Sink> Sink for Progress<S> {
    type Done = S::Done;

    fn add(&mut self, part: &Tree) -> Result<(), WriteError> {
        self.sink.add(part)?;
        self.parts += 1;
        let done = self.parts.min(self.clusters);
        self.draw(&format!("{done} of {} clusters", self.clusters));
        Ok(())
    }

    fn finish(mut self) -> Result<S::Done, WriteError> {
        self.drawn = None;
        self.draw(&format!(
            "{0} of {0} clusters, finishing the folder",
            self.clusters
        ));
        let drawn = self.drawn.is_some();
        let done = self.sink.finish();
        if drawn {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
        }
        done
    }
}
