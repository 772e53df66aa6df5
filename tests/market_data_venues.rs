//! The market state built from real captures (ZXZZT's LULD pause and
//! collar) and from generated multi-venue feeds (NBBO across Nasdaq, BX and
//! PSX sessions; locked and crossed markets; a venue stale after a gap).

mod support;

use breakwater::feed::capture_file::read_capture;
use breakwater::feed::frame_decoder::FrameDecoder;
use breakwater::market::market_data::{MarketData, MarketDataConfig, MarketEvent, MarketUpdate};
use breakwater::market::nbbo::MarketCondition;
use breakwater::scenario::itch_encoder::{add_order, order_delete, Header};
use breakwater::scenario::mold_frame_builder::{MoldFrameBuilder, MoldSessionConfig};

/// Feeds whole frames into a decoder and the market, with session events:
/// each message's event, and the consolidated condition of its symbol as
/// the message left it (where a `Condition` event's details are).
fn feed(
    decoder: &mut FrameDecoder,
    market: &mut MarketData,
    frame: &[u8],
) -> Vec<(MarketEvent, Option<MarketCondition>)> {
    let mut events = Vec::new();
    decoder.decode_frame(frame, |o, m| {
        let update = market.on_message(o.session_index, m);
        let condition = update.symbol.map(|s| market.symbol(s).condition);
        events.push((update.event, condition))
    });
    market.sync_sessions(decoder.sessions());
    for e in decoder.take_events().collect::<Vec<_>>() {
        market.on_session_event(e);
    }
    events
}

#[test]
fn zxzzt_luld_pause_and_collar_appear_in_the_market_state() {
    let Some(dir) = support::external_test_data("zxzzt_market_state") else {
        return;
    };
    let base = dir.join("omi-data-packets/Nasdaq/Nasdaq.Equities.TotalView.Itch.v5.0.20230822");
    let mut decoder = FrameDecoder::new();
    let mut market = MarketData::default();
    for file in ["StockTradingAction.pcap", "LULDAuctionCollar.pcap"] {
        read_capture(&base.join(file), |_, f| {
            feed(&mut decoder, &mut market, f);
        })
        .unwrap();
    }
    let id = market.symbol_id("ZXZZT").expect("ZXZZT is known");
    let s = market.symbol(id);
    assert_eq!(s.status.trading_state, b'P');
    assert_eq!(&s.status.reason, b"LUDP");
    let collar = s.collar.expect("a collar");
    assert_eq!(
        (collar.reference, collar.upper, collar.lower),
        (133_400, 140_100, 109_200)
    );
}

fn venue(session: &[u8; 10]) -> MoldFrameBuilder {
    MoldFrameBuilder::new(MoldSessionConfig {
        session: *session,
        ..Default::default()
    })
}

fn add(
    b: &mut MoldFrameBuilder,
    locate: u16,
    reference: u64,
    side: u8,
    qty: u32,
    price: u32,
) -> Vec<u8> {
    add_stock(b, "AAPL", locate, reference, side, qty, price)
}

fn add_stock(
    b: &mut MoldFrameBuilder,
    stock: &str,
    locate: u16,
    reference: u64,
    side: u8,
    qty: u32,
    price: u32,
) -> Vec<u8> {
    let mut m = Vec::new();
    add_order(
        &mut m,
        Header {
            locate,
            ..Default::default()
        },
        reference,
        side,
        qty,
        stock,
        price,
    );
    assert!(b.push(&m).is_none());
    b.flush().unwrap()
}

fn config() -> MarketDataConfig {
    MarketDataConfig {
        venues: vec![
            ("NASDAQ".into(), *b"NASDAQ0001"),
            ("BX".into(), *b"BX00000001"),
            ("PSX".into(), *b"PSX0000001"),
        ],
        default_tier: 1,
        ..Default::default()
    }
}

#[test]
fn nbbo_takes_the_best_of_three_venues_matched_by_symbol_not_locate() {
    let (mut nq, mut bx, mut psx) = (
        venue(b"NASDAQ0001"),
        venue(b"BX00000001"),
        venue(b"PSX0000001"),
    );
    let mut d = FrameDecoder::new();
    let mut m = MarketData::new(config());
    // Each venue numbers AAPL differently.
    feed(&mut d, &mut m, &add(&mut nq, 10, 1, b'B', 100, 1_900_000));
    feed(&mut d, &mut m, &add(&mut nq, 10, 2, b'S', 100, 1_900_500));
    feed(&mut d, &mut m, &add(&mut bx, 20, 1, b'B', 300, 1_900_100));
    feed(&mut d, &mut m, &add(&mut psx, 30, 1, b'S', 200, 1_900_300));
    let s = m.symbol(m.symbol_id("AAPL").unwrap());
    let (bid, ask) = (s.nbbo.bid.unwrap(), s.nbbo.ask.unwrap());
    assert_eq!((bid.price, bid.qty), (1_900_100, 300));
    assert_eq!(m.venues()[bid.venue as usize].name, "BX");
    assert_eq!((ask.price, ask.qty), (1_900_300, 200));
    assert_eq!(m.venues()[ask.venue as usize].name, "PSX");
    assert_eq!(s.condition, MarketCondition::Normal);
    assert_eq!(m.symbol_count(), 1, "one symbol across three venues");
}

