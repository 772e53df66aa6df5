//! Order entry against QuickFIX's own example acceptors on loopback:
//! `executor` (FIX 4.4, fills every limit order) and `ordermatch` (FIX 4.2,
//! a matching engine), built from Debian's libquickfix-doc sources.

mod support;

use breakwater::gateway::child_order::OrderState;
use breakwater::gateway::fix_session::SessionConfig;
use breakwater::gateway::gateway_event::{EventKind, GatewayEvent, OrderEvent};
use breakwater::gateway::order_gateway::{GatewayConfig, OrderGateway, VenueConfig};
use breakwater::gateway::order_messages::Side;
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;
use support::quickfix_peer::QuickFixPeer;

/// Our session to `peer` (sender BW), its sequence numbers under `store`.
fn venue_config(
    peer: &QuickFixPeer,
    begin_string: &str,
    target: &str,
    store: &Path,
) -> VenueConfig {
    VenueConfig {
        name: peer.name.clone(),
        addr: peer.addr(),
        session: SessionConfig {
            begin_string: begin_string.into(),
            sender: "BW".into(),
            target: target.into(),
            heartbeat_s: 30,
            store_dir: store.to_path_buf(),
            reset_on_logon: false,
        },
        cancel_on_disconnect: false,
    }
}

fn gateway(peer: &QuickFixPeer, begin_string: &str, target: &str, store: &Path) -> OrderGateway {
    let venue = venue_config(peer, begin_string, target, store);
    let mut config = GatewayConfig::new(vec![venue]);
    config.journal = Some(store.join("gateway.journal"));
    config.reconnect_initial_ms = 50;
    OrderGateway::new(config).unwrap()
}

/// A QuickFIX peer (`executor` speaks FIX.4.4, `ordermatch` FIX.4.2) and a
/// gateway with one session to it, stores under `dir`.
fn peer_and_gateway(name: &str, dir: &Path) -> (QuickFixPeer, OrderGateway) {
    let (begin_string, comp_id) = match name {
        "executor" => ("FIX.4.4", "EXECUTOR"),
        _ => ("FIX.4.2", "ORDERMATCH"),
    };
    let peer = QuickFixPeer::start(name, begin_string, comp_id, "BW", &dir.join("peer"));
    let g = gateway(&peer, begin_string, comp_id, &dir.join("bw"));
    (peer, g)
}

fn log_on(g: &mut OrderGateway, events: &mut Vec<GatewayEvent>) {
    let ok = g
        .poll_until(Duration::from_secs(20), |g| {
            events.extend(g.take_events());
            g.is_logged_on(0)
        })
        .unwrap();
    assert!(ok, "no logon: {events:#?}");
}

/// Fill quantity per order, from the events.
fn fills(events: &[GatewayEvent]) -> HashMap<u64, u64> {
    let mut out = HashMap::new();
    for e in events {
        if let EventKind::Order {
            order,
            event: OrderEvent::Fill { qty, .. },
        } = e.kind
        {
            *out.entry(order).or_default() += qty;
        }
    }
    out
}

#[test]
fn executor_acknowledges_and_fills_every_order() {
    let dir = tempfile::tempdir().unwrap();
    let (peer, mut g) = peer_and_gateway("executor", dir.path());
    let mut events = Vec::new();
    log_on(&mut g, &mut events);
    let ids: Vec<u64> = (0..20)
        .map(|i| {
            g.submit_order(
                0,
                "AAPL",
                if i % 2 == 0 { Side::Buy } else { Side::Sell },
                100 + i,
                1_902_500,
            )
            .unwrap()
        })
        .collect();
    let all_filled = g
        .poll_until(Duration::from_secs(20), |g| {
            events.extend(g.take_events());
            ids.iter()
                .all(|&id| g.order(id).unwrap().state == OrderState::Filled)
        })
        .unwrap();
    assert!(all_filled, "{events:#?}");
    let fills = fills(&events);
    for (i, &id) in ids.iter().enumerate() {
        let o = g.order(id).unwrap();
        assert_eq!(
            (o.cum_qty, fills[&id]),
            (100 + i as u64, 100 + i as u64),
            "order {id}"
        );
    }
    assert_eq!(peer.incoming("D").len(), 20);
    assert_eq!(peer.incoming("D").len(), 20);
    assert!(g.shutdown(Duration::from_secs(10)).unwrap(), "logout");
    let journal = std::fs::read_to_string(dir.path().join("bw/gateway.journal")).unwrap();
    assert_eq!(journal.matches(" filled").count(), 20, "{journal}");
}

