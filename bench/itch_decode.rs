//! ITCH decode and book building against `itchy`, on the same 1,000,000
//! generated messages (1,000 symbols, TotalView-like mix, every reference
//! live), in the flat-file framing itchy reads.
//!
//! `cargo bench --bench itch_decode`

use breakwater::market::market_data::{MarketData, MarketDataConfig};
use breakwater::scenario::market_generator::{
    flat_messages, for_each_run, GeneratorConfig, MarketGenerator,
};
use breakwater::wire::itch::{FieldValue, ItchMessage};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::hint::black_box;

const MESSAGES: u64 = 1_000_000;

fn stream() -> Vec<u8> {
    let mut g = MarketGenerator::new(GeneratorConfig {
        symbols: 1_000,
        seed: 3,
        target_live_orders: 100_000,
        include_all_types: false,
    });
    let mut buf = Vec::new();
    g.write_flat(MESSAGES, &mut buf);
    buf
}

/// Our decode with every field read (what itchy's typed structs hold).
fn decode_all_fields(buf: &[u8]) -> u64 {
    let mut sum = 0u64;
    for bytes in flat_messages(buf) {
        let m = ItchMessage::parse(bytes).expect("valid");
        m.visit_fields(|_, v| {
            sum = sum.wrapping_add(match v {
                FieldValue::Integer(n) | FieldValue::Price8(n) => n,
                FieldValue::Price4(p) => u64::from(p),
                FieldValue::Char(c) => u64::from(c),
                FieldValue::Alpha(s) => s.len() as u64,
            })
        });
    }
    sum
}

fn benches(c: &mut Criterion) {
    let buf = stream();
    let mut g = c.benchmark_group("itch_1m_messages");
    g.throughput(Throughput::Elements(MESSAGES));
    g.sample_size(20);
    g.bench_function("itchy_decode", |b| {
        b.iter(|| {
            let mut n = 0u64;
            for m in itchy::MessageStream::from_reader(&buf[..]) {
                black_box(&m);
                n += 1;
            }
            n
        })
    });
    g.bench_function("breakwater_decode_view", |b| {
        b.iter(|| {
            let mut sum = 0u64;
            for bytes in flat_messages(&buf) {
                let m = ItchMessage::parse(bytes).expect("valid");
                sum = sum.wrapping_add(
                    u64::from(m.message_type()) + u64::from(m.stock_locate()) + m.timestamp_ns(),
                );
            }
            black_box(sum)
        })
    });
    g.bench_function("breakwater_decode_all_fields", |b| {
        b.iter(|| black_box(decode_all_fields(&buf)))
    });
    g.bench_function("breakwater_decode_and_books", |b| {
        b.iter_batched(
            || {
                MarketData::new(MarketDataConfig {
                    default_tier: 2,
                    book_sizing: Default::default(),
                    ..Default::default()
                })
            },
            |mut market| {
                // In runs of 32, as a feed handler takes a packet's
                // messages: each run is prefetched, then applied.
                let unparsed = for_each_run(&buf, 32, |run| {
                    market.on_messages(0, run, |_, _, update| {
                        black_box(update);
                    })
                });
                assert_eq!(unparsed, 0, "every generated message parses");
                market
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(itch, benches);
criterion_main!(itch);
