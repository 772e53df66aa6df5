//! Our shared-memory ring against `rtrb` and crossbeam's `ArrayQueue`,
//! beside the floor: two threads bouncing one padded atomic (the cost of
//! moving a cache line between the cores and back).
//!
//! The machine is noisy, so every measurement runs in interleaved rounds
//! (floor, ours, rtrb, crossbeam, repeat) and the median of the per-round
//! ratios is reported.
//!
//! - Latency: a ping-pong between two pinned threads, timed with the TSC
//!   into an hdrhistogram; one-way = round trip / 2. This VM's TSC moves in
//!   steps of about 10 ns (24-25 ticks at 2.445 GHz), so a single round
//!   trip's one-way time comes in 5 ns steps, 10% of the values measured.
//!   Each round therefore measures twice: single round trips (p50, p99,
//!   p99.9), and batches of [`BATCH_ROUND_TRIPS`] back-to-back round trips
//!   timed together (p50 of the batches' one-way mean, to 0.6 ns).
//! - Throughput: one pinned producer streams N messages of 8 and of 64
//!   bytes to one pinned consumer; messages per second. Twice: one
//!   message at a time (ours `write_message` publishing every 32 and
//!   `read_message` releasing per drain, against rtrb's `push`/`pop`), and
//!   batched (ours `send_batch` of 32, one record, and `recv_batch` of up to 256,
//!   against rtrb's `write_chunk_uninit`/`read_chunk` of the same sizes).
//! - Path cost: one thread writes 1,000 8-byte messages, then reads them
//!   back, repeatedly: the instructions of a write and a read with no cache
//!   line crossing cores (ns per message, both sides together).
//!
//! `cargo bench --bench ring_ipc -- [--rounds 7] [--pings 200000] [--messages 20000000]`

use breakwater::ipc::ring_messages::RingMessage;
use breakwater::ipc::spsc_ring::Ring;
use breakwater::telemetry::tsc::{rdtsc, TscClock};
use crossbeam_queue::ArrayQueue;
use hdrhistogram::Histogram;
use std::hint::spin_loop;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// The benchmark's messages: plain bytes, sent as typed ring messages.
#[repr(transparent)]
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Bytes<const N: usize>([u8; N]);

impl<const N: usize> RingMessage for Bytes<N> {
    const KIND: u16 = 1;
}
const CAPACITY_BYTES: usize = 1 << 16;
/// Slots for the peers: as many 64-byte records as our ring holds.
const SLOTS: usize = CAPACITY_BYTES / 72;

/// The parts of the bench, each runnable alone with `--only`.
const PARTS: [&str; 3] = ["latency", "throughput", "path"];

struct Args {
    /// `--only latency|throughput|path`: one part of the bench.
    only: Option<String>,
    rounds: usize,
    pings: u64,
    messages: u64,
}

fn args() -> Args {
    let argv: Vec<String> = std::env::args().collect();
    let text = |name: &str| {
        argv.iter()
            .position(|a| a == name)
            .and_then(|i| argv.get(i + 1))
    };
    let value = |name: &str| text(name).and_then(|v| v.parse::<u64>().ok());
    let smoke = !argv.iter().any(|a| a == "--bench");
    let only = text("--only").cloned();
    if let Some(part) = only.as_deref().filter(|p| !PARTS.contains(p)) {
        eprintln!("ring_ipc: --only {part}: expected one of {PARTS:?}");
        std::process::exit(2);
    }
    Args {
        only,
        rounds: value("--rounds").map_or(if smoke { 1 } else { 7 }, |v| v as usize),
        pings: value("--pings").unwrap_or(if smoke { 2_000 } else { 200_000 }),
        messages: value("--messages").unwrap_or(if smoke { 100_000 } else { 20_000_000 }),
    }
}