fn wait_states(
    g: &mut OrderGateway,
    events: &mut Vec<GatewayEvent>,
    ids: &[u64],
    want: OrderState,
) {
    let ok = g
        .poll_until(Duration::from_secs(20), |g| {
            events.extend(g.take_events());
            ids.iter().all(|&id| g.order(id).unwrap().state == want)
        })
        .unwrap();
    let states: Vec<_> = ids.iter().map(|&id| g.order(id).unwrap().state).collect();
    assert!(ok, "want all {want:?}, have {states:?}");
}

#[test]
fn ordermatch_rests_non_crossing_orders_which_we_then_cancel() {
    let dir = tempfile::tempdir().unwrap();
    let (peer, mut g) = peer_and_gateway("ordermatch", dir.path());
    let mut events = Vec::new();
    log_on(&mut g, &mut events);
    // Bids below asks: nothing crosses.
    let mut ids = Vec::new();
    for i in 0..5u32 {
        ids.push(
            g.submit_order(0, "MSFT", Side::Buy, 100, 1_000_000 - i * 100)
                .unwrap(),
        );
        ids.push(
            g.submit_order(0, "MSFT", Side::Sell, 100, 1_010_000 + i * 100)
                .unwrap(),
        );
    }
    wait_states(&mut g, &mut events, &ids, OrderState::New);
    for &id in &ids {
        g.cancel_order(id).unwrap();
    }
    wait_states(&mut g, &mut events, &ids, OrderState::Canceled);
    assert!(fills(&events).is_empty(), "nothing crossed");
    assert_eq!(peer.incoming("F").len(), 10);
    assert!(g.shutdown(Duration::from_secs(10)).unwrap());
}

#[test]
fn ordermatch_fills_both_sides_of_a_cross_and_the_remainder_can_be_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let (_peer, mut g) = peer_and_gateway("ordermatch", dir.path());
    let mut events = Vec::new();
    log_on(&mut g, &mut events);
    let buy = g.submit_order(0, "IBM", Side::Buy, 100, 1_500_000).unwrap();
    wait_states(&mut g, &mut events, &[buy], OrderState::New);
    let sell = g.submit_order(0, "IBM", Side::Sell, 60, 1_490_000).unwrap();
    wait_states(&mut g, &mut events, &[sell], OrderState::Filled);
    wait_states(&mut g, &mut events, &[buy], OrderState::PartiallyFilled);
    let fills = fills(&events);
    assert_eq!((fills[&buy], fills[&sell]), (60, 60));
    // ordermatch executes at the ask's price (its Market::match).
    let fill_price = |id| {
        events.iter().find_map(|e| match e.kind {
            EventKind::Order {
                order,
                event: OrderEvent::Fill { price, .. },
            } if order == id => price,
            _ => None,
        })
    };
    assert_eq!(
        (fill_price(buy), fill_price(sell)),
        (Some(1_490_000), Some(1_490_000))
    );
    g.cancel_order(buy).unwrap();
    wait_states(&mut g, &mut events, &[buy], OrderState::Canceled);
    assert_eq!(g.order(buy).unwrap().cum_qty, 60);
    assert!(g.shutdown(Duration::from_secs(10)).unwrap());
}

#[test]
fn the_kill_switch_cancels_every_resting_order_and_blocks_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (_peer, mut g) = peer_and_gateway("ordermatch", dir.path());
    let mut events = Vec::new();
    log_on(&mut g, &mut events);
    let ids: Vec<u64> = (0..8u32)
        .map(|i| g.submit_order(0, "GE", Side::Buy, 10, 500_000 + i).unwrap())
        .collect();
    wait_states(&mut g, &mut events, &ids, OrderState::New);
    assert_eq!(g.kill(), 8);
    assert_eq!(
        g.submit_order(0, "GE", Side::Buy, 10, 500_000),
        Err(breakwater::gateway::venue_session::OrderError::Blocked)
    );
    wait_states(&mut g, &mut events, &ids, OrderState::Canceled);
    g.resume();
    let after = g.submit_order(0, "GE", Side::Buy, 10, 500_000).unwrap();
    wait_states(&mut g, &mut events, &[after], OrderState::New);
    assert!(g.shutdown(Duration::from_secs(10)).unwrap());
}

