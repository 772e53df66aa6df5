//! Order books built from ITCH: an order-reference map, price levels per
//! side, per-symbol books with BBO, depth and last trade, and the per-venue
//! book that applies ITCH messages.

pub mod cache_prefetch;
pub mod huge_page_array;
pub mod level_order_counts;
pub mod order_ref_map;
pub mod order_store;
pub mod price_ladder;
pub mod price_levels;
pub mod symbol_book;
pub mod venue_book;
