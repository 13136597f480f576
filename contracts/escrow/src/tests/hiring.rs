//! The hirer's methods: post_job, cancel_job, award, accept, reject, delete_job.

use super::sim::*;
use crate::{Config, EscrowError, Status};
use redoubt_contracts_common::storage_cost;

#[test]
fn post_job_holds_the_budget_and_charges_exact_storage() {
    let mut sim = Sim::new();
    let deadline = sim.now_ms + DAY_MS;
    let tags = vec!["summarize".to_string(), "gpu-a100".to_string()];
    let id = sim.call(HIRER, near(3), |e| e.post_job(near(2), deadline, tags.clone(), hash(9))).unwrap();
    assert_eq!(id, 0);
    let totals = sim.totals();
    assert_eq!(totals.escrowed, near(2));
    let storage = storage_cost(totals.storage_bytes);
    assert!(totals.storage_bytes > 100, "a job record takes real space: {}", totals.storage_bytes);
    // Everything above budget + storage came back.
    assert_eq!(sim.sent_to(HIRER), near(1).as_yoctonear() - storage.as_yoctonear());
    let events = sim.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].0, "job_posted");
    assert_eq!(events[0].1["budget"], near(2).as_yoctonear().to_string());
    assert_eq!(events[0].1["storage_deposit"], storage.as_yoctonear().to_string());
    assert_eq!(events[0].1["spec_hash"], hash(9).to_string());
    let job = sim.view(|e| e.get_job(id)).unwrap();
    assert_eq!((job.status, job.tags, job.deadline_ms, job.escrowed), (Status::Open, tags, deadline, near(2)));
    assert_eq!((job.worker, job.price, job.delivery, job.awarded_at_ms), (None, None, None, None));
    // Ids count up.
    assert_eq!(sim.post(near(1), 1), 1);
    assert_eq!(sim.view(|e| e.get_jobs(None, None)).len(), 2);
    assert_eq!(sim.view(|e| e.get_jobs(Some(1), Some(5)))[0].id, 1);
}

#[test]
fn post_job_refuses_a_deposit_one_yocto_short() {
    let mut sim = Sim::new();
    let deadline = sim.now_ms + DAY_MS;
    let post = |e: &mut crate::Escrow| e.post_job(near(1), deadline, vec![], hash(1));
    // Find the exact requirement from a successful post on a twin chain.
    let mut twin = Sim::new();
    twin.call(HIRER, near(2), post).unwrap();
    let required = near(1).saturating_add(storage_cost(twin.totals().storage_bytes));
    let short = yocto(required.as_yoctonear() - 1);
    let err = sim.call(HIRER, short, post).unwrap_err();
    assert_eq!(
        err,
        EscrowError::InsufficientDeposit(redoubt_contracts_common::InsufficientDeposit { required, attached: short })
    );
    assert_eq!(sim.totals().escrowed, zero(), "nothing was kept");
    assert!(sim.view(|e| e.get_job(0)).is_none());
    sim.call(HIRER, required, post).unwrap();
    assert_eq!(sim.sent_to(HIRER), 0, "an exact deposit leaves no change");
}

#[test]
fn post_job_refuses_bad_input() {
    let mut sim = Sim::new();
    let now = sim.now_ms;
    let min = Config::default().min_budget;
    let small = yocto(min.as_yoctonear() - 1);
    assert_eq!(
        sim.call(HIRER, near(1), |e| e.post_job(small, now + DAY_MS, vec![], hash(1))),
        Err(EscrowError::BudgetTooSmall { budget: small, min })
    );
    let bad_deadline = Err(EscrowError::BadDeadline { max_days: 365 });
    assert_eq!(sim.call(HIRER, near(2), |e| e.post_job(near(1), now, vec![], hash(1))), bad_deadline);
    assert_eq!(sim.call(HIRER, near(2), |e| e.post_job(near(1), now - 1, vec![], hash(1))), bad_deadline);
    assert_eq!(sim.call(HIRER, near(2), |e| e.post_job(near(1), now + 366 * DAY_MS, vec![], hash(1))), bad_deadline);
    for tag in ["", "Upper", "has space", "x".repeat(33).as_str(), "emoji-✓"] {
        assert_eq!(
            sim.call(HIRER, near(2), |e| e.post_job(near(1), now + DAY_MS, vec![tag.to_string()], hash(1))),
            Err(EscrowError::BadTag(tag.to_string()))
        );
    }
    let nine: Vec<String> = (0..9).map(|i| format!("t{i}")).collect();
    assert_eq!(
        sim.call(HIRER, near(2), |e| e.post_job(near(1), now + DAY_MS, nine, hash(1))),
        Err(EscrowError::TooManyTags(8))
    );
    assert_eq!(sim.totals().escrowed, zero());
}

