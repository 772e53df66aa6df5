//! Differential test against the `itchy` crate (0.3.4, an independent ITCH
//! 5.0 parser used here only as an oracle): a generated stream of 10 million
//! messages of every type itchy understands (it does not decode `h` or `O`)
//! is parsed by both, and every field of every message must be identical.
//! `BREAKWATER_ITCHY_MESSAGES` changes the count.

use breakwater::scenario::market_generator::{flat_messages, GeneratorConfig, MarketGenerator};
use breakwater::wire::itch::{FieldValue, ItchMessage};
use itchy::{Message, MessageStream};

#[derive(Clone, Debug, PartialEq, Eq)]
enum V {
    Int(u64),
    Chr(u8),
    Str(String),
}

fn ours(m: &ItchMessage<'_>) -> Vec<(&'static str, V)> {
    let mut v = vec![("type", V::Chr(m.message_type()))];
    m.visit_fields(|name, value| {
        v.push((
            name,
            match value {
                FieldValue::Integer(n) => V::Int(n),
                FieldValue::Price4(p) => V::Int(u64::from(p)),
                FieldValue::Price8(p) => V::Int(p),
                FieldValue::Char(c) => V::Chr(c),
                FieldValue::Alpha(s) => V::Str(s.to_string()),
            },
        ))
    });
    v
}

fn s(a: &str) -> V {
    V::Str(a.trim_end().to_string())
}
fn yn(b: bool) -> V {
    V::Chr(if b { b'Y' } else { b'N' })
}
fn ynb(b: Option<bool>) -> V {
    V::Chr(match b {
        Some(true) => b'Y',
        Some(false) => b'N',
        None => b' ',
    })
}
fn c(x: u8) -> V {
    V::Chr(x)
}
fn side(x: itchy::Side) -> V {
    c(match x {
        itchy::Side::Buy => b'B',
        itchy::Side::Sell => b'S',
    })
}
fn cross(x: itchy::CrossType) -> V {
    use itchy::CrossType::*;
    c(match x {
        Opening => b'O',
        Closing => b'C',
        IpoOrHalted => b'H',
        Intraday => b'I',
        ExtendedTradingClose => b'A',
    })
}

