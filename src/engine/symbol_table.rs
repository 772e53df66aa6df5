//! The configured symbols: name ↔ slot (the index into the risk tables and
//! the hardware limits RAM), and slot → the market-data symbol id, learned
//! when the feed first shows the symbol.

use crate::ipc::ring_messages::symbol_bytes;
use std::collections::HashMap;

pub struct SymbolTable {
    names: Vec<[u8; 8]>,
    by_name: HashMap<[u8; 8], u16>,
    slot_to_market: Vec<Option<u32>>,
}

impl SymbolTable {
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let names: Vec<[u8; 8]> = names.into_iter().map(symbol_bytes).collect();
        let by_name = names
            .iter()
            .enumerate()
            .map(|(i, n)| (*n, i as u16))
            .collect();
        let slots = names.len();
        SymbolTable {
            names,
            by_name,
            slot_to_market: vec![None; slots],
        }
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn name(&self, slot: usize) -> &[u8; 8] {
        &self.names[slot]
    }

    #[inline]
    pub fn slot_of_name(&self, name: &[u8; 8]) -> Option<usize> {
        self.by_name.get(name).map(|&s| usize::from(s))
    }

    /// Records the market-data symbol id of a configured slot.
    pub fn bind_market_symbol(&mut self, slot: usize, symbol: u32) {
        self.slot_to_market[slot] = Some(symbol);
    }

    pub fn market_symbol_of_slot(&self, slot: usize) -> Option<u32> {
        self.slot_to_market[slot]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_slots_and_slots_to_market_symbols() {
        let mut t = SymbolTable::new(["SPY", "AAPL"]);
        assert_eq!(t.slot_of_name(&symbol_bytes("AAPL")), Some(1));
        assert_eq!(t.slot_of_name(&symbol_bytes("MSFT")), None);
        assert_eq!(t.market_symbol_of_slot(1), None);
        t.bind_market_symbol(1, 42);
        assert_eq!(t.market_symbol_of_slot(1), Some(42));
    }
}
