//! FIX on the order path: encoding a NewOrderSingle and parsing an
//! ExecutionReport (goal: under 100 ns each), alone and through the
//! session layer (sequence store, send buffer, order state machine).
//!
//! `cargo bench --bench fix_codec` (criterion), and
//! `cargo bench --bench fix_codec -- batches` (fastest and median of many
//! short batches, less moved by this VM's slow phases).

use breakwater::gateway::child_orders::ChildOrders;
use breakwater::gateway::fix_encoder::FixEncoder;
use breakwater::gateway::fix_session::SessionConfig;
use breakwater::gateway::order_messages::{
    new_order_single, parse_execution_report, OrderFields, Side,
};
use breakwater::gateway::venue_session::VenueSession;
use breakwater::wire::fix::{parse_frame_into, FixFields};
use criterion::{criterion_group, Criterion};
use std::hint::black_box;

/// A FIX.4.4 frame around `body`, with its BodyLength and CheckSum.
fn frame(body: &str) -> Vec<u8> {
    let mut m = format!("8=FIX.4.4\u{1}9={}\u{1}{body}", body.len()).into_bytes();
    let sum = m.iter().fold(0u32, |s, &b| s + u32::from(b)) % 256;
    m.extend_from_slice(format!("10={sum:03}\u{1}").as_bytes());
    m
}

/// An ExecutionReport as QuickFIX's executor sends it (a full fill).
fn execution_report(cl_ord_id: &str, seq: u64) -> Vec<u8> {
    frame(&format!(
        "35=8\u{1}34={seq}\u{1}49=EXECUTOR\u{1}52=20261121-10:03:14.664\u{1}56=BW\u{1}6=190.25\u{1}11={cl_ord_id}\u{1}14=100\u{1}17=1\u{1}31=190.25\u{1}32=100\u{1}37=1\u{1}38=100\u{1}39=2\u{1}54=1\u{1}55=AAPL\u{1}150=F\u{1}151=0\u{1}"
    ))
}

/// A session to the executor, its sequence numbers stored under `dir`.
fn executor_session(dir: &std::path::Path, reset_on_logon: bool) -> VenueSession {
    let config = SessionConfig {
        begin_string: "FIX.4.4".into(),
        sender: "BW".into(),
        target: "EXECUTOR".into(),
        heartbeat_s: 30,
        store_dir: dir.to_path_buf(),
        reset_on_logon,
    };
    VenueSession::new(0, "executor", config, false).unwrap()
}

/// The order both modes encode.
fn bench_order() -> OrderFields<'static> {
    OrderFields {
        cl_ord_id: b"BWt4k2x1-1234567",
        symbol: b"AAPL",
        side: Side::Buy,
        qty: 100,
        price: 1_902_500,
    }
}

