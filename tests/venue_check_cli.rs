//! `breakwater venue-check` as an operator runs it, against QuickFIX's
//! example acceptors on loopback.

mod support;

use std::process::Command;
use support::quickfix_peer::QuickFixPeer;

fn venue_check(
    peer: &QuickFixPeer,
    store: &std::path::Path,
    args: &[&str],
) -> (bool, serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_breakwater"))
        .args([
            "venue-check",
            "--fix",
            &format!("127.0.0.1:{}", peer.port),
            "--json",
            "--timeout-s",
            "5",
        ])
        .args(["--store", store.to_str().unwrap()])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json =
        serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout} {stderr}"));
    (out.status.success(), json, stderr)
}

#[test]
fn venue_check_against_executor_passes_with_every_order_filled() {
    let dir = tempfile::tempdir().unwrap();
    let peer = QuickFixPeer::start(
        "executor",
        "FIX.4.4",
        "EXECUTOR",
        "BW",
        &dir.path().join("peer"),
    );
    let (ok, v, err) = venue_check(
        &peer,
        &dir.path().join("bw"),
        &[
            "--sender", "BW", "--target", "EXECUTOR", "--orders", "25", "--symbol", "AAPL",
            "--price", "190.25",
        ],
    );
    assert!(ok, "{v} {err}");
    assert_eq!(v["counts"]["orders_sent"], 25);
    assert_eq!(v["counts"]["fills"], 25);
    assert_eq!(v["counts"]["filled_qty"], 2500);
    assert_eq!(v["counts"]["cancels_sent"], 0, "nothing was left working");
    assert_eq!(v["order_round_trip"]["count"], 25);
    assert!(v["order_round_trip"]["p50_ns"].as_u64().unwrap() > 0);
    assert_eq!(v["passed"], true);
    // A second run continues the sequence numbers both sides persisted.
    let (ok, v, err) = venue_check(
        &peer,
        &dir.path().join("bw"),
        &["--sender", "BW", "--target", "EXECUTOR", "--orders", "3"],
    );
    assert!(ok, "{v} {err}");
    assert!(v["next_sender_seq"].as_u64().unwrap() > 30, "{v}");
}

#[test]
fn venue_check_against_ordermatch_rests_every_order_and_cancels_it() {
    let dir = tempfile::tempdir().unwrap();
    let peer = QuickFixPeer::start(
        "ordermatch",
        "FIX.4.2",
        "ORDERMATCH",
        "BW",
        &dir.path().join("peer"),
    );
    let (ok, v, err) = venue_check(
        &peer,
        &dir.path().join("bw"),
        &[
            "--sender",
            "BW",
            "--target",
            "ORDERMATCH",
            "--begin-string",
            "FIX.4.2",
            "--orders",
            "10",
            "--price",
            "12.5",
        ],
    );
    assert!(ok, "{v} {err}");
    assert_eq!(v["counts"]["acks"], 10);
    assert_eq!(v["counts"]["fills"], 0, "buys alone never cross");
    assert_eq!(v["counts"]["cancels_sent"], 10);
    assert_eq!(v["counts"]["canceled"], 10);
    assert_eq!(v["cancel_round_trip"]["count"], 10);
}

#[test]
fn venue_check_fails_when_the_venue_refuses_the_logon() {
    let dir = tempfile::tempdir().unwrap();
    let peer = QuickFixPeer::start(
        "executor",
        "FIX.4.4",
        "EXECUTOR",
        "BW",
        &dir.path().join("peer"),
    );
    // A CompID the venue has no session for: it drops the connection.
    let (ok, v, _) = venue_check(
        &peer,
        &dir.path().join("bw"),
        &[
            "--sender", "NOBODY", "--target", "EXECUTOR", "--orders", "3",
        ],
    );
    assert!(!ok);
    assert_eq!(v["passed"], false);
    assert_eq!(v["logged_on"], false);
    assert!(!v["problems"].as_array().unwrap().is_empty(), "{v}");
}

#[test]
fn venue_check_rejects_bad_arguments_with_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_breakwater"))
        .args([
            "venue-check",
            "--fix",
            "127.0.0.1:1",
            "--sender",
            "BW",
            "--target",
            "X",
            "--price",
            "1.23456",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--price 1.23456"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_breakwater"))
        .args([
            "venue-check",
            "--fix",
            "not-an-address",
            "--sender",
            "BW",
            "--target",
            "X",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("HOST:PORT"));
}
