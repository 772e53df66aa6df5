//! `breakwater decode`: per capture file, MoldUDP64 packets, ITCH messages
//! per type, sequence gaps and errors by reason, read through DPDK's
//! `net_pcap` device (default) or straight from the file.

use crate::feed::capture_file::read_capture;
use crate::feed::dpdk::{Eal, EalConfig, Mempool};
use crate::feed::dpdk_capture::replay_capture;
use crate::feed::feed_stats::FeedStats;
use crate::feed::frame_decoder::FrameDecoder;
use crate::feed::poll_loop::PollHandler;
use crate::wire::DecodeError;
use anyhow::{Context, Result};
use serde_json::{json, Value};
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
    pub files: Vec<PathBuf>,
}

/// Feeds frames from the poll loop into a frame decoder.
struct DecodingHandler<'d> {
    decoder: &'d mut FrameDecoder,
}

impl PollHandler for DecodingHandler<'_> {
    fn on_frame(&mut self, frame: &[u8], segments: u16, _rx_tsc: u64) {
        if segments > 1 {
            self.decoder.stats_mut().frames += 1;
            self.decoder.stats_mut().count_error(DecodeError::Segmented);
            return;
        }
        self.decoder.decode_frame(frame, |_, _| {});
    }

    fn after_poll(&mut self, _received: usize) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

/// Decodes one capture through `source` and returns its counters.
pub fn decode_file(
    source: Source,
    path: &Path,
    dpdk: Option<(&'static Eal, &Mempool)>,
) -> Result<FeedStats> {
    let mut decoder = FrameDecoder::new();
    match source {
        Source::Pcap => {
            let summary = read_capture(path, |_, frame| decoder.decode_frame(frame, |_, _| {}))?;
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
            };
            replay_capture(eal, pool, path, None, &mut handler)
                .with_context(|| format!("replaying {} through DPDK", path.display()))?;
        }
    }
    Ok(decoder.stats().clone())
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
        let stats = decode_file(options.source, file, dpdk.as_ref().map(|(e, p)| (*e, p)))?;
        if options.json {
            let mut o = stats.to_json();
            o.insert("file".into(), json!(file.display().to_string()));
            // `file` first, as the contract shows it.
            let mut ordered = serde_json::Map::new();
            ordered.insert("file".into(), o.remove("file").unwrap_or(Value::Null));
            ordered.extend(o);
            writeln!(out, "{}", Value::Object(ordered))?;
        } else {
            write_human(out, file, &stats)?;
        }
    }
    Ok(())
}

fn write_human(out: &mut impl Write, file: &Path, s: &FeedStats) -> Result<()> {
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