/// The two cores to pin to, read once: `get_core_ids` lists only the cores
/// of the calling thread's current affinity mask, which pinning narrows.
fn cores() -> (core_affinity::CoreId, core_affinity::CoreId) {
    static CORES: std::sync::OnceLock<(core_affinity::CoreId, core_affinity::CoreId)> =
        std::sync::OnceLock::new();
    *CORES.get_or_init(|| {
        let ids = core_affinity::get_core_ids().expect("core ids");
        assert!(ids.len() >= 2, "the ring benchmark needs two cores");
        (ids[0], *ids.last().expect("a core"))
    })
}

/// Runs `a` on one core and `b` on the other, started together.
fn pair<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send + 'static,
    B: FnOnce() -> RB + Send + 'static,
    RA: Send + 'static,
    RB: Send + 'static,
{
    let (ca, cb) = cores();
    let barrier = Arc::new(Barrier::new(2));
    let bb = Arc::clone(&barrier);
    let tb = std::thread::spawn(move || {
        core_affinity::set_for_current(cb);
        bb.wait();
        b()
    });
    core_affinity::set_for_current(ca);
    barrier.wait();
    let ra = a();
    (ra, tb.join().expect("peer thread"))
}

#[repr(align(128))]
struct Padded(AtomicU64);

/// Round trips timed together in the batched latency measure.
const BATCH_ROUND_TRIPS: u64 = 8;

/// One-way latency in tenths of a nanosecond.
fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 1_000_000_000, 3).expect("bounds")
}

/// One-way latency histogram from `pings` round trips (after 1,000 for
/// warm-up), timed `batch` round trips at a time.
fn record_round_trips(
    pings: u64,
    batch: u64,
    clock: TscClock,
    mut round_trip: impl FnMut(u64),
) -> Histogram<u64> {
    let mut h = histogram();
    let mut i = 0;
    while i < pings + 1_000 {
        let t0 = rdtsc();
        for k in i..i + batch {
            round_trip(k);
        }
        let t1 = rdtsc();
        if i >= 1_000 {
            let _ = h.record((clock.ticks_to_ns(10 * (t1 - t0)) / (2 * batch)).max(1));
        }
        i += batch;
    }
    h
}

fn latency_floor(pings: u64, batch: u64, clock: TscClock) -> Histogram<u64> {
    let ping = Arc::new(Padded(AtomicU64::new(0)));
    let pong = Arc::new(Padded(AtomicU64::new(0)));
    let (p1, q1) = (Arc::clone(&ping), Arc::clone(&pong));
    let total = (pings + 1_000).div_ceil(batch) * batch;
    pair(
        move || {
            record_round_trips(pings, batch, clock, |i| {
                ping.0.store(i + 1, Ordering::Release);
                while pong.0.load(Ordering::Acquire) != i + 1 {
                    spin_loop();
                }
            })
        },
        move || {
            for i in 0..total {
                while p1.0.load(Ordering::Acquire) != i + 1 {
                    spin_loop();
                }
                q1.0.store(i + 1, Ordering::Release);
            }
        },
    )
    .0
}

fn latency_ours(pings: u64, batch: u64, clock: TscClock) -> Histogram<u64> {
    let (to_b, to_a) = (
        Ring::in_memory("ping", CAPACITY_BYTES),
        Ring::in_memory("pong", CAPACITY_BYTES),
    );
    let (mut ap, mut bc) = (to_b.clone().producer_unclaimed(), to_b.consumer_unclaimed());
    let (mut bp, mut ac) = (to_a.clone().producer_unclaimed(), to_a.consumer_unclaimed());
    let total = (pings + 1_000).div_ceil(batch) * batch;
    pair(
        move || {
            record_round_trips(pings, batch, clock, |i| {
                while ap.send(&Bytes(i.to_le_bytes())).is_err() {
                    spin_loop();
                }
                while ac.recv::<Bytes<8>>().expect("ring").is_none() {
                    spin_loop();
                }
            })
        },
        move || {
            for _ in 0..total {
                let m = loop {
                    if let Some(m) = bc.recv::<Bytes<8>>().expect("ring") {
                        break m;
                    }
                    spin_loop();
                };
                while bp.send(&m).is_err() {
                    spin_loop();
                }
            }
        },
    )
    .0
}

