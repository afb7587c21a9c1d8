//! What a long run tells the person at the terminal: a progress bar of the evidence's bytes
//! (hashed, then parsed, each with its rate and time left), then a spinner per stage (merging,
//! auditing, writing). On stderr only, only when stderr is a terminal, never with `-q` or
//! `--no-progress`, so never in a CI log or a redirected run.
//!
//! The ingest only bumps byte counters ([`crate::ingest::Progress`]); a small thread here reads
//! them ten times a second and draws.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::ingest::Progress;

/// How often the counters are read.
const TICK: Duration = Duration::from_millis(100);

const BYTES: &str = "{msg:>7} [{bar:24}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} {eta} left";
const SPINNER: &str = "{spinner} {msg}  {elapsed}";

/// The progress display of one run (inert when hidden).
pub struct Status {
    shown: Option<Shown>,
}

struct Shown {
    bar: ProgressBar,
    counters: Arc<Progress>,
    stop: Arc<AtomicBool>,
    poller: Option<JoinHandle<()>>,
}

impl Status {
    /// Shown only when `show` and stderr is a terminal.
    pub fn new(show: bool) -> Self {
        if !show || !std::io::stderr().is_terminal() {
            return Status { shown: None };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(spinner());
        bar.set_message("finding evidence files");
        let counters = Arc::new(Progress::default());
        let stop = Arc::new(AtomicBool::new(false));
        let poller = {
            let (bar, counters, stop) = (bar.clone(), counters.clone(), stop.clone());
            std::thread::spawn(move || poll(&bar, &counters, &stop))
        };
        Status { shown: Some(Shown { bar, counters, stop, poller: Some(poller) }) }
    }

    /// The counters the ingest bumps, when shown.
    pub fn ingest_counters(&self) -> Option<Arc<Progress>> {
        self.shown.as_ref().map(|s| s.counters.clone())
    }

    /// Show a stage without a known length ("auditing 5,000 users").
    pub fn stage(&mut self, message: impl Into<String>) {
        if let Some(s) = &mut self.shown {
            s.stop_polling();
            s.bar.set_style(spinner());
            s.bar.reset();
            s.bar.set_message(message.into());
            s.bar.enable_steady_tick(TICK);
        }
    }
}

impl Shown {
    fn stop_polling(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(p) = self.poller.take() {
            let _ = p.join();
        }
    }
}

impl Drop for Status {
    /// The display disappears before the report is written (or when the run fails).
    fn drop(&mut self) {
        if let Some(s) = &mut self.shown {
            s.stop_polling();
            s.bar.finish_and_clear();
        }
    }
}

fn spinner() -> ProgressStyle {
    ProgressStyle::with_template(SPINNER).unwrap_or_else(|_| ProgressStyle::default_spinner())
}

/// Draw the byte counters until stopped: hashing, then parsing (each its own bar, so the rate
/// and time left are of the work being done), then "merging" once every byte is parsed.
fn poll(bar: &ProgressBar, c: &Progress, stop: &AtomicBool) {
    #[derive(PartialEq)]
    enum Phase {
        Finding,
        Hashing,
        Parsing,
        Merging,
    }
    let mut phase = Phase::Finding;
    while !stop.load(Ordering::Relaxed) {
        let total = c.total.load(Ordering::Relaxed);
        let (hashed, parsed) = (c.hashed.load(Ordering::Relaxed), c.parsed.load(Ordering::Relaxed));
        if phase == Phase::Finding && total > 0 {
            phase = Phase::Hashing;
            bar.set_style(ProgressStyle::with_template(BYTES).unwrap_or_else(|_| ProgressStyle::default_bar()).progress_chars("=> "));
            bar.set_length(total);
            bar.reset();
            bar.set_message("hashing");
        }
        if phase == Phase::Hashing && hashed >= total {
            phase = Phase::Parsing;
            bar.reset();
            bar.set_message("parsing");
        }
        if phase == Phase::Parsing && parsed >= total {
            phase = Phase::Merging;
            bar.set_message("merging, deduplicating and sorting");
            bar.set_style(spinner());
        }
        match phase {
            Phase::Finding => bar.tick(),
            Phase::Hashing => bar.set_position(hashed),
            Phase::Parsing => bar.set_position(parsed),
            Phase::Merging => bar.tick(),
        }
        std::thread::sleep(TICK);
    }
}
