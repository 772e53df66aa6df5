//! One field's value inside its verified frame. Numbers of up to eight
//! digits (every quantity and price part an order-entry message carries)
//! are read as one word with [`super::digit_word`], which is safe because a
//! value is always followed by at least eight bytes of its frame (its SOH
//! and the `10=NNN` SOH trailer); anything else takes the byte-by-byte
//! path, which defines the result.

use super::digit_word::{digit_prefix_len, digits_value, word_at};

#[derive(Clone, Copy, Debug)]
pub struct FieldValue<'a> {
    frame: &'a [u8],
    start: usize,
    end: usize,
}

/// 10^(4 - decimals): the scale of a fraction of 0 to 4 digits in
/// Price(4) units.
const FRACTION_SCALE: [u32; 5] = [10_000, 1_000, 100, 10, 1];

impl<'a> FieldValue<'a> {
    /// The value `frame[start..end]`.
    pub(crate) fn new(frame: &'a [u8], start: usize, end: usize) -> Self {
        debug_assert!(start <= end && end <= frame.len());
        FieldValue { frame, start, end }
    }

    #[inline]
    pub fn bytes(self) -> &'a [u8] {
        self.frame.get(self.start..self.end).unwrap_or(&[])
    }

    /// A one-character value.
    #[inline]
    pub fn char(self) -> Option<u8> {
        match self.bytes() {
            [c] => Some(*c),
            _ => None,
        }
    }

    /// The value's leading digits as one word: (their count, the word).
    #[inline(always)]
    fn digits_at(self, at: usize) -> Option<(usize, u64)> {
        let w = word_at(self.frame, at)?;
        Some((digit_prefix_len(w), w))
    }

    /// A value of one to eight digits, read as one word.
    #[inline(always)]
    fn short_digits(self) -> Option<u64> {
        let len = self.end - self.start;
        let (n, w) = self.digits_at(self.start)?;
        (n == len && (1..=8).contains(&len)).then(|| u64::from(digits_value(w, len)))
    }

    /// Digits only, at most 19.
    #[inline]
    pub fn digits(self) -> Option<u64> {
        self.short_digits().or_else(|| parse_digits(self.bytes()))
    }

    /// A quantity: digits, optionally with an all-zero fraction ("100.00").
    #[inline]
    pub fn qty(self) -> Option<u64> {
        self.short_digits().or_else(|| parse_qty(self.bytes()))
    }

    /// A price as Price(4) (1/10,000), exactly: digits, an optional point
    /// and up to four decimals.
    #[inline]
    pub fn price4(self) -> Option<u32> {
        if let Some((n, w)) = self.digits_at(self.start) {
            if (1..=6).contains(&n) {
                let whole = u64::from(digits_value(w, n)) * 10_000;
                let after = self.start + n;
                if after == self.end {
                    return u32::try_from(whole).ok();
                }
                if (w >> (8 * n)) as u8 == b'.' {
                    if let Some((d, f)) = self.digits_at(after + 1) {
                        if after + 1 + d == self.end && d <= 4 {
                            let frac = if d == 0 { 0 } else { digits_value(f, d) };
                            return u32::try_from(whole + u64::from(frac * FRACTION_SCALE[d])).ok();
                        }
                    }
                }
            }
        }
        parse_price4(self.bytes())
    }
}

/// Digits only, at most 19 (so the value fits a u64).
pub fn parse_digits(v: &[u8]) -> Option<u64> {
    if v.is_empty() || v.len() > 19 || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    v.iter().try_fold(0u64, |a, &d| {
        a.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

/// Digits with an optional all-zero fraction ("100", "100.00").
pub fn parse_qty(v: &[u8]) -> Option<u64> {
    let (whole, frac) = match v.iter().position(|&b| b == b'.') {
        Some(i) => (&v[..i], &v[i + 1..]),
        None => (v, &v[..0]),
    };
    if whole.len() > 18 || !frac.iter().all(|&d| d == b'0') {
        return None;
    }
    parse_digits(whole)
}

/// "87.39" → 873900. Digits, an optional point and up to four decimals.
pub fn parse_price4(v: &[u8]) -> Option<u32> {
    let (whole, frac) = match v.iter().position(|&b| b == b'.') {
        Some(i) => (&v[..i], &v[i + 1..]),
        None => (v, &v[..0]),
    };
    if whole.is_empty() || whole.len() > 6 || frac.len() > 4 {
        return None;
    }
    if !whole.iter().chain(frac).all(u8::is_ascii_digit) {
        return None;
    }
    let mut units = whole
        .iter()
        .fold(0u64, |a, &d| a * 10 + u64::from(d - b'0'))
        * 10_000;
    let mut scale = 1_000;
    for &d in frac {
        units += u64::from(d - b'0') * scale;
        scale /= 10;
    }
    u32::try_from(units).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `text` as a value followed by SOH and a checksum trailer, as in a
    /// frame.
    fn in_frame(text: &[u8]) -> (Vec<u8>, usize) {
        let mut frame = b"55=".to_vec();
        frame.extend_from_slice(text);
        frame.extend_from_slice(b"\x0110=123\x01");
        (frame, text.len())
    }

    #[test]
    fn numbers_read_as_words_and_byte_by_byte_agree_on_examples() {
        for (text, qty, price) in [
            (&b"100"[..], Some(100), Some(1_000_000)),
            (b"100.00", Some(100), Some(1_000_000)),
            (b"190.25", None, Some(1_902_500)),
            (b"0.0001", None, Some(1)),
            (b"429496.7295", None, Some(u32::MAX)),
            (b"429496.7296", None, None),
            (b"12345678", Some(12_345_678), None),
            (b"123456789", Some(123_456_789), None),
            (b"18446744073709551615", None, None),
            (b"1.", Some(1), Some(10_000)),
            (b".5", None, None),
            (b"", None, None),
            (b"-1", None, None),
            (b"1.00001", None, None),
        ] {
            let (frame, len) = in_frame(text);
            let v = FieldValue::new(&frame, 3, 3 + len);
            assert_eq!(v.bytes(), text);
            assert_eq!(v.qty(), qty, "qty {:?}", String::from_utf8_lossy(text));
            assert_eq!(
                v.price4(),
                price,
                "price {:?}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn prices_parse_exactly() {
        assert_eq!(parse_price4(b"87.39"), Some(873_900));
        assert_eq!(parse_price4(b"0.0001"), Some(1));
        assert_eq!(parse_price4(b"100"), Some(1_000_000));
        assert_eq!(parse_price4(b"1.00001"), None);
        assert_eq!(parse_price4(b"-1"), None);
        assert_eq!(parse_price4(b""), None);
    }

    proptest! {
        #[test]
        fn word_reads_agree_with_byte_by_byte_parsing(text in "[0-9.x]{0,14}") {
            let (frame, len) = in_frame(text.as_bytes());
            let v = FieldValue::new(&frame, 3, 3 + len);
            prop_assert_eq!(v.digits(), parse_digits(text.as_bytes()));
            prop_assert_eq!(v.qty(), parse_qty(text.as_bytes()));
            prop_assert_eq!(v.price4(), parse_price4(text.as_bytes()));
        }

        #[test]
        fn long_digit_runs_never_overflow(text in "[0-9]{15,19}") {
            let (frame, len) = in_frame(text.as_bytes());
            prop_assert_eq!(FieldValue::new(&frame, 3, 3 + len).digits(), text.parse::<u64>().ok());
        }
    }
}
