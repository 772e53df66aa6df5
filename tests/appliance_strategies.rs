//! Strategies against a real appliance (driven in-process: non-lockstep, one
//! poll iteration at a time): isolation between strategies, bad records,
//! a full ring, a stopped heartbeat.

use breakwater::client::StrategyClient;
use breakwater::engine::appliance::{Appliance, ApplianceSettings};
use breakwater::engine::strategy_link::StrategyLink;
use breakwater::feed::poll_loop::PollHandler;
use breakwater::ipc::control_block::{unix_now_ns, ControlBlock};
use breakwater::ipc::ring_messages::{kind, Report, SIDE_BUY, TIF_DAY};
use breakwater::ipc::shm_dir::SHM_DIR_ENV;
use breakwater::ipc::strategy_rings;
use breakwater::journal::journal_entry::{JournalEntry, Outcome};
use breakwater::risk::order_checks::SymbolLimits;
use breakwater::risk::reject_reason;
use breakwater::telemetry::tsc::TscClock;
use std::sync::Mutex;
use std::time::Duration;

/// The shared-memory folder is process-wide: one test at a time.
static SHM: Mutex<()> = Mutex::new(());

fn limits() -> SymbolLimits {
    SymbolLimits {
        reference_price: 1_150_000,
        collar_bps: 500,
        max_order_qty: 10_000,
        max_notional: u64::MAX,
        ..Default::default()
    }
}

/// An appliance with strategies `names` and a connected client for each.
fn setup(
    names: &[&str],
    settings: ApplianceSettings,
) -> (tempfile::TempDir, Appliance, Vec<StrategyClient>) {
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var(SHM_DIR_ENV, dir.path());
    let control = ControlBlock::open_or_create().unwrap();
    control.claim_appliance().unwrap();
    let links: Vec<StrategyLink> = names
        .iter()
        .map(|n| StrategyLink::open(n, 1 << 16).unwrap())
        .collect();
    let clients: Vec<StrategyClient> = names
        .iter()
        .map(|n| StrategyClient::connect(n).unwrap())
        .collect();
    let appliance = Appliance::new(
        settings,
        &[("SPY".to_string(), limits())],
        links,
        control,
        TscClock::calibrate(Duration::from_millis(5)),
    )
    .unwrap();
    (dir, appliance, clients)
}

fn live() -> ApplianceSettings {
    ApplianceSettings {
        lockstep: false,
        ..Default::default()
    }
}

fn poll(appliance: &mut Appliance) {
    let _ = appliance.after_poll(0);
}

fn reports(client: &mut StrategyClient) -> Vec<Report> {
    std::iter::from_fn(|| client.poll_report().unwrap()).collect()
}

#[test]
fn a_strategy_cannot_cancel_another_strategys_order() {
    let _g = SHM.lock().unwrap_or_else(|e| e.into_inner());
    let (_d, mut appliance, mut clients) = setup(&["alpha", "beta"], live());
    let id = clients[1]
        .send_order("SPY", SIDE_BUY, 1_150_000, 100, TIF_DAY)
        .unwrap();
    poll(&mut appliance);
    assert!(matches!(reports(&mut clients[1])[..], [Report::Ack(a)] if a.client_order_id == id));
    // alpha names beta's id: alpha has no such order.
    clients[0].cancel(id).unwrap();
    poll(&mut appliance);
    match reports(&mut clients[0])[..] {
        [Report::Reject(r)] => assert_eq!(r.reasons, reject_reason::UNKNOWN_ORDER),
        ref other => panic!("{other:?}"),
    }
    assert!(
        reports(&mut clients[1]).is_empty(),
        "beta's order is untouched"
    );
    let report = appliance.finish();
    let beta_end: Vec<&JournalEntry> = report
        .journal
        .iter()
        .filter(|e| matches!(e, JournalEntry::Order { strategy, outcome: Outcome::Cancelled { .. }, .. } if strategy == "beta"))
        .collect();
    assert_eq!(beta_end.len(), 1);
    assert!(
        matches!(beta_end[0], JournalEntry::Order { outcome: Outcome::Cancelled { reasons }, .. } if *reasons == reject_reason::SESSION_END)
    );
}

