//! The main job and the control commands, run as the user runs them: the
//! `breakwater` binary in its own process, each test with its own
//! shared-memory folder.

mod support;

use std::path::Path;
use std::process::{Command, Output};

fn breakwater(shm: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_breakwater"))
        .env("BREAKWATER_SHM_DIR", shm)
        .args(args)
        .output()
        .expect("run breakwater")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn replay_journal(shm: &Path, journal: &Path, checks: &str) -> String {
    let out = breakwater(
        shm,
        &[
            "replay",
            "--checks",
            checks,
            "--journal",
            journal.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "replay failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out)
}

#[test]
fn replay_process_is_deterministic_and_hdl_sim_agrees_with_software() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, h) = (
        dir.path().join("a.jsonl"),
        dir.path().join("b.jsonl"),
        dir.path().join("h.jsonl"),
    );
    let out_a = replay_journal(&dir.path().join("shm-a"), &a, "software");
    replay_journal(&dir.path().join("shm-b"), &b, "software");
    let out_h = replay_journal(&dir.path().join("shm-h"), &h, "hdl-sim");
    let (ja, jb, jh) = (
        std::fs::read(&a).unwrap(),
        std::fs::read(&b).unwrap(),
        std::fs::read(&h).unwrap(),
    );
    assert!(!ja.is_empty());
    assert_eq!(
        ja, jb,
        "two replays of the same inputs journal the same decisions, byte for byte"
    );
    assert_eq!(
        ja, jh,
        "the Verilated RTL decides exactly as the Rust model"
    );
    assert!(
        out_h.contains("3 cycles per order, 0 disagreements"),
        "{out_h}"
    );
    // The report a user reads.
    for expected in [
        "Timeline (feed time, ET)",
        "latency feed -> decision",
        "p50=",
        "p99.9=",
    ] {
        assert!(out_a.contains(expected), "missing {expected:?} in\n{out_a}");
    }
}

#[test]
fn replay_process_shows_every_defence_at_its_time() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("j.jsonl");
    replay_journal(&dir.path().join("shm"), &journal, "software");
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&journal)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // The first rejection whose reasons include every one of `reasons`.
    let order = |reasons: &str| {
        lines
            .iter()
            .find(|l| {
                let got: Vec<&str> = l["reasons"].as_str().unwrap_or("").split('+').collect();
                l["type"] == "order"
                    && l["outcome"] == "rejected"
                    && reasons.split('+').all(|r| got.contains(&r))
            })
            .unwrap_or_else(|| panic!("no rejection for {reasons}"))
            .clone()
    };
    // L1: the scripted mistakes.
    let fat = order("size+notional");
    assert_eq!(
        (fat["symbol"].as_str(), fat["qty"].as_u64()),
        (Some("AAPL"), Some(1_000_000))
    );
    assert_eq!(order("collar")["symbol"], "AAPL");
    assert_eq!(order("restricted")["symbol"], "RSTR");
    assert_eq!(order("unknown_symbol")["symbol"], "ZZZZ");
    order("duplicate_order_id");
    // Halts are honoured.
    order("symbol_halted");
    // L4: the kill switch cancels working orders, then blocks everything.
    let kill = lines
        .iter()
        .find(|l| l["type"] == "kill_switch" && l["engaged"] == true)
        .expect("kill switch engaged");
    let kill_time = kill["feed_time_ns"].as_u64().unwrap();
    let cancelled = lines
        .iter()
        .filter(|l| l["outcome"] == "cancelled" && l["reasons"] == "kill_switch")
        .count() as u64;
    assert_eq!(cancelled, kill["cancelled_orders"].as_u64().unwrap());
    let release = lines
        .iter()
        .find(|l| l["type"] == "kill_switch" && l["engaged"] == false)
        .expect("kill switch released")["feed_time_ns"]
        .as_u64()
        .unwrap();
    for l in &lines {
        let t = l["feed_time_ns"].as_u64().unwrap();
        if l["type"] == "order" && l["outcome"] == "accepted" {
            assert!(
                t < kill_time || t >= release,
                "an order accepted while killed: {l}"
            );
        }
    }
    assert!(lines
        .iter()
        .any(|l| l["reasons"] == "kill_switch" && l["outcome"] == "rejected"));
    // Every accepted order reaches exactly one terminal outcome.
    let accepted: Vec<u64> = lines
        .iter()
        .filter(|l| l["outcome"] == "accepted")
        .map(|l| l["client_order_id"].as_u64().unwrap())
        .collect();
    for id in &accepted {
        let terminal = lines
            .iter()
            .filter(|l| l["client_order_id"] == *id && l["outcome"] == "cancelled")
            .count();
        assert_eq!(terminal, 1, "order {id}: {terminal} terminal outcomes");
    }
}

