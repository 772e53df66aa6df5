//! MoldUDP64 downstream packets: a 20-byte header (session, sequence number
//! of the first message, message count) then `count` length-prefixed
//! messages. Count 0 is a heartbeat, 0xFFFF the end of the session.

use super::bytes::{prefix, u16_at, u64_at};
use super::DecodeError;

pub const HEADER_LEN: usize = 20;
pub const HEARTBEAT_COUNT: u16 = 0;
pub const END_OF_SESSION_COUNT: u16 = 0xffff;

#[derive(Clone, Copy, Debug)]
pub struct MoldPacket<'a> {
    session: &'a [u8; 10],
    sequence_number: u64,
    message_count: u16,
    messages: &'a [u8],
}

impl<'a> MoldPacket<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let header: &[u8; HEADER_LEN] = prefix(bytes).ok_or(DecodeError::MoldTruncated)?;
        let session: &[u8; 10] = prefix(bytes).ok_or(DecodeError::MoldTruncated)?;
        Ok(MoldPacket {
            session,
            sequence_number: u64_at(header, 10),
            message_count: u16_at(header, 18),
            messages: bytes.get(HEADER_LEN..).unwrap_or(&[]),
        })
    }

    pub fn session(&self) -> &'a [u8; 10] {
        self.session
    }

    /// Sequence number of the first message in the packet. MoldUDP64 numbers
    /// messages from 1; zero marks an unsequenced (e.g. anonymised) packet.
    pub fn sequence_number(&self) -> u64 {
        self.sequence_number
    }

    pub fn message_count(&self) -> u16 {
        self.message_count
    }

    /// The raw message blocks after the header.
    pub fn messages_bytes(&self) -> &'a [u8] {
        self.messages
    }

    pub fn is_heartbeat(&self) -> bool {
        self.message_count == HEARTBEAT_COUNT
    }

    pub fn is_end_of_session(&self) -> bool {
        self.message_count == END_OF_SESSION_COUNT
    }

    /// The message blocks. Iteration stops at the declared count; a block
    /// whose length runs past the packet yields one `MoldMessageOverrun`.
    pub fn messages(&self) -> MoldMessages<'a> {
        let count = if self.is_end_of_session() {
            0
        } else {
            self.message_count
        };
        MoldMessages {
            rest: self.messages,
            remaining: count,
        }
    }
}

/// Iterator over the message blocks of one packet.
#[derive(Clone, Debug)]
pub struct MoldMessages<'a> {
    rest: &'a [u8],
    remaining: u16,
}

impl<'a> Iterator for MoldMessages<'a> {
    type Item = Result<&'a [u8], DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let Some(len_bytes) = prefix::<2>(self.rest) else {
            self.remaining = 0;
            return Some(Err(DecodeError::MoldMessageOverrun));
        };
        let len = usize::from(u16::from_be_bytes(*len_bytes));
        match self.rest.get(2..2 + len) {
            Some(message) => {
                self.rest = &self.rest[2 + len..];
                Some(Ok(message))
            }
            None => {
                self.remaining = 0;
                Some(Err(DecodeError::MoldMessageOverrun))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(seq: u64, messages: &[&[u8]], count: u16) -> Vec<u8> {
        let mut p = b"SESSION001".to_vec();
        p.extend_from_slice(&seq.to_be_bytes());
        p.extend_from_slice(&count.to_be_bytes());
        for m in messages {
            p.extend_from_slice(&(m.len() as u16).to_be_bytes());
            p.extend_from_slice(m);
        }
        p
    }

    #[test]
    fn header_fields_and_messages_are_read() {
        let p = packet(42, &[b"abc", b"de"], 2);
        let m = MoldPacket::parse(&p).unwrap();
        assert_eq!(m.session(), b"SESSION001");
        assert_eq!(m.sequence_number(), 42);
        assert_eq!(m.message_count(), 2);
        let msgs: Vec<_> = m.messages().collect();
        assert_eq!(msgs, vec![Ok(&b"abc"[..]), Ok(&b"de"[..])]);
    }

    #[test]
    fn a_block_running_past_the_packet_is_one_overrun() {
        let mut p = packet(1, &[b"abc"], 3);
        p.extend_from_slice(&[0, 9, 1]);
        let msgs: Vec<_> = MoldPacket::parse(&p).unwrap().messages().collect();
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[1], Err(DecodeError::MoldMessageOverrun));
    }

    #[test]
    fn heartbeat_and_end_of_session_carry_no_messages() {
        let hb = packet(7, &[], 0);
        assert!(MoldPacket::parse(&hb).unwrap().is_heartbeat());
        let eos = packet(7, &[], 0xffff);
        let m = MoldPacket::parse(&eos).unwrap();
        assert!(m.is_end_of_session());
        assert_eq!(m.messages().count(), 0);
    }

    #[test]
    fn short_header_is_truncated() {
        assert_eq!(
            MoldPacket::parse(&[0; 19]).unwrap_err(),
            DecodeError::MoldTruncated
        );
    }
}
