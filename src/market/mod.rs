//! Market state per symbol: trading state and halts from the feed, the
//! market-wide circuit breaker, last trade.

pub mod market_state;
