//! From an Ethernet frame to ITCH messages: Ethernet (+VLAN) → IPv4 → UDP →
//! MoldUDP64 (per-session sequencing) → ITCH 5.0. Never panics; every frame
//! that is not fully decoded is counted by reason in [`FeedStats`].
//!
//! Sequence gaps are reported as [`SessionEvent`]s. Without a recovery
//! client a gap is skipped at once (the venue's books are then stale). With
//! one ([`FrameDecoder::with_recovery`]), the missing messages are
//! re-requested and later packets buffered until the retransmissions fill
//! the gap, so messages are always delivered in sequence order; if the gap
//! is too large to re-request, the buffer overflows or the recovery times
//! out, the gap is skipped and reported lost.

use super::feed_stats::FeedStats;
use super::gap_recovery::GapRecovery;
use super::message_sink::{EachMessage, MessageSink, LOOK_AHEAD};
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

/// A change in a session's health.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionEvent {
    /// Messages `[from_seq, from_seq + missing)` were not received; the
    /// session's data is stale until `Recovered` (or for good, if `Lost`).
    Gap {
        session_index: usize,
        from_seq: u64,
        missing: u64,
    },
    /// The gap was filled by retransmission; everything is in order again.
    Recovered { session_index: usize },
    /// The gap was given up on and skipped.
    Lost { session_index: usize, missing: u64 },
}

/// Recovery settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecoveryLimits {
    /// Gaps larger than this are not re-requested (a snapshot is needed).
    pub max_rerequest: u64,
    /// Bytes of later packets buffered while waiting.
    pub max_buffer_bytes: usize,
    /// How long to wait for retransmissions.
    pub timeout_ns: u64,
}

impl Default for RecoveryLimits {
    fn default() -> Self {
        RecoveryLimits {
            max_rerequest: 65_535,
            max_buffer_bytes: 64 << 20,
            timeout_ns: 1_000_000_000,
        }
    }
}

/// A session waiting for retransmissions.
struct Recovering {
    requested_at_ns: u64,
    /// (first sequence number, MoldUDP64 packet bytes), sorted.
    buffered: Vec<(u64, Vec<u8>)>,
    bytes: usize,
}

#[derive(Default)]
pub struct FrameDecoder {
    sessions: Vec<MoldSession>,
    recovering: Vec<Option<Recovering>>,
    stats: FeedStats,
    recovery: Option<Box<dyn GapRecovery>>,
    limits: RecoveryLimits,
    events: Vec<SessionEvent>,
    /// The caller's clock, for recovery timeouts (set by `set_now`).
    now_ns: u64,
}

impl std::fmt::Debug for FrameDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameDecoder")
            .field("sessions", &self.sessions)
            .field("stats", &self.stats)
            .finish()
    }
}