fn latency_rtrb(pings: u64, batch: u64, clock: TscClock) -> Histogram<u64> {
    let (mut ap, mut bc) = rtrb::RingBuffer::<u64>::new(SLOTS);
    let (mut bp, mut ac) = rtrb::RingBuffer::<u64>::new(SLOTS);
    let total = (pings + 1_000).div_ceil(batch) * batch;
    pair(
        move || {
            record_round_trips(pings, batch, clock, |i| {
                while ap.push(i).is_err() {
                    spin_loop();
                }
                while ac.pop().is_err() {
                    spin_loop();
                }
            })
        },
        move || {
            for _ in 0..total {
                let v = loop {
                    if let Ok(v) = bc.pop() {
                        break v;
                    }
                    spin_loop();
                };
                while bp.push(v).is_err() {
                    spin_loop();
                }
            }
        },
    )
    .0
}

fn latency_crossbeam(pings: u64, batch: u64, clock: TscClock) -> Histogram<u64> {
    let to_b = Arc::new(ArrayQueue::<u64>::new(SLOTS));
    let to_a = Arc::new(ArrayQueue::<u64>::new(SLOTS));
    let (b_in, b_out) = (Arc::clone(&to_b), Arc::clone(&to_a));
    let total = (pings + 1_000).div_ceil(batch) * batch;
    pair(
        move || {
            record_round_trips(pings, batch, clock, |i| {
                while to_b.push(i).is_err() {
                    spin_loop();
                }
                while to_a.pop().is_none() {
                    spin_loop();
                }
            })
        },
        move || {
            for _ in 0..total {
                let v = loop {
                    if let Some(v) = b_in.pop() {
                        break v;
                    }
                    spin_loop();
                };
                while b_out.push(v).is_err() {
                    spin_loop();
                }
            }
        },
    )
    .0
}

/// Messages per second for one producer → one consumer stream.
fn rate(messages: u64, elapsed: Duration) -> f64 {
    messages as f64 / elapsed.as_secs_f64()
}

fn throughput_ours<const N: usize>(messages: u64) -> f64 {
    let ring = Ring::in_memory("tp", CAPACITY_BYTES);
    let (mut p, mut c) = (ring.clone().producer_unclaimed(), ring.consumer_unclaimed());
    let (elapsed, ()) = pair(
        move || {
            let mut payload = Bytes([0u8; N]);
            let start = Instant::now();
            // Publish in batches of 32: one release store per batch.
            let mut unpublished = 0;
            for i in 0..messages {
                payload.0[..8].copy_from_slice(&i.to_le_bytes());
                while p.write_message(&payload).is_err() {
                    p.publish();
                    unpublished = 0;
                    spin_loop();
                }
                unpublished += 1;
                if unpublished == 32 {
                    p.publish();
                    unpublished = 0;
                }
            }
            p.publish();
            start.elapsed()
        },
        move || {
            let mut seen = 0u64;
            while seen < messages {
                // Release consumed space once per drained batch.
                let mut n = 0;
                while n < 256 {
                    match c.read_message::<Bytes<N>>().expect("ring") {
                        Some(m) => {
                            std::hint::black_box(m);
                            n += 1;
                        }
                        None => break,
                    }
                }
                c.release();
                if n == 0 {
                    spin_loop();
                }
                seen += n;
            }
        },
    );
    rate(messages, elapsed)
}

