//! One order at one venue and the state machine that follows it through
//! whatever the venue reports, in whatever order the reports arrive.
//!
//! The rules that make it safe against reordering, duplicates and resends:
//!
//! - fills are counted from CumQty (14), never by adding LastQty: a report
//!   seen twice (a resend, PossDup) cannot fill twice, and a report older
//!   than one already applied cannot take a fill back;
//! - the order's status only moves forward (PendingNew, New,
//!   PartiallyFilled, then a terminal state); a late report of an earlier
//!   status is counted but changes nothing, and a terminal state is final
//!   (only more fill can still arrive: a fill that raced a cancel);
//! - a cancel or replace in flight is a separate [`PendingRequest`],
//!   resolved by the venue's answer to that request, by the order ending,
//!   or by learning that the request never reached the venue;
//! - after a disconnect the order is marked unknown until the venue next
//!   reports on it (a resent report or an answer to OrderStatusRequest).

use super::order_messages::{ExecutionReport, OrderCancelReject, Side};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum OrderState {
    PendingNew,
    New,
    PartiallyFilled,
    Filled,
    Canceled,
    Rejected,
    Expired,
}

impl OrderState {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            OrderState::Filled | OrderState::Canceled | OrderState::Rejected | OrderState::Expired
        )
    }

    /// Order of progress: a status may only replace one of lower rank.
    fn rank(self) -> u8 {
        match self {
            OrderState::PendingNew => 0,
            OrderState::New => 1,
            OrderState::PartiallyFilled => 2,
            _ => 3,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            OrderState::PendingNew => "pending-new",
            OrderState::New => "new",
            OrderState::PartiallyFilled => "partially-filled",
            OrderState::Filled => "filled",
            OrderState::Canceled => "canceled",
            OrderState::Rejected => "rejected",
            OrderState::Expired => "expired",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestKind {
    Cancel,
    Replace { qty: u64, price: u32 },
}

/// A cancel or replace sent and not yet answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PendingRequest {
    pub kind: RequestKind,
    /// The request's ClOrdID number.
    pub id: u64,
    /// The FIX sequence number it went out with.
    pub seq: u64,
}

/// What a report did to the order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReportEffect {
    /// New fill quantity (CumQty beyond what was known) and its price.
    pub filled_qty: u64,
    pub fill_price: Option<u32>,
    pub state_changed: bool,
    /// The cancel or replace in flight was answered (done or refused).
    pub request_resolved: bool,
    pub replaced: bool,
    /// The report was older than what is known: counted, ignored.
    pub stale: bool,
}

#[derive(Clone, Debug)]
pub struct ChildOrder {
    /// Local id: the number in the ClOrdID of its NewOrderSingle.
    pub id: u64,
    pub venue: usize,
    symbol: [u8; 8],
    symbol_len: u8,
    pub side: Side,
    pub qty: u64,
    pub price: u32,
    /// The ClOrdID number the order lives under now (changes on replace).
    pub live_id: u64,
    /// OrderID (37) once the venue has named it.
    pub venue_order_id: Option<String>,
    pub state: OrderState,
    pub pending: Option<PendingRequest>,
    pub cum_qty: u64,
    /// The sequence number of its NewOrderSingle.
    pub new_seq: u64,
    /// Disconnected while working: the venue's view is not known yet.
    pub unknown: bool,
    /// Someone (the kill switch, cancel-on-disconnect, a strategy) wants it
    /// gone: a cancel is (re)sent until it ends.
    pub cancel_wanted: bool,
    pub text: String,
    pub stale_reports: u32,
    /// Rejected here, not by the venue: inferred not delivered. A report
    /// from the venue overrules the inference.
    pub rejected_locally: bool,
}

