//! The p50 and p99 of single runs, printed beside criterion's estimate (which is a mean): as
//! many runs as fit in 3 s, at least 20 and at most 1,000.

use std::time::{Duration, Instant};

/// Runs `run` repeatedly and prints its p50 and p99 under `label`.
pub fn percentiles(label: &str, mut run: impl FnMut()) {
    let mut times = Vec::new();
    let started = Instant::now();
    while times.len() < 1000 && (times.len() < 20 || started.elapsed() < Duration::from_secs(3)) {
        let one = Instant::now();
        run();
        times.push(one.elapsed());
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    eprintln!(
        "{label}: p50 {:?}, p99 {:?} ({} runs)",
        at(0.5),
        at(0.99),
        times.len()
    );
}
