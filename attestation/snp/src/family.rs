//! AMD EPYC product families that run SEV-SNP and have a certificate chain.

use std::fmt;

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};
use sev::Generation;

use crate::Rejection;

/// An AMD EPYC product family with its own ARK/ASK chain (Milan, Genoa or Turin).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, BorshSerialize, BorshDeserialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// 3rd generation EPYC (family 19h, models 00h-0Fh).
    Milan,
    /// 4th generation EPYC (family 19h, models 10h-1Fh, A0h-AFh).
    Genoa,
    /// 5th generation EPYC (family 1Ah, models 00h-11h); TCB carries an FMC byte, hwID is 8 bytes.
    Turin,
}

impl Family {
    /// Every family, in release order.
    pub const ALL: [Family; 3] = [Family::Milan, Family::Genoa, Family::Turin];

    /// The family named by a VCEK's productName extension (`Milan-B0`, `Genoa`, `Turin`...).
    pub fn from_product_name(name: &str) -> Result<Family, Rejection> {
        let base = name.split('-').next().unwrap_or_default();
        match base {
            "Milan" => Ok(Family::Milan),
            "Genoa" => Ok(Family::Genoa),
            "Turin" => Ok(Family::Turin),
            _ => Err(Rejection::UnsupportedProduct { product: name.to_owned() }),
        }
    }

    /// The family given by a v3+ report's CPUID family and model bytes.
    pub fn from_cpuid(family: u8, model: u8) -> Result<Family, Rejection> {
        let unsupported =
            || Rejection::UnsupportedProduct { product: format!("CPUID family {family:#x} model {model:#x}") };
        match Generation::identify_cpu(family, model).map_err(|_| unsupported())? {
            Generation::Milan => Ok(Family::Milan),
            Generation::Genoa => Ok(Family::Genoa),
            Generation::Turin => Ok(Family::Turin),
            _ => Err(unsupported()),
        }
    }

    /// The product name used by AMD's key distribution service and certificate names.
    pub fn name(self) -> &'static str {
        match self {
            Family::Milan => "Milan",
            Family::Genoa => "Genoa",
            Family::Turin => "Turin",
        }
    }

    /// Length in bytes of the VCEK hwID extension for this family (the chip id it certifies).
    pub fn hwid_len(self) -> usize {
        match self {
            Family::Milan | Family::Genoa => 64,
            Family::Turin => 8,
        }
    }

    /// Whether TCB values of this family carry an FMC component.
    pub fn has_fmc(self) -> bool {
        self == Family::Turin
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_names_and_cpuid_agree() {
        assert_eq!(Family::from_product_name("Milan-B0").unwrap(), Family::Milan);
        assert_eq!(Family::from_product_name("Genoa").unwrap(), Family::Genoa);
        assert_eq!(Family::from_product_name("Turin").unwrap(), Family::Turin);
        assert!(Family::from_product_name("Rome").is_err());
        assert!(Family::from_product_name("MilanX").is_err());
        assert_eq!(Family::from_cpuid(0x19, 0x01).unwrap(), Family::Milan);
        assert_eq!(Family::from_cpuid(0x19, 0x11).unwrap(), Family::Genoa);
        assert_eq!(Family::from_cpuid(0x1a, 0x02).unwrap(), Family::Turin);
        assert!(Family::from_cpuid(0x1a, 0x50).is_err(), "Venice has no chain here");
        assert!(Family::from_cpuid(0x17, 0x31).is_err());
    }
}