/// The ClOrdID of every execution the venue made, once each. A resent
/// report (PossDup) carries its original's ExecID and, as OrigSendingTime,
/// its SendingTime, so it names the same execution and counts once; a
/// resend whose original is not in the log still counts (a venue killed
/// after storing a report but before logging and sending it resends it
/// when it comes back: it did execute the order).
fn executed_cl_ord_ids(peer: &QuickFixPeer) -> Vec<String> {
    let field = |m: &str, tag: &str| {
        m.split('|')
            .find_map(|f| f.strip_prefix(tag))
            .unwrap_or("")
            .to_string()
    };
    let mut seen = std::collections::HashSet::new();
    peer.outgoing("8")
        .iter()
        .filter_map(|m| {
            let sent_at = if m.contains("|43=Y|") {
                field(m, "122=")
            } else {
                field(m, "52=")
            };
            let cl_ord_id = field(m, "11=");
            seen.insert((cl_ord_id.clone(), field(m, "17="), sent_at))
                .then_some(cl_ord_id)
        })
        .collect()
}

/// Checks that no order is lost or duplicated: every order ends filled,
/// executed by the venue exactly once, or rejected locally as never
/// delivered, and then the venue never executed it. Returns (filled, not
/// delivered).
fn assert_no_lost_or_duplicated_order(
    g: &OrderGateway,
    events: &[GatewayEvent],
    peer: &QuickFixPeer,
) -> (usize, usize) {
    let executed = executed_cl_ord_ids(peer);
    let fills = fills(events);
    let (mut filled, mut not_delivered) = (0, 0);
    for o in g.orders() {
        let suffix = format!("-{}", o.id);
        let times = executed.iter().filter(|r| r.ends_with(&suffix)).count();
        match o.state {
            OrderState::Filled => {
                assert_eq!(
                    times, 1,
                    "order {} filled, executed {times} times by the venue",
                    o.id
                );
                assert_eq!(
                    (o.cum_qty, fills.get(&o.id).copied()),
                    (o.qty, Some(o.qty)),
                    "order {}",
                    o.id
                );
                filled += 1;
            }
            OrderState::Rejected => {
                assert_eq!(
                    times, 0,
                    "order {} called not delivered, yet the venue executed it",
                    o.id
                );
                assert!(o.text.starts_with("not delivered"), "{}", o.text);
                not_delivered += 1;
            }
            s => panic!("order {} ended {s:?}", o.id),
        }
    }
    (filled, not_delivered)
}

