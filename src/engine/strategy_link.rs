//! The appliance's side of one strategy: it consumes the strategy's orders
//! ring, produces its reports ring, and remembers the strategy's working
//! orders (by the strategy's own client order ids, so a strategy can only
//! ever name its own orders).

use crate::ipc::ring_messages::{RingMessage, StrategyRequest};
use crate::ipc::spsc_ring::{RecordBuf, RingConsumer, RingError, RingProducer};
use crate::ipc::strategy_rings::{self, StrategyRingsError};
use std::collections::{HashMap, HashSet};

/// An accepted order that has not reached a terminal state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkingOrder {
    pub order_id: u64,
    pub slot: usize,
    pub side: u8,
    pub price: u32,
    pub qty: u32,
}

pub struct StrategyLink {
    pub name: String,
    orders: RingConsumer,
    reports: RingProducer,
    buf: RecordBuf,
    /// Working orders by client order id.
    pub working: HashMap<u64, WorkingOrder>,
    seen_ids: HashSet<u64>,
    /// The last market snapshot the strategy has answered (lockstep).
    pub synced_seq: u64,
    /// Reports that could not be delivered because the ring was full.
    pub reports_dropped: u64,
    pub connected: bool,
    pub last_heartbeat_tsc: u64,
}

impl StrategyLink {
    /// Creates the strategy's rings, or reattaches to existing ones.
    pub fn open(name: &str, ring_bytes: usize) -> Result<Self, StrategyRingsError> {
        let (orders, reports) = strategy_rings::open_or_create(name, ring_bytes)?;
        let wrap = |source| StrategyRingsError::Ring {
            name: name.to_string(),
            source,
        };
        Ok(StrategyLink {
            name: name.to_string(),
            orders: orders.consumer().map_err(wrap)?,
            reports: reports.producer().map_err(wrap)?,
            buf: RecordBuf::default(),
            working: HashMap::new(),
            seen_ids: HashSet::new(),
            synced_seq: 0,
            reports_dropped: 0,
            connected: true,
            last_heartbeat_tsc: 0,
        })
    }

    /// The next request from the strategy, if any.
    #[inline]
    pub fn poll(&mut self) -> Result<Option<StrategyRequest>, RingError> {
        if self.orders.try_pop(&mut self.buf)? {
            Ok(Some(StrategyRequest::decode(
                self.buf.kind,
                self.buf.payload(),
            )))
        } else {
            Ok(None)
        }
    }

    /// Sends a report; a full ring is counted, never blocks the loop.
    #[inline]
    pub fn report<T: RingMessage>(&mut self, message: &T) {
        if self
            .reports
            .try_push(T::KIND, message.as_payload())
            .is_err()
        {
            self.reports_dropped += 1;
        }
    }

    /// The strategy process (the producer of its orders ring); 0 before it
    /// connects.
    pub fn strategy_pid(&self) -> u32 {
        self.orders.ring().producer_pid()
    }

    /// True the first time this strategy uses `client_order_id`.
    pub fn claim_id(&mut self, client_order_id: u64) -> bool {
        self.seen_ids.insert(client_order_id)
    }
}