#[test]
fn cancel_returns_the_budget_and_every_bid_deposit() {
    let mut sim = Sim::new();
    let id = sim.post(near(4), 7);
    assert!(sim.bid(id, NODES[0], near(3), true));
    assert!(sim.bid(id, NODES[1], near(2), true));
    assert_eq!(sim.call(NODES[0], zero(), |e| e.cancel_job(id)), Err(EscrowError::NotHirer));
    sim.call(HIRER, zero(), |e| e.cancel_job(id)).unwrap();
    assert_eq!(sim.sent_to(HIRER), near(4).as_yoctonear());
    assert!(sim.sent_to(NODES[0]) > 0 && sim.sent_to(NODES[1]) > 0, "bid storage refunded");
    assert_eq!(sim.event_names(), ["bid_removed", "bid_removed", "job_refunded", "job_cancelled"]);
    let job = sim.view(|e| e.get_job(id)).unwrap();
    assert_eq!((job.status, job.escrowed, job.bid_count), (Status::Cancelled, zero(), 0));
    // A second cancel (a second refund) is refused.
    let again = sim.call(HIRER, zero(), |e| e.cancel_job(id));
    assert_eq!(again, Err(EscrowError::WrongStatus { actual: Status::Cancelled, expected: "open" }));
    assert_eq!(sim.call(HIRER, zero(), |e| e.cancel_job(99)), Err(EscrowError::NoSuchJob(99)));
}

#[test]
fn award_holds_the_price_returns_the_rest_and_drops_losers() {
    let mut sim = Sim::new();
    let id = sim.post(near(10), 7);
    for (node, price) in NODES.iter().zip([9, 6, 7, 8]) {
        assert!(sim.bid(id, node, near(price), true));
    }
    let ranked = sim.view(|e| e.get_bids(id));
    let order: Vec<&str> = ranked.iter().map(|r| r.bidder.as_str()).collect();
    assert_eq!(order, [NODES[1], NODES[2], NODES[3], NODES[0]], "equal reputation: cheapest first");
    assert_eq!(ranked.iter().filter(|r| r.awardable).count(), 3);
    // The worst bid is outside the top 3.
    let err = sim.call(HIRER, zero(), |e| e.award(id, crate::tests::sim::acc(NODES[0])));
    assert_eq!(err, Err(EscrowError::NotInTopK { bidder: acc(NODES[0]), rank: 4, top_k: 3 }));
    assert_eq!(sim.call(NODES[1], zero(), |e| e.award(id, acc(NODES[1]))), Err(EscrowError::NotHirer));
    assert_eq!(
        sim.call(HIRER, zero(), |e| e.award(id, acc("nobody.near"))),
        Err(EscrowError::NoSuchBid(acc("nobody.near")))
    );
    // The hirer may pick the third best.
    sim.call(HIRER, zero(), |e| e.award(id, acc(NODES[3]))).unwrap();
    assert_eq!(sim.sent_to(HIRER), near(2).as_yoctonear(), "budget above the price goes back");
    for loser in [NODES[0], NODES[1], NODES[2]] {
        assert!(sim.sent_to(loser) > 0, "{loser} got its bid deposit back");
    }
    assert_eq!(sim.sent_to(NODES[3]), 0);
    let names = sim.event_names();
    assert_eq!(names.iter().filter(|n| *n == "bid_removed").count(), 3);
    assert!(names.contains(&"job_awarded".to_string()) && names.contains(&"job_refunded".to_string()));
    let job = sim.view(|e| e.get_job(id)).unwrap();
    assert_eq!(
        (job.status, job.worker, job.price, job.escrowed),
        (Status::Awarded, Some(acc(NODES[3])), Some(near(8)), near(8))
    );
    assert_eq!(job.awarded_at_ms, Some(sim.now_ms));
    // No second award.
    let err = sim.call(HIRER, zero(), |e| e.award(id, acc(NODES[3])));
    assert_eq!(err, Err(EscrowError::WrongStatus { actual: Status::Awarded, expected: "open" }));
}

#[test]
fn award_at_the_full_budget_refunds_nothing_and_after_the_deadline_is_refused() {
    let mut sim = Sim::new();
    let id = sim.post(near(2), 1);
    assert!(sim.bid(id, NODES[0], near(2), true));
    let late = sim.post(near(2), 1);
    assert!(sim.bid(late, NODES[1], near(1), true));
    sim.call(HIRER, zero(), |e| e.award(id, acc(NODES[0]))).unwrap();
    assert_eq!(sim.sent_to(HIRER), 0);
    sim.advance(DAY_MS + 1);
    assert_eq!(sim.call(HIRER, zero(), |e| e.award(late, acc(NODES[1]))), Err(EscrowError::DeadlinePassed));
}