/// The status an OrdStatus (39) code stands for, given the fill so far.
fn status_of(ord_status: u8, cum_qty: u64) -> Option<OrderState> {
    let working = if cum_qty > 0 {
        OrderState::PartiallyFilled
    } else {
        OrderState::New
    };
    Some(match ord_status {
        b'A' => OrderState::PendingNew,
        // New, Replaced (4.2), PendingCancel, PendingReplace, Suspended,
        // Stopped, AcceptedForBidding: still working.
        b'0' | b'5' | b'6' | b'E' | b'9' | b'7' | b'D' => working,
        b'1' => OrderState::PartiallyFilled,
        b'2' | b'B' => OrderState::Filled,
        b'4' => OrderState::Canceled,
        b'8' => OrderState::Rejected,
        b'3' | b'C' => OrderState::Expired,
        _ => return None,
    })
}

impl ChildOrder {
    /// `symbol` longer than 8 bytes is cut to 8 (callers check first).
    pub fn new(
        id: u64,
        venue: usize,
        symbol: &str,
        side: Side,
        qty: u64,
        price: u32,
        new_seq: u64,
    ) -> Self {
        let len = symbol.len().min(8);
        let mut short = [b' '; 8];
        short[..len].copy_from_slice(&symbol.as_bytes()[..len]);
        ChildOrder {
            id,
            venue,
            symbol: short,
            symbol_len: len as u8,
            side,
            qty,
            price,
            live_id: id,
            venue_order_id: None,
            state: OrderState::PendingNew,
            pending: None,
            cum_qty: 0,
            new_seq,
            unknown: false,
            cancel_wanted: false,
            text: String::new(),
            stale_reports: 0,
            rejected_locally: false,
        }
    }

    pub fn symbol(&self) -> &[u8] {
        &self.symbol[..usize::from(self.symbol_len)]
    }

    /// Working at the venue (or possibly so): not in a terminal state.
    pub fn is_working(&self) -> bool {
        !self.state.is_terminal()
    }

    pub fn leaves_qty(&self) -> u64 {
        if self.is_working() {
            self.qty.saturating_sub(self.cum_qty)
        } else {
            0
        }
    }

    fn advance(&mut self, to: OrderState, effect: &mut ReportEffect) {
        if self.state.is_terminal() || to.rank() < self.state.rank() {
            if to != self.state {
                effect.stale = true;
            }
            return;
        }
        if to != self.state {
            self.state = to;
            effect.state_changed = true;
        }
        if to.is_terminal() && self.pending.take().is_some() {
            effect.request_resolved = true;
        }
    }

    /// Applies an ExecutionReport; `matched_id` is the ClOrdID number that
    /// found this order (its own, or that of a pending request).
    pub fn on_execution_report(
        &mut self,
        r: &ExecutionReport<'_>,
        matched_id: u64,
    ) -> ReportEffect {
        let mut effect = ReportEffect::default();
        self.unknown = false;
        if self.rejected_locally {
            // The venue has the order after all (a venue whose sequence
            // store lagged its executions asked for it again): its report
            // is the truth.
            self.rejected_locally = false;
            self.state = OrderState::PendingNew;
            self.text.clear();
        }
        if self.venue_order_id.is_none() && !r.order_id.is_empty() && r.order_id != b"NONE" {
            self.venue_order_id = Some(String::from_utf8_lossy(r.order_id).into_owned());
        }
        let for_pending = self
            .pending
            .filter(|p| p.id == matched_id && matched_id != self.live_id);

        // A reject of a cancel or replace request (some venues send an
        // ExecutionReport, not OrderCancelReject).
        if let (Some(_), b'8') = (for_pending, r.exec_type) {
            self.pending = None;
            effect.request_resolved = true;
            self.text = String::from_utf8_lossy(r.text).into_owned();
            return effect;
        }

        // Replace done: the order lives under the new id, on the new terms.
        if let (Some(p), true) = (for_pending, r.exec_type == b'5' || r.ord_status == b'5') {
            if let RequestKind::Replace { qty, price } = p.kind {
                self.qty = qty;
                self.price = price;
                self.live_id = p.id;
                self.pending = None;
                effect.request_resolved = true;
                effect.replaced = true;
            }
        }

        if r.cum_qty > self.cum_qty {
            effect.filled_qty = r.cum_qty - self.cum_qty;
            effect.fill_price = r.last_px;
            self.cum_qty = r.cum_qty;
        }
        let status = if r.exec_type == b'4' {
            Some(OrderState::Canceled)
        } else if r.exec_type == b'C' {
            Some(OrderState::Expired)
        } else {
            // The status as of this report (its own CumQty): an old report
            // ranks below what is known and is seen as stale.
            status_of(r.ord_status, r.cum_qty)
        };
        match status {
            Some(s) => self.advance(s, &mut effect),
            None => effect.stale = true,
        }
        if self.cum_qty >= self.qty && self.qty > 0 && !self.state.is_terminal() {
            self.advance(OrderState::Filled, &mut effect);
        }
        if self.state == OrderState::Rejected && !r.text.is_empty() {
            self.text = String::from_utf8_lossy(r.text).into_owned();
        }
        if effect.stale {
            self.stale_reports += 1;
        }
        effect
    }

