//! From an Ethernet frame to ITCH messages: Ethernet (+VLAN) → IPv4 → UDP →
//! MoldUDP64 (per-session sequencing) → ITCH 5.0. Never panics; every frame
//! that is not fully decoded is counted by reason in [`FeedStats`].

use super::feed_stats::FeedStats;
use super::mold_session::{MoldSession, SequenceVerdict};
use crate::wire::eth::{EthernetFrame, ETHERTYPE_IPV4};
use crate::wire::ipv4::{Ipv4Packet, PROTOCOL_UDP};
use crate::wire::itch::ItchMessage;
use crate::wire::moldudp64::MoldPacket;
use crate::wire::udp::UdpDatagram;
use crate::wire::DecodeError;

/// Where a message came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageOrigin {
    /// Index of the MoldUDP64 session in order of first appearance.
    pub session_index: usize,
    /// The message's MoldUDP64 sequence number; 0 when unsequenced.
    pub sequence_number: u64,
}

#[derive(Debug, Default)]
pub struct FrameDecoder {
    sessions: Vec<MoldSession>,
    stats: FeedStats,
}

impl FrameDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn stats(&self) -> &FeedStats {
        &self.stats
    }

    pub fn stats_mut(&mut self) -> &mut FeedStats {
        &mut self.stats
    }

    pub fn sessions(&self) -> &[MoldSession] {
        &self.sessions
    }

    /// Decodes one frame, calling `on_message` for every ITCH message it
    /// delivers (duplicates dropped).
    #[inline]
    pub fn decode_frame(
        &mut self,
        frame: &[u8],
        mut on_message: impl FnMut(MessageOrigin, &ItchMessage<'_>),
    ) {
        self.stats.frames += 1;
        if let Err(e) = self.decode_into(frame, &mut on_message) {
            self.stats.count_error(e);
        }
    }

    fn decode_into(
        &mut self,
        frame: &[u8],
        on_message: &mut impl FnMut(MessageOrigin, &ItchMessage<'_>),
    ) -> Result<(), DecodeError> {
        let eth = EthernetFrame::parse(frame)?;
        if eth.ethertype() != ETHERTYPE_IPV4 {
            return Err(DecodeError::NotIpv4);
        }
        let ip = Ipv4Packet::parse(eth.payload())?;
        if !ip.checksum_ok() {
            self.stats.count_error(DecodeError::Ipv4BadChecksum);
        }
        if ip.protocol() != PROTOCOL_UDP {
            return Err(DecodeError::NotUdp);
        }
        let udp = UdpDatagram::parse(ip.payload())?;
        let mold = MoldPacket::parse(udp.payload())?;
        self.decode_mold(&mold, on_message);
        Ok(())
    }

    /// Decodes one MoldUDP64 packet (for sources that deliver UDP payloads).
    pub fn decode_mold(
        &mut self,
        mold: &MoldPacket<'_>,
        on_message: &mut impl FnMut(MessageOrigin, &ItchMessage<'_>),
    ) {
        self.stats.packets += 1;
        let session_index = self.session_index(mold.session());
        let session = &mut self.sessions[session_index];
        if mold.is_end_of_session() {
            self.stats.end_of_session += 1;
            session.ended = true;
            return;
        }
        if mold.is_heartbeat() {
            self.stats.heartbeats += 1;
        }
        let skip = match session.on_packet(mold.sequence_number(), mold.message_count()) {
            SequenceVerdict::InOrder => 0,
            SequenceVerdict::Gap { missing } => {
                self.stats.gaps += 1;
                self.stats.missing_messages += missing;
                0
            }
            SequenceVerdict::Overlap { skip } => skip,
            SequenceVerdict::Duplicate => {
                if !mold.is_heartbeat() {
                    self.stats.duplicate_packets += 1;
                }
                return;
            }
            SequenceVerdict::Unsequenced => {
                self.stats.unsequenced_packets += 1;
                0
            }
        };
        let first = mold.sequence_number();
        for (i, block) in mold.messages().enumerate() {
            let block = match block {
                Ok(b) => b,
                Err(e) => {
                    self.stats.count_error(e);
                    break;
                }
            };
            if i < usize::from(skip) {
                continue;
            }
            match ItchMessage::parse(block) {
                Ok(message) => {
                    self.stats.messages_by_type[usize::from(message.message_type())] += 1;
                    let sequence_number = if first == 0 { 0 } else { first + i as u64 };
                    on_message(
                        MessageOrigin {
                            session_index,
                            sequence_number,
                        },
                        &message,
                    );
                }
                Err(e) => self.stats.count_error(e),
            }
        }
    }

    fn session_index(&mut self, id: &[u8; 10]) -> usize {
        if let Some(i) = self.sessions.iter().position(|s| &s.id == id) {
            return i;
        }
        self.sessions.push(MoldSession::new(*id));
        self.sessions.len() - 1
    }
}