#[test]
fn malformed_and_unknown_records_are_rejected_with_reasons() {
    let _g = SHM.lock().unwrap_or_else(|e| e.into_inner());
    let (_d, mut appliance, mut clients) = setup(&["alpha"], live());
    clients[0].send_raw(kind::NEW_ORDER, &[0u8; 5]).unwrap();
    clients[0].send_raw(99, &[0u8; 8]).unwrap();
    poll(&mut appliance);
    let reasons: Vec<u32> = reports(&mut clients[0])
        .iter()
        .map(|r| match r {
            Report::Reject(r) => r.reasons,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        reasons,
        [reject_reason::MALFORMED, reject_reason::UNKNOWN_MESSAGE]
    );
    // The strategy stays connected and can trade.
    clients[0]
        .send_order("SPY", SIDE_BUY, 1_150_000, 100, TIF_DAY)
        .unwrap();
    poll(&mut appliance);
    assert!(matches!(reports(&mut clients[0])[..], [Report::Ack(_)]));
}

#[test]
fn a_garbled_record_disconnects_the_strategy_and_cancels_its_orders() {
    let _g = SHM.lock().unwrap_or_else(|e| e.into_inner());
    let (_d, mut appliance, mut clients) = setup(&["alpha"], live());
    clients[0]
        .send_order("SPY", SIDE_BUY, 1_150_000, 100, TIF_DAY)
        .unwrap();
    poll(&mut appliance);
    assert!(matches!(reports(&mut clients[0])[..], [Report::Ack(_)]));
    // Scribble a record whose length runs past the ring, and publish it.
    use std::os::unix::fs::FileExt;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(strategy_rings::orders_path("alpha"))
        .unwrap();
    let at = 512 + 48; // after the one real 48-byte record
    let header = 100_000u64 | (u64::from(kind::NEW_ORDER) << 32);
    file.write_at(&header.to_le_bytes(), at).unwrap();
    file.write_at(&(48u64 + 8).to_le_bytes(), 128).unwrap();
    poll(&mut appliance);
    let report = appliance.finish();
    let texts: Vec<String> = report.journal.iter().map(|e| e.text()).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("disconnected: ring error") && t.contains("corrupt record")),
        "{texts:#?}"
    );
    assert!(report.journal.iter().any(|e| matches!(e, JournalEntry::Order { outcome: Outcome::Cancelled { reasons }, .. } if *reasons == reject_reason::STRATEGY_DISCONNECTED)));
    assert_eq!(report.counters.strategies_disconnected, 1);
}

#[test]
fn a_full_orders_ring_is_a_clear_error_to_the_strategy() {
    let _g = SHM.lock().unwrap_or_else(|e| e.into_inner());
    let (_d, _appliance, mut clients) = setup(&["alpha"], live());
    // Nobody drains the ring: the 64 KiB ring fills.
    let err = (0..10_000)
        .find_map(|_| {
            clients[0]
                .send_order("SPY", SIDE_BUY, 1_150_000, 100, TIF_DAY)
                .err()
        })
        .expect("the ring fills");
    assert_eq!(err.to_string(), "ring full");
}

#[test]
fn a_strategy_whose_heartbeat_stops_is_disconnected_and_its_orders_cancelled() {
    let _g = SHM.lock().unwrap_or_else(|e| e.into_inner());
    let settings = ApplianceSettings {
        heartbeat_timeout_ns: 50_000_000,
        ..live()
    };
    let (_d, mut appliance, mut clients) = setup(&["alpha"], settings);
    clients[0].heartbeat(unix_now_ns()).unwrap();
    let id = clients[0]
        .send_order("SPY", SIDE_BUY, 1_150_000, 100, TIF_DAY)
        .unwrap();
    poll(&mut appliance);
    assert!(matches!(reports(&mut clients[0])[..], [Report::Ack(_)]));
    std::thread::sleep(Duration::from_millis(120));
    for _ in 0..2_048 {
        poll(&mut appliance);
    }
    // The strategy (alive but silent) is told its order is cancelled.
    match reports(&mut clients[0])[..] {
        [Report::Cancelled(c)] => {
            assert_eq!(c.client_order_id, id);
            assert_eq!(c.reasons, reject_reason::STRATEGY_DISCONNECTED);
        }
        ref other => panic!("{other:?}"),
    }
    let status = ControlBlock::open_existing().unwrap().status();
    assert_eq!(status.strategies[0].state, "disconnected");
    assert_eq!(
        status.strategies[0].disconnect_reason,
        "its heartbeat stopped"
    );
    let report = appliance.finish();
    assert!(report
        .journal
        .iter()
        .any(|e| e.text().contains("disconnected: its heartbeat stopped")));
}

#[test]
fn a_restarted_appliance_reattaches_to_existing_rings_and_decides_waiting_orders() {
    let _g = SHM.lock().unwrap_or_else(|e| e.into_inner());
    let (dir, appliance, mut clients) = setup(&["alpha"], live());
    // The appliance stops before reading this order (a crash: no clean-up).
    let id = clients[0]
        .send_order("SPY", SIDE_BUY, 1_150_000, 100, TIF_DAY)
        .unwrap();
    drop(appliance);
    // A new appliance finds the rings and reattaches without touching them.
    let link = StrategyLink::open("alpha", 1 << 16).unwrap();
    let control = ControlBlock::open_or_create().unwrap();
    let mut appliance = Appliance::new(
        live(),
        &[("SPY".to_string(), limits())],
        vec![link],
        control,
        TscClock::calibrate(Duration::from_millis(5)),
    )
    .unwrap();
    poll(&mut appliance);
    assert!(matches!(reports(&mut clients[0])[..], [Report::Ack(a)] if a.client_order_id == id));
    drop(dir);
}
