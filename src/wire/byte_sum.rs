//! The sum of a buffer's bytes (FIX's CheckSum is it modulo 256): sixteen
//! bytes per step with SSE2's sum-of-absolute-differences on x86-64 (the
//! compiler's auto-vectorised loop kept each byte in its own scalar add,
//! per `perf annotate` of the encode benchmark) and the tail as one masked
//! load; eight per step with word arithmetic elsewhere.

/// `LEN / 2` zero bytes, then `LEN / 2` bytes of 0xff: the `LEN / 2` bytes
/// from offset `r` are a mask that keeps the last `r` bytes of a load of
/// that size (and clears the bytes an earlier load already counted).
#[cfg(target_arch = "x86_64")]
pub(crate) const fn keep_last_mask<const LEN: usize>() -> [u8; LEN] {
    let mut m = [0u8; LEN];
    let mut i = LEN / 2;
    while i < LEN {
        m[i] = 0xff;
        i += 1;
    }
    m
}

/// The sum of `bytes` (wrapping; FIX frames are far too short to wrap).
#[cfg(target_arch = "x86_64")]
#[inline]
pub fn byte_sum(bytes: &[u8]) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi64, _mm_and_si128, _mm_cvtsi128_si64, _mm_loadu_si128, _mm_sad_epu8,
        _mm_setzero_si128, _mm_unpackhi_epi64,
    };
    /// 16 bytes from offset `r` keep the last `r` bytes of a 16-byte load.
    static KEEP_LAST: [u8; 32] = keep_last_mask();
    let n = bytes.len();
    if n < 16 {
        return bytes.iter().map(|&b| u64::from(b)).sum();
    }
    let mut chunks = bytes.chunks_exact(16);
    let rest = chunks.remainder().len();
    // SAFETY: SSE2 is part of the x86-64 baseline. Each load reads 16 bytes
    // inside the slice: one chunk, or the slice's last 16 bytes (n >= 16),
    // or 16 bytes of KEEP_LAST from rest <= 15 (unaligned loads are allowed).
    unsafe {
        let zero = _mm_setzero_si128();
        let mut acc = zero;
        for c in &mut chunks {
            let x = _mm_loadu_si128(c.as_ptr() as *const __m128i);
            acc = _mm_add_epi64(acc, _mm_sad_epu8(x, zero));
        }
        // The bytes after the last whole chunk: the slice's last 16 bytes,
        // with the ones already counted masked off (no byte-by-byte tail).
        let last = _mm_loadu_si128(bytes.as_ptr().add(n - 16) as *const __m128i);
        let keep = _mm_loadu_si128(KEEP_LAST.as_ptr().add(rest) as *const __m128i);
        acc = _mm_add_epi64(acc, _mm_sad_epu8(_mm_and_si128(last, keep), zero));
        let hi = _mm_unpackhi_epi64(acc, acc);
        (_mm_cvtsi128_si64(acc) as u64).wrapping_add(_mm_cvtsi128_si64(hi) as u64)
    }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
pub fn byte_sum(bytes: &[u8]) -> u64 {
    let mut total = 0u64;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let x = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        total += word_byte_sum(x);
    }
    total + words.remainder().iter().map(|&b| u64::from(b)).sum::<u64>()
}

/// The sum of the eight bytes of `word`.
#[inline(always)]
pub fn word_byte_sum(word: u64) -> u64 {
    const EVEN: u64 = 0x00FF_00FF_00FF_00FF;
    let pairs = (word & EVEN) + ((word >> 8) & EVEN);
    pairs.wrapping_mul(0x0001_0001_0001_0001) >> 48
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_sum_matches_a_plain_byte_loop(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
            prop_assert_eq!(byte_sum(&bytes), bytes.iter().map(|&b| u64::from(b)).sum::<u64>());
        }

        #[test]
        fn a_word_sums_to_its_eight_bytes(word in any::<u64>()) {
            let bytes = word.to_le_bytes();
            prop_assert_eq!(word_byte_sum(word), bytes.iter().map(|&b| u64::from(b)).sum::<u64>());
        }
    }
}