#[test]
fn accept_pays_the_worker_less_the_fee_exactly_once() {
    let mut sim = Sim::new();
    let id = sim.delivered(near(5), NODES[0], near(4));
    assert_eq!(sim.call(NODES[0], zero(), |e| e.accept(id)), Err(EscrowError::NotHirer));
    sim.call(HIRER, zero(), |e| e.accept(id)).unwrap();
    let fee = near(4).as_yoctonear() / 100;
    assert_eq!(sim.sent_to(NODES[0]), near(4).as_yoctonear() - fee);
    assert_eq!(sim.totals().fees_accrued.as_yoctonear(), fee);
    assert_eq!(sim.event_names(), ["job_paid", "reputation_changed"]);
    assert_eq!(sim.events()[1].1["reputation"], 1);
    assert_eq!(sim.view(|e| e.get_node(acc(NODES[0]))).unwrap().jobs_accepted, 1);
    // A second payment is refused.
    let again = sim.call(HIRER, zero(), |e| e.accept(id));
    assert_eq!(
        again,
        Err(EscrowError::WrongStatus { actual: Status::Paid, expected: "delivered, rejected or contested" })
    );
    assert_eq!(sim.totals().escrowed, zero());
}

#[test]
fn accept_before_delivery_is_refused() {
    let mut sim = Sim::new();
    let id = sim.awarded(near(5), NODES[0], near(4));
    let err = sim.call(HIRER, zero(), |e| e.accept(id));
    assert_eq!(
        err,
        Err(EscrowError::WrongStatus { actual: Status::Awarded, expected: "delivered, rejected or contested" })
    );
}

#[test]
fn reject_only_within_the_review_window() {
    let mut sim = Sim::new();
    let id = sim.delivered(near(5), NODES[0], near(4));
    assert_eq!(sim.call(NODES[0], zero(), |e| e.reject(id)), Err(EscrowError::NotHirer));
    let late = sim.delivered(near(5), NODES[1], near(4));
    sim.call(HIRER, zero(), |e| e.reject(id)).unwrap();
    assert_eq!(sim.event_names(), ["job_rejected"]);
    assert_eq!(sim.events()[0].1["contest_until_ms"], sim.now_ms + Config::default().dispute_window_ms);
    assert!(sim.transfers.is_empty(), "a rejection moves no money yet");
    let again = sim.call(HIRER, zero(), |e| e.reject(id));
    assert_eq!(again, Err(EscrowError::WrongStatus { actual: Status::Rejected, expected: "delivered" }));
    sim.advance(Config::default().review_window_ms + 1);
    assert_eq!(sim.call(HIRER, zero(), |e| e.reject(late)), Err(EscrowError::ReviewWindowClosed));
    // The hirer may still concede a rejected job.
    sim.call(HIRER, zero(), |e| e.accept(id)).unwrap();
    assert!(sim.sent_to(NODES[0]) > 0);
}

#[test]
fn delete_job_returns_storage_to_hirer_and_worker() {
    let mut sim = Sim::new();
    let id = sim.delivered(near(5), NODES[0], near(4));
    let open = sim.post(near(1), 7);
    assert_eq!(
        sim.call(HIRER, zero(), |e| e.delete_job(id)),
        Err(EscrowError::WrongStatus { actual: Status::Delivered, expected: "paid, refunded or cancelled" })
    );
    assert!(matches!(sim.call(HIRER, zero(), |e| e.delete_job(open)), Err(EscrowError::WrongStatus { .. })));
    sim.call(HIRER, zero(), |e| e.accept(id)).unwrap();
    assert_eq!(sim.call(NODES[1], zero(), |e| e.delete_job(id)), Err(EscrowError::NotAParty));
    let before = sim.totals().storage_bytes;
    // The worker may delete it too.
    sim.call(NODES[0], zero(), |e| e.delete_job(id)).unwrap();
    assert!(sim.sent_to(HIRER) > 0 && sim.sent_to(NODES[0]) > 0);
    assert_eq!(sim.event_names(), ["bid_removed", "job_deleted"]);
    assert!(sim.totals().storage_bytes < before);
    assert!(sim.view(|e| e.get_job(id)).is_none());
    assert_eq!(sim.call(HIRER, zero(), |e| e.delete_job(id)), Err(EscrowError::NoSuchJob(id)));
    // The node's reputation record stays.
    assert_eq!(sim.view(|e| e.get_node(acc(NODES[0]))).unwrap().reputation, 1);
}
