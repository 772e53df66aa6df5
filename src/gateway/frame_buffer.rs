//! The byte buffer the FIX encoder writes into: fixed, initialised storage
//! and a cursor. Short pieces (tags, ids, numbers: almost every write) are
//! copied with fixed-size moves instead of a `memcpy` call per piece, which
//! profiling showed to be a fifth of the cost of encoding a
//! NewOrderSingle. A write that would not fit is dropped and remembered
//! ([`FrameBuffer::overflowed`]); nothing panics.

/// Room kept free past the cursor for the fixed-size moves.
const SLACK: usize = 16;

pub struct FrameBuffer {
    /// `capacity` bytes and the slack.
    bytes: Box<[u8]>,
    capacity: usize,
    len: usize,
    overflowed: bool,
}

impl FrameBuffer {
    pub fn new(capacity: usize) -> Self {
        FrameBuffer {
            bytes: vec![0u8; capacity + SLACK].into_boxed_slice(),
            capacity,
            len: 0,
            overflowed: false,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn overflowed(&self) -> bool {
        self.overflowed
    }

    /// Keeps the first `len` bytes and clears the overflow mark.
    pub fn truncate(&mut self, len: usize) {
        self.len = len.min(self.len);
        self.overflowed = false;
    }

    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// The bytes `range`, written so far or not (for the header written
    /// into head room).
    pub fn slice_mut(&mut self, range: std::ops::Range<usize>) -> Option<&mut [u8]> {
        self.bytes.get_mut(range)
    }

    /// Sets the length (the bytes up to it count as written).
    pub fn set_len(&mut self, len: usize) {
        if len <= self.capacity {
            self.len = len;
        } else {
            self.overflowed = true;
        }
    }

    /// Whether `n` more bytes fit (`len <= capacity` always holds, so the
    /// subtraction cannot wrap).
    #[inline(always)]
    fn fits(&self, n: usize) -> bool {
        n <= self.capacity - self.len
    }

    /// The `SLACK.max(n)` bytes from the cursor, for a piece of `n` bytes
    /// that [`FrameBuffer::fits`].
    #[inline(always)]
    fn tail_for(&mut self, n: usize) -> &mut [u8] {
        debug_assert!(self.fits(n));
        let end = self.len + n.max(SLACK);
        // SAFETY: `len + n <= capacity` (the caller checked `fits(n)`) and
        // `len <= capacity`, so `len + max(n, SLACK) <= capacity + SLACK`,
        // which is `bytes.len()`.
        unsafe { self.bytes.get_unchecked_mut(self.len..end) }
    }

    #[inline(always)]
    pub fn push(&mut self, b: u8) {
        if self.fits(1) {
            self.tail_for(1)[0] = b;
            self.len += 1;
        } else {
            self.overflowed = true;
        }
    }

    /// Writes the first `keep` bytes of `src` (at most N) with one
    /// fixed-size move of all N.
    #[inline(always)]
    pub fn put_prefix<const N: usize>(&mut self, src: &[u8; N], keep: usize) {
        if self.fits(N) && keep <= N {
            self.tail_for(N)[..N].copy_from_slice(src);
            self.len += keep;
        } else {
            self.overflowed = true;
        }
    }

    #[inline(always)]
    pub fn put(&mut self, src: &[u8]) {
        let n = src.len();
        if self.fits(n) {
            copy_front(self.tail_for(n), src);
            self.len += n;
        } else {
            self.overflowed = true;
        }
    }
}

/// Copies `src` to the front of `dst` (which must be at least as long)
/// with fixed-size moves: two overlapping moves cover any length up to 32.
#[inline(always)]
pub fn copy_front(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    match n {
        17..=32 => overlapping_moves::<16>(dst, src),
        8..=16 => overlapping_moves::<8>(dst, src),
        4..=7 => overlapping_moves::<4>(dst, src),
        2..=3 => overlapping_moves::<2>(dst, src),
        1 => dst[0] = src[0],
        0 => {}
        _ => dst[..n].copy_from_slice(src),
    }
}

/// Copies `src` (K to 2K bytes) to the front of `dst` as two K-byte moves,
/// the first from its start and the second ending at its end.
#[inline(always)]
fn overlapping_moves<const K: usize>(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    dst[..K].copy_from_slice(&src[..K]);
    dst[n - K..n].copy_from_slice(&src[n - K..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_of_every_length_are_written_exactly() {
        let mut b = FrameBuffer::new(1024);
        let mut expected = Vec::new();
        for n in 0..40 {
            let piece: Vec<u8> = (0..n).map(|i| (i * 7 + n) as u8).collect();
            b.put(&piece);
            b.push(b'|');
            expected.extend_from_slice(&piece);
            expected.push(b'|');
        }
        assert_eq!(b.as_slice(), &expected[..]);
        assert!(!b.overflowed());
    }

    #[test]
    fn a_prefix_keeps_only_the_bytes_asked_for() {
        let mut b = FrameBuffer::new(16);
        b.put_prefix(b"abcde", 2);
        b.put_prefix(b"xyz", 3);
        assert_eq!(b.as_slice(), b"abxyz");
        b.put_prefix(b"0123456789ab", 1);
        assert!(b.overflowed(), "12 bytes at 5 do not fit in 16");
        assert_eq!(b.as_slice(), b"abxyz");
    }

    #[test]
    fn a_write_past_the_capacity_is_dropped_and_remembered() {
        let mut b = FrameBuffer::new(10);
        b.put(b"12345678");
        b.put(b"abcdefgh");
        assert!(b.overflowed());
        assert_eq!(b.as_slice(), b"12345678");
        b.truncate(0);
        assert!(!b.overflowed());
    }

    /// Pieces of every length written into buffers of every small capacity
    /// keep exactly what fits (the unchecked moves near the end included).
    #[test]
    fn pieces_fill_a_buffer_exactly_to_its_capacity() {
        for capacity in 0..40 {
            for n in 0..34 {
                let piece: Vec<u8> = (0..n).map(|i| b'a' + i as u8).collect();
                let mut b = FrameBuffer::new(capacity);
                let (mut model, mut refused) = (Vec::new(), false);
                let mut write = |model: &mut Vec<u8>, room: usize, bytes: &[u8]| {
                    if model.len() + room <= capacity {
                        model.extend_from_slice(bytes);
                    } else {
                        refused = true;
                    }
                };
                for keep in 0..4 {
                    b.put(&piece);
                    write(&mut model, n, &piece);
                    b.push(b'|');
                    write(&mut model, 1, b"|");
                    // A prefix needs room for the whole move.
                    b.put_prefix(b"0123", keep);
                    write(&mut model, 4, &b"0123"[..keep]);
                }
                assert_eq!(b.as_slice(), &model[..], "capacity {capacity}, piece {n}");
                assert_eq!(b.overflowed(), refused, "capacity {capacity}, piece {n}");
            }
        }
    }
}
