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

/// A fixed-width, space-padded ASCII field with the padding trimmed. Bytes
/// that are not ASCII make the field unreadable as text; such a field is
/// returned as the empty string rather than failing the whole message.
#[inline]
pub fn alpha_at<const N: usize>(b: &[u8; N], off: usize, len: usize) -> &str {
    let raw = &b[off..off + len];
    let end = raw
        .iter()
        .rposition(|&c| c != b' ' && c != 0)
        .map_or(0, |i| i + 1);
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

    #[test]
    fn non_ascii_alpha_reads_as_empty() {
        let b = [0xffu8, b'A'];
        assert_eq!(alpha_at(&b, 0, 2), "");
    }

    #[test]
    fn prefix_refuses_short_slices() {
        assert!(prefix::<4>(&[1, 2, 3]).is_none());
        assert_eq!(prefix::<2>(&[1, 2, 3]), Some(&[1, 2]));
    }
}
