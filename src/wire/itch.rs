//! Nasdaq TotalView-ITCH 5.0: every message type, as zero-copy views.
//!
//! One table (the `itch_messages!` invocation below) is the specification:
//! type byte, length, and each field's name (the spec's name in snake_case),
//! kind and offset. From it come the typed views, the length-by-type table
//! used to frame messages whose length prefix cannot be trusted, and the
//! field visitor behind `breakwater decode --messages --json`.
//!
//! Every message starts with the same header: type (offset 0), stock locate
//! (1), tracking number (3) and a 48-bit timestamp in nanoseconds since
//! midnight (5). Prices are integers in feed units: `price4` fields are
//! 1/10,000 dollar, `price8` fields (MWCB levels) 1/100,000,000 dollar.

use super::bytes::{alpha_at, u16_at, u32_at, u48_at, u64_at};
use super::DecodeError;

/// The value of one field, for generic consumers (JSON output, oracles).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldValue<'a> {
    Integer(u64),
    /// A price in 1/10,000 dollar.
    Price4(u32),
    /// A price in 1/100,000,000 dollar.
    Price8(u64),
    Char(u8),
    Alpha(&'a str),
}

macro_rules! field_type {
    (u16) => { u16 };
    (u32) => { u32 };
    (u64) => { u64 };
    (price4) => { u32 };
    (price8) => { u64 };
    (char) => { u8 };
    (alpha2) => { &'a str };
    (alpha4) => { &'a str };
    (alpha8) => { &'a str };
}

macro_rules! read_field {
    (u16, $b:expr, $off:expr) => {
        u16_at($b, $off)
    };
    (u32, $b:expr, $off:expr) => {
        u32_at($b, $off)
    };
    (u64, $b:expr, $off:expr) => {
        u64_at($b, $off)
    };
    (price4, $b:expr, $off:expr) => {
        u32_at($b, $off)
    };
    (price8, $b:expr, $off:expr) => {
        u64_at($b, $off)
    };
    (char, $b:expr, $off:expr) => {
        $b[$off]
    };
    (alpha2, $b:expr, $off:expr) => {
        alpha_at($b, $off, 2)
    };
    (alpha4, $b:expr, $off:expr) => {
        alpha_at($b, $off, 4)
    };
    (alpha8, $b:expr, $off:expr) => {
        alpha_at($b, $off, 8)
    };
}

macro_rules! field_value {
    (u16, $v:expr) => {
        FieldValue::Integer(u64::from($v))
    };
    (u32, $v:expr) => {
        FieldValue::Integer(u64::from($v))
    };
    (u64, $v:expr) => {
        FieldValue::Integer($v)
    };
    (price4, $v:expr) => {
        FieldValue::Price4($v)
    };
    (price8, $v:expr) => {
        FieldValue::Price8($v)
    };
    (char, $v:expr) => {
        FieldValue::Char($v)
    };
    (alpha2, $v:expr) => {
        FieldValue::Alpha($v)
    };
    (alpha4, $v:expr) => {
        FieldValue::Alpha($v)
    };
    (alpha8, $v:expr) => {
        FieldValue::Alpha($v)
    };
}

macro_rules! itch_messages {
    ($(
        $(#[$doc:meta])*
        $name:ident = $tag:literal, $len:literal, $label:literal {
            $( $field:ident : $kind:ident @ $off:literal ),* $(,)?
        }
    )*) => {
        $(
            $(#[$doc])*
            #[derive(Clone, Copy, Debug)]
            pub struct $name<'a>(&'a [u8; $len]);

            impl<'a> $name<'a> {
                pub const TYPE: u8 = $tag;
                pub const LEN: usize = $len;

                #[inline]
                pub fn bytes(&self) -> &'a [u8; $len] {
                    self.0
                }

                #[inline]
                pub fn stock_locate(&self) -> u16 {
                    u16_at(self.0, 1)
                }

                #[inline]
                pub fn tracking_number(&self) -> u16 {
                    u16_at(self.0, 3)
                }

                /// Nanoseconds since midnight (exchange local time).
                #[inline]
                pub fn timestamp_ns(&self) -> u64 {
                    u48_at(self.0, 5)
                }

                $(
                    #[inline]
                    pub fn $field(&self) -> field_type!($kind) {
                        read_field!($kind, self.0, $off)
                    }
                )*

                #[inline]
                pub fn visit_fields<F: FnMut(&'static str, FieldValue<'a>)>(&self, visit: &mut F) {
                    visit("stock_locate", FieldValue::Integer(u64::from(self.stock_locate())));
                    visit("tracking_number", FieldValue::Integer(u64::from(self.tracking_number())));
                    visit("timestamp", FieldValue::Integer(self.timestamp_ns()));
                    $( visit(stringify!($field), field_value!($kind, self.$field())); )*
                }
            }
        )*

        /// One decoded ITCH 5.0 message. Each variant's discriminant is
        /// its type byte, so [`ItchMessage::parse`] maps the byte to the
        /// variant without a branch per type (a dispatch costs a
        /// misprediction on a feed's mix of types).
        #[derive(Clone, Copy, Debug)]
        #[repr(u8)]
        pub enum ItchMessage<'a> {
            $( $name($name<'a>) = $tag, )*
        }

        impl<'a> ItchMessage<'a> {
            /// Decodes one message whose framing length is `bytes.len()`.
            /// The length must be the type's length exactly.
            #[inline]
            pub fn parse(bytes: &'a [u8]) -> Result<Self, DecodeError> {
                let Some(&tag) = bytes.first() else {
                    return Err(DecodeError::ItchEmpty);
                };
                // The length check by table, so that the match below only
                // names the variant (its discriminant is `tag`).
                match MESSAGE_LEN_BY_TYPE[usize::from(tag)] {
                    0 => return Err(DecodeError::ItchUnknownType),
                    len if usize::from(len) != bytes.len() => {
                        return Err(DecodeError::ItchLengthMismatch)
                    }
                    _ => {}
                }
                Ok(match tag {
                    // SAFETY: `bytes` is `$len` long (its type's length in
                    // the table, checked above), so it is a `[u8; $len]`.
                    $( $tag => ItchMessage::$name($name(unsafe { &*bytes.as_ptr().cast::<[u8; $len]>() })), )*
                    // Not reached: the table has no length for such a byte.
                    _ => return Err(DecodeError::ItchUnknownType),
                })
            }

            #[inline]
            pub fn message_type(&self) -> u8 {
                match self { $( ItchMessage::$name(_) => $tag, )* }
            }

            /// The spec's name of the message type, e.g. "Add Order".
            pub fn type_name(&self) -> &'static str {
                match self { $( ItchMessage::$name(_) => $label, )* }
            }

            #[inline]
            pub fn bytes(&self) -> &'a [u8] {
                match self { $( ItchMessage::$name(m) => m.bytes(), )* }
            }

            #[inline]
            pub fn stock_locate(&self) -> u16 {
                match self { $( ItchMessage::$name(m) => m.stock_locate(), )* }
            }

            #[inline]
            pub fn timestamp_ns(&self) -> u64 {
                match self { $( ItchMessage::$name(m) => m.timestamp_ns(), )* }
            }

            /// The stock symbol, for the message types that carry one.
            pub fn stock(&self) -> Option<&'a str> {
                let mut stock = None;
                self.visit_fields(|name, value| {
                    if let ("stock", FieldValue::Alpha(s)) = (name, value) {
                        stock = Some(s);
                    }
                });
                stock
            }

            /// Calls `visit` with every field of the spec, header first, in
            /// wire order (the type byte itself excluded).
            #[inline]
            pub fn visit_fields(&self, mut visit: impl FnMut(&'static str, FieldValue<'a>)) {
                match self { $( ItchMessage::$name(m) => m.visit_fields(&mut visit), )* }
            }
        }

        /// The length of a message of type `tag`, type byte included, or
        /// `None` for a type ITCH 5.0 does not define.
        pub const fn message_len(tag: u8) -> Option<usize> {
            match MESSAGE_LEN_BY_TYPE[tag as usize] {
                0 => None,
                len => Some(len as usize),
            }
        }

        /// The length of each message type by its type byte (0: not an
        /// ITCH 5.0 type).
        const MESSAGE_LEN_BY_TYPE: [u8; 256] = {
            let mut lens = [0u8; 256];
            $( lens[$tag as usize] = $len; )*
            lens
        };

        /// Every message type ITCH 5.0 defines, in specification order.
        pub const MESSAGE_TYPES: &[u8] = &[$( $tag, )*];
    };
}

itch_messages! {
    /// `S`: start/end of messages, system hours, market hours.
    SystemEvent = b'S', 12, "System Event" {
        event_code: char @ 11,
    }
    /// `R`: one per symbol at the start of day.
    StockDirectory = b'R', 39, "Stock Directory" {
        stock: alpha8 @ 11,
        market_category: char @ 19,
        financial_status_indicator: char @ 20,
        round_lot_size: u32 @ 21,
        round_lots_only: char @ 25,
        issue_classification: char @ 26,
        issue_sub_type: alpha2 @ 27,
        authenticity: char @ 29,
        short_sale_threshold_indicator: char @ 30,
        ipo_flag: char @ 31,
        luld_reference_price_tier: char @ 32,
        etp_flag: char @ 33,
        etp_leverage_factor: u32 @ 34,
        inverse_indicator: char @ 38,
    }
    /// `H`: halted (H), paused (P), quotation only (Q) or trading (T).
    StockTradingAction = b'H', 25, "Stock Trading Action" {
        stock: alpha8 @ 11,
        trading_state: char @ 19,
        reserved: char @ 20,
        reason: alpha4 @ 21,
    }
    /// `Y`: Reg SHO short-sale price test.
    RegShoRestriction = b'Y', 20, "Reg SHO Short Sale Price Test Restricted Indicator" {
        stock: alpha8 @ 11,
        reg_sho_action: char @ 19,
    }
    /// `L`: a market participant's status in a symbol.
    MarketParticipantPosition = b'L', 26, "Market Participant Position" {
        mpid: alpha4 @ 11,
        stock: alpha8 @ 15,
        primary_market_maker: char @ 23,
        market_maker_mode: char @ 24,
        market_participant_state: char @ 25,
    }
    /// `V`: market-wide circuit breaker decline levels (Price(8)).
    MwcbDeclineLevel = b'V', 35, "MWCB Decline Level" {
        level_1: price8 @ 11,
        level_2: price8 @ 19,
        level_3: price8 @ 27,
    }
    /// `W`: a market-wide circuit breaker level was breached.
    MwcbStatus = b'W', 12, "MWCB Status" {
        breached_level: char @ 11,
    }
    /// `K`: IPO quotation period update.
    IpoQuotingPeriodUpdate = b'K', 28, "IPO Quoting Period Update" {
        stock: alpha8 @ 11,
        ipo_quotation_release_time: u32 @ 19,
        ipo_quotation_release_qualifier: char @ 23,
        ipo_price: price4 @ 24,
    }
    /// `J`: LULD auction collar for a paused symbol.
    LuldAuctionCollar = b'J', 35, "LULD Auction Collar" {
        stock: alpha8 @ 11,
        auction_collar_reference_price: price4 @ 19,
        upper_auction_collar_price: price4 @ 23,
        lower_auction_collar_price: price4 @ 27,
        auction_collar_extension: u32 @ 31,
    }
    /// `h`: operational halt on one market center.
    OperationalHalt = b'h', 21, "Operational Halt" {
        stock: alpha8 @ 11,
        market_code: char @ 19,
        operational_halt_action: char @ 20,
    }
    /// `A`: a new displayed order, no attribution.
    AddOrder = b'A', 36, "Add Order" {
        order_reference_number: u64 @ 11,
        buy_sell_indicator: char @ 19,
        shares: u32 @ 20,
        stock: alpha8 @ 24,
        price: price4 @ 32,
    }
    /// `F`: a new displayed order with MPID attribution.
    AddOrderMpid = b'F', 40, "Add Order with MPID Attribution" {
        order_reference_number: u64 @ 11,
        buy_sell_indicator: char @ 19,
        shares: u32 @ 20,
        stock: alpha8 @ 24,
        price: price4 @ 32,
        attribution: alpha4 @ 36,
    }
    /// `E`: a resting order executed at its price.
    OrderExecuted = b'E', 31, "Order Executed" {
        order_reference_number: u64 @ 11,
        executed_shares: u32 @ 19,
        match_number: u64 @ 23,
    }
    /// `C`: a resting order executed at a different price.
    OrderExecutedWithPrice = b'C', 36, "Order Executed With Price" {
        order_reference_number: u64 @ 11,
        executed_shares: u32 @ 19,
        match_number: u64 @ 23,
        printable: char @ 31,
        execution_price: price4 @ 32,
    }
    /// `X`: part of a resting order cancelled.
    OrderCancel = b'X', 23, "Order Cancel" {
        order_reference_number: u64 @ 11,
        cancelled_shares: u32 @ 19,
    }
    /// `D`: a resting order removed.
    OrderDelete = b'D', 19, "Order Delete" {
        order_reference_number: u64 @ 11,
    }
    /// `U`: a resting order replaced by a new reference, size and price.
    OrderReplace = b'U', 35, "Order Replace" {
        original_order_reference_number: u64 @ 11,
        new_order_reference_number: u64 @ 19,
        shares: u32 @ 27,
        price: price4 @ 31,
    }
    /// `P`: an execution against a non-displayed order.
    Trade = b'P', 44, "Trade (Non-Cross)" {
        order_reference_number: u64 @ 11,
        buy_sell_indicator: char @ 19,
        shares: u32 @ 20,
        stock: alpha8 @ 24,
        price: price4 @ 32,
        match_number: u64 @ 36,
    }
    /// `Q`: the bulk print of an opening, closing, IPO or halt cross.
    CrossTrade = b'Q', 40, "Cross Trade" {
        shares: u64 @ 11,
        stock: alpha8 @ 19,
        cross_price: price4 @ 27,
        match_number: u64 @ 31,
        cross_type: char @ 39,
    }
    /// `B`: an execution was broken.
    BrokenTrade = b'B', 19, "Broken Trade" {
        match_number: u64 @ 11,
    }
    /// `I`: net order imbalance indicator before a cross.
    NetOrderImbalanceIndicator = b'I', 50, "NOII" {
        paired_shares: u64 @ 11,
        imbalance_shares: u64 @ 19,
        imbalance_direction: char @ 27,
        stock: alpha8 @ 28,
        far_price: price4 @ 36,
        near_price: price4 @ 40,
        current_reference_price: price4 @ 44,
        cross_type: char @ 48,
        price_variation_indicator: char @ 49,
    }
    /// `N`: retail price improvement interest.
    RetailInterest = b'N', 20, "Retail Interest" {
        stock: alpha8 @ 11,
        interest_flag: char @ 19,
    }
    /// `O`: direct listing with capital raise price discovery.
    DirectListingPriceDiscovery = b'O', 48, "Direct Listing with Capital Raise Price Discovery" {
        stock: alpha8 @ 11,
        open_eligibility_status: char @ 19,
        minimum_allowable_price: price4 @ 20,
        maximum_allowable_price: price4 @ 24,
        near_execution_price: price4 @ 28,
        near_execution_time: u64 @ 32,
        lower_price_range_collar: price4 @ 40,
        upper_price_range_collar: price4 @ 44,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `A` message of the real capture
    /// `Nasdaq.Equities.TotalView.Itch.v5.0/AddOrderNoMpidAttributionMessage.pcap`
    /// (locate 5528, ref 23508286, buy 1600 IVOO @ 87.39), rebuilt from its
    /// decoded fields.
    fn ivoo_add() -> Vec<u8> {
        let mut m = vec![b'A'];
        m.extend_from_slice(&5528u16.to_be_bytes());
        m.extend_from_slice(&0u16.to_be_bytes());
        m.extend_from_slice(&34_199_999_894_278u64.to_be_bytes()[2..]);
        m.extend_from_slice(&23_508_286u64.to_be_bytes());
        m.push(b'B');
        m.extend_from_slice(&1600u32.to_be_bytes());
        m.extend_from_slice(b"IVOO    ");
        m.extend_from_slice(&873_900u32.to_be_bytes());
        m
    }

    #[test]
    fn add_order_fields_read_at_spec_offsets() {
        let bytes = ivoo_add();
        let ItchMessage::AddOrder(a) = ItchMessage::parse(&bytes).unwrap() else {
            panic!("not an add order");
        };
        assert_eq!(a.stock_locate(), 5528);
        assert_eq!(a.timestamp_ns(), 34_199_999_894_278);
        assert_eq!(a.order_reference_number(), 23_508_286);
        assert_eq!(a.buy_sell_indicator(), b'B');
        assert_eq!(a.shares(), 1600);
        assert_eq!(a.stock(), "IVOO");
        assert_eq!(a.price(), 873_900);
    }

    #[test]
    fn lengths_match_the_itch_5_0_specification() {
        let expected: [(u8, usize); 23] = [
            (b'S', 12),
            (b'R', 39),
            (b'H', 25),
            (b'Y', 20),
            (b'L', 26),
            (b'V', 35),
            (b'W', 12),
            (b'K', 28),
            (b'J', 35),
            (b'h', 21),
            (b'A', 36),
            (b'F', 40),
            (b'E', 31),
            (b'C', 36),
            (b'X', 23),
            (b'D', 19),
            (b'U', 35),
            (b'P', 44),
            (b'Q', 40),
            (b'B', 19),
            (b'I', 50),
            (b'N', 20),
            (b'O', 48),
        ];
        assert_eq!(MESSAGE_TYPES.len(), expected.len());
        for (tag, len) in expected {
            assert_eq!(message_len(tag), Some(len), "type {}", tag as char);
        }
        assert_eq!(message_len(b'Z'), None);
    }

    #[test]
    fn every_type_parses_at_its_length_and_only_there() {
        for &tag in MESSAGE_TYPES {
            let len = message_len(tag).unwrap();
            let mut bytes = vec![b' '; len + 1];
            bytes[0] = tag;
            let m = ItchMessage::parse(&bytes[..len]).unwrap();
            assert_eq!(m.message_type(), tag);
            assert_eq!(m.bytes().len(), len);
            // Every field visit reads inside the message.
            let mut n = 0;
            m.visit_fields(|_, _| n += 1);
            assert!(
                n >= 4,
                "type {} has header and at least one field",
                tag as char
            );
            assert_eq!(
                ItchMessage::parse(&bytes).unwrap_err(),
                DecodeError::ItchLengthMismatch
            );
            assert_eq!(
                ItchMessage::parse(&bytes[..len - 1]).unwrap_err(),
                DecodeError::ItchLengthMismatch
            );
        }
    }

    #[test]
    fn parse_accepts_exactly_the_defined_types_at_their_lengths() {
        let mut bytes = [0u8; 64];
        for tag in 0..=255u8 {
            bytes[0] = tag;
            for len in 1..=bytes.len() {
                let parsed = ItchMessage::parse(&bytes[..len]);
                match message_len(tag) {
                    None => assert_eq!(parsed.unwrap_err(), DecodeError::ItchUnknownType),
                    Some(l) if l != len => {
                        assert_eq!(parsed.unwrap_err(), DecodeError::ItchLengthMismatch)
                    }
                    Some(_) => {
                        let m = parsed.unwrap();
                        assert_eq!(m.message_type(), tag);
                        assert_eq!(m.bytes().as_ptr(), bytes.as_ptr());
                        assert_eq!(m.bytes().len(), len);
                    }
                }
            }
        }
    }

    #[test]
    fn stock_is_found_on_types_that_carry_one() {
        let bytes = ivoo_add();
        assert_eq!(ItchMessage::parse(&bytes).unwrap().stock(), Some("IVOO"));
        let mut d = vec![b'D'];
        d.extend_from_slice(&[0; 18]);
        assert_eq!(ItchMessage::parse(&d).unwrap().stock(), None);
    }

    #[test]
    fn empty_and_unknown_messages_are_errors() {
        assert_eq!(ItchMessage::parse(&[]).unwrap_err(), DecodeError::ItchEmpty);
        assert_eq!(
            ItchMessage::parse(&[b'Z'; 20]).unwrap_err(),
            DecodeError::ItchUnknownType
        );
    }

    #[test]
    fn visit_fields_lists_header_then_spec_fields_in_wire_order() {
        let bytes = ivoo_add();
        let m = ItchMessage::parse(&bytes).unwrap();
        let mut names = Vec::new();
        m.visit_fields(|name, _| names.push(name));
        assert_eq!(
            names,
            [
                "stock_locate",
                "tracking_number",
                "timestamp",
                "order_reference_number",
                "buy_sell_indicator",
                "shares",
                "stock",
                "price"
            ]
        );
    }
}
