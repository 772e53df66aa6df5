//! Reading a chosen set of tags from a parsed FIX message in one pass
//! ([`super::fix::FixMessage::pick`]), and remembering where they were.
//!
//! A pick finds, for each tag asked for, the position of its first field:
//! one pass over the fields, last to first, with a table lookup and a store
//! per field instead of a branch. A venue writes a message type's fields in
//! the same order every time, and the parser can tell when it did: while a
//! message-type row's tag guesses ([`super::fix_tag_guess`]) have not
//! missed, every frame of that row had the guessed tag at every position,
//! so two such frames with as many fields have the same tags in the same
//! order. The positions found for one are then the positions for the
//! other, and a [`PickPlan`] keeps them: a repeated layout is picked with
//! one load per tag asked for instead of a pass over every field.

use super::fix::Field;
use super::fix_value::FieldValue;
use std::cell::Cell;

/// The most tags one pick can ask for.
pub const MAX_PICK: usize = 24;

/// A table from tag (below 256) to its position in a pick.
pub struct TagSlots<const N: usize> {
    slot: [u8; 256],
}

impl<const N: usize> TagSlots<N> {
    /// `tags` must be distinct, below 256, and at most [`MAX_PICK`] of them
    /// (checked when the table is built, at compile time for a `const`).
    pub const fn new(tags: [u32; N]) -> Self {
        assert!(N <= MAX_PICK, "too many tags for one pick");
        let mut slot = [0u8; 256];
        let mut i = 0;
        while i < N {
            assert!(tags[i] < 256, "pick takes tags below 256");
            assert!(slot[tags[i] as usize] == 0, "a tag is named twice");
            slot[tags[i] as usize] = (i + 1) as u8;
            i += 1;
        }
        TagSlots { slot }
    }

    /// The pick position of `tag` plus one, 0 for a tag not asked for.
    #[inline(always)]
    fn slot_of(&self, tag: u32) -> usize {
        usize::from(self.slot.get(tag as usize).copied().unwrap_or(0))
    }
}

/// Marks a tag the message does not have.
const ABSENT: u16 = u16::MAX;

/// The field position of each tag asked for ([`ABSENT`] if none).
type Positions = [u16; MAX_PICK];

/// What a pick found: the value of the `i`th tag asked for, if the message
/// has it.
pub struct Picked<'a, const N: usize> {
    bytes: &'a [u8],
    /// Where each value is; a value never starts at 0, so (0, 0) is absent.
    spans: [(u16, u16); MAX_PICK],
}

impl<'a, const N: usize> Picked<'a, N> {
    /// The value of the `i`th tag of the pick (`i < N`).
    #[inline(always)]
    pub fn value(&self, i: usize) -> Option<FieldValue<'a>> {
        debug_assert!(i < N);
        let (start, end) = self.spans[i];
        // SAFETY: every span is a field of the frame `bytes` (or (0, 0),
        // left out here), and a field's value ends at its SOH, which is
        // followed by the seven-byte trailer: start <= end and end + 8 <=
        // bytes.len() (checked by the parser).
        (start != 0).then(|| unsafe {
            FieldValue::new_unchecked(self.bytes, usize::from(start), usize::from(end))
        })
    }
}

/// The positions one pick found in one layout of one message-type row,
/// kept for the next message of the same layout. Interior mutability: a
/// parsed message borrows its index immutably.
#[derive(Clone, Debug, Default)]
pub struct PickPlan {
    /// The address of the (static) `TagSlots` the positions are for; 0
    /// for none yet.
    slots: Cell<usize>,
    /// The row's layout epoch and the field count of the layout.
    epoch: Cell<u64>,
    count: Cell<usize>,
    positions: Cell<Positions>,
}

/// What identifies a parsed message's layout: its row's plan and the row's
/// layout epoch when it was scanned. Same epoch and as many fields: same
/// tags in the same order.
#[derive(Clone, Copy, Debug)]
pub struct Layout<'a> {
    pub plan: &'a PickPlan,
    pub epoch: u64,
}

/// The first value of each tag `slots` asks for among `fields` (of the
/// frame `bytes`), through the plan when `layout` is the one it was made
/// for.
#[inline(always)]
pub(crate) fn pick<'a, const N: usize>(
    bytes: &'a [u8],
    fields: &[Field],
    slots: &'static TagSlots<N>,
    layout: Option<Layout<'_>>,
) -> Picked<'a, N> {
    // A static's address names it for as long as the program runs (and
    // two statics with the same address have the same contents).
    let id = std::ptr::from_ref(slots) as usize;
    let positions = match layout {
        Some(Layout { plan, epoch })
            if plan.slots.get() == id
                && plan.epoch.get() == epoch
                && plan.count.get() == fields.len() =>
        {
            plan.positions.get()
        }
        _ => {
            let positions = positions_of(fields, slots);
            if let Some(Layout { plan, epoch }) = layout {
                plan.slots.set(id);
                plan.epoch.set(epoch);
                plan.count.set(fields.len());
                plan.positions.set(positions);
            }
            positions
        }
    };
    let mut picked = Picked {
        bytes,
        spans: [(0, 0); MAX_PICK],
    };
    for (span, &at) in picked.spans.iter_mut().zip(&positions).take(N) {
        if let Some(f) = fields.get(usize::from(at)) {
            *span = f.span();
        }
    }
    picked
}

/// The position of the first field of each tag `slots` asks for: fields
/// visited last to first, so the first occurrence is the one kept.
#[inline(always)]
fn positions_of<const N: usize>(fields: &[Field], slots: &TagSlots<N>) -> Positions {
    debug_assert!(fields.len() < usize::from(ABSENT));
    // Slot 0 takes every field not asked for.
    let mut at = [ABSENT; MAX_PICK + 1];
    for (i, f) in fields.iter().enumerate().rev() {
        at[slots.slot_of(f.tag())] = i as u16;
    }
    let mut positions = [ABSENT; MAX_PICK];
    positions.copy_from_slice(&at[1..]);
    positions
}
