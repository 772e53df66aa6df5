//! One venue: its FIX session and the order traffic on it, with no I/O of
//! its own (the io_uring driver moves the bytes). It sends new orders,
//! cancels, replaces and status requests, applies the venue's reports to
//! the child orders, and keeps orders safe across disconnects:
//!
//! - when the connection drops, every working order here is marked
//!   unknown;
//! - after the next logon, sequence recovery resends the reports we missed
//!   (the session asks for them); orders whose NewOrderSingle the venue
//!   never received come back as gap-filled and are rejected locally;
//!   every order still unknown gets an OrderStatusRequest (H); with
//!   cancel-on-disconnect, every order that was working is cancelled;
//! - the kill switch cancels every working order; orders it could not
//!   reach (disconnected, or the cancel lost) are cancelled at the next
//!   logon.

use super::child_order::{ChildOrder, PendingRequest, ReportEffect, RequestKind};
use super::child_orders::ChildOrders;
use super::fix_encoder::FixEncoder;
use super::fix_session::{FixSession, SendError, SessionConfig, SessionEvent};
use super::gateway_event::{EventKind, GatewayEvent, OrderEvent};
use super::order_messages::{self, OrderFields, Side};
use crate::wire::fix::FixMessage;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    #[error("the kill switch is engaged: new orders are blocked")]
    Blocked,
    #[error("the venue session is not logged on")]
    NotLoggedOn,
    #[error("no such venue")]
    NoSuchVenue,
    #[error("no such order")]
    NoSuchOrder,
    #[error("the order is no longer working")]
    NotWorking,
    #[error("a cancel or replace is already in flight")]
    RequestInFlight,
    #[error("quantity and price must be positive, symbol 1 to 8 characters")]
    BadOrder,
}

impl From<SendError> for OrderError {
    fn from(_: SendError) -> Self {
        OrderError::NotLoggedOn
    }
}

/// Counters for one venue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct VenueStats {
    pub orders_sent: u64,
    pub cancels_sent: u64,
    pub replaces_sent: u64,
    pub status_requests_sent: u64,
    pub reports: u64,
    pub cancel_rejects: u64,
    pub orphan_reports: u64,
    pub stale_reports: u64,
    pub business_rejects: u64,
    pub inbound_rejected: u64,
    pub not_delivered: u64,
    pub disconnects: u64,
}

pub struct VenueSession {
    pub index: usize,
    pub name: String,
    pub session: FixSession,
    pub cancel_on_disconnect: bool,
    pub stats: VenueStats,
    /// Our OrderStatusRequests by sequence number, to place a refusal.
    status_requests: HashMap<u64, u64>,
    id_buf: Vec<u8>,
    id_buf2: Vec<u8>,
}

fn order_fields<'a>(o: &'a ChildOrder, cl_ord_id: &'a [u8]) -> OrderFields<'a> {
    OrderFields {
        cl_ord_id,
        symbol: o.symbol(),
        side: o.side,
        qty: o.qty,
        price: o.price,
    }
}

/// Events for what a report did to an order.
fn effect_events(o: &ChildOrder, effect: ReportEffect, mut push: impl FnMut(OrderEvent)) {
    if effect.filled_qty > 0 {
        push(OrderEvent::Fill {
            qty: effect.filled_qty,
            price: effect.fill_price,
        });
    }
    if effect.replaced {
        push(OrderEvent::Replaced {
            qty: o.qty,
            price: o.price,
        });
    } else if effect.request_resolved && !effect.state_changed {
        push(OrderEvent::RequestRefused {
            text: o.text.clone(),
        });
    }
    if effect.state_changed {
        push(OrderEvent::State(o.state));
    }
    if effect.stale {
        push(OrderEvent::Stale);
    }
}

impl VenueSession {
    pub fn new(
        index: usize,
        name: &str,
        config: SessionConfig,
        cancel_on_disconnect: bool,
    ) -> std::io::Result<Self> {
        Ok(VenueSession {
            index,
            name: name.to_string(),
            session: FixSession::new(config)?,
            cancel_on_disconnect,
            stats: VenueStats::default(),
            status_requests: HashMap::new(),
            id_buf: Vec::with_capacity(32),
            id_buf2: Vec::with_capacity(32),
        })
    }