fn throughput_rtrb<const N: usize>(messages: u64) -> f64 {
    let (mut p, mut c) = rtrb::RingBuffer::<[u8; N]>::new(SLOTS);
    let (elapsed, ()) = pair(
        move || {
            let mut payload = [0u8; N];
            let start = Instant::now();
            for i in 0..messages {
                payload[..8].copy_from_slice(&i.to_le_bytes());
                while p.push(payload).is_err() {
                    spin_loop();
                }
            }
            start.elapsed()
        },
        move || {
            let mut seen = 0u64;
            while seen < messages {
                match c.pop() {
                    Ok(v) => {
                        std::hint::black_box(v);
                        seen += 1;
                    }
                    Err(_) => spin_loop(),
                }
            }
        },
    );
    rate(messages, elapsed)
}

/// Messages per batch in the batched throughput runs: the producer sends
/// 32 at a time, the consumer takes up to 256 at a time.
const SEND_BATCH: usize = 32;
const RECV_BATCH: usize = 256;

/// Our ring through its batched API: `send_batch` of 32 messages (one
/// record with one header, one publish), `recv_batch` of up to 256 (one
/// release).
fn throughput_ours_batched<const N: usize>(messages: u64) -> f64 {
    let ring = Ring::in_memory("tp", CAPACITY_BYTES);
    let (mut p, mut c) = (ring.clone().producer_unclaimed(), ring.consumer_unclaimed());
    let (elapsed, ()) = pair(
        move || {
            let mut batch = [Bytes([0u8; N]); SEND_BATCH];
            let start = Instant::now();
            let mut sent = 0u64;
            while sent < messages {
                let n = (messages - sent).min(SEND_BATCH as u64) as usize;
                for (i, m) in batch[..n].iter_mut().enumerate() {
                    m.0[..8].copy_from_slice(&(sent + i as u64).to_le_bytes());
                }
                let mut done = 0;
                while done < n {
                    let k = p.send_batch(&batch[done..n]).expect("ring");
                    if k == 0 {
                        spin_loop();
                    }
                    done += k;
                }
                sent += n as u64;
            }
            start.elapsed()
        },
        move || {
            let mut seen = 0u64;
            while seen < messages {
                let n = c
                    .recv_batch::<Bytes<N>>(RECV_BATCH, |m| {
                        std::hint::black_box(m);
                    })
                    .expect("ring");
                if n == 0 {
                    spin_loop();
                }
                seen += n as u64;
            }
        },
    );
    rate(messages, elapsed)
}

/// rtrb through its chunk API, the same batch sizes: `write_chunk_uninit`
/// of up to 32 filled from the batch, `read_chunk` of up to 256.
fn throughput_rtrb_chunks<const N: usize>(messages: u64) -> f64 {
    let (mut p, mut c) = rtrb::RingBuffer::<[u8; N]>::new(SLOTS);
    let (elapsed, ()) = pair(
        move || {
            let mut batch = [[0u8; N]; SEND_BATCH];
            let start = Instant::now();
            let mut sent = 0u64;
            while sent < messages {
                let n = (messages - sent).min(SEND_BATCH as u64) as usize;
                for (i, m) in batch[..n].iter_mut().enumerate() {
                    m[..8].copy_from_slice(&(sent + i as u64).to_le_bytes());
                }
                let mut done = 0;
                while done < n {
                    let k = p.slots().min(n - done);
                    if k == 0 {
                        spin_loop();
                        continue;
                    }
                    let chunk = p.write_chunk_uninit(k).expect("slots checked");
                    done += chunk.fill_from_iter(batch[done..n].iter().copied());
                }
                sent += n as u64;
            }
            start.elapsed()
        },
        move || {
            let mut seen = 0u64;
            while seen < messages {
                let n = c.slots().min(RECV_BATCH);
                if n == 0 {
                    spin_loop();
                    continue;
                }
                let chunk = c.read_chunk(n).expect("slots checked");
                let (a, b) = chunk.as_slices();
                for m in a.iter().chain(b) {
                    std::hint::black_box(*m);
                }
                chunk.commit_all();
                seen += n as u64;
            }
        },
    );
    rate(messages, elapsed)
}

