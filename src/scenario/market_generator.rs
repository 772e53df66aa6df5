//! A large, realistic ITCH 5.0 stream for benchmarks and differential
//! tests: many symbols, a TotalView-like message mix (adds, deletes,
//! replaces, cancels and executions dominate), and every execution, cancel,
//! replace and delete naming an order that is live at that moment, so books
//! built from it never see an unknown reference.
//!
//! Orders rest mostly at or near the inside: the distance from the mid is
//! geometric (55% chance of each further tick, up to 20 ticks).
//! Order lifetimes follow the feed's shape: most orders are cancelled or
//! replaced moments after they are added, a few rest for a long time. Here
//! 80% of deletes, replaces, cancels and executions pick one of the 2,000
//! most recently added live orders and 20% pick any live order uniformly.
//!
//! Every message type that `itchy` (the differential oracle) understands
//! appears, with field values from each type's valid set; `h` and `O`, which
//! itchy does not decode, appear only with `include_all_types`.

use super::itch_encoder::{self as itch, Header};
use crate::wire::itch::ItchMessage;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GeneratorConfig {
    pub symbols: u16,
    pub seed: u64,
    /// Live orders the book hovers around (adds dominate below, removals above).
    pub target_live_orders: usize,
    /// Also emit `h` (operational halt) and `O` (DLCR price discovery).
    pub include_all_types: bool,
}

impl Default for GeneratorConfig {
    fn default() -> Self {
        GeneratorConfig {
            symbols: 1_000,
            seed: 1,
            target_live_orders: 200_000,
            include_all_types: false,
        }
    }
}

#[derive(Clone, Copy, Default)]
struct Live {
    reference: u64,
    locate: u16,
    side: u8,
    price: u32,
    qty: u32,
}

pub struct MarketGenerator {
    config: GeneratorConfig,
    rng: StdRng,
    names: Vec<String>,
    mids: Vec<u32>,
    /// Orders in the order they were added; removed ones are tombstones
    /// (qty 0), compacted away when they outnumber the live ones.
    live: Vec<Live>,
    alive: usize,
    next_reference: u64,
    next_match: u64,
    time_ns: u64,
    generated: u64,
    directory_done: u16,
}

const TICK: u32 = 100;

const MARKET_CATEGORIES: &[u8] = b"QGSNAPZV ";
const FINANCIAL_STATUS: &[u8] = b"NDEQSGHJKC ";
const ISSUE_CLASSES: &[u8] = b"ABCFILNOPQRSTUVW";

impl MarketGenerator {
    pub fn new(config: GeneratorConfig) -> Self {
        let mut rng = StdRng::seed_from_u64(config.seed);
        let names = (0..config.symbols).map(symbol_name).collect();
        let mids = (0..config.symbols)
            .map(|_| rng.random_range(10..5_000u32) * 10_000)
            .collect();
        MarketGenerator {
            config,
            rng,
            names,
            mids,
            live: Vec::with_capacity(config.target_live_orders * 2),
            alive: 0,
            next_reference: 1,
            next_match: 1,
            time_ns: 34_200_000_000_000, // 09:30
            generated: 0,
            directory_done: 0,
        }
    }

    pub fn generated(&self) -> u64 {
        self.generated
    }

    pub fn live_orders(&self) -> usize {
        self.alive
    }

    fn header(&mut self, locate: u16) -> Header {
        self.time_ns += self.rng.random_range(1..2_000u64);
        Header {
            locate,
            tracking: self.rng.random_range(0..4),
            timestamp_ns: self.time_ns,
        }
    }

