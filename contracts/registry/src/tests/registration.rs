//! Registration with test-CA evidence: what is stored, what it costs, when it stops being in force.

use super::*;
use near_sdk::json_types::Base64VecU8;
use redoubt_contracts_common::storage_cost;
use redoubt_contracts_common::testing::snp::{chip_tcb, near_key, x25519_of};
use redoubt_snp::{Rejection, Tcb, vcek_fingerprint};
use redoubt_snp_testca::VALID_UNTIL;

#[test]
fn a_node_registers_with_its_evidence_and_pays_for_its_record() {
    let (ca, chip, ev) = milan_node(NODE);
    let mut reg = Reg::trusting(&ca);
    let usage = reg.storage_usage;
    let node = reg.register(NODE, ev).unwrap();
    assert_eq!(node.account_id.as_str(), NODE);
    assert_eq!(String::from(&node.ed25519_public_key), near_key(NODE));
    assert_eq!(node.x25519_public_key, HexBytes(x25519_of(NODE)));
    let platform = node.platform.clone().unwrap();
    assert_eq!(platform.measurement, HexBytes(MEASUREMENT));
    assert_eq!(platform.chip_id, HexBytes(chip.chip_id()));
    assert_eq!((platform.family, platform.tcb), (Family::Milan, chip_tcb(Family::Milan)));
    assert_eq!(platform.vcek_fingerprint, HexBytes(vcek_fingerprint(&chip.vcek_der())));
    assert_eq!((node.registered_at_ms, node.expires_at_ms), (START_MS, START_MS + 30 * DAY_MS));
    assert!(node.active && reg.is_active(NODE));
    // The VCEK was verified and cached on the way; both records are paid by the node.
    assert_eq!(reg.event_names(), ["vcek_verified", "node_registered"]);
    let charged = storage_cost(reg.storage_usage - usage).as_yoctonear();
    assert_eq!(reg.sent_to(NODE), DEPOSIT.as_yoctonear() - charged);
    assert_eq!(reg.view(|r| r.get_node(acc(NODE))), Some(node.clone()));
    assert_eq!(reg.view(|r| r.get_nodes(None, None)), vec![node]);
    assert_eq!(reg.view(|r| r.get_config()).node_count, 1);
}

#[test]
fn a_cached_vcek_is_not_verified_again() {
    let (ca, chip, ev) = milan_node(NODE);
    let mut reg = Reg::trusting(&ca);
    let vcek = Base64VecU8(chip.vcek_der());
    let view = reg.call("anyone.near", DEPOSIT, |r| r.submit_vcek(vcek.clone())).unwrap();
    assert_eq!((view.family, view.tcb, view.not_after), (Family::Milan, chip_tcb(Family::Milan), VALID_UNTIL));
    assert_eq!(view.chip_id, hex::encode(chip.chip_id()));
    assert_eq!(reg.event_names(), ["vcek_verified"]);
    assert!(reg.sent_to("anyone.near") < DEPOSIT.as_yoctonear());
    // Submitting it again costs nothing and logs nothing.
    reg.call("anyone.near", DEPOSIT, |r| r.submit_vcek(vcek.clone())).unwrap();
    assert_eq!(reg.sent_to("anyone.near"), DEPOSIT.as_yoctonear());
    assert!(reg.logs.is_empty());
    assert_eq!(reg.view(|r| r.get_vcek(view.fingerprint)), Some(view));
    reg.register(NODE, ev).unwrap();
    assert_eq!(reg.event_names(), ["node_registered"]);
    assert!(matches!(
        reg.call("poor.near", yocto(1), |r| r.submit_vcek(Base64VecU8(chip_of_seed(&ca, 9)))),
        Err(RegistryError::InsufficientDeposit(_))
    ));
}

fn chip_of_seed(ca: &TestCa, seed: u8) -> Vec<u8> {
    chip(ca, seed).vcek_der()
}

#[test]
fn re_registration_replaces_the_record_and_settles_storage() {
    let (ca, _, ev) = milan_node(NODE);
    let mut reg = Reg::trusting(&ca);
    reg.register(NODE, ev.clone()).unwrap();
    let usage = reg.storage_usage;
    reg.now_ms += DAY_MS;
    let node = reg.register(NODE, ev).unwrap();
    assert_eq!(node.registered_at_ms, START_MS + DAY_MS);
    assert_eq!(reg.storage_usage, usage, "the same record size");
    assert_eq!(reg.sent_to(NODE), DEPOSIT.as_yoctonear(), "nothing more to pay");
}

#[test]
fn unregistering_returns_the_deposit() {
    let (ca, _, ev) = milan_node(NODE);
    let mut reg = Reg::trusting(&ca);
    let before = reg.storage_usage;
    reg.register(NODE, ev).unwrap();
    let record_and_vcek = reg.storage_usage - before;
    reg.call(NODE, yocto(0), |r| r.unregister()).unwrap();
    assert_eq!(reg.event_names(), ["node_unregistered"]);
    let refunded = reg.sent_to(NODE);
    assert!(refunded > 0 && refunded < storage_cost(record_and_vcek).as_yoctonear(), "the VCEK stays cached");
    assert!(!reg.is_active(NODE));
    assert_eq!(reg.call(NODE, yocto(0), |r| r.unregister()), Err(RegistryError::NotRegistered(acc(NODE))));
}

