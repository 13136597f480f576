//! Set-up, configuration, roles and fee withdrawal.

use super::sim::*;
use crate::{Config, EscrowError, Status};

#[test]
fn init_sets_roles_and_default_config() {
    let mut sim = Sim::new();
    let view = sim.view(|e| e.get_config());
    assert_eq!(view.owner.as_str(), OWNER);
    assert_eq!(view.arbiter.as_str(), ARBITER);
    assert_eq!(view.registry.as_str(), REGISTRY);
    assert_eq!(view.config, Config::default());
    assert_eq!(view.next_job_id, 0);
    assert_eq!(sim.event_names(), ["escrow_initialised"]);
}

#[test]
#[should_panic(expected = "invalid configuration: fee_bps is above 1000")]
fn init_refuses_a_bad_config() {
    Sim::with_config(Some(Config { fee_bps: 1_001, ..Config::default() }));
}

#[test]
#[should_panic(expected = "already initialised")]
fn init_twice_is_refused() {
    let mut sim = Sim::new();
    sim.call(OWNER, zero(), |_| {
        crate::Escrow::new(acc(OWNER), acc(REGISTRY), None, None);
        Ok(())
    })
    .unwrap();
}

#[test]
fn set_config_needs_the_owner_and_one_yocto() {
    let mut sim = Sim::new();
    let config = Config { fee_bps: 250, top_k: 5, ..Config::default() };
    assert_eq!(sim.call(HIRER, yocto(1), |e| e.set_config(config.clone())), Err(EscrowError::NotOwner));
    assert_eq!(sim.call(OWNER, zero(), |e| e.set_config(config.clone())), Err(EscrowError::ConfirmationDeposit));
    assert_eq!(sim.call(OWNER, yocto(2), |e| e.set_config(config.clone())), Err(EscrowError::ConfirmationDeposit));
    let bad = Config { top_k: 0, ..config.clone() };
    assert_eq!(
        sim.call(OWNER, yocto(1), |e| e.set_config(bad)),
        Err(EscrowError::BadConfig("top_k must be at least 1"))
    );
    let bad = Config { review_window_ms: 0, ..config.clone() };
    assert!(matches!(sim.call(OWNER, yocto(1), |e| e.set_config(bad)), Err(EscrowError::BadConfig(_))));
    let bad = Config { price_weight_bps: 10_001, ..config.clone() };
    assert!(matches!(sim.call(OWNER, yocto(1), |e| e.set_config(bad)), Err(EscrowError::BadConfig(_))));
    let bad = Config { min_budget: zero(), ..config.clone() };
    assert!(matches!(sim.call(OWNER, yocto(1), |e| e.set_config(bad)), Err(EscrowError::BadConfig(_))));
    sim.call(OWNER, yocto(1), |e| e.set_config(config.clone())).unwrap();
    assert_eq!(sim.event_names(), ["config_changed"]);
    assert_eq!(sim.view(|e| e.get_config()).config, config);
    assert_eq!(sim.totals().fees_accrued, yocto(1), "the confirmation yoctoNEAR joins the fees");
}

#[test]
fn roles_change_only_by_the_owner() {
    let mut sim = Sim::new();
    assert_eq!(sim.call(ARBITER, yocto(1), |e| e.set_owner(acc(ARBITER))), Err(EscrowError::NotOwner));
    assert_eq!(sim.call(HIRER, yocto(1), |e| e.set_arbiter(acc(HIRER))), Err(EscrowError::NotOwner));
    assert_eq!(sim.call(HIRER, yocto(1), |e| e.set_registry(acc(HIRER))), Err(EscrowError::NotOwner));
    assert_eq!(sim.call(OWNER, zero(), |e| e.set_arbiter(acc("judge.near"))), Err(EscrowError::ConfirmationDeposit));
    sim.call(OWNER, yocto(1), |e| e.set_arbiter(acc("judge.near"))).unwrap();
    assert_eq!(sim.event_names(), ["arbiter_changed"]);
    sim.call(OWNER, yocto(1), |e| e.set_registry(acc("registry2.near"))).unwrap();
    assert_eq!(sim.event_names(), ["registry_changed"]);
    sim.call(OWNER, yocto(1), |e| e.set_owner(acc("dao.near"))).unwrap();
    assert_eq!(sim.events()[0].1["new"], "dao.near");
    // The old owner lost its powers; the new one has them.
    assert_eq!(sim.call(OWNER, yocto(1), |e| e.set_owner(acc(OWNER))), Err(EscrowError::NotOwner));
    let view = sim.view(|e| e.get_config());
    assert_eq!(
        (view.owner.as_str(), view.arbiter.as_str(), view.registry.as_str()),
        ("dao.near", "judge.near", "registry2.near")
    );
}

#[test]
fn fees_are_withdrawn_once_and_only_fees() {
    let mut sim = Sim::new();
    assert_eq!(sim.call(OWNER, zero(), |e| e.withdraw_fees(None)), Err(EscrowError::ConfirmationDeposit));
    // Pay one job (fee 1 % of 2 NEAR) while another job's budget stays held.
    let paid = sim.delivered(near(3), NODES[0], near(2));
    sim.call(HIRER, zero(), |e| e.accept(paid)).unwrap();
    let open = sim.post(near(5), 7);
    let fees = sim.totals().fees_accrued;
    assert_eq!(fees, milli(20));
    assert_eq!(sim.call(HIRER, yocto(1), |e| e.withdraw_fees(None)), Err(EscrowError::NotOwner));
    let got = sim.call(OWNER, yocto(1), |e| e.withdraw_fees(Some(acc("treasury.near")))).unwrap();
    // The confirmation yoctoNEAR joined the fees before the withdrawal.
    assert_eq!(got, fees.saturating_add(yocto(1)));
    assert_eq!(sim.sent_to("treasury.near"), got.as_yoctonear());
    assert_eq!(sim.event_names(), ["fees_withdrawn"]);
    // The open job's budget is untouched and a second withdrawal finds nothing.
    assert_eq!(sim.view(|e| e.get_job(open)).unwrap().escrowed, near(5));
    assert_eq!(sim.view(|e| e.get_job(open)).unwrap().status, Status::Open);
    assert_eq!(sim.call(OWNER, yocto(1), |e| e.withdraw_fees(None)), Err(EscrowError::NoFees));
    assert_eq!(sim.totals().escrowed, near(5));
    assert_eq!(sim.totals().fees_accrued, zero());
}

#[test]
fn withdraw_with_no_fees_is_refused() {
    let mut sim = Sim::new();
    assert_eq!(sim.call(OWNER, yocto(1), |e| e.withdraw_fees(None)), Err(EscrowError::NoFees));
    assert_eq!(sim.totals().fees_accrued, zero(), "the refused call was reverted");
}
