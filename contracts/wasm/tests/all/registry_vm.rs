//! The registry's full registration path in the NEAR VM, with reports signed by the test CA that only a
//! test-roots deployment pins: key binding included, from the attacker's side too.

use crate::chain::Chain;
use crate::deploy::*;
use redoubt_contracts_common::testing::snp::{
    MEASUREMENT, chip, dev_evidence, ed25519_of, near_key, report_for, snp_evidence, x25519_of,
};
use redoubt_snp_testca::{Family, TestCa, TestChip};
use serde_json::json;

const NODE: &str = "node.near";

fn setup() -> (Chain, TestChip) {
    let ca = TestCa::new(Family::Genoa);
    let mut chain = test_registry(&ca);
    allow(&mut chain, &MEASUREMENT);
    chain.create(NODE, 100 * NEAR, None);
    (chain, chip(&ca, 0x42))
}

#[test]
fn a_node_registers_in_the_vm_and_its_record_is_paid_by_it() {
    let (mut chain, chip) = setup();
    let before = chain.balance(NODE);
    let out = register(&mut chain, NODE, snp_evidence(NODE, &report_for(&chip, NODE, |_| {}), &chip.vcek_der()));
    let node = out.json();
    assert_eq!(node["ed25519_public_key"], near_key(NODE));
    assert_eq!(node["x25519_public_key"], hex::encode(x25519_of(NODE)));
    assert_eq!(node["platform"]["family"], "genoa");
    assert_eq!(node["platform"]["chip_id"], hex::encode(chip.chip_id()));
    assert_eq!(node["active"], true);
    // The change of the deposit came back; the registry kept exactly what its new state stakes.
    let change = out.received(NODE);
    assert!(change > 0 && change < STORAGE_DEPOSIT);
    assert_eq!(before - chain.balance(NODE), STORAGE_DEPOSIT - change);
    assert!(chain.view_json(REGISTRY, "is_active", json!({ "account_id": NODE })).as_bool().unwrap());
    let events: Vec<String> =
        out.logs().iter().filter_map(|l| l.strip_prefix("EVENT_JSON:").map(String::from)).collect();
    assert_eq!(events.len(), 2, "vcek_verified and node_registered");
}

#[test]
fn a_stolen_report_cannot_be_registered_by_another_account_or_key() {
    let (mut chain, chip) = setup();
    let victim = snp_evidence(NODE, &report_for(&chip, NODE, |_| {}), &chip.vcek_der());
    chain.create("thief.near", 100 * NEAR, None);
    let err = register(&mut chain, "thief.near", victim.clone()).err();
    assert!(err.contains("not the key that signed this transaction"), "{err}");
    // Even from the victim's account, a key other than the bound one cannot register it.
    let err = chain
        .call_as(NODE, ed25519_of("thief.near"), REGISTRY, "register", json!({ "evidence": victim }), STORAGE_DEPOSIT)
        .err();
    assert!(err.contains("not the key that signed this transaction"), "{err}");
    assert_eq!(chain.balance("thief.near"), 100 * NEAR, "the failed call's deposit came back");
    assert!(!chain.view_json(REGISTRY, "is_active", json!({ "account_id": "thief.near" })).as_bool().unwrap());
}

#[test]
fn a_report_for_other_keys_fails_the_binding() {
    let (mut chain, chip) = setup();
    let report = report_for(&chip, "someone-else.near", |_| {});
    let err = register(&mut chain, NODE, snp_evidence(NODE, &report, &chip.vcek_der())).err();
    assert!(err.contains("report_data does not match"), "{err}");
    let debug = report_for(&chip, NODE, |f| f.policy = Some(0xb0000));
    let err = register(&mut chain, NODE, snp_evidence(NODE, &debug, &chip.vcek_der())).err();
    assert!(err.contains("DEBUG"), "{err}");
}

