//! Bids: the registry check, storage charging, every refusal, withdrawal.

use super::sim::*;
use crate::config::MAX_BIDS_PER_JOB;
use crate::{EscrowError, Status};
use redoubt_contracts_common::storage_cost;

#[test]
fn a_bid_is_recorded_only_after_the_registry_says_active() {
    let mut sim = Sim::new();
    let id = sim.post(near(3), 7);
    let before = sim.totals().storage_bytes;
    sim.call(NODES[0], milli(50), |e| e.place_bid(id, near(2), HOUR_MS).map(drop)).unwrap();
    // Nothing recorded yet: the deposit waits for the registry's answer.
    assert_eq!(sim.view(|e| e.get_bids(id)).len(), 0);
    assert_eq!(sim.totals().in_flight, milli(50));
    assert!(sim.logs.is_empty());
    let check = sim.scheduled("is_active");
    assert_eq!(
        (check.receiver.as_str(), &check.args["account_id"]),
        (REGISTRY, &near_sdk::serde_json::json!(NODES[0]))
    );
    assert!(sim.complete_bid(Some(true)));
    let totals = sim.totals();
    assert_eq!(totals.in_flight, zero());
    let charged = storage_cost(totals.storage_bytes - before);
    assert_eq!(sim.sent_to(NODES[0]), milli(50).as_yoctonear() - charged.as_yoctonear(), "change returned");
    assert_eq!(sim.event_names(), ["bid_placed"]);
    assert_eq!(sim.events()[0].1["storage_deposit"], charged.as_yoctonear().to_string());
    let bids = sim.view(|e| e.get_bids(id));
    assert_eq!((bids.len(), bids[0].bidder.as_str(), bids[0].price, bids[0].reputation), (1, NODES[0], near(2), 0));
    assert!(sim.view(|e| e.get_node(acc(NODES[0]))).is_some(), "first bid creates the reputation record");
    // A second bid by the same node (another job) pays only for the bid, not for a second record.
    let other = sim.post(near(3), 7);
    let before = sim.totals().storage_bytes;
    assert!(sim.bid(other, NODES[0], near(2), true));
    assert!(storage_cost(sim.totals().storage_bytes - before) < charged);
}

#[test]
fn an_unregistered_bidder_gets_everything_back() {
    let mut sim = Sim::new();
    let id = sim.post(near(3), 7);
    assert!(!sim.bid(id, "mallory.near", near(1), false));
    assert_eq!(sim.sent_to("mallory.near"), milli(50).as_yoctonear());
    let events = sim.events();
    assert_eq!(events[0].0, "bid_refused");
    assert_eq!(events[0].1["reason"], "mallory.near is not an active node in the registry");
    assert!(sim.view(|e| e.get_bids(id)).is_empty());
    assert!(sim.view(|e| e.get_node(acc("mallory.near"))).is_none());
    assert_eq!(sim.totals().in_flight, zero());
}

#[test]
fn a_failed_registry_call_refunds_the_bid() {
    let mut sim = Sim::new();
    let id = sim.post(near(3), 7);
    sim.call(NODES[0], milli(50), |e| e.place_bid(id, near(1), HOUR_MS).map(drop)).unwrap();
    assert!(!sim.complete_bid(None));
    assert_eq!(sim.sent_to(NODES[0]), milli(50).as_yoctonear());
    assert_eq!(sim.events()[0].1["reason"], "the registry call failed");
}

#[test]
fn a_deposit_too_small_for_storage_is_returned_and_nothing_is_stored() {
    let mut sim = Sim::new();
    let id = sim.post(near(3), 7);
    let before = sim.totals().storage_bytes;
    sim.call(NODES[0], yocto(1), |e| e.place_bid(id, near(1), HOUR_MS).map(drop)).unwrap();
    assert!(!sim.complete_bid(Some(true)));
    assert_eq!(sim.sent_to(NODES[0]), 1);
    assert!(sim.events()[0].1["reason"].as_str().unwrap().contains("less than the"));
    assert_eq!(sim.totals().storage_bytes, before);
    assert!(sim.view(|e| e.get_node(acc(NODES[0]))).is_none(), "the new reputation record was undone");
    assert!(sim.view(|e| e.get_bids(id)).is_empty());
}