#[test]
fn status_without_an_appliance_says_so_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let out = breakwater(dir.path(), &["status"]);
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("no appliance is running"),
        "{}",
        stdout(&out)
    );
    let json: serde_json::Value =
        serde_json::from_str(stdout(&breakwater(dir.path(), &["status", "--json"])).trim())
            .unwrap();
    assert_eq!(json["appliance_running"], false);
}

#[test]
fn kill_status_resume_round_trip_through_the_control_block() {
    let dir = tempfile::tempdir().unwrap();
    let out = breakwater(dir.path(), &["kill", "--reason", "test: fat finger storm"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("kill switch ENGAGED"));
    let json: serde_json::Value =
        serde_json::from_str(stdout(&breakwater(dir.path(), &["status", "--json"])).trim())
            .unwrap();
    assert_eq!(json["kill_engaged"], true);
    assert_eq!(json["trading_state"], "HALTED");
    assert_eq!(json["kill_reason"], "test: fat finger storm");
    assert!(breakwater(dir.path(), &["resume"]).status.success());
    let json: serde_json::Value =
        serde_json::from_str(stdout(&breakwater(dir.path(), &["status", "--json"])).trim())
            .unwrap();
    assert_eq!(json["kill_engaged"], false);
    assert_eq!(json["trading_state"], "ACTIVE");
}

#[test]
fn replay_process_honours_a_kill_engaged_before_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    let shm = dir.path().join("shm");
    assert!(breakwater(&shm, &["kill", "--reason", "pre-open"])
        .status
        .success());
    let journal = dir.path().join("j.jsonl");
    let out = replay_journal(&shm, &journal, "software");
    assert!(
        out.contains("WARNING: the kill switch is engaged (pre-open)"),
        "{out}"
    );
    let text = std::fs::read_to_string(&journal).unwrap();
    let first_orders: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|l| l["type"] == "order")
        .take(5)
        .collect();
    assert!(
        first_orders.iter().all(|l| l["reasons"] == "kill_switch"),
        "{first_orders:?}"
    );
}

#[test]
fn replay_process_rejects_a_bad_config_with_the_field_named() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bad.toml");
    std::fs::write(
        &config,
        "[[symbol]]\nname = \"SPY\"\nprior_close = \"abc\"\n",
    )
    .unwrap();
    let out = breakwater(
        &dir.path().join("shm"),
        &["replay", "--config", config.to_str().unwrap()],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("symbol[0] (SPY): prior_close"), "{err}");
}

#[test]
fn replay_process_of_a_real_capture_decodes_its_feed() {
    let Some(data) = support::external_test_data("replay_real_capture") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let capture = data
        .join("omi-data-packets/Nasdaq/Nasdaq.Equities.TotalView.Itch.v5.0/Multiple.Packets.pcap");
    let out = breakwater(
        &dir.path().join("shm"),
        &[
            "replay",
            "--no-strategy",
            "--capture",
            capture.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    assert!(
        text.contains("2 MoldUDP64 packets, 39 ITCH messages, 1 gaps"),
        "{text}"
    );
}
