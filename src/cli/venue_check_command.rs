//! `breakwater venue-check`: the pre-open conformance check an operator
//! runs against a venue's FIX session. It logs on, sends N small limit
//! orders one at a time (each waits for its first report, so the round trip
//! is clean), cancels those still working, logs out, and prints acks,
//! fills, cancels, rejects and round-trip percentiles. It fails (exit 1) on
//! any session-level problem: no logon, a disconnect, a Reject (35=3) from
//! the venue, garbled messages, a message of the venue's we had to reject,
//! an order or cancel left unanswered, or a logout not acknowledged.

use crate::gateway::child_order::OrderState;
use crate::gateway::fix_session::{SessionConfig, SessionEvent};
use crate::gateway::gateway_event::{EventKind, GatewayEvent, OrderEvent};
use crate::gateway::order_gateway::{GatewayConfig, OrderGateway, VenueConfig};
use crate::gateway::order_messages::Side;
use crate::ipc::shm_dir::shm_dir;
use crate::wire::fix_value::parse_price4;
use anyhow::{bail, Context, Result};
use hdrhistogram::Histogram;
use std::collections::HashSet;
use std::io::Write;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct VenueCheckOptions {
    pub fix: String,
    pub sender: String,
    pub target: String,
    pub begin_string: String,
    pub orders: u32,
    pub symbol: String,
    pub side: Side,
    pub qty: u64,
    pub price: String,
    /// Where sequence numbers persist (default: the shared-memory folder).
    pub store: Option<PathBuf>,
    /// Send ResetSeqNumFlag (141=Y) at logon.
    pub reset: bool,
    pub timeout: Duration,
    pub json: bool,
    pub journal: Option<PathBuf>,
}

/// Round trips in nanoseconds.
fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000_000, 3).expect("valid histogram bounds")
}

#[derive(Default, serde::Serialize)]
struct Counts {
    orders_sent: u64,
    acks: u64,
    fills: u64,
    filled_qty: u64,
    order_rejects: u64,
    cancels_sent: u64,
    canceled: u64,
    cancels_refused: u64,
}

fn percentiles(h: &Histogram<u64>) -> serde_json::Value {
    if h.is_empty() {
        return serde_json::json!(null);
    }
    serde_json::json!({
        "count": h.len(),
        "p50_ns": h.value_at_quantile(0.50),
        "p90_ns": h.value_at_quantile(0.90),
        "p99_ns": h.value_at_quantile(0.99),
        "p99_9_ns": h.value_at_quantile(0.999),
        "max_ns": h.max(),
    })
}

fn micros(ns: u64) -> String {
    format!("{:.1} µs", ns as f64 / 1000.0)
}

fn percentile_line(h: &Histogram<u64>) -> String {
    if h.is_empty() {
        return "none".into();
    }
    format!(
        "p50 {}  p90 {}  p99 {}  p99.9 {}  max {}  (n={})",
        micros(h.value_at_quantile(0.50)),
        micros(h.value_at_quantile(0.90)),
        micros(h.value_at_quantile(0.99)),
        micros(h.value_at_quantile(0.999)),
        micros(h.max()),
        h.len()
    )
}

fn resolve(addr: &str) -> Result<SocketAddr> {
    addr.to_socket_addrs()
        .with_context(|| format!("--fix {addr}: expected HOST:PORT"))?
        .next()
        .with_context(|| format!("--fix {addr}: no address"))
}

struct Check {
    g: OrderGateway,
    counts: Counts,
    problems: Vec<String>,
    notes: Vec<String>,
    /// Orders that have had their first report.
    answered: HashSet<u64>,
}

impl Check {
    /// Takes the gateway's events: counts them and notes session problems.
    fn absorb(
        &mut self,
        events: Vec<GatewayEvent>,
        mut on_order: impl FnMut(u64, &OrderEvent, u64),
    ) {
        for e in events {
            match &e.kind {
                EventKind::Order { order, event } => {
                    match event {
                        OrderEvent::State(OrderState::New) => self.counts.acks += 1,
                        OrderEvent::State(OrderState::Rejected) => self.counts.order_rejects += 1,
                        OrderEvent::State(OrderState::Canceled) => self.counts.canceled += 1,
                        OrderEvent::Fill { qty, .. } => {
                            self.counts.fills += 1;
                            self.counts.filled_qty += qty;
                        }
                        OrderEvent::RequestRefused { .. } => self.counts.cancels_refused += 1,
                        OrderEvent::NotDelivered => self
                            .problems
                            .push(format!("order {order} was not delivered")),
                        _ => {}
                    }
                    self.answered.insert(*order);
                    on_order(*order, event, e.at_ns);
                }
                EventKind::ConnectFailed { error } => {
                    self.notes.push(format!("connect failed: {error}"))
                }
                EventKind::Disconnected { reason } if reason != "logged out" => {
                    self.problems.push(format!("disconnected: {reason}"))
                }
                EventKind::Session(SessionEvent::PeerReject { ref_seq, text }) => self
                    .problems
                    .push(format!("the venue rejected our message {ref_seq}: {text}")),
                EventKind::Session(SessionEvent::ResendRequested { from }) => self
                    .notes
                    .push(format!("asked the venue to resend from {from}")),
                EventKind::Session(SessionEvent::GapFilled { from, to }) => self
                    .notes
                    .push(format!("the venue asked for our {from}..{to}; gap-filled")),
                EventKind::RejectedInbound { seq, text } => self
                    .problems
                    .push(format!("we rejected the venue's message {seq}: {text}")),
                EventKind::Orphan { cl_ord_id, .. } => self
                    .notes
                    .push(format!("report for an order not ours: {cl_ord_id}")),
                EventKind::BusinessReject {
                    ref_msg_type, text, ..
                } => self
                    .notes
                    .push(format!("the venue refused our {ref_msg_type}: {text}")),
                _ => {}
            }
        }
    }
}

