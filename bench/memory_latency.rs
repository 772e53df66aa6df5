//! How long one load takes on this machine as the data it touches grows:
//! a pointer chase (each load's address comes from the load before, so
//! nothing overlaps) through one random cycle of 64-byte lines, for working
//! sets from 256 KiB to 64 MiB.
//!
//! It explains the feed benchmark: the books' hot loads (an order's slot,
//! its price level) are dependent loads of this kind, and which row of this
//! table they fall in depends on how many symbols and live orders the
//! books hold (see BENCHMARKS.md, issue 3).
//!
//! `cargo bench --bench memory_latency -- [--rounds R]`

use std::hint::black_box;
use std::time::Instant;

/// One cache line; the chase reads `next` only.
#[derive(Clone, Copy)]
#[repr(align(64))]
struct Line {
    next: u32,
}

/// A single random cycle through `n` lines (Sattolo's algorithm), so the
/// chase visits every line before it repeats.
fn cycle(n: usize, seed: u64) -> Vec<Line> {
    let mut order: Vec<u32> = (0..n as u32).collect();
    let mut x = seed | 1;
    for i in (1..n).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        order.swap(i, (x % i as u64) as usize);
    }
    let mut lines = vec![Line { next: 0 }; n];
    for i in 0..n {
        lines[order[i] as usize].next = order[(i + 1) % n];
    }
    lines
}

/// Nanoseconds per dependent load over a working set of `bytes`.
fn chase_ns(bytes: usize, loads: u64) -> f64 {
    let lines = cycle(bytes / 64, bytes as u64);
    // One pass to fault the pages in and warm what fits.
    let mut k = 0u32;
    for _ in 0..lines.len() {
        k = lines[k as usize].next;
    }
    let started = Instant::now();
    for _ in 0..loads {
        k = lines[k as usize].next;
    }
    black_box(k);
    started.elapsed().as_nanos() as f64 / loads as f64
}

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    // `cargo test` runs bench targets without `--bench`: a quick smoke run.
    let smoke = !argv.iter().any(|a| a == "--bench");
    let rounds = argv
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| argv.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(if smoke { 1 } else { 3 });
    let loads = if smoke { 100_000 } else { 5_000_000 };
    let sizes_kib = [256usize, 1024, 2048, 4096, 8192, 16384, 65536];
    println!("memory_latency: ns per dependent load, random 64-byte lines, {rounds} rounds");
    print!("{:>6}", "round");
    for kib in sizes_kib {
        print!(" {:>9}", format!("{} MiB", kib as f64 / 1024.0));
    }
    println!();
    for round in 0..rounds {
        print!("{round:>6}");
        for kib in sizes_kib {
            print!(" {:>9.1}", chase_ns(kib * 1024, loads));
        }
        println!();
    }
}