    /// Appends the next message (no length prefix) to `out`; returns its type.
    pub fn next_message(&mut self, out: &mut Vec<u8>) -> u8 {
        self.generated += 1;
        // The day starts with the stock directory, one symbol per message.
        if self.directory_done < self.config.symbols {
            let i = self.directory_done;
            self.directory_done += 1;
            let h = self.header(i + 1);
            self.stock_directory(out, h, i);
            return b'R';
        }
        let pressure = self.alive as f64 / self.config.target_live_orders as f64;
        let r: f64 = self.rng.random();
        // Adds ~45% (more when the book is thin), deletes ~36%, replaces ~10%,
        // cancels ~3%, executions ~4%, trades ~1%, the rest rare.
        let add_share = (0.45 * (1.5 - pressure.min(1.5))).clamp(0.05, 0.9);
        if self.alive == 0 || r < add_share {
            return self.add(out);
        }
        let r2: f64 = self.rng.random();
        match r2 {
            x if x < 0.62 => self.delete(out),
            x if x < 0.80 => self.replace(out),
            x if x < 0.86 => self.cancel(out),
            x if x < 0.93 => self.execute(out),
            x if x < 0.945 => self.execute_with_price(out),
            x if x < 0.965 => self.trade(out),
            _ => self.rare(out),
        }
    }

    fn pick_symbol(&mut self) -> u16 {
        // A few symbols are much busier than the rest (squared uniform).
        let u: f64 = self.rng.random();
        ((u * u) * f64::from(self.config.symbols)) as u16 % self.config.symbols
    }

    fn add(&mut self, out: &mut Vec<u8>) -> u8 {
        let s = self.pick_symbol();
        let step: i64 = self.rng.random_range(-2..=2);
        let mid = (i64::from(self.mids[usize::from(s)]) + step * i64::from(TICK))
            .max(i64::from(TICK) * 10) as u32;
        self.mids[usize::from(s)] = mid;
        let side = if self.rng.random_bool(0.5) {
            b'B'
        } else {
            b'S'
        };
        // Distance from the mid in ticks: geometric (most orders at or near
        // the inside, as in real depth profiles), capped at 20.
        let mut ticks = 1u32;
        while ticks < 20 && self.rng.random_bool(0.55) {
            ticks += 1;
        }
        let offset = TICK * ticks;
        let price = if side == b'B' {
            mid.saturating_sub(offset).max(TICK)
        } else {
            mid + offset
        };
        let qty = 100 * self.rng.random_range(1..=20u32);
        let reference = self.next_reference;
        self.next_reference += 1 + self.rng.random_range(0..3u64);
        let locate = s + 1;
        let h = self.header(locate);
        let name = &self.names[usize::from(s)];
        let tag = if self.rng.random_bool(0.04) {
            itch::add_order_mpid(
                out,
                h,
                reference,
                side,
                qty,
                name,
                price,
                ["GSCO", "MSCO", "UBSS", "NITE"][self.rng.random_range(0..4)],
            );
            b'F'
        } else {
            itch::add_order(out, h, reference, side, qty, name, price);
            b'A'
        };
        self.push_live(Live {
            reference,
            locate,
            side,
            price,
            qty,
        });
        tag
    }

    fn push_live(&mut self, order: Live) {
        self.live.push(order);
        self.alive += 1;
    }

    /// Index of a live order: 80% among the 2,000 most recent, else any.
    fn peek_live(&mut self) -> usize {
        const RECENT: usize = 2_000;
        let n = self.live.len();
        for _ in 0..64 {
            let i = if self.rng.random_bool(0.8) {
                n - 1 - self.rng.random_range(0..RECENT.min(n))
            } else {
                self.rng.random_range(0..n)
            };
            if self.live[i].qty != 0 {
                return i;
            }
        }
        (0..n)
            .rev()
            .find(|&i| self.live[i].qty != 0)
            .expect("alive > 0")
    }

    /// Marks order `i` removed, compacting when tombstones dominate.
    fn kill(&mut self, i: usize) {
        self.live[i].qty = 0;
        self.alive -= 1;
        if self.live.len() > 4 * 1024 && self.alive * 2 < self.live.len() {
            self.live.retain(|o| o.qty != 0);
        }
    }

    fn take_live(&mut self) -> Live {
        let i = self.peek_live();
        let o = self.live[i];
        self.kill(i);
        o
    }

    fn delete(&mut self, out: &mut Vec<u8>) -> u8 {
        let o = self.take_live();
        let h = self.header(o.locate);
        itch::order_delete(out, h, o.reference);
        b'D'
    }