fn throughput_crossbeam<const N: usize>(messages: u64) -> f64 {
    let q = Arc::new(ArrayQueue::<[u8; N]>::new(SLOTS));
    let qc = Arc::clone(&q);
    let (elapsed, ()) = pair(
        move || {
            let mut payload = [0u8; N];
            let start = Instant::now();
            for i in 0..messages {
                payload[..8].copy_from_slice(&i.to_le_bytes());
                while q.push(payload).is_err() {
                    spin_loop();
                }
            }
            start.elapsed()
        },
        move || {
            let mut seen = 0u64;
            while seen < messages {
                match qc.pop() {
                    Some(v) => {
                        std::hint::black_box(v);
                        seen += 1;
                    }
                    None => spin_loop(),
                }
            }
        },
    );
    rate(messages, elapsed)
}

/// Nanoseconds per message for one thread writing `BATCH` 8-byte messages
/// and reading them back, `messages` in all.
fn path_cost_ours(messages: u64) -> f64 {
    const BATCH: u64 = 1_000;
    let ring = Ring::in_memory("path", CAPACITY_BYTES);
    let (mut p, mut c) = (ring.clone().producer_unclaimed(), ring.consumer_unclaimed());
    let start = Instant::now();
    for round in 0..messages / BATCH {
        for i in 0..BATCH {
            p.write_message(&Bytes((round ^ i).to_le_bytes()))
                .expect("room for a batch");
        }
        p.publish();
        while let Some(m) = c.read_message::<Bytes<8>>().expect("ring") {
            std::hint::black_box(m);
        }
        c.release();
    }
    start.elapsed().as_nanos() as f64 / (messages / BATCH * BATCH) as f64
}

