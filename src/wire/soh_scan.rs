//! One pass over a FIX frame for the two things the parser needs from every
//! byte: their sum (the CheckSum) and where SOH is, as bitmasks (bit `i` of
//! word `k` for byte `64k + i`). On x86-64 each 16 bytes take one load, one
//! sum-of-absolute-differences and one compare-and-movemask (SSE2, part of
//! the base instruction set); elsewhere, word arithmetic eight bytes at a
//! time. Finding SOH this way turns an unpredictable byte loop per field
//! into a count-trailing-zeros per field, and sharing the loads with the
//! checksum halves the passes (measured: `cargo bench --bench fix_codec`,
//! see BENCHMARKS.md).

use super::fix::SOH;

/// The masks for `len` bytes.
pub const fn mask_words(len: usize) -> usize {
    len.div_ceil(64)
}

/// The sum of `bytes` (wrapping; frames are far too short to wrap), and
/// `masks[..mask_words(bytes.len())]` set to where SOH is in `bytes`.
/// Returns `None`, touching nothing, when `masks` is too short.
#[inline]
pub fn sum_and_soh_masks(bytes: &[u8], masks: &mut [u64]) -> Option<u64> {
    let masks = masks.get_mut(..mask_words(bytes.len()))?;
    #[cfg(target_arch = "x86_64")]
    return Some(sse2::sum_and_masks(bytes, masks));
    #[cfg(not(target_arch = "x86_64"))]
    return Some(portable::sum_and_masks(bytes, masks));
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use super::SOH;
    use crate::wire::byte_sum::keep_last_mask;
    use std::arch::x86_64::{
        __m128i, _mm_add_epi64, _mm_and_si128, _mm_cmpeq_epi8, _mm_cvtsi128_si64, _mm_loadu_si128,
        _mm_movemask_epi8, _mm_sad_epu8, _mm_set1_epi8, _mm_setzero_si128, _mm_unpackhi_epi64,
    };

    /// Byte `i` of the last block is new (not in an earlier block) when
    /// `KEEP[i + rest]` is 0xff, `rest` being how many bytes are new.
    static KEEP: [u8; 128] = keep_last_mask();

    /// Sums and SOH mask of the 64 bytes at `block`, each byte first ANDed
    /// with the 64 bytes at `keep`.
    ///
    /// # Safety
    /// `block` and `keep` must each point to 64 readable bytes.
    #[inline(always)]
    unsafe fn block(block: *const u8, keep: *const u8, acc: &mut __m128i) -> u64 {
        // SAFETY: the caller guarantees 64 readable bytes behind both
        // pointers; unaligned loads are allowed; SSE2 is always present on
        // x86-64.
        unsafe {
            let zero = _mm_setzero_si128();
            let soh = _mm_set1_epi8(SOH as i8);
            let mut mask = 0u64;
            for k in 0..4 {
                let x = _mm_loadu_si128(block.add(16 * k).cast::<__m128i>());
                let x = _mm_and_si128(x, _mm_loadu_si128(keep.add(16 * k).cast::<__m128i>()));
                *acc = _mm_add_epi64(*acc, _mm_sad_epu8(x, zero));
                let m = _mm_movemask_epi8(_mm_cmpeq_epi8(x, soh)) as u16;
                mask |= u64::from(m) << (16 * k);
            }
            mask
        }
    }

    #[inline]
    pub fn sum_and_masks(bytes: &[u8], masks: &mut [u64]) -> u64 {
        debug_assert_eq!(masks.len(), bytes.len().div_ceil(64));
        let n = bytes.len();
        let full = n / 64;
        let rest = n % 64;
        let all = KEEP[64..].as_ptr();
        // SAFETY: SSE2 is always present on x86-64.
        let mut acc = unsafe { _mm_setzero_si128() };
        for (k, mask) in masks[..full].iter_mut().enumerate() {
            // SAFETY: block k is bytes[64k..64k + 64], inside `bytes`
            // because k < n / 64; `all` is KEEP[64..128].
            *mask = unsafe { block(bytes.as_ptr().add(64 * k), all, &mut acc) };
        }
        if rest != 0 {
            let last = if n >= 64 {
                // The 64 bytes ending at n, of which the last `rest` are
                // new.
                // SAFETY: n >= 64, so bytes[n - 64..n] is inside `bytes`;
                // rest < 64, so KEEP[rest..rest + 64] is inside KEEP.
                let mask = unsafe {
                    block(
                        bytes.as_ptr().add(n - 64),
                        KEEP.as_ptr().add(rest),
                        &mut acc,
                    )
                };
                mask >> (64 - rest)
            } else {
                // A frame shorter than one block: a zero-padded copy
                // (zero adds nothing and is not SOH).
                let mut padded = [0u8; 64];
                padded[..n].copy_from_slice(bytes);
                // SAFETY: `padded` is 64 bytes; `all` is KEEP[64..128].
                unsafe { block(padded.as_ptr(), all, &mut acc) }
            };
            masks[full] = last;
        }
        // SAFETY: SSE2 is always present on x86-64.
        unsafe {
            let hi = _mm_unpackhi_epi64(acc, acc);
            (_mm_cvtsi128_si64(acc) as u64).wrapping_add(_mm_cvtsi128_si64(hi) as u64)
        }
    }
}

