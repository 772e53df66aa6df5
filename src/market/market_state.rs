//! What the venue says about each symbol's tradability (`H` trading
//! actions: halted, paused, quotation only, trading) and about the whole
//! market (`V` circuit-breaker levels, `W` breaches).

use crate::wire::itch::ItchMessage;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SymbolStatus {
    /// `H` trading state: b'T' trading, b'H' halted, b'P' paused, b'Q'
    /// quotation only. Trading until told otherwise.
    pub trading_state: u8,
    pub reason: [u8; 4],
    /// Feed time of the last state change.
    pub since_ns: u64,
}

impl Default for SymbolStatus {
    fn default() -> Self {
        SymbolStatus {
            trading_state: b'T',
            reason: [b' '; 4],
            since_ns: 0,
        }
    }
}

impl SymbolStatus {
    pub fn is_trading(&self) -> bool {
        self.trading_state == b'T'
    }
}

/// A state change worth reporting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarketEvent {
    None,
    TradingAction {
        locate: u16,
        state: u8,
        previous: u8,
        reason: [u8; 4],
    },
    CircuitBreaker {
        level: u8,
    },
    LuldCollar {
        locate: u16,
        reference: u32,
        upper: u32,
        lower: u32,
    },
}

#[derive(Clone, Debug)]
pub struct MarketState {
    status: Vec<SymbolStatus>,
    /// MWCB decline levels, Price(8).
    pub mwcb_levels: [u64; 3],
    /// The highest MWCB level breached today (0: none).
    pub mwcb_breached: u8,
}

impl Default for MarketState {
    fn default() -> Self {
        MarketState {
            status: vec![SymbolStatus::default(); 1 << 16],
            mwcb_levels: [0; 3],
            mwcb_breached: 0,
        }
    }
}

impl MarketState {
    pub fn status(&self, locate: u16) -> &SymbolStatus {
        &self.status[usize::from(locate)]
    }

    pub fn apply(&mut self, message: &ItchMessage<'_>) -> MarketEvent {
        match message {
            ItchMessage::StockTradingAction(m) => {
                let mut reason = [b' '; 4];
                reason.copy_from_slice(&m.bytes()[21..25]);
                let s = &mut self.status[usize::from(m.stock_locate())];
                let previous = s.trading_state;
                s.trading_state = m.trading_state();
                s.reason = reason;
                s.since_ns = m.timestamp_ns();
                MarketEvent::TradingAction {
                    locate: m.stock_locate(),
                    state: m.trading_state(),
                    previous,
                    reason,
                }
            }
            ItchMessage::MwcbDeclineLevel(m) => {
                self.mwcb_levels = [m.level_1(), m.level_2(), m.level_3()];
                MarketEvent::None
            }
            ItchMessage::MwcbStatus(m) => {
                let level = m.breached_level().wrapping_sub(b'0');
                self.mwcb_breached = self.mwcb_breached.max(level);
                MarketEvent::CircuitBreaker { level }
            }
            ItchMessage::LuldAuctionCollar(m) => MarketEvent::LuldCollar {
                locate: m.stock_locate(),
                reference: m.auction_collar_reference_price(),
                upper: m.upper_auction_collar_price(),
                lower: m.lower_auction_collar_price(),
            },
            _ => MarketEvent::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::itch_encoder::{mwcb_status, trading_action, Header};

    #[test]
    fn trading_actions_set_the_symbols_state() {
        let mut m = MarketState::default();
        let mut b = Vec::new();
        trading_action(
            &mut b,
            Header {
                locate: 11_325,
                tracking: 0,
                timestamp_ns: 5,
            },
            "ZXZZT",
            b'P',
            "LUDP",
        );
        let e = m.apply(&ItchMessage::parse(&b).unwrap());
        assert_eq!(
            e,
            MarketEvent::TradingAction {
                locate: 11_325,
                state: b'P',
                previous: b'T',
                reason: *b"LUDP"
            }
        );
        assert!(!m.status(11_325).is_trading());
        assert!(m.status(1).is_trading());
    }

    #[test]
    fn circuit_breaker_breaches_are_remembered() {
        let mut m = MarketState::default();
        let mut b = Vec::new();
        mwcb_status(&mut b, Header::default(), b'1');
        assert_eq!(
            m.apply(&ItchMessage::parse(&b).unwrap()),
            MarketEvent::CircuitBreaker { level: 1 }
        );
        assert_eq!(m.mwcb_breached, 1);
    }
}
