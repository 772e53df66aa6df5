//! The FIX codec and session layer against arbitrary input: nothing
//! panics, garbage is counted and skipped, and what the encoder writes the
//! parser reads back exactly.

use breakwater::gateway::fix_encoder::FixEncoder;
use breakwater::gateway::fix_session::{FixSession, SessionConfig};
use breakwater::wire::fix::{parse_frame, parse_frame_into, FixFields};
use proptest::prelude::*;

fn frame(body: &str) -> Vec<u8> {
    let body = body.replace('|', "\u{1}");
    let mut m = format!("8=FIX.4.4\u{1}9={}\u{1}{body}", body.len()).into_bytes();
    let sum = m.iter().fold(0u32, |s, &b| s + u32::from(b)) % 256;
    m.extend_from_slice(format!("10={sum:03}\u{1}").as_bytes());
    m
}

fn report(seq: u64) -> Vec<u8> {
    frame(&format!(
        "35=8|49=VENUE|56=BW|34={seq}|52=20240101-00:00:00|37=1|11=X{seq}|17=E{seq}|150=0|39=0|14=0|151=100|55=AAPL|54=1|"
    ))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic_the_parser(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut index = FixFields::new();
        let _ = parse_frame_into(&bytes, &mut index);
        let _ = parse_frame(&bytes);
    }

    #[test]
    fn a_corrupted_byte_is_caught_or_harmless(pos in 0usize..200, byte in any::<u8>()) {
        let good = report(7);
        let mut bad = good.clone();
        let pos = pos % bad.len();
        bad[pos] = byte;
        // A changed byte is refused (garbled, or a longer BodyLength that
        // waits for more bytes); only the unchanged frame parses.
        if let Ok((m, used)) = parse_frame(&bad) {
            prop_assert_eq!(used, bad.len());
            prop_assert_eq!(&bad, &good, "a changed frame passed: {:?}", m);
        }
    }

    #[test]
    fn encoded_fields_parse_back_exactly(
        values in proptest::collection::vec(("[ -~]{0,30}", 1u32..20_000), 0..30),
        seq in 1u64..u64::MAX / 2,
    ) {
        let mut e = FixEncoder::new("FIX.4.2", "SENDER", "TARGET");
        e.begin(b"D", seq, 1_700_000_000_123_000_000);
        for (v, tag) in &values {
            e.field(*tag, v.as_bytes());
        }
        let f = e.finish().to_vec();
        let (m, used) = parse_frame(&f).unwrap();
        prop_assert_eq!(used, f.len());
        prop_assert_eq!(m.sequence_number(), Some(seq));
        let body: Vec<(u32, Vec<u8>)> = m.fields().skip(5).map(|(t, v)| (t, v.to_vec())).collect();
        let want: Vec<(u32, Vec<u8>)> = values.iter().map(|(v, t)| (*t, v.as_bytes().to_vec())).collect();
        prop_assert_eq!(body, want);
    }

    #[test]
    fn a_session_fed_garbage_between_messages_delivers_every_message_once(
        garbage in proptest::collection::vec(proptest::collection::vec(any::<u8>().prop_filter("no frame start", |b| *b != b'8'), 0..40), 5),
        cuts in proptest::collection::vec(1usize..64, 1..20),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut s = FixSession::new(SessionConfig {
            begin_string: "FIX.4.4".into(),
            sender: "BW".into(),
            target: "VENUE".into(),
            heartbeat_s: 30,
            store_dir: dir.path().to_path_buf(),
            reset_on_logon: false,
        }).unwrap();
        s.on_connected(1);
        let mut stream = frame("35=A|49=VENUE|56=BW|34=1|52=20240101-00:00:00|98=0|108=30|");
        for (i, g) in garbage.iter().enumerate() {
            stream.extend_from_slice(g);
            stream.extend_from_slice(&report(2 + i as u64));
        }
        // Delivered in pieces of arbitrary sizes.
        let mut got = Vec::new();
        let mut pos = 0;
        let mut k = 0;
        while pos < stream.len() {
            let n = cuts[k % cuts.len()].min(stream.len() - pos);
            s.on_bytes(&stream[pos..pos + n], 2, &mut |_, m| got.push(m.get(11).unwrap().to_vec()));
            pos += n;
            k += 1;
        }
        let want: Vec<Vec<u8>> = (0..5).map(|i| format!("X{}", 2 + i).into_bytes()).collect();
        prop_assert_eq!(got, want);
    }
}
