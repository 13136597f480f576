//! The owner's policy knobs besides the measurement allowlist: registration lifetime, required VMPL and
//! the minimum TCB per family.

use crate::error::RegistryError;
use near_sdk::near;
use redoubt_snp::{Family, Tcb};

/// Longest a registration may last before the node must register again.
pub const MAX_REGISTRATION_TTL_MS: u64 = 365 * DAY_MS;
/// Most measurements the allowlist holds (each registration checks the report against all of them).
pub const MAX_MEASUREMENTS: u32 = 64;
const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// A family's minimum TCB.
#[near(serializers = [json, borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FamilyTcb {
    /// The product family.
    pub family: Family,
    /// Each reported TCB component must be at least this.
    pub tcb: Tcb,
}

/// Settings the owner may change.
#[near(serializers = [json, borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// How long a registration lasts (it also ends when the VCEK's certificate chain does).
    pub registration_ttl_ms: u64,
    /// The VMPL reports must be requested at (`None`: any).
    pub required_vmpl: Option<u32>,
    /// Minimum TCB per family (a family without one accepts any TCB).
    pub min_tcb: Vec<FamilyTcb>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { registration_ttl_ms: 30 * DAY_MS, required_vmpl: Some(0), min_tcb: Vec::new() }
    }
}

impl Settings {
    /// Checks the values are in range.
    pub fn validate(&self) -> Result<(), RegistryError> {
        if self.registration_ttl_ms == 0 || self.registration_ttl_ms > MAX_REGISTRATION_TTL_MS {
            return Err(RegistryError::BadSetting("registration_ttl_ms must be between 1 ms and 365 days"));
        }
        if self.required_vmpl.is_some_and(|v| v > 3) {
            return Err(RegistryError::BadSetting("required_vmpl must be 0 to 3"));
        }
        Ok(())
    }

    /// The minimum TCB of `family`, if any.
    pub fn min_tcb_for(&self, family: Family) -> Option<Tcb> {
        self.min_tcb.iter().find(|m| m.family == family).map(|m| m.tcb)
    }

    /// Sets (or, with `None`, clears) the minimum TCB of `family`.
    pub fn set_min_tcb(&mut self, family: Family, tcb: Option<Tcb>) {
        self.min_tcb.retain(|m| m.family != family);
        if let Some(tcb) = tcb {
            self.min_tcb.push(FamilyTcb { family, tcb });
        }
    }
}