    fn event(&self, at_ns: u64, kind: EventKind) -> GatewayEvent {
        GatewayEvent {
            at_ns,
            venue: self.index,
            kind,
        }
    }

    /// Sends a NewOrderSingle; the order's local id.
    #[allow(clippy::too_many_arguments)]
    pub fn send_new(
        &mut self,
        orders: &mut ChildOrders,
        symbol: &str,
        side: Side,
        qty: u64,
        price: u32,
        now_ns: u64,
    ) -> Result<u64, OrderError> {
        if qty == 0 || price == 0 || symbol.is_empty() || symbol.len() > 8 {
            return Err(OrderError::BadOrder);
        }
        if !self.session.is_active() {
            return Err(OrderError::NotLoggedOn);
        }
        let id = orders.allocate_id();
        let cl = orders.cl_ord_id(id, &mut self.id_buf);
        let fields = OrderFields {
            cl_ord_id: cl,
            symbol: symbol.as_bytes(),
            side,
            qty,
            price,
        };
        let seq = self.session.send_app(b"D", now_ns, |e| {
            order_messages::new_order_single(e, &fields)
        })?;
        orders.insert(ChildOrder::new(
            id, self.index, symbol, side, qty, price, seq,
        ));
        self.stats.orders_sent += 1;
        Ok(id)
    }

    /// Sends an OrderCancelRequest for the order at `index`.
    pub fn send_cancel(
        &mut self,
        orders: &mut ChildOrders,
        index: usize,
        now_ns: u64,
    ) -> Result<(), OrderError> {
        self.send_request(orders, index, RequestKind::Cancel, now_ns)
    }

    pub fn send_replace(
        &mut self,
        orders: &mut ChildOrders,
        index: usize,
        qty: u64,
        price: u32,
        now_ns: u64,
    ) -> Result<(), OrderError> {
        if qty == 0 || price == 0 {
            return Err(OrderError::BadOrder);
        }
        self.send_request(orders, index, RequestKind::Replace { qty, price }, now_ns)
    }

    fn send_request(
        &mut self,
        orders: &mut ChildOrders,
        index: usize,
        kind: RequestKind,
        now_ns: u64,
    ) -> Result<(), OrderError> {
        let o = orders.at(index);
        if !o.is_working() {
            return Err(OrderError::NotWorking);
        }
        if o.pending.is_some() {
            return Err(OrderError::RequestInFlight);
        }
        if !self.session.is_active() {
            return Err(OrderError::NotLoggedOn);
        }
        let request_id = orders.allocate_id();
        let o = orders.at(index);
        let live = orders.cl_ord_id(o.live_id, &mut self.id_buf);
        let cl = orders.cl_ord_id(request_id, &mut self.id_buf2);
        let fields = order_fields(o, live);
        let venue_id = o.venue_order_id.as_deref().map(str::as_bytes);
        let seq = match kind {
            RequestKind::Cancel => self.session.send_app(b"F", now_ns, |e: &mut FixEncoder| {
                order_messages::order_cancel_request(e, cl, &fields, venue_id)
            })?,
            RequestKind::Replace { qty, price } => {
                self.session.send_app(b"G", now_ns, |e: &mut FixEncoder| {
                    order_messages::order_cancel_replace_request(
                        e, cl, &fields, venue_id, qty, price,
                    )
                })?
            }
        };
        match kind {
            RequestKind::Cancel => self.stats.cancels_sent += 1,
            RequestKind::Replace { .. } => self.stats.replaces_sent += 1,
        }
        orders.link(request_id, index);
        orders.at_mut(index).pending = Some(PendingRequest {
            kind,
            id: request_id,
            seq,
        });
        Ok(())
    }

    /// Sends an OrderStatusRequest for the order at `index`.
    pub fn send_status_request(
        &mut self,
        orders: &ChildOrders,
        index: usize,
        now_ns: u64,
    ) -> Result<(), OrderError> {
        let o = orders.at(index);
        let live = orders.cl_ord_id(o.live_id, &mut self.id_buf);
        let fields = order_fields(o, live);
        let venue_id = o.venue_order_id.as_deref().map(str::as_bytes);
        let seq = self.session.send_app(b"H", now_ns, |e| {
            order_messages::order_status_request(e, &fields, venue_id)
        })?;
        self.status_requests.insert(seq, o.id);
        self.stats.status_requests_sent += 1;
        Ok(())
    }

