//! Reading capture files directly (no DPDK): libpcap (micro- or nanosecond,
//! either byte order) and pcapng, optionally gzip-compressed. A capture cut
//! inside its last record is reported as truncated after the complete
//! records are delivered; it is not an error.

use pcap_file::pcap::PcapReader;
use pcap_file::pcapng::{Block, PcapNgReader};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("cannot open capture {path}: {source}")]
    Open {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a pcap or pcapng capture: {reason}")]
    NotACapture { path: String, reason: String },
}

/// What reading a whole capture found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CaptureSummary {
    pub frames: u64,
    /// The file ended inside a record (or a record was malformed); the
    /// frames before it were delivered.
    pub truncated: bool,
}

/// Calls `on_frame(timestamp_ns, frame)` for every record of the capture at
/// `path`.
pub fn read_capture(
    path: &Path,
    mut on_frame: impl FnMut(u64, &[u8]),
) -> Result<CaptureSummary, CaptureError> {
    let shown = path.display().to_string();
    let file = File::open(path).map_err(|source| CaptureError::Open {
        path: shown.clone(),
        source,
    })?;
    let mut reader: Box<dyn Read> = Box::new(BufReader::with_capacity(1 << 20, file));
    let mut magic = [0u8; 4];
    let mut peek = [0u8; 4];
    let n = read_up_to(&mut reader, &mut peek);
    magic[..n].copy_from_slice(&peek[..n]);
    let mut reader: Box<dyn Read> =
        Box::new(std::io::Cursor::new(peek[..n].to_vec()).chain(reader));
    if magic[..2] == [0x1f, 0x8b] {
        reader = Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(reader)));
        let n = read_up_to(&mut reader, &mut peek);
        magic = [0; 4];
        magic[..n].copy_from_slice(&peek[..n]);
        reader = Box::new(std::io::Cursor::new(peek[..n].to_vec()).chain(reader));
    }
    let mut summary = CaptureSummary::default();
    if magic == [0x0a, 0x0d, 0x0d, 0x0a] {
        let mut ng = PcapNgReader::new(reader).map_err(|e| CaptureError::NotACapture {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        // pcapng timestamps are in units of the interface's resolution;
        // pcap-file converts them to a Duration using the IDB's if_tsresol.
        while let Some(block) = ng.next_block() {
            match block {
                Ok(Block::EnhancedPacket(p)) => {
                    summary.frames += 1;
                    on_frame(p.timestamp.as_nanos() as u64, &p.data);
                }
                Ok(Block::SimplePacket(p)) => {
                    summary.frames += 1;
                    on_frame(0, &p.data);
                }
                Ok(Block::Packet(p)) => {
                    summary.frames += 1;
                    on_frame(p.timestamp, &p.data);
                }
                Ok(_) => {}
                Err(_) => {
                    summary.truncated = true;
                    break;
                }
            }
        }
        return Ok(summary);
    }
    let mut pcap = PcapReader::new(reader).map_err(|e| CaptureError::NotACapture {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    while let Some(packet) = pcap.next_packet() {
        match packet {
            Ok(p) => {
                summary.frames += 1;
                on_frame(p.timestamp.as_nanos() as u64, &p.data);
            }
            Err(_) => {
                summary.truncated = true;
                break;
            }
        }
    }
    Ok(summary)
}

fn read_up_to(reader: &mut dyn Read, buf: &mut [u8]) -> usize {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => filled += n,
        }
    }
    filled
}
