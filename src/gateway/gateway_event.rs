//! What the gateway tells its owner: session changes, what happened to each
//! order, and reports it could not place. Every event is also a journal
//! line.

use super::child_order::OrderState;
use super::fix_session::SessionEvent;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrderEvent {
    /// The order's status moved (acknowledged, filled, canceled, ...).
    State(OrderState),
    /// New fill quantity and its price (Price(4)), when the report has one.
    Fill {
        qty: u64,
        price: Option<u32>,
    },
    Replaced {
        qty: u64,
        price: u32,
    },
    /// A cancel or replace was refused; the order stands as it was.
    RequestRefused {
        text: String,
    },
    /// The order never reached the venue (lost in a disconnect, not
    /// re-sent); it is rejected locally.
    NotDelivered,
    /// The connection dropped while the order was working: its state at
    /// the venue is unknown until reconciled.
    Unknown,
    /// A report older than what is known (counted, ignored).
    Stale,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    Connected,
    ConnectFailed {
        error: String,
    },
    Disconnected {
        reason: String,
    },
    Session(SessionEvent),
    Order {
        order: u64,
        event: OrderEvent,
    },
    /// A report for an order we do not know (another run's, say).
    Orphan {
        cl_ord_id: String,
        exec_type: u8,
    },
    /// The peer refused a message of ours at the business level (35=j).
    BusinessReject {
        ref_seq: u64,
        ref_msg_type: String,
        text: String,
    },
    /// A message from the peer we answered with Reject (35=3).
    RejectedInbound {
        seq: u64,
        text: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayEvent {
    /// CLOCK_MONOTONIC when the bytes that caused it were received (or the
    /// call that caused it was made).
    pub at_ns: u64,
    pub venue: usize,
    pub kind: EventKind,
}

impl GatewayEvent {
    /// One journal line (without the time stamp).
    pub fn text(&self, venue_name: &str) -> String {
        let what = match &self.kind {
            EventKind::Connected => "connected".to_string(),
            EventKind::ConnectFailed { error } => format!("connect failed: {error}"),
            EventKind::Disconnected { reason } => format!("disconnected: {reason}"),
            EventKind::Session(e) => format!("session: {e:?}"),
            EventKind::Order { order, event } => match event {
                OrderEvent::State(s) => format!("order {order} {}", s.name()),
                OrderEvent::Fill {
                    qty,
                    price: Some(p),
                } => {
                    format!(
                        "order {order} fill {qty} @ {}.{:04}",
                        p / 10_000,
                        p % 10_000
                    )
                }
                OrderEvent::Fill { qty, price: None } => format!("order {order} fill {qty}"),
                OrderEvent::Replaced { qty, price } => {
                    format!(
                        "order {order} replaced: {qty} @ {}.{:04}",
                        price / 10_000,
                        price % 10_000
                    )
                }
                OrderEvent::RequestRefused { text } => {
                    format!("order {order} request refused: {text}")
                }
                OrderEvent::NotDelivered => {
                    format!("order {order} not delivered (rejected locally)")
                }
                OrderEvent::Unknown => format!("order {order} state unknown (disconnected)"),
                OrderEvent::Stale => format!("order {order} stale report ignored"),
            },
            EventKind::Orphan {
                cl_ord_id,
                exec_type,
            } => {
                format!(
                    "report for unknown order {cl_ord_id} (ExecType {})",
                    *exec_type as char
                )
            }
            EventKind::BusinessReject {
                ref_seq,
                ref_msg_type,
                text,
            } => {
                format!("peer refused our {ref_msg_type} seq {ref_seq}: {text}")
            }
            EventKind::RejectedInbound { seq, text } => {
                format!("rejected peer message {seq}: {text}")
            }
        };
        format!("{venue_name} {what}")
    }
}
