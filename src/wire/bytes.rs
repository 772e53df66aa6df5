//! Big-endian field readers over fixed-size arrays. Offsets are constants at
//! every call site, so after inlining the bounds checks fold away; an offset
//! past the array end is a programming error caught by the unit tests of the
//! view that uses it.

#[inline(always)]
pub fn u16_at<const N: usize>(b: &[u8; N], off: usize) -> u16 {
    let mut x = [0u8; 2];
    x.copy_from_slice(&b[off..off + 2]);
    u16::from_be_bytes(x)
}

#[inline(always)]
pub fn u32_at<const N: usize>(b: &[u8; N], off: usize) -> u32 {
    let mut x = [0u8; 4];
    x.copy_from_slice(&b[off..off + 4]);
    u32::from_be_bytes(x)
}

/// A 48-bit big-endian integer (ITCH timestamps: nanoseconds since midnight).
#[inline(always)]
pub fn u48_at<const N: usize>(b: &[u8; N], off: usize) -> u64 {
    let mut x = [0u8; 8];
    x[2..].copy_from_slice(&b[off..off + 6]);
    u64::from_be_bytes(x)
}

#[inline(always)]
pub fn u64_at<const N: usize>(b: &[u8; N], off: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[off..off + 8]);
    u64::from_be_bytes(x)
}

/// A fixed-width, space-padded ASCII field with the padding (spaces and
/// NULs) trimmed. Bytes that are not ASCII make the field unreadable as
/// text; such a field is returned as the empty string rather than failing
/// the whole message.
///
/// Fields of up to eight bytes (every ITCH alpha field) are handled as one
/// word: an ASCII test, spaces turned to zero bytes, and the text ending
/// after the last non-zero byte. That replaced a byte loop and a call to
/// `str::from_utf8` which together were about 40% of the instructions of
/// decoding every field of every message (cachegrind; BENCHMARKS.md).
#[inline(always)]
pub fn alpha_at<const N: usize>(b: &[u8; N], off: usize, len: usize) -> &str {
    let raw = &b[off..off + len];
    let w = match *raw {
        [a, b, c, d, e, f, g, h] => u64::from_le_bytes([a, b, c, d, e, f, g, h]),
        [a, b, c, d] => u64::from(u32::from_le_bytes([a, b, c, d])),
        [a, b] => u64::from(u16::from_le_bytes([a, b])),
        _ => return alpha_by_bytes(raw),
    };
    if w & 0x8080_8080_8080_8080 != 0 {
        return "";
    }
    // Each space byte's high bit (exact: the bytes are ASCII), widened to
    // the whole byte.
    let t = w ^ 0x2020_2020_2020_2020;
    let low_seven = 0x7F7F_7F7F_7F7F_7F7F;
    let spaces = !(((t & low_seven) + low_seven) | t | low_seven);
    let text = w & !((spaces >> 7) * 0xFF);
    let end = 8 - text.leading_zeros() as usize / 8;
    // SAFETY: every byte of the word, and so of `raw[..end]` (end <= len:
    // the bytes past `len` are zero), is below 0x80: ASCII, which is valid
    // UTF-8.
    unsafe { std::str::from_utf8_unchecked(&raw[..end]) }
}

/// [`alpha_at`] one byte at a time, for any width.
#[cold]
fn alpha_by_bytes(raw: &[u8]) -> &str {
    let end = raw
        .iter()
        .rposition(|&c| c != b' ' && c != 0)
        .map_or(0, |i| i + 1);
    if !raw.is_ascii() {
        return "";
    }
    std::str::from_utf8(&raw[..end]).unwrap_or("")
}

/// The first `N` bytes of `bytes` as an array reference, or `None` when the
/// slice is shorter.
#[inline(always)]
pub fn prefix<const N: usize>(bytes: &[u8]) -> Option<&[u8; N]> {
    bytes.get(..N)?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_are_big_endian() {
        let b = [1u8, 2, 3, 4, 5, 6, 7, 8, 9];
        assert_eq!(u16_at(&b, 0), 0x0102);
        assert_eq!(u32_at(&b, 1), 0x0203_0405);
        assert_eq!(u48_at(&b, 0), 0x0102_0304_0506);
        assert_eq!(u64_at(&b, 1), 0x0203_0405_0607_0809);
    }

    #[test]
    fn alpha_trims_trailing_spaces_and_nuls() {
        let b = *b"AB  \0\0";
        assert_eq!(alpha_at(&b, 0, 6), "AB");
        assert_eq!(alpha_at(&b, 2, 4), "");
    }

    proptest::proptest! {
        // Minutes under Miri even with few cases; the example tests cover
        // the same code there.
        #[test]
        #[cfg_attr(miri, ignore = "minutes under Miri; the example tests cover this code")]
        fn the_word_at_a_time_trim_matches_the_byte_loop(
            bytes in proptest::collection::vec(proptest::prop_oneof![
                proptest::prelude::Just(b' '), proptest::prelude::Just(0u8), 0x21u8..0x7f, proptest::prelude::any::<u8>()
            ], 12),
            off in 0usize..4,
            len in 0usize..=8,
        ) {
            let b: [u8; 12] = bytes.try_into().unwrap();
            proptest::prop_assert_eq!(alpha_at(&b, off, len), alpha_by_bytes(&b[off..off + len]));
        }
    }

    #[test]
    fn non_ascii_alpha_reads_as_empty() {
        let b = [0xffu8, b'A'];
        assert_eq!(alpha_at(&b, 0, 2), "");
        assert_eq!(
            alpha_at("é ".as_bytes().try_into().unwrap_or(&[0u8; 3]), 0, 3),
            ""
        );
    }

    #[test]
    fn prefix_refuses_short_slices() {
        assert!(prefix::<4>(&[1, 2, 3]).is_none());
        assert_eq!(prefix::<2>(&[1, 2, 3]), Some(&[1, 2]));
    }
}