#[test]
fn a_dropped_connection_mid_stream_recovers_sequence_numbers_with_no_lost_or_duplicated_order() {
    let dir = tempfile::tempdir().unwrap();
    let peer = QuickFixPeer::start(
        "executor",
        "FIX.4.4",
        "EXECUTOR",
        "BW",
        &dir.path().join("peer"),
    );
    let venue = venue_config(&peer, "FIX.4.4", "EXECUTOR", &dir.path().join("bw"));
    let mut config = GatewayConfig::new(vec![venue]);
    config.reconnect_initial_ms = 50;
    config.cl_ord_id_prefix = Some("DROP-".into());
    let mut g = OrderGateway::new(config).unwrap();
    let mut events = Vec::new();
    log_on(&mut g, &mut events);
    let mut submitted = 0;
    for round in 0..6 {
        // A burst goes on the wire, its reports still in flight...
        for i in 0..20 {
            g.submit_order(0, "AAPL", Side::Buy, 1 + i, 1_000_000)
                .unwrap();
        }
        g.poll(Duration::from_micros(100 + round * 200)).unwrap();
        // ...another is queued, and the link drops before it is sent.
        for i in 0..20 {
            g.submit_order(0, "AAPL", Side::Sell, 1 + i, 1_000_000)
                .unwrap();
        }
        submitted += 40;
        events.extend(g.take_events());
        g.drop_connection(0);
        assert_eq!(
            g.submit_order(0, "AAPL", Side::Buy, 1, 1),
            Err(breakwater::gateway::venue_session::OrderError::NotLoggedOn)
        );
        events.extend(g.take_events());
        log_on(&mut g, &mut events);
        if round % 2 == 0 {
            // Let the resend exchange finish before the next burst; in odd
            // rounds the link drops again while it is still under way.
            g.poll_until(Duration::from_millis(50), |g| {
                events.extend(g.take_events());
                false
            })
            .unwrap();
        }
    }
    let ok = g
        .poll_until(Duration::from_secs(20), |g| {
            events.extend(g.take_events());
            g.orders().all(|o| !o.is_working())
        })
        .unwrap();
    assert!(
        ok,
        "orders still working: {:?}",
        g.orders()
            .filter(|o| o.is_working())
            .map(|o| (o.id, o.state))
            .collect::<Vec<_>>()
    );
    assert_eq!(g.orders().count(), submitted);
    let (filled, not_delivered) = assert_no_lost_or_duplicated_order(&g, &events, &peer);
    assert!(
        not_delivered >= 120,
        "the queued bursts never left: {not_delivered}"
    );
    assert!(
        filled >= 60,
        "the bursts sent on a settled session are executed: {filled}"
    );
    assert_eq!(filled + not_delivered, 240);
    // Reports lost with the link came back through a resend.
    let resends = events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::Session(
                    breakwater::gateway::fix_session::SessionEvent::ResendRequested { .. }
                )
            )
        })
        .count();
    assert!(
        resends >= 1,
        "reports lost with the link are asked for again"
    );
    assert_eq!(g.connects(0), 7);
    // Sequence numbers carried on: one session, no reset.
    let (next_out, next_in) = g.sequence_numbers(0);
    assert!(
        next_out > submitted as u64 && next_in > 1,
        "{next_out} {next_in}"
    );
    let log = peer.screen_log();
    assert!(
        !log.contains("MsgSeqNum too low"),
        "the executor saw a sequence problem"
    );
    assert!(g.shutdown(Duration::from_secs(10)).unwrap());
}

#[test]
fn a_venue_crash_and_restart_is_survived_by_reconnecting_with_backoff() {
    let dir = tempfile::tempdir().unwrap();
    let mut peer = QuickFixPeer::start(
        "executor",
        "FIX.4.4",
        "EXECUTOR",
        "BW",
        &dir.path().join("peer"),
    );
    let mut g = gateway(&peer, "FIX.4.4", "EXECUTOR", &dir.path().join("bw"));
    let mut events = Vec::new();
    log_on(&mut g, &mut events);
    for i in 0..50 {
        g.submit_order(0, "AAPL", Side::Sell, 1 + i, 1_000_000)
            .unwrap();
    }
    g.poll(Duration::from_micros(100)).unwrap();
    peer.kill();
    // Connection refused while it is down: the gateway keeps trying.
    g.poll_until(Duration::from_millis(400), |g| {
        events.extend(g.take_events());
        false
    })
    .unwrap();
    assert!(
        events
            .iter()
            .any(|e| matches!(e.kind, EventKind::ConnectFailed { .. })),
        "{events:#?}"
    );
    assert!(!g.is_logged_on(0));
    peer.restart();
    log_on(&mut g, &mut events);
    let ok = g
        .poll_until(Duration::from_secs(20), |g| {
            events.extend(g.take_events());
            g.orders().all(|o| !o.is_working())
        })
        .unwrap();
    assert!(ok, "orders still working after the venue came back");
    let (filled, not_delivered) = assert_no_lost_or_duplicated_order(&g, &events, &peer);
    assert_eq!(filled + not_delivered, 50);
    assert!(g.shutdown(Duration::from_secs(10)).unwrap());
}