fn path_cost_rtrb(messages: u64) -> f64 {
    const BATCH: u64 = 1_000;
    let (mut p, mut c) = rtrb::RingBuffer::<[u8; 8]>::new(BATCH as usize);
    let start = Instant::now();
    for round in 0..messages / BATCH {
        for i in 0..BATCH {
            p.push((round ^ i).to_le_bytes()).expect("room for a batch");
        }
        while let Ok(m) = c.pop() {
            std::hint::black_box(m);
        }
    }
    start.elapsed().as_nanos() as f64 / (messages / BATCH * BATCH) as f64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// The median one-way latency, ns.
fn p50(h: &Histogram<u64>) -> f64 {
    ns(h, 0.5)
}

/// A quantile of a one-way latency histogram, ns.
fn ns(h: &Histogram<u64>, quantile: f64) -> f64 {
    h.value_at_quantile(quantile) as f64 / 10.0
}

fn main() {
    let a = args();
    let clock = TscClock::calibrate(Duration::from_millis(100));
    println!(
        "ring_ipc: {} rounds; latency over {} round trips, throughput over {} messages; cores {:?}",
        a.rounds,
        a.pings,
        a.messages,
        cores()
    );

    let run = |part: &str| a.only.as_deref().is_none_or(|o| o == part);
    if run("latency") {
        latency(&a, clock);
    }
    if run("throughput") {
        throughput(&a);
    }
    if run("path") {
        path_cost(&a);
    }
}

fn latency(a: &Args, clock: TscClock) {
    println!(
        "\none-way latency, ns: single round trips (p50 / p99 / p99.9), then the p50 of batches of {BATCH_ROUND_TRIPS}"
    );
    let mut ratios: [Vec<f64>; 6] = Default::default();
    for round in 0..a.rounds {
        let single = [
            latency_floor(a.pings, 1, clock),
            latency_ours(a.pings, 1, clock),
            latency_rtrb(a.pings, 1, clock),
            latency_crossbeam(a.pings, 1, clock),
        ];
        let batched = [
            latency_floor(a.pings, BATCH_ROUND_TRIPS, clock),
            latency_ours(a.pings, BATCH_ROUND_TRIPS, clock),
            latency_rtrb(a.pings, BATCH_ROUND_TRIPS, clock),
            latency_crossbeam(a.pings, BATCH_ROUND_TRIPS, clock),
        ];
        let show = |h: &Histogram<u64>| {
            format!(
                "{:>5.1} / {:>5.0} / {:>5.0}",
                p50(h),
                ns(h, 0.99),
                ns(h, 0.999)
            )
        };
        println!(
            "  round {round}: floor {}  ours {}  rtrb {}  crossbeam {}",
            show(&single[0]),
            show(&single[1]),
            show(&single[2]),
            show(&single[3])
        );
        println!(
            "    batched p50: floor {:.1}  ours {:.1}  rtrb {:.1}  crossbeam {:.1}",
            p50(&batched[0]),
            p50(&batched[1]),
            p50(&batched[2]),
            p50(&batched[3])
        );
        for (k, h) in single[1..].iter().chain(&batched[1..]).enumerate() {
            let floor = if k < 3 { &single[0] } else { &batched[0] };
            ratios[k].push(p50(h) / p50(floor));
        }
    }
    let [ours, rtrb, cb, ours_b, rtrb_b, cb_b] = ratios.map(median);
    println!(
        "  median p50 ratio to the floor, single round trips: ours {ours:.2}x (goal <= 1.1), rtrb {rtrb:.2}x, crossbeam {cb:.2}x"
    );
    println!(
        "  median p50 ratio to the floor, batches of {BATCH_ROUND_TRIPS}: ours {ours_b:.2}x (goal <= 1.1), rtrb {rtrb_b:.2}x, crossbeam {cb_b:.2}x"
    );
}

type Rate = fn(u64) -> f64;

fn throughput(a: &Args) {
    for (label, peers) in [
        (
            "8-byte",
            [
                throughput_ours::<8> as Rate,
                throughput_rtrb::<8>,
                throughput_ours_batched::<8>,
                throughput_rtrb_chunks::<8>,
                throughput_crossbeam::<8>,
            ],
        ),
        (
            "64-byte",
            [
                throughput_ours::<64>,
                throughput_rtrb::<64>,
                throughput_ours_batched::<64>,
                throughput_rtrb_chunks::<64>,
                throughput_crossbeam::<64>,
            ],
        ),
    ] {
        println!(
            "\nthroughput, {label} messages, M msg/s: one at a time (ours: publish per 32, release per drain), then batched (ours send_batch/recv_batch, rtrb chunks)"
        );
        let (mut r_one, mut r_batch, mut r_c) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..a.rounds {
            let [ours, rt, ours_b, rt_b, cb] = peers.map(|f| f(a.messages) / 1e6);
            println!(
                "  round {round}: ours {ours:>7.1}  rtrb {rt:>7.1}  | batched: ours {ours_b:>7.1}  rtrb {rt_b:>7.1}  | crossbeam {cb:>7.1}"
            );
            r_one.push(ours / rt);
            r_batch.push(ours_b / rt_b);
            r_c.push(ours / cb);
        }
        println!(
            "  median ratio: ours/rtrb {:.2}x one at a time, {:.2}x batched (goal >= 1); ours/crossbeam {:.2}x",
            median(r_one),
            median(r_batch),
            median(r_c)
        );
    }
}

fn path_cost(a: &Args) {
    println!("\npath cost, one thread, 8-byte messages, ns per message (write + read)");
    let mut r_path = Vec::new();
    for round in 0..a.rounds {
        let ours = path_cost_ours(a.messages);
        let rt = path_cost_rtrb(a.messages);
        println!("  round {round}: ours {ours:>5.2}  rtrb {rt:>5.2}");
        r_path.push(ours / rt);
    }
    println!("  median ratio: ours/rtrb {:.2}x", median(r_path));
}