    /// Applies an OrderCancelReject: the request is refused; a terminal
    /// status it names (canceled, rejected, expired) is taken, but a
    /// "filled" is left to the fill's own report, which carries the
    /// quantity.
    pub fn on_cancel_reject(&mut self, r: &OrderCancelReject<'_>, matched_id: u64) -> ReportEffect {
        let mut effect = ReportEffect::default();
        self.unknown = false;
        if self.pending.is_some_and(|p| p.id == matched_id) {
            self.pending = None;
            effect.request_resolved = true;
        }
        self.text = String::from_utf8_lossy(r.text).into_owned();
        if let Some(s @ (OrderState::Canceled | OrderState::Rejected | OrderState::Expired)) =
            r.ord_status.and_then(|c| status_of(c, self.cum_qty))
        {
            self.advance(s, &mut effect);
        }
        effect
    }

    /// The session learned that our messages `from..to` never reached the
    /// venue (it asked for them again and we gap-filled). An order whose
    /// NewOrderSingle was among them never existed there; a cancel or
    /// replace among them was never seen. Returns whether anything changed.
    pub fn on_not_delivered(&mut self, from: u64, to: u64) -> bool {
        let lost = |seq: u64| (from..to).contains(&seq);
        let mut changed = false;
        if self.state == OrderState::PendingNew && lost(self.new_seq) {
            self.state = OrderState::Rejected;
            self.pending = None;
            self.unknown = false;
            self.text =
                "not delivered: lost in a disconnect, and stale orders are not re-sent".into();
            self.rejected_locally = true;
            return true;
        }
        if self.pending.is_some_and(|p| lost(p.seq)) {
            self.pending = None;
            changed = true;
        }
        changed
    }

    /// The connection dropped.
    pub fn on_disconnect(&mut self) {
        if self.is_working() {
            self.unknown = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report<'a>(cl: &'a [u8], exec_type: u8, ord_status: u8, cum: u64) -> ExecutionReport<'a> {
        ExecutionReport {
            order_id: b"V1",
            cl_ord_id: cl,
            orig_cl_ord_id: None,
            exec_id: b"E",
            exec_type,
            ord_status,
            cum_qty: cum,
            leaves_qty: None,
            last_qty: 0,
            last_px: Some(1_000_000),
            text: b"",
        }
    }

    fn order() -> ChildOrder {
        ChildOrder::new(7, 0, "AAPL", Side::Buy, 100, 1_000_000, 2)
    }