impl FrameDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// A decoder that re-requests gaps through `recovery`.
    pub fn with_recovery(recovery: Box<dyn GapRecovery>, limits: RecoveryLimits) -> Self {
        FrameDecoder {
            recovery: Some(recovery),
            limits,
            ..Default::default()
        }
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

    /// Session events since the last call.
    pub fn take_events(&mut self) -> impl Iterator<Item = SessionEvent> + '_ {
        self.events.drain(..)
    }

    pub fn is_recovering(&self, session_index: usize) -> bool {
        self.recovering
            .get(session_index)
            .is_some_and(Option::is_some)
    }

    /// Decodes one frame, calling `on_message` for every ITCH message it
    /// delivers (duplicates dropped, buffered packets replayed in order).
    #[inline]
    pub fn decode_frame(
        &mut self,
        frame: &[u8],
        on_message: impl FnMut(MessageOrigin, &ItchMessage<'_>),
    ) {
        self.decode_frame_to(frame, &mut EachMessage(on_message));
    }

    /// Decodes one frame into `sink`: [`FrameDecoder::decode_frame`] for a
    /// sink that prefetches what a packet's messages will touch.
    #[inline]
    pub fn decode_frame_to(&mut self, frame: &[u8], sink: &mut impl MessageSink) {
        self.stats.frames += 1;
        if let Err(e) = self.decode_into(frame, sink) {
            self.stats.count_error(e);
        }
    }

    fn decode_into(
        &mut self,
        frame: &[u8],
        sink: &mut impl MessageSink,
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
        self.decode_mold(&mold, sink);
        Ok(())
    }

    /// Decodes one MoldUDP64 packet (for sources that deliver UDP payloads).
    pub fn decode_mold(&mut self, mold: &MoldPacket<'_>, sink: &mut impl MessageSink) {
        self.stats.packets += 1;
        let session_index = self.session_index(mold.session());
        if mold.is_end_of_session() {
            self.stats.end_of_session += 1;
            self.sessions[session_index].ended = true;
            return;
        }
        if mold.is_heartbeat() {
            self.stats.heartbeats += 1;
        }
        let (seq, count) = (mold.sequence_number(), mold.message_count());
        let verdict = self.sessions[session_index].classify(seq, count);
        if self.recovering[session_index].is_some() {
            self.while_recovering(session_index, mold, verdict, sink);
            return;
        }
        if let SequenceVerdict::Gap { missing } = verdict {
            let from_seq = self.sessions[session_index].next_expected();
            self.events.push(SessionEvent::Gap {
                session_index,
                from_seq,
                missing,
            });
            if self.try_start_recovery(session_index, from_seq, missing, mold) {
                return;
            }
            self.stats.gaps += 1;
            self.stats.missing_messages += missing;
            self.events.push(SessionEvent::Lost {
                session_index,
                missing,
            });
        }
        self.sessions[session_index].advance(seq, count, verdict);
        self.deliver(session_index, mold, verdict, sink);
    }

    /// Requests the missing range and buffers `mold`; false when recovery
    /// is off, the gap too large, or the request could not be sent.
    fn try_start_recovery(
        &mut self,
        session_index: usize,
        from_seq: u64,
        missing: u64,
        mold: &MoldPacket<'_>,
    ) -> bool {
        let Some(recovery) = self.recovery.as_mut() else {
            return false;
        };
        if missing > self.limits.max_rerequest || missing > u64::from(u16::MAX) {
            return false;
        }
        let session = self.sessions[session_index].id;
        if !recovery.request(&session, from_seq, missing as u16) {
            return false;
        }
        let bytes = packet_bytes(mold);
        self.recovering[session_index] = Some(Recovering {
            requested_at_ns: self.now_ns,
            bytes: bytes.len(),
            buffered: vec![(mold.sequence_number(), bytes)],
        });
        true
    }

    fn while_recovering(
        &mut self,
        session_index: usize,
        mold: &MoldPacket<'_>,
        verdict: SequenceVerdict,
        sink: &mut impl MessageSink,
    ) {
        match verdict {
            SequenceVerdict::Gap { .. } => {
                // Beyond the gap: keep it until the gap is filled.
                let bytes = packet_bytes(mold);
                let overflow = {
                    let r = self.recovering[session_index].as_mut().expect("recovering");
                    r.bytes += bytes.len();
                    let at = r
                        .buffered
                        .partition_point(|(s, _)| *s <= mold.sequence_number());
                    r.buffered.insert(at, (mold.sequence_number(), bytes));
                    r.bytes > self.limits.max_buffer_bytes
                };
                if overflow {
                    self.give_up(session_index, sink);
                }
            }
            SequenceVerdict::Duplicate => {
                self.sessions[session_index].advance(
                    mold.sequence_number(),
                    mold.message_count(),
                    verdict,
                );
                if !mold.is_heartbeat() {
                    self.stats.duplicate_packets += 1;
                }
            }
            _ => {
                // Fills the gap from its start: deliver, then what was buffered.
                self.sessions[session_index].advance(
                    mold.sequence_number(),
                    mold.message_count(),
                    verdict,
                );
                self.deliver(session_index, mold, verdict, sink);
                self.drain_buffer(session_index, false, sink);
            }
        }
    }

    /// Replays buffered packets that are now in order. With `skip_gaps`,
    /// holes are skipped (and counted) instead of waited for.
    fn drain_buffer(&mut self, session_index: usize, skip_gaps: bool, sink: &mut impl MessageSink) {
        let Some(mut r) = self.recovering[session_index].take() else {
            return;
        };
        let mut lost = 0;
        let mut consumed = 0;
        for (seq, bytes) in &r.buffered {
            let Ok(mold) = MoldPacket::parse(bytes) else {
                consumed += 1;
                continue;
            };
            let verdict = self.sessions[session_index].classify(*seq, mold.message_count());
            if let SequenceVerdict::Gap { missing } = verdict {
                if !skip_gaps {
                    break;
                }
                lost += missing;
                self.stats.gaps += 1;
                self.stats.missing_messages += missing;
            }
            self.sessions[session_index].advance(*seq, mold.message_count(), verdict);
            self.deliver(session_index, &mold, verdict, sink);
            consumed += 1;
        }
        r.buffered.drain(..consumed);
        if r.buffered.is_empty() {
            self.events.push(if lost > 0 || skip_gaps {
                SessionEvent::Lost {
                    session_index,
                    missing: lost,
                }
            } else {
                SessionEvent::Recovered { session_index }
            });
        } else {
            r.bytes = r.buffered.iter().map(|(_, b)| b.len()).sum();
            self.recovering[session_index] = Some(r);
        }
    }

    fn give_up(&mut self, session_index: usize, sink: &mut impl MessageSink) {
        self.drain_buffer(session_index, true, sink);
    }

    /// Tells the decoder the time (any monotonic nanoseconds: the TSC in
    /// live mode, feed time in replays), and gives up on recoveries older
    /// than the timeout, delivering what they buffered.
    pub fn set_now(
        &mut self,
        now_ns: u64,
        on_message: impl FnMut(MessageOrigin, &ItchMessage<'_>),
    ) {
        let mut sink = EachMessage(on_message);
        self.now_ns = now_ns;
        for i in 0..self.recovering.len() {
            let expired = self.recovering[i]
                .as_ref()
                .is_some_and(|r| now_ns.saturating_sub(r.requested_at_ns) > self.limits.timeout_ns);
            if expired {
                self.give_up(i, &mut sink);
            }
        }
    }

    /// Delivers the messages of one packet, skipping what was already seen.
    fn deliver(
        &mut self,
        session_index: usize,
        mold: &MoldPacket<'_>,
        verdict: SequenceVerdict,
        sink: &mut impl MessageSink,
    ) {
        let skip = match verdict {
            SequenceVerdict::InOrder | SequenceVerdict::Gap { .. } => 0,
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
        // Up to LOOK_AHEAD messages are parsed and announced to the sink,
        // then delivered in order.
        let mut blocks = mold.messages().enumerate();
        let mut parsed: [Option<(u64, ItchMessage<'_>)>; LOOK_AHEAD] = [None; LOOK_AHEAD];
        let mut ended = false;
        while !ended {
            let mut n = 0;
            while n < LOOK_AHEAD {
                let Some((i, block)) = blocks.next() else {
                    ended = true;
                    break;
                };
                let block = match block {
                    Ok(b) => b,
                    Err(e) => {
                        self.stats.count_error(e);
                        ended = true;
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
                        sink.prefetch(session_index, &message);
                        parsed[n] = Some((sequence_number, message));
                        n += 1;
                    }
                    Err(e) => self.stats.count_error(e),
                }
            }
            for (sequence_number, message) in parsed[..n].iter().flatten() {
                sink.on_message(
                    MessageOrigin {
                        session_index,
                        sequence_number: *sequence_number,
                    },
                    message,
                );
            }
        }
    }

    fn session_index(&mut self, id: &[u8; 10]) -> usize {
        if let Some(i) = self.sessions.iter().position(|s| &s.id == id) {
            return i;
        }
        self.sessions.push(MoldSession::new(*id));
        self.recovering.push(None);
        self.sessions.len() - 1
    }
}

/// A copy of the packet's bytes (header and message blocks), for buffering.
fn packet_bytes(mold: &MoldPacket<'_>) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(20 + mold.messages_bytes().len());
    bytes.extend_from_slice(mold.session());
    bytes.extend_from_slice(&mold.sequence_number().to_be_bytes());
    bytes.extend_from_slice(&mold.message_count().to_be_bytes());
    bytes.extend_from_slice(mold.messages_bytes());
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::gap_recovery::{request_packet, MoldRerequestClient};
    use crate::scenario::itch_encoder::{add_order, Header};
    use crate::scenario::mold_frame_builder::{MoldFrameBuilder, MoldSessionConfig};
    use std::net::UdpSocket;

    /// Five one-message packets with sequence numbers 1..=5.
    fn packets() -> Vec<Vec<u8>> {
        let mut b = MoldFrameBuilder::new(MoldSessionConfig::default());
        (0..5u64)
            .map(|i| {
                let mut m = Vec::new();
                add_order(&mut m, Header::default(), i, b'B', 100, "AAPL", 1_000_000);
                assert!(b.push(&m).is_none());
                b.flush().unwrap()
            })
            .collect()
    }

    fn refs(decoder: &mut FrameDecoder, frames: &[&Vec<u8>]) -> Vec<u64> {
        let mut seen = Vec::new();
        for f in frames {
            decoder.decode_frame(f, |o, _| seen.push(o.sequence_number));
        }
        seen
    }

    /// Records what a sink is told: `Prefetch(ref)` and `Deliver(seq, ref)`.
    #[derive(Debug, PartialEq)]
    enum Told {
        Prefetch(u64),
        Deliver(u64, u64),
    }

    #[derive(Default)]
    struct Recorder(Vec<Told>);

    fn reference(m: &ItchMessage<'_>) -> u64 {
        match m {
            ItchMessage::AddOrder(a) => a.order_reference_number(),
            _ => u64::MAX,
        }
    }

    impl MessageSink for Recorder {
        fn prefetch(&mut self, _session_index: usize, m: &ItchMessage<'_>) {
            self.0.push(Told::Prefetch(reference(m)));
        }
        fn on_message(&mut self, origin: MessageOrigin, m: &ItchMessage<'_>) {
            self.0
                .push(Told::Deliver(origin.sequence_number, reference(m)));
        }
    }

    /// A packet of 101 blocks (one of them not ITCH) and a second packet
    /// overlapping its last ten: every message is announced before it is
    /// delivered, at most LOOK_AHEAD ahead, and delivered once, in order,
    /// with its own sequence number; skipped and garbled blocks are neither.
    #[test]
    fn a_packets_messages_are_announced_ahead_then_delivered_in_order() {
        let config = MoldSessionConfig {
            max_payload: 9_000,
            ..Default::default()
        };
        let add = |seq: u64| {
            let mut m = Vec::new();
            add_order(&mut m, Header::default(), seq, b'B', 100, "AAPL", 1_000_000);
            m
        };
        let mut first = MoldFrameBuilder::new(config.clone());
        for seq in 1..=101u64 {
            let block = if seq == 51 {
                b"~garbled".to_vec()
            } else {
                add(seq)
            };
            assert!(first.push(&block).is_none());
        }
        let mut second = MoldFrameBuilder::new(MoldSessionConfig {
            first_sequence: 92,
            ..config
        });
        for seq in 92..=131u64 {
            assert!(second.push(&add(seq)).is_none());
        }
        let mut d = FrameDecoder::new();
        let mut sink = Recorder::default();
        d.decode_frame_to(&first.flush().unwrap(), &mut sink);
        d.decode_frame_to(&second.flush().unwrap(), &mut sink);

        let delivered: Vec<(u64, u64)> = sink
            .0
            .iter()
            .filter_map(|t| match t {
                Told::Deliver(seq, r) => Some((*seq, *r)),
                Told::Prefetch(_) => None,
            })
            .collect();
        let want: Vec<(u64, u64)> = (1..=131u64).filter(|&s| s != 51).map(|s| (s, s)).collect();
        assert_eq!(delivered, want);
        assert_eq!(d.stats().messages(), 130);

        let mut announced = std::collections::VecDeque::new();
        let mut most_ahead = 0;
        for t in &sink.0 {
            match t {
                Told::Prefetch(r) => {
                    announced.push_back(*r);
                    most_ahead = most_ahead.max(announced.len());
                }
                Told::Deliver(_, r) => {
                    assert_eq!(announced.pop_front(), Some(*r), "announced before delivery");
                }
            }
        }
        assert!(announced.is_empty(), "nothing announced and not delivered");
        assert_eq!(most_ahead, LOOK_AHEAD);
    }

    #[test]
    fn without_recovery_a_gap_is_skipped_and_reported_lost() {
        let p = packets();
        let mut d = FrameDecoder::new();
        let seen = refs(&mut d, &[&p[0], &p[1], &p[3], &p[4]]);
        assert_eq!(seen, [1, 2, 4, 5]);
        let events: Vec<_> = d.take_events().collect();
        assert_eq!(
            events,
            [
                SessionEvent::Gap {
                    session_index: 0,
                    from_seq: 3,
                    missing: 1
                },
                SessionEvent::Lost {
                    session_index: 0,
                    missing: 1
                }
            ]
        );
        assert_eq!(d.stats().gaps, 1);
    }

    #[test]
    fn a_re_requested_gap_is_filled_and_messages_arrive_in_order() {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        let client = MoldRerequestClient::new(server.local_addr().unwrap()).unwrap();
        let mut d = FrameDecoder::with_recovery(Box::new(client), RecoveryLimits::default());
        let p = packets();
        // 1, 2, then 4 and 5 arrive before 3.
        let seen = refs(&mut d, &[&p[0], &p[1], &p[3], &p[4]]);
        assert_eq!(seen, [1, 2]);
        assert!(d.is_recovering(0));
        let mut buf = [0u8; 32];
        let (n, _) = server.recv_from(&mut buf).unwrap();
        assert_eq!(
            &buf[..n],
            &request_packet(b"BWSIM00001", 3, 1),
            "the re-request names the gap"
        );
        // The retransmission of 3 fills the gap; 4 and 5 follow from the buffer.
        let seen = refs(&mut d, &[&p[2]]);
        assert_eq!(seen, [3, 4, 5]);
        assert!(!d.is_recovering(0));
        let events: Vec<_> = d.take_events().collect();
        assert_eq!(
            events.last(),
            Some(&SessionEvent::Recovered { session_index: 0 })
        );
        assert_eq!(d.stats().gaps, 0, "a recovered gap loses nothing");
        // A late duplicate of 4 is dropped.
        assert!(refs(&mut d, &[&p[3]]).is_empty());
    }

    #[test]
    fn an_unanswered_re_request_times_out_and_the_buffer_is_delivered() {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        let client = MoldRerequestClient::new(server.local_addr().unwrap()).unwrap();
        let limits = RecoveryLimits {
            timeout_ns: 100,
            ..Default::default()
        };
        let mut d = FrameDecoder::with_recovery(Box::new(client), limits);
        let p = packets();
        d.set_now(1_000, |_, _| {});
        assert_eq!(refs(&mut d, &[&p[0], &p[2], &p[3]]), [1]);
        let mut seen = Vec::new();
        d.set_now(2_000, |o, _| seen.push(o.sequence_number));
        assert_eq!(seen, [3, 4]);
        let events: Vec<_> = d.take_events().collect();
        assert_eq!(
            events.last(),
            Some(&SessionEvent::Lost {
                session_index: 0,
                missing: 1
            })
        );
        assert_eq!(d.stats().gaps, 1);
        assert_eq!(refs(&mut d, &[&p[4]]), [5]);
    }
}
