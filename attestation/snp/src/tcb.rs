//! TCB (trusted computing base) security version numbers of the AMD secure processor.

use std::fmt;

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};
use sev::firmware::host::TcbVersion;

/// Security version numbers of the firmware components a VCEK is derived from.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, BorshSerialize, BorshDeserialize,
)]
pub struct Tcb {
    /// FMC (first mutable code) SVN; Turin and later only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fmc: Option<u8>,
    /// PSP bootloader SVN.
    pub bootloader: u8,
    /// PSP operating system (TEE) SVN.
    pub tee: u8,
    /// SNP firmware SVN.
    pub snp: u8,
    /// Lowest microcode patch level of all cores.
    pub microcode: u8,
}

/// One TCB component, named as AMD's VCEK extensions and KDS name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TcbComponent {
    /// First mutable code (Turin).
    Fmc,
    /// PSP bootloader.
    Bootloader,
    /// PSP OS.
    Tee,
    /// SNP firmware.
    Snp,
    /// CPU microcode.
    Microcode,
}

impl Tcb {
    /// The components as (name, value) pairs; `fmc` only when present.
    pub fn components(&self) -> impl Iterator<Item = (TcbComponent, u8)> {
        let fmc = self.fmc.map(|v| (TcbComponent::Fmc, v));
        fmc.into_iter().chain([
            (TcbComponent::Bootloader, self.bootloader),
            (TcbComponent::Tee, self.tee),
            (TcbComponent::Snp, self.snp),
            (TcbComponent::Microcode, self.microcode),
        ])
    }

    /// The value of one component (`None` for FMC on families without it).
    pub fn get(&self, component: TcbComponent) -> Option<u8> {
        match component {
            TcbComponent::Fmc => self.fmc,
            TcbComponent::Bootloader => Some(self.bootloader),
            TcbComponent::Tee => Some(self.tee),
            TcbComponent::Snp => Some(self.snp),
            TcbComponent::Microcode => Some(self.microcode),
        }
    }

    /// The first component of `self` below `minimum`, as (component, minimum, actual).
    /// A minimum FMC is ignored when this TCB has none (pre-Turin families).
    pub fn first_below(&self, minimum: &Tcb) -> Option<(TcbComponent, u8, u8)> {
        minimum.components().find_map(|(component, min)| match self.get(component) {
            Some(actual) if actual < min => Some((component, min, actual)),
            _ => None,
        })
    }
}

impl From<TcbVersion> for Tcb {
    fn from(v: TcbVersion) -> Tcb {
        Tcb { fmc: v.fmc, bootloader: v.bootloader, tee: v.tee, snp: v.snp, microcode: v.microcode }
    }
}

impl From<Tcb> for TcbVersion {
    fn from(t: Tcb) -> TcbVersion {
        TcbVersion::new(t.fmc, t.bootloader, t.tee, t.snp, t.microcode)
    }
}

impl fmt::Display for TcbComponent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TcbComponent::Fmc => "fmc",
            TcbComponent::Bootloader => "bootloader",
            TcbComponent::Tee => "tee",
            TcbComponent::Snp => "snp",
            TcbComponent::Microcode => "microcode",
        })
    }
}

impl fmt::Display for Tcb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (component, value) in self.components() {
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            write!(f, "{component}={value}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimum_is_checked_per_component() {
        let tcb = Tcb { fmc: None, bootloader: 3, tee: 0, snp: 8, microcode: 115 };
        assert_eq!(tcb.first_below(&tcb), None);
        let min = Tcb { microcode: 116, ..tcb };
        assert_eq!(tcb.first_below(&min), Some((TcbComponent::Microcode, 116, 115)));
        let min = Tcb { fmc: Some(9), ..tcb };
        assert_eq!(tcb.first_below(&min), None, "no FMC on Milan: the FMC minimum does not apply");
        let turin = Tcb { fmc: Some(1), ..tcb };
        assert_eq!(turin.first_below(&min), Some((TcbComponent::Fmc, 9, 1)));
        assert_eq!(turin.to_string(), "fmc=1 bootloader=3 tee=0 snp=8 microcode=115");
    }
}
