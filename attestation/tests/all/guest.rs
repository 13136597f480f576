//! Around the hardware paths: the host's cert table, the configfs-tsm layout (a temp dir stands in
//! for /sys/kernel/config/tsm/report) and evidence assembly, ending in a real verification.

use std::fs;
use std::path::Path;

use redoubt_attestation::guest::{CertTable, EvidenceSource, TsmEntry, assemble, collect_from, tsm_ext_report};
use redoubt_attestation::{Evidence, Expectations, GuestError, VerifierPolicy};

use crate::common::{NOW, TestNode};

const ARK: &str = "c0b406a4-a803-4952-9743-3fb6014cd0ae";
const ASK: &str = "4ab7b379-bbac-4fe4-a02f-05aef327c782";
const VCEK: &str = "63da758d-e664-4564-adc5-f4b93be8accd";
const VLEK: &str = "a8074bc2-a25a-483e-aae6-39c045a0b8a1";

/// Lay out a table as a host does: 24-byte entries, a zero entry, then the data.
fn table(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let header = (entries.len() + 1) * 24;
    let (mut out, mut data) = (Vec::new(), Vec::new());
    for (guid, bytes) in entries {
        out.extend(hex::decode(guid.replace('-', "")).unwrap());
        out.extend(((header + data.len()) as u32).to_le_bytes());
        out.extend((bytes.len() as u32).to_le_bytes());
        data.extend_from_slice(bytes);
    }
    out.extend([0u8; 24]);
    out.extend(data);
    out
}

#[test]
fn a_host_cert_table_is_parsed_and_padding_trimmed() {
    let node = TestNode::new();
    let (ark, ask, vcek) = (node.ca.ark_der(), node.ca.ask_der(), node.chip.vcek_der());
    let mut padded = vcek.clone();
    padded.resize(4096, 0);
    let parsed = CertTable::parse(&table(&[
        (ARK, &ark),
        (ASK, &ask),
        (VCEK, &padded),
        ("00000000-0000-0000-0000-0000000000ff", b"x"),
    ]))
    .unwrap();
    assert_eq!(parsed, CertTable { ark: Some(ark), ask: Some(ask), vcek: Some(vcek), vlek: None });
}

