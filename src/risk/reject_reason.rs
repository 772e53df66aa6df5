//! Every reason an order can be refused, as bits of one u32 (the `reasons`
//! field of the ring's Reject and Cancelled records). The low five bits are
//! the hardware checks' reason bits ([`RejectReasons`]), unchanged.

use super::order_checks::RejectReasons;

pub const COLLAR: u32 = RejectReasons::COLLAR as u32;
pub const SIZE: u32 = RejectReasons::SIZE as u32;
pub const NOTIONAL: u32 = RejectReasons::NOTIONAL as u32;
pub const LULD_BAND: u32 = RejectReasons::LULD_BAND as u32;
pub const RESTRICTED: u32 = RejectReasons::RESTRICTED as u32;
/// L4: the kill switch is engaged.
pub const KILL_SWITCH: u32 = 1 << 8;
/// The symbol is not configured.
pub const UNKNOWN_SYMBOL: u32 = 1 << 9;
/// The venue halted or paused the symbol.
pub const SYMBOL_HALTED: u32 = 1 << 10;
/// The client order id was already used by this strategy.
pub const DUPLICATE_ORDER_ID: u32 = 1 << 11;
/// The record could not be read (bad size or field).
pub const MALFORMED: u32 = 1 << 12;
/// The record's kind is not one a strategy may send.
pub const UNKNOWN_MESSAGE: u32 = 1 << 13;
/// A cancel or replace named an order this strategy does not have.
pub const UNKNOWN_ORDER: u32 = 1 << 14;
/// The software and hardware checks disagreed (never expected; fail safe).
pub const CHECK_DISAGREEMENT: u32 = 1 << 15;
/// A working order expired at the end of the session (or replay).
pub const SESSION_END: u32 = 1 << 16;
/// The strategy was disconnected (dead heartbeat, broken ring).
pub const STRATEGY_DISCONNECTED: u32 = 1 << 17;

const NAMES: [(u32, &str); 16] = [
    (COLLAR, "collar"),
    (SIZE, "size"),
    (NOTIONAL, "notional"),
    (LULD_BAND, "luld_band"),
    (RESTRICTED, "restricted"),
    (KILL_SWITCH, "kill_switch"),
    (UNKNOWN_SYMBOL, "unknown_symbol"),
    (SYMBOL_HALTED, "symbol_halted"),
    (DUPLICATE_ORDER_ID, "duplicate_order_id"),
    (MALFORMED, "malformed"),
    (UNKNOWN_MESSAGE, "unknown_message"),
    (UNKNOWN_ORDER, "unknown_order"),
    (CHECK_DISAGREEMENT, "check_disagreement"),
    (SESSION_END, "session_end"),
    (STRATEGY_DISCONNECTED, "strategy_disconnected"),
    (0, ""),
];

/// The names of the set bits, joined with '+', e.g. "collar+size".
pub fn describe(reasons: u32) -> String {
    let names: Vec<&str> = NAMES
        .iter()
        .filter(|(bit, _)| *bit != 0 && reasons & bit != 0)
        .map(|(_, n)| *n)
        .collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join("+")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_names_every_set_bit() {
        assert_eq!(describe(COLLAR | KILL_SWITCH), "collar+kill_switch");
        assert_eq!(describe(0), "none");
    }
}
