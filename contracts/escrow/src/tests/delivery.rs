//! Delivery against the registry's anchors, and contesting a rejection.

use super::sim::*;
use crate::{Config, EscrowError, Status};
use redoubt_contracts_common::Anchor;

#[test]
fn delivery_is_recorded_with_the_anchored_root() {
    let mut sim = Sim::new();
    let id = sim.awarded(near(3), NODES[0], near(2));
    sim.advance(HOUR_MS);
    sim.call(NODES[0], zero(), |e| e.deliver(id, hash(5), 9).map(drop)).unwrap();
    let lookup = sim.scheduled("get_anchor");
    assert_eq!(lookup.args["account_id"], NODES[0]);
    assert_eq!(sim.view(|e| e.get_job(id)).unwrap().status, Status::Awarded, "nothing recorded before the answer");
    let anchor = Anchor { batch_index: 9, root: hash(0xbb), count: 3, anchored_at_ms: sim.now_ms };
    sim.complete_delivery(Some(Some(anchor))).unwrap();
    let job = sim.view(|e| e.get_job(id)).unwrap();
    assert_eq!(job.status, Status::Delivered);
    let delivery = job.delivery.unwrap();
    assert_eq!(
        (delivery.receipt_hash, delivery.batch_index, delivery.batch_root, delivery.batch_count),
        (hash(5), 9, hash(0xbb), 3)
    );
    assert_eq!(sim.event_names(), ["job_delivered"]);
    assert_eq!(sim.events()[0].1["batch_root"], hash(0xbb).to_string());
}

#[test]
fn delivery_with_an_unanchored_batch_is_refused() {
    let mut sim = Sim::new();
    let id = sim.awarded(near(3), NODES[0], near(2));
    sim.call(NODES[0], zero(), |e| e.deliver(id, hash(5), 9).map(drop)).unwrap();
    assert_eq!(sim.complete_delivery(Some(None)), Err(EscrowError::BatchNotAnchored(9)));
    sim.call(NODES[0], zero(), |e| e.deliver(id, hash(5), 9).map(drop)).unwrap();
    // A registry answering for another batch does not count.
    let wrong = sim.anchor(8);
    assert_eq!(sim.complete_delivery(Some(Some(wrong))), Err(EscrowError::BatchNotAnchored(9)));
    sim.call(NODES[0], zero(), |e| e.deliver(id, hash(5), 9).map(drop)).unwrap();
    assert_eq!(sim.complete_delivery(None), Err(EscrowError::RegistryUnavailable));
    assert_eq!(sim.view(|e| e.get_job(id)).unwrap().status, Status::Awarded);
}

#[test]
fn a_batch_anchored_before_the_award_cannot_hold_the_receipt() {
    let mut sim = Sim::new();
    let old = sim.anchor(3);
    sim.advance(HOUR_MS);
    let id = sim.awarded(near(3), NODES[0], near(2));
    sim.call(NODES[0], zero(), |e| e.deliver(id, hash(5), 3).map(drop)).unwrap();
    assert_eq!(sim.complete_delivery(Some(Some(old))), Err(EscrowError::BatchBeforeAward(3)));
}

#[test]
fn deliver_is_refused_to_others_twice_and_late() {
    let mut sim = Sim::new();
    let id = sim.awarded(near(3), NODES[0], near(2));
    assert_eq!(sim.call(NODES[1], zero(), |e| e.deliver(id, hash(5), 1).map(drop)), Err(EscrowError::NotWorker));
    assert_eq!(sim.call(HIRER, zero(), |e| e.deliver(id, hash(5), 1).map(drop)), Err(EscrowError::NotWorker));
    let open = sim.post(near(3), 7);
    assert!(sim.bid(open, NODES[0], near(1), true));
    assert_eq!(sim.call(NODES[0], zero(), |e| e.deliver(open, hash(5), 1).map(drop)), Err(EscrowError::NotWorker));
    let late = sim.awarded(near(3), NODES[1], near(2));
    sim.call(NODES[0], zero(), |e| e.deliver(id, hash(5), 1).map(drop)).unwrap();
    let anchor = sim.anchor(1);
    sim.complete_delivery(Some(Some(anchor))).unwrap();
    let again = sim.call(NODES[0], zero(), |e| e.deliver(id, hash(6), 1).map(drop));
    assert_eq!(again, Err(EscrowError::WrongStatus { actual: Status::Delivered, expected: "awarded" }));
    sim.advance(7 * DAY_MS + 1);
    assert_eq!(sim.call(NODES[1], zero(), |e| e.deliver(late, hash(5), 1).map(drop)), Err(EscrowError::DeadlinePassed));
}

#[test]
fn a_delivery_callback_for_a_job_timed_out_meanwhile_is_refused() {
    let mut sim = Sim::new();
    let id = sim.awarded(near(3), NODES[0], near(2));
    sim.advance(7 * DAY_MS);
    sim.call(NODES[0], zero(), |e| e.deliver(id, hash(5), 1).map(drop)).unwrap();
    let pending = sim.calls.clone();
    sim.advance(1);
    sim.call("anyone.near", zero(), |e| e.settle(id)).unwrap();
    sim.calls = pending;
    let anchor = sim.anchor(1);
    let err = sim.complete_delivery(Some(Some(anchor)));
    assert_eq!(err, Err(EscrowError::WrongStatus { actual: Status::Refunded, expected: "awarded" }));
}

#[test]
fn contest_only_by_the_worker_within_the_dispute_window() {
    let mut sim = Sim::new();
    let id = sim.delivered(near(3), NODES[0], near(2));
    assert_eq!(
        sim.call(NODES[0], zero(), |e| e.contest(id)),
        Err(EscrowError::WrongStatus { actual: Status::Delivered, expected: "rejected" })
    );
    sim.call(HIRER, zero(), |e| e.reject(id)).unwrap();
    assert_eq!(sim.call(HIRER, zero(), |e| e.contest(id)), Err(EscrowError::NotWorker));
    let late = sim.delivered(near(3), NODES[1], near(2));
    sim.call(HIRER, zero(), |e| e.reject(late)).unwrap();
    sim.call(NODES[0], zero(), |e| e.contest(id)).unwrap();
    assert_eq!(sim.event_names(), ["job_contested"]);
    assert_eq!(sim.view(|e| e.get_job(id)).unwrap().status, Status::Contested);
    sim.advance(Config::default().dispute_window_ms + 1);
    assert_eq!(sim.call(NODES[1], zero(), |e| e.contest(late)), Err(EscrowError::DisputeWindowClosed));
}
