//! Decimal digits read eight at a time from one little-endian word (the
//! first byte of text in the low byte): how many leading bytes are ASCII
//! digits, and their value. A FIX tag is found and converted this way with
//! a dozen word operations and no loop (`cargo bench --bench fix_codec`,
//! see BENCHMARKS.md).

const ZEROS: u64 = 0x3030_3030_3030_3030;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `w` up to and including its first
/// non-digit is set exactly when that byte is not an ASCII digit (later
/// bytes may be marked either way).
///
/// A byte gets its high bit set when it is below '0' (the subtraction
/// wraps), above '9' (adding 0x46 reaches 0x80) or already has it. Borrows
/// and carries only run towards later bytes and only start at a non-digit,
/// so the first non-digit is always marked and no digit before it is.
#[inline(always)]
pub fn non_digit_bytes(w: u64) -> u64 {
    (w | w.wrapping_sub(ZEROS) | w.wrapping_add(0x4646_4646_4646_4646)) & HIGH_BITS
}

/// The number of leading bytes of `w` that are ASCII digits (0 to 8).
#[inline(always)]
pub fn digit_prefix_len(w: u64) -> usize {
    (non_digit_bytes(w).trailing_zeros() / 8) as usize
}

/// The value of the first `len` bytes of `w`, which must be digits, for
/// `len` from 1 to 8 (8 digits always fit a u32).
#[inline(always)]
pub fn digits_value(w: u64, len: usize) -> u32 {
    debug_assert!((1..=8).contains(&len));
    // Digit values moved to the top bytes; the emptied low bytes are
    // leading zeros. Bytes after the digits (and any borrow they caused)
    // are shifted out.
    let d = w.wrapping_sub(ZEROS).wrapping_shl(64 - 8 * len as u32);
    // Pairs, then fours, then all eight: byte 0 is the most significant.
    let d = (d & 0x0F0F_0F0F_0F0F_0F0F).wrapping_mul(2561) >> 8;
    let d = (d & 0x00FF_00FF_00FF_00FF).wrapping_mul(6_553_601) >> 16;
    let d = (d & 0x0000_FFFF_0000_FFFF).wrapping_mul(42_949_672_960_001) >> 32;
    d as u32
}

/// The eight bytes `bytes[at..at + 8]` as a little-endian word, if there
/// are eight.
#[inline(always)]
pub fn word_at(bytes: &[u8], at: usize) -> Option<u64> {
    let eight: &[u8; 8] = bytes.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_le_bytes(*eight))
}

/// The value of the first `len` bytes of `w`, which must be digits, for
/// `len` from 1 to 4 (32-bit steps; for `len` 0 the result is
/// meaningless).
#[inline(always)]
pub fn short_digits_value(w: u32, len: usize) -> u32 {
    debug_assert!(len <= 4);
    let d = w
        .wrapping_sub(0x3030_3030)
        .wrapping_shl(32 - 8 * len as u32);
    let d = (d & 0x0F0F_0F0F).wrapping_mul(2561) >> 8;
    (d & 0x00FF_00FF).wrapping_mul(6_553_601) >> 16
}

#[cfg(test)]
pub(crate) mod test_words {
    /// `text` (at most eight bytes) as a word, zero bytes after it.
    pub fn word(text: &[u8]) -> u64 {
        let mut eight = [0u8; 8];
        eight[..text.len()].copy_from_slice(text);
        u64::from_le_bytes(eight)
    }
}

#[cfg(test)]
mod tests {
    use super::test_words::word;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_number_of_up_to_five_digits_converts() {
        for n in 0..100_000u32 {
            let text = format!("{n}=");
            let w = word(text.as_bytes());
            let len = digit_prefix_len(w);
            assert_eq!(len, text.len() - 1, "{n}");
            assert_eq!(digits_value(w, len), n);
            if len <= 4 {
                assert_eq!(short_digits_value(w as u32, len), n);
            }
        }
    }

    #[test]
    fn eight_digits_and_leading_zeros_convert() {
        assert_eq!(digit_prefix_len(word(b"12345678")), 8);
        assert_eq!(digits_value(word(b"12345678"), 8), 12_345_678);
        assert_eq!(digits_value(word(b"99999999"), 8), 99_999_999);
        assert_eq!(digits_value(word(b"0042=x"), 4), 42);
        assert_eq!(digit_prefix_len(word(b"")), 0);
    }

    proptest! {
        #[test]
        fn the_digit_prefix_matches_a_byte_loop(bytes in proptest::array::uniform8(any::<u8>())) {
            let w = u64::from_le_bytes(bytes);
            let want = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            prop_assert_eq!(digit_prefix_len(w), want);
            if want > 0 {
                let value = bytes[..want].iter().fold(0u32, |a, &d| a * 10 + u32::from(d - b'0'));
                prop_assert_eq!(digits_value(w, want), value);
                if want <= 4 {
                    prop_assert_eq!(short_digits_value(w as u32, want), value);
                }
            }
        }

        #[test]
        fn a_word_is_read_only_where_eight_bytes_remain(bytes in proptest::collection::vec(any::<u8>(), 0..20), at in 0usize..24) {
            let want = bytes.get(at..at + 8).map(|eight| u64::from_le_bytes(eight.try_into().unwrap()));
            prop_assert_eq!(word_at(&bytes, at), want);
        }
    }
}