/// The operator's `breakwater kill` (another process, through the control
/// block in shared memory) reaches the gateway: every resting order is
/// cancelled and new ones are refused; `breakwater resume` lifts it.
#[test]
fn breakwater_kill_from_another_process_cancels_resting_orders_at_the_venue() {
    let dir = tempfile::tempdir().unwrap();
    let shm = dir.path().join("shm");
    // The only test in this binary that touches the shared-memory folder.
    std::env::set_var(breakwater::ipc::shm_dir::SHM_DIR_ENV, &shm);
    let (peer, mut g) = peer_and_gateway("ordermatch", dir.path());
    g.attach_control_block(breakwater::ipc::control_block::ControlBlock::open_or_create().unwrap());
    let mut events = Vec::new();
    log_on(&mut g, &mut events);
    let ids: Vec<u64> = (0..6u32)
        .map(|i| {
            g.submit_order(0, "KO", Side::Sell, 5, 600_000 + i * 100)
                .unwrap()
        })
        .collect();
    wait_states(&mut g, &mut events, &ids, OrderState::New);
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_breakwater"))
            .args(args)
            .env(breakwater::ipc::shm_dir::SHM_DIR_ENV, &shm)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    cli(&["kill", "--reason", "test"]);
    wait_states(&mut g, &mut events, &ids, OrderState::Canceled);
    assert!(g.is_blocked());
    assert_eq!(
        g.submit_order(0, "KO", Side::Sell, 5, 600_000),
        Err(breakwater::gateway::venue_session::OrderError::Blocked)
    );
    assert_eq!(peer.incoming("F").len(), 6);
    cli(&["resume"]);
    g.poll_until(Duration::from_secs(5), |g| !g.is_blocked())
        .unwrap();
    assert!(g.submit_order(0, "KO", Side::Sell, 5, 600_000).is_ok());
    assert!(g.shutdown(Duration::from_secs(10)).unwrap());
}

/// One event loop serves two venues at once, FIX 4.4 and FIX 4.2: orders
/// go where they are sent, and each venue's reports come back to its own
/// orders.
#[test]
fn one_gateway_serves_executor_and_ordermatch_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let executor = QuickFixPeer::start(
        "executor",
        "FIX.4.4",
        "EXECUTOR",
        "BW",
        &dir.path().join("executor"),
    );
    let ordermatch = QuickFixPeer::start(
        "ordermatch",
        "FIX.4.2",
        "ORDERMATCH",
        "BW",
        &dir.path().join("ordermatch"),
    );
    let store = dir.path().join("bw");
    let venue = |peer: &QuickFixPeer, begin_string: &str, target: &str| {
        venue_config(peer, begin_string, target, &store)
    };
    let mut config = GatewayConfig::new(vec![
        venue(&executor, "FIX.4.4", "EXECUTOR"),
        venue(&ordermatch, "FIX.4.2", "ORDERMATCH"),
    ]);
    config.journal = Some(dir.path().join("gateway.journal"));
    let mut g = OrderGateway::new(config).unwrap();
    let mut events = Vec::new();
    let up = g
        .poll_until(Duration::from_secs(20), |g| {
            events.extend(g.take_events());
            g.is_logged_on(0) && g.is_logged_on(1)
        })
        .unwrap();
    assert!(up, "{events:#?}");
    let mut filled = Vec::new();
    let mut resting = Vec::new();
    for i in 0..10u32 {
        filled.push(
            g.submit_order(0, "AAPL", Side::Buy, 10, 1_000_000 + i)
                .unwrap(),
        );
        resting.push(
            g.submit_order(1, "AAPL", Side::Buy, 10, 500_000 + i)
                .unwrap(),
        );
    }
    wait_states(&mut g, &mut events, &filled, OrderState::Filled);
    wait_states(&mut g, &mut events, &resting, OrderState::New);
    assert!(filled.iter().all(|&id| g.order(id).unwrap().venue == 0));
    assert!(resting.iter().all(|&id| g.order(id).unwrap().venue == 1));
    assert_eq!(
        (executor.incoming("D").len(), ordermatch.incoming("D").len()),
        (10, 10)
    );
    // The kill switch reaches both; only ordermatch has anything working.
    assert_eq!(g.kill(), 10);
    wait_states(&mut g, &mut events, &resting, OrderState::Canceled);
    assert!(g.shutdown(Duration::from_secs(10)).unwrap());
    let journal = std::fs::read_to_string(dir.path().join("gateway.journal")).unwrap();
    assert!(
        journal.contains("GATEWAY executor") && journal.contains("GATEWAY ordermatch"),
        "{journal}"
    );
}
