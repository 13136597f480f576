//! Registration: caching a verified VCEK, registering with SEV-SNP (or, in dev mode, dev) evidence,
//! leaving, and a dry-run view of the report checks.

use crate::error::RegistryError;
use crate::evidence::Evidence;
use crate::node::{EvidenceKind, Node, NodeView, Platform};
use crate::{Registry, RegistryExt, events, now_ms};
use near_sdk::json_types::Base64VecU8;
use near_sdk::serde_json::json;
use near_sdk::{env, near};
use redoubt_contracts_common::{HexBytes, StorageMeter, refund, storage_cost, take_from_deposit};
use redoubt_snp::{
    Family, Rejection, Report, Tcb, VerifiedVcek, VerifierPolicy, report_data_binding, vcek_fingerprint, verify_report,
    verify_vcek,
};

use crate::views::VcekView;

/// The outcome of `check_report`: the SEV-SNP checks a registration runs, except the key binding.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportCheck {
    /// Whether the report passes the signature, VCEK binding and policy checks.
    pub accepted: bool,
    /// Why not, if not.
    pub rejection: Option<String>,
    /// The report's fields, if its signature verified.
    pub report: Option<ReportSummary>,
}

/// The report fields a registration relies on.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportSummary {
    /// Report version.
    pub version: u32,
    /// Product family.
    pub family: Family,
    /// VMPL it was requested at.
    pub vmpl: u32,
    /// Raw guest policy.
    pub policy: u64,
    /// Whether the guest policy allows debugging.
    pub debug: bool,
    /// Launch measurement.
    pub measurement: HexBytes<48>,
    /// The 64 bytes the guest chose.
    pub report_data: HexBytes<64>,
    /// Chip id.
    pub chip_id: HexBytes<64>,
    /// Reported TCB.
    pub reported_tcb: Tcb,
}

#[near]
impl Registry {
    /// Verifies a VCEK's chain to the registry's roots and caches it, so registrations with reports it
    /// signed skip the RSA chain check. Attach the storage deposit (about 0.005 NEAR); the change comes
    /// back, all of it if the VCEK was already cached. Anyone may call it.
    #[payable]
    #[handle_result]
    pub fn submit_vcek(&mut self, vcek: Base64VecU8) -> Result<VcekView, RegistryError> {
        let caller = env::predecessor_account_id();
        let deposit = env::attached_deposit();
        let meter = StorageMeter::start();
        let verified = self.verified_vcek(&vcek.0)?;
        self.flush();
        let change = take_from_deposit(deposit, storage_cost(meter.grown()))?;
        refund(&caller, change);
        Ok(VcekView::from(&verified))
    }

    /// Registers (or re-registers) the calling node with its evidence; see the crate documentation for the
    /// checks. Attach the storage deposit (about 0.005 NEAR, more if the VCEK is not cached yet); the
    /// change comes back.
    #[payable]
    #[handle_result]
    pub fn register(&mut self, evidence: Evidence) -> Result<NodeView, RegistryError> {
        let account = env::predecessor_account_id();
        let signer = env::signer_account_id();
        if account != signer {
            return Err(RegistryError::NotSignedByNode { predecessor: account, signer });
        }
        let (ed25519, x25519) = evidence.keys().registration_keys()?;
        if env::signer_account_pk() != evidence.keys().ed25519_public_key {
            return Err(RegistryError::KeyNotSigner);
        }
        let now = now_ms();
        let meter = StorageMeter::start();
        let (kind, platform, expires_at_ms) = match &evidence {
            Evidence::DevInsecure(_) if !self.mode.accepts_dev_evidence() => {
                return Err(RegistryError::DevEvidenceRefused(self.mode.name()));
            }
            Evidence::DevInsecure(_) => (EvidenceKind::DevInsecure, None, now + self.settings.registration_ttl_ms),
            Evidence::SevSnp(snp) => {
                let vcek = self.verified_vcek(&snp.vcek.0)?;
                let binding = report_data_binding(&ed25519, &x25519, &[]);
                let report = self.checked_report(&snp.report.0, &vcek, Some(binding))?;
                let platform = Platform {
                    measurement: HexBytes(report.measurement),
                    chip_id: HexBytes(report.chip_id),
                    family: report.family,
                    tcb: report.reported_tcb,
                    vcek_fingerprint: HexBytes(vcek.fingerprint),
                };
                let ttl_end = now + self.settings.registration_ttl_ms;
                (EvidenceKind::SevSnp, Some(platform), ttl_end.min(vcek.not_after.saturating_mul(1000)))
            }
        };
        // Write the VCEK cache entry now so the node record's own size is measured alone.
        self.flush();
        let previous = self.nodes.get(&account).map_or(0, |n| n.storage_bytes);
        let mut node = Node {
            ed25519: HexBytes(ed25519),
            x25519: HexBytes(x25519),
            kind,
            platform,
            registered_at_ms: now,
            expires_at_ms,
            storage_bytes: 0,
        };
        let node_meter = StorageMeter::start();
        self.nodes.insert(account.clone(), node.clone());
        self.flush();
        node.storage_bytes = previous.saturating_add_signed(node_meter.delta());
        self.nodes.insert(account.clone(), node.clone());
        // What the node pays: everything this call added (a newly cached VCEK, its record's growth), less
        // what a re-registration's smaller record released.
        let available = deposit_plus_released(meter.delta());
        let change = take_from_deposit(available, storage_cost(meter.grown()))?;
        refund(&account, change);
        let view = node.view(account, self.in_force(&node, now));
        events::emit("node_registered", &view);
        Ok(view)
    }

