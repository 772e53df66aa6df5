//! Measuring the appliance: the TSC clock and latency histograms.

pub mod latency_histogram;
pub mod tsc;