#[test]
fn hostile_cert_tables_are_rejected_without_reading_out_of_bounds() {
    let vcek = TestNode::new().chip.vcek_der();
    let honest = table(&[(VCEK, &vcek)]);
    let mut beyond = honest.clone();
    beyond[16..20].copy_from_slice(&(honest.len() as u32).to_le_bytes());
    let mut overflow = honest.clone();
    overflow[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
    overflow[20..24].copy_from_slice(&u32::MAX.to_le_bytes());
    let unterminated = honest[..24].to_vec();
    let duplicate = table(&[(VCEK, &vcek), (VCEK, &vcek)]);
    let endless: Vec<u8> = (0..100).flat_map(|_| table(&[(ASK, b"")])[..24].to_vec()).collect();
    for (name, bytes) in [
        ("beyond", beyond),
        ("overflow", overflow),
        ("unterminated", unterminated),
        ("duplicate", duplicate),
        ("endless", endless),
        ("empty", vec![]),
    ] {
        assert!(matches!(CertTable::parse(&bytes), Err(GuestError::CertTable(_))), "{name}");
    }
}

/// An entry directory populated as the kernel would, with a report signed by the test chip.
fn kernel_entry(dir: &Path, node: &TestNode, nonce: Option<&[u8]>) {
    fs::write(dir.join("provider"), "sev_guest\n").unwrap();
    fs::write(dir.join("generation"), "7\n").unwrap();
    fs::write(dir.join("outblob"), node.chip.sign_report(&node.fields(nonce))).unwrap();
    let (ask, vcek) = (node.ca.ask_der(), node.chip.vcek_der());
    fs::write(dir.join("auxblob"), table(&[(ASK, &ask), (VCEK, &vcek)])).unwrap();
}

#[test]
fn a_configfs_report_becomes_evidence_that_verifies() {
    let node = TestNode::new();
    let dir = tempfile::tempdir().unwrap();
    kernel_entry(dir.path(), &node, Some(b"challenge"));
    let entry = TsmEntry::open(dir.path());
    let report_data = redoubt_attestation::guest::expected_report_data(&node.keys, Some(b"challenge"));
    let generation = entry.request(&report_data, 0).unwrap();
    assert_eq!(generation, 7);
    assert_eq!(fs::read(dir.path().join("inblob")).unwrap(), report_data);
    assert_eq!(fs::read_to_string(dir.path().join("privlevel")).unwrap(), "0");
    let (report, aux) = entry.read(generation).unwrap();
    let evidence = assemble(report, CertTable::parse(&aux).unwrap(), &node.keys, Some(b"challenge")).unwrap();
    let expect = Expectations { nonce: Some(b"challenge".to_vec()), ..Default::default() };
    node.verifier(VerifierPolicy::default()).verify(&evidence, &expect, NOW).unwrap();
    assert!(dir.path().exists(), "an opened entry is not removed");
}

#[test]
fn a_configfs_race_or_foreign_provider_is_detected() {
    let node = TestNode::new();
    let dir = tempfile::tempdir().unwrap();
    kernel_entry(dir.path(), &node, None);
    let entry = TsmEntry::open(dir.path());
    let generation = entry.request(&[0; 64], 0).unwrap();
    fs::write(dir.path().join("generation"), "8\n").unwrap();
    assert!(matches!(entry.read(generation), Err(GuestError::Tsm(m)) if m.contains("generation moved")));
    fs::write(dir.path().join("generation"), "7\n").unwrap();
    fs::write(dir.path().join("provider"), "tdx_guest\n").unwrap();
    assert!(matches!(entry.read(generation), Err(GuestError::Tsm(m)) if m.contains("tdx_guest")));
}

#[test]
fn a_report_for_other_data_or_without_a_vcek_is_not_turned_into_evidence() {
    let node = TestNode::new();
    let report = node.chip.sign_report(&node.fields(Some(b"other")));
    let certs = CertTable { vcek: Some(node.chip.vcek_der()), ..Default::default() };
    assert!(matches!(assemble(report, certs, &node.keys, Some(b"mine")), Err(GuestError::WrongReportData)));
    let report = node.chip.sign_report(&node.fields(None));
    let vlek_only = CertTable::parse(&table(&[(VLEK, &node.chip.vcek_der())])).unwrap();
    let err = assemble(report, vlek_only, &node.keys, None).unwrap_err();
    assert!(matches!(err, GuestError::NoVcek { vlek: true }));
    assert!(err.to_string().contains("VLEK"));
}

#[test]
fn without_a_kernel_behind_configfs_the_request_fails_cleanly() {
    let node = TestNode::new();
    let root = tempfile::tempdir().unwrap();
    let source = EvidenceSource::ConfigfsTsm(root.path().to_owned());
    assert!(matches!(collect_from(&source, &node.keys, None), Err(GuestError::Tsm(_))));
    assert!(matches!(tsm_ext_report(Path::new("/nonexistent/tsm"), &[0; 64], 0), Err(GuestError::Tsm(_))));
}

#[test]
fn off_sev_hardware_the_node_makes_dev_evidence() {
    let node = TestNode::new();
    let evidence = collect_from(&EvidenceSource::Dev, &node.keys, Some(b"n")).unwrap();
    let Evidence::DevInsecure(dev) = &evidence else { panic!("expected dev evidence") };
    assert!(dev.warning.starts_with("INSECURE"));
    assert_eq!(dev.keys, node.keys.bound(Some(b"n")));
    if redoubt_attestation::guest::detect() == EvidenceSource::Dev {
        assert!(matches!(redoubt_attestation::collect(&node.keys, None).unwrap(), Evidence::DevInsecure(_)));
        assert!(matches!(redoubt_attestation::sealing_key(), Err(GuestError::NoSevGuest)));
    }
}
