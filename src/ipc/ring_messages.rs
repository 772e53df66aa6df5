//! The records strategies and the appliance exchange over their rings.
//! Each is a `bytemuck::Pod` struct with a fixed kind code; prices are ITCH
//! Price(4) integers, quantities shares, times TSC ticks or nanoseconds as
//! their names say.

use bytemuck::{Pod, Zeroable};

/// Record kinds (kind 0 is the ring's padding).
pub mod kind {
    // strategy → appliance
    pub const NEW_ORDER: u16 = 1;
    pub const CANCEL: u16 = 2;
    pub const REPLACE: u16 = 3;
    pub const HEARTBEAT: u16 = 4;
    /// Lockstep replay: the strategy has handled every snapshot up to `seq`.
    pub const SYNC: u16 = 5;
    // appliance → strategy
    pub const ACK: u16 = 16;
    pub const REJECT: u16 = 17;
    pub const FILL: u16 = 18;
    pub const CANCELLED: u16 = 19;
    pub const MARKET_SNAPSHOT: u16 = 20;
}

/// A message type with its ring kind.
pub trait RingMessage: Pod {
    const KIND: u16;

    fn as_payload(&self) -> &[u8] {
        bytemuck::bytes_of(self)
    }

    /// The message in `payload`, if it has exactly this type's size.
    fn from_payload(payload: &[u8]) -> Option<Self> {
        bytemuck::try_pod_read_unaligned(payload).ok()
    }
}

pub const SIDE_BUY: u8 = b'B';
pub const SIDE_SELL: u8 = b'S';
pub const TIF_DAY: u8 = 0;
pub const TIF_IOC: u8 = 1;

/// An 8-byte, space-padded symbol as ITCH carries it.
pub fn symbol_bytes(symbol: &str) -> [u8; 8] {
    let mut s = [b' '; 8];
    for (d, c) in s.iter_mut().zip(symbol.bytes()) {
        *d = c;
    }
    s
}