/// itchy's typed message mapped back to wire values, in the same field
/// order and names as ours.
fn theirs(m: &Message) -> Vec<(&'static str, V)> {
    use itchy::*;
    let mut v = vec![
        ("type", V::Chr(m.tag)),
        ("stock_locate", V::Int(u64::from(m.stock_locate))),
        ("tracking_number", V::Int(u64::from(m.tracking_number))),
        ("timestamp", V::Int(m.timestamp)),
    ];
    let p4 = |p: Price4| V::Int(u64::from(p.raw()));
    let mut add = |fields: Vec<(&'static str, V)>| v.extend(fields);
    match &m.body {
        Body::SystemEvent { event } => add(vec![(
            "event_code",
            c(match event {
                EventCode::StartOfMessages => b'O',
                EventCode::StartOfSystemHours => b'S',
                EventCode::StartOfMarketHours => b'Q',
                EventCode::EndOfMarketHours => b'M',
                EventCode::EndOfSystemHours => b'E',
                EventCode::EndOfMessages => b'C',
            }),
        )]),
        Body::StockDirectory(d) => add(vec![
            ("stock", s(&d.stock)),
            (
                "market_category",
                c(match d.market_category {
                    MarketCategory::NasdaqGlobalSelect => b'Q',
                    MarketCategory::NasdaqGlobalMarket => b'G',
                    MarketCategory::NasdaqCapitalMarket => b'S',
                    MarketCategory::Nyse => b'N',
                    MarketCategory::NyseMkt => b'A',
                    MarketCategory::NyseArca => b'P',
                    MarketCategory::BatsZExchange => b'Z',
                    MarketCategory::InvestorsExchange => b'V',
                    MarketCategory::Unavailable => b' ',
                }),
            ),
            (
                "financial_status_indicator",
                c(match d.financial_status {
                    FinancialStatus::Normal => b'N',
                    FinancialStatus::Deficient => b'D',
                    FinancialStatus::Delinquent => b'E',
                    FinancialStatus::Bankrupt => b'Q',
                    FinancialStatus::Suspended => b'S',
                    FinancialStatus::DeficientBankrupt => b'G',
                    FinancialStatus::DeficientDelinquent => b'H',
                    FinancialStatus::DelinquentBankrupt => b'J',
                    FinancialStatus::DeficientDelinquentBankrupt => b'K',
                    FinancialStatus::EtpSuspended => b'C',
                    FinancialStatus::Unavailable => b' ',
                }),
            ),
            ("round_lot_size", V::Int(u64::from(d.round_lot_size))),
            ("round_lots_only", yn(d.round_lots_only)),
            (
                "issue_classification",
                c(match d.issue_classification {
                    IssueClassification::AmericanDepositaryShare => b'A',
                    IssueClassification::Bond => b'B',
                    IssueClassification::CommonStock => b'C',
                    IssueClassification::DepositoryReceipt => b'F',
                    IssueClassification::A144 => b'I',
                    IssueClassification::LimitedPartnership => b'L',
                    IssueClassification::Notes => b'N',
                    IssueClassification::OrdinaryShare => b'O',
                    IssueClassification::PreferredStock => b'P',
                    IssueClassification::OtherSecurities => b'Q',
                    IssueClassification::Right => b'R',
                    IssueClassification::SharesOfBeneficialInterest => b'S',
                    IssueClassification::ConvertibleDebenture => b'T',
                    IssueClassification::Unit => b'U',
                    IssueClassification::UnitsPerBenifInt => b'V',
                    IssueClassification::Warrant => b'W',
                }),
            ),
            (
                "issue_sub_type",
                s(match d.issue_subtype {
                    IssueSubType::NotApplicable => "Z",
                    IssueSubType::REIT => "RT",
                    IssueSubType::CommonShares => "C",
                    IssueSubType::PreferredTrustSecurities => "A",
                    ref other => panic!("the generator does not emit {other:?}"),
                }),
            ),
            ("authenticity", c(if d.authenticity { b'P' } else { b'T' })),
            (
                "short_sale_threshold_indicator",
                ynb(d.short_sale_threshold),
            ),
            ("ipo_flag", ynb(d.ipo_flag)),
            (
                "luld_reference_price_tier",
                c(match d.luld_ref_price_tier {
                    LuldRefPriceTier::Tier1 => b'1',
                    LuldRefPriceTier::Tier2 => b'2',
                    LuldRefPriceTier::Na => b' ',
                }),
            ),
            ("etp_flag", ynb(d.etp_flag)),
            (
                "etp_leverage_factor",
                V::Int(u64::from(d.etp_leverage_factor)),
            ),
            ("inverse_indicator", yn(d.inverse_indicator)),
        ]),
        Body::TradingAction {
            stock,
            trading_state,
            reason,
        } => add(vec![
            ("stock", s(stock)),
            (
                "trading_state",
                c(match trading_state {
                    TradingState::Halted => b'H',
                    TradingState::Paused => b'P',
                    TradingState::QuotationOnly => b'Q',
                    TradingState::Trading => b'T',
                }),
            ),
            // itchy skips the reserved byte; the generator always sends a space.
            ("reserved", c(b' ')),
            ("reason", s(reason)),
        ]),
        Body::RegShoRestriction { stock, action } => add(vec![
            ("stock", s(stock)),
            (
                "reg_sho_action",
                c(match action {
                    RegShoAction::None => b'0',
                    RegShoAction::Intraday => b'1',
                    RegShoAction::Extant => b'2',
                }),
            ),
        ]),
        Body::ParticipantPosition(p) => add(vec![
            ("mpid", s(&p.mpid)),
            ("stock", s(&p.stock)),
            ("primary_market_maker", yn(p.primary_market_maker)),
            (
                "market_maker_mode",
                c(match p.market_maker_mode {
                    MarketMakerMode::Normal => b'N',
                    MarketMakerMode::Passive => b'P',
                    MarketMakerMode::Syndicate => b'S',
                    MarketMakerMode::Presyndicate => b'R',
                    MarketMakerMode::Penalty => b'L',
                }),
            ),
            (
                "market_participant_state",
                c(match p.market_participant_state {
                    MarketParticipantState::Active => b'A',
                    MarketParticipantState::Excused => b'E',
                    MarketParticipantState::Withdrawn => b'W',
                    MarketParticipantState::Suspended => b'S',
                    MarketParticipantState::Deleted => b'D',
                }),
            ),
        ]),
        Body::MwcbDeclineLevel {
            level1,
            level2,
            level3,
        } => add(vec![
            ("level_1", V::Int(level1.raw())),
            ("level_2", V::Int(level2.raw())),
            ("level_3", V::Int(level3.raw())),
        ]),
        Body::Breach(l) => add(vec![(
            "breached_level",
            c(match l {
                LevelBreached::L1 => b'1',
                LevelBreached::L2 => b'2',
                LevelBreached::L3 => b'3',
            }),
        )]),
        Body::IpoQuotingPeriod(q) => add(vec![
            ("stock", s(&q.stock)),
            (
                "ipo_quotation_release_time",
                V::Int(u64::from(q.release_time)),
            ),
            (
                "ipo_quotation_release_qualifier",
                c(match q.release_qualifier {
                    IpoReleaseQualifier::Anticipated => b'A',
                    IpoReleaseQualifier::Cancelled => b'C',
                }),
            ),
            ("ipo_price", p4(q.price)),
        ]),
        Body::LULDAuctionCollar {
            stock,
            ref_price,
            upper_price,
            lower_price,
            extension,
        } => add(vec![
            ("stock", s(stock)),
            ("auction_collar_reference_price", p4(*ref_price)),
            ("upper_auction_collar_price", p4(*upper_price)),
            ("lower_auction_collar_price", p4(*lower_price)),
            ("auction_collar_extension", V::Int(u64::from(*extension))),
        ]),
        Body::AddOrder(a) => {
            let mut f = vec![
                ("order_reference_number", V::Int(a.reference)),
                ("buy_sell_indicator", side(a.side)),
                ("shares", V::Int(u64::from(a.shares))),
                ("stock", s(&a.stock)),
                ("price", p4(a.price)),
            ];
            if let Some(mpid) = &a.mpid {
                f.push(("attribution", s(mpid)));
            }
            add(f)
        }
        Body::OrderExecuted {
            reference,
            executed,
            match_number,
        } => add(vec![
            ("order_reference_number", V::Int(*reference)),
            ("executed_shares", V::Int(u64::from(*executed))),
            ("match_number", V::Int(*match_number)),
        ]),
        Body::OrderExecutedWithPrice {
            reference,
            executed,
            match_number,
            printable,
            price,
        } => add(vec![
            ("order_reference_number", V::Int(*reference)),
            ("executed_shares", V::Int(u64::from(*executed))),
            ("match_number", V::Int(*match_number)),
            ("printable", yn(*printable)),
            ("execution_price", p4(*price)),
        ]),
        Body::OrderCancelled {
            reference,
            cancelled,
        } => add(vec![
            ("order_reference_number", V::Int(*reference)),
            ("cancelled_shares", V::Int(u64::from(*cancelled))),
        ]),
        Body::DeleteOrder { reference } => {
            add(vec![("order_reference_number", V::Int(*reference))])
        }
        Body::ReplaceOrder(r) => add(vec![
            ("original_order_reference_number", V::Int(r.old_reference)),
            ("new_order_reference_number", V::Int(r.new_reference)),
            ("shares", V::Int(u64::from(r.shares))),
            ("price", p4(r.price)),
        ]),
        Body::NonCrossTrade(t) => add(vec![
            ("order_reference_number", V::Int(t.reference)),
            ("buy_sell_indicator", side(t.side)),
            ("shares", V::Int(u64::from(t.shares))),
            ("stock", s(&t.stock)),
            ("price", p4(t.price)),
            ("match_number", V::Int(t.match_number)),
        ]),
        Body::CrossTrade(t) => add(vec![
            ("shares", V::Int(t.shares)),
            ("stock", s(&t.stock)),
            ("cross_price", p4(t.cross_price)),
            ("match_number", V::Int(t.match_number)),
            ("cross_type", cross(t.cross_type)),
        ]),
        Body::BrokenTrade { match_number } => add(vec![("match_number", V::Int(*match_number))]),
        Body::Imbalance(i) => add(vec![
            ("paired_shares", V::Int(i.paired_shares)),
            ("imbalance_shares", V::Int(i.imbalance_shares)),
            (
                "imbalance_direction",
                c(match i.imbalance_direction {
                    ImbalanceDirection::Buy => b'B',
                    ImbalanceDirection::Sell => b'S',
                    ImbalanceDirection::NoImbalance => b'N',
                    ImbalanceDirection::InsufficientOrders => b'O',
                }),
            ),
            ("stock", s(&i.stock)),
            ("far_price", p4(i.far_price)),
            ("near_price", p4(i.near_price)),
            ("current_reference_price", p4(i.current_ref_price)),
            ("cross_type", cross(i.cross_type)),
            (
                "price_variation_indicator",
                c(i.price_variation_indicator as u8),
            ),
        ]),
        Body::RetailPriceImprovementIndicator(r) => add(vec![
            ("stock", s(&r.stock)),
            (
                "interest_flag",
                c(match r.interest_flag {
                    InterestFlag::RPIAvailableBuySide => b'B',
                    InterestFlag::RPIAvailableSellSide => b'S',
                    InterestFlag::RPIAvailableBothSides => b'A',
                    InterestFlag::RPINoneAvailable => b'N',
                }),
            ),
        ]),
    }
    v
}

#[test]
fn every_field_matches_itchy_on_ten_million_generated_messages() {
    let total: u64 = std::env::var("BREAKWATER_ITCHY_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let mut generator = MarketGenerator::new(GeneratorConfig {
        symbols: 1_000,
        seed: 7,
        target_live_orders: 100_000,
        include_all_types: false,
    });
    const CHUNK: u64 = 1_000_000;
    let mut buf = Vec::with_capacity(CHUNK as usize * 40);
    let mut checked = 0u64;
    let mut types = [0u64; 256];
    while checked < total {
        buf.clear();
        generator.write_flat(CHUNK.min(total - checked), &mut buf);
        let mut stream = MessageStream::from_reader(&buf[..]);
        for bytes in flat_messages(&buf) {
            let mine =
                ItchMessage::parse(bytes).expect("our decoder reads every generated message");
            let theirs_msg = stream
                .next()
                .expect("itchy yields as many messages")
                .expect("itchy parses it");
            let (a, b) = (ours(&mine), theirs(&theirs_msg));
            assert_eq!(a, b, "message {checked} ({})", mine.message_type() as char);
            types[usize::from(mine.message_type())] += 1;
            checked += 1;
        }
        assert!(stream.next().is_none(), "itchy found no extra messages");
    }
    assert_eq!(checked, total);
    let seen: Vec<String> = (0..=255u8)
        .filter(|&t| types[usize::from(t)] > 0)
        .map(|t| format!("{}={}", t as char, types[usize::from(t)]))
        .collect();
    eprintln!("{checked} messages identical: {}", seen.join(" "));
    assert_eq!(seen.len(), 21, "all 21 types itchy decodes were compared");
}
