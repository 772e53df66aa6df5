//! Strategies as separate processes (the example binaries) trading through
//! `breakwater replay`: one is killed mid-stream, and the appliance cancels
//! its working orders and carries on.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// An example binary built beside this test (by `cargo build --examples`).
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name);
    assert!(
        path.exists(),
        "{} is not built (cargo test builds the examples)",
        path.display()
    );
    path
}

#[test]
fn a_killed_strategy_process_has_its_working_orders_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let shm = dir.path().join("shm");
    let journal = dir.path().join("journal.jsonl");
    let replay = Command::new(env!("CARGO_BIN_EXE_breakwater"))
        .env("BREAKWATER_SHM_DIR", &shm)
        .args([
            "replay",
            "--no-strategy",
            "--strategy",
            "momo",
            "--strategy",
            "seller",
            "--journal",
        ])
        .arg(&journal)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let seller = Command::new(example("block_seller"))
        .env("BREAKWATER_SHM_DIR", &shm)
        .args(["--name", "seller", "--qty", "1000000"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut momo = Command::new(example("momentum_follower"))
        .env("BREAKWATER_SHM_DIR", &shm)
        .args(["--name", "momo", "--interval-s", "5"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the momentum follower has sent a few orders, then kill it.
    let mut lines = BufReader::new(momo.stdout.take().unwrap()).lines();
    let mut sent = 0;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(n) = line.strip_prefix("orders sent: ") {
            sent = n.parse().unwrap();
            if sent >= 4 {
                break;
            }
        }
    }
    assert!(sent >= 4, "the follower sent orders");
    let pid = momo.id();
    momo.kill().unwrap();
    momo.wait().unwrap();

    let replay = replay.wait_with_output().unwrap();
    assert!(replay.status.success());
    let seller = seller.wait_with_output().unwrap();
    assert!(
        seller.status.success(),
        "the other strategy finishes normally"
    );

    let entries: Vec<serde_json::Value> = std::fs::read_to_string(&journal)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let disconnect = entries
        .iter()
        .find(|e| e["type"] == "strategy" && e["strategy"] == "momo")
        .expect("the appliance noticed");
    let text = disconnect["text"].as_str().unwrap();
    assert!(
        text.contains(&format!("its process (pid {pid}) exited")),
        "{text}"
    );
    let t = disconnect["feed_time_ns"].as_u64().unwrap();
    // Its working orders were cancelled there and then...
    let cancelled: Vec<&serde_json::Value> = entries
        .iter()
        .filter(|e| {
            e["strategy"] == "momo"
                && e["outcome"] == "cancelled"
                && e["reasons"] == "strategy_disconnected"
        })
        .collect();
    assert!(!cancelled.is_empty(), "it had working orders");
    assert!(cancelled
        .iter()
        .all(|e| e["feed_time_ns"].as_u64().unwrap() == t));
    // ...and every order it sent has exactly one terminal outcome.
    let accepted: Vec<u64> = entries
        .iter()
        .filter(|e| e["strategy"] == "momo" && e["outcome"] == "accepted")
        .map(|e| e["client_order_id"].as_u64().unwrap())
        .collect();
    for id in &accepted {
        let ends = entries
            .iter()
            .filter(|e| {
                e["strategy"] == "momo"
                    && e["client_order_id"] == *id
                    && e["outcome"] == "cancelled"
            })
            .count();
        assert_eq!(ends, 1, "order {id}");
    }
    // The other strategy kept trading after the disconnect.
    assert!(entries
        .iter()
        .any(|e| e["strategy"] == "seller" && e["feed_time_ns"].as_u64().unwrap() > t));
}