/// Word arithmetic, for other targets (compiled and tested everywhere).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
mod portable {
    use super::SOH;
    use crate::wire::byte_sum::word_byte_sum;

    const LOW_SEVEN: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const ONES: u64 = 0x0101_0101_0101_0101;

    /// The high bit of each byte of `x` that is SOH (exact).
    #[inline(always)]
    fn soh_bytes(x: u64) -> u64 {
        let t = x ^ (ONES * u64::from(SOH));
        !(((t & LOW_SEVEN) + LOW_SEVEN) | t | LOW_SEVEN)
    }

    /// The eight high bits of `h` as one byte (byte 0's bit first).
    #[inline(always)]
    fn gather(h: u64) -> u64 {
        ((h >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
    }

    pub fn sum_and_masks(bytes: &[u8], masks: &mut [u64]) -> u64 {
        let mut sum = 0u64;
        for (block, mask) in bytes.chunks(64).zip(masks.iter_mut()) {
            *mask = 0;
            for (k, chunk) in block.chunks(8).enumerate() {
                let mut word = [0u8; 8];
                word[..chunk.len()].copy_from_slice(chunk);
                let x = u64::from_le_bytes(word);
                *mask |= gather(soh_bytes(x)) << (8 * k);
                sum += word_byte_sum(x);
            }
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Whether `sum` and `masks` are what a byte loop over `bytes` gives.
    fn agrees_with_a_byte_loop(bytes: &[u8], sum: u64, masks: &[u64]) -> bool {
        sum == bytes.iter().map(|&b| u64::from(b)).sum::<u64>()
            && bytes
                .iter()
                .enumerate()
                .all(|(i, &b)| (masks[i / 64] >> (i % 64) & 1 == 1) == (b == SOH))
            && (bytes.len() % 64 == 0 || masks[bytes.len() / 64] >> (bytes.len() % 64) == 0)
    }

    /// Lengths around every block and chunk boundary, with SOH every
    /// third byte.
    fn boundary_cases() -> impl Iterator<Item = Vec<u8>> {
        [0usize, 1, 7, 8, 9, 15, 16, 63, 64, 65, 127, 128, 200]
            .into_iter()
            .map(|n| {
                (0..n)
                    .map(|i| if i % 3 == 0 { SOH } else { (i as u8) | 0x80 })
                    .collect()
            })
    }

    #[test]
    fn short_and_exact_block_lengths_are_covered() {
        for bytes in boundary_cases() {
            let mut masks = [u64::MAX; 4];
            let sum = sum_and_soh_masks(&bytes, &mut masks).unwrap();
            assert!(
                agrees_with_a_byte_loop(&bytes, sum, &masks),
                "{} bytes",
                bytes.len()
            );
        }
        assert_eq!(sum_and_soh_masks(&[0u8; 65], &mut [0u64; 1]), None);
    }

    #[test]
    fn the_portable_version_agrees_with_a_byte_loop() {
        for bytes in boundary_cases() {
            let mut masks = vec![u64::MAX; mask_words(bytes.len())];
            let sum = portable::sum_and_masks(&bytes, &mut masks);
            assert!(
                agrees_with_a_byte_loop(&bytes, sum, &masks),
                "{} bytes",
                bytes.len()
            );
        }
    }

    proptest! {
        // Minutes under Miri; the example tests cover every path there.
        #[test]
        #[cfg_attr(miri, ignore = "minutes under Miri; the example tests cover every path")]
        fn sum_and_masks_match_a_byte_loop(raw in proptest::collection::vec(any::<u8>(), 0..400)) {
            // One byte in eight becomes SOH.
            let bytes: Vec<u8> = raw.iter().map(|&b| if b < 32 { SOH } else { b }).collect();
            let mut masks = [u64::MAX; 8];
            let sum = sum_and_soh_masks(&bytes, &mut masks).unwrap();
            prop_assert!(agrees_with_a_byte_loop(&bytes, sum, &masks));
            let mut masks = [u64::MAX; 8];
            let sum = portable::sum_and_masks(&bytes, &mut masks[..mask_words(bytes.len())]);
            prop_assert!(agrees_with_a_byte_loop(&bytes, sum, &masks), "portable");
        }
    }
}
