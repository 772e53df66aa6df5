//! FIX 4.x tag=value frames, parsed in place. A frame is
//! `8=BeginString SOH 9=BodyLength SOH <body> 10=NNN SOH`, where the body
//! (from `35=` on) is exactly BodyLength bytes and NNN is the sum of every
//! byte before `10=`, modulo 256. Both are verified before any field is
//! read. One SSE2 pass over the frame gives the byte sum and where every
//! SOH is (a bitmask, [`super::soh_scan`]); then one step per field reads
//! its tag into a [`FixFields`] index the caller keeps and reuses, so
//! parsing allocates nothing: with one compare where the tag is the one
//! the last message of the same type had at that position
//! ([`super::fix_tag_guess`]), else as one word of digits. A message's
//! chosen tags are then read with [`FixMessage::pick`], which reuses the
//! positions it found in the last message of the same layout
//! ([`super::fix_pick`]). No input can make the parser panic.

use super::digit_word::{
    digit_prefix_len, digits_value, non_digit_bytes, short_digits_value, word_at,
};
use super::fix_pick::{Layout, PickPlan};
pub use super::fix_pick::{Picked, TagSlots, MAX_PICK};
use super::fix_tag_guess::{row_of, slot, TagGuess, TagGuesses, ROWS};
use super::fix_value::FieldValue;
use super::soh_scan::{mask_words, sum_and_soh_masks};
use std::borrow::Cow;

pub const SOH: u8 = 0x01;
/// Fields indexed per message; more is an error (no order-entry message
/// comes close).
pub const MAX_FIELDS: usize = 512;
/// The largest frame accepted.
pub const MAX_FRAME: usize = 16 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FixError {
    /// More bytes are needed to complete the frame.
    #[error("incomplete frame")]
    Incomplete,
    #[error("frame does not start with 8=FIX")]
    BadBeginString,
    #[error("BodyLength (9) is missing or not a number")]
    BadBodyLengthField,
    #[error("BodyLength (9) does not end at the CheckSum (10) field")]
    BadBodyLength,
    #[error("CheckSum (10) is {got:03}, the bytes sum to {computed:03}")]
    BadChecksum { got: u32, computed: u32 },
    #[error("CheckSum (10) is not three digits")]
    BadChecksumField,
    #[error("MsgType (35) is not the first body field")]
    MissingMsgType,
    #[error("field without '=' or with a bad tag")]
    BadField,
    #[error("more than {MAX_FIELDS} fields")]
    TooManyFields,
    #[error("frame longer than {MAX_FRAME} bytes")]
    TooLong,
}

impl FixError {
    /// Garbled frames are dropped (FIX says: ignore, no Reject); the stream
    /// resynchronises at the next `8=FIX`.
    pub fn is_garbled(self) -> bool {
        !matches!(self, FixError::Incomplete)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Field {
    tag: u32,
    start: u16,
    end: u16,
}

impl Field {
    #[inline(always)]
    pub(crate) fn tag(self) -> u32 {
        self.tag
    }

    /// Where the value is: (start, end).
    #[inline(always)]
    pub(crate) fn span(self) -> (u16, u16) {
        (self.start, self.end)
    }
}

/// Words of SOH mask for the largest frame.
const MASK_WORDS: usize = mask_words(MAX_FRAME);

/// A reusable index of one message's fields: room for [`MAX_FIELDS`],
/// allocated at its first use (an unused one, as left behind by
/// `std::mem::take`, costs nothing).
#[derive(Clone, Debug, Default)]
pub struct FixFields {
    scratch: Option<Box<Scratch>>,
}

/// What a scan writes (14 KiB, one allocation).
#[derive(Clone, Debug)]
struct Scratch {
    fields: [Field; MAX_FIELDS],
    /// Where SOH is in the frame being indexed.
    masks: [u64; MASK_WORDS],
    /// The tags seen at each field position of the last message of each
    /// type, for the next.
    guesses: TagGuesses,
    /// Per row of guesses, where the last pick found its tags.
    plans: [PickPlan; ROWS],
}

impl FixFields {
    pub fn new() -> Self {
        Self::default()
    }

    /// The first `count` fields of the last scan.
    fn indexed(&self, count: usize) -> &[Field] {
        self.scratch.as_deref().map_or(&[], |s| &s.fields[..count])
    }

    /// The layout of the last scan, a frame of guess row `row` scanned in
    /// that row's `epoch`.
    fn layout(&self, row: usize, epoch: u64) -> Option<Layout<'_>> {
        let plan = self.scratch.as_deref()?.plans.get(row)?;
        Some(Layout { plan, epoch })
    }

    #[inline(always)]
    fn scratch(&mut self) -> &mut Scratch {
        match self.scratch {
            Some(ref mut scratch) => scratch,
            None => self.scratch.insert(Scratch::new_boxed()),
        }
    }
}

impl Scratch {
    /// Made once per index, out of the parser's code.
    #[cold]
    #[inline(never)]
    fn new_boxed() -> Box<Scratch> {
        Box::new(Scratch {
            fields: [Field::default(); MAX_FIELDS],
            masks: [0; MASK_WORDS],
            guesses: TagGuesses::default(),
            plans: Default::default(),
        })
    }
}

/// A verified frame and its indexed fields.
#[derive(Clone)]
pub struct FixMessage<'a> {
    bytes: &'a [u8],
    begin_string: &'a [u8],
    /// Made only by [`scan_frame`] over `bytes`: every field has
    /// `start <= end` and `end + 8 <= bytes.len()` (a value ends at its
    /// SOH, which the body's last SOH and the seven-byte trailer follow).
    /// The unchecked reads of values rely on it.
    fields: Cow<'a, [Field]>,
    /// Its layout, when parsed into a reused index (for [`Self::pick`]).
    layout: Option<Layout<'a>>,
}