    fn replace(&mut self, out: &mut Vec<u8>) -> u8 {
        let mut o = self.take_live();
        let new_reference = self.next_reference;
        self.next_reference += 1;
        let step: i64 = self.rng.random_range(-3..=3);
        o.price = (i64::from(o.price) + step * i64::from(TICK)).max(i64::from(TICK)) as u32;
        o.qty = 100 * self.rng.random_range(1..=20u32);
        let h = self.header(o.locate);
        itch::order_replace(out, h, o.reference, new_reference, o.qty, o.price);
        o.reference = new_reference;
        self.push_live(o);
        b'U'
    }

    fn cancel(&mut self, out: &mut Vec<u8>) -> u8 {
        let i = self.peek_live();
        let o = self.live[i];
        let qty = self.rng.random_range(1..=o.qty);
        let h = self.header(o.locate);
        itch::order_cancel(out, h, o.reference, qty);
        if qty == o.qty {
            self.kill(i);
        } else {
            self.live[i].qty -= qty;
        }
        b'X'
    }

    /// Executes part or all of a live order; returns the shares.
    fn take_execution(&mut self) -> (Live, u32) {
        let i = self.peek_live();
        let o = self.live[i];
        let qty = if self.rng.random_bool(0.6) {
            o.qty
        } else {
            self.rng.random_range(1..=o.qty)
        };
        if qty == o.qty {
            self.kill(i);
        } else {
            self.live[i].qty -= qty;
        }
        (o, qty)
    }

    fn execute(&mut self, out: &mut Vec<u8>) -> u8 {
        let (o, qty) = self.take_execution();
        let m = self.next_match;
        self.next_match += 1;
        let h = self.header(o.locate);
        itch::order_executed(out, h, o.reference, qty, m);
        b'E'
    }

    fn execute_with_price(&mut self, out: &mut Vec<u8>) -> u8 {
        let (o, qty) = self.take_execution();
        let m = self.next_match;
        self.next_match += 1;
        let printable = if self.rng.random_bool(0.8) {
            b'Y'
        } else {
            b'N'
        };
        let price = if o.side == b'B' {
            o.price.saturating_sub(TICK)
        } else {
            o.price + TICK
        };
        let h = self.header(o.locate);
        itch::order_executed_with_price(out, h, o.reference, qty, m, printable, price);
        b'C'
    }

    fn trade(&mut self, out: &mut Vec<u8>) -> u8 {
        let s = self.pick_symbol();
        let m = self.next_match;
        self.next_match += 1;
        let h = self.header(s + 1);
        let side = if self.rng.random_bool(0.5) {
            b'B'
        } else {
            b'S'
        };
        let qty = 100 * self.rng.random_range(1..=10u32);
        let mid = self.mids[usize::from(s)];
        itch::trade(out, h, 0, side, qty, &self.names[usize::from(s)], mid, m);
        b'P'
    }

    fn stock_directory(&mut self, out: &mut Vec<u8>, h: Header, s: u16) {
        let r = &mut self.rng;
        let name = self.names[usize::from(s)].clone();
        let mut b = Vec::with_capacity(39);
        itch::stock_directory(
            &mut b,
            h,
            &name,
            b'Q',
            100,
            if r.random_bool(0.3) { b'1' } else { b'2' },
            b'N',
        );
        // Vary the enumerated fields within their valid sets.
        b[19] = MARKET_CATEGORIES[r.random_range(0..MARKET_CATEGORIES.len())];
        b[20] = FINANCIAL_STATUS[r.random_range(0..FINANCIAL_STATUS.len())];
        b[25] = if r.random_bool(0.5) { b'Y' } else { b'N' };
        b[26] = ISSUE_CLASSES[r.random_range(0..ISSUE_CLASSES.len())];
        b[27..29].copy_from_slice([b"Z ", b"RT", b"C ", b"A "][r.random_range(0..4)]);
        b[29] = if r.random_bool(0.5) { b'P' } else { b'T' };
        b[30] = b"YN "[r.random_range(0..3)];
        b[31] = b"YN "[r.random_range(0..3)];
        b[33] = b"YN "[r.random_range(0..3)];
        b[34..38].copy_from_slice(&r.random_range(0..4u32).to_be_bytes());
        b[38] = if r.random_bool(0.5) { b'Y' } else { b'N' };
        out.extend_from_slice(&b);
    }