    #[test]
    fn ack_partial_and_full_fill_move_the_order_forward() {
        let mut o = order();
        assert!(
            o.on_execution_report(&report(b"7", b'0', b'0', 0), 7)
                .state_changed
        );
        assert_eq!(
            (o.state, o.venue_order_id.as_deref()),
            (OrderState::New, Some("V1"))
        );
        let e = o.on_execution_report(&report(b"7", b'F', b'1', 40), 7);
        assert_eq!((e.filled_qty, o.state), (40, OrderState::PartiallyFilled));
        let e = o.on_execution_report(&report(b"7", b'F', b'2', 100), 7);
        assert_eq!(
            (e.filled_qty, o.state, o.leaves_qty()),
            (60, OrderState::Filled, 0)
        );
    }

    #[test]
    fn a_fill_arriving_before_the_ack_is_kept_and_the_late_ack_changes_nothing() {
        let mut o = order();
        o.on_execution_report(&report(b"7", b'F', b'1', 30), 7);
        let late_ack = o.on_execution_report(&report(b"7", b'0', b'0', 0), 7);
        assert!(late_ack.stale && !late_ack.state_changed);
        assert_eq!((o.state, o.cum_qty), (OrderState::PartiallyFilled, 30));
    }

    #[test]
    fn a_resent_fill_is_not_counted_twice() {
        let mut o = order();
        assert_eq!(
            o.on_execution_report(&report(b"7", b'F', b'1', 30), 7)
                .filled_qty,
            30
        );
        assert_eq!(
            o.on_execution_report(&report(b"7", b'F', b'1', 30), 7)
                .filled_qty,
            0
        );
        assert_eq!(
            o.on_execution_report(&report(b"7", b'F', b'1', 20), 7)
                .filled_qty,
            0
        );
        assert_eq!(o.cum_qty, 30);
    }

    #[test]
    fn cancel_in_flight_then_canceled() {
        let mut o = order();
        o.on_execution_report(&report(b"7", b'0', b'0', 0), 7);
        o.pending = Some(PendingRequest {
            kind: RequestKind::Cancel,
            id: 8,
            seq: 3,
        });
        let pending_ack = o.on_execution_report(&report(b"8", b'6', b'6', 0), 8);
        assert!(!pending_ack.request_resolved && o.pending.is_some() && o.state == OrderState::New);
        let e = o.on_execution_report(&report(b"8", b'4', b'4', 0), 8);
        assert!(e.request_resolved && e.state_changed);
        assert_eq!((o.state, o.pending), (OrderState::Canceled, None));
    }

    #[test]
    fn a_fill_that_races_a_cancel_is_counted_even_after_the_cancel() {
        let mut o = order();
        o.on_execution_report(&report(b"7", b'0', b'0', 0), 7);
        o.on_execution_report(&report(b"8", b'4', b'4', 0), 8);
        let e = o.on_execution_report(&report(b"7", b'F', b'2', 100), 7);
        assert_eq!((e.filled_qty, o.state), (100, OrderState::Canceled));
    }

    #[test]
    fn a_replace_moves_the_order_to_its_new_id_and_terms() {
        let mut o = order();
        o.on_execution_report(&report(b"7", b'0', b'0', 0), 7);
        o.pending = Some(PendingRequest {
            kind: RequestKind::Replace {
                qty: 50,
                price: 990_000,
            },
            id: 9,
            seq: 3,
        });
        let e = o.on_execution_report(&report(b"9", b'5', b'0', 0), 9);
        assert!(e.replaced && e.request_resolved);
        assert_eq!(
            (o.live_id, o.qty, o.price, o.pending),
            (9, 50, 990_000, None)
        );
        // FIX 4.2 style: OrdStatus 5.
        let mut o = order();
        o.pending = Some(PendingRequest {
            kind: RequestKind::Replace { qty: 10, price: 1 },
            id: 9,
            seq: 3,
        });
        assert!(
            o.on_execution_report(&report(b"9", b'5', b'5', 0), 9)
                .replaced
        );
        assert_eq!(o.state, OrderState::New);
    }

