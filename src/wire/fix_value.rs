//! One field's value inside its verified frame. Numbers of up to eight
//! digits (every quantity and price part an order-entry message carries)
//! are read as one word with [`super::digit_word`]: a value is always
//! followed by at least eight bytes of its frame (its SOH and the `10=NNN`
//! SOH trailer), so the eight bytes from its start are read when the value
//! is made. Anything longer takes the byte-by-byte path, which defines the
//! result.

use super::digit_word::{digit_prefix_len, digits_value};

#[derive(Clone, Copy, Debug)]
pub struct FieldValue<'a> {
    value: &'a [u8],
    /// The eight bytes of the frame from the value's start.
    word: u64,
}

/// 10^(4 - decimals): the scale of a fraction of 0 to 4 digits in
/// Price(4) units.
const FRACTION_SCALE: [u32; 5] = [10_000, 1_000, 100, 10, 1];

impl<'a> FieldValue<'a> {
    /// The value `frame[start..end]`, if it is followed by at least eight
    /// bytes of `frame` (parsing uses [`Self::new_unchecked`] on fields it
    /// has checked).
    #[cfg(test)]
    pub(crate) fn new(frame: &'a [u8], start: usize, end: usize) -> Option<Self> {
        use super::digit_word::word_at;
        let value = frame.get(start..end)?;
        word_at(frame, end)?;
        Some(FieldValue {
            value,
            word: word_at(frame, start)?,
        })
    }

    /// The value `frame[start..end]`, without checks.
    ///
    /// # Safety
    /// `start <= end` and `end + 8 <= frame.len()`, as for every field of
    /// a parsed frame.
    #[inline(always)]
    pub(crate) unsafe fn new_unchecked(frame: &'a [u8], start: usize, end: usize) -> Self {
        debug_assert!(start <= end && end + 8 <= frame.len());
        // SAFETY: the caller guarantees start <= end <= end + 8 <=
        // frame.len(), so the value and the eight bytes from its start are
        // inside `frame`; `read_unaligned` has no alignment requirement.
        unsafe {
            let at = frame.as_ptr().add(start);
            FieldValue {
                value: std::slice::from_raw_parts(at, end - start),
                word: at.cast::<u64>().read_unaligned().to_le(),
            }
        }
    }

    #[inline(always)]
    pub fn bytes(self) -> &'a [u8] {
        self.value
    }

    /// A one-character value.
    #[inline(always)]
    pub fn char(self) -> Option<u8> {
        match self.value {
            [c] => Some(*c),
            _ => None,
        }
    }

    /// A value of one to eight digits, read as one word.
    #[inline(always)]
    fn short_digits(self) -> Option<u64> {
        let len = self.value.len();
        let n = digit_prefix_len(self.word);
        (n == len && (1..=8).contains(&len)).then(|| u64::from(digits_value(self.word, len)))
    }

    /// Digits only, at most 19.
    #[inline(always)]
    pub fn digits(self) -> Option<u64> {
        self.short_digits()
            .or_else(|| out_of_line(parse_digits, self.bytes()))
    }

    /// A quantity: digits, optionally with an all-zero fraction ("100.00").
    #[inline(always)]
    pub fn qty(self) -> Option<u64> {
        self.short_digits()
            .or_else(|| out_of_line(parse_qty, self.bytes()))
    }

    /// A price as Price(4) (1/10,000), exactly: digits, an optional point
    /// and up to four decimals.
    #[inline(always)]
    pub fn price4(self) -> Option<u32> {
        self.short_price4()
            .or_else(|| out_of_line(parse_price4, self.bytes()))
    }

    /// A price of at most eight characters, read as one word: the point
    /// is cut out of the word and the digits on both sides of it converted
    /// as one number. `None` sends anything else to [`parse_price4`],
    /// which defines the result.
    #[inline(always)]
    fn short_price4(self) -> Option<u32> {
        let len = self.value.len();
        let w = self.word;
        let whole = digit_prefix_len(w);
        if !(1..=8).contains(&len) || !(1..=6).contains(&whole) {
            return None;
        }
        let units = if whole == len {
            u64::from(digits_value(w, len)) * 10_000
        } else {
            // Digits running past the value (never so in a frame, where
            // its SOH follows) leave it to the byte path.
            let decimals = len.checked_sub(whole + 1)?;
            if (w >> (8 * whole)) as u8 != b'.' || decimals > 4 {
                return None;
            }
            // The bytes after the point move down one, over it.
            let below_point = (1u64 << (8 * whole)) - 1;
            let digits = (w & below_point) | ((w >> 8) & !below_point);
            if digit_prefix_len(digits) < len - 1 {
                return None;
            }
            u64::from(digits_value(digits, len - 1)) * u64::from(FRACTION_SCALE[decimals])
        };
        u32::try_from(units).ok()
    }
}

/// A byte-by-byte read, kept out of the callers' code: the word reads
/// cover the values order entry carries, so this runs only for unusual
/// text (and decides what it means).
#[cold]
#[inline(never)]
fn out_of_line<T>(parse: fn(&[u8]) -> Option<T>, value: &[u8]) -> Option<T> {
    parse(value)
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
    fn digits_after_a_value_are_not_read_as_part_of_it() {
        let frame = b"55=12345\x0110=123\x01";
        let v = FieldValue::new(frame, 3, 5).unwrap();
        assert_eq!(v.bytes(), b"12");
        assert_eq!(v.qty(), Some(12));
        assert_eq!(v.price4(), Some(120_000));
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
            let v = FieldValue::new(&frame, 3, 3 + len).unwrap();
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
            let v = FieldValue::new(&frame, 3, 3 + len).unwrap();
            prop_assert_eq!(v.digits(), parse_digits(text.as_bytes()));
            prop_assert_eq!(v.qty(), parse_qty(text.as_bytes()));
            prop_assert_eq!(v.price4(), parse_price4(text.as_bytes()));
        }

        #[test]
        fn long_digit_runs_never_overflow(text in "[0-9]{15,19}") {
            let (frame, len) = in_frame(text.as_bytes());
            prop_assert_eq!(FieldValue::new(&frame, 3, 3 + len).unwrap().digits(), text.parse::<u64>().ok());
        }
    }
}