#[test]
fn locked_and_crossed_markets_are_detected_across_venues() {
    let (mut nq, mut bx) = (venue(b"NASDAQ0001"), venue(b"BX00000001"));
    let mut d = FrameDecoder::new();
    let mut m = MarketData::new(config());
    feed(&mut d, &mut m, &add(&mut nq, 1, 1, b'S', 100, 1_900_000));
    let locked = feed(&mut d, &mut m, &add(&mut bx, 1, 1, b'B', 100, 1_900_000));
    assert_eq!(
        locked[0],
        (MarketEvent::Condition, Some(MarketCondition::Locked))
    );
    let crossed = feed(&mut d, &mut m, &add(&mut bx, 1, 2, b'B', 100, 1_900_100));
    assert_eq!(
        crossed[0],
        (MarketEvent::Condition, Some(MarketCondition::Crossed))
    );
    let s = m.symbol(m.symbol_id("AAPL").unwrap());
    assert_eq!((s.locked_events, s.crossed_events), (1, 1));
}

#[test]
fn a_venue_with_a_gap_is_stale_and_leaves_the_nbbo() {
    let (mut nq, mut bx) = (venue(b"NASDAQ0001"), venue(b"BX00000001"));
    let mut d = FrameDecoder::new();
    let mut m = MarketData::new(config());
    feed(&mut d, &mut m, &add(&mut nq, 1, 1, b'B', 100, 1_900_000));
    feed(&mut d, &mut m, &add(&mut bx, 1, 1, b'B', 100, 1_900_200));
    assert_eq!(m.symbol(0).nbbo.bid.unwrap().price, 1_900_200);
    // BX loses message 2; its next packet (3) reveals the gap.
    let mut lost = Vec::new();
    order_delete(
        &mut lost,
        Header {
            locate: 1,
            ..Default::default()
        },
        1,
    );
    assert!(bx.push(&lost).is_none());
    let _never_delivered = bx.flush().unwrap();
    feed(&mut d, &mut m, &add(&mut bx, 1, 2, b'B', 100, 1_900_100));
    let bx_venue = m.venues().iter().position(|v| v.name == "BX").unwrap();
    assert!(m.venues()[bx_venue].stale);
    assert!(m.feed_degraded(u64::MAX));
    // The NBBO now comes from Nasdaq alone.
    let bid = m.symbol(0).nbbo.bid.unwrap();
    assert_eq!(
        (bid.price, m.venues()[bid.venue as usize].name.as_str()),
        (1_900_000, "NASDAQ")
    );
}

/// The consolidated quote is recomputed only when a message changed a
/// venue's best level; after every message of three interleaved venues it
/// equals a recomputation from every venue's book (no change of a best
/// level goes unreported).
#[test]
fn the_nbbo_equals_a_recomputation_from_every_venue_after_every_message() {
    use breakwater::market::nbbo::Nbbo;
    use breakwater::scenario::market_generator::{GeneratorConfig, MarketGenerator};
    use breakwater::wire::itch::ItchMessage;

    let mut venues: Vec<MarketGenerator> = (0..3)
        .map(|seed| {
            MarketGenerator::new(GeneratorConfig {
                symbols: 8,
                seed,
                target_live_orders: 400,
                include_all_types: false,
            })
        })
        .collect();
    let mut market = MarketData::new(config());
    let mut msg = Vec::new();
    let mut checked = 0;
    for i in 0..60_000usize {
        let v = i % 3;
        msg.clear();
        venues[v].next_message(&mut msg);
        let update = market.on_message(v, &ItchMessage::parse(&msg).unwrap());
        let Some(id) = update.symbol else { continue };
        let s = market.symbol(id);
        let name = std::str::from_utf8(&s.symbol).unwrap().trim_end();
        let quotes = market.venues().iter().enumerate().filter_map(|(v, feed)| {
            let book = feed.book.book_by_symbol(name)?;
            Some((
                v as u8,
                book.best_bid().map(|l| (l.price, l.qty)),
                book.best_ask().map(|l| (l.price, l.qty)),
            ))
        });
        assert_eq!(s.nbbo, Nbbo::from_venues(quotes), "message {i}, {name}");
        checked += 1;
    }
    assert!(checked > 50_000, "{checked} messages named a symbol");
}

/// Three venues' generated feeds: every symbol's state, as JSON with ten
/// levels a side, and the order counts.
/// The whole market state of the symbol an update names.
fn symbol_state(market: &MarketData, update: MarketUpdate) -> Option<String> {
    update.symbol.map(|s| format!("{:?}", market.symbol(s)))
}

fn market_summary(market: &MarketData) -> Vec<String> {
    let mut out: Vec<String> = market
        .symbol_views()
        .iter()
        .map(|v| v.to_json(10).to_string())
        .collect();
    out.push(format!(
        "live {} unknown {}",
        market.live_orders(),
        market.unknown_order_refs()
    ));
    out
}