    /// The remaining types, each rarely, with valid field values.
    fn rare(&mut self, out: &mut Vec<u8>) -> u8 {
        let s = self.pick_symbol();
        let locate = s + 1;
        let name = self.names[usize::from(s)].clone();
        let h = self.header(locate);
        let kinds: &[u8] = if self.config.include_all_types {
            b"SHYLVWKJQBINhO"
        } else {
            b"SHYLVWKJQBIN"
        };
        let kind = kinds[self.rng.random_range(0..kinds.len())];
        let r = &mut self.rng;
        let pick = |r: &mut StdRng, set: &[u8]| set[r.random_range(0..set.len())];
        let mid = self.mids[usize::from(s)];
        match kind {
            b'S' => itch::system_event(out, Header { locate: 0, ..h }, pick(r, b"OSQMEC")),
            b'H' => itch::trading_action(
                out,
                h,
                &name,
                pick(r, b"HPQT"),
                ["", "LUDP", "MWC1", "T1"][r.random_range(0..4)],
            ),
            b'Y' => itch::reg_sho(out, h, &name, pick(r, b"012")),
            b'L' => itch::market_participant_position(
                out,
                h,
                "MMKR",
                &name,
                pick(r, b"YN"),
                pick(r, b"NPSRL"),
                pick(r, b"AEWSD"),
            ),
            b'V' => itch::mwcb_decline_level(
                out,
                Header { locate: 0, ..h },
                r.random(),
                r.random(),
                r.random(),
            ),
            b'W' => itch::mwcb_status(out, Header { locate: 0, ..h }, pick(r, b"123")),
            b'K' => itch::ipo_quoting_period_update(out, h, &name, r.random(), pick(r, b"AC"), mid),
            b'J' => itch::luld_auction_collar(
                out,
                h,
                &name,
                mid,
                mid + 5 * TICK,
                mid.saturating_sub(5 * TICK),
                r.random_range(0..3),
            ),
            b'Q' => {
                let m = self.next_match;
                self.next_match += 1;
                itch::cross_trade(
                    out,
                    h,
                    r.random_range(0..1_000_000),
                    &name,
                    mid,
                    m,
                    pick(r, b"OCHIA"),
                )
            }
            b'B' => itch::broken_trade(
                out,
                Header { locate: 0, ..h },
                r.random_range(1..self.next_match.max(2)),
            ),
            b'I' => itch::noii(
                out,
                h,
                r.random_range(0..1_000_000),
                r.random_range(0..100_000),
                pick(r, b"BSNO"),
                &name,
                mid,
                mid,
                mid,
                pick(r, b"OCHA"),
                pick(r, b"LABCDEFG123 "),
            ),
            b'N' => itch::retail_interest(out, h, &name, pick(r, b"BSAN")),
            b'h' => itch::operational_halt(out, h, &name, pick(r, b"QBX"), pick(r, b"HT")),
            _ => itch::direct_listing_price_discovery(
                out,
                h,
                &name,
                pick(r, b"YN"),
                mid,
                mid + TICK,
                mid,
                r.random(),
                mid,
                mid + TICK,
            ),
        }
        kind
    }

    /// Appends `n` messages in the flat-file framing (2-byte big-endian
    /// length, then the message), as Nasdaq's ITCH files and itchy use.
    pub fn write_flat(&mut self, n: u64, out: &mut Vec<u8>) {
        let mut msg = Vec::with_capacity(64);
        for _ in 0..n {
            msg.clear();
            self.next_message(&mut msg);
            out.extend_from_slice(&(msg.len() as u16).to_be_bytes());
            out.extend_from_slice(&msg);
        }
    }
}

