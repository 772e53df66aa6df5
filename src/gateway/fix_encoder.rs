//! Writes FIX frames without allocating. The body is written into one
//! reused buffer after some head room; `finish` then writes `8=...` and
//! `9=<body length>` into the head room just before the body (no copy of
//! the body) and appends `10=<checksum>`, taking the header's share of the
//! sum from the values it wrote rather than reading the bytes back.
//! SenderCompID and TargetCompID are rendered once; SendingTime comes from
//! a clock that reformats only the milliseconds within a second; numbers
//! below 10^8 (sequence numbers, quantities, prices, the body length) are
//! written as one word of digits ([`crate::wire::digit_text`]).

use super::fix_time::UtcClock;
use super::frame_buffer::{copy_front, FrameBuffer};
use crate::wire::byte_sum::{byte_sum, word_byte_sum};
use crate::wire::digit_text::{decimal8, price4_fraction};
use crate::wire::fix::{MAX_FRAME, SOH};

/// Room for `8=<BeginString> SOH 9=<up to 5 digits> SOH`.
const HEAD_ROOM: usize = 32;

pub struct FixEncoder {
    begin_string: Vec<u8>,
    /// `8=<BeginString> SOH 9=`.
    head_prefix: Vec<u8>,
    /// The sum of `head_prefix`'s bytes.
    head_prefix_sum: u64,
    /// `SOH 49=<sender> SOH 56=<target> SOH 34=`: what follows MsgType up
    /// to the sequence number, in one piece.
    after_msg_type: Vec<u8>,
    buf: FrameBuffer,
    clock: UtcClock,
    /// `SOH 52=<SendingTime> SOH` of the message being written.
    stamp: [u8; 26],
}

impl FixEncoder {
    pub fn new(begin_string: &str, sender: &str, target: &str) -> Self {
        assert!(
            begin_string.len() <= 16,
            "BeginString {begin_string:?} is too long"
        );
        let after_msg_type = format!("\u{1}49={sender}\u{1}56={target}\u{1}34=").into_bytes();
        let head_prefix = format!("8={begin_string}\u{1}9=").into_bytes();
        FixEncoder {
            begin_string: begin_string.as_bytes().to_vec(),
            head_prefix_sum: byte_sum(&head_prefix),
            head_prefix,
            after_msg_type,
            buf: {
                let mut b = FrameBuffer::new(HEAD_ROOM + MAX_FRAME);
                b.set_len(HEAD_ROOM);
                b
            },
            clock: UtcClock::default(),
            stamp: *b"\x0152=00000000-00:00:00.000\x01",
        }
    }

    pub fn begin_string(&self) -> &[u8] {
        &self.begin_string
    }

    /// Empties the body (the next field written is its first).
    pub fn clear(&mut self) {
        self.buf.truncate(HEAD_ROOM);
    }

    /// A piece did not fit (the message is longer than FIX allows): the
    /// frame is not to be sent.
    pub fn overflowed(&self) -> bool {
        self.buf.overflowed()
    }

    /// Starts a message: MsgType, SenderCompID, TargetCompID, MsgSeqNum and
    /// SendingTime.
    #[inline]
    pub fn begin(&mut self, msg_type: &[u8], seq: u64, unix_ns: u64) -> &mut Self {
        self.stamp[4..25].copy_from_slice(self.clock.format(unix_ns));
        self.buf.truncate(HEAD_ROOM);
        self.buf.put(b"35=");
        self.buf.put(msg_type);
        self.buf.put(&self.after_msg_type);
        self.value_u64(seq);
        self.buf.put(&self.stamp);
        self
    }

    /// The SendingTime (52) of the message being written.
    pub fn sending_time(&self) -> &[u8; 21] {
        self.stamp[4..25]
            .try_into()
            .expect("the stamp holds 21 bytes of time")
    }

    /// The body written so far (from `35=`).
    pub fn body(&self) -> &[u8] {
        &self.buf.as_slice()[HEAD_ROOM..]
    }

