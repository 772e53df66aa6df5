//! Generated market data and scripted participants for replays and tests.

pub mod capture_writer;
pub mod flash_crash;
pub mod itch_encoder;
pub mod market_generator;
pub mod mold_frame_builder;
pub mod scripted_strategy;