#[test]
fn dev_evidence_only_in_dev_mode_and_the_views_say_so() {
    let (mut chain, _) = setup();
    let mode = chain.view_json(REGISTRY, "get_mode", json!({}));
    assert_eq!((mode["mode"].as_str(), mode["amd_roots"].as_bool()), (Some("test-roots"), Some(false)));
    assert!(mode["warning"].as_str().unwrap().starts_with("TEST DEPLOYMENT"));
    let err = register(&mut chain, NODE, dev_evidence(NODE)).err();
    assert!(err.contains("dev-insecure evidence is accepted only by a registry initialised in dev mode"), "{err}");
    let mut dev = registry_chain(json!({ "mode": "dev" }));
    assert!(dev.view_json(REGISTRY, "get_mode", json!({}))["warning"].as_str().unwrap().starts_with("DEV MODE"));
    dev.create(NODE, 100 * NEAR, None);
    assert_eq!(register(&mut dev, NODE, dev_evidence(NODE)).json()["evidence_kind"], "dev-insecure");
    let production = registry_chain(json!({ "mode": "production" })).view_json(REGISTRY, "get_mode", json!({}));
    assert_eq!((production["mode"].as_str(), production["warning"].is_null()), (Some("production"), true));
}

#[test]
fn anchors_in_the_vm() {
    let (mut chain, chip) = setup();
    register(&mut chain, NODE, snp_evidence(NODE, &report_for(&chip, NODE, |_| {}), &chip.vcek_der())).json();
    for (index, count) in [(1u64, 16u64), (2, 8), (7, 1)] {
        let root = hex::encode([index as u8; 32]);
        let args = json!({ "batch_index": index, "root": root, "count": count });
        assert_eq!(chain.call(NODE, REGISTRY, "anchor_batch", args, STORAGE_DEPOSIT).json()["count"], count);
    }
    let err = chain
        .call(
            NODE,
            REGISTRY,
            "anchor_batch",
            json!({ "batch_index": 7, "root": hex::encode([0; 32]), "count": 1 }),
            STORAGE_DEPOSIT,
        )
        .err();
    assert!(err.contains("not above the last anchored index 7"), "{err}");
    let anchor = chain.view_json(REGISTRY, "get_anchor", json!({ "account_id": NODE, "batch_index": 2 }));
    assert_eq!((anchor["root"].as_str(), anchor["count"].as_u64()), (Some(hex::encode([2u8; 32]).as_str()), Some(8)));
    assert!(chain.view_json(REGISTRY, "get_anchor", json!({ "account_id": NODE, "batch_index": 3 })).is_null());
    assert_eq!(chain.view_json(REGISTRY, "get_anchors", json!({ "account_id": NODE })).as_array().unwrap().len(), 3);
}

#[test]
fn owner_methods_need_the_owner_in_the_vm() {
    let (mut chain, _) = setup();
    // Nobody re-initialises it (say, into dev mode).
    let err = chain.call(NODE, REGISTRY, "new", json!({ "owner": NODE, "mode": { "mode": "dev" } }), 0).err();
    assert!(err.contains("already been initialized"), "{err}");
    assert_eq!(chain.view_json(REGISTRY, "get_mode", json!({}))["mode"], "test-roots");
    let err =
        chain.call(NODE, REGISTRY, "allow_measurement", json!({ "measurement": hex::encode([1u8; 48]) }), NEAR).err();
    assert!(err.contains("only the owner may do this"), "{err}");
    let err = chain.call(OWNER, REGISTRY, "set_owner", json!({ "owner": NODE }), 0).err();
    assert!(err.contains("attach at least 1 yoctoNEAR"), "{err}");
    chain.call(OWNER, REGISTRY, "set_registration_ttl", json!({ "registration_ttl_ms": 1000 }), 1).json();
    assert_eq!(chain.view_json(REGISTRY, "get_config", json!({}))["settings"]["registration_ttl_ms"], 1000);
}
