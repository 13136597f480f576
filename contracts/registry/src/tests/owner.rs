//! The owner's methods and their refusals.

use super::*;
use redoubt_contracts_common::storage_cost;
use redoubt_snp::Tcb;

fn m(byte: u8) -> HexBytes<48> {
    HexBytes([byte; 48])
}

#[test]
fn the_owner_allows_and_revokes_measurements_paying_their_storage() {
    let mut reg = Reg::new(serde_json::json!({ "mode": "production" }));
    let usage = reg.storage_usage;
    reg.call(OWNER, DEPOSIT, |r| r.allow_measurement(m(1))).unwrap();
    let bytes = reg.storage_usage - usage;
    assert_eq!(reg.sent_to(OWNER), DEPOSIT.as_yoctonear() - storage_cost(bytes).as_yoctonear(), "change returned");
    assert_eq!(reg.event_names(), ["measurement_allowed"]);
    assert!(reg.view(|r| r.is_measurement_allowed(m(1))));
    assert_eq!(reg.view(|r| r.get_measurements(None, None)), vec![m(1)]);
    assert_eq!(
        reg.call(OWNER, DEPOSIT, |r| r.allow_measurement(m(1))),
        Err(RegistryError::MeasurementState(m(1).to_string(), "already allowed"))
    );
    reg.call(OWNER, yocto(1), |r| r.revoke_measurement(m(1))).unwrap();
    assert_eq!(reg.sent_to(OWNER), storage_cost(bytes).as_yoctonear(), "the entry's deposit comes back");
    assert_eq!(reg.event_names(), ["measurement_revoked"]);
    assert_eq!(reg.storage_usage, usage);
    assert_eq!(
        reg.call(OWNER, yocto(1), |r| r.revoke_measurement(m(1))),
        Err(RegistryError::MeasurementState(m(1).to_string(), "not allowed"))
    );
}

#[test]
fn only_the_owner_with_a_deposit_manages_the_policy() {
    let mut reg = Reg::new(serde_json::json!({ "mode": "production" }));
    assert_eq!(reg.call(NODE, DEPOSIT, |r| r.allow_measurement(m(1))), Err(RegistryError::NotOwner));
    assert_eq!(reg.call(OWNER, yocto(0), |r| r.allow_measurement(m(1))), Err(RegistryError::ConfirmationDeposit));
    assert!(matches!(
        reg.call(OWNER, yocto(1), |r| r.allow_measurement(m(1))),
        Err(RegistryError::InsufficientDeposit(_))
    ));
    assert_eq!(reg.call(NODE, yocto(1), |r| r.revoke_measurement(m(1))), Err(RegistryError::NotOwner));
    assert_eq!(reg.call(NODE, yocto(1), |r| r.set_min_tcb(Family::Milan, None)), Err(RegistryError::NotOwner));
    assert_eq!(reg.call(NODE, yocto(1), |r| r.set_registration_ttl(1)), Err(RegistryError::NotOwner));
    assert_eq!(reg.call(NODE, yocto(1), |r| r.set_required_vmpl(None)), Err(RegistryError::NotOwner));
    assert_eq!(reg.call(NODE, yocto(1), |r| r.remove_node(acc(NODE))), Err(RegistryError::NotOwner));
    assert_eq!(reg.call(NODE, yocto(1), |r| r.set_owner(acc(NODE))), Err(RegistryError::NotOwner));
    assert_eq!(reg.call(OWNER, yocto(0), |r| r.set_owner(acc(NODE))), Err(RegistryError::ConfirmationDeposit));
}

#[test]
fn the_allowlist_is_bounded() {
    let mut reg = Reg::new(serde_json::json!({ "mode": "production" }));
    for i in 0..64u8 {
        reg.call(OWNER, DEPOSIT, |r| r.allow_measurement(m(i))).unwrap();
    }
    assert_eq!(
        reg.call(OWNER, DEPOSIT, |r| r.allow_measurement(m(200))),
        Err(RegistryError::BadSetting("the allowlist is full (64 measurements)"))
    );
    assert_eq!(reg.view(|r| r.get_measurements(Some(60), Some(10))).len(), 4);
    assert_eq!(reg.view(|r| r.get_config()).measurement_count, 64);
}

#[test]
fn settings_change_within_range() {
    let mut reg = Reg::new(serde_json::json!({ "mode": "production" }));
    let tcb = Tcb { fmc: None, bootloader: 3, tee: 0, snp: 8, microcode: 115 };
    reg.call(OWNER, yocto(1), |r| r.set_min_tcb(Family::Genoa, Some(tcb))).unwrap();
    assert_eq!(reg.event_names(), ["min_tcb_set"]);
    reg.call(OWNER, yocto(1), |r| r.set_registration_ttl(7 * DAY_MS)).unwrap();
    reg.call(OWNER, yocto(1), |r| r.set_required_vmpl(Some(1))).unwrap();
    let settings = reg.view(|r| r.get_config()).settings;
    assert_eq!(settings.min_tcb_for(Family::Genoa), Some(tcb));
    assert_eq!(settings.min_tcb_for(Family::Milan), None);
    assert_eq!((settings.registration_ttl_ms, settings.required_vmpl), (7 * DAY_MS, Some(1)));
    reg.call(OWNER, yocto(1), |r| r.set_min_tcb(Family::Genoa, None)).unwrap();
    assert_eq!(reg.view(|r| r.get_config()).settings.min_tcb_for(Family::Genoa), None);
    let bad_ttl = RegistryError::BadSetting("registration_ttl_ms must be between 1 ms and 365 days");
    assert_eq!(reg.call(OWNER, yocto(1), |r| r.set_registration_ttl(0)), Err(bad_ttl.clone()));
    assert_eq!(reg.call(OWNER, yocto(1), |r| r.set_registration_ttl(366 * DAY_MS)), Err(bad_ttl));
    assert_eq!(
        reg.call(OWNER, yocto(1), |r| r.set_required_vmpl(Some(4))),
        Err(RegistryError::BadSetting("required_vmpl must be 0 to 3"))
    );
}

#[test]
fn ownership_moves_and_the_old_owner_loses_it() {
    let mut reg = Reg::new(serde_json::json!({ "mode": "production" }));
    reg.call(OWNER, yocto(1), |r| r.set_owner(acc("dao.near"))).unwrap();
    assert_eq!(reg.events()[0].1["new"], "dao.near");
    assert_eq!(reg.call(OWNER, yocto(1), |r| r.set_required_vmpl(None)), Err(RegistryError::NotOwner));
    reg.call("dao.near", yocto(1), |r| r.set_required_vmpl(None)).unwrap();
    assert_eq!(reg.view(|r| r.get_config()).owner.as_str(), "dao.near");
}

#[test]
fn the_owner_evicts_a_node_and_its_deposit_goes_back_to_it() {
    let (ca, _, ev) = milan_node(NODE);
    let mut reg = Reg::trusting(&ca);
    reg.register(NODE, ev).unwrap();
    reg.call(OWNER, yocto(1), |r| r.remove_node(acc(NODE))).unwrap();
    assert!(reg.sent_to(NODE) > 0);
    assert_eq!(reg.event_names(), ["node_removed"]);
    assert!(reg.view(|r| r.get_node(acc(NODE))).is_none());
    assert_eq!(reg.call(OWNER, yocto(1), |r| r.remove_node(acc(NODE))), Err(RegistryError::NotRegistered(acc(NODE))));
}
