//! The application messages a session has sent on its current connection,
//! kept so that a peer's ResendRequest can be answered with the messages
//! themselves (FIX: resend application messages, gap-fill the rest). Each
//! is kept as its body after the standard header, in an arena that keeps
//! its capacity, so recording allocates nothing once warm. Bounded: two
//! generations of up to half the limit each; when the newer fills, the
//! older is forgotten (a request for a forgotten message is gap-filled).

const GENERATION_BYTES: usize = 4 << 20;

#[derive(Clone, Copy, Debug)]
struct Entry {
    seq: u64,
    msg_type: [u8; 2],
    msg_type_len: u8,
    sending_time: [u8; 21],
    start: u32,
    end: u32,
}

#[derive(Default)]
struct Generation {
    entries: Vec<Entry>,
    arena: Vec<u8>,
}

impl Generation {
    fn clear(&mut self) {
        self.entries.clear();
        self.arena.clear();
    }

    fn find(&self, seq: u64) -> Option<&Entry> {
        let i = self.entries.binary_search_by_key(&seq, |e| e.seq).ok()?;
        self.entries.get(i)
    }
}

/// A message found for a resend.
pub struct SentMessage<'a> {
    pub msg_type: &'a [u8],
    pub sending_time: &'a [u8; 21],
    /// Its fields after the standard header.
    pub fields: &'a [u8],
}

#[derive(Default)]
pub struct SentMessages {
    current: Generation,
    previous: Generation,
}

impl SentMessages {
    pub fn clear(&mut self) {
        self.current.clear();
        self.previous.clear();
    }

    /// Records message `seq` (sequence numbers only increase).
    pub fn record(&mut self, seq: u64, msg_type: &[u8], sending_time: &[u8; 21], fields: &[u8]) {
        if msg_type.len() > 2 || fields.len() > GENERATION_BYTES {
            return;
        }
        if self.current.arena.len() + fields.len() > GENERATION_BYTES {
            std::mem::swap(&mut self.current, &mut self.previous);
            self.current.clear();
        }
        let g = &mut self.current;
        let start = g.arena.len() as u32;
        g.arena.extend_from_slice(fields);
        let mut t = [0u8; 2];
        t[..msg_type.len()].copy_from_slice(msg_type);
        g.entries.push(Entry {
            seq,
            msg_type: t,
            msg_type_len: msg_type.len() as u8,
            sending_time: *sending_time,
            start,
            end: g.arena.len() as u32,
        });
    }

    pub fn get(&self, seq: u64) -> Option<SentMessage<'_>> {
        [&self.current, &self.previous].into_iter().find_map(|g| {
            let e = g.find(seq)?;
            Some(SentMessage {
                msg_type: &e.msg_type[..usize::from(e.msg_type_len)],
                sending_time: &e.sending_time,
                fields: g.arena.get(e.start as usize..e.end as usize)?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_messages_are_found_by_sequence_number() {
        let mut s = SentMessages::default();
        s.record(5, b"D", b"20240101-00:00:00.000", b"11=A\x01");
        s.record(7, b"F", b"20240101-00:00:01.000", b"11=B\x01");
        let m = s.get(7).unwrap();
        assert_eq!((m.msg_type, m.fields), (&b"F"[..], &b"11=B\x01"[..]));
        assert!(s.get(6).is_none());
        s.clear();
        assert!(s.get(5).is_none());
    }

    #[test]
    fn past_two_generations_the_oldest_messages_are_forgotten() {
        let mut s = SentMessages::default();
        let body = vec![b'x'; GENERATION_BYTES / 4];
        for seq in 1..=12 {
            s.record(seq, b"D", b"20240101-00:00:00.000", &body);
        }
        assert!(s.get(1).is_none(), "forgotten");
        assert!(s.get(12).is_some() && s.get(5).is_some());
    }
}
