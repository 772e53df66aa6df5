//! The configured symbols: name ↔ slot (the index into the risk tables and
//! the hardware limits RAM), and the feed's stock locate → slot, learned
//! from the messages that carry both.

use crate::ipc::ring_messages::symbol_bytes;
use std::collections::HashMap;

const NO_SLOT: u16 = u16::MAX;

pub struct SymbolTable {
    names: Vec<[u8; 8]>,
    by_name: HashMap<[u8; 8], u16>,
    locate_to_slot: Vec<u16>,
    slot_to_locate: Vec<Option<u16>>,
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
            locate_to_slot: vec![NO_SLOT; 1 << 16],
            slot_to_locate: vec![None; slots],
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

    #[inline]
    pub fn slot_of_locate(&self, locate: u16) -> Option<usize> {
        let s = self.locate_to_slot[usize::from(locate)];
        (s != NO_SLOT).then_some(usize::from(s))
    }

    pub fn locate_of_slot(&self, slot: usize) -> Option<u16> {
        self.slot_to_locate[slot]
    }

    /// Records that the feed calls `name` by `locate`. Returns the slot if
    /// the symbol is configured.
    #[inline]
    pub fn bind(&mut self, locate: u16, name: &str) -> Option<usize> {
        if let Some(slot) = self.slot_of_locate(locate) {
            return Some(slot);
        }
        let slot = self.slot_of_name(&symbol_bytes(name))?;
        self.locate_to_slot[usize::from(locate)] = slot as u16;
        self.slot_to_locate[slot] = Some(locate);
        Some(slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_bind_to_configured_names_only() {
        let mut t = SymbolTable::new(["SPY", "AAPL"]);
        assert_eq!(t.slot_of_name(&symbol_bytes("AAPL")), Some(1));
        assert_eq!(t.bind(7, "AAPL"), Some(1));
        assert_eq!(t.slot_of_locate(7), Some(1));
        assert_eq!(t.locate_of_slot(1), Some(7));
        assert_eq!(t.bind(8, "MSFT"), None);
        assert_eq!(t.slot_of_locate(8), None);
    }
}
