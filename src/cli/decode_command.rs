//! `breakwater decode`: per capture file, MoldUDP64 packets, ITCH messages
//! per type, sequence gaps and errors by reason, read through DPDK's
//! `net_pcap` device (default) or straight from the file. `--messages`
//! prints every message with every field; `--books` builds the order books
//! and prints each symbol's final BBO, depth and last trade.

use crate::feed::capture_file::read_capture;
use crate::feed::dpdk::{Eal, EalConfig, Mempool};
use crate::feed::dpdk_capture::replay_capture;
use crate::feed::feed_stats::FeedStats;
use crate::feed::frame_decoder::{FrameDecoder, MessageOrigin};
use crate::feed::message_sink::MessageSink;
use crate::feed::poll_loop::PollHandler;
use crate::market::market_data::MarketData;
use crate::wire::itch::{FieldValue, ItchMessage};
use crate::wire::DecodeError;
use anyhow::{Context, Result};
use serde_json::{json, Map, Value};
use std::io::Write;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Source {
    /// Through DPDK: the file is replayed by a `net_pcap` virtual device.
    Dpdk,
    /// Read the file directly (pcap, pcapng, gzip).
    Pcap,
}

pub struct DecodeOptions {
    pub source: Source,
    pub json: bool,
    /// Print every message (one JSON object each with `--json`).
    pub messages: bool,
    /// Build the books and print each symbol's final state.
    pub books: bool,
    pub files: Vec<PathBuf>,
}

/// Feeds frames from the poll loop into a frame decoder.
struct DecodingHandler<'d, S> {
    decoder: &'d mut FrameDecoder,
    sink: &'d mut S,
}

impl<S: MessageSink> PollHandler for DecodingHandler<'_, S> {
    fn on_frame(&mut self, frame: &[u8], segments: u16, _rx_tsc: u64) {
        if segments > 1 {
            self.decoder.stats_mut().frames += 1;
            self.decoder.stats_mut().count_error(DecodeError::Segmented);
            return;
        }
        self.decoder.decode_frame_to(frame, self.sink);
    }

    fn after_poll(&mut self, _received: usize) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

/// Decodes one capture through `source`, delivering every message to
/// `sink`, and returns the decoder (its counters and sessions).
pub fn decode_file(
    source: Source,
    path: &Path,
    dpdk: Option<(&'static Eal, &Mempool)>,
    sink: &mut impl MessageSink,
) -> Result<FrameDecoder> {
    let mut decoder = FrameDecoder::new();
    match source {
        Source::Pcap => {
            let summary = read_capture(path, |_, frame| decoder.decode_frame_to(frame, sink))?;
            if summary.truncated {
                decoder
                    .stats_mut()
                    .count_error(DecodeError::CaptureTruncated);
            }
        }
        Source::Dpdk => {
            let (eal, pool) = dpdk.context("DPDK source without an initialised EAL")?;
            let mut handler = DecodingHandler {
                decoder: &mut decoder,
                sink,
            };
            replay_capture(eal, pool, path, None, &mut handler)
                .with_context(|| format!("replaying {} through DPDK", path.display()))?;
        }
    }
    Ok(decoder)
}

/// What `decode` does with each message: apply it to the books (when
/// asked; a packet's messages are prefetched first) and print it (when
/// asked), keeping the first write error.
struct DecodeSink<'o, W> {
    market: Option<MarketData>,
    print: Option<(bool, &'o mut W)>,
    write_error: Option<std::io::Error>,
}

impl<W: Write> MessageSink for DecodeSink<'_, W> {
    #[inline(always)]
    fn prefetch(&mut self, session_index: usize, message: &ItchMessage<'_>) {
        if let Some(market) = &self.market {
            market.prefetch(session_index, message);
        }
    }

    fn on_message(&mut self, origin: MessageOrigin, m: &ItchMessage<'_>) {
        if let Some(market) = self.market.as_mut() {
            market.on_message(origin.session_index, m);
        }
        if let Some((json, out)) = self.print.as_mut() {
            if self.write_error.is_none() {
                let line = if *json {
                    message_json(m).to_string()
                } else {
                    message_text(m)
                };
                if let Err(e) = writeln!(out, "{line}") {
                    self.write_error = Some(e);
                }
            }
        }
    }
}

/// One message as JSON: `type` then every field of the spec, prices as
/// integers in feed units, alpha fields trimmed, char fields as strings.
pub fn message_json(message: &ItchMessage<'_>) -> Value {
    let mut o = Map::new();
    o.insert(
        "type".into(),
        json!((message.message_type() as char).to_string()),
    );
    message.visit_fields(|name, value| {
        let v = match value {
            FieldValue::Integer(n) => json!(n),
            FieldValue::Price4(p) => json!(p),
            FieldValue::Price8(p) => json!(p),
            FieldValue::Char(c) => json!((c as char).to_string()),
            FieldValue::Alpha(s) => json!(s),
        };
        o.insert(name.into(), v);
    });
    Value::Object(o)
}

