//! Time limits (`settle`) and arbitration (`resolve`): who gets paid, who loses reputation, and that a
//! closed job never pays again.

use super::sim::*;
use crate::settle::Settlement;
use crate::{Config, EscrowError, Status};

fn reputation(sim: &mut Sim, node: &str) -> i64 {
    sim.view(|e| e.get_node(acc(node))).map_or(0, |n| n.reputation)
}

#[test]
fn nothing_settles_before_its_time() {
    let mut sim = Sim::new();
    let open = sim.post(near(2), 1);
    let awarded = sim.awarded(near(2), NODES[0], near(1));
    let delivered = sim.delivered(near(2), NODES[1], near(1));
    for id in [open, awarded, delivered] {
        assert_eq!(sim.call("anyone.near", zero(), |e| e.settle(id)), Err(EscrowError::NothingToSettle));
    }
    assert_eq!(sim.call("anyone.near", zero(), |e| e.settle(42)), Err(EscrowError::NoSuchJob(42)));
}

#[test]
fn an_unawarded_job_past_its_deadline_refunds_the_hirer_and_the_bidders() {
    let mut sim = Sim::new();
    let id = sim.post(near(2), 1);
    assert!(sim.bid(id, NODES[0], near(1), true));
    sim.advance(DAY_MS + 1);
    assert_eq!(sim.call("anyone.near", zero(), |e| e.settle(id)), Ok(Settlement::ExpiredUnawarded));
    assert_eq!(sim.sent_to(HIRER), near(2).as_yoctonear());
    assert!(sim.sent_to(NODES[0]) > 0);
    assert_eq!(sim.event_names(), ["bid_removed", "job_refunded", "job_settled"]);
    assert_eq!(sim.view(|e| e.get_job(id)).unwrap().status, Status::Refunded);
}

#[test]
fn a_missed_deadline_refunds_the_hirer_and_costs_the_worker() {
    let mut sim = Sim::new();
    let id = sim.awarded(near(3), NODES[0], near(2));
    sim.advance(7 * DAY_MS + 1);
    assert_eq!(sim.call("anyone.near", zero(), |e| e.settle(id)), Ok(Settlement::DeadlineMissed));
    assert_eq!(sim.sent_to(HIRER), near(2).as_yoctonear());
    assert_eq!(sim.sent_to(NODES[0]), 0);
    assert_eq!(reputation(&mut sim, NODES[0]), -2);
    assert_eq!(sim.event_names(), ["job_refunded", "reputation_changed", "job_settled"]);
    assert_eq!(sim.view(|e| e.get_node(acc(NODES[0]))).unwrap().deadlines_missed, 1);
    // A second settlement (a second refund) is refused, and so is a late delivery.
    assert_eq!(sim.call("anyone.near", zero(), |e| e.settle(id)), Err(EscrowError::NothingToSettle));
    let err = sim.call(NODES[0], zero(), |e| e.deliver(id, hash(1), 1).map(drop));
    assert!(matches!(err, Err(EscrowError::WrongStatus { actual: Status::Refunded, .. })));
}

#[test]
fn an_unreviewed_delivery_pays_the_worker() {
    let mut sim = Sim::new();
    let id = sim.delivered(near(3), NODES[0], near(2));
    sim.advance(Config::default().review_window_ms + 1);
    assert_eq!(sim.call(NODES[0], zero(), |e| e.settle(id)), Ok(Settlement::ReviewWindowElapsed));
    assert_eq!(sim.sent_to(NODES[0]), near(2).as_yoctonear() * 99 / 100);
    assert_eq!(reputation(&mut sim, NODES[0]), 1);
    assert_eq!(
        sim.call(HIRER, zero(), |e| e.reject(id)),
        Err(EscrowError::WrongStatus { actual: Status::Paid, expected: "delivered" })
    );
}

#[test]
fn an_uncontested_rejection_refunds_the_hirer_and_the_worker_loses_the_dispute() {
    let mut sim = Sim::new();
    let id = sim.delivered(near(3), NODES[0], near(2));
    sim.call(HIRER, zero(), |e| e.reject(id)).unwrap();
    sim.advance(Config::default().dispute_window_ms);
    assert_eq!(sim.call(HIRER, zero(), |e| e.settle(id)), Err(EscrowError::NothingToSettle), "window still open");
    sim.advance(1);
    assert_eq!(sim.call(HIRER, zero(), |e| e.settle(id)), Ok(Settlement::RejectionUncontested));
    assert_eq!(sim.sent_to(HIRER), near(2).as_yoctonear());
    assert_eq!(reputation(&mut sim, NODES[0]), -3);
    assert_eq!(sim.view(|e| e.get_node(acc(NODES[0]))).unwrap().disputes_lost, 1);
}

