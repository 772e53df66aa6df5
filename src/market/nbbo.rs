//! The consolidated best bid and offer across venues, and whether the
//! market is locked (bid = offer) or crossed (bid > offer).

/// One side's best price, its size and the venue showing it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Best {
    pub price: u32,
    pub qty: u64,
    pub venue: u8,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Nbbo {
    pub bid: Option<Best>,
    pub ask: Option<Best>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarketCondition {
    Normal,
    /// The best bid equals the best offer.
    Locked,
    /// The best bid is above the best offer.
    Crossed,
    /// One side or both are empty.
    OneSided,
}

impl Nbbo {
    /// The best of per-venue top-of-book quotes `(venue, bid, ask)`; on a tie
    /// the larger size wins, then the lower venue number.
    pub fn from_venues(
        quotes: impl IntoIterator<Item = (u8, Option<(u32, u64)>, Option<(u32, u64)>)>,
    ) -> Nbbo {
        let mut n = Nbbo::default();
        for (venue, bid, ask) in quotes {
            if let Some((price, qty)) = bid {
                let better = match n.bid {
                    None => true,
                    Some(b) => price > b.price || (price == b.price && qty > b.qty),
                };
                if better {
                    n.bid = Some(Best { price, qty, venue });
                }
            }
            if let Some((price, qty)) = ask {
                let better = match n.ask {
                    None => true,
                    Some(a) => price < a.price || (price == a.price && qty > a.qty),
                };
                if better {
                    n.ask = Some(Best { price, qty, venue });
                }
            }
        }
        n
    }

    pub fn condition(&self) -> MarketCondition {
        match (self.bid, self.ask) {
            (Some(b), Some(a)) if b.price == a.price => MarketCondition::Locked,
            (Some(b), Some(a)) if b.price > a.price => MarketCondition::Crossed,
            (Some(_), Some(_)) => MarketCondition::Normal,
            _ => MarketCondition::OneSided,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_bid_is_highest_and_best_ask_lowest_across_venues() {
        let n = Nbbo::from_venues([
            (0, Some((100, 5)), Some((103, 5))),
            (1, Some((101, 1)), Some((104, 9))),
            (2, None, Some((102, 2))),
        ]);
        assert_eq!(
            n.bid,
            Some(Best {
                price: 101,
                qty: 1,
                venue: 1
            })
        );
        assert_eq!(
            n.ask,
            Some(Best {
                price: 102,
                qty: 2,
                venue: 2
            })
        );
        assert_eq!(n.condition(), MarketCondition::Normal);
    }

    #[test]
    fn locked_crossed_and_one_sided_markets_are_classified() {
        assert_eq!(
            Nbbo::from_venues([(0, Some((100, 1)), None), (1, None, Some((100, 1)))]).condition(),
            MarketCondition::Locked
        );
        assert_eq!(
            Nbbo::from_venues([(0, Some((101, 1)), None), (1, None, Some((100, 1)))]).condition(),
            MarketCondition::Crossed
        );
        assert_eq!(
            Nbbo::from_venues([(0, Some((101, 1)), None)]).condition(),
            MarketCondition::OneSided
        );
    }
}
