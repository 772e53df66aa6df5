//! Every child order the gateway has sent, and the ClOrdIDs that name them.
//!
//! A ClOrdID is a per-run prefix and a number: `<prefix><n>`. Each request
//! (new, cancel, replace) takes the next number, so ClOrdIDs never repeat
//! within a run, and the prefix (by default the start time in base 36)
//! keeps runs apart. A venue's report finds its order by the number in its
//! ClOrdID (11), or in OrigClOrdID (41) where a venue echoes the original.

use super::child_order::ChildOrder;

pub struct ChildOrders {
    prefix: String,
    next_id: u64,
    orders: Vec<ChildOrder>,
    /// Order and request ids (dense, from 1) to the order's index; `NONE`
    /// for none.
    by_id: Vec<u32>,
}

const NONE: u32 = u32::MAX;

/// A prefix that differs between runs: the Unix time in seconds, base 36.
pub fn run_prefix() -> String {
    let mut secs = crate::ipc::control_block::unix_now_ns() / 1_000_000_000;
    let mut digits = Vec::new();
    while secs > 0 {
        digits.push(b"0123456789abcdefghijklmnopqrstuvwxyz"[(secs % 36) as usize]);
        secs /= 36;
    }
    digits.reverse();
    format!("BW{}-", String::from_utf8_lossy(&digits))
}

impl ChildOrders {
    pub fn new(prefix: &str) -> Self {
        ChildOrders {
            prefix: prefix.to_string(),
            next_id: 1,
            orders: Vec::new(),
            by_id: Vec::new(),
        }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// A fresh ClOrdID number.
    pub fn allocate_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// The ClOrdID text for `id`, written into `buf`.
    pub fn cl_ord_id<'b>(&self, id: u64, buf: &'b mut Vec<u8>) -> &'b [u8] {
        buf.clear();
        buf.extend_from_slice(self.prefix.as_bytes());
        buf.extend_from_slice(itoa::Buffer::new().format(id).as_bytes());
        buf
    }

    /// The number in a ClOrdID of ours, if it is one.
    pub fn parse_id(&self, cl_ord_id: &[u8]) -> Option<u64> {
        let digits = cl_ord_id.strip_prefix(self.prefix.as_bytes())?;
        if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(
            digits
                .iter()
                .fold(0u64, |a, &d| a * 10 + u64::from(d - b'0')),
        )
    }

    pub fn insert(&mut self, order: ChildOrder) -> usize {
        let index = self.orders.len();
        self.link(order.id, index);
        self.orders.push(order);
        index
    }

    /// Names `request_id` (a cancel or replace) as belonging to the order
    /// at `index`.
    pub fn link(&mut self, request_id: u64, index: usize) {
        let Some(slot) = (request_id as usize).checked_sub(1) else {
            return;
        };
        if slot >= self.by_id.len() {
            self.by_id.resize(slot + 1, NONE);
        }
        self.by_id[slot] = index as u32;
    }

    fn lookup(&self, id: u64) -> Option<usize> {
        let slot = (id as usize).checked_sub(1)?;
        self.by_id
            .get(slot)
            .copied()
            .filter(|&i| i != NONE)
            .map(|i| i as usize)
    }

    /// The order a report names, and the id that found it.
    pub fn find(&self, cl_ord_id: &[u8], orig_cl_ord_id: Option<&[u8]>) -> Option<(usize, u64)> {
        let lookup = |text: &[u8]| {
            let id = self.parse_id(text)?;
            self.lookup(id).map(|i| (i, id))
        };
        lookup(cl_ord_id).or_else(|| orig_cl_ord_id.and_then(lookup))
    }

    pub fn index_of(&self, id: u64) -> Option<usize> {
        self.lookup(id).filter(|&i| self.orders[i].id == id)
    }

    pub fn get(&self, id: u64) -> Option<&ChildOrder> {
        self.index_of(id).map(|i| &self.orders[i])
    }

    pub fn at(&self, index: usize) -> &ChildOrder {
        &self.orders[index]
    }

    pub fn at_mut(&mut self, index: usize) -> &mut ChildOrder {
        &mut self.orders[index]
    }

    pub fn len(&self) -> usize {
        self.orders.len()
    }

    pub fn is_empty(&self) -> bool {
        self.orders.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &ChildOrder> {
        self.orders.iter()
    }

    /// Indices of the orders at `venue` that are still working.
    pub fn working_at(&self, venue: usize) -> Vec<usize> {
        (0..self.orders.len())
            .filter(|&i| self.orders[i].venue == venue && self.orders[i].is_working())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::order_messages::Side;

    #[test]
    fn reports_find_their_order_by_its_own_id_a_request_id_or_the_original() {
        let mut orders = ChildOrders::new("BWx-");
        let id = orders.allocate_id();
        let index = orders.insert(ChildOrder::new(id, 0, "AAPL", Side::Buy, 100, 1, 1));
        let cancel = orders.allocate_id();
        orders.link(cancel, index);
        let mut buf = Vec::new();
        assert_eq!(orders.cl_ord_id(cancel, &mut buf), b"BWx-2");
        assert_eq!(orders.find(b"BWx-1", None), Some((index, 1)));
        assert_eq!(orders.find(b"BWx-2", Some(b"BWx-1")), Some((index, 2)));
        assert_eq!(orders.find(b"OTHER", Some(b"BWx-1")), Some((index, 1)));
        assert_eq!(orders.find(b"BWy-1", None), None, "another run's order");
        assert_eq!(orders.find(b"BWx-", None), None);
        assert_eq!(orders.find(b"BWx-99999999999999999999", None), None);
        assert_eq!(orders.get(1).map(|o| o.id), Some(1));
        assert!(orders.get(2).is_none(), "a request id is not an order");
    }

    #[test]
    fn run_prefixes_are_short_and_distinct_from_the_digits_that_follow() {
        let p = run_prefix();
        assert!(
            p.starts_with("BW") && p.ends_with('-') && p.len() <= 10,
            "{p}"
        );
    }
}