impl std::fmt::Debug for FixMessage<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from_utf8_lossy(self.bytes).replace('\u{1}', "|"))
    }
}

fn parse_u32(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 9 {
        return None;
    }
    let mut v = 0u32;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(d - b'0');
    }
    Some(v)
}

fn find_soh(bytes: &[u8], from: usize) -> Option<usize> {
    bytes
        .get(from..)?
        .iter()
        .position(|&b| b == SOH)
        .map(|i| from + i)
}

/// The offset of the next `8=FIX` after position 0, for resynchronising
/// after a garbled frame (or the end, if there is none).
pub fn resync_offset(buf: &[u8]) -> usize {
    buf.windows(5)
        .skip(1)
        .position(|w| w == b"8=FIX")
        .map_or(buf.len().saturating_sub(4), |i| i + 1)
}

/// Parses the frame at the start of `buf`: the message and the bytes it
/// used. Allocates its field index; the hot path uses
/// [`parse_frame_into`].
pub fn parse_frame(buf: &[u8]) -> Result<(FixMessage<'_>, usize), FixError> {
    let mut index = FixFields::new();
    let Scanned {
        begin_end,
        count,
        total,
        ..
    } = scan_frame(buf, &mut index)?;
    Ok((
        FixMessage {
            bytes: &buf[..total],
            begin_string: &buf[2..begin_end],
            fields: Cow::Owned(index.indexed(count).to_vec()),
            layout: None,
        },
        total,
    ))
}

/// Marks a field whose tag is longer than four digits until it is read.
const LONG_TAG: u32 = u32::MAX;

/// A tag longer than four digits (no standard tag is): the
/// field `frame[start..soh]` must hold `=`. Returns the tag and where its
/// `=` is.
#[cold]
fn long_tag(frame: &[u8], start: usize, soh: usize) -> Result<(u32, usize), FixError> {
    let field = frame.get(start..soh).ok_or(FixError::BadField)?;
    let eq = field
        .iter()
        .position(|&b| b == b'=')
        .ok_or(FixError::BadField)?;
    let tag = parse_u32(&field[..eq]).ok_or(FixError::BadField)?;
    Ok((tag, start + eq))
}

/// Parses the frame at the start of `buf`, indexing its fields into
/// `index`.
pub fn parse_frame_into<'a>(
    buf: &'a [u8],
    index: &'a mut FixFields,
) -> Result<(FixMessage<'a>, usize), FixError> {
    let Scanned {
        begin_end,
        count,
        total,
        row,
        epoch,
    } = scan_frame(buf, index)?;
    Ok((
        FixMessage {
            bytes: &buf[..total],
            begin_string: &buf[2..begin_end],
            fields: Cow::Borrowed(index.indexed(count)),
            layout: index.layout(row, epoch),
        },
        total,
    ))
}

/// Where the parts of a frame are: `buf[2..begin_end]` is the
/// BeginString, `buf[body_start..body_end]` the body, and the frame is
/// `buf[..total]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FrameLayout {
    begin_end: usize,
    body_start: usize,
    body_end: usize,
    total: usize,
}

impl FrameLayout {
    fn new(begin_end: usize, len_end: usize, body_len: usize) -> Result<Self, FixError> {
        let body_start = len_end + 1;
        let body_end = body_start + body_len;
        let total = body_end + 7; // "10=NNN" SOH
        if total > MAX_FRAME {
            return Err(FixError::TooLong);
        }
        Ok(FrameLayout {
            begin_end,
            body_start,
            body_end,
            total,
        })
    }
}