pub fn run(options: &DecodeOptions, out: &mut impl Write) -> Result<()> {
    let dpdk = match options.source {
        Source::Dpdk => {
            let eal = Eal::init(&EalConfig::default()).context("starting DPDK's EAL")?;
            let pool = Mempool::with_defaults(eal, 8192).context("creating the mbuf pool")?;
            Some((eal, pool))
        }
        Source::Pcap => None,
    };
    for file in &options.files {
        let mut sink = DecodeSink {
            market: options.books.then(MarketData::default),
            print: options.messages.then_some((options.json, &mut *out)),
            write_error: None,
        };
        let decoder = decode_file(
            options.source,
            file,
            dpdk.as_ref().map(|(e, p)| (*e, p)),
            &mut sink,
        )?;
        if let Some(e) = sink.write_error {
            return Err(e.into());
        }
        let mut market = sink.market;
        if let Some(market) = market.as_mut() {
            market.sync_sessions(decoder.sessions());
            write_books(out, file, market, decoder.stats(), options.json)?;
        } else if !options.messages {
            write_counts(out, file, decoder.stats(), options.json)?;
        }
    }
    Ok(())
}

fn message_text(m: &ItchMessage<'_>) -> String {
    let mut parts = vec![format!("{} {}", m.message_type() as char, m.type_name())];
    m.visit_fields(|name, value| {
        let v = match value {
            FieldValue::Integer(n) => n.to_string(),
            FieldValue::Price4(p) => format!("{}.{:04}", p / 10_000, p % 10_000),
            FieldValue::Price8(p) => format!("{}.{:08}", p / 100_000_000, p % 100_000_000),
            FieldValue::Char(c) => format!("{:?}", c as char),
            FieldValue::Alpha(s) => format!("{s:?}"),
        };
        parts.push(format!("{name}={v}"));
    });
    parts.join(" ")
}

fn write_counts(out: &mut impl Write, file: &Path, s: &FeedStats, json: bool) -> Result<()> {
    if json {
        let mut ordered = Map::new();
        ordered.insert("file".into(), json!(file.display().to_string()));
        ordered.extend(s.to_json());
        writeln!(out, "{}", Value::Object(ordered))?;
        return Ok(());
    }
    writeln!(out, "{}", file.display())?;
    writeln!(
        out,
        "  frames {}  moldudp64 packets {}  messages {}  gaps {} ({} messages missing)  duplicates {}",
        s.frames,
        s.packets,
        s.messages(),
        s.gaps,
        s.missing_messages,
        s.duplicate_packets
    )?;
    let types: Vec<String> = s
        .message_counts()
        .iter()
        .map(|(t, n)| format!("{t}={n}"))
        .collect();
    writeln!(
        out,
        "  by type: {}",
        if types.is_empty() {
            "-".into()
        } else {
            types.join(" ")
        }
    )?;
    let errors: Vec<String> = s
        .error_counts()
        .iter()
        .map(|(e, n)| format!("{e}={n}"))
        .collect();
    writeln!(
        out,
        "  errors: {}",
        if errors.is_empty() {
            "none".into()
        } else {
            errors.join(" ")
        }
    )?;
    Ok(())
}

fn price(p: u32) -> String {
    format!("{}.{:04}", p / 10_000, p % 10_000)
}

/// Each symbol's final book on each venue, its consolidated quote, last
/// trade and market state; then the totals.
fn write_books(
    out: &mut impl Write,
    file: &Path,
    market: &MarketData,
    s: &FeedStats,
    json: bool,
) -> Result<()> {
    const DEPTH: usize = 5;
    if !json {
        writeln!(out, "{}", file.display())?;
    }
    for view in market.symbol_views() {
        if json {
            writeln!(out, "{}", view.to_json(DEPTH))?;
            continue;
        }
        writeln!(out, "  {}", view.headline())?;
        for b in &view.venue_books {
            let (venue, book) = (b.venue, b.book);
            let bids: Vec<String> = book
                .bids
                .depth()
                .take(DEPTH)
                .map(|l| format!("{}x{}", l.qty, price(l.price)))
                .collect();
            let asks: Vec<String> = book
                .asks
                .depth()
                .take(DEPTH)
                .map(|l| format!("{}x{}", l.qty, price(l.price)))
                .collect();
            writeln!(
                out,
                "    {venue:<12} bids [{}]  asks [{}]",
                if bids.is_empty() {
                    "-".into()
                } else {
                    bids.join(" ")
                },
                if asks.is_empty() {
                    "-".into()
                } else {
                    asks.join(" ")
                }
            )?;
        }
    }
    if json {
        writeln!(
            out,
            "{}",
            json!({"file": file.display().to_string(), "messages": s.messages(), "packets": s.packets,
                   "gaps": s.gaps, "symbols": market.symbol_count(),
                   "live_orders": market.live_orders(), "unknown_order_refs": market.unknown_order_refs()})
        )?;
    } else {
        writeln!(
            out,
            "  total: {} messages in {} MoldUDP64 packets, {} symbols, {} live orders, {} gaps, {} references to unknown orders",
            s.messages(),
            s.packets,
            market.symbol_count(),
            market.live_orders(),
            s.gaps,
            market.unknown_order_refs()
        )?;
    }
    Ok(())
}