/// The decoder announces a packet's messages before delivering them and
/// the market prefetches their order slots and levels; that must change
/// nothing. Three venues' generated feeds in MoldUDP64 packets, decoded
/// once through the prefetching sink and once message by message, give
/// the same books, quotes and market state; and `on_messages` over runs of
/// messages gives every message the update `on_message` gives it, with the
/// message's symbol in the state `on_message` leaves it in.
#[test]
fn prefetching_a_packet_ahead_changes_no_book_or_update() {
    use breakwater::scenario::market_generator::{GeneratorConfig, MarketGenerator};
    use breakwater::wire::itch::ItchMessage;

    let sessions = [*b"NASDAQ0001", *b"BX00000001", *b"PSX0000001"];
    let mut generators: Vec<MarketGenerator> = (0..3)
        .map(|seed| {
            MarketGenerator::new(GeneratorConfig {
                symbols: 40,
                seed: 7 + seed,
                target_live_orders: 4_000,
                include_all_types: true,
            })
        })
        .collect();
    let mut builders: Vec<MoldFrameBuilder> = sessions.iter().map(venue).collect();
    let mut frames = Vec::new();
    let mut flat: Vec<(usize, Vec<u8>)> = Vec::new();
    for i in 0..90_000usize {
        let v = i % 3;
        let mut msg = Vec::new();
        generators[v].next_message(&mut msg);
        frames.extend(builders[v].push(&msg));
        flat.push((v, msg));
    }
    frames.extend(builders.iter_mut().filter_map(MoldFrameBuilder::flush));
    assert!(
        frames.len() * 20 < flat.len(),
        "packets of many messages: {} frames",
        frames.len()
    );

    let mut prefetched = MarketData::new(config());
    let mut decoder = FrameDecoder::new();
    for f in &frames {
        decoder.decode_frame_to(f, &mut prefetched);
    }
    let mut one_by_one = MarketData::new(config());
    let mut decoder = FrameDecoder::new();
    for f in &frames {
        decoder.decode_frame(f, |o, m| {
            one_by_one.on_message(o.session_index, m);
        });
    }
    assert_eq!(decoder.stats().messages(), 90_000);
    assert!(one_by_one.live_orders() > 1_000);
    assert_eq!(market_summary(&prefetched), market_summary(&one_by_one));

    // Runs of 32 messages of one venue through on_messages, against
    // on_message, update by update.
    let mut runs = MarketData::new(config());
    let mut single = MarketData::new(config());
    let mut compared = 0;
    for v in 0..3 {
        let messages: Vec<ItchMessage<'_>> = flat
            .iter()
            .filter(|(venue, _)| *venue == v)
            .map(|(_, m)| ItchMessage::parse(m).unwrap())
            .collect();
        for run in messages.chunks(32) {
            let mut got = Vec::new();
            runs.on_messages(v, run, |market, _, update| {
                got.push((update, symbol_state(market, update)))
            });
            let want: Vec<_> = run
                .iter()
                .map(|m| {
                    let update = single.on_message(v, m);
                    (update, symbol_state(&single, update))
                })
                .collect();
            assert_eq!(got, want);
            compared += got.len();
        }
    }
    assert_eq!(compared, 90_000);
    assert_eq!(market_summary(&runs), market_summary(&single));
}

/// A feed error: an add reuses the reference of an order still resting on
/// another symbol. The book takes the old order out (the new one replaces
/// it), and the consolidated quote of the old order's symbol follows, as
/// well as the new one's.
#[test]
fn an_order_reference_reused_on_another_symbol_updates_both_consolidated_quotes() {
    let mut nq = venue(b"NASDAQ0001");
    let mut d = FrameDecoder::new();
    let mut m = MarketData::new(config());
    feed(
        &mut d,
        &mut m,
        &add_stock(&mut nq, "AAPL", 1, 7, b'B', 100, 1_900_000),
    );
    let aapl = m.symbol_id("AAPL").unwrap();
    assert_eq!(m.symbol(aapl).nbbo.bid.unwrap().price, 1_900_000);
    // Reference 7 again, on MSFT: the AAPL order is gone.
    feed(
        &mut d,
        &mut m,
        &add_stock(&mut nq, "MSFT", 2, 7, b'S', 50, 4_000_000),
    );
    let msft = m.symbol_id("MSFT").unwrap();
    assert_eq!(m.venues()[0].book.stats().duplicate_order_refs, 1);
    assert_eq!(m.venue_book(aapl, 0).unwrap().best_bid(), None);
    assert_eq!(
        m.symbol(aapl).nbbo.bid,
        None,
        "AAPL's NBBO follows its book"
    );
    assert_eq!(m.symbol(msft).nbbo.ask.unwrap().price, 4_000_000);
    // A zero-share add of a live reference (another feed error) removes it.
    feed(
        &mut d,
        &mut m,
        &add_stock(&mut nq, "AAPL", 1, 7, b'B', 0, 1_900_000),
    );
    assert_eq!(m.venue_book(msft, 0).unwrap().best_ask(), None);
    assert_eq!(
        m.symbol(msft).nbbo.ask,
        None,
        "MSFT's NBBO follows its book"
    );
}
