//! Random bytes, truncated frames, wrong length fields and flipped bytes fed
//! to the decoders: nothing panics, and every frame is accounted for (it
//! decoded to a MoldUDP64 packet or an error reason was counted).

use breakwater::feed::frame_decoder::FrameDecoder;
use breakwater::scenario::itch_encoder::{add_order, order_delete, order_executed, Header};
use breakwater::scenario::mold_frame_builder::{MoldFrameBuilder, MoldSessionConfig};
use breakwater::wire::itch::ItchMessage;
use breakwater::wire::DecodeError;
use proptest::prelude::*;

/// Errors that do not stop decoding (the payload is still read).
fn fatal_errors(d: &FrameDecoder) -> u64 {
    d.stats()
        .error_counts()
        .iter()
        .filter(|(name, _)| *name != DecodeError::Ipv4BadChecksum.name())
        .map(|(_, n)| n)
        .sum()
}

fn decode_one(frame: &[u8]) -> (FrameDecoder, u64) {
    let mut d = FrameDecoder::new();
    let mut delivered = 0u64;
    d.decode_frame(frame, |_, _| delivered += 1);
    assert_eq!(d.stats().frames, 1);
    assert!(
        d.stats().packets == 1 || fatal_errors(&d) >= 1,
        "frame neither decoded nor counted as an error: {:?}",
        d.stats().error_counts()
    );
    (d, delivered)
}

/// A valid frame carrying `n` messages.
fn valid_frame(n: usize) -> Vec<u8> {
    let mut b = MoldFrameBuilder::new(MoldSessionConfig::default());
    for i in 0..n as u64 {
        let mut m = Vec::new();
        match i % 3 {
            0 => add_order(&mut m, Header::default(), i, b'S', 10, "MSFT", 3_300_000),
            1 => order_executed(&mut m, Header::default(), i - 1, 5, i),
            _ => order_delete(&mut m, Header::default(), i - 2),
        }
        assert!(b.push(&m).is_none(), "test frames hold one packet");
    }
    b.flush().expect("a packet with messages")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn random_bytes_never_crash_and_are_accounted(bytes in proptest::collection::vec(any::<u8>(), 0..1600)) {
        decode_one(&bytes);
    }

    #[test]
    fn random_bytes_after_valid_headers_never_crash(tail in proptest::collection::vec(any::<u8>(), 0..400), n in 1usize..20) {
        let mut frame = valid_frame(n);
        let keep = frame.len().min(14 + 4 + 20 + 8 + 20);
        frame.truncate(keep);
        frame.extend_from_slice(&tail);
        decode_one(&frame);
    }

    #[test]
    fn every_truncation_is_an_error_and_delivers_no_more_than_the_whole(n in 1usize..30, cut_per_mille in 0usize..1000) {
        let frame = valid_frame(n);
        let cut = frame.len() * cut_per_mille / 1000;
        let (d, delivered) = decode_one(&frame[..cut]);
        prop_assert!(delivered <= n as u64);
        prop_assert!(fatal_errors(&d) >= 1, "cut at {} of {}", cut, frame.len());
    }

    #[test]
    fn wrong_length_fields_never_crash(n in 1usize..30, which in 0usize..4, value in any::<u16>()) {
        let mut frame = valid_frame(n);
        // Offsets in a VLAN-tagged frame: IPv4 at 18, UDP at 38, MoldUDP64 at 46.
        let at = match which {
            0 => 18 + 2,      // IPv4 total length
            1 => 38 + 4,      // UDP length
            2 => 46 + 18,     // MoldUDP64 message count
            _ => 46 + 20,     // first message block length
        };
        frame[at..at + 2].copy_from_slice(&value.to_be_bytes());
        let (_, delivered) = decode_one(&frame);
        if which >= 2 {
            // Message framing errors can only lose messages, never invent them.
            prop_assert!(delivered <= u64::from(value).max(n as u64));
        }
    }

    #[test]
    fn flipped_bytes_never_crash(n in 1usize..30, flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let mut frame = valid_frame(n);
        let len = frame.len();
        for (i, v) in flips {
            frame[i % len] ^= v | 1;
        }
        decode_one(&frame);
    }

    #[test]
    fn itch_parse_of_any_bytes_never_crashes(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(m) = ItchMessage::parse(&bytes) {
            prop_assert_eq!(m.bytes().len(), bytes.len());
            let mut fields = 0;
            m.visit_fields(|_, _| fields += 1);
            prop_assert!(fields >= 4);
        }
    }
}
