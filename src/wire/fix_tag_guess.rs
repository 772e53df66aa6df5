//! Predicted FIX tags. A venue's engine writes each message type's fields
//! in the same order every time, so the tag at field position `i` of this
//! ExecutionReport is almost always the tag at position `i` of the last
//! one. The parser keeps, per message type and position, the text of the
//! last tag seen there (`150=` as the low bytes of a word); a field whose
//! first bytes equal it needs no digit checks and no conversion, only one
//! compare. A field that does not match takes the full word-at-a-time path
//! and teaches its tag to that position.
//!
//! A guess is only ever the exact text of a tag the full path accepted, so
//! a match means the full path would read the same tag and value; wrong
//! guesses cost time, never correctness.

/// Field positions predicted per message type; later fields reuse the
/// positions from the start (`position % POSITIONS`).
pub const POSITIONS: usize = 32;
/// Message types told apart: by the low four bits of MsgType's first
/// character ('8' ExecutionReport, '0' Heartbeat, '9' OrderCancelReject,
/// 'A' Logon; a shared row only costs guesses).
pub const ROWS: usize = 16;

/// The text `<tag>=` of one tag of one to four digits, as the low bytes of
/// a word (16 bytes: four guesses to a cache line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TagGuess {
    /// The text, zero above it.
    text: u64,
    pub tag: u32,
    /// 64 - 8 × the text's length: shifting a word left by it keeps the
    /// text's bytes only.
    keep_shift: u8,
    /// The text's length: where the value starts, from the field's start.
    text_len: u8,
}

impl TagGuess {
    /// `0=`: tag 0, which the full path also accepts, so even the initial
    /// guess is a true one.
    const INITIAL: TagGuess = TagGuess::new(u16::from_le_bytes(*b"0=") as u64, 2, 0);

    /// The guess for a tag whose text (digits and `=`, `text_len` of 2 to
    /// 5 bytes) is the low bytes of `word`.
    #[inline(always)]
    pub const fn new(word: u64, text_len: usize, tag: u32) -> Self {
        debug_assert!(text_len >= 2 && text_len <= 5);
        let keep_shift = 64 - 8 * text_len as u32;
        TagGuess {
            text: (word << keep_shift) >> keep_shift,
            keep_shift: keep_shift as u8,
            text_len: text_len as u8,
            tag,
        }
    }

    /// Whether the field whose first eight bytes are `word` starts with
    /// this tag's text.
    #[inline(always)]
    pub fn matches(&self, word: u64) -> bool {
        (word ^ self.text) << self.keep_shift == 0
    }

    /// Where the value starts, from the field's start.
    #[inline(always)]
    pub fn text_len(&self) -> usize {
        usize::from(self.text_len)
    }
}

/// The guesses of every position of every row (8 KiB).
#[derive(Clone, Debug)]
pub struct TagGuesses {
    rows: [[TagGuess; POSITIONS]; ROWS],
    /// Per row, a count of the scans in which a field missed its guess.
    /// While it stands still, every frame scanned in that row had at each
    /// position `i` the tag of guess `i % POSITIONS`: frames of one epoch
    /// with as many fields have the same tags in the same order.
    epochs: [u64; ROWS],
}

impl Default for TagGuesses {
    fn default() -> Self {
        TagGuesses {
            rows: [[TagGuess::INITIAL; POSITIONS]; ROWS],
            epochs: [0; ROWS],
        }
    }
}

/// The row of the message whose MsgType starts with `msg_type_char`.
#[inline(always)]
pub fn row_of(msg_type_char: u8) -> usize {
    usize::from(msg_type_char) % ROWS
}

impl TagGuesses {
    /// The guesses of row `row` (below [`ROWS`]).
    #[inline(always)]
    pub fn row(&mut self, row: usize) -> &mut [TagGuess; POSITIONS] {
        &mut self.rows[row % ROWS]
    }

    /// Row `row`'s layout epoch.
    #[inline(always)]
    pub fn epoch(&self, row: usize) -> u64 {
        self.epochs[row % ROWS]
    }

    /// Records that a field of a frame in row `row` missed its guess.
    #[inline]
    pub fn missed(&mut self, row: usize) {
        self.epochs[row % ROWS] += 1;
    }
}

/// The guess slot for field position `position` of a row.
#[inline(always)]
pub fn slot(row: &mut [TagGuess; POSITIONS], position: usize) -> &mut TagGuess {
    &mut row[position % POSITIONS]
}

const _: () = assert!(std::mem::size_of::<TagGuess>() == 16);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::digit_word::test_words::word;

    #[test]
    fn a_guess_matches_exactly_the_fields_that_start_with_its_text() {
        let g = TagGuess::new(word(b"150=F\x01"), 4, 150);
        assert!(g.matches(word(b"150=F\x0110")));
        assert!(g.matches(word(b"150=\x01")));
        assert!(!g.matches(word(b"151=0\x01")));
        assert!(!g.matches(word(b"150\x01")));
        assert!(!g.matches(word(b"1500=1\x01")));
        assert!(!g.matches(word(b"15=0\x01")));
        assert_eq!(g.text_len(), 4);
    }

    #[test]
    fn a_guess_of_five_bytes_compares_all_five() {
        let g = TagGuess::new(word(b"9999=x"), 5, 9999);
        assert!(g.matches(word(b"9999=")));
        assert!(!g.matches(word(b"9999x")));
        assert!(!g.matches(word(b"9998=")));
    }

    #[test]
    fn the_initial_guess_is_tag_zero() {
        let g = TagGuess::INITIAL;
        assert!(g.matches(word(b"0=1\x01")));
        assert!(!g.matches(word(b"\0\0\0\0\0\0\0\0")));
        assert!(!g.matches(word(b"35=8\x01")));
        assert_eq!(g.tag, 0);
    }

    #[test]
    fn rows_and_positions_wrap() {
        let mut guesses = TagGuesses::default();
        let g = TagGuess::new(word(b"35="), 3, 35);
        *slot(guesses.row(row_of(b'8')), 1) = g;
        assert_eq!(
            *slot(guesses.row(row_of(b'8' + ROWS as u8)), 1 + POSITIONS),
            g
        );
        assert_eq!(*slot(guesses.row(row_of(b'0')), 1), TagGuess::INITIAL);
    }
}
