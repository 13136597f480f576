//! The real AMD reports in `../shared/testdata/snp`, verified by the registry contract inside the NEAR
//! VM against AMD's roots built into the contract: chain, signature and policy pass (the debug report is
//! refused), and fail once tampered. Their report_data binds no key of ours, so registering them fails at
//! the key binding, the last check.

use crate::chain::Chain;
use crate::deploy::*;
use crate::testdata::{self, CLEAN_SETS, DEBUG_SET, Set, SetExt};
use redoubt_contracts_common::testing::snp::{b64, snp_evidence, test_roots_mode};
use redoubt_snp_testca::{Family, TestCa};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const OPERATOR: &str = "operator.near";

fn fingerprint(set: &Set) -> String {
    hex::encode(Sha256::digest(&set.vcek_der))
}

fn check(chain: &mut Chain, report: &[u8], fingerprint: &str) -> Value {
    chain.view_json(REGISTRY, "check_report", json!({ "report": b64(report), "vcek_fingerprint": fingerprint }))
}

/// A production registry with every real set's measurement allowed and its VCEK submitted.
fn production_with(sets: &[Set]) -> Chain {
    let mut chain = registry_chain(json!({ "mode": "production" }));
    chain.create(OPERATOR, 100 * NEAR, None);
    for set in sets {
        if !chain
            .view_json(REGISTRY, "is_measurement_allowed", json!({ "measurement": hex::encode(set.measurement()) }))
            .as_bool()
            .unwrap()
        {
            allow(&mut chain, &set.measurement());
        }
        let vcek = submit_vcek(&mut chain, OPERATOR, &set.vcek_der).json();
        assert_eq!(vcek["fingerprint"], fingerprint(set), "{}", set.name);
    }
    chain
}

fn load_all(names: &[&'static str]) -> Option<Vec<Set>> {
    names.iter().map(|n| testdata::load(n)).collect()
}

#[test]
fn real_reports_pass_chain_signature_and_policy_in_the_contract() {
    let Some(sets) = load_all(&CLEAN_SETS.map(|(n, _)| n)) else { return };
    let mut chain = production_with(&sets);
    for (set, (_, family)) in sets.iter().zip(CLEAN_SETS) {
        assert_eq!(chain.view_json(REGISTRY, "get_vcek", json!({ "fingerprint": fingerprint(set) }))["family"], family);
        let verdict = check(&mut chain, &set.report, &fingerprint(set));
        assert_eq!(verdict["accepted"], true, "{}: {verdict}", set.name);
        assert_eq!(verdict["report"]["family"], family);
        assert_eq!(verdict["report"]["measurement"], hex::encode(set.measurement()));
        // Registering it fails only at the key binding: the report binds someone else's data.
        let out = register(&mut chain, OPERATOR, snp_evidence(OPERATOR, &set.report, &set.vcek_der));
        assert!(out.err().contains("report_data does not match"), "{}: {}", set.name, out.err());
    }
}

#[test]
fn the_debug_report_is_refused_despite_its_valid_signature() {
    let Some(sets) = load_all(&[DEBUG_SET]) else { return };
    let mut chain = production_with(&sets);
    let verdict = check(&mut chain, &sets[0].report, &fingerprint(&sets[0]));
    assert_eq!(verdict["accepted"], false);
    assert!(verdict["rejection"].as_str().unwrap().contains("DEBUG"), "{verdict}");
    assert_eq!(verdict["report"]["debug"], true, "the signature verified: the report was parsed");
    let out = register(&mut chain, OPERATOR, snp_evidence(OPERATOR, &sets[0].report, &sets[0].vcek_der));
    assert!(out.err().contains("DEBUG"), "{}", out.err());
}

#[test]
fn tampered_real_reports_and_vceks_fail() {
    let Some(sets) = load_all(&CLEAN_SETS.map(|(n, _)| n)) else { return };
    let mut chain = production_with(&sets);
    for set in &sets {
        for offset in [0x50, 0x90, 0x2A0] {
            // report_data, measurement, signature
            let mut report = set.report.clone();
            report[offset] ^= 0x01;
            let verdict = check(&mut chain, &report, &fingerprint(set));
            assert_eq!(verdict["accepted"], false, "{} byte {offset:#x}", set.name);
            assert!(verdict["rejection"].as_str().unwrap().contains("signature does not verify"), "{verdict}");
        }
        let mut vcek = set.vcek_der.clone();
        let last = vcek.len() - 1;
        vcek[last] ^= 0x01; // the ASK's signature over the VCEK
        let err = submit_vcek(&mut chain, OPERATOR, &vcek).err();
        assert!(err.contains("does not sign the VCEK"), "{}: {err}", set.name);
    }
    // A report presented with another chip's VCEK.
    let verdict = check(&mut chain, &sets[1].report, &fingerprint(&sets[0]));
    assert_eq!(verdict["accepted"], false);
}

#[test]
fn a_test_deployment_does_not_trust_amds_chips() {
    let Some(sets) = load_all(&["msft-tav-milan"]) else { return };
    let ca = TestCa::new(Family::Milan);
    let mut chain = registry_chain(test_roots_mode(&[&ca]));
    chain.create(OPERATOR, 100 * NEAR, None);
    let err = submit_vcek(&mut chain, OPERATOR, &sets[0].vcek_der).err();
    assert!(err.contains("does not sign"), "{err}");
}