#[test]
fn bids_are_refused_at_call_time() {
    let mut sim = Sim::new();
    let id = sim.post(near(3), 1);
    let bid =
        |sim: &mut Sim, who: &str, price, eta| sim.call(who, milli(50), |e| e.place_bid(id, price, eta).map(drop));
    assert_eq!(bid(&mut sim, HIRER, near(1), HOUR_MS), Err(EscrowError::SelfBid));
    assert_eq!(bid(&mut sim, NODES[0], zero(), HOUR_MS), Err(EscrowError::BadPrice { budget: near(3) }));
    assert_eq!(bid(&mut sim, NODES[0], near(4), HOUR_MS), Err(EscrowError::BadPrice { budget: near(3) }));
    assert_eq!(bid(&mut sim, NODES[0], near(1), 2 * DAY_MS), Err(EscrowError::EtaPastDeadline));
    assert_eq!(
        sim.call(NODES[0], milli(50), |e| e.place_bid(77, near(1), 1).map(drop)),
        Err(EscrowError::NoSuchJob(77))
    );
    assert!(sim.bid(id, NODES[0], near(1), true));
    assert_eq!(bid(&mut sim, NODES[0], near(2), HOUR_MS), Err(EscrowError::DuplicateBid(acc(NODES[0]))));
    sim.advance(DAY_MS + 1);
    assert_eq!(bid(&mut sim, NODES[1], near(1), 1), Err(EscrowError::DeadlinePassed));
    assert_eq!(sim.totals().in_flight, zero(), "refused calls hold nothing");
}

#[test]
fn a_job_holds_at_most_the_maximum_number_of_bids() {
    let mut sim = Sim::new();
    let id = sim.post(near(3), 7);
    for i in 0..MAX_BIDS_PER_JOB {
        assert!(sim.bid(id, &format!("node{i}.near"), near(1), true));
    }
    let err = sim.call("late.near", milli(50), |e| e.place_bid(id, near(1), HOUR_MS).map(drop));
    assert_eq!(err, Err(EscrowError::TooManyBids(MAX_BIDS_PER_JOB)));
    assert_eq!(sim.view(|e| e.get_bids(id)).len(), MAX_BIDS_PER_JOB);
}

#[test]
fn a_job_awarded_while_the_registry_answers_refuses_the_late_bid() {
    let mut sim = Sim::new();
    let id = sim.post(near(3), 7);
    assert!(sim.bid(id, NODES[0], near(2), true));
    // NODES[1] bids; before the callback runs the hirer awards NODES[0].
    sim.call(NODES[1], milli(50), |e| e.place_bid(id, near(1), HOUR_MS).map(drop)).unwrap();
    let pending_calls = sim.calls.clone();
    sim.call(HIRER, zero(), |e| e.award(id, acc(NODES[0]))).unwrap();
    sim.calls = pending_calls;
    assert!(!sim.complete_bid(Some(true)));
    assert_eq!(sim.sent_to(NODES[1]), milli(50).as_yoctonear());
    assert_eq!(sim.events()[0].1["reason"], "job is awarded; this needs it open");
    assert_eq!(sim.view(|e| e.get_job(id)).unwrap().bid_count, 1);
}

#[test]
fn withdraw_bid_returns_its_storage() {
    let mut sim = Sim::new();
    let id = sim.post(near(3), 7);
    let before = sim.totals().storage_bytes;
    assert!(sim.bid(id, NODES[0], near(2), true));
    let stats_bytes = {
        let mut twin = Sim::new();
        let t = twin.post(near(3), 7);
        let b = twin.totals().storage_bytes;
        assert!(twin.bid(t, NODES[0], near(2), true));
        twin.totals().storage_bytes - b
    };
    assert_eq!(sim.call(NODES[1], zero(), |e| e.withdraw_bid(id)), Err(EscrowError::NoSuchBid(acc(NODES[1]))));
    sim.call(NODES[0], zero(), |e| e.withdraw_bid(id)).unwrap();
    assert_eq!(sim.event_names(), ["bid_withdrawn"]);
    let refunded = sim.sent_to(NODES[0]);
    // The bid's storage comes back; the reputation record's does not.
    assert!(refunded > 0 && refunded < storage_cost(stats_bytes).as_yoctonear());
    assert!(sim.totals().storage_bytes > before);
    assert!(sim.view(|e| e.get_bids(id)).is_empty());
    assert_eq!(sim.call(NODES[0], zero(), |e| e.withdraw_bid(id)), Err(EscrowError::NoSuchBid(acc(NODES[0]))));
    // No withdrawing from an awarded job.
    let awarded = sim.awarded(near(3), NODES[2], near(1));
    let err = sim.call(NODES[2], zero(), |e| e.withdraw_bid(awarded));
    assert_eq!(err, Err(EscrowError::WrongStatus { actual: Status::Awarded, expected: "open" }));
}