pub fn run(o: &VenueCheckOptions, out: &mut impl Write) -> Result<bool> {
    if o.begin_string != "FIX.4.2" && o.begin_string != "FIX.4.4" {
        bail!("--begin-string {}: FIX.4.2 or FIX.4.4", o.begin_string);
    }
    let price = parse_price4(o.price.as_bytes())
        .filter(|&p| p > 0)
        .with_context(|| {
            format!(
                "--price {}: a positive decimal with at most 4 places",
                o.price
            )
        })?;
    if o.qty == 0 {
        bail!("--qty must be positive");
    }
    if o.symbol.is_empty() || o.symbol.len() > 8 {
        bail!("--symbol {:?}: 1 to 8 characters", o.symbol);
    }
    let addr = resolve(&o.fix)?;
    let venue = VenueConfig {
        name: o.target.clone(),
        addr,
        session: SessionConfig {
            begin_string: o.begin_string.clone(),
            sender: o.sender.clone(),
            target: o.target.clone(),
            heartbeat_s: 30,
            store_dir: o
                .store
                .clone()
                .unwrap_or_else(|| shm_dir().join("fix-sessions")),
            reset_on_logon: o.reset,
        },
        cancel_on_disconnect: false,
    };
    let mut config = GatewayConfig::new(vec![venue]);
    config.journal = o.journal.clone();
    let g = OrderGateway::new(config).context("starting the gateway")?;
    let mut c = Check {
        g,
        counts: Counts::default(),
        problems: Vec::new(),
        notes: Vec::new(),
        answered: HashSet::new(),
    };
    let mut order_rtt = histogram();
    let mut cancel_rtt = histogram();

    // Log on.
    let start = c.g.mono_ns();
    let mut events = Vec::new();
    let logged_on =
        c.g.poll_until(o.timeout, |g| {
            events.extend(g.take_events());
            // A venue that drops the connection during logon refused it.
            g.is_logged_on(0)
                || events
                    .iter()
                    .any(|e| matches!(e.kind, EventKind::Disconnected { .. }))
        })
        .context("gateway")?
            && c.g.is_logged_on(0);
    let logon_ns = c.g.mono_ns() - start;
    c.absorb(std::mem::take(&mut events), |_, _, _| {});
    if !logged_on {
        c.problems
            .push(format!("no logon (within {} s)", o.timeout.as_secs_f64()));
    }

    // Orders, one at a time.
    let mut ids = Vec::new();
    if logged_on {
        for _ in 0..o.orders {
            let sent_ns = c.g.mono_ns();
            let id = match c.g.submit_order(0, &o.symbol, o.side, o.qty, price) {
                Ok(id) => id,
                Err(e) => {
                    c.problems.push(format!("order not sent: {e}"));
                    break;
                }
            };
            c.counts.orders_sent += 1;
            ids.push(id);
            let answered =
                c.g.poll_until(o.timeout, |g| {
                    events.extend(g.take_events());
                    events
                        .iter()
                        .any(|e| matches!(e.kind, EventKind::Order { order, .. } if order == id))
                        || !g.is_logged_on(0)
                })
                .context("gateway")?;
            let mut first: Option<u64> = None;
            c.absorb(std::mem::take(&mut events), |order, _, at| {
                if order == id && first.is_none() {
                    first = Some(at);
                }
            });
            match first {
                Some(at) => order_rtt.saturating_record(at.saturating_sub(sent_ns).max(1)),
                None => {
                    c.problems.push(if answered {
                        "the session went down while an order was out".to_string()
                    } else {
                        format!("order {id}: no report within {} s", o.timeout.as_secs_f64())
                    });
                    break;
                }
            }
        }
    }

    // Cancel what still works.
    let working: Vec<u64> = ids
        .iter()
        .copied()
        .filter(|&id| c.g.order(id).is_some_and(|o| o.is_working()))
        .collect();
    for &id in &working {
        let sent_ns = c.g.mono_ns();
        if let Err(e) = c.g.cancel_order(id) {
            c.problems
                .push(format!("cancel of order {id} not sent: {e}"));
            break;
        }
        c.counts.cancels_sent += 1;
        let done =
            c.g.poll_until(o.timeout, |g| {
                events.extend(g.take_events());
                g.order(id)
                    .is_some_and(|o| !o.is_working() || o.pending.is_none())
                    || !g.is_logged_on(0)
            })
            .context("gateway")?;
        let mut answer: Option<u64> = None;
        c.absorb(std::mem::take(&mut events), |order, event, at| {
            if order == id
                && answer.is_none()
                && matches!(
                    event,
                    OrderEvent::State(_) | OrderEvent::RequestRefused { .. }
                )
            {
                answer = Some(at);
            }
        });
        match answer {
            Some(at) => cancel_rtt.saturating_record(at.saturating_sub(sent_ns).max(1)),
            None => {
                c.problems.push(if done {
                    "the session went down while a cancel was out".to_string()
                } else {
                    format!(
                        "cancel of order {id}: no answer within {} s",
                        o.timeout.as_secs_f64()
                    )
                });
                break;
            }
        }
    }

    // Log out.
    let logged_out = c.g.shutdown(o.timeout).context("gateway")?;
    let tail = c.g.take_events();
    c.absorb(tail, |_, _, _| {});
    if logged_on && !logged_out {
        c.problems
            .push("the venue did not acknowledge our Logout".into());
    }
    let session = c.g.session_stats(0);
    if session.garbled > 0 {
        c.problems.push(format!(
            "{} garbled messages from the venue",
            session.garbled
        ));
    }
    let unanswered: Vec<u64> = ids
        .iter()
        .copied()
        .filter(|id| !c.answered.contains(id))
        .collect();
    if !unanswered.is_empty() {
        c.problems
            .push(format!("{} orders never answered", unanswered.len()));
    }
    let passed = c.problems.is_empty();
    let (next_out, next_in) = c.g.sequence_numbers(0);

    if o.json {
        let v = serde_json::json!({
            "venue": o.fix,
            "begin_string": o.begin_string,
            "sender": o.sender,
            "target": o.target,
            "logged_on": logged_on,
            "logon_ns": logon_ns,
            "counts": c.counts,
            "order_round_trip": percentiles(&order_rtt),
            "cancel_round_trip": percentiles(&cancel_rtt),
            "session": session,
            "next_sender_seq": next_out,
            "next_target_seq": next_in,
            "notes": c.notes,
            "problems": c.problems,
            "passed": passed,
        });
        writeln!(out, "{v}")?;
    } else {
        let k = &c.counts;
        writeln!(
            out,
            "venue-check {} {} {} -> {}",
            o.fix, o.begin_string, o.sender, o.target
        )?;
        if logged_on {
            writeln!(out, "  logon        ok in {}", micros(logon_ns))?;
        } else {
            writeln!(out, "  logon        FAILED")?;
        }
        writeln!(
            out,
            "  orders       {} sent ({} {} {} @ {}): {} acks, {} fills ({} shares), {} rejects",
            k.orders_sent,
            if o.side == Side::Buy { "buy" } else { "sell" },
            o.qty,
            o.symbol,
            o.price,
            k.acks,
            k.fills,
            k.filled_qty,
            k.order_rejects
        )?;
        writeln!(
            out,
            "  cancels      {} sent for the orders still working: {} canceled, {} refused",
            k.cancels_sent, k.canceled, k.cancels_refused
        )?;
        writeln!(
            out,
            "  round trip   order to first report: {}",
            percentile_line(&order_rtt)
        )?;
        writeln!(
            out,
            "               cancel to answer:      {}",
            percentile_line(&cancel_rtt)
        )?;
        writeln!(
            out,
            "  session      {} in, {} out, {} garbled, {} resend requests sent, {} gap fills sent; next seq out {next_out}, in {next_in}",
            session.messages_in, session.messages_out, session.garbled, session.resend_requests_sent, session.gap_fills_sent
        )?;
        let logout = match (logged_on, logged_out) {
            (false, _) => "not logged on",
            (true, true) => "ok",
            (true, false) => "FAILED",
        };
        writeln!(out, "  logout       {logout}")?;
        for n in &c.notes {
            writeln!(out, "  note         {n}")?;
        }
        for p in &c.problems {
            writeln!(out, "  PROBLEM      {p}")?;
        }
        writeln!(
            out,
            "  result       {}",
            if passed { "PASS" } else { "FAIL" }
        )?;
    }
    Ok(passed)
}