    /// Appends fields already encoded (`tag=value SOH` ...).
    #[inline]
    pub fn raw(&mut self, fields: &[u8]) -> &mut Self {
        self.buf.put(fields);
        self
    }

    #[inline(always)]
    fn tag(&mut self, tag: u32) {
        // Tags below 1000 (every tag on the order path) without a call.
        if tag < 1000 {
            let digits = [
                b'0' + (tag / 100) as u8,
                b'0' + (tag / 10 % 10) as u8,
                b'0' + (tag % 10) as u8,
                b'=',
            ];
            let skip = if tag < 10 {
                2
            } else if tag < 100 {
                1
            } else {
                0
            };
            self.buf.put(&digits[skip..]);
        } else {
            self.buf.put(itoa::Buffer::new().format(tag).as_bytes());
            self.buf.push(b'=');
        }
    }

    #[inline]
    pub fn field(&mut self, tag: u32, value: &[u8]) -> &mut Self {
        self.tag(tag);
        self.buf.put(value);
        self.buf.push(SOH);
        self
    }

    #[inline]
    pub fn field_u64(&mut self, tag: u32, value: u64) -> &mut Self {
        self.tag(tag);
        self.value_u64(value);
        self.buf.push(SOH);
        self
    }

    /// A bare value (no tag, no SOH): for bodies written as a template of
    /// constant pieces (`SOH tag=` runs) and values.
    #[inline]
    pub fn value_u64(&mut self, value: u64) -> &mut Self {
        match u32::try_from(value) {
            Ok(small) if small < 100_000_000 => self.put_word(decimal8(small)),
            _ => self.buf.put(itoa::Buffer::new().format(value).as_bytes()),
        }
        self
    }

    /// The first `len` bytes of `word` (text, first character lowest).
    #[inline(always)]
    fn put_word(&mut self, (word, len): (u64, usize)) {
        self.buf.put_prefix(&word.to_le_bytes(), len);
    }

    /// A bare byte (see [`FixEncoder::value_u64`]).
    #[inline]
    pub fn value_char(&mut self, value: u8) -> &mut Self {
        self.buf.push(value);
        self
    }

    #[inline]
    pub fn field_char(&mut self, tag: u32, value: u8) -> &mut Self {
        self.tag(tag);
        self.buf.push(value);
        self.buf.push(SOH);
        self
    }

    /// A Price(4) value as a decimal: 1902500 → "190.25".
    #[inline]
    pub fn field_price4(&mut self, tag: u32, price: u32) -> &mut Self {
        self.tag(tag);
        self.value_price4(price);
        self.buf.push(SOH);
        self
    }

    /// A bare Price(4) value (see [`FixEncoder::value_u64`]): the whole
    /// dollars, then the fraction without trailing zeros.
    #[inline]
    pub fn value_price4(&mut self, price: u32) -> &mut Self {
        // At most 429,496 whole dollars: below 10^8.
        self.put_word(decimal8(price / 10_000));
        let frac = price % 10_000;
        if frac != 0 {
            self.put_word(price4_fraction(frac));
        }
        self
    }

