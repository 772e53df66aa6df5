//! Numbers written as decimal text eight digits at a time: the digits of a
//! number below 10^8 are computed in one word (SIMD within a register, the
//! inverse of [`super::digit_word`]), so the FIX encoder writes a sequence
//! number, a quantity or a price with a few multiplies and one store
//! instead of a digit loop and a copy.

const ZEROS: u64 = 0x3030_3030_3030_3030;

/// The eight decimal digits of `n` (below 10^8) as values 0 to 9, one per
/// byte, the most significant in the low byte (the order they are written
/// in).
#[inline(always)]
fn digit_values8(n: u32) -> u64 {
    debug_assert!(n < 100_000_000);
    // Two four-digit halves in 32-bit lanes, the high half first.
    let x = u64::from(n / 10_000) | u64::from(n % 10_000) << 32;
    // Each lane / 100 (exact below 10^4: 10486 / 2^20 ≈ 1/100), giving
    // two-digit pairs in 16-bit lanes.
    let hundreds = ((x * 10_486) >> 20) & 0x0000_007F_0000_007F;
    let x = hundreds | (x - hundreds * 100) << 16;
    // Each pair / 10 (exact below 100: 103 / 2^10 ≈ 1/10), giving digits
    // in bytes.
    let tens = ((x * 103) >> 10) & 0x000F_000F_000F_000F;
    tens | (x - tens * 10) << 8
}

/// `n` (below 10^8) as text without leading zeros: the text in the low
/// bytes of the word (first character lowest) and its length, 1 to 8.
#[inline(always)]
pub fn decimal8(n: u32) -> (u64, usize) {
    let digits = digit_values8(n);
    // Leading zero digits are zero bytes at the low end; the last digit
    // always stays.
    let leading_zeros = ((digits.trailing_zeros() / 8) as usize).min(7);
    ((digits + ZEROS) >> (8 * leading_zeros), 8 - leading_zeros)
}

/// A Price(4) fraction (0 to 9,999 ten-thousandths, not 0) as `.dddd`
/// without trailing zeros: the text in the low bytes of the word and its
/// length, 2 to 5.
#[inline(always)]
pub fn price4_fraction(frac: u32) -> (u64, usize) {
    debug_assert!((1..10_000).contains(&frac));
    // The four digits are the low half of the eight digits of `frac`.
    let digits = digit_values8(frac) >> 32;
    // Trailing zero digits are zero bytes at the high end of the four.
    let trailing_zeros = (digits as u32).leading_zeros() as usize / 8;
    (
        u64::from(b'.') | (digits + (ZEROS >> 32)) << 8,
        5 - trailing_zeros,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(word: u64, len: usize) -> String {
        String::from_utf8(word.to_le_bytes()[..len].to_vec()).unwrap()
    }

    #[test]
    fn numbers_below_ten_to_the_eight_write_as_their_decimal_text() {
        let mut n = 0u32;
        while n < 100_000_000 {
            let (w, len) = decimal8(n);
            assert_eq!(text(w, len), n.to_string(), "{n}");
            // Every number below 10^5, then a spread over the rest.
            n += if n < 100_000 { 1 } else { 9_973 };
        }
        for n in [99_999_999, 10_000_000, 12_345_678, 9_999_999, 100_000] {
            assert_eq!(text(decimal8(n).0, decimal8(n).1), n.to_string());
        }
    }

    #[test]
    fn every_price_fraction_writes_without_trailing_zeros() {
        for frac in 1..10_000u32 {
            let (w, len) = price4_fraction(frac);
            let want = format!("{:04}", frac);
            let want = format!(".{}", want.trim_end_matches('0'));
            assert_eq!(text(w, len), want, "{frac}");
        }
    }
}