/// The header `8=FIX.4.x` SOH `9=<1 to 5 digits>` SOH, read as three
/// words; anything else (another BeginString, a short buffer, a malformed
/// header) goes to [`general_header`], which decides the exact error.
#[inline]
fn frame_layout(buf: &[u8]) -> Result<FrameLayout, FixError> {
    const FIX4: u64 = u64::from_le_bytes(*b"8=FIX.4.");
    // Bytes 9, 10 and 11 of the second word: SOH, '9', '='.
    const SOH_9_EQ: u64 = (SOH as u64) << 8 | (b'9' as u64) << 16 | (b'=' as u64) << 24;
    if let (Some(w0), Some(w1), Some(w2)) = (word_at(buf, 0), word_at(buf, 8), word_at(buf, 12)) {
        let minor_is_digit = (w1 as u8).wrapping_sub(b'0') < 10;
        let len = digit_prefix_len(w2);
        if w0 == FIX4
            && minor_is_digit
            && w1 & 0xFFFF_FF00 == SOH_9_EQ
            && (1..=5).contains(&len)
            && (w2 >> (8 * len)) as u8 == SOH
        {
            return FrameLayout::new(9, 12 + len, digits_value(w2, len) as usize);
        }
    }
    general_header(buf)
}

/// Any header: `8=FIX...` SOH `9=<digits>` SOH, found byte by byte.
#[cold]
fn general_header(buf: &[u8]) -> Result<FrameLayout, FixError> {
    if buf.len() < 2 {
        return Err(FixError::Incomplete);
    }
    if &buf[..2] != b"8=" {
        return Err(FixError::BadBeginString);
    }
    let Some(begin_end) = find_soh(buf, 2) else {
        return if buf.len() > 32 {
            Err(FixError::BadBeginString)
        } else {
            Err(FixError::Incomplete)
        };
    };
    if !buf[2..begin_end].starts_with(b"FIX") {
        return Err(FixError::BadBeginString);
    }
    let len_start = begin_end + 1;
    if buf.len() < len_start + 2 {
        return Err(FixError::Incomplete);
    }
    if &buf[len_start..len_start + 2] != b"9=" {
        return Err(FixError::BadBodyLengthField);
    }
    let Some(len_end) = find_soh(buf, len_start + 2) else {
        return if buf.len() > len_start + 12 {
            Err(FixError::BadBodyLengthField)
        } else {
            Err(FixError::Incomplete)
        };
    };
    let body_len =
        parse_u32(&buf[len_start + 2..len_end]).ok_or(FixError::BadBodyLengthField)? as usize;
    FrameLayout::new(begin_end, len_end, body_len)
}

/// The three CheckSum digits as a number, read as one word.
#[inline]
fn checksum_field([d0, d1, d2]: [u8; 3]) -> Option<u32> {
    // The zero byte after the digits is a non-digit.
    let w = u32::from_le_bytes([d0, d1, d2, 0]);
    (digit_prefix_len(u64::from(w)) == 3).then(|| short_digits_value(w, 3))
}

/// The eight bytes at `at`.
///
/// # Safety
/// `at + 8 <= frame.len()`.
#[inline(always)]
unsafe fn word_unchecked(frame: &[u8], at: usize) -> u64 {
    debug_assert!(at + 8 <= frame.len());
    // SAFETY: the caller guarantees the eight bytes are inside `frame`;
    // `read_unaligned` has no alignment requirement.
    unsafe {
        frame
            .as_ptr()
            .add(at)
            .cast::<u64>()
            .read_unaligned()
            .to_le()
    }
}

/// How many SOH `masks` mark.
#[cold]
fn soh_count(masks: &[u64]) -> usize {
    masks.iter().map(|m| m.count_ones() as usize).sum()
}

/// What [`scan_frame`] found.
struct Scanned {
    /// `buf[2..begin_end]` is the BeginString.
    begin_end: usize,
    /// Fields indexed.
    count: usize,
    /// The frame's length.
    total: usize,
    /// The row of tag guesses and its layout epoch after this frame.
    row: usize,
    epoch: u64,
}

