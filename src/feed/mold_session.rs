//! MoldUDP64 sequence tracking for one session: in-order, gap, duplicate and
//! partially-overlapping packets. MoldUDP64 numbers messages from 1, so a
//! packet with sequence number 0 is unsequenced (anonymised captures zero the
//! field): its messages are delivered and it is counted, but it does not move
//! the session.

/// What to do with the messages of one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SequenceVerdict {
    /// Deliver every message; the packet is the next expected one.
    InOrder,
    /// Deliver every message; `missing` messages before it were never seen.
    Gap { missing: u64 },
    /// Deliver only the messages after the first `skip` (already seen).
    Overlap { skip: u16 },
    /// Every message was already delivered: drop the packet.
    Duplicate,
    /// Sequence number 0: deliver, do not track.
    Unsequenced,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MoldSession {
    pub id: [u8; 10],
    /// The sequence number of the next message expected; 0 before the first
    /// sequenced packet.
    next_expected: u64,
    pub gaps: u64,
    pub missing_messages: u64,
    pub duplicates: u64,
    pub ended: bool,
}

impl MoldSession {
    pub fn new(id: [u8; 10]) -> Self {
        MoldSession {
            id,
            ..Default::default()
        }
    }

    pub fn next_expected(&self) -> u64 {
        self.next_expected
    }

    /// Classifies a packet starting at `sequence_number` and carrying
    /// `count` messages (heartbeats carry 0 and announce the next number),
    /// without changing the session.
    pub fn classify(&self, sequence_number: u64, count: u16) -> SequenceVerdict {
        if sequence_number == 0 {
            return SequenceVerdict::Unsequenced;
        }
        let end = sequence_number.saturating_add(u64::from(count));
        if self.next_expected == 0 || sequence_number == self.next_expected {
            return SequenceVerdict::InOrder;
        }
        if sequence_number > self.next_expected {
            return SequenceVerdict::Gap {
                missing: sequence_number - self.next_expected,
            };
        }
        // Starts before what we expect: a retransmission or reordering.
        if end <= self.next_expected {
            return SequenceVerdict::Duplicate;
        }
        SequenceVerdict::Overlap {
            skip: (self.next_expected - sequence_number) as u16,
        }
    }

    /// Classifies a packet and advances the session past it (a gap is
    /// skipped and counted).
    pub fn on_packet(&mut self, sequence_number: u64, count: u16) -> SequenceVerdict {
        let verdict = self.classify(sequence_number, count);
        self.advance(sequence_number, count, verdict);
        verdict
    }

    /// Applies a verdict from [`MoldSession::classify`].
    pub fn advance(&mut self, sequence_number: u64, count: u16, verdict: SequenceVerdict) {
        let end = sequence_number.saturating_add(u64::from(count));
        match verdict {
            SequenceVerdict::InOrder | SequenceVerdict::Overlap { .. } => self.next_expected = end,
            SequenceVerdict::Gap { missing } => {
                self.gaps += 1;
                self.missing_messages += missing;
                self.next_expected = end;
            }
            SequenceVerdict::Duplicate => {
                // A heartbeat announcing an old number is not a duplicate packet.
                if count > 0 {
                    self.duplicates += 1;
                }
            }
            SequenceVerdict::Unsequenced => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_packets_are_in_order() {
        let mut s = MoldSession::new(*b"SESSION001");
        assert_eq!(s.on_packet(10, 2), SequenceVerdict::InOrder);
        assert_eq!(s.on_packet(12, 1), SequenceVerdict::InOrder);
        assert_eq!(s.next_expected(), 13);
        assert_eq!(s.gaps, 0);
    }

    #[test]
    fn a_jump_forward_is_one_gap_with_its_missing_count() {
        // The real Multiple.Packets.pcap: 14764496 x1, then 19009117 x38.
        let mut s = MoldSession::default();
        s.on_packet(14_764_496, 1);
        assert_eq!(
            s.on_packet(19_009_117, 38),
            SequenceVerdict::Gap {
                missing: 19_009_117 - 14_764_497
            }
        );
        assert_eq!(s.next_expected(), 19_009_155);
        assert_eq!(s.gaps, 1);
    }

    #[test]
    fn replayed_packets_are_duplicates_and_overlaps_skip_seen_messages() {
        let mut s = MoldSession::default();
        s.on_packet(1, 5);
        assert_eq!(s.on_packet(1, 5), SequenceVerdict::Duplicate);
        assert_eq!(s.on_packet(4, 4), SequenceVerdict::Overlap { skip: 2 });
        assert_eq!(s.next_expected(), 8);
        assert_eq!(s.duplicates, 1);
    }

    #[test]
    fn sequence_zero_is_unsequenced_and_does_not_move_the_session() {
        let mut s = MoldSession::default();
        assert_eq!(s.on_packet(0, 5), SequenceVerdict::Unsequenced);
        assert_eq!(s.on_packet(0, 5), SequenceVerdict::Unsequenced);
        assert_eq!(s.next_expected(), 0);
    }

    #[test]
    fn heartbeats_announce_the_next_number_without_counting_duplicates() {
        let mut s = MoldSession::default();
        s.on_packet(1, 3);
        assert_eq!(s.on_packet(4, 0), SequenceVerdict::InOrder);
        assert_eq!(s.on_packet(4, 0), SequenceVerdict::InOrder);
        assert_eq!(s.on_packet(2, 0), SequenceVerdict::Duplicate);
        assert_eq!(s.duplicates, 0);
    }
}