#[test]
fn a_registration_stops_being_in_force_when_it_expires() {
    let (ca, _, ev) = milan_node(NODE);
    let mut reg = Reg::trusting(&ca);
    reg.call(OWNER, yocto(1), |r| r.set_registration_ttl(DAY_MS)).unwrap();
    reg.register(NODE, ev).unwrap();
    reg.now_ms += DAY_MS - 1;
    assert!(reg.is_active(NODE));
    reg.now_ms += 1;
    assert!(!reg.is_active(NODE));
    assert!(!reg.view(|r| r.get_node(acc(NODE))).unwrap().active);
}

#[test]
fn a_registration_ends_with_its_vcek() {
    let ca = TestCa::new(Family::Milan);
    let not_after = START_MS / 1000 + 3_600;
    let chip = ca.issue_vcek_valid([0x22; 64], chip_tcb(Family::Milan), START_MS / 1000 - 3_600, not_after);
    let mut reg = Reg::trusting(&ca);
    let node = reg.register(NODE, snp_evidence(NODE, &report_for(&chip, NODE, |_| {}), &chip.vcek_der())).unwrap();
    assert_eq!(node.expires_at_ms, not_after * 1000);
}

#[test]
fn revoking_the_measurement_deactivates_its_nodes_at_once() {
    let (ca, _, ev) = milan_node(NODE);
    let mut reg = Reg::trusting(&ca);
    reg.register(NODE, ev).unwrap();
    reg.call(OWNER, yocto(1), |r| r.revoke_measurement(HexBytes(MEASUREMENT))).unwrap();
    assert!(!reg.is_active(NODE));
    reg.allow(MEASUREMENT);
    assert!(reg.is_active(NODE));
}

#[test]
fn raising_the_minimum_tcb_deactivates_older_firmware() {
    let (ca, chip, ev) = milan_node(NODE);
    let mut reg = Reg::trusting(&ca);
    reg.register(NODE, ev.clone()).unwrap();
    let newer = Tcb { microcode: chip.tcb().microcode + 1, ..chip.tcb() };
    reg.call(OWNER, yocto(1), |r| r.set_min_tcb(Family::Milan, Some(newer))).unwrap();
    assert!(!reg.is_active(NODE));
    let err = reg.register(NODE, ev).unwrap_err();
    assert!(matches!(err, RegistryError::Snp(Rejection::TcbBelowMinimum { .. })), "{err}");
    // A minimum for another family does not matter.
    reg.call(OWNER, yocto(1), |r| r.set_min_tcb(Family::Milan, None)).unwrap();
    reg.call(OWNER, yocto(1), |r| r.set_min_tcb(Family::Genoa, Some(newer))).unwrap();
    assert!(reg.is_active(NODE));
}

#[test]
fn genoa_and_turin_chips_register_too() {
    for family in [Family::Genoa, Family::Turin] {
        let ca = TestCa::new(family);
        let chip = chip(&ca, 0x33);
        let mut reg = Reg::trusting(&ca);
        let node = reg.register(NODE, snp_evidence(NODE, &report_for(&chip, NODE, |_| {}), &chip.vcek_der())).unwrap();
        assert_eq!(node.platform.unwrap().family, family);
    }
}

#[test]
fn check_report_dry_runs_the_checks_without_the_key_binding() {
    let (ca, chip, _) = milan_node(NODE);
    let mut reg = Reg::trusting(&ca);
    let fingerprint = reg.call(NODE, DEPOSIT, |r| r.submit_vcek(Base64VecU8(chip.vcek_der()))).unwrap().fingerprint;
    let foreign = report_for(&chip, "someone-else.near", |_| {});
    let check = reg.view(|r| r.check_report(Base64VecU8(foreign.clone()), fingerprint)).unwrap();
    assert!(check.accepted && check.rejection.is_none());
    let summary = check.report.unwrap();
    assert_eq!((summary.family, summary.vmpl, summary.debug), (Family::Milan, 0, false));
    let debug = report_for(&chip, NODE, |f| f.policy = Some(0xb0000));
    let check = reg.view(|r| r.check_report(Base64VecU8(debug), fingerprint)).unwrap();
    assert!(!check.accepted);
    assert!(check.rejection.unwrap().contains("DEBUG"));
    assert!(check.report.unwrap().debug);
    let mut tampered = foreign;
    tampered[0x90] ^= 1;
    let check = reg.view(|r| r.check_report(Base64VecU8(tampered), fingerprint)).unwrap();
    assert!(!check.accepted && check.report.is_none());
    assert_eq!(
        reg.view(|r| r.check_report(Base64VecU8(vec![0; 1184]), HexBytes([0; 32]))),
        Err(RegistryError::UnknownVcek(HexBytes([0u8; 32]).to_string()))
    );
}