fn bench(c: &mut Criterion) {
    let now_ns = 1_763_719_394_664_000_000u64;
    let order = bench_order();
    let mut e = FixEncoder::new("FIX.4.4", "BW", "EXECUTOR");
    c.bench_function("fix/encode NewOrderSingle", |b| {
        let mut seq = 1u64;
        b.iter(|| {
            seq += 1;
            e.begin(b"D", seq, now_ns);
            new_order_single(&mut e, black_box(&order));
            black_box(e.finish().len())
        })
    });

    let er = execution_report("BWt4k2x1-1234567", 42);
    let mut index = FixFields::new();
    c.bench_function("fix/parse ExecutionReport", |b| {
        b.iter(|| {
            let (m, _) = parse_frame_into(black_box(&er), &mut index).expect("valid");
            let r = parse_execution_report(&m).expect("complete");
            black_box((r.cum_qty, r.ord_status, r.last_px))
        })
    });

    // The same parse over reports whose layouts change from one to the
    // next (an acknowledgement, a partial fill, a cancel with its
    // OrigClOrdID, a reject with Text, a fill): the parser's tag guesses
    // (`wire/fix_tag_guess.rs`) miss wherever a field differs from the
    // report before, so this is its slower case.
    let mixed: Vec<Vec<u8>> = [
        "35=8\u{1}34=7\u{1}49=EXECUTOR\u{1}52=20261121-10:03:14.664\u{1}56=BW\u{1}6=0\u{1}11=BWt4k2x1-1234567\u{1}14=0\u{1}17=1\u{1}37=1\u{1}38=100\u{1}39=0\u{1}54=1\u{1}55=AAPL\u{1}150=0\u{1}151=100\u{1}",
        "35=8\u{1}34=8\u{1}49=EXECUTOR\u{1}52=20261121-10:03:14.664\u{1}56=BW\u{1}6=190.25\u{1}11=BWt4k2x1-1234567\u{1}14=40\u{1}17=2\u{1}31=190.25\u{1}32=40\u{1}37=1\u{1}38=100\u{1}39=1\u{1}54=1\u{1}55=AAPL\u{1}150=F\u{1}151=60\u{1}",
        "35=8\u{1}34=9\u{1}49=EXECUTOR\u{1}52=20261121-10:03:14.664\u{1}56=BW\u{1}6=190.25\u{1}11=BWt4k2x1-1234568\u{1}14=40\u{1}17=3\u{1}37=1\u{1}38=100\u{1}39=4\u{1}41=BWt4k2x1-1234567\u{1}54=1\u{1}55=AAPL\u{1}150=4\u{1}151=0\u{1}",
        "35=8\u{1}34=10\u{1}49=EXECUTOR\u{1}52=20261121-10:03:14.664\u{1}56=BW\u{1}6=0\u{1}11=BWt4k2x1-1234569\u{1}14=0\u{1}17=4\u{1}37=NONE\u{1}38=100\u{1}39=8\u{1}54=2\u{1}55=AAPL\u{1}58=price outside the collar\u{1}150=8\u{1}151=0\u{1}",
        "35=8\u{1}34=11\u{1}49=EXECUTOR\u{1}52=20261121-10:03:14.664\u{1}56=BW\u{1}6=190.25\u{1}11=BWt4k2x1-1234567\u{1}14=100\u{1}17=5\u{1}31=190.25\u{1}32=100\u{1}37=1\u{1}38=100\u{1}39=2\u{1}54=1\u{1}55=AAPL\u{1}150=F\u{1}151=0\u{1}",
    ]
    .iter()
    .map(|body| frame(body))
    .collect();
    let mut index = FixFields::new();
    c.bench_function("fix/parse ExecutionReport, layouts changing", |b| {
        let mut next = 0;
        b.iter(|| {
            next = (next + 1) % mixed.len();
            let (m, _) = parse_frame_into(black_box(&mixed[next]), &mut index).expect("valid");
            let r = parse_execution_report(&m).expect("complete");
            black_box((r.cum_qty, r.ord_status, r.last_px))
        })
    });

    // Through the session: a sequence number from the mapped store, the
    // frame into the send buffer, the order recorded.
    let dir = tempfile::tempdir().unwrap();
    let mut venue = executor_session(dir.path(), false);
    let mut orders = ChildOrders::new("BWt4k2x1-");
    let mut events = Vec::new();
    venue.on_connected(now_ns);
    let logon = frame("35=A\u{1}34=1\u{1}49=EXECUTOR\u{1}52=20261121-10:03:14.664\u{1}56=BW\u{1}98=0\u{1}108=30\u{1}");
    venue.on_bytes(&logon, now_ns, 0, &mut orders, &mut events);
    assert!(venue.session.is_active());
    // Batches of 10,000 orders: between batches (untimed) the send buffer
    // is handed off and the order table starts over, as a day's orders
    // would be retired; the timed part is the steady state.
    c.bench_function("fix/session send NewOrderSingle", |b| {
        b.iter_custom(|iters| {
            let mut total = std::time::Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let n = left.min(10_000);
                let pending = venue.session.pending_tx().len();
                venue.session.consumed_tx(pending);
                orders = ChildOrders::new("BWt4k2x1-");
                let start = std::time::Instant::now();
                for _ in 0..n {
                    black_box(
                        venue
                            .send_new(&mut orders, "AAPL", Side::Buy, 100, 1_902_500, now_ns)
                            .unwrap(),
                    );
                }
                total += start.elapsed();
                left -= n;
            }
            total
        })
    });

    // Inbound: a fill for a live order, through the session (checksum,
    // sequence, dispatch) and the order state machine. Sequence numbers
    // restart at every logon (ResetSeqNumFlag), so a batch of reports is
    // replayed after an untimed re-logon.
    let dir = tempfile::tempdir().unwrap();
    let mut venue = executor_session(dir.path(), true);
    let mut orders = ChildOrders::new("BWt4k2x1-");
    venue.on_connected(now_ns);
    venue.on_bytes(&logon, now_ns, 0, &mut orders, &mut events);
    let id = venue
        .send_new(&mut orders, "AAPL", Side::Buy, 100, 1_902_500, now_ns)
        .unwrap();
    let cl = format!("BWt4k2x1-{id}");
    const BATCH: u64 = 100_000;
    let reports: Vec<Vec<u8>> = (2..2 + BATCH)
        .map(|seq| execution_report(&cl, seq))
        .collect();
    c.bench_function("fix/session receive ExecutionReport", |b| {
        b.iter_custom(|iters| {
            let mut total = std::time::Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                venue.session.on_disconnected();
                venue.on_connected(now_ns);
                venue.on_bytes(&logon, now_ns, 0, &mut orders, &mut events);
                events.clear();
                let n = left.min(BATCH) as usize;
                let start = std::time::Instant::now();
                for r in &reports[..n] {
                    venue.on_bytes(r, now_ns, 0, &mut orders, &mut events);
                    events.clear();
                }
                total += start.elapsed();
                left -= n as u64;
            }
            total
        })
    });
}