/// Verifies the frame and indexes its fields.
fn scan_frame(buf: &[u8], index: &mut FixFields) -> Result<Scanned, FixError> {
    let FrameLayout {
        begin_end,
        body_start,
        body_end,
        total,
    } = frame_layout(buf)?;
    let Some(frame) = buf.get(..total) else {
        return Err(FixError::Incomplete);
    };
    // "10=NNN" SOH, and the body before it ends with SOH (else BodyLength
    // is wrong).
    let (head_and_body, trailer) = frame.split_at(body_end);
    let Ok([b'1', b'0', b'=', d0, d1, d2, SOH]) = <[u8; 7]>::try_from(trailer) else {
        return Err(FixError::BadBodyLength);
    };
    if head_and_body.last() != Some(&SOH) || body_start >= body_end {
        return Err(FixError::BadBodyLength);
    }
    let got = checksum_field([d0, d1, d2]).ok_or(FixError::BadChecksumField)?;
    let Scratch {
        fields,
        masks,
        guesses,
        ..
    } = index.scratch();
    let sum = sum_and_soh_masks(head_and_body, &mut masks[..]).ok_or(FixError::TooLong)?;
    let computed = (sum % 256) as u32;
    if got != computed {
        return Err(FixError::BadChecksum { got, computed });
    }
    // One step per field: the next SOH from the masks, then the tag, with
    // one compare where it is the guessed one, else read as one word.
    // Refusals of standard-length tags are gathered and reported after the
    // loop, which keeps it free of rarely taken branches.
    // MsgType's first character (inside the frame: the body is followed
    // by the seven trailer bytes) picks the row of tag guesses.
    let row_index = row_of(frame[body_start + 3]);
    let row = guesses.row(row_index);
    let mut count = 0usize;
    // Non-zero when a standard-length tag is refused.
    let mut bad_tag = 0u32;
    let mut long_tags = false;
    // Whether a field missed its guess.
    let mut missed = false;
    let mut start = body_start;
    let first_block = body_start / 64;
    let last_block = (body_end - 1) / 64;
    let body_masks = masks
        .get_mut(first_block..=last_block)
        .ok_or(FixError::TooLong)?;
    // The header's SOH are not the body's.
    if let Some(first) = body_masks.first_mut() {
        *first &= u64::MAX << (body_start % 64);
    }
    // Each SOH of the body ends one field. More than MAX_FIELDS of them
    // are refused here (a body of at most MAX_FIELDS bytes cannot have
    // more), so the loop stores fields without a check.
    if body_end - body_start > MAX_FIELDS && soh_count(body_masks) > MAX_FIELDS {
        return Err(FixError::TooManyFields);
    }
    let mut block_start = 64 * first_block;
    for &block_mask in body_masks.iter() {
        let mut bits = block_mask;
        while bits != 0 {
            let soh = block_start + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            debug_assert!(count < MAX_FIELDS);
            // SAFETY: `count` fields came before this one, each ending at
            // an earlier SOH of the body, and the body has at most
            // MAX_FIELDS (checked above): count < MAX_FIELDS = fields.len().
            let out = unsafe { fields.get_unchecked_mut(count) };
            // SAFETY: `start` is at most this field's SOH, which is before
            // `body_end`; the seven trailer bytes follow the body inside
            // `frame`, so start + 8 <= body_end + 7 = frame.len().
            let w = unsafe { word_unchecked(frame, start) };
            let guess = slot(row, count);
            *out = if guess.matches(w) {
                Field {
                    tag: guess.tag,
                    start: (start + guess.text_len()) as u16,
                    end: soh as u16,
                }
            } else {
                missed = true;
                // The tag: one to four digits, then '=' (which is then
                // before the SOH, a non-digit).
                let non_digits = non_digit_bytes(w);
                let first_non_digit = non_digits.trailing_zeros();
                if first_non_digit < 40 {
                    let digit_bits = first_non_digit & 0x38;
                    let refused =
                        u32::from((w >> digit_bits) as u8 ^ b'=') | (non_digits as u32 & 0x80);
                    bad_tag |= refused;
                    let len = (digit_bits / 8) as usize;
                    let tag = short_digits_value(w as u32, len);
                    // A tag this path accepts becomes the guess.
                    if refused == 0 {
                        *guess = TagGuess::new(w, len + 1, tag);
                    }
                    Field {
                        tag,
                        start: (start + len + 1) as u16,
                        end: soh as u16,
                    }
                } else {
                    // Five digits or more: read after the loop, so that
                    // the loop makes no calls.
                    long_tags = true;
                    Field {
                        tag: LONG_TAG,
                        start: start as u16,
                        end: soh as u16,
                    }
                }
            };
            count += 1;
            start = soh + 1;
        }
        block_start += 64;
    }
    // A miss ends the row's layout epoch (guesses may have changed, and
    // this frame's layout differs from the last one's).
    if missed {
        guesses.missed(row_index);
    }
    if bad_tag != 0 {
        return Err(FixError::BadField);
    }
    if long_tags {
        for f in fields[..count].iter_mut().filter(|f| f.tag == LONG_TAG) {
            let (tag, eq) = long_tag(frame, usize::from(f.start), usize::from(f.end))?;
            f.tag = tag;
            f.start = (eq + 1) as u16;
        }
    }
    if count == 0 || fields[0].tag != 35 {
        return Err(FixError::MissingMsgType);
    }
    Ok(Scanned {
        begin_end,
        count,
        total,
        row: row_index,
        epoch: guesses.epoch(row_index),
    })
}

