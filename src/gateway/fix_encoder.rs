//! Writes FIX frames without allocating: the body goes into one reused
//! buffer, then `8=`, `9=` (its length), the body and `10=` (the checksum)
//! into another, both keeping their capacity between messages.

use super::fix_time::utc_timestamp;
use crate::wire::fix::SOH;

pub struct FixEncoder {
    begin_string: Vec<u8>,
    sender: Vec<u8>,
    target: Vec<u8>,
    body: Vec<u8>,
    frame: Vec<u8>,
}

impl FixEncoder {
    pub fn new(begin_string: &str, sender: &str, target: &str) -> Self {
        FixEncoder {
            begin_string: begin_string.as_bytes().to_vec(),
            sender: sender.as_bytes().to_vec(),
            target: target.as_bytes().to_vec(),
            body: Vec::with_capacity(512),
            frame: Vec::with_capacity(1024),
        }
    }

    pub fn begin_string(&self) -> &[u8] {
        &self.begin_string
    }

    /// Starts a message: MsgType, SenderCompID, TargetCompID, MsgSeqNum and
    /// SendingTime.
    #[inline]
    pub fn begin(&mut self, msg_type: &[u8], seq: u64, unix_ns: u64) -> &mut Self {
        self.body.clear();
        self.field(35, msg_type);
        let (sender, target) = (
            std::mem::take(&mut self.sender),
            std::mem::take(&mut self.target),
        );
        self.field(49, &sender);
        self.field(56, &target);
        self.sender = sender;
        self.target = target;
        self.field_u64(34, seq);
        self.field(52, &utc_timestamp(unix_ns));
        self
    }

    #[inline]
    fn tag(&mut self, tag: u32) {
        let mut b = itoa::Buffer::new();
        self.body.extend_from_slice(b.format(tag).as_bytes());
        self.body.push(b'=');
    }

    #[inline]
    pub fn field(&mut self, tag: u32, value: &[u8]) -> &mut Self {
        self.tag(tag);
        self.body.extend_from_slice(value);
        self.body.push(SOH);
        self
    }

    #[inline]
    pub fn field_u64(&mut self, tag: u32, value: u64) -> &mut Self {
        self.tag(tag);
        let mut b = itoa::Buffer::new();
        self.body.extend_from_slice(b.format(value).as_bytes());
        self.body.push(SOH);
        self
    }

    #[inline]
    pub fn field_char(&mut self, tag: u32, value: u8) -> &mut Self {
        self.field(tag, &[value])
    }

    /// A Price(4) value as a decimal: 1902500 → "190.25".
    #[inline]
    pub fn field_price4(&mut self, tag: u32, price: u32) -> &mut Self {
        self.tag(tag);
        let mut b = itoa::Buffer::new();
        self.body
            .extend_from_slice(b.format(price / 10_000).as_bytes());
        let mut frac = price % 10_000;
        if frac != 0 {
            self.body.push(b'.');
            let mut digits = [b'0'; 4];
            for d in digits.iter_mut().rev() {
                *d = b'0' + (frac % 10) as u8;
                frac /= 10;
            }
            let len = 4 - digits.iter().rev().take_while(|&&d| d == b'0').count();
            self.body.extend_from_slice(&digits[..len]);
        }
        self.body.push(SOH);
        self
    }

    /// The body written so far (from `35=`).
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Appends fields already encoded (`tag=value SOH` ...).
    #[inline]
    pub fn raw(&mut self, fields: &[u8]) -> &mut Self {
        self.body.extend_from_slice(fields);
        self
    }

    /// Adds the header and checksum; returns the complete frame.
    #[inline]
    pub fn finish(&mut self) -> &[u8] {
        self.frame.clear();
        self.frame.extend_from_slice(b"8=");
        self.frame.extend_from_slice(&self.begin_string);
        self.frame.extend_from_slice(b"\x019=");
        let mut b = itoa::Buffer::new();
        self.frame
            .extend_from_slice(b.format(self.body.len()).as_bytes());
        self.frame.push(SOH);
        self.frame.extend_from_slice(&self.body);
        let sum = self
            .frame
            .iter()
            .fold(0u32, |s, &c| s.wrapping_add(u32::from(c)))
            % 256;
        self.frame.extend_from_slice(b"10=");
        self.frame.extend_from_slice(&[
            b'0' + (sum / 100) as u8,
            b'0' + (sum / 10 % 10) as u8,
            b'0' + (sum % 10) as u8,
            SOH,
        ]);
        &self.frame
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
        e.body.clear();
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
        ] {
            e.body.clear();
            e.field_price4(44, p);
            assert_eq!(&e.body[3..e.body.len() - 1], text.as_bytes());
        }
    }
}
