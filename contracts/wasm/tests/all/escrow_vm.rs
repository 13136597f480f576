//! The escrow and the registry together in the NEAR VM: bids checked by a real cross-contract call to the
//! registry, deliveries checked against real anchors, payments as transfers, funds accounted at every step.

use crate::chain::Chain;
use crate::deploy::*;
use redoubt_contracts_common::testing::snp::{MEASUREMENT, chip, report_for, snp_evidence};
use redoubt_snp_testca::{Family, TestCa};
use serde_json::{Value, json};

const HIRER: &str = "hirer.near";
const ALICE: &str = "alice.near";
const BOB: &str = "bob.near";
const CAROL: &str = "carol.near";
const DAY_MS: u64 = 86_400_000;

/// Registry (test roots) + escrow; Alice and Bob registered nodes, Carol not; the escrow's balance after
/// initialisation is returned as its base.
fn setup() -> (Chain, u128) {
    let ca = TestCa::new(Family::Milan);
    let mut chain = test_registry(&ca);
    allow(&mut chain, &MEASUREMENT);
    deploy_escrow(&mut chain, None);
    for (seed, node) in [(1u8, ALICE), (2, BOB)] {
        chain.create(node, 100 * NEAR, None);
        let chip = chip(&ca, seed);
        register(&mut chain, node, snp_evidence(node, &report_for(&chip, node, |_| {}), &chip.vcek_der())).json();
    }
    chain.create(CAROL, 100 * NEAR, None);
    chain.create(HIRER, 1_000 * NEAR, None);
    let base = chain.balance(ESCROW);
    (chain, base)
}

/// The escrow's balance must be its base plus what it says it holds, and cover its storage staking.
fn assert_funds(chain: &mut Chain, base: u128) {
    let totals = chain.view_json(ESCROW, "get_totals", json!({}));
    let held: u128 = totals["held"].as_str().unwrap().parse().unwrap();
    assert_eq!(chain.balance(ESCROW), base + held, "escrow funds: {totals}");
    assert!(chain.balance(ESCROW) >= u128::from(chain.storage_usage(ESCROW)) * 10u128.pow(19));
}

fn escrow_events(logs: &[String]) -> Vec<(String, Value)> {
    logs.iter()
        .filter_map(|l| l.strip_prefix("EVENT_JSON:"))
        .map(|body| serde_json::from_str::<Value>(body).unwrap())
        .filter(|v| v["standard"] == "redoubt-escrow")
        .map(|v| {
            assert_eq!(v["version"], "1.0.0");
            (v["event"].as_str().unwrap().to_string(), v["data"][0].clone())
        })
        .collect()
}

fn post(chain: &mut Chain, budget: u128, days: u64) -> u64 {
    let deadline = chain.now_ms() + days * DAY_MS;
    let args = json!({ "budget": budget.to_string(), "deadline_ms": deadline, "tags": ["summarize"], "spec_hash": hex::encode([7u8; 32]) });
    chain.call(HIRER, ESCROW, "post_job", args, budget + NEAR / 10).json().as_u64().unwrap()
}

fn bid(chain: &mut Chain, node: &str, job: u64, price: u128) -> crate::chain::Outcome {
    let args = json!({ "job_id": job, "price": price.to_string(), "eta_ms": 3_600_000 });
    chain.call(node, ESCROW, "place_bid", args, NEAR / 20)
}

#[test]
fn a_job_from_post_to_payment_across_both_contracts() {
    let (mut chain, base) = setup();
    let job = post(&mut chain, 2 * NEAR, 3);
    assert_funds(&mut chain, base);

    // A registered node's bid goes through the registry and is recorded.
    let out = bid(&mut chain, ALICE, job, 3 * NEAR / 2);
    assert_eq!(out.json(), json!(true));
    let route: Vec<(String, String)> =
        out.receipts.iter().map(|r| (r.receiver.to_string(), r.method.clone())).collect();
    assert_eq!(
        route,
        [
            (ESCROW.into(), "place_bid".into()),
            (REGISTRY.into(), "is_active".into()),
            (ESCROW.into(), "on_bid_checked".into())
        ]
    );
    assert!(out.received(ALICE) > 0 && out.received(ALICE) < NEAR / 20, "storage change returned");
    assert_eq!(escrow_events(&out.logs())[0].0, "bid_placed");
    assert_funds(&mut chain, base);

    // An unregistered account's bid is refused and its whole deposit returned.
    let out = bid(&mut chain, CAROL, job, NEAR);
    assert_eq!(out.json(), json!(false));
    assert_eq!(out.received(CAROL), NEAR / 20);
    let events = escrow_events(&out.logs());
    assert_eq!(
        (events[0].0.as_str(), events[0].1["reason"].as_str()),
        ("bid_refused", Some("carol.near is not an active node in the registry"))
    );
    assert_funds(&mut chain, base);

    bid(&mut chain, BOB, job, 19 * NEAR / 10).json();
    let ranked = chain.view_json(ESCROW, "get_bids", json!({ "job_id": job }));
    assert_eq!(ranked[0]["bidder"], ALICE);

    let out = chain.call(HIRER, ESCROW, "award", json!({ "job_id": job, "bidder": ALICE }), 0);
    out.json();
    assert_eq!(out.received(HIRER), NEAR / 2, "the budget above the price comes back");
    assert!(out.received(BOB) > 0, "the losing bid's storage comes back");
    assert_funds(&mut chain, base);

    // Alice anchors the batch holding the receipt after the award, then delivers against it.
    chain.advance_ms(60_000);
    let anchor = json!({ "batch_index": 3, "root": hex::encode([0xabu8; 32]), "count": 4 });
    chain.call(ALICE, REGISTRY, "anchor_batch", anchor, NEAR / 100).json();
    let out = chain.call(
        ALICE,
        ESCROW,
        "deliver",
        json!({ "job_id": job, "receipt_hash": hex::encode([1u8; 32]), "batch_index": 3 }),
        0,
    );
    out.value.clone().unwrap();
    let delivered = chain.view_json(ESCROW, "get_job", json!({ "job_id": job }));
    assert_eq!(
        (delivered["status"].as_str(), delivered["delivery"]["batch_root"].as_str()),
        (Some("delivered"), Some(hex::encode([0xabu8; 32]).as_str()))
    );

    // Accepting pays Alice the price less the 1 % fee, once.
    let out = chain.call(HIRER, ESCROW, "accept", json!({ "job_id": job }), 0);
    out.value.clone().unwrap();
    let price = 3 * NEAR / 2;
    assert_eq!(out.transfers, vec![(crate::chain::id(ESCROW), crate::chain::id(ALICE), price - price / 100)]);
    let names: Vec<String> = escrow_events(&out.logs()).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["job_paid", "reputation_changed"]);
    assert_eq!(chain.view_json(ESCROW, "get_node", json!({ "account_id": ALICE }))["reputation"], 1);
    assert_funds(&mut chain, base);
    let again = chain.call(HIRER, ESCROW, "accept", json!({ "job_id": job }), 0);
    assert!(again.err().contains("job is paid"), "{}", again.err());
    assert!(again.transfers.is_empty());
    assert_eq!(chain.view_json(ESCROW, "get_totals", json!({}))["fees_accrued"], (price / 100).to_string());
}

