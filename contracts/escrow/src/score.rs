//! The award score: how bids on a job are ranked by price and the bidder's reputation.
//!
//! All arithmetic is integer, in basis points (bps, 10 000 = 1):
//!
//! ```text
//! price_score = (budget - price) * 10 000 / budget                 0 for a bid at the full budget
//! rep         = clamp(reputation, -REPUTATION_CAP, +REPUTATION_CAP)
//! rep_score   = (rep + REPUTATION_CAP) * 10 000 / (2 * REPUTATION_CAP)   0 at -20, 5 000 at 0, 10 000 at +20
//! score       = (price_weight * price_score + (10 000 - price_weight) * rep_score) / 10 000
//! ```
//!
//! Bids are ranked by score, highest first; equal scores keep the order the bids were placed in. The hirer
//! may award any bid ranked `1..=top_k`.

use crate::config::BPS;
use crate::job::Bid;
use near_sdk::{AccountId, NearToken, near};

/// Reputation beyond ±20 counts as ±20 in the score, so a long history cannot outweigh price entirely.
pub const REPUTATION_CAP: i64 = 20;

/// The score of a bid at `price` on a job with `budget`, from a node with `reputation`, in bps.
pub fn score_bps(budget: NearToken, price: NearToken, reputation: i64, price_weight_bps: u16) -> u32 {
    let budget = budget.as_yoctonear();
    let price = price.as_yoctonear().min(budget);
    let bps = u128::from(BPS);
    let price_score = (budget - price).saturating_mul(bps).checked_div(budget).unwrap_or(0);
    let rep = reputation.clamp(-REPUTATION_CAP, REPUTATION_CAP) + REPUTATION_CAP;
    let rep_score = (rep as u128) * bps / (2 * REPUTATION_CAP as u128);
    let price_weight = u128::from(price_weight_bps.min(BPS));
    let score = (price_weight * price_score + (bps - price_weight) * rep_score) / bps;
    score as u32
}

/// A bid with its place in the ranking, as `get_bids` returns it.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RankedBid {
    /// 1 for the best score.
    pub rank: u32,
    /// The bidding node.
    pub bidder: AccountId,
    /// Price asked.
    pub price: NearToken,
    /// ETA in ms.
    pub eta_ms: u64,
    /// The bidder's reputation now.
    pub reputation: i64,
    /// The score, in bps.
    pub score_bps: u32,
    /// Whether the hirer may award this bid (rank within `top_k`).
    pub awardable: bool,
}

/// Ranks `bids` on a job with `budget`, best first, looking reputations up with `reputation`.
pub fn rank(
    budget: NearToken,
    bids: &[Bid],
    reputation: impl Fn(&AccountId) -> i64,
    price_weight_bps: u16,
    top_k: u8,
) -> Vec<RankedBid> {
    let mut scored: Vec<(u32, i64, &Bid)> = bids
        .iter()
        .map(|bid| {
            let rep = reputation(&bid.bidder);
            (score_bps(budget, bid.price, rep, price_weight_bps), rep, bid)
        })
        .collect();
    // A stable sort keeps placement order among equal scores.
    scored.sort_by_key(|s| std::cmp::Reverse(s.0));
    scored
        .into_iter()
        .enumerate()
        .map(|(i, (score_bps, reputation, bid))| RankedBid {
            rank: i as u32 + 1,
            bidder: bid.bidder.clone(),
            price: bid.price,
            eta_ms: bid.eta_ms,
            reputation,
            score_bps,
            awardable: i < usize::from(top_k),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(n: u128) -> NearToken {
        NearToken::from_near(n)
    }

    fn bid(name: &str, price: u128) -> Bid {
        Bid { bidder: name.parse().unwrap(), price: near(price), eta_ms: 1, placed_at_ms: 0, storage_bytes: 0 }
    }

    #[test]
    fn score_formula_endpoints() {
        // A free bid from a node at the reputation cap scores the maximum.
        assert_eq!(score_bps(near(10), near(0), 20, 6_000), 10_000);
        // A bid at the full budget from a node at the floor scores zero.
        assert_eq!(score_bps(near(10), near(10), -20, 6_000), 0);
        // Half the budget, neutral reputation: 0.6 * 5000 + 0.4 * 5000.
        assert_eq!(score_bps(near(10), near(5), 0, 6_000), 5_000);
        // Reputation beyond the cap counts as the cap.
        assert_eq!(score_bps(near(10), near(5), 1_000, 6_000), score_bps(near(10), near(5), 20, 6_000));
        assert_eq!(score_bps(near(10), near(5), i64::MIN, 6_000), score_bps(near(10), near(5), -20, 6_000));
        // Price-only and reputation-only weights.
        assert_eq!(score_bps(near(10), near(2), -20, 10_000), 8_000);
        assert_eq!(score_bps(near(10), near(2), 10, 0), 7_500);
    }

    #[test]
    fn reputation_can_beat_a_lower_price() {
        let bids = [bid("cheap.near", 5), bid("trusted.near", 6)];
        let rep = |a: &AccountId| if a.as_str() == "trusted.near" { 20 } else { -10 };
        let ranked = rank(near(10), &bids, rep, 6_000, 1);
        assert_eq!(ranked[0].bidder.as_str(), "trusted.near");
        assert!(ranked[0].awardable && !ranked[1].awardable);
        assert_eq!((ranked[0].rank, ranked[1].rank), (1, 2));
    }

    #[test]
    fn ties_keep_placement_order() {
        let bids = [bid("first.near", 5), bid("second.near", 5), bid("third.near", 5)];
        let ranked = rank(near(10), &bids, |_| 0, 6_000, 2);
        let order: Vec<_> = ranked.iter().map(|r| r.bidder.as_str()).collect();
        assert_eq!(order, ["first.near", "second.near", "third.near"]);
        assert_eq!(ranked.iter().filter(|r| r.awardable).count(), 2);
    }

    #[test]
    fn huge_amounts_do_not_overflow() {
        let max = NearToken::from_yoctonear(u128::MAX / 10_000);
        assert_eq!(score_bps(max, NearToken::from_yoctonear(0), 0, 10_000), 10_000);
    }
}