impl<'a> FixMessage<'a> {
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    pub fn begin_string(&self) -> &'a [u8] {
        self.begin_string
    }

    pub fn msg_type(&self) -> &'a [u8] {
        self.value_at(0)
    }

    #[inline]
    fn value(&self, f: Field) -> &'a [u8] {
        let bytes: &'a [u8] = self.bytes;
        &bytes[usize::from(f.start)..usize::from(f.end)]
    }

    fn value_at(&self, i: usize) -> &'a [u8] {
        self.value(self.fields[i])
    }

    /// The first value of `tag`.
    #[inline]
    pub fn get(&self, tag: u32) -> Option<&'a [u8]> {
        self.value_of(tag).map(FieldValue::bytes)
    }

    /// The first value of `tag`, for reading as a number.
    #[inline]
    pub fn value_of(&self, tag: u32) -> Option<FieldValue<'a>> {
        let f = *self.fields.iter().find(|f| f.tag == tag)?;
        Some(self.field_value(f.start, f.end))
    }

    #[inline]
    fn field_value(&self, start: u16, end: u16) -> FieldValue<'a> {
        // SAFETY: as in `Picked::value`, `start` and `end` are a field's.
        unsafe { FieldValue::new_unchecked(self.bytes, usize::from(start), usize::from(end)) }
    }

    pub fn get_u64(&self, tag: u32) -> Option<u64> {
        self.value_of(tag)?.digits()
    }

    /// A quantity: digits, optionally with a zero fraction ("100.00").
    pub fn get_qty(&self, tag: u32) -> Option<u64> {
        self.value_of(tag)?.qty()
    }

    /// A price as Price(4) (1/10,000), exactly; at most four decimals.
    pub fn get_price4(&self, tag: u32) -> Option<u32> {
        self.value_of(tag)?.price4()
    }

    pub fn get_char(&self, tag: u32) -> Option<u8> {
        self.value_of(tag)?.char()
    }

    pub fn sequence_number(&self) -> Option<u64> {
        self.get_u64(34)
    }

    /// The first value of each of the tags `slots` names: one pass over
    /// the fields, or none when the message has the layout of the last one
    /// picked with the same `slots` through the same index (the positions
    /// found then are reused; see [`super::fix_pick`]).
    #[inline(always)]
    pub fn pick<const N: usize>(&self, slots: &'static TagSlots<N>) -> Picked<'a, N> {
        super::fix_pick::pick(self.bytes, &self.fields, slots, self.layout)
    }

    /// `(tag, value)` for every body field, in order.
    pub fn fields(&self) -> impl Iterator<Item = (u32, &'a [u8])> + '_ {
        self.fields.iter().map(|&f| (f.tag, self.value(f)))
    }
}

#[cfg(test)]
mod tests {
    use super::test_frames::frame;
    use super::*;

    /// The logon example of the FIX protocol's Wikipedia article, with its
    /// published BodyLength 65 and CheckSum 062.
    #[test]
    fn a_published_logon_parses_and_its_checksum_verifies() {
        let raw = b"8=FIX.4.2\x019=65\x0135=A\x0149=SERVER\x0156=CLIENT\x0134=177\x0152=20090107-18:15:16\x0198=0\x01108=30\x0110=062\x01";
        let (m, used) = parse_frame(raw).unwrap();
        assert_eq!(used, raw.len());
        assert_eq!(m.msg_type(), b"A");
        assert_eq!(m.begin_string(), b"FIX.4.2");
        assert_eq!(m.get(49), Some(&b"SERVER"[..]));
        assert_eq!(m.sequence_number(), Some(177));
        assert_eq!(m.get_u64(108), Some(30));
    }

    #[test]
    fn fields_are_read_by_tag() {
        let f = frame(
            "FIX.4.4",
            "35=8|34=12|11=BW7|55=AAPL|54=1|38=100|44=190.25|14=100.00|",
        );
        let (m, _) = parse_frame(&f).unwrap();
        assert_eq!(m.msg_type(), b"8");
        assert_eq!(m.sequence_number(), Some(12));
        assert_eq!(m.get(11), Some(&b"BW7"[..]));
        assert_eq!(m.get_char(54), Some(b'1'));
        assert_eq!(m.get_qty(38), Some(100));
        assert_eq!(m.get_qty(14), Some(100));
        assert_eq!(m.get_price4(44), Some(1_902_500));
        assert_eq!(m.get(999), None);
        assert_eq!(m.fields().count(), 8);
    }

    #[test]
    fn pick_returns_the_first_value_of_each_tag_asked_for() {
        const SLOTS: TagSlots<4> = TagSlots::new([55, 11, 99, 54]);
        let f = frame("FIX.4.4", "35=8|11=A|55=AAPL|11=B|54=1|58=|");
        let (m, _) = parse_frame(&f).unwrap();
        let picked = m.pick(&SLOTS);
        let got: Vec<_> = (0..4)
            .map(|i| picked.value(i).map(FieldValue::bytes))
            .collect();
        assert_eq!(
            got,
            [Some(&b"AAPL"[..]), Some(&b"A"[..]), None, Some(&b"1"[..])]
        );
        const EMPTY: TagSlots<1> = TagSlots::new([58]);
        assert_eq!(
            m.pick(&EMPTY).value(0).map(FieldValue::bytes),
            Some(&b""[..]),
            "an empty value is present"
        );
    }

    #[test]
    fn a_wrong_checksum_is_rejected() {
        let mut f = frame("FIX.4.4", "35=0|34=2|");
        let n = f.len();
        f[n - 2] = if f[n - 2] == b'9' { b'0' } else { f[n - 2] + 1 };
        assert!(matches!(parse_frame(&f), Err(FixError::BadChecksum { .. })));
    }

    #[test]
    fn a_wrong_body_length_is_rejected() {
        let f = frame("FIX.4.4", "35=0|34=2|");
        let text = String::from_utf8(f).unwrap().replace("9=10", "9=9");
        assert_eq!(
            parse_frame(text.as_bytes()).unwrap_err(),
            FixError::BadBodyLength
        );
        let text2 = text.replace("9=9", "9=x");
        assert_eq!(
            parse_frame(text2.as_bytes()).unwrap_err(),
            FixError::BadBodyLengthField
        );
    }

    #[test]
    fn partial_frames_ask_for_more_and_garbage_is_skipped() {
        let f = frame("FIX.4.4", "35=0|34=2|");
        for cut in 0..f.len() {
            assert_eq!(
                parse_frame(&f[..cut]).unwrap_err(),
                FixError::Incomplete,
                "cut {cut}"
            );
        }
        let mut garbage = b"xx8=FIX.4.4\x019=99".to_vec();
        garbage.extend_from_slice(&f);
        assert_eq!(parse_frame(&garbage).unwrap_err(), FixError::BadBeginString);
        let skip = resync_offset(&garbage);
        assert_eq!(&garbage[skip..skip + 5], b"8=FIX");
    }

    #[test]
    fn up_to_max_fields_are_indexed_and_one_more_is_refused() {
        for (fields, ok) in [(MAX_FIELDS, true), (MAX_FIELDS + 1, false)] {
            // MsgType, then fields of one to three characters.
            let body: String = std::iter::once("35=8|".to_string())
                .chain((1..fields).map(|i| format!("{}=|", i % 1000)))
                .collect();
            let f = frame("FIX.4.4", &body);
            match parse_frame(&f) {
                Ok((m, _)) => {
                    assert!(ok, "{fields} fields parsed");
                    assert_eq!(m.fields().count(), fields);
                }
                Err(e) => {
                    assert!(!ok, "{fields} fields: {e}");
                    assert_eq!(e, FixError::TooManyFields);
                }
            }
        }
        // A body longer than MAX_FIELDS bytes has its SOH counted, and a
        // few fields pass.
        let long_value = "x".repeat(3 * MAX_FIELDS);
        let f = frame("FIX.4.4", &format!("35=8|58={long_value}|"));
        assert_eq!(parse_frame(&f).unwrap().0.fields().count(), 2);
    }

    #[test]
    fn tags_of_every_length_parse_and_non_digits_are_refused() {
        for tag in [
            1u32, 9, 10, 35, 99, 100, 150, 999, 1000, 9999, 10000, 99999, 1234567, 12345678,
            123456789,
        ] {
            let f = frame("FIX.4.4", &format!("35=8|{tag}=v|7=x|"));
            let (m, _) = parse_frame(&f).unwrap();
            let got: Vec<u32> = m.fields().map(|(t, _)| t).collect();
            assert_eq!(got, [35, tag, 7], "{tag}");
            assert_eq!(m.fields().nth(1).map(|(_, v)| v), Some(&b"v"[..]));
        }
        for bad in [
            "1a=v",
            ":1=v",
            "=v",
            "1 2=v",
            "\u{0}1=v",
            "12",
            "1234567890=v",
            "123456789a=v",
        ] {
            let f = frame("FIX.4.4", &format!("35=8|{bad}|"));
            assert_eq!(parse_frame(&f).unwrap_err(), FixError::BadField, "{bad}");
        }
    }

    /// What a parse found: `(tag, value)` of every field, then the values
    /// two picks found.
    type Parsed = (Vec<(u32, Vec<u8>)>, Vec<Option<Vec<u8>>>);

    /// Two picks of different tags, as an ExecutionReport's and a
    /// session message's readers would ask.
    const PICK_A: TagSlots<5> = TagSlots::new([11, 150, 58, 39, 31]);
    const PICK_B: TagSlots<3> = TagSlots::new([34, 11, 0]);

    /// What parsing `f` with `index` finds, or the error; `picks` says
    /// which of the two picks to make, and in which order.
    fn parsed_with_picks(
        f: &[u8],
        index: &mut FixFields,
        picks: &[bool],
    ) -> Result<Parsed, FixError> {
        parse_frame_into(f, index).map(|(m, _)| {
            let fields = m.fields().map(|(t, v)| (t, v.to_vec())).collect();
            let mut values = Vec::new();
            for &a in picks {
                if a {
                    let p = m.pick(&PICK_A);
                    values.extend((0..5).map(|i| p.value(i).map(|v| v.bytes().to_vec())));
                } else {
                    let p = m.pick(&PICK_B);
                    values.extend((0..3).map(|i| p.value(i).map(|v| v.bytes().to_vec())));
                }
            }
            (fields, values)
        })
    }

    /// The body `35=8` then `fields`, and what parsing it finds through
    /// `index` and through a fresh index, with one pick (so a repeated
    /// layout is picked through the plan the frame before left).
    fn reused_and_fresh<'s>(
        fields: impl IntoIterator<Item = &'s str>,
        index: &mut FixFields,
        pick_a: bool,
    ) -> (String, Result<Parsed, FixError>, Result<Parsed, FixError>) {
        let mut body = "35=8|".to_string();
        for field in fields {
            body.push_str(field);
            body.push('|');
        }
        let f = frame("FIX.4.4", &body);
        let reused = parsed_with_picks(&f, index, &[pick_a]);
        let fresh = parsed_with_picks(&f, &mut FixFields::new(), &[pick_a]);
        (body, reused, fresh)
    }

    fn parsed_with(f: &[u8], index: &mut FixFields) -> Result<Parsed, FixError> {
        parsed_with_picks(f, index, &[true, false])
    }

    /// A pick through a reused index, whose plan a repeated layout uses,
    /// finds what a pick through a fresh index finds: layouts repeated
    /// with other values, changed, shared by message types of one guess
    /// row ('8', 'H', 'X'), with a field more or less, and with the picks
    /// made in either order.
    #[test]
    fn picks_through_a_reused_index_find_what_a_fresh_index_finds() {
        let mut index = FixFields::new();
        let bodies = [
            "35=8|34=2|11=A|150=F|39=2|31=190.25|",
            "35=8|34=3|11=BB|150=0|39=0|31=7|",
            "35=8|34=4|11=C|150=4|39=4|31=1.5|",
            "35=8|34=5|11=D|150=4|39=4|",
            "35=8|34=6|11=E|150=4|39=4|31=1|58=x|",
            "35=8|34=7|11=F|150=8|39=8|31=1|",
            "35=8|34=8|41=F|150=8|39=8|31=1|",
            "35=H|34=9|11=G|150=F|39=2|31=2|",
            "35=X|34=10|11=H|150=F|39=2|31=3|",
            "35=8|34=11|11=I|150=F|11=J|31=4|",
            "35=8|34=12|11=K|150=F|11=L|31=5|",
            "35=8|34=13|11=M|150=F|39=2|31=6|",
            "35=8|34=14|11=N|150=F|39=2|31=7|",
        ];
        // One pick per frame (the plan of the last frame serves the next),
        // or two (each pick replaces the other's plan).
        for order in [&[true][..], &[false], &[true, false]] {
            for round in 0..3 {
                for body in bodies {
                    let f = frame("FIX.4.4", body);
                    let fresh = parsed_with_picks(&f, &mut FixFields::new(), order);
                    let reused = parsed_with_picks(&f, &mut index, order);
                    assert_eq!(reused, fresh, "{body}, round {round}");
                    // The same frame again: its own layout, surely repeated.
                    let again = parsed_with_picks(&f, &mut index, order);
                    assert_eq!(again, fresh, "{body} again, round {round}");
                }
            }
        }
    }

    /// A plan is used only for the layout it was made in: an index that
    /// saw one layout, then frames of another in the same row with as
    /// many fields, picks each right.
    #[test]
    fn a_plan_is_not_used_for_another_layout_of_as_many_fields() {
        let mut index = FixFields::new();
        let first = frame("FIX.4.4", "35=8|11=A|39=2|150=F|");
        let swapped = frame("FIX.4.4", "35=8|39=2|11=A|150=F|");
        for f in [&first, &first, &swapped, &swapped, &first] {
            let (m, _) = parse_frame_into(f, &mut index).unwrap();
            let p = m.pick(&PICK_A);
            assert_eq!(p.value(0).map(FieldValue::bytes), Some(&b"A"[..]));
            assert_eq!(p.value(1).map(FieldValue::bytes), Some(&b"F"[..]));
            assert_eq!(p.value(3).map(FieldValue::bytes), Some(&b"2"[..]));
            assert_eq!(p.value(2).map(FieldValue::bytes), None);
        }
    }

    #[test]
    fn a_reused_index_reads_a_changed_layout_as_a_fresh_index_does() {
        let mut index = FixFields::new();
        // Each frame is parsed after the one before taught its tags to the
        // same positions.
        for body in [
            "35=8|34=2|11=A|150=F|151=0|",
            "35=8|34=3|11=B|150=F|151=0|",
            "35=8|34=4|41=A|11=B|150=4|58=gone|",
            "35=8|034=5|11=C|150=F|",
            "35=8|34=6|11=D|1500=F|",
            "35=8|34=6|11=D|15=F|",
            "35=8|34=7|11=E|150=|",
            "35=8|34=8|11=F|150F|",
            "35=8|34=9|1a=x|",
            "35=8|34=9|11=x|0=1|",
            "35=0|34=10|",
            "35=8|34=11|11=G|150=F|151=0|123456=x|",
        ] {
            let f = frame("FIX.4.4", body);
            let fresh = parsed_with(&f, &mut FixFields::new());
            assert_eq!(parsed_with(&f, &mut index), fresh, "{body}");
        }
    }

    #[test]
    fn a_field_that_starts_like_a_learned_tag_but_is_not_one_is_refused() {
        let mut index = FixFields::new();
        parsed_with(&frame("FIX.4.4", "35=8|150=F|"), &mut index).unwrap();
        for bad in ["35=8|150F|", "35=8|150|", "35=8|15a=F|"] {
            assert_eq!(
                parsed_with(&frame("FIX.4.4", bad), &mut index),
                Err(FixError::BadField),
                "{bad}"
            );
        }
        assert_eq!(
            parsed_with(&frame("FIX.4.4", "35=8|150=F|"), &mut index)
                .unwrap()
                .0,
            [(35, b"8".to_vec()), (150, b"F".to_vec())]
        );
    }

    /// The fields as a plain split of the body: SOH between fields, the
    /// first '=' ends the tag.
    fn reference_fields(body: &[u8]) -> Option<Vec<(u32, Vec<u8>)>> {
        let mut out = Vec::new();
        for field in body.strip_suffix(&[SOH])?.split(|&b| b == SOH) {
            let eq = field.iter().position(|&b| b == b'=')?;
            out.push((parse_u32(&field[..eq])?, field[eq + 1..].to_vec()));
        }
        Some(out)
    }

    proptest::proptest! {
        // Minutes under Miri even with few cases; the example tests cover
        // the same code there.
        #[test]
        #[cfg_attr(miri, ignore = "minutes under Miri; the example tests cover this code")]
        fn the_word_at_a_time_index_matches_a_plain_split(
            fields in proptest::collection::vec(("[0-9]{0,10}", "[0-9=a-z]{0,12}"), 0..12),
            junk in proptest::option::of(("[0-9a=]{0,4}", 0usize..12)),
        ) {
            let mut body = "35=8|".to_string();
            for (tag, value) in &fields {
                body.push_str(&format!("{tag}={value}|"));
            }
            // Junk inside the fields, after MsgType and before the last SOH.
            if let Some((text, at)) = junk.filter(|_| body.len() > 5) {
                body.insert_str(5 + at % (body.len() - 5), &text);
            }
            let f = frame("FIX.4.4", &body);
            let body_bytes = body.replace('|', "\u{1}").into_bytes();
            let want = reference_fields(&body_bytes);
            match parse_frame(&f) {
                Ok((m, used)) => {
                    proptest::prop_assert_eq!(used, f.len());
                    let got: Vec<(u32, Vec<u8>)> = m.fields().map(|(t, v)| (t, v.to_vec())).collect();
                    proptest::prop_assert_eq!(Some(got), want);
                }
                Err(e) => {
                    proptest::prop_assert_eq!(e, FixError::BadField);
                    proptest::prop_assert!(want.is_none(), "refused a good body: {}", body);
                }
            }
        }

        /// Frames drawn from a few layouts, whole or cut short, in any
        /// order: a reused index (and the plans its picks leave) finds in
        /// each what a fresh index finds.
        #[test]
        #[cfg_attr(miri, ignore = "minutes under Miri; the example tests cover this code")]
        fn picks_over_repeated_and_cut_layouts_match_a_fresh_index(
            layouts in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::sample::select(vec![
                        "11=A", "11=BW-1", "150=F", "150=4", "39=2", "31=190.25",
                        "31=7", "58=x", "34=12", "1a=x", "0=",
                    ]),
                    0..12,
                ),
                1..4,
            ),
            frames in proptest::collection::vec((0usize..4, 0usize..14, proptest::bool::ANY), 1..24),
        ) {
            let mut index = FixFields::new();
            for (layout, keep, pick_a) in frames {
                let fields = layouts[layout % layouts.len()].iter().take(keep);
                let (body, reused, fresh) = reused_and_fresh(fields.copied(), &mut index, pick_a);
                proptest::prop_assert_eq!(reused, fresh, "{}", body);
            }
        }

        /// Tag guesses learned from earlier frames never change what a
        /// frame parses to.
        #[test]
        #[cfg_attr(miri, ignore = "minutes under Miri; the example tests cover this code")]
        fn an_index_reused_across_frames_parses_each_as_a_fresh_one(
            bodies in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::sample::select(vec![
                        "11=A", "11=BW-1", "150=F", "150F", "15=0", "1500=1", "0=",
                        "39=2", "31=190.25", "1a=x", "=x", "58=a=b", "123456=7", "",
                    ]),
                    0..40,
                ),
                1..12,
            ),
        ) {
            let mut index = FixFields::new();
            for fields in bodies {
                let (body, reused, fresh) = reused_and_fresh(fields, &mut index, true);
                proptest::prop_assert_eq!(reused, fresh, "{}", body);
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod test_frames {
    /// A frame with the right body length and checksum ('|' stands for SOH).
    pub fn frame(begin: &str, body: &str) -> Vec<u8> {
        let body = body.replace('|', "\u{1}");
        let head = format!("8={begin}\u{1}9={}\u{1}", body.len());
        let mut m = format!("{head}{body}").into_bytes();
        let sum = m.iter().fold(0u32, |s, &b| s + u32::from(b)) % 256;
        m.extend_from_slice(format!("10={sum:03}\u{1}").as_bytes());
        m
    }
}
