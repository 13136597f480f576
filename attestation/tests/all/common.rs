//! Shared fixtures: the real report sets, test-CA evidence for fresh node keys, a fixed clock.

use std::path::PathBuf;

use redoubt_attestation::{
    Evidence, Family, NodeKeys, SnpEvidence, Tcb, Verifier, VerifierPolicy, report_data_binding,
};
use redoubt_snp_testca::{ReportFields, TestCa, TestChip};

/// 2026-03-01T00:00:00Z: inside every real VCEK's validity and the test CA's.
pub const NOW: u64 = 1_772_323_200;

/// The TCB test chips are issued at.
pub const TCB: Tcb = Tcb { fmc: None, bootloader: 4, tee: 0, snp: 22, microcode: 213 };

/// `../shared/testdata/snp/<set>` or `None` (printing the skip note) when the data is absent.
pub fn real_set(name: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/testdata/snp");
    if dir.is_dir() {
        Some(dir.join(name))
    } else {
        println!("skipped: ../shared/testdata/snp not found");
        None
    }
}

/// A node with keys and a test-CA chip that signs its reports.
pub struct TestNode {
    pub keys: NodeKeys,
    pub ca: TestCa,
    pub chip: TestChip,
}

impl TestNode {
    /// A Genoa node with fresh keys.
    pub fn new() -> TestNode {
        TestNode::on(Family::Genoa, TCB)
    }

    /// A node of a family at a TCB.
    pub fn on(family: Family, tcb: Tcb) -> TestNode {
        let ca = TestCa::new(family);
        let chip = ca.issue_vcek([0x5c; 64], tcb);
        TestNode { keys: NodeKeys::generate("node.test.near".parse().unwrap()), ca, chip }
    }

    /// Report fields binding this node's keys and the nonce.
    pub fn fields(&self, nonce: Option<&[u8]>) -> ReportFields {
        let report_data =
            report_data_binding(&self.keys.ed25519_public(), &self.keys.x25519_public(), nonce.unwrap_or_default());
        ReportFields { report_data, ..Default::default() }
    }

    /// Evidence from a report with these fields, claiming this node's keys and the nonce.
    pub fn evidence_with(&self, fields: &ReportFields, nonce: Option<&[u8]>) -> Evidence {
        Evidence::SevSnp(SnpEvidence {
            report: self.chip.sign_report(fields),
            vcek: self.chip.vcek_der(),
            ask: None,
            ark: None,
            keys: self.keys.bound(nonce),
        })
    }

    /// Honest evidence for the nonce.
    pub fn evidence(&self, nonce: Option<&[u8]>) -> Evidence {
        self.evidence_with(&self.fields(nonce), nonce)
    }

    /// A verifier that trusts this node's test CA (tests only).
    pub fn verifier(&self, policy: VerifierPolicy) -> Verifier {
        Verifier::with_trusted_roots_for_tests(self.ca.roots(), policy)
    }
}
