//! One line of the journal. The text and JSON forms hold only what the
//! inputs determine (no wall-clock times or latencies), so two replays of
//! the same inputs produce byte-identical journals.

use crate::ipc::ring_messages::symbol_str;
use crate::risk::reject_reason;
use crate::scenario::flash_crash::format_clock;
use serde_json::json;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Accepted,
    Rejected { reasons: u32 },
    Cancelled { reasons: u32 },
    Replaced,
    ReplaceRejected { reasons: u32 },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JournalEntry {
    Order {
        feed_time_ns: u64,
        strategy: String,
        client_order_id: u64,
        symbol: [u8; 8],
        side: u8,
        qty: u32,
        price: u32,
        outcome: Outcome,
    },
    Market {
        feed_time_ns: u64,
        text: String,
    },
    KillSwitch {
        feed_time_ns: u64,
        engaged: bool,
        reason: String,
        cancelled_orders: u64,
    },
    Strategy {
        feed_time_ns: u64,
        strategy: String,
        text: String,
    },
}

fn price_text(price: u32) -> String {
    format!("{}.{:04}", price / 10_000, price % 10_000)
}

impl JournalEntry {
    pub fn feed_time_ns(&self) -> u64 {
        match self {
            JournalEntry::Order { feed_time_ns, .. }
            | JournalEntry::Market { feed_time_ns, .. }
            | JournalEntry::KillSwitch { feed_time_ns, .. }
            | JournalEntry::Strategy { feed_time_ns, .. } => *feed_time_ns,
        }
    }

    pub fn is_rejection(&self) -> bool {
        matches!(
            self,
            JournalEntry::Order {
                outcome: Outcome::Rejected { .. },
                ..
            }
        )
    }

    /// One human-readable line.
    pub fn text(&self) -> String {
        let t = format_clock(self.feed_time_ns());
        match self {
            JournalEntry::Order {
                strategy,
                client_order_id,
                symbol,
                side,
                qty,
                price,
                outcome,
                ..
            } => {
                let side = if *side == b'B' { "BUY " } else { "SELL" };
                let what = format!(
                    "{strategy} #{client_order_id} {side} {qty} {} @ {}",
                    symbol_str(symbol),
                    price_text(*price)
                );
                let verdict = match outcome {
                    Outcome::Accepted => "ACCEPT".to_string(),
                    Outcome::Rejected { reasons } => format!("REJECT  {}", reject_reason::describe(*reasons)),
                    Outcome::Cancelled { reasons: 0 } => "CANCELLED by strategy".to_string(),
                    Outcome::Cancelled { reasons } => format!("CANCELLED  {}", reject_reason::describe(*reasons)),
                    Outcome::Replaced => "REPLACED".to_string(),
                    Outcome::ReplaceRejected { reasons } => {
                        format!("REPLACE REJECTED  {}", reject_reason::describe(*reasons))
                    }
                };
                format!("{t}  ORDER   {what:<44} {verdict}")
            }
            JournalEntry::Market { text, .. } => format!("{t}  MARKET  {text}"),
            JournalEntry::KillSwitch {
                engaged: true,
                reason,
                cancelled_orders,
                ..
            } => format!("{t}  L4 KILL SWITCH ENGAGED ({reason}): {cancelled_orders} working orders cancelled, all new orders blocked"),
            JournalEntry::KillSwitch { engaged: false, .. } => format!("{t}  L4 KILL SWITCH released: trading resumes"),
            JournalEntry::Strategy { strategy, text, .. } => format!("{t}  STRATEGY {strategy}: {text}"),
        }
    }

    /// One JSON object (for `--journal FILE`).
    pub fn json(&self) -> serde_json::Value {
        let t = self.feed_time_ns();
        match self {
            JournalEntry::Order {
                strategy,
                client_order_id,
                symbol,
                side,
                qty,
                price,
                outcome,
                ..
            } => {
                let (verdict, reasons) = match outcome {
                    Outcome::Accepted => ("accepted", 0),
                    Outcome::Rejected { reasons } => ("rejected", *reasons),
                    Outcome::Cancelled { reasons } => ("cancelled", *reasons),
                    Outcome::Replaced => ("replaced", 0),
                    Outcome::ReplaceRejected { reasons } => ("replace_rejected", *reasons),
                };
                json!({"feed_time_ns": t, "type": "order", "strategy": strategy,
                       "client_order_id": client_order_id, "symbol": symbol_str(symbol),
                       "side": (*side as char).to_string(), "qty": qty, "price": price,
                       "outcome": verdict, "reasons": reject_reason::describe(reasons)})
            }
            JournalEntry::Market { text, .. } => {
                json!({"feed_time_ns": t, "type": "market", "text": text})
            }
            JournalEntry::KillSwitch {
                engaged,
                reason,
                cancelled_orders,
                ..
            } => json!({"feed_time_ns": t, "type": "kill_switch", "engaged": engaged,
                        "reason": reason, "cancelled_orders": cancelled_orders}),
            JournalEntry::Strategy { strategy, text, .. } => {
                json!({"feed_time_ns": t, "type": "strategy", "strategy": strategy, "text": text})
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::ring_messages::symbol_bytes;

    #[test]
    fn order_lines_show_time_order_and_verdict() {
        let e = JournalEntry::Order {
            feed_time_ns: crate::scenario::flash_crash::clock_ns(14, 32, 0),
            strategy: "scripted".into(),
            client_order_id: 2,
            symbol: symbol_bytes("AAPL"),
            side: b'B',
            qty: 1_000_000,
            price: 2_500_000,
            outcome: Outcome::Rejected {
                reasons: reject_reason::SIZE | reject_reason::NOTIONAL,
            },
        };
        let line = e.text();
        assert!(
            line.starts_with("14:32:00.000  ORDER   scripted #2 BUY  1000000 AAPL @ 250.0000"),
            "{line}"
        );
        assert!(line.ends_with("REJECT  size+notional"), "{line}");
        assert_eq!(e.json()["reasons"], "size+notional");
    }
}
