//! Trust anchors: AMD's ARK and ASK per family (built in, pinned), or explicitly chosen ones
//! (verified when the roots are made: ARK self-signed, ARK -> ASK).

use sev::certs::snp::builtin;

use crate::chain::{link, parse, validity};
use crate::rejection::CertRole;
use crate::{Family, Rejection};

/// An ASK ready to verify VCEKs, with the validity window it and its ARK share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TrustedAsk {
    pub cert: x509_cert::Certificate,
    pub not_before: u64,
    pub not_after: u64,
}

/// One family's ARK and ASK, DER, and the ASK as checked when the roots were made.
#[derive(Clone, Debug, PartialEq, Eq)]
struct RootPair {
    family: Family,
    ark_der: Vec<u8>,
    ask_der: Vec<u8>,
    ask: Result<TrustedAsk, Rejection>,
}

/// The ARK (root) and ASK (intermediate) certificates the verifier trusts, per family.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Roots {
    pairs: Vec<RootPair>,
}

impl Roots {
    /// AMD's ARK and ASK for Milan, Genoa and Turin, as shipped in `sev::certs::snp::builtin`.
    /// They are pinned constants (their chain is checked by this crate's tests), so making them
    /// costs no signature verification.
    pub fn amd() -> Roots {
        let pairs = Family::ALL
            .map(|family| {
                let (ark, ask) = amd_pem(family);
                let (ark_der, ask_der) = (pem_to_der(ark), pem_to_der(ask));
                let ask = pinned(&ark_der, &ask_der);
                RootPair { family, ark_der, ask_der, ask }
            })
            .to_vec();
        Roots { pairs }
    }

    /// Roots chosen by the caller (a test CA, or AMD's ARK with a presented ASK). Each pair is
    /// verified now (ARK self-signed, ARK -> ASK); a pair that fails rejects every VCEK of its
    /// family. Later entries for a family replace earlier ones. Production verifiers use
    /// [`Roots::amd`]: anything else trusts whoever made these certificates.
    pub fn custom(entries: impl IntoIterator<Item = (Family, Vec<u8>, Vec<u8>)>) -> Roots {
        let mut pairs: Vec<RootPair> = Vec::new();
        for (family, ark_der, ask_der) in entries {
            pairs.retain(|p| p.family != family);
            let ask = verified(&ark_der, &ask_der);
            pairs.push(RootPair { family, ark_der, ask_der, ask });
        }
        Roots { pairs }
    }

    /// The trusted ARK of a family, DER.
    pub fn ark_der(&self, family: Family) -> Option<&[u8]> {
        self.pair(family).map(|p| p.ark_der.as_slice())
    }

    /// The trusted ASK of a family, DER.
    pub fn ask_der(&self, family: Family) -> Option<&[u8]> {
        self.pair(family).map(|p| p.ask_der.as_slice())
    }

    /// Families these roots cover.
    pub fn families(&self) -> impl Iterator<Item = Family> + '_ {
        self.pairs.iter().map(|p| p.family)
    }

    /// The checked ASK of a family, or why there is none.
    pub(crate) fn trusted_ask(&self, family: Family) -> Result<&TrustedAsk, Rejection> {
        let pair = self.pair(family).ok_or(Rejection::NoRoots { family })?;
        pair.ask.as_ref().map_err(Clone::clone)
    }

    fn pair(&self, family: Family) -> Option<&RootPair> {
        self.pairs.iter().find(|p| p.family == family)
    }
}

/// A pinned pair: parsed, not re-verified.
fn pinned(ark_der: &[u8], ask_der: &[u8]) -> Result<TrustedAsk, Rejection> {
    let (ark, ask) = (parse(ark_der, CertRole::Ark)?, parse(ask_der, CertRole::Ask)?);
    Ok(trusted(&ark, ask))
}

