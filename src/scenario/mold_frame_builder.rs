//! Packs ITCH messages into MoldUDP64 packets and wraps each packet in
//! Ethernet (802.1Q-tagged, as Nasdaq's feeds are) / IPv4 / UDP frames with
//! valid checksums.

use etherparse::{PacketBuilder, VlanId};

/// A MoldUDP64 downstream session's addressing and numbering.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoldSessionConfig {
    pub session: [u8; 10],
    pub first_sequence: u64,
    pub vlan: Option<u16>,
    pub source_ip: [u8; 4],
    pub group_ip: [u8; 4],
    pub source_port: u16,
    pub group_port: u16,
    /// Largest UDP payload per packet (1,472 fills a 1,518-byte frame).
    pub max_payload: usize,
}

impl Default for MoldSessionConfig {
    fn default() -> Self {
        MoldSessionConfig {
            session: *b"BWSIM00001",
            first_sequence: 1,
            vlan: Some(141),
            source_ip: [206, 200, 127, 138],
            group_ip: [233, 54, 12, 111],
            source_port: 49_653,
            group_port: 26_477,
            max_payload: 1_472,
        }
    }
}

pub struct MoldFrameBuilder {
    config: MoldSessionConfig,
    next_sequence: u64,
    /// The packet being filled: header + message blocks.
    packet: Vec<u8>,
    count: u16,
}

const MOLD_HEADER: usize = 20;

impl MoldFrameBuilder {
    pub fn new(config: MoldSessionConfig) -> Self {
        let next_sequence = config.first_sequence;
        let mut b = MoldFrameBuilder {
            config,
            next_sequence,
            packet: Vec::with_capacity(1_500),
            count: 0,
        };
        b.start_packet();
        b
    }

    fn start_packet(&mut self) {
        self.packet.clear();
        self.packet.extend_from_slice(&self.config.session);
        self.packet
            .extend_from_slice(&self.next_sequence.to_be_bytes());
        self.packet.extend_from_slice(&0u16.to_be_bytes());
        self.count = 0;
    }

    pub fn next_sequence(&self) -> u64 {
        self.next_sequence
    }

    /// Adds one message; returns the finished frame of the previous packet
    /// when this message did not fit in it.
    pub fn push(&mut self, message: &[u8]) -> Option<Vec<u8>> {
        let fits = self.packet.len() + 2 + message.len() <= self.config.max_payload
            && self.count < u16::MAX - 1;
        let flushed = if fits { None } else { self.flush() };
        self.packet
            .extend_from_slice(&(message.len() as u16).to_be_bytes());
        self.packet.extend_from_slice(message);
        self.count += 1;
        flushed
    }

    /// Finishes the current packet (if it holds messages) as a frame.
    pub fn flush(&mut self) -> Option<Vec<u8>> {
        if self.count == 0 {
            return None;
        }
        self.packet[18..20].copy_from_slice(&self.count.to_be_bytes());
        let frame = self.frame(&self.packet);
        self.next_sequence += u64::from(self.count);
        self.start_packet();
        Some(frame)
    }

    /// A heartbeat (count 0, next sequence number).
    pub fn heartbeat(&self) -> Vec<u8> {
        let mut p = self.config.session.to_vec();
        p.extend_from_slice(&self.next_sequence.to_be_bytes());
        p.extend_from_slice(&0u16.to_be_bytes());
        self.frame(&p)
    }

    /// An end-of-session packet (count 0xFFFF).
    pub fn end_of_session(&self) -> Vec<u8> {
        let mut p = self.config.session.to_vec();
        p.extend_from_slice(&self.next_sequence.to_be_bytes());
        p.extend_from_slice(&0xffffu16.to_be_bytes());
        self.frame(&p)
    }

    /// Wraps a UDP payload in Ethernet/VLAN/IPv4/UDP.
    pub fn frame(&self, payload: &[u8]) -> Vec<u8> {
        let c = &self.config;
        let multicast_mac = [
            0x01,
            0x00,
            0x5e,
            c.group_ip[1] & 0x7f,
            c.group_ip[2],
            c.group_ip[3],
        ];
        let eth = PacketBuilder::ethernet2([0x00, 0x1b, 0x21, 0x00, 0x00, 0x01], multicast_mac);
        let mut frame = Vec::with_capacity(payload.len() + 64);
        let result = match c.vlan.and_then(|v| VlanId::try_new(v).ok()) {
            Some(vid) => eth
                .single_vlan(vid)
                .ipv4(c.source_ip, c.group_ip, 64)
                .udp(c.source_port, c.group_port)
                .write(&mut frame, payload),
            None => eth
                .ipv4(c.source_ip, c.group_ip, 64)
                .udp(c.source_port, c.group_port)
                .write(&mut frame, payload),
        };
        result.expect("a payload under 64 KiB always fits a UDP datagram");
        frame
    }

    pub fn header_len() -> usize {
        MOLD_HEADER
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::frame_decoder::FrameDecoder;
    use crate::scenario::itch_encoder::{add_order, Header};

    #[test]
    fn built_frames_decode_with_valid_checksums_and_sequence() {
        let mut b = MoldFrameBuilder::new(MoldSessionConfig::default());
        let mut frames = Vec::new();
        for i in 0..100u64 {
            let mut m = Vec::new();
            add_order(&mut m, Header::default(), i, b'B', 100, "AAPL", 1_000_000);
            frames.extend(b.push(&m));
        }
        frames.extend(b.flush());
        assert!(
            frames.len() >= 3,
            "100 adds need several 1,472-byte packets"
        );
        let mut d = FrameDecoder::new();
        let mut seqs = Vec::new();
        for f in &frames {
            d.decode_frame(f, |o, _| seqs.push(o.sequence_number));
        }
        assert_eq!(seqs, (1..=100).collect::<Vec<_>>());
        let s = d.stats();
        assert_eq!(s.messages_by_type[usize::from(b'A')], 100);
        assert_eq!(s.gaps, 0);
        assert!(s.error_counts().is_empty(), "{:?}", s.error_counts());
        assert_eq!(b.next_sequence(), 101);
    }
}