    /// Cancels every working order here that wants cancelling and has no
    /// request in flight. Returns how many cancels went out.
    pub fn cancel_wanted(&mut self, orders: &mut ChildOrders, now_ns: u64) -> u64 {
        let mut sent = 0;
        for index in orders.working_at(self.index) {
            let o = orders.at(index);
            if o.cancel_wanted
                && o.pending.is_none()
                && self.send_cancel(orders, index, now_ns).is_ok()
            {
                sent += 1;
            }
        }
        sent
    }

    /// The connection is up: log on.
    pub fn on_connected(&mut self, now_ns: u64) {
        self.session.on_connected(now_ns);
    }

    /// The connection is gone: working orders here become unknown.
    pub fn on_disconnected(
        &mut self,
        orders: &mut ChildOrders,
        at_ns: u64,
        events: &mut Vec<GatewayEvent>,
    ) {
        self.session.on_disconnected();
        self.stats.disconnects += 1;
        for index in orders.working_at(self.index) {
            let o = orders.at_mut(index);
            o.on_disconnect();
            if self.cancel_on_disconnect {
                o.cancel_wanted = true;
            }
            events.push(self.event(
                at_ns,
                EventKind::Order {
                    order: o.id,
                    event: OrderEvent::Unknown,
                },
            ));
        }
    }