    #[test]
    fn a_refused_cancel_clears_the_request_and_keeps_the_order() {
        let mut o = order();
        o.on_execution_report(&report(b"7", b'0', b'0', 0), 7);
        o.pending = Some(PendingRequest {
            kind: RequestKind::Cancel,
            id: 8,
            seq: 3,
        });
        let reject = OrderCancelReject {
            cl_ord_id: b"8",
            orig_cl_ord_id: Some(b"7"),
            ord_status: Some(b'0'),
            response_to: b'1',
            text: b"too late",
        };
        let e = o.on_cancel_reject(&reject, 8);
        assert!(e.request_resolved && !e.state_changed);
        assert_eq!(
            (o.state, o.pending, o.text.as_str()),
            (OrderState::New, None, "too late")
        );
    }

    #[test]
    fn orders_and_requests_the_venue_never_received_are_known_as_such() {
        let mut o = order();
        o.on_disconnect();
        assert!(o.unknown);
        assert!(o.on_not_delivered(2, 5));
        assert_eq!((o.state, o.unknown), (OrderState::Rejected, false));
        let mut acked = order();
        acked.on_execution_report(&report(b"7", b'0', b'0', 0), 7);
        acked.pending = Some(PendingRequest {
            kind: RequestKind::Cancel,
            id: 8,
            seq: 4,
        });
        assert!(acked.on_not_delivered(4, 5));
        assert_eq!((acked.state, acked.pending), (OrderState::New, None));
        assert!(!acked.on_not_delivered(5, 9));
    }

    #[test]
    fn a_report_from_the_venue_overrules_a_local_not_delivered_verdict() {
        let mut o = order();
        o.on_not_delivered(2, 3);
        assert_eq!(o.state, OrderState::Rejected);
        let e = o.on_execution_report(&report(b"7", b'F', b'2', 100), 7);
        assert_eq!(
            (e.filled_qty, o.state, o.rejected_locally),
            (100, OrderState::Filled, false)
        );
        // A venue's own reject stays final.
        let mut o = order();
        o.on_execution_report(&report(b"7", b'8', b'8', 0), 7);
        o.on_execution_report(&report(b"7", b'0', b'0', 0), 7);
        assert_eq!(o.state, OrderState::Rejected);
    }

    #[test]
    fn any_report_after_a_disconnect_resolves_the_unknown_state() {
        let mut o = order();
        o.on_execution_report(&report(b"7", b'0', b'0', 0), 7);
        o.on_disconnect();
        o.on_execution_report(&report(b"7", b'I', b'0', 0), 7);
        assert!(!o.unknown);
        assert_eq!(o.state, OrderState::New);
    }

    /// Every permutation of a realistic report stream ends in the same
    /// place: the state machine does not depend on arrival order.
    #[test]
    fn every_arrival_order_of_ack_partial_fill_and_fill_ends_filled_with_the_full_quantity() {
        let stream = [
            (b'0', b'0', 0),
            (b'F', b'1', 40),
            (b'F', b'1', 70),
            (b'F', b'2', 100),
        ];
        let mut idx = [0usize, 1, 2, 3];
        let mut permutations = 0;
        loop {
            let mut o = order();
            let mut filled = 0;
            for &i in &idx {
                let (t, s, c) = stream[i];
                filled += o.on_execution_report(&report(b"7", t, s, c), 7).filled_qty;
            }
            assert_eq!(
                (o.state, o.cum_qty, filled),
                (OrderState::Filled, 100, 100),
                "{idx:?}"
            );
            permutations += 1;
            // next permutation
            let Some(k) = (0..3).rev().find(|&k| idx[k] < idx[k + 1]) else {
                break;
            };
            let l = (k + 1..4).rev().find(|&l| idx[k] < idx[l]).unwrap();
            idx.swap(k, l);
            idx[k + 1..].reverse();
        }
        assert_eq!(permutations, 24);
    }
}
