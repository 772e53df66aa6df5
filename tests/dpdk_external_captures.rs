//! The values named in external-test-data/README.md, read from the real
//! captures through DPDK (net_pcap → pinned poll loop → decoder).
//! `harness = false`: the EAL initialises once per process.

mod support;

use breakwater::feed::dpdk::{Eal, EalConfig, Mempool};
use breakwater::feed::dpdk_capture::replay_capture;
use breakwater::feed::frame_decoder::{FrameDecoder, MessageOrigin};
use breakwater::feed::poll_loop::PollHandler;
use breakwater::wire::itch::ItchMessage;
use std::ops::ControlFlow;
use std::path::Path;

/// An owned copy of what a test needs from one message.
#[derive(Debug)]
struct Seen {
    sequence_number: u64,
    bytes: Vec<u8>,
}

struct Collect {
    decoder: FrameDecoder,
    seen: Vec<Seen>,
}

impl PollHandler for Collect {
    fn on_frame(&mut self, frame: &[u8], _segments: u16, _rx_tsc: u64) {
        let seen = &mut self.seen;
        self.decoder
            .decode_frame(frame, |origin: MessageOrigin, m: &ItchMessage| {
                seen.push(Seen {
                    sequence_number: origin.sequence_number,
                    bytes: m.bytes().to_vec(),
                })
            });
    }
    fn after_poll(&mut self, _received: usize) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

fn replay(path: &Path) -> Collect {
    let eal = Eal::init(&EalConfig::default()).expect("EAL");
    let pool = Mempool::with_defaults(eal, 4096).expect("pool");
    let mut c = Collect {
        decoder: FrameDecoder::new(),
        seen: Vec::new(),
    };
    let summary = replay_capture(eal, &pool, path, Some(0), &mut c).expect("replay");
    assert_eq!(summary.frames, c.decoder.stats().frames);
    c
}

fn nasdaq(dir: &Path, file: &str) -> std::path::PathBuf {
    dir.join("omi-data-packets/Nasdaq").join(file)
}

fn add_order_sequence_locate_and_fields() {
    let Some(dir) = support::external_test_data("add_order") else {
        return;
    };
    let c = replay(&nasdaq(
        &dir,
        "Nasdaq.Equities.TotalView.Itch.v5.0/AddOrderNoMpidAttributionMessage.pcap",
    ));
    assert_eq!(c.seen.len(), 1);
    assert_eq!(c.seen[0].sequence_number, 14_757_721);
    let ItchMessage::AddOrder(a) = ItchMessage::parse(&c.seen[0].bytes).unwrap() else {
        panic!("expected an A message")
    };
    assert_eq!(a.stock_locate(), 5528);
    assert_eq!(a.order_reference_number(), 23_508_286);
    assert_eq!(a.buy_sell_indicator(), b'B');
    assert_eq!(a.shares(), 1600);
    assert_eq!(a.stock(), "IVOO");
    assert_eq!(a.price(), 873_900);
    assert_eq!(a.timestamp_ns(), 34_199_999_894_278);
}

fn multiple_packets_gap_and_second_packet() {
    let Some(dir) = support::external_test_data("multiple_packets") else {
        return;
    };
    let c = replay(&nasdaq(
        &dir,
        "Nasdaq.Equities.TotalView.Itch.v5.0/Multiple.Packets.pcap",
    ));
    let stats = c.decoder.stats();
    assert_eq!(stats.packets, 2);
    assert_eq!(stats.gaps, 1);
    assert_eq!(c.decoder.sessions().len(), 1);
    assert_eq!(&c.decoder.sessions()[0].id, b"000010059B");
    assert_eq!(c.decoder.sessions()[0].next_expected(), 19_009_155);
    let second: Vec<&Seen> = c
        .seen
        .iter()
        .filter(|s| s.sequence_number >= 19_009_117)
        .collect();
    assert_eq!(second.len(), 38);
    assert_eq!(second[0].sequence_number, 19_009_117);
    let msgs: Vec<ItchMessage> = second
        .iter()
        .map(|s| ItchMessage::parse(&s.bytes).unwrap())
        .collect();
    assert_eq!(msgs.iter().filter(|m| m.message_type() == b'A').count(), 36);
    assert_eq!(msgs.iter().filter(|m| m.message_type() == b'F').count(), 2);
    assert!(msgs.iter().all(|m| m.stock_locate() == 6514));
    let adds: Vec<_> = msgs
        .iter()
        .filter_map(|m| match m {
            ItchMessage::AddOrder(a) => Some(*a),
            _ => None,
        })
        .collect();
    let first = adds.first().unwrap();
    assert_eq!(
        (
            first.order_reference_number(),
            first.buy_sell_indicator(),
            first.shares(),
            first.price()
        ),
        (7_942_047, b'B', 1, 805_200)
    );
    assert_eq!(first.stock(), "META");
    let last = adds.last().unwrap();
    assert_eq!(
        (
            last.order_reference_number(),
            last.buy_sell_indicator(),
            last.shares(),
            last.price()
        ),
        (5_325_319, b'S', 1, 3_580_000)
    );
}

fn zxzzt_luld_pause_then_collar() {
    let Some(dir) = support::external_test_data("zxzzt") else {
        return;
    };
    let h = replay(&nasdaq(
        &dir,
        "Nasdaq.Equities.TotalView.Itch.v5.0.20230822/StockTradingAction.pcap",
    ));
    let pause = h
        .seen
        .iter()
        .filter_map(|s| match ItchMessage::parse(&s.bytes).unwrap() {
            ItchMessage::StockTradingAction(m) if m.stock() == "ZXZZT" => {
                Some((m.stock_locate(), m.trading_state(), m.reason().to_string()))
            }
            _ => None,
        })
        .next()
        .expect("a ZXZZT trading action");
    assert_eq!(pause, (11_325, b'P', "LUDP".to_string()));
    let j = replay(&nasdaq(
        &dir,
        "Nasdaq.Equities.TotalView.Itch.v5.0.20230822/LULDAuctionCollar.pcap",
    ));
    let collar = j
        .seen
        .iter()
        .filter_map(|s| match ItchMessage::parse(&s.bytes).unwrap() {
            ItchMessage::LuldAuctionCollar(m) if m.stock() == "ZXZZT" => Some((
                m.stock_locate(),
                m.auction_collar_reference_price(),
                m.upper_auction_collar_price(),
                m.lower_auction_collar_price(),
            )),
            _ => None,
        })
        .next()
        .expect("a ZXZZT collar");
    assert_eq!(collar, (11_325, 133_400, 140_100, 109_200));
}

fn anonymised_captures_count_bad_checksums_but_decode_payloads() {
    let Some(dir) = support::external_test_data("anonymised") else {
        return;
    };
    let c = replay(&nasdaq(
        &dir,
        "Bx.Equities.TotalView.Itch.v5.0.20230822/OrderExecutedMessage.pcap",
    ));
    let s = c.decoder.stats();
    assert_eq!(s.packets, 5);
    assert_eq!(s.unsequenced_packets, 5);
    assert_eq!(
        s.error_count(breakwater::wire::DecodeError::Ipv4BadChecksum),
        5
    );
    assert_eq!(s.messages_by_type[usize::from(b'E')], 5);
}

fn main() {
    support::run_tests(&[
        (
            "add_order_sequence_locate_and_fields",
            add_order_sequence_locate_and_fields,
        ),
        (
            "multiple_packets_gap_and_second_packet",
            multiple_packets_gap_and_second_packet,
        ),
        ("zxzzt_luld_pause_then_collar", zxzzt_luld_pause_then_collar),
        (
            "anonymised_captures_count_bad_checksums_but_decode_payloads",
            anonymised_captures_count_bad_checksums_but_decode_payloads,
        ),
    ]);
}
