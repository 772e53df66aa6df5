//! Where a given byte occurs in a buffer, as bitmasks (bit `i` of word
//! `k` for byte `64k + i`): sixteen bytes per step with an SSE2 compare on
//! x86-64 (part of the base instruction set), eight per step with word
//! arithmetic elsewhere. Finding FIX's SOH this way turns an unpredictable
//! byte loop per field into a count-trailing-zeros per field (measured:
//! `cargo bench --bench fix_codec`, see BENCHMARKS.md).

const LOW_SEVEN: u64 = 0x7F7F_7F7F_7F7F_7F7F;
const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of each byte of `x` that equals `needle` (exact: no false
/// positives).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
fn equal_bytes(x: u64, needle: u8) -> u64 {
    let t = x ^ (ONES * u64::from(needle));
    !(((t & LOW_SEVEN) + LOW_SEVEN) | t | LOW_SEVEN)
}

/// The eight high bits of `h` as one byte (byte 0's bit first).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
fn gather(h: u64) -> u64 {
    ((h >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

/// Fills `masks` with where `needle` occurs in `bytes` (it may not be
/// zero: the tail is padded with zeros).
pub fn byte_mask(bytes: &[u8], needle: u8, masks: &mut Vec<u64>) {
    masks.clear();
    for block in bytes.chunks(64) {
        masks.push(block_mask(block, needle));
    }
}

/// The mask for up to 64 bytes.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn block_mask(block: &[u8], needle: u8) -> u64 {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
    let lane = |sixteen: &[u8; 16]| {
        // SAFETY: SSE2 is part of the x86-64 baseline, so these intrinsics
        // are always available; the load reads exactly the 16 bytes of the
        // array (unaligned loads are allowed).
        unsafe {
            let x = _mm_loadu_si128(sixteen.as_ptr().cast());
            _mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(needle as i8))) as u16
        }
    };
    let mut mask = 0u64;
    let mut chunks = block.chunks_exact(16);
    let mut k = 0;
    for c in &mut chunks {
        mask |= u64::from(lane(c.try_into().expect("16 bytes"))) << (16 * k);
        k += 1;
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut padded = [0u8; 16];
        padded[..tail.len()].copy_from_slice(tail);
        mask |= u64::from(lane(&padded)) << (16 * k);
    }
    mask
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn block_mask(block: &[u8], needle: u8) -> u64 {
    let mut mask = 0u64;
    for (k, chunk) in block.chunks(8).enumerate() {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        mask |= gather(equal_bytes(u64::from_le_bytes(word), needle)) << (8 * k);
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_word_arithmetic_fallback_finds_exactly_the_matching_bytes() {
        for needle in 1..=255u8 {
            for pos in 0..8 {
                let mut word = [needle.wrapping_add(1).max(1); 8];
                word[pos] = needle;
                let got = gather(equal_bytes(u64::from_le_bytes(word), needle));
                assert_eq!(got, 1 << pos, "needle {needle} at {pos}");
            }
        }
    }

    proptest! {
        #[test]
        fn masks_mark_exactly_the_bytes_that_match(bytes in proptest::collection::vec(any::<u8>(), 0..300), needle in 1u8..) {
            let mut masks = Vec::new();
            byte_mask(&bytes, needle, &mut masks);
            prop_assert_eq!(masks.len(), bytes.len().div_ceil(64));
            for (i, &byte) in bytes.iter().enumerate() {
                prop_assert_eq!(masks[i / 64] >> (i % 64) & 1 == 1, byte == needle, "byte {} at {}", byte, i);
            }
        }
    }
}
