//! Writes ITCH 5.0 messages (the inverse of `wire::itch`), for generated
//! feeds and tests. Each writer appends one message to a buffer; a debug
//! assertion checks its length against the specification table.

use crate::wire::itch::message_len;

/// The common header of every message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Header {
    pub locate: u16,
    pub tracking: u16,
    /// Nanoseconds since midnight (48 bits).
    pub timestamp_ns: u64,
}

struct Msg<'a> {
    out: &'a mut Vec<u8>,
    start: usize,
    tag: u8,
}

impl<'a> Msg<'a> {
    fn new(out: &'a mut Vec<u8>, tag: u8, h: Header) -> Self {
        let start = out.len();
        out.push(tag);
        out.extend_from_slice(&h.locate.to_be_bytes());
        out.extend_from_slice(&h.tracking.to_be_bytes());
        out.extend_from_slice(&h.timestamp_ns.to_be_bytes()[2..]);
        Msg { out, start, tag }
    }
    fn c(self, v: u8) -> Self {
        self.out.push(v);
        self
    }
    fn u32(self, v: u32) -> Self {
        self.out.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn u64(self, v: u64) -> Self {
        self.out.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn alpha(self, s: &str, width: usize) -> Self {
        let b = s.as_bytes();
        for i in 0..width {
            self.out.push(b.get(i).copied().unwrap_or(b' '));
        }
        self
    }
    fn done(self) {
        debug_assert_eq!(
            Some(self.out.len() - self.start),
            message_len(self.tag),
            "type {}",
            self.tag as char
        );
    }
}

pub fn system_event(out: &mut Vec<u8>, h: Header, event_code: u8) {
    Msg::new(out, b'S', h).c(event_code).done()
}

#[allow(clippy::too_many_arguments)]
pub fn stock_directory(
    out: &mut Vec<u8>,
    h: Header,
    stock: &str,
    market_category: u8,
    round_lot_size: u32,
    luld_tier: u8,
    etp_flag: u8,
) {
    Msg::new(out, b'R', h)
        .alpha(stock, 8)
        .c(market_category)
        .c(b'N') // financial status: normal
        .u32(round_lot_size)
        .c(b'N') // round lots only
        .c(b'C') // issue classification: common stock
        .alpha("Z", 2)
        .c(b'P') // authenticity: production
        .c(b'N') // short sale threshold
        .c(b' ') // IPO flag
        .c(luld_tier)
        .c(etp_flag)
        .u32(0)
        .c(b'N')
        .done()
}

pub fn trading_action(out: &mut Vec<u8>, h: Header, stock: &str, state: u8, reason: &str) {
    Msg::new(out, b'H', h)
        .alpha(stock, 8)
        .c(state)
        .c(b' ')
        .alpha(reason, 4)
        .done()
}

pub fn reg_sho(out: &mut Vec<u8>, h: Header, stock: &str, action: u8) {
    Msg::new(out, b'Y', h).alpha(stock, 8).c(action).done()
}

pub fn market_participant_position(
    out: &mut Vec<u8>,
    h: Header,
    mpid: &str,
    stock: &str,
    primary: u8,
    mode: u8,
    state: u8,
) {
    Msg::new(out, b'L', h)
        .alpha(mpid, 4)
        .alpha(stock, 8)
        .c(primary)
        .c(mode)
        .c(state)
        .done()
}

/// MWCB decline levels in Price(8).
pub fn mwcb_decline_level(out: &mut Vec<u8>, h: Header, level_1: u64, level_2: u64, level_3: u64) {
    Msg::new(out, b'V', h)
        .u64(level_1)
        .u64(level_2)
        .u64(level_3)
        .done()
}

pub fn mwcb_status(out: &mut Vec<u8>, h: Header, breached_level: u8) {
    Msg::new(out, b'W', h).c(breached_level).done()
}

pub fn ipo_quoting_period_update(
    out: &mut Vec<u8>,
    h: Header,
    stock: &str,
    release_time: u32,
    qualifier: u8,
    ipo_price: u32,
) {
    Msg::new(out, b'K', h)
        .alpha(stock, 8)
        .u32(release_time)
        .c(qualifier)
        .u32(ipo_price)
        .done()
}

pub fn luld_auction_collar(
    out: &mut Vec<u8>,
    h: Header,
    stock: &str,
    reference: u32,
    upper: u32,
    lower: u32,
    extension: u32,
) {
    Msg::new(out, b'J', h)
        .alpha(stock, 8)
        .u32(reference)
        .u32(upper)
        .u32(lower)
        .u32(extension)
        .done()
}

pub fn operational_halt(out: &mut Vec<u8>, h: Header, stock: &str, market_code: u8, action: u8) {
    Msg::new(out, b'h', h)
        .alpha(stock, 8)
        .c(market_code)
        .c(action)
        .done()
}

pub fn add_order(
    out: &mut Vec<u8>,
    h: Header,
    reference: u64,
    side: u8,
    shares: u32,
    stock: &str,
    price: u32,
) {
    Msg::new(out, b'A', h)
        .u64(reference)
        .c(side)
        .u32(shares)
        .alpha(stock, 8)
        .u32(price)
        .done()
}

#[allow(clippy::too_many_arguments)]
pub fn add_order_mpid(
    out: &mut Vec<u8>,
    h: Header,
    reference: u64,
    side: u8,
    shares: u32,
    stock: &str,
    price: u32,
    attribution: &str,
) {
    Msg::new(out, b'F', h)
        .u64(reference)
        .c(side)
        .u32(shares)
        .alpha(stock, 8)
        .u32(price)
        .alpha(attribution, 4)
        .done()
}

pub fn order_executed(
    out: &mut Vec<u8>,
    h: Header,
    reference: u64,
    shares: u32,
    match_number: u64,
) {
    Msg::new(out, b'E', h)
        .u64(reference)
        .u32(shares)
        .u64(match_number)
        .done()
}

pub fn order_executed_with_price(
    out: &mut Vec<u8>,
    h: Header,
    reference: u64,
    shares: u32,
    match_number: u64,
    printable: u8,
    price: u32,
) {
    Msg::new(out, b'C', h)
        .u64(reference)
        .u32(shares)
        .u64(match_number)
        .c(printable)
        .u32(price)
        .done()
}

pub fn order_cancel(out: &mut Vec<u8>, h: Header, reference: u64, shares: u32) {
    Msg::new(out, b'X', h).u64(reference).u32(shares).done()
}

pub fn order_delete(out: &mut Vec<u8>, h: Header, reference: u64) {
    Msg::new(out, b'D', h).u64(reference).done()
}

pub fn order_replace(
    out: &mut Vec<u8>,
    h: Header,
    original: u64,
    new_reference: u64,
    shares: u32,
    price: u32,
) {
    Msg::new(out, b'U', h)
        .u64(original)
        .u64(new_reference)
        .u32(shares)
        .u32(price)
        .done()
}

#[allow(clippy::too_many_arguments)]
pub fn trade(
    out: &mut Vec<u8>,
    h: Header,
    reference: u64,
    side: u8,
    shares: u32,
    stock: &str,
    price: u32,
    match_number: u64,
) {
    Msg::new(out, b'P', h)
        .u64(reference)
        .c(side)
        .u32(shares)
        .alpha(stock, 8)
        .u32(price)
        .u64(match_number)
        .done()
}

pub fn cross_trade(
    out: &mut Vec<u8>,
    h: Header,
    shares: u64,
    stock: &str,
    price: u32,
    match_number: u64,
    cross_type: u8,
) {
    Msg::new(out, b'Q', h)
        .u64(shares)
        .alpha(stock, 8)
        .u32(price)
        .u64(match_number)
        .c(cross_type)
        .done()
}

pub fn broken_trade(out: &mut Vec<u8>, h: Header, match_number: u64) {
    Msg::new(out, b'B', h).u64(match_number).done()
}

#[allow(clippy::too_many_arguments)]
pub fn noii(
    out: &mut Vec<u8>,
    h: Header,
    paired: u64,
    imbalance: u64,
    direction: u8,
    stock: &str,
    far: u32,
    near: u32,
    reference: u32,
    cross_type: u8,
    variation: u8,
) {
    Msg::new(out, b'I', h)
        .u64(paired)
        .u64(imbalance)
        .c(direction)
        .alpha(stock, 8)
        .u32(far)
        .u32(near)
        .u32(reference)
        .c(cross_type)
        .c(variation)
        .done()
}

pub fn retail_interest(out: &mut Vec<u8>, h: Header, stock: &str, flag: u8) {
    Msg::new(out, b'N', h).alpha(stock, 8).c(flag).done()
}

#[allow(clippy::too_many_arguments)]
pub fn direct_listing_price_discovery(
    out: &mut Vec<u8>,
    h: Header,
    stock: &str,
    eligible: u8,
    min_price: u32,
    max_price: u32,
    near_price: u32,
    near_time: u64,
    lower_collar: u32,
    upper_collar: u32,
) {
    Msg::new(out, b'O', h)
        .alpha(stock, 8)
        .c(eligible)
        .u32(min_price)
        .u32(max_price)
        .u32(near_price)
        .u64(near_time)
        .u32(lower_collar)
        .u32(upper_collar)
        .done()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::itch::{FieldValue, ItchMessage, MESSAGE_TYPES};

    fn h() -> Header {
        Header {
            locate: 77,
            tracking: 3,
            timestamp_ns: 52_200_000_000_123,
        }
    }

    /// One message of every type, encoded.
    fn all_types() -> Vec<Vec<u8>> {
        let mut v = Vec::new();
        let mut push = |f: &dyn Fn(&mut Vec<u8>)| {
            let mut b = Vec::new();
            f(&mut b);
            v.push(b);
        };
        push(&|o| system_event(o, h(), b'Q'));
        push(&|o| stock_directory(o, h(), "SPY", b'P', 100, b'1', b'Y'));
        push(&|o| trading_action(o, h(), "ZXZZT", b'P', "LUDP"));
        push(&|o| reg_sho(o, h(), "AAPL", b'1'));
        push(&|o| market_participant_position(o, h(), "MAXM", "FGMC", b'Y', b'N', b'A'));
        push(&|o| mwcb_decline_level(o, h(), 1, 2, 3));
        push(&|o| mwcb_status(o, h(), b'1'));
        push(&|o| ipo_quoting_period_update(o, h(), "NEWCO", 36_000, b'A', 200_000));
        push(&|o| luld_auction_collar(o, h(), "ZXZZT", 133_400, 140_100, 109_200, 1));
        push(&|o| operational_halt(o, h(), "AAPL", b'Q', b'H'));
        push(&|o| add_order(o, h(), 1, b'B', 100, "AAPL", 1_900_000));
        push(&|o| add_order_mpid(o, h(), 2, b'S', 100, "AAPL", 1_900_100, "GSCO"));
        push(&|o| order_executed(o, h(), 1, 10, 99));
        push(&|o| order_executed_with_price(o, h(), 1, 10, 100, b'Y', 1_899_900));
        push(&|o| order_cancel(o, h(), 1, 5));
        push(&|o| order_delete(o, h(), 1));
        push(&|o| order_replace(o, h(), 2, 3, 50, 1_900_200));
        push(&|o| trade(o, h(), 0, b'B', 300, "AAPL", 1_900_000, 101));
        push(&|o| cross_trade(o, h(), 1_000_000, "AAPL", 1_900_000, 102, b'O'));
        push(&|o| broken_trade(o, h(), 101));
        push(&|o| noii(o, h(), 10, 20, b'B', "AAPL", 1, 2, 3, b'O', b'L'));
        push(&|o| retail_interest(o, h(), "AAPL", b'A'));
        push(&|o| direct_listing_price_discovery(o, h(), "NEWCO", b'Y', 1, 2, 3, 4, 5, 6));
        v
    }

    #[test]
    fn every_type_round_trips_through_the_decoder() {
        let msgs = all_types();
        assert_eq!(msgs.len(), MESSAGE_TYPES.len());
        for (bytes, &tag) in msgs.iter().zip(MESSAGE_TYPES) {
            let m =
                ItchMessage::parse(bytes).unwrap_or_else(|e| panic!("type {}: {e}", tag as char));
            assert_eq!(m.message_type(), tag);
            assert_eq!(m.stock_locate(), 77);
            assert_eq!(m.timestamp_ns(), 52_200_000_000_123);
        }
    }

    #[test]
    fn encoded_fields_read_back_by_name() {
        let mut b = Vec::new();
        order_replace(&mut b, h(), 2, 3, 50, 1_900_200);
        let m = ItchMessage::parse(&b).unwrap();
        let mut fields = Vec::new();
        m.visit_fields(|n, v| fields.push((n, v)));
        assert!(fields.contains(&("original_order_reference_number", FieldValue::Integer(2))));
        assert!(fields.contains(&("new_order_reference_number", FieldValue::Integer(3))));
        assert!(fields.contains(&("price", FieldValue::Price4(1_900_200))));
    }
}
