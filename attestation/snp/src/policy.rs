//! The verifier's policy over a verified report's fields.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::binding::report_data_eq;
use crate::{Rejection, Report, Tcb};

/// What a verifier requires of a report beyond its signature. `Default` is production-safe:
/// no debug, no migration agent, any VMPL, any measurement, any TCB, report_data unchecked
/// (callers that bind keys set `report_data`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, BorshSerialize, BorshDeserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VerifierPolicy {
    /// Accept guests whose policy allows debugging (never in production: the host can read them).
    pub allow_debug: bool,
    /// Accept guests that allow or have a migration agent.
    pub allow_migration_agent: bool,
    /// Required VMPL; `None` accepts any.
    pub vmpl: Option<u32>,
    /// Allowed launch measurements (hex in JSON); empty accepts any.
    #[serde(with = "hex_list")]
    pub measurements: Vec<[u8; 48]>,
    /// Minimum reported TCB, per component (FMC applies to Turin only).
    pub min_tcb: Option<Tcb>,
    /// Expected report_data (hex in JSON), compared in constant time.
    #[serde(with = "hex_option")]
    pub report_data: Option<[u8; 64]>,
}

impl Report {
    /// Check the report's fields against `policy`; the first violated rule is the rejection.
    pub fn check(&self, policy: &VerifierPolicy) -> Result<(), Rejection> {
        if self.debug() && !policy.allow_debug {
            return Err(Rejection::Debug);
        }
        if !policy.allow_migration_agent {
            if self.migrate_ma() {
                return Err(Rejection::MigrationAgentAllowed);
            }
            if self.migration_agent_bound() {
                return Err(Rejection::MigrationAgentBound { report_id_ma: self.report_id_ma });
            }
        }
        if let Some(expected) = policy.vmpl.filter(|&v| v != self.vmpl) {
            return Err(Rejection::VmplMismatch { expected, actual: self.vmpl });
        }
        if !policy.measurements.is_empty() && !policy.measurements.contains(&self.measurement) {
            return Err(Rejection::MeasurementNotAllowed {
                measurement: self.measurement,
                allowed: policy.measurements.len(),
            });
        }
        if let Some((component, minimum, actual)) = policy.min_tcb.and_then(|min| self.reported_tcb.first_below(&min)) {
            return Err(Rejection::TcbBelowMinimum { component, minimum, actual });
        }
        if let Some(expected) = &policy.report_data
            && !report_data_eq(expected, &self.report_data)
        {
            return Err(Rejection::ReportDataMismatch);
        }
        Ok(())
    }
}

/// Serde for a list of 48-byte values as hex strings.
mod hex_list {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(values: &[[u8; 48]], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(values.iter().map(hex::encode))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<[u8; 48]>, D::Error> {
        let strings = Vec::<String>::deserialize(d)?;
        strings.iter().map(|h| hex::FromHex::from_hex(h).map_err(serde::de::Error::custom)).collect()
    }
}

/// Serde for an optional 64-byte value as a hex string.
mod hex_option {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<[u8; 64]>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => s.serialize_some(&hex::encode(v)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<[u8; 64]>, D::Error> {
        let string = Option::<String>::deserialize(d)?;
        string.map(|h| hex::FromHex::from_hex(h).map_err(serde::de::Error::custom)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_json_round_trips_with_hex() {
        let policy = VerifierPolicy {
            vmpl: Some(0),
            measurements: vec![[0xab; 48]],
            min_tcb: Some(Tcb { fmc: None, bootloader: 1, tee: 0, snp: 8, microcode: 100 }),
            report_data: Some([7; 64]),
            ..VerifierPolicy::default()
        };
        let json = serde_json::to_string(&policy).unwrap();
        assert!(json.contains(&"ab".repeat(48)), "{json}");
        assert_eq!(serde_json::from_str::<VerifierPolicy>(&json).unwrap(), policy);
        assert_eq!(serde_json::from_str::<VerifierPolicy>("{}").unwrap(), VerifierPolicy::default());
        assert!(serde_json::from_str::<VerifierPolicy>(r#"{"allow_debgu": true}"#).is_err(), "typos are errors");
        assert!(serde_json::from_str::<VerifierPolicy>(r#"{"measurements": ["abcd"]}"#).is_err());
    }
}