/// The smallest and the median of `samples`.
fn min_and_median(mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    (samples[0], samples[samples.len() / 2])
}

/// `cargo bench --bench fix_codec -- batches`: encode and parse timed in
/// alternating batches of 2,000, 300 of each, reporting per message the
/// fastest batch and the median one. This VM's speed moves by 1.5x between
/// phases (other tenants' load), which shifts criterion's means; the
/// fastest batch is the cost when nothing else interferes.
fn batch_minimums() {
    const BATCH: u32 = 2_000;
    const BATCHES: usize = 300;
    let now_ns = 1_763_719_394_664_000_000u64;
    let order = bench_order();
    let mut e = FixEncoder::new("FIX.4.4", "BW", "EXECUTOR");
    let er = execution_report("BWt4k2x1-1234567", 42);
    let mut index = FixFields::new();
    let (mut encode_ns, mut parse_ns) = (Vec::new(), Vec::new());
    let mut seq = 1u64;
    for _ in 0..BATCHES {
        let start = std::time::Instant::now();
        for _ in 0..BATCH {
            seq += 1;
            e.begin(b"D", seq, now_ns);
            new_order_single(&mut e, black_box(&order));
            black_box(e.finish().len());
        }
        encode_ns.push(start.elapsed().as_nanos() as f64 / f64::from(BATCH));
        let start = std::time::Instant::now();
        for _ in 0..BATCH {
            let (m, _) = parse_frame_into(black_box(&er), &mut index).expect("valid");
            let r = parse_execution_report(&m).expect("complete");
            black_box((r.cum_qty, r.ord_status, r.last_px));
        }
        parse_ns.push(start.elapsed().as_nanos() as f64 / f64::from(BATCH));
    }
    let (encode_min, encode_median) = min_and_median(encode_ns);
    let (parse_min, parse_median) = min_and_median(parse_ns);
    println!("batches of {BATCH}, {BATCHES} each, ns per message: fastest batch / median batch");
    println!("fix/encode NewOrderSingle        {encode_min:6.1} / {encode_median:6.1}");
    println!("fix/parse ExecutionReport        {parse_min:6.1} / {parse_median:6.1}");
}

criterion_group!(benches, bench);

fn main() {
    if std::env::args().skip(1).any(|a| a == "batches") {
        batch_minimums();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