    /// Bytes from the venue.
    pub fn on_bytes(
        &mut self,
        data: &[u8],
        now_ns: u64,
        at_ns: u64,
        orders: &mut ChildOrders,
        events: &mut Vec<GatewayEvent>,
    ) {
        let VenueSession {
            session,
            index,
            stats,
            status_requests,
            ..
        } = self;
        let venue = *index;
        let push =
            |events: &mut Vec<GatewayEvent>, kind| events.push(GatewayEvent { at_ns, venue, kind });
        session.on_bytes(
            data,
            now_ns,
            &mut |s: &mut FixSession, m: &FixMessage<'_>| {
                let seq = m.sequence_number().unwrap_or(0);
                match m.msg_type() {
                    b"8" => match order_messages::parse_execution_report(m) {
                        Ok(r) => {
                            stats.reports += 1;
                            match orders.find(r.cl_ord_id, r.orig_cl_ord_id) {
                                Some((i, matched)) => {
                                    let o = orders.at_mut(i);
                                    let effect = o.on_execution_report(&r, matched);
                                    stats.stale_reports += u64::from(effect.stale);
                                    let order = o.id;
                                    effect_events(o, effect, |event| {
                                        push(events, EventKind::Order { order, event })
                                    });
                                }
                                None => {
                                    stats.orphan_reports += 1;
                                    push(
                                        events,
                                        EventKind::Orphan {
                                            cl_ord_id: String::from_utf8_lossy(r.cl_ord_id)
                                                .into_owned(),
                                            exec_type: r.exec_type,
                                        },
                                    );
                                }
                            }
                        }
                        Err(e) => {
                            stats.inbound_rejected += 1;
                            let text = format!("ExecutionReport: {e}");
                            s.reject(seq, e.tag, e.session_reject_reason(), &text, now_ns);
                            push(events, EventKind::RejectedInbound { seq, text });
                        }
                    },
                    b"9" => match order_messages::parse_order_cancel_reject(m) {
                        Ok(r) => {
                            stats.cancel_rejects += 1;
                            match orders.find(r.cl_ord_id, r.orig_cl_ord_id) {
                                Some((i, matched)) => {
                                    let o = orders.at_mut(i);
                                    let effect = o.on_cancel_reject(&r, matched);
                                    let order = o.id;
                                    effect_events(o, effect, |event| {
                                        push(events, EventKind::Order { order, event })
                                    });
                                }
                                None => {
                                    stats.orphan_reports += 1;
                                    push(
                                        events,
                                        EventKind::Orphan {
                                            cl_ord_id: String::from_utf8_lossy(r.cl_ord_id)
                                                .into_owned(),
                                            exec_type: b'9',
                                        },
                                    );
                                }
                            }
                        }
                        Err(e) => {
                            stats.inbound_rejected += 1;
                            let text = format!("OrderCancelReject: {e}");
                            s.reject(seq, e.tag, e.session_reject_reason(), &text, now_ns);
                            push(events, EventKind::RejectedInbound { seq, text });
                        }
                    },
                    b"j" => {
                        let r = order_messages::parse_business_reject(m);
                        stats.business_rejects += 1;
                        let ref_seq = r.ref_seq.unwrap_or(0);
                        status_requests.remove(&ref_seq);
                        // A refused cancel or replace: the order stands as it was.
                        if let Some(i) = orders
                            .working_at(venue)
                            .into_iter()
                            .find(|&i| orders.at(i).pending.is_some_and(|p| p.seq == ref_seq))
                        {
                            let o = orders.at_mut(i);
                            o.pending = None;
                            o.text = String::from_utf8_lossy(r.text).into_owned();
                            let (order, text) = (o.id, o.text.clone());
                            push(
                                events,
                                EventKind::Order {
                                    order,
                                    event: OrderEvent::RequestRefused { text },
                                },
                            );
                        }
                        push(
                            events,
                            EventKind::BusinessReject {
                                ref_seq,
                                ref_msg_type: String::from_utf8_lossy(r.ref_msg_type).into_owned(),
                                text: String::from_utf8_lossy(r.text).into_owned(),
                            },
                        );
                    }
                    other => {
                        // An application message we do not take: refuse it at
                        // the business level (380=3, unsupported message type).
                        let other = other.to_vec();
                        let _ = s.send_app(b"j", now_ns, |e| {
                            e.field_u64(45, seq).field(372, &other).field_u64(380, 3);
                        });
                    }
                }
            },
        );
        self.after_session_events(orders, now_ns, at_ns, events);
    }

    /// Timers (heartbeats, test requests, logon timeout).
    pub fn on_tick(
        &mut self,
        orders: &mut ChildOrders,
        now_ns: u64,
        at_ns: u64,
        events: &mut Vec<GatewayEvent>,
    ) {
        self.session.on_tick(now_ns);
        self.after_session_events(orders, now_ns, at_ns, events);
    }

    /// Handles what the session reported; returns nothing, but a
    /// `Session(Disconnect)` event tells the driver to close the socket.
    fn after_session_events(
        &mut self,
        orders: &mut ChildOrders,
        now_ns: u64,
        at_ns: u64,
        events: &mut Vec<GatewayEvent>,
    ) {
        let session_events: Vec<SessionEvent> = self.session.take_events().collect();
        for e in session_events {
            match &e {
                SessionEvent::LoggedOn => {
                    events.push(self.event(at_ns, EventKind::Session(e.clone())));
                    self.reconcile(orders, now_ns);
                    continue;
                }
                SessionEvent::GapFilled { from, to } => {
                    for index in orders.working_at(self.index) {
                        let o = orders.at_mut(index);
                        let was_pending_new = o.state == super::child_order::OrderState::PendingNew;
                        if o.on_not_delivered(*from, *to) {
                            let order = o.id;
                            if was_pending_new && !o.is_working() {
                                self.stats.not_delivered += 1;
                                events.push(self.event(
                                    at_ns,
                                    EventKind::Order {
                                        order,
                                        event: OrderEvent::NotDelivered,
                                    },
                                ));
                                events.push(self.event(
                                    at_ns,
                                    EventKind::Order {
                                        order,
                                        event: OrderEvent::State(o.state),
                                    },
                                ));
                            }
                        }
                    }
                    // Cancels that were lost go out again.
                    self.cancel_wanted(orders, now_ns);
                }
                _ => {}
            }
            events.push(self.event(at_ns, EventKind::Session(e)));
        }
    }

    /// After logon: cancel what must go, ask about what is unknown.
    fn reconcile(&mut self, orders: &mut ChildOrders, now_ns: u64) {
        self.cancel_wanted(orders, now_ns);
        for index in orders.working_at(self.index) {
            let o = orders.at(index);
            if o.unknown && o.pending.is_none() {
                let _ = self.send_status_request(orders, index, now_ns);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::child_order::OrderState;
    use crate::wire::fix::parse_frame;
    use crate::wire::fix::test_frames::frame;

    struct Peer {
        seq: u64,
    }

    impl Peer {
        fn msg(&mut self, body: &str) -> Vec<u8> {
            self.seq += 1;
            let (t, rest) = body.split_once('|').unwrap();
            frame(
                "FIX.4.2",
                &format!(
                    "35={t}|49=VENUE|56=BW|34={}|52=20240101-00:00:00|{rest}",
                    self.seq
                ),
            )
        }
    }

    fn sent(v: &mut VenueSession) -> Vec<String> {
        let mut out = Vec::new();
        let mut buf = v.session.pending_tx().to_vec();
        while let Ok((m, used)) = parse_frame(&buf) {
            out.push(format!("{m:?}"));
            buf.drain(..used);
        }
        let n = v.session.pending_tx().len();
        v.session.consumed_tx(n);
        out
    }

    fn setup(dir: &std::path::Path) -> (VenueSession, ChildOrders, Peer, Vec<GatewayEvent>) {
        let config = SessionConfig {
            begin_string: "FIX.4.2".into(),
            sender: "BW".into(),
            target: "VENUE".into(),
            heartbeat_s: 30,
            store_dir: dir.to_path_buf(),
            reset_on_logon: false,
        };
        let mut v = VenueSession::new(0, "venue", config, true).unwrap();
        let mut orders = ChildOrders::new("T-");
        let mut events = Vec::new();
        let mut peer = Peer { seq: 0 };
        v.on_connected(1);
        v.on_bytes(&peer.msg("A|98=0|108=30|"), 2, 2, &mut orders, &mut events);
        assert!(v.session.is_active());
        sent(&mut v);
        events.clear();
        (v, orders, peer, events)
    }

    #[test]
    fn an_order_is_sent_acknowledged_and_filled() {
        let dir = tempfile::tempdir().unwrap();
        let (mut v, mut orders, mut peer, mut events) = setup(dir.path());
        let id = v
            .send_new(&mut orders, "AAPL", Side::Buy, 100, 1_902_500, 3)
            .unwrap();
        let out = sent(&mut v);
        assert!(
            out[0].contains("35=D|") && out[0].contains("11=T-1|"),
            "{out:?}"
        );
        v.on_bytes(
            &peer.msg("8|37=V1|11=T-1|17=1|20=0|150=0|39=0|55=AAPL|54=1|151=100|14=0|6=0|"),
            4,
            4,
            &mut orders,
            &mut events,
        );
        v.on_bytes(
            &peer.msg("8|37=V1|11=T-1|17=2|20=0|150=2|39=2|55=AAPL|54=1|151=0|14=100|6=190.25|32=100|31=190.25|"),
            5,
            5,
            &mut orders,
            &mut events,
        );
        let kinds: Vec<_> = events.iter().map(|e| e.kind.clone()).collect();
        assert_eq!(
            kinds,
            [
                EventKind::Order {
                    order: id,
                    event: OrderEvent::State(OrderState::New)
                },
                EventKind::Order {
                    order: id,
                    event: OrderEvent::Fill {
                        qty: 100,
                        price: Some(1_902_500)
                    }
                },
                EventKind::Order {
                    order: id,
                    event: OrderEvent::State(OrderState::Filled)
                },
            ]
        );
    }

    #[test]
    fn a_malformed_report_is_answered_with_a_session_reject() {
        let dir = tempfile::tempdir().unwrap();
        let (mut v, mut orders, mut peer, mut events) = setup(dir.path());
        v.on_bytes(
            &peer.msg("8|37=V1|11=T-1|17=1|150=0|39=0|"),
            4,
            4,
            &mut orders,
            &mut events,
        );
        let out = sent(&mut v);
        assert!(
            out[0].contains("35=3|") && out[0].contains("45=2|371=14|373=1|"),
            "{out:?}"
        );
        assert!(matches!(
            events[0].kind,
            EventKind::RejectedInbound { seq: 2, .. }
        ));
    }

    #[test]
    fn a_disconnect_makes_orders_unknown_and_the_next_logon_cancels_them() {
        let dir = tempfile::tempdir().unwrap();
        let (mut v, mut orders, mut peer, mut events) = setup(dir.path());
        let id = v
            .send_new(&mut orders, "AAPL", Side::Buy, 100, 1_000_000, 3)
            .unwrap();
        v.on_bytes(
            &peer.msg("8|37=V1|11=T-1|17=1|150=0|39=0|14=0|"),
            4,
            4,
            &mut orders,
            &mut events,
        );
        sent(&mut v);
        v.on_disconnected(&mut orders, 5, &mut events);
        assert!(orders.get(id).unwrap().unknown);
        v.on_connected(6);
        sent(&mut v);
        v.on_bytes(&peer.msg("A|98=0|108=30|"), 7, 7, &mut orders, &mut events);
        let out = sent(&mut v);
        assert!(
            out.iter()
                .any(|m| m.contains("35=F|") && m.contains("41=T-1|")),
            "cancel on disconnect: {out:?}"
        );
        // The venue cancels it.
        v.on_bytes(
            &peer.msg("8|37=V1|11=T-2|41=T-1|17=2|150=4|39=4|14=0|"),
            8,
            8,
            &mut orders,
            &mut events,
        );
        let o = orders.get(id).unwrap();
        assert_eq!(
            (o.state, o.unknown, o.pending),
            (OrderState::Canceled, false, None)
        );
    }

    #[test]
    fn an_order_lost_in_a_disconnect_is_rejected_locally_when_the_venue_asks_for_it() {
        let dir = tempfile::tempdir().unwrap();
        let (mut v, mut orders, mut peer, mut events) = setup(dir.path());
        let id = v
            .send_new(&mut orders, "AAPL", Side::Buy, 100, 1_000_000, 3)
            .unwrap();
        // The order's bytes never leave: the connection drops first.
        v.on_disconnected(&mut orders, 5, &mut events);
        v.on_connected(6);
        sent(&mut v);
        v.on_bytes(&peer.msg("A|98=0|108=30|"), 7, 7, &mut orders, &mut events);
        // The venue expected our 2 (the order) and got 3 (the logon).
        events.clear();
        v.on_bytes(&peer.msg("2|7=2|16=0|"), 8, 8, &mut orders, &mut events);
        let o = orders.get(id).unwrap();
        assert_eq!(o.state, OrderState::Rejected);
        assert!(events.iter().any(|e| e.kind
            == EventKind::Order {
                order: id,
                event: OrderEvent::NotDelivered
            }));
    }

    #[test]
    fn a_cancel_refused_at_the_business_level_leaves_the_order_working() {
        let dir = tempfile::tempdir().unwrap();
        let (mut v, mut orders, mut peer, mut events) = setup(dir.path());
        let id = v
            .send_new(&mut orders, "AAPL", Side::Buy, 100, 1_000_000, 3)
            .unwrap();
        v.on_bytes(
            &peer.msg("8|37=V1|11=T-1|17=1|150=0|39=0|14=0|"),
            4,
            4,
            &mut orders,
            &mut events,
        );
        let index = orders.index_of(id).unwrap();
        v.send_cancel(&mut orders, index, 5).unwrap();
        let cancel_seq = orders.get(id).unwrap().pending.unwrap().seq;
        events.clear();
        v.on_bytes(
            &peer.msg(&format!(
                "j|45={cancel_seq}|372=F|380=3|58=Unsupported Message Type|"
            )),
            6,
            6,
            &mut orders,
            &mut events,
        );
        let o = orders.get(id).unwrap();
        assert_eq!((o.state, o.pending), (OrderState::New, None));
        assert!(events.iter().any(|e| matches!(
            &e.kind,
            EventKind::Order {
                event: OrderEvent::RequestRefused { .. },
                ..
            }
        )));
    }

    #[test]
    fn an_unknown_report_and_an_unsupported_message_are_reported_not_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let (mut v, mut orders, mut peer, mut events) = setup(dir.path());
        v.on_bytes(
            &peer.msg("8|37=V9|11=OTHER-1|17=1|150=0|39=0|14=0|"),
            4,
            4,
            &mut orders,
            &mut events,
        );
        assert!(
            matches!(&events[0].kind, EventKind::Orphan { cl_ord_id, .. } if cl_ord_id == "OTHER-1")
        );
        v.on_bytes(&peer.msg("W|262=1|"), 5, 5, &mut orders, &mut events);
        let out = sent(&mut v);
        assert!(
            out[0].contains("35=j|") && out[0].contains("372=W|380=3|"),
            "{out:?}"
        );
    }
}
