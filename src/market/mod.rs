//! Market state: the consolidated view across venues (NBBO, locked and
//! crossed markets), trading state and halts, LULD bands, circuit breakers,
//! realized volatility and feed health.

pub mod luld;
pub mod market_data;
pub mod market_state;
pub mod nbbo;
pub mod realized_volatility;