#[test]
fn a_delivery_naming_an_unanchored_batch_fails() {
    let (mut chain, base) = setup();
    let job = post(&mut chain, NEAR, 3);
    bid(&mut chain, ALICE, job, NEAR).json();
    chain.call(HIRER, ESCROW, "award", json!({ "job_id": job, "bidder": ALICE }), 0).json();
    let out = chain.call(
        ALICE,
        ESCROW,
        "deliver",
        json!({ "job_id": job, "receipt_hash": hex::encode([1u8; 32]), "batch_index": 9 }),
        0,
    );
    assert!(out.err().contains("batch 9 is not anchored by the worker"), "{}", out.err());
    assert_eq!(chain.view_json(ESCROW, "get_job", json!({ "job_id": job }))["status"], "awarded");
    assert_funds(&mut chain, base);
}

#[test]
fn callbacks_cannot_be_called_from_outside() {
    let (mut chain, base) = setup();
    let job = post(&mut chain, NEAR, 3);
    let forged = json!({ "job_id": job, "bidder": CAROL, "price": NEAR.to_string(), "eta_ms": 1, "deposit": "0" });
    let err = chain.call(CAROL, ESCROW, "on_bid_checked", forged, 0).err();
    assert!(err.contains("is private"), "{err}");
    let forged = json!({ "job_id": job, "receipt_hash": hex::encode([1u8; 32]), "batch_index": 1 });
    let err = chain.call(CAROL, ESCROW, "on_delivery_checked", forged, 0).err();
    assert!(err.contains("is private"), "{err}");
    assert!(chain.view_json(ESCROW, "get_bids", json!({ "job_id": job })).as_array().unwrap().is_empty());
    assert_funds(&mut chain, base);
}

#[test]
fn revoking_a_measurement_stops_its_nodes_bidding() {
    let (mut chain, base) = setup();
    let job = post(&mut chain, NEAR, 3);
    chain.call(OWNER, REGISTRY, "revoke_measurement", json!({ "measurement": hex::encode(MEASUREMENT) }), 1).json();
    let out = bid(&mut chain, ALICE, job, NEAR);
    assert_eq!(out.json(), json!(false));
    assert_eq!(out.received(ALICE), NEAR / 20);
    assert_funds(&mut chain, base);
}

#[test]
fn a_missed_deadline_refunds_the_hirer_in_the_vm() {
    let (mut chain, base) = setup();
    let job = post(&mut chain, NEAR, 1);
    bid(&mut chain, ALICE, job, NEAR).json();
    chain.call(HIRER, ESCROW, "award", json!({ "job_id": job, "bidder": ALICE }), 0).json();
    let early = chain.call("keeper.near", ESCROW, "settle", json!({ "job_id": job }), 0);
    assert!(early.err().contains("nothing to settle"), "{}", early.err());
    chain.advance_ms(DAY_MS + 1);
    let out = chain.call("keeper.near", ESCROW, "settle", json!({ "job_id": job }), 0);
    assert_eq!(out.json(), "deadline_missed");
    assert_eq!(out.received(HIRER), NEAR);
    assert_eq!(chain.view_json(ESCROW, "get_node", json!({ "account_id": ALICE }))["reputation"], -2);
    assert_funds(&mut chain, base);
}

#[test]
fn a_deposit_short_of_budget_and_storage_is_refused_in_the_vm() {
    let (mut chain, base) = setup();
    let deadline = chain.now_ms() + DAY_MS;
    let args =
        json!({ "budget": NEAR.to_string(), "deadline_ms": deadline, "tags": [], "spec_hash": hex::encode([0u8; 32]) });
    let before = chain.balance(HIRER);
    let out = chain.call(HIRER, ESCROW, "post_job", args, NEAR);
    assert!(out.err().contains("is less than the"), "{}", out.err());
    assert_eq!(chain.balance(HIRER), before, "the deposit came back");
    assert!(chain.view_json(ESCROW, "get_job", json!({ "job_id": 0 })).is_null());
    assert_funds(&mut chain, base);
}
