//! Whole-process feed throughput against `itchy`, side by side in one run.
//!
//! A generated capture of 20,000,000 ITCH messages (1,000 symbols, every
//! reference live) is written twice: as the flat ITCH file itchy reads, and
//! as the same messages in MoldUDP64 packets in a pcap. Then, in interleaved
//! rounds (itchy, ours, ours + books, full path, repeat), it measures:
//!
//! - `itchy`: itchy's MessageStream over the flat file (memory-mapped);
//! - `views`: our decoder over the same bytes, producing the zero-copy typed
//!   view of each message (type and length checked; fields read on demand,
//!   which is how the appliance uses it);
//! - `all fields`: the same, with every field of every message read through
//!   the views (the work itchy does to fill its structs);
//! - `venue books`: decode and apply to one venue's books only (order
//!   store and price ladders; no NBBO, LULD or trade statistics), to show
//!   how the next column's time divides;
//! - `decode+books`: decode and apply to the market (per-symbol books, NBBO,
//!   LULD, trade statistics);
//! - `full path`: the pcap through our frame decoder (Ethernet, VLAN, IPv4,
//!   UDP, MoldUDP64 sequencing, ITCH) and the market.
//!
//! The book columns take the flat file's messages in runs of 32 (as a feed
//! handler takes a packet's) and prefetch each run's order slots and levels
//! before applying it (`MarketData::on_messages`); the full path does the
//! same per packet through the decoder's `MessageSink`.
//!
//! It reports each round's ratios and their medians (the machine is noisy:
//! ratios measured in the same round are what count).
//!
//! `cargo bench --bench feed_throughput -- [--messages N] [--symbols S] [--rounds R] [--live-orders L]`
//! (the generator keeps L orders live, 100 per symbol unless given: more
//! per symbol makes deeper books)
//! `cargo bench --bench feed_throughput -- --memory [--messages 50000000] [--symbols 10000]`
//! runs the peak-memory measurement in a fresh process.

use breakwater::book::venue_book::{VenueBook, VenueBookSizing};
use breakwater::feed::capture_file::read_capture;
use breakwater::feed::frame_decoder::FrameDecoder;
use breakwater::market::market_data::{MarketData, MarketDataConfig};
use breakwater::scenario::capture_writer::CaptureWriter;
use breakwater::scenario::market_generator::{
    flat_messages, for_each_run, GeneratorConfig, MarketGenerator,
};
use breakwater::scenario::mold_frame_builder::{MoldFrameBuilder, MoldSessionConfig};
use breakwater::wire::itch::{FieldValue, ItchMessage};
use std::hint::black_box;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

struct Args {
    messages: u64,
    symbols: u16,
    /// Orders the generator keeps live.
    live_orders: usize,
    rounds: usize,
    memory: bool,
    smoke: bool,
}

fn args() -> Args {
    let argv: Vec<String> = std::env::args().collect();
    let value = |name: &str| {
        argv.iter()
            .position(|a| a == name)
            .and_then(|i| argv.get(i + 1))
            .and_then(|v| v.parse().ok())
    };
    // `cargo test` runs bench targets without `--bench`: a quick smoke run.
    let smoke = !argv.iter().any(|a| a == "--bench");
    let memory = argv.iter().any(|a| a == "--memory");
    let symbols = value("--symbols").map_or(if memory { 10_000 } else { 1_000 }, |v: u64| v as u16);
    Args {
        messages: value("--messages").unwrap_or(if smoke {
            200_000
        } else if memory {
            50_000_000
        } else {
            20_000_000
        }),
        symbols,
        live_orders: value("--live-orders").map_or(usize::from(symbols) * 100, |v: u64| v as usize),
        rounds: value("--rounds").map_or(if smoke { 1 } else { 5 }, |v: u64| v as usize),
        memory,
        smoke,
    }
}

fn data_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("target/bench-data");
    dir
}

fn generator(symbols: u16, live_orders: usize) -> MarketGenerator {
    MarketGenerator::new(GeneratorConfig {
        symbols,
        seed: 20,
        target_live_orders: live_orders,
        include_all_types: false,
    })
}

/// Messages a run: about what a MoldUDP64 packet holds in a burst.
const RUN: usize = 32;