/// A 1-to-8 letter symbol for index `i` (AAAA, AAAB, ...).
pub fn symbol_name(i: u16) -> String {
    let mut n = u32::from(i);
    let mut s = Vec::new();
    for _ in 0..4 {
        s.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}

/// Calls `f` with the parsed messages of a flat-file buffer in runs of
/// `run_len` (at least 1), as a feed handler gets a packet's (for
/// `MarketData::on_messages`). Returns how many messages did not parse
/// (left out of the runs).
pub fn for_each_run(buf: &[u8], run_len: usize, mut f: impl FnMut(&[ItchMessage<'_>])) -> u64 {
    let mut unparsed = 0;
    let mut run = Vec::with_capacity(run_len.max(1));
    for m in flat_messages(buf) {
        match ItchMessage::parse(m) {
            Ok(message) => run.push(message),
            Err(_) => unparsed += 1,
        }
        if run.len() >= run_len {
            f(&run);
            run.clear();
        }
    }
    if !run.is_empty() {
        f(&run);
    }
    unparsed
}

/// Iterates the messages of a flat-file buffer; the length prefix is
/// checked against the type's length (a file whose prefixes are zero, like
/// RITCH's sample, is framed by type instead).
pub fn flat_messages(buf: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = buf;
    std::iter::from_fn(move || {
        let (&[hi, lo], tail) = rest.split_first_chunk::<2>()?;
        let declared = usize::from(u16::from_be_bytes([hi, lo]));
        let len = if declared == 0 {
            crate::wire::itch::message_len(*tail.first()?)?
        } else {
            declared
        };
        let (msg, next) = (tail.get(..len)?, tail.get(len..)?);
        rest = next;
        Some(msg)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::venue_book::VenueBook;
    use crate::wire::itch::ItchMessage;

    #[test]
    fn runs_hold_every_parsed_message_in_order_and_unparsed_ones_are_counted() {
        let mut g = MarketGenerator::new(GeneratorConfig {
            symbols: 3,
            seed: 1,
            target_live_orders: 50,
            include_all_types: false,
        });
        let mut buf = Vec::new();
        g.write_flat(70, &mut buf);
        // A framed block of an unknown type, among the valid ones.
        buf.extend_from_slice(&[0, 3, b'~', 0, 0]);
        g.write_flat(5, &mut buf);
        let mut lens = Vec::new();
        let mut seen = Vec::new();
        let unparsed = for_each_run(&buf, 32, |run| {
            lens.push(run.len());
            seen.extend(run.iter().map(|m| m.timestamp_ns()));
        });
        assert_eq!(unparsed, 1);
        assert_eq!(lens, [32, 32, 11]);
        let want: Vec<u64> = flat_messages(&buf)
            .filter_map(|m| ItchMessage::parse(m).ok())
            .map(|m| m.timestamp_ns())
            .collect();
        assert_eq!(seen, want);
    }

    #[test]
    fn every_reference_is_live_and_every_message_decodes() {
        let mut g = MarketGenerator::new(GeneratorConfig {
            symbols: 50,
            target_live_orders: 2_000,
            include_all_types: true,
            ..Default::default()
        });
        let mut buf = Vec::new();
        g.write_flat(200_000, &mut buf);
        let mut book = VenueBook::default();
        let mut types = std::collections::BTreeSet::new();
        let mut n = 0;
        for m in flat_messages(&buf) {
            let m = ItchMessage::parse(m).expect("every generated message decodes");
            types.insert(m.message_type());
            book.apply(&m);
            n += 1;
        }
        assert_eq!(n, 200_000);
        assert_eq!(
            book.stats().unknown_order_refs,
            0,
            "every reference is live"
        );
        assert_eq!(book.stats().duplicate_order_refs, 0);
        assert_eq!(book.live_orders(), g.live_orders());
        assert_eq!(types.len(), 23, "all 23 types appear: {types:?}");
    }

    #[test]
    fn symbol_names_are_distinct() {
        let names: std::collections::HashSet<String> = (0..10_000).map(symbol_name).collect();
        assert_eq!(names.len(), 10_000);
    }
}