#[test]
fn an_expired_arbitration_refunds_the_hirer_without_blame() {
    let mut sim = Sim::new();
    let id = sim.delivered(near(3), NODES[0], near(2));
    sim.call(HIRER, zero(), |e| e.reject(id)).unwrap();
    sim.call(NODES[0], zero(), |e| e.contest(id)).unwrap();
    sim.advance(Config::default().arbitration_window_ms + 1);
    assert_eq!(sim.call(HIRER, zero(), |e| e.settle(id)), Ok(Settlement::ArbitrationExpired));
    assert_eq!(sim.sent_to(HIRER), near(2).as_yoctonear());
    assert_eq!(reputation(&mut sim, NODES[0]), 0);
    assert!(!sim.event_names().contains(&"reputation_changed".to_string()));
}

fn contested(sim: &mut Sim, hirer_is_node: bool) -> u64 {
    if hirer_is_node {
        // The hirer once bid on someone else's job, so it has a reputation record.
        let other = sim.call(NODES[3], near(2), |e| e.post_job(near(1), START_MS + DAY_MS, vec![], hash(3))).unwrap();
        assert!(sim.bid(other, HIRER, near(1), true));
    }
    let id = sim.delivered(near(3), NODES[0], near(2));
    sim.call(HIRER, zero(), |e| e.reject(id)).unwrap();
    sim.call(NODES[0], zero(), |e| e.contest(id)).unwrap();
    id
}

#[test]
fn the_arbiter_rules_for_the_worker() {
    let mut sim = Sim::new();
    let id = contested(&mut sim, true);
    assert_eq!(sim.call(OWNER, yocto(1), |e| e.resolve(id, true)), Err(EscrowError::NotArbiter));
    assert_eq!(sim.call(NODES[0], yocto(1), |e| e.resolve(id, true)), Err(EscrowError::NotArbiter));
    assert_eq!(sim.call(ARBITER, zero(), |e| e.resolve(id, true)), Err(EscrowError::ConfirmationDeposit));
    sim.call(ARBITER, yocto(1), |e| e.resolve(id, true)).unwrap();
    assert_eq!(sim.sent_to(NODES[0]), near(2).as_yoctonear() * 99 / 100);
    assert_eq!(sim.sent_to(HIRER), 0);
    assert_eq!(reputation(&mut sim, NODES[0]), 1);
    assert_eq!(reputation(&mut sim, HIRER), -3, "a hirer that is a node loses the dispute");
    assert_eq!(sim.event_names(), ["job_paid", "reputation_changed", "reputation_changed", "dispute_resolved"]);
    assert_eq!(sim.events()[3].1["winner"], NODES[0]);
    // No second ruling, no settlement after it.
    assert!(matches!(sim.call(ARBITER, yocto(1), |e| e.resolve(id, false)), Err(EscrowError::WrongStatus { .. })));
    sim.advance(30 * DAY_MS);
    assert_eq!(sim.call(HIRER, zero(), |e| e.settle(id)), Err(EscrowError::NothingToSettle));
}

#[test]
fn the_arbiter_rules_for_the_hirer() {
    let mut sim = Sim::new();
    let id = contested(&mut sim, false);
    sim.call(ARBITER, yocto(1), |e| e.resolve(id, false)).unwrap();
    assert_eq!(sim.sent_to(HIRER), near(2).as_yoctonear());
    assert_eq!(sim.sent_to(NODES[0]), 0);
    assert_eq!(reputation(&mut sim, NODES[0]), -3);
    assert_eq!(sim.view(|e| e.get_job(id)).unwrap().status, Status::Refunded);
    // The arbiter cannot rule on a job that is not contested.
    let delivered = sim.delivered(near(3), NODES[1], near(2));
    let err = sim.call(ARBITER, yocto(1), |e| e.resolve(delivered, true));
    assert_eq!(err, Err(EscrowError::WrongStatus { actual: Status::Delivered, expected: "contested" }));
}

#[test]
fn reputation_steers_the_next_award() {
    let mut sim = Sim::new();
    // NODES[0] builds reputation 3 with three paid jobs; NODES[1] misses a deadline.
    for _ in 0..3 {
        let id = sim.delivered(near(2), NODES[0], near(1));
        sim.call(HIRER, zero(), |e| e.accept(id)).unwrap();
    }
    let missed = sim.awarded(near(2), NODES[1], near(1));
    sim.advance(8 * DAY_MS);
    sim.call(HIRER, zero(), |e| e.settle(missed)).unwrap();
    let mut price_light = sim.view(|e| e.get_config()).config;
    price_light.price_weight_bps = 2_000;
    price_light.top_k = 1;
    sim.call(OWNER, yocto(1), |e| e.set_config(price_light)).unwrap();
    let id = sim.post(near(10), 7);
    assert!(sim.bid(id, NODES[1], near(5), true));
    assert!(sim.bid(id, NODES[0], near(6), true));
    let ranked = sim.view(|e| e.get_bids(id));
    assert_eq!(ranked[0].bidder.as_str(), NODES[0], "the trusted node outranks the cheaper one");
    assert_eq!((ranked[0].reputation, ranked[1].reputation), (3, -2));
    assert!(matches!(
        sim.call(HIRER, zero(), |e| e.award(id, acc(NODES[1]))),
        Err(EscrowError::NotInTopK { rank: 2, .. })
    ));
    sim.call(HIRER, zero(), |e| e.award(id, acc(NODES[0]))).unwrap();
}