    /// Adds the header and checksum; returns the complete frame (empty if
    /// the message overflowed: see [`FixEncoder::overflowed`]).
    #[inline]
    pub fn finish(&mut self) -> &[u8] {
        const _: () = assert!(MAX_FRAME < 10_000_000, "BodyLength and SOH fit one word");
        // The body is at most MAX_FRAME bytes (the buffer's capacity).
        let (digits, len) = decimal8((self.buf.len() - HEAD_ROOM) as u32);
        let length_field = (digits | u64::from(SOH) << (8 * len)).to_le_bytes();
        let at = self.head_prefix.len();
        let head_len = at + len + 1;
        let start = HEAD_ROOM - head_len;
        let Some(head) = self.buf.slice_mut(start..HEAD_ROOM) else {
            return &[];
        };
        copy_front(head, &self.head_prefix);
        copy_front(&mut head[at..], &length_field[..len + 1]);
        // The header's sum from what was written into it, not read back
        // (reading bytes just stored with wider loads stalls until the
        // stores complete); the body was written earlier.
        let head_sum = self.head_prefix_sum + word_byte_sum(digits) + u64::from(SOH);
        let body_sum = byte_sum(&self.buf.as_slice()[HEAD_ROOM..]);
        let sum = ((head_sum + body_sum) % 256) as u32;
        self.buf.put(&[
            b'1',
            b'0',
            b'=',
            b'0' + (sum / 100) as u8,
            b'0' + (sum / 10 % 10) as u8,
            b'0' + (sum % 10) as u8,
            SOH,
        ]);
        if self.buf.overflowed() {
            return &[];
        }
        &self.buf.as_slice()[start..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::fix::parse_frame;

    #[test]
    fn encoded_frames_parse_with_the_fields_written() {
        let mut e = FixEncoder::new("FIX.4.4", "BREAKWATER", "EXECUTOR");
        e.begin(b"D", 42, 1_231_352_116_000_000_000)
            .field(11, b"BW17")
            .field_char(54, b'1')
            .field(55, b"AAPL")
            .field_u64(38, 100)
            .field_char(40, b'2')
            .field_price4(44, 1_902_500);
        let frame = e.finish().to_vec();
        let (m, used) = parse_frame(&frame).unwrap();
        assert_eq!(used, frame.len());
        assert_eq!(m.msg_type(), b"D");
        assert_eq!(m.get(49), Some(&b"BREAKWATER"[..]));
        assert_eq!(m.get(56), Some(&b"EXECUTOR"[..]));
        assert_eq!(m.sequence_number(), Some(42));
        assert_eq!(m.get(52), Some(&b"20090107-18:15:16.000"[..]));
        assert_eq!(m.get(44), Some(&b"190.25"[..]));
        assert_eq!(m.get_price4(44), Some(1_902_500));
    }

    #[test]
    fn the_published_logon_example_encodes_byte_for_byte() {
        // Wikipedia's example (BodyLength 65, CheckSum 062), whose SendingTime
        // has no milliseconds: the body is written field by field here.
        let mut e = FixEncoder::new("FIX.4.2", "SERVER", "CLIENT");
        e.clear();
        e.field(35, b"A")
            .field(49, b"SERVER")
            .field(56, b"CLIENT")
            .field_u64(34, 177);
        e.field(52, b"20090107-18:15:16")
            .field_u64(98, 0)
            .field_u64(108, 30);
        let frame = e.finish();
        assert_eq!(
            frame,
            &b"8=FIX.4.2\x019=65\x0135=A\x0149=SERVER\x0156=CLIENT\x0134=177\x0152=20090107-18:15:16\x0198=0\x01108=30\x0110=062\x01"[..]
        );
    }

    #[test]
    fn prices_format_without_trailing_zeros() {
        let mut e = FixEncoder::new("FIX.4.4", "A", "B");
        for (p, text) in [
            (1_000_000u32, "100"),
            (1_902_500, "190.25"),
            (1, "0.0001"),
            (873_900, "87.39"),
            (0, "0"),
            (u32::MAX, "429496.7295"),
            (4_294_960_000, "429496"),
        ] {
            e.clear();
            e.field_price4(44, p);
            assert_eq!(&e.body()[3..e.body().len() - 1], text.as_bytes());
        }
    }

    #[test]
    fn numbers_of_every_size_write_as_their_decimal_text() {
        let mut e = FixEncoder::new("FIX.4.4", "A", "B");
        for n in [
            0u64,
            7,
            42,
            99_999_999,
            100_000_000,
            123_456_789_012,
            u64::MAX,
        ] {
            e.clear();
            e.field_u64(38, n);
            let body = e.body();
            assert_eq!(&body[3..body.len() - 1], n.to_string().as_bytes());
        }
    }
}
