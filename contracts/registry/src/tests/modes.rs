//! The three modes: what each trusts, what its views say, and which evidence it refuses.

use super::*;
use redoubt_contracts_common::testing::snp::dev_evidence;
use redoubt_snp::Rejection;

#[test]
fn production_trusts_amds_roots_and_says_nothing_alarming() {
    let mut reg = Reg::new(serde_json::json!({ "mode": "production" }));
    let mode = reg.view(|r| r.get_mode());
    assert_eq!(
        (mode.mode.as_str(), mode.amd_roots, mode.accepts_dev_evidence, mode.warning),
        ("production", true, false, None)
    );
    let milan = mode.ark_fingerprints.iter().find(|(f, _)| *f == Family::Milan).unwrap().1;
    assert_eq!(milan.to_string(), "69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd");
    assert_eq!(mode.ark_fingerprints.len(), 3);
    assert_eq!(reg.view(|r| r.get_config()).mode.mode, "production");
}

#[test]
fn test_roots_mode_says_loudly_that_it_proves_nothing() {
    let ca = TestCa::new(Family::Genoa);
    let mut reg = Reg::new(test_roots_mode(&[&ca]));
    let mode = reg.view(|r| r.get_mode());
    assert_eq!((mode.mode.as_str(), mode.amd_roots, mode.accepts_dev_evidence), ("test-roots", false, false));
    assert!(mode.warning.unwrap().starts_with("TEST DEPLOYMENT"));
    assert_eq!(mode.ark_fingerprints, vec![(Family::Genoa, HexBytes(redoubt_snp::vcek_fingerprint(&ca.ark_der())))]);
    let events = reg.events();
    assert_eq!(events[0].0, "registry_initialised");
    assert_eq!(events[0].1["mode"]["mode"], "test-roots");
}

#[test]
fn dev_mode_says_so_and_accepts_dev_evidence() {
    let mut reg = Reg::new(serde_json::json!({ "mode": "dev" }));
    let mode = reg.view(|r| r.get_mode());
    assert!(mode.accepts_dev_evidence && mode.amd_roots);
    assert!(mode.warning.unwrap().starts_with("DEV MODE"));
    let node = reg.register(NODE, dev_evidence(NODE)).unwrap();
    assert_eq!(node.evidence_kind, crate::EvidenceKind::DevInsecure);
    assert_eq!((node.platform, node.active), (None, true));
    assert!(reg.is_active(NODE));
    assert_eq!(reg.event_names(), ["node_registered"]);
}

#[test]
fn dev_evidence_is_refused_outside_dev_mode() {
    let ca = TestCa::new(Family::Milan);
    for (mode, name) in
        [(serde_json::json!({ "mode": "production" }), "production"), (test_roots_mode(&[&ca]), "test-roots")]
    {
        let mut reg = Reg::new(mode);
        assert_eq!(reg.register(NODE, dev_evidence(NODE)), Err(RegistryError::DevEvidenceRefused(name)));
        assert!(!reg.is_active(NODE));
    }
}

#[test]
fn test_ca_evidence_is_refused_where_amds_roots_are_pinned() {
    let (_, _, ev) = milan_node(NODE);
    for mode in ["production", "dev"] {
        let mut reg = Reg::new(serde_json::json!({ "mode": mode }));
        reg.allow(MEASUREMENT);
        let err = reg.register(NODE, ev.clone()).unwrap_err();
        assert!(matches!(err, RegistryError::Snp(Rejection::ChainBroken { .. })), "{mode}: {err}");
    }
}

#[test]
#[should_panic(expected = "test-roots mode needs at least one root pair")]
fn test_roots_mode_needs_roots() {
    Reg::new(serde_json::json!({ "mode": "test-roots", "roots": [] }));
}

#[test]
#[should_panic(expected = "one root pair per family")]
fn test_roots_mode_takes_one_pair_per_family() {
    let ca = TestCa::new(Family::Milan);
    Reg::new(test_roots_mode(&[&ca, &ca]));
}

#[test]
#[should_panic(expected = "registration_ttl_ms must be between 1 ms and 365 days")]
fn init_refuses_bad_settings() {
    let settings = crate::Settings { registration_ttl_ms: 0, ..crate::Settings::default() };
    TestChain::new(REGISTRY, 10u128.pow(25), START_MS, OWNER, || {
        Registry::new(acc(OWNER), ModeInit::Production, Some(settings))
    });
}

#[test]
#[should_panic(expected = "already initialised")]
fn init_twice_is_refused() {
    let mut reg = Reg::new(serde_json::json!({ "mode": "dev" }));
    reg.call(OWNER, yocto(0), |_| {
        Registry::new(acc(OWNER), ModeInit::Dev, None);
        Ok::<(), RegistryError>(())
    })
    .unwrap();
}
