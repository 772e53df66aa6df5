//! `breakwater decode --json` over every real ITCH capture, through DPDK's
//! net_pcap device (the default source) and straight from the file: packet
//! and per-type counts equal the independent decode in
//! expected/itch50-counts.tsv.

mod support;

use serde_json::Value;
use std::process::Command;

fn decode_all(source: &str) {
    let Some(dir) = support::external_test_data("decode_cli_external_captures") else {
        return;
    };
    let expected = support::expected_counts(&dir);
    assert_eq!(expected.len(), 49, "the counts file lists 49 captures");
    let files: Vec<_> = expected.iter().map(|(p, _, _)| dir.join(p)).collect();
    let out = Command::new(env!("CARGO_BIN_EXE_breakwater"))
        .args(["decode", "--json", "--source", source])
        .args(&files)
        .output()
        .expect("run breakwater");
    assert!(
        out.status.success(),
        "decode failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), expected.len());
    for (line, (path, packets, counts)) in lines.iter().zip(&expected) {
        assert!(line["file"].as_str().unwrap().ends_with(path.as_str()));
        assert_eq!(line["packets"], *packets, "{path}: packets");
        let messages = line["messages"].as_object().expect("messages object");
        assert_eq!(messages.len(), counts.len(), "{path}: types {messages:?}");
        for (t, n) in counts {
            assert_eq!(messages[&t.to_string()], *n, "{path}: type {t}");
        }
        // Only the anonymised captures' zeroed IPv4 checksums are errors.
        let errors = line["errors"].as_object().expect("errors object");
        if path.contains(".20230822/") {
            assert_eq!(errors.len(), 1, "{path}: {errors:?}");
            assert_eq!(errors["ipv4_bad_checksum"], *packets, "{path}");
        } else {
            assert!(errors.is_empty(), "{path}: {errors:?}");
        }
        let gaps = if path.ends_with("/Multiple.Packets.pcap") {
            1
        } else {
            0
        };
        assert_eq!(line["gaps"], gaps, "{path}: gaps");
    }
}

#[test]
fn decode_json_through_dpdk_matches_the_independent_counts() {
    decode_all("dpdk");
}

#[test]
fn decode_json_from_the_file_matches_the_independent_counts() {
    decode_all("pcap");
}

#[test]
fn decode_of_a_missing_file_fails_with_a_clear_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_breakwater"))
        .args(["decode", "--source", "pcap", "/nonexistent/x.pcap"])
        .output()
        .expect("run breakwater");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot open capture /nonexistent/x.pcap"),
        "{err}"
    );
}
