//! Shared helpers for integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared/external-test-data` beside the repository, or `None` (and a
/// clear skip message) when this checkout does not have it.
pub fn external_test_data(test: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/external-test-data");
    if dir.join("expected/itch50-counts.tsv").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "SKIP {test}: {} is absent (real Nasdaq captures live outside the repository)",
            dir.display()
        );
        None
    }
}

/// A minimal runner for `harness = false` tests (DPDK's EAL initialises once
/// per process, so these tests share one process and run in sequence).
pub fn run_tests(tests: &[(&str, fn())]) {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let mut failed = Vec::new();
    let mut ran = 0;
    for (name, test) in tests {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        ran += 1;
        let ok = std::panic::catch_unwind(test).is_ok();
        println!("test {name} ... {}", if ok { "ok" } else { "FAILED" });
        if !ok {
            failed.push(*name);
        }
    }
    println!(
        "\ntest result: {}. {} passed; {} failed",
        if failed.is_empty() { "ok" } else { "FAILED" },
        ran - failed.len(),
        failed.len()
    );
    if !failed.is_empty() {
        std::process::exit(1);
    }
}

/// One row of expected/itch50-counts.tsv: relative path, MoldUDP64 packets,
/// message counts by type.
pub type ExpectedCounts = (String, u64, Vec<(char, u64)>);

pub fn expected_counts(dir: &std::path::Path) -> Vec<ExpectedCounts> {
    let text =
        std::fs::read_to_string(dir.join("expected/itch50-counts.tsv")).expect("counts file");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let counts = cols[2]
                .split(',')
                .map(|kv| {
                    let (t, n) = kv.split_once('=').expect("type=count");
                    (
                        t.chars().next().expect("type char"),
                        n.parse().expect("count"),
                    )
                })
                .collect();
            (
                cols[0].to_string(),
                cols[1].parse().expect("packets"),
                counts,
            )
        })
        .collect()
}
pub mod quickfix_peer;