pub fn symbol_str(symbol: &[u8; 8]) -> &str {
    let end = symbol
        .iter()
        .rposition(|&c| c != b' ' && c != 0)
        .map_or(0, |i| i + 1);
    std::str::from_utf8(&symbol[..end]).unwrap_or("")
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct NewOrder {
    pub client_order_id: u64,
    /// The strategy's TSC when it sent the order.
    pub send_tsc: u64,
    pub symbol: [u8; 8],
    pub price: u32,
    pub qty: u32,
    pub side: u8,
    pub tif: u8,
    pub reserved: [u8; 6],
}

impl RingMessage for NewOrder {
    const KIND: u16 = kind::NEW_ORDER;
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct Cancel {
    pub client_order_id: u64,
    pub send_tsc: u64,
}

impl RingMessage for Cancel {
    const KIND: u16 = kind::CANCEL;
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct Replace {
    pub client_order_id: u64,
    pub send_tsc: u64,
    pub new_price: u32,
    pub new_qty: u32,
}

impl RingMessage for Replace {
    const KIND: u16 = kind::REPLACE;
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct Heartbeat {
    pub sent_unix_ns: u64,
    pub sequence: u64,
}

impl RingMessage for Heartbeat {
    const KIND: u16 = kind::HEARTBEAT;
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct Sync {
    pub snapshot_seq: u64,
}

impl RingMessage for Sync {
    const KIND: u16 = kind::SYNC;
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct Ack {
    pub client_order_id: u64,
    /// The appliance's id for the order.
    pub order_id: u64,
}

impl RingMessage for Ack {
    const KIND: u16 = kind::ACK;
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct Reject {
    pub client_order_id: u64,
    /// `risk::reject_reason` bits.
    pub reasons: u32,
    pub reserved: u32,
}

impl RingMessage for Reject {
    const KIND: u16 = kind::REJECT;
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct Fill {
    pub client_order_id: u64,
    pub price: u32,
    pub qty: u32,
    pub leaves_qty: u32,
    pub venue: u32,
}

impl RingMessage for Fill {
    const KIND: u16 = kind::FILL;
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct Cancelled {
    pub client_order_id: u64,
    /// `risk::reject_reason` bits saying why (0: the strategy asked).
    pub reasons: u32,
    pub reserved: u32,
}

impl RingMessage for Cancelled {
    const KIND: u16 = kind::CANCELLED;
}

/// The market as the appliance saw it after one feed event (for strategies
/// that do not decode the feed themselves; lockstep replays sync on `seq`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct MarketSnapshot {
    pub seq: u64,
    /// Feed time: nanoseconds since midnight.
    pub feed_time_ns: u64,
    pub symbol: [u8; 8],
    pub last_price: u32,
    pub last_qty: u32,
    pub bid_price: u32,
    pub bid_qty: u32,
    pub ask_price: u32,
    pub ask_qty: u32,
    /// Trading state from the feed: b'T' trading, b'H' halted, b'P' paused.
    pub trading_state: u8,
    pub reserved: [u8; 7],
    /// Shares traded in the symbol so far today, all venues.
    pub volume: u64,
}

impl RingMessage for MarketSnapshot {
    const KIND: u16 = kind::MARKET_SNAPSHOT;
}

/// A record a strategy sent, decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrategyRequest {
    NewOrder(NewOrder),
    Cancel(Cancel),
    Replace(Replace),
    Heartbeat(Heartbeat),
    Sync(Sync),
    /// A known kind whose payload has the wrong size.
    Malformed {
        kind: u16,
        len: usize,
    },
    /// A kind strategies may not send.
    Unknown {
        kind: u16,
    },
}

impl StrategyRequest {
    pub fn decode(kind: u16, payload: &[u8]) -> Self {
        fn read<T: RingMessage>(
            kind: u16,
            p: &[u8],
            wrap: fn(T) -> StrategyRequest,
        ) -> StrategyRequest {
            T::from_payload(p).map_or(StrategyRequest::Malformed { kind, len: p.len() }, wrap)
        }
        match kind {
            kind::NEW_ORDER => read(kind, payload, StrategyRequest::NewOrder),
            kind::CANCEL => read(kind, payload, StrategyRequest::Cancel),
            kind::REPLACE => read(kind, payload, StrategyRequest::Replace),
            kind::HEARTBEAT => read(kind, payload, StrategyRequest::Heartbeat),
            kind::SYNC => read(kind, payload, StrategyRequest::Sync),
            _ => StrategyRequest::Unknown { kind },
        }
    }
}

/// A record the appliance sent to a strategy, decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Report {
    Ack(Ack),
    Reject(Reject),
    Fill(Fill),
    Cancelled(Cancelled),
    MarketSnapshot(MarketSnapshot),
    Heartbeat(Heartbeat),
    /// Anything else (a newer appliance, or a garbled record).
    Unknown {
        kind: u16,
        len: usize,
    },
}

impl Report {
    pub fn decode(kind: u16, payload: &[u8]) -> Self {
        fn read<T: RingMessage>(kind: u16, p: &[u8], wrap: fn(T) -> Report) -> Report {
            T::from_payload(p).map_or(Report::Unknown { kind, len: p.len() }, wrap)
        }
        match kind {
            kind::ACK => read(kind, payload, Report::Ack),
            kind::REJECT => read(kind, payload, Report::Reject),
            kind::FILL => read(kind, payload, Report::Fill),
            kind::CANCELLED => read(kind, payload, Report::Cancelled),
            kind::MARKET_SNAPSHOT => read(kind, payload, Report::MarketSnapshot),
            kind::HEARTBEAT => read(kind, payload, Report::Heartbeat),
            _ => Report::Unknown {
                kind,
                len: payload.len(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_through_payload_bytes() {
        let o = NewOrder {
            client_order_id: 42,
            send_tsc: 7,
            symbol: symbol_bytes("AAPL"),
            price: 1_900_000,
            qty: 100,
            side: SIDE_BUY,
            tif: TIF_IOC,
            reserved: [0; 6],
        };
        assert_eq!(NewOrder::from_payload(o.as_payload()), Some(o));
        assert_eq!(NewOrder::from_payload(&o.as_payload()[1..]), None);
        assert_eq!(symbol_str(&o.symbol), "AAPL");
    }

    #[test]
    fn requests_decode_by_kind_and_size() {
        let c = Cancel {
            client_order_id: 9,
            send_tsc: 1,
        };
        assert_eq!(
            StrategyRequest::decode(kind::CANCEL, c.as_payload()),
            StrategyRequest::Cancel(c)
        );
        assert_eq!(
            StrategyRequest::decode(kind::CANCEL, &[0; 3]),
            StrategyRequest::Malformed {
                kind: kind::CANCEL,
                len: 3
            }
        );
        assert_eq!(
            StrategyRequest::decode(kind::ACK, &[0; 16]),
            StrategyRequest::Unknown { kind: kind::ACK }
        );
    }

    #[test]
    fn message_sizes_are_multiples_of_eight() {
        for size in [
            std::mem::size_of::<NewOrder>(),
            std::mem::size_of::<Cancel>(),
            std::mem::size_of::<Replace>(),
            std::mem::size_of::<Ack>(),
            std::mem::size_of::<Reject>(),
            std::mem::size_of::<Fill>(),
            std::mem::size_of::<MarketSnapshot>(),
        ] {
            assert_eq!(size % 8, 0);
        }
    }
}