/// Writes (once) the flat file and the pcap of the same messages.
fn ensure_data(messages: u64, symbols: u16, live_orders: usize) -> (PathBuf, PathBuf) {
    // The default (100 live orders per symbol) keeps its old file names.
    let name = if live_orders == usize::from(symbols) * 100 {
        format!("itch-{messages}-{symbols}")
    } else {
        format!("itch-{messages}-{symbols}-{live_orders}")
    };
    let flat = data_dir().join(format!("{name}.bin"));
    let pcap = data_dir().join(format!("{name}.pcap"));
    if flat.exists() && pcap.exists() {
        return (flat, pcap);
    }
    let started = Instant::now();
    let mut g = generator(symbols, live_orders);
    let mut out = std::io::BufWriter::with_capacity(
        1 << 22,
        std::fs::File::create(&flat).expect("flat file"),
    );
    let mut capture = CaptureWriter::create(&pcap).expect("pcap");
    let mut builder = MoldFrameBuilder::new(MoldSessionConfig::default());
    let mut msg = Vec::with_capacity(64);
    for i in 0..messages {
        msg.clear();
        g.next_message(&mut msg);
        out.write_all(&(msg.len() as u16).to_be_bytes()).unwrap();
        out.write_all(&msg).unwrap();
        if let Some(frame) = builder.push(&msg) {
            capture.write(i, &frame).unwrap();
        }
    }
    if let Some(frame) = builder.flush() {
        capture.write(messages, &frame).unwrap();
    }
    out.flush().unwrap();
    capture.finish().unwrap();
    eprintln!(
        "generated {messages} messages in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    (flat, pcap)
}

fn market() -> MarketData {
    MarketData::new(MarketDataConfig {
        default_tier: 2,
        book_sizing: VenueBookSizing::default(),
        ..Default::default()
    })
}

/// Every field of a message, read through the typed views and folded.
#[inline]
fn fold_fields(m: &ItchMessage<'_>) -> u64 {
    let mut sum = 0u64;
    m.visit_fields(|_, v| {
        sum = sum.wrapping_add(match v {
            FieldValue::Integer(n) | FieldValue::Price8(n) => n,
            FieldValue::Price4(p) => u64::from(p),
            FieldValue::Char(c) => u64::from(c),
            FieldValue::Alpha(s) => s.len() as u64,
        })
    });
    sum
}

fn ns_per_msg(started: Instant, n: u64) -> f64 {
    started.elapsed().as_nanos() as f64 / n as f64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn throughput(a: &Args) {
    let (flat, pcap) = ensure_data(a.messages, a.symbols, a.live_orders);
    let file = std::fs::File::open(&flat).unwrap();
    // SAFETY: the bench's own data file, not modified while mapped.
    let map = unsafe { memmap2::Mmap::map(&file) }.unwrap();
    let bytes: &[u8] = &map;
    // Warm the page cache for both files.
    black_box(
        bytes
            .iter()
            .step_by(4096)
            .map(|&b| u64::from(b))
            .sum::<u64>(),
    );
    let frames = {
        let mut frames = Vec::new();
        read_capture(&pcap, |_, f| frames.push(f.to_vec())).unwrap();
        frames
    };
    println!(
        "feed_throughput: {} messages, {} symbols, {} live orders, {} frames, {} rounds (ns per message; ratios per round)",
        a.messages,
        a.symbols,
        a.live_orders,
        frames.len(),
        a.rounds
    );
    println!(
        "{:>5} {:>7} {:>7} {:>11} {:>12} {:>13} {:>10} {:>11} {:>18} {:>21}",
        "round",
        "itchy",
        "views",
        "all fields",
        "venue books",
        "decode+books",
        "full path",
        "itchy/views",
        "itchy/all fields",
        "(decode+books)/itchy"
    );
    let (mut r_view, mut r_decode, mut r_books) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..a.rounds {
        let t = Instant::now();
        let mut n = 0u64;
        for m in itchy::MessageStream::from_reader(bytes) {
            black_box(&m);
            n += 1;
        }
        let itchy_ns = ns_per_msg(t, n);
        assert_eq!(n, a.messages);

        let t = Instant::now();
        let mut sum = 0u64;
        for m in flat_messages(bytes) {
            let m = ItchMessage::parse(m).expect("valid");
            sum = sum.wrapping_add(
                u64::from(m.message_type()) + u64::from(m.stock_locate()) + m.timestamp_ns(),
            );
        }
        black_box(sum);
        let view_ns = ns_per_msg(t, a.messages);

        let t = Instant::now();
        let mut sum = 0u64;
        for m in flat_messages(bytes) {
            sum = sum.wrapping_add(fold_fields(&ItchMessage::parse(m).expect("valid")));
        }
        black_box(sum);
        let decode_ns = ns_per_msg(t, a.messages);

        let t = Instant::now();
        let mut venue = VenueBook::with_sizing(VenueBookSizing::default());
        let unparsed = for_each_run(bytes, RUN, |run| {
            for m in run {
                venue.prefetch(m);
            }
            for m in run {
                black_box(venue.apply(m));
            }
        });
        assert_eq!(unparsed, 0, "every generated message parses");
        let venue_ns = ns_per_msg(t, a.messages);
        assert_eq!(venue.stats().unknown_order_refs, 0);
        drop(venue);

        let t = Instant::now();
        let mut md = market();
        let unparsed = for_each_run(bytes, RUN, |run| {
            md.on_messages(0, run, |_, _, update| {
                black_box(update);
            })
        });
        assert_eq!(unparsed, 0, "every generated message parses");
        let books_ns = ns_per_msg(t, a.messages);
        assert_eq!(md.unknown_order_refs(), 0);
        drop(md);

        let t = Instant::now();
        let mut md = market();
        let mut decoder = FrameDecoder::new();
        for f in &frames {
            decoder.decode_frame_to(f, &mut md);
        }
        let full_ns = ns_per_msg(t, a.messages);
        assert_eq!(decoder.stats().messages(), a.messages);
        drop(md);

        r_view.push(itchy_ns / view_ns);
        r_decode.push(itchy_ns / decode_ns);
        r_books.push(books_ns / itchy_ns);
        println!(
            "{round:>5} {itchy_ns:>7.1} {view_ns:>7.1} {decode_ns:>11.1} {venue_ns:>12.1} {books_ns:>13.1} {full_ns:>10.1} {:>11.2} {:>18.2} {:>21.2}",
            itchy_ns / view_ns,
            itchy_ns / decode_ns,
            books_ns / itchy_ns
        );
    }
    println!(
        "median: itchy/views {:.2}x, itchy/all fields {:.2}x (goal >= 3), (decode+books)/itchy {:.2}x (goal <= 1.5)",
        median(r_view),
        median(r_decode),
        median(r_books)
    );
}

fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Decode + books over the flat file, read in 4 MiB chunks (not mapped, so
/// the resident set is the process's own memory), then the peak RSS.
fn memory(a: &Args, flat: &Path) {
    let before = vm_hwm_kib();
    let mut file = std::io::BufReader::with_capacity(1 << 22, std::fs::File::open(flat).unwrap());
    let mut md = market();
    let mut buf = vec![0u8; 4 << 20];
    let mut carry = 0usize;
    let mut n = 0u64;
    loop {
        let read = file.read(&mut buf[carry..]).unwrap();
        let end = carry + read;
        let mut consumed = 0;
        for m in flat_messages(&buf[..end]) {
            md.on_message(0, &ItchMessage::parse(m).expect("valid"));
            consumed += 2 + m.len();
            n += 1;
        }
        buf.copy_within(consumed..end, 0);
        carry = end - consumed;
        if read == 0 {
            break;
        }
    }
    assert_eq!(n, a.messages);
    let venue = &md.venues()[0].book;
    println!(
        "memory: {} messages, {} symbols: peak RSS {} MiB (at start {} MiB); at the end {} live orders ({} older than the window), {} price levels",
        n,
        md.symbol_count(),
        vm_hwm_kib() / 1024,
        before / 1024,
        md.live_orders(),
        venue.long_lived_orders(),
        venue.price_levels()
    );
}

fn main() {
    let a = args();
    if a.memory {
        let (flat, _) = ensure_data(a.messages, a.symbols, a.live_orders);
        if std::env::var_os("BREAKWATER_MEMORY_CHILD").is_some() {
            memory(&a, &flat);
            return;
        }
        // Measure in a fresh process so generation does not count.
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args(std::env::args().skip(1))
            .env("BREAKWATER_MEMORY_CHILD", "1")
            .status()
            .unwrap();
        assert!(status.success());
        return;
    }
    throughput(&a);
    if a.smoke {
        println!("(smoke run: `cargo bench --bench feed_throughput` measures 20M messages)");
    }
}
