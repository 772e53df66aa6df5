//! Every ITCH message of every real capture, decoded by
//! `breakwater decode --messages --json` through DPDK, has exactly the field
//! values the Open Markets Initiative dissectors decoded independently
//! (expected/omi-lua-decode-itch50.txt): same messages, same fields, same
//! values (their prices are dollars, ours Price(4) integers; their
//! timestamps are shifted by one fixed UTC offset).

mod support;

use serde_json::Value;
use std::process::Command;

/// One message as the OMI decode printed it: type and (name, value) fields.
#[derive(Debug)]
struct OmiMessage {
    kind: char,
    fields: Vec<(String, String)>,
}

/// (file under omi-data-packets/, its messages), in file order.
fn parse_omi(text: &str) -> Vec<(String, Vec<OmiMessage>)> {
    let mut files: Vec<(String, Vec<OmiMessage>)> = Vec::new();
    let mut in_body = false;
    for line in text.lines() {
        if let Some(path) = line.strip_prefix("### ") {
            files.push((path.trim().to_string(), Vec::new()));
            in_body = false;
            continue;
        }
        let Some((_, messages)) = files.last_mut() else {
            continue;
        };
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some(t) = trimmed.strip_prefix("Message Type: ") {
            let kind = t
                .trim_end()
                .trim_end_matches(')')
                .chars()
                .last()
                .expect("type char");
            messages.push(OmiMessage {
                kind,
                fields: Vec::new(),
            });
            in_body = false;
        } else if indent == 8 && trimmed.trim_end().ends_with("Message:") && !messages.is_empty() {
            in_body = true;
        } else if indent == 12 && in_body {
            let (name, value) = trimmed
                .split_once(": ")
                .unwrap_or((trimmed.trim_end_matches(':'), ""));
            messages
                .last_mut()
                .unwrap()
                .fields
                .push((name.to_string(), value.to_string()));
        } else if indent < 8 {
            in_body = false;
        }
    }
    files
}

fn our_name(omi: &str) -> String {
    match omi {
        "Locate Code" => "stock_locate".into(),
        "Cross Shares" => "shares".into(),
        "Canceled Shares" => "cancelled_shares".into(),
        _ => omi.to_lowercase().replace(' ', "_"),
    }
}

/// "87.39" dollars → 873900 in Price(4), exactly.
fn price4(dollars: &str) -> u64 {
    let (whole, frac) = dollars.split_once('.').unwrap_or((dollars, ""));
    assert!(frac.len() <= 4, "{dollars}");
    whole.parse::<u64>().unwrap() * 10_000 + format!("{frac:0<4}").parse::<u64>().unwrap()
}

/// "2023-08-22 14:29:59.999894278" → nanoseconds since midnight.
fn time_of_day_ns(text: &str) -> u64 {
    let clock = text.split(' ').nth(1).expect("date and time");
    let (hms, nanos) = clock.split_once('.').expect("fraction");
    let mut parts = hms.split(':').map(|p| p.parse::<u64>().unwrap());
    let (h, m, s) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    ((h * 60 + m) * 60 + s) * 1_000_000_000 + format!("{nanos:0<9}").parse::<u64>().unwrap()
}

#[test]
fn every_field_of_every_message_matches_the_independent_decode() {
    let Some(dir) = support::external_test_data("decode_messages_match_omi") else {
        return;
    };
    let omi = parse_omi(
        &std::fs::read_to_string(dir.join("expected/omi-lua-decode-itch50.txt")).unwrap(),
    );
    let itch_files: Vec<&(String, Vec<OmiMessage>)> =
        omi.iter().filter(|(p, _)| p.contains("Itch")).collect();
    assert_eq!(
        itch_files.len(),
        49,
        "the OMI decode covers the 49 ITCH captures"
    );
    let paths: Vec<_> = itch_files
        .iter()
        .map(|(p, _)| dir.join("omi-data-packets").join(p))
        .collect();
    let out = Command::new(env!("CARGO_BIN_EXE_breakwater"))
        .args(["decode", "--messages", "--json", "--source", "dpdk"])
        .args(&paths)
        .output()
        .expect("run breakwater");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ours: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let total: usize = itch_files.iter().map(|(_, m)| m.len()).sum();
    assert_eq!(ours.len(), total, "same number of messages");

    let mut timestamp_offset: Option<i64> = None;
    let mut fields_compared = 0;
    let mut ours_iter = ours.iter();
    for (path, messages) in itch_files {
        for (k, expected) in messages.iter().enumerate() {
            let got = ours_iter.next().unwrap();
            let at = format!("{path} message {}", k + 1);
            assert_eq!(got["type"], expected.kind.to_string(), "{at}: type");
            let got_fields = got.as_object().unwrap();
            assert_eq!(
                got_fields.len() - 1,
                expected.fields.len(),
                "{at}: field count {got:?} vs {expected:?}"
            );
            for (name, value) in &expected.fields {
                let key = our_name(name);
                let v = got
                    .get(&key)
                    .unwrap_or_else(|| panic!("{at}: no field {key} in {got}"));
                match key.as_str() {
                    "timestamp" => {
                        let offset = time_of_day_ns(value) as i64 - v.as_i64().unwrap();
                        assert_eq!(
                            offset % 3_600_000_000_000,
                            0,
                            "{at}: timestamp {value} vs {v}"
                        );
                        assert_eq!(
                            *timestamp_offset.get_or_insert(offset),
                            offset,
                            "{at}: one offset for all"
                        );
                    }
                    k if k == "price" || k.ends_with("_price") => {
                        assert_eq!(v.as_u64().unwrap(), price4(value), "{at}: {key} {value}");
                    }
                    _ => match v {
                        Value::Number(n) => assert_eq!(
                            n.as_u64().unwrap(),
                            value.parse::<u64>().unwrap(),
                            "{at}: {key}"
                        ),
                        Value::String(s) if s.chars().count() == 1 && value.ends_with(')') => {
                            // "Buy (B)"; a space prints as "(<whitespace>)".
                            let inner = &value[value.rfind('(').unwrap() + 1..value.len() - 1];
                            let c = if inner == "<whitespace>" {
                                ' '
                            } else {
                                inner.chars().next().unwrap()
                            };
                            assert_eq!(s.chars().next().unwrap(), c, "{at}: {key} {value}");
                        }
                        // Alpha fields, and char fields printed bare (a space
                        // byte prints as nothing in the text).
                        Value::String(s) => assert_eq!(s.trim(), value.trim(), "{at}: {key}"),
                        other => panic!("{at}: unexpected {other}"),
                    },
                }
                fields_compared += 1;
            }
        }
    }
    assert!(ours_iter.next().is_none());
    eprintln!("compared {fields_compared} fields of {total} messages");
    assert!(fields_compared > 1_500);
}
