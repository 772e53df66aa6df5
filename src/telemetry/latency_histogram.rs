//! A latency histogram in nanoseconds (hdrhistogram, 3 significant digits)
//! and its one-line summary.

use hdrhistogram::Histogram;
use serde::Serialize;

/// Percentiles of one latency series, in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LatencySummary {
    pub count: u64,
    pub p50_ns: u64,
    pub p99_ns: u64,
    pub p99_9_ns: u64,
    pub max_ns: u64,
}

impl std::fmt::Display for LatencySummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "n={} p50={} ns p99={} ns p99.9={} ns max={} ns",
            self.count, self.p50_ns, self.p99_ns, self.p99_9_ns, self.max_ns
        )
    }
}

#[derive(Clone, Debug)]
pub struct LatencyHistogram {
    histogram: Histogram<u64>,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl LatencyHistogram {
    /// Tracks 1 ns to 60 s at 3 significant digits (auto-resizing beyond).
    pub fn new() -> Self {
        let mut histogram =
            Histogram::new_with_bounds(1, 60_000_000_000, 3).expect("static bounds are valid");
        histogram.auto(true);
        LatencyHistogram { histogram }
    }

    #[inline]
    pub fn record_ns(&mut self, ns: u64) {
        // With auto-resize on, recording cannot fail; zero is clamped to 1.
        let _ = self.histogram.record(ns.max(1));
    }

    pub fn count(&self) -> u64 {
        self.histogram.len()
    }

    pub fn summary(&self) -> LatencySummary {
        let h = &self.histogram;
        if h.is_empty() {
            return LatencySummary::default();
        }
        LatencySummary {
            count: h.len(),
            p50_ns: h.value_at_quantile(0.50),
            p99_ns: h.value_at_quantile(0.99),
            p99_9_ns: h.value_at_quantile(0.999),
            max_ns: h.max(),
        }
    }

    pub fn merge(&mut self, other: &LatencyHistogram) {
        let _ = self.histogram.add(&other.histogram);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_reports_percentiles_of_recorded_values() {
        let mut h = LatencyHistogram::new();
        for v in 1..=1000 {
            h.record_ns(v);
        }
        let s = h.summary();
        assert_eq!(s.count, 1000);
        assert_eq!(s.p50_ns, 500);
        assert_eq!(s.p99_ns, 990);
        assert_eq!(s.max_ns, 1000);
    }

    #[test]
    fn empty_histogram_summarises_to_zeroes() {
        assert_eq!(LatencyHistogram::new().summary(), LatencySummary::default());
    }
}