/// A chosen pair: the ARK signs itself and the ASK.
fn verified(ark_der: &[u8], ask_der: &[u8]) -> Result<TrustedAsk, Rejection> {
    let (ark, ask) = (parse(ark_der, CertRole::Ark)?, parse(ask_der, CertRole::Ask)?);
    link(&ark, CertRole::Ark, &ark, CertRole::Ark)?;
    link(&ark, CertRole::Ark, &ask, CertRole::Ask)?;
    Ok(trusted(&ark, ask))
}

fn trusted(ark: &x509_cert::Certificate, ask: x509_cert::Certificate) -> TrustedAsk {
    let ((ark_from, ark_until), (ask_from, ask_until)) = (validity(ark), validity(&ask));
    TrustedAsk { cert: ask, not_before: ark_from.max(ask_from), not_after: ark_until.min(ask_until) }
}

/// The built-in ARK and ASK PEM of a family.
fn amd_pem(family: Family) -> (&'static [u8], &'static [u8]) {
    match family {
        Family::Milan => (builtin::milan::ARK, builtin::milan::ASK),
        Family::Genoa => (builtin::genoa::ARK, builtin::genoa::ASK),
        Family::Turin => (builtin::turin::ARK, builtin::turin::ASK),
    }
}

/// Decode one of the crate's own built-in PEM certificates (constants: a failure is a build defect).
fn pem_to_der(pem: &[u8]) -> Vec<u8> {
    let cert = sev::certs::snp::Certificate::from_pem(pem).expect("sev's built-in AMD certificates are valid PEM");
    cert.to_der().expect("a parsed certificate re-encodes as DER")
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    use super::*;

    #[test]
    fn builtin_arks_have_amds_fingerprints() {
        let roots = Roots::amd();
        let fp = |f| hex::encode_upper(Sha256::digest(roots.ark_der(f).unwrap()));
        assert_eq!(fp(Family::Milan), "69D063B45344D26A2E94E1F4210DE49EF555308287D4C174445C95639A540BCD");
        assert_eq!(fp(Family::Genoa), "4C6598D19C18719C5DFD4A7D335F674E5BFE1D8F800CEA2CF270C10D103DB2F1");
        assert_eq!(fp(Family::Turin), "1F084161A44BB6D93778A904877D4819CAFA5D05EF4193B2DED9DD9C73DD3F6A");
        let ask = hex::encode_upper(Sha256::digest(roots.ask_der(Family::Milan).unwrap()));
        assert_eq!(ask, "67D303BD3905FD38DB8B20E0793699870E7FA612EAAD5DEC358293FD8C0BAC1B");
    }

    #[test]
    fn the_pinned_amd_chains_verify_as_if_chosen() {
        let amd = Roots::amd();
        for family in Family::ALL {
            let (ark, ask) = (amd.ark_der(family).unwrap().to_vec(), amd.ask_der(family).unwrap().to_vec());
            let checked = Roots::custom(vec![(family, ark, ask)]);
            assert_eq!(checked.trusted_ask(family), amd.trusted_ask(family), "{family}");
        }
    }

    #[test]
    fn chosen_roots_replace_per_family_and_bad_pairs_reject() {
        let amd = Roots::amd();
        let milan_ark = amd.ark_der(Family::Milan).unwrap().to_vec();
        let genoa_ask = amd.ask_der(Family::Genoa).unwrap().to_vec();
        let roots = Roots::custom([(Family::Genoa, vec![1], vec![2]), (Family::Genoa, milan_ark, genoa_ask)]);
        assert_eq!(roots.families().collect::<Vec<_>>(), vec![Family::Genoa]);
        let rejection = roots.trusted_ask(Family::Genoa).unwrap_err();
        assert!(matches!(rejection, Rejection::ChainBroken { signer: CertRole::Ark, signee: CertRole::Ask, .. }));
        assert_eq!(roots.trusted_ask(Family::Milan).unwrap_err(), Rejection::NoRoots { family: Family::Milan });
    }
}