    /// Leaves the registry: the record is deleted and its storage deposit returned. Anchors stay.
    #[handle_result]
    pub fn unregister(&mut self) -> Result<(), RegistryError> {
        let account = env::predecessor_account_id();
        let node = self.nodes.remove(&account).ok_or(RegistryError::NotRegistered(account.clone()))?;
        refund(&account, storage_cost(node.storage_bytes));
        events::emit("node_unregistered", &json!({ "account_id": account }));
        Ok(())
    }

    /// Dry run of a registration's SEV-SNP checks on `report` against a cached VCEK (signature, VCEK
    /// binding, validity, debug, migration agent, VMPL, measurement allowlist, minimum TCB), without the
    /// key binding: lets an operator see why evidence would be refused.
    #[handle_result]
    pub fn check_report(
        &self,
        report: Base64VecU8,
        vcek_fingerprint: HexBytes<32>,
    ) -> Result<ReportCheck, RegistryError> {
        let vcek = self.vceks.get(&vcek_fingerprint).ok_or(RegistryError::UnknownVcek(vcek_fingerprint.to_string()))?;
        let parsed = match verify_report(&report.0, vcek, now_ms() / 1000) {
            Ok(parsed) => parsed,
            Err(e) => return Ok(ReportCheck { accepted: false, rejection: Some(e.to_string()), report: None }),
        };
        let verdict = self.check_policy(&parsed, None);
        Ok(ReportCheck {
            accepted: verdict.is_ok(),
            rejection: verdict.err().map(|e| e.to_string()),
            report: Some(ReportSummary {
                version: parsed.version,
                family: parsed.family,
                vmpl: parsed.vmpl,
                policy: parsed.policy,
                debug: parsed.debug(),
                measurement: HexBytes(parsed.measurement),
                report_data: HexBytes(parsed.report_data),
                chip_id: HexBytes(parsed.chip_id),
                reported_tcb: parsed.reported_tcb,
            }),
        })
    }
}

impl Registry {
    /// The cached VCEK with this DER's fingerprint, or the VCEK verified against the roots now and cached.
    /// Refuses a VCEK whose chain has expired.
    fn verified_vcek(&mut self, vcek_der: &[u8]) -> Result<VerifiedVcek, RegistryError> {
        let fingerprint = HexBytes(vcek_fingerprint(vcek_der));
        if let Some(cached) = self.vceks.get(&fingerprint) {
            return Ok(cached.clone());
        }
        let verified = verify_vcek(vcek_der, &self.mode.roots())?;
        let now = now_ms() / 1000;
        if now > verified.not_after {
            return Err(Rejection::Expired { not_after: verified.not_after, now }.into());
        }
        self.vceks.insert(fingerprint, verified.clone());
        let submitted_by = env::predecessor_account_id();
        events::emit("vcek_verified", &json!({ "vcek": VcekView::from(&verified), "submitted_by": submitted_by }));
        Ok(verified)
    }

    /// Verifies `report` under `vcek` now and holds it to the registry's policy (and, if given, the
    /// expected report_data).
    fn checked_report(
        &self,
        report: &[u8],
        vcek: &VerifiedVcek,
        report_data: Option<[u8; 64]>,
    ) -> Result<Report, RegistryError> {
        let parsed = verify_report(report, vcek, now_ms() / 1000)?;
        self.check_policy(&parsed, report_data)?;
        Ok(parsed)
    }

    /// The owner's policy: no debug, no migration agent, the required VMPL, an allowlisted measurement, the
    /// family's minimum TCB, and (if given) the expected report_data, compared in constant time.
    fn check_policy(&self, report: &Report, report_data: Option<[u8; 64]>) -> Result<(), RegistryError> {
        let measurements: Vec<[u8; 48]> = self.measurements.keys().map(|m| m.0).collect();
        if measurements.is_empty() {
            // An empty list means "any" to the verifier core; here it means nothing is allowed yet.
            return Err(RegistryError::MeasurementNotAllowed(HexBytes(report.measurement).to_string()));
        }
        let policy = VerifierPolicy {
            allow_debug: false,
            allow_migration_agent: false,
            vmpl: self.settings.required_vmpl,
            measurements,
            min_tcb: self.settings.min_tcb_for(report.family),
            report_data,
        };
        report.check(&policy).map_err(RegistryError::from)
    }
}

/// The attached deposit, plus the deposit of the bytes this call released (a smaller record on
/// re-registration), as the amount the call may spend on storage.
fn deposit_plus_released(delta: i64) -> near_sdk::NearToken {
    let released = if delta < 0 { delta.unsigned_abs() } else { 0 };
    env::attached_deposit().saturating_add(storage_cost(released))
}
