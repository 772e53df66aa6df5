//! The appliance's hot loop and what it drives: the symbol table, the links
//! to strategy processes, and the per-order decision path.

pub mod appliance;
pub mod strategy_link;
pub mod symbol_table;
