//! Writes frames to a nanosecond libpcap file (what DPDK's net_pcap and
//! `breakwater decode` read).

use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::TsResolution;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::time::Duration;

pub struct CaptureWriter {
    writer: PcapWriter<BufWriter<File>>,
    frames: u64,
}

impl CaptureWriter {
    pub fn create(path: &Path) -> anyhow::Result<Self> {
        let file =
            File::create(path).map_err(|e| anyhow::anyhow!("creating {}: {e}", path.display()))?;
        let header = PcapHeader {
            ts_resolution: TsResolution::NanoSecond,
            ..Default::default()
        };
        let writer = PcapWriter::with_header(BufWriter::with_capacity(1 << 20, file), header)?;
        Ok(CaptureWriter { writer, frames: 0 })
    }

    /// Writes one frame stamped `time_ns` (nanoseconds since the epoch, or
    /// since midnight for generated feeds).
    pub fn write(&mut self, time_ns: u64, frame: &[u8]) -> anyhow::Result<()> {
        let packet = PcapPacket::new(Duration::from_nanos(time_ns), frame.len() as u32, frame);
        self.writer.write_packet(&packet)?;
        self.frames += 1;
        Ok(())
    }

    pub fn frames(&self) -> u64 {
        self.frames
    }

    pub fn finish(self) -> anyhow::Result<()> {
        use std::io::Write;
        let mut inner = self.writer.into_writer();
        inner.flush()?;
        Ok(())
    }
}
