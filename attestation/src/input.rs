//! Input handling for verifiers: certificates as PEM (single or bundle) or DER, reports as raw
//! bytes or hex text, and the `--min-tcb` / hex arguments of the CLI.

use der::Decode;
use redoubt_snp::{REPORT_LEN, Tcb};

/// Input that cannot be used (the CLI's exit code 2).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// Not a PEM or DER X.509 certificate.
    #[error("not a certificate (PEM or DER): {0}")]
    Certificate(String),
    /// Not an attestation report (1184 raw bytes or 2368 hex characters).
    #[error("not an SEV-SNP report: {0}")]
    Report(String),
    /// A malformed argument.
    #[error("invalid {what}: {reason}")]
    Argument {
        /// Which argument.
        what: &'static str,
        /// Why.
        reason: String,
    },
}

const PEM_BEGIN: &str = "-----BEGIN CERTIFICATE-----";
const PEM_END: &str = "-----END CERTIFICATE-----";

/// Every certificate in `bytes`: a PEM bundle (any number of CERTIFICATE blocks, any surrounding
/// whitespace) or one DER certificate. Each is returned as DER and checked to parse as X.509.
pub fn certificates_der(bytes: &[u8]) -> Result<Vec<Vec<u8>>, InputError> {
    let ders = match std::str::from_utf8(bytes) {
        Ok(text) if text.contains(PEM_BEGIN) => pem_blocks(text)?,
        _ => vec![bytes.to_vec()],
    };
    for der in &ders {
        x509_cert::Certificate::from_der(der).map_err(|e| InputError::Certificate(e.to_string()))?;
    }
    Ok(ders)
}

/// The one certificate in `bytes` (PEM or DER); a bundle of several is an error.
pub fn certificate_der(bytes: &[u8]) -> Result<Vec<u8>, InputError> {
    let mut all = certificates_der(bytes)?;
    match all.len() {
        1 => Ok(all.remove(0)),
        n => Err(InputError::Certificate(format!("expected one certificate, found {n}"))),
    }
}

fn pem_blocks(text: &str) -> Result<Vec<Vec<u8>>, InputError> {
    let mut ders = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(PEM_BEGIN) {
        let end =
            rest[start..].find(PEM_END).ok_or_else(|| InputError::Certificate("unterminated PEM block".into()))?;
        let block = &rest[start..start + end + PEM_END.len()];
        let (label, der) =
            der::pem::decode_vec(block.as_bytes()).map_err(|e| InputError::Certificate(e.to_string()))?;
        if label != "CERTIFICATE" {
            return Err(InputError::Certificate(format!("PEM label {label}")));
        }
        ders.push(der);
        rest = &rest[start + end + PEM_END.len()..];
    }
    Ok(ders)
}

/// A report file: 1184 raw bytes, or its hex encoding (whitespace ignored).
pub fn report_bytes(bytes: &[u8]) -> Result<Vec<u8>, InputError> {
    if bytes.len() == REPORT_LEN {
        return Ok(bytes.to_vec());
    }
    let text: Vec<u8> = bytes.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
    if text.len() == 2 * REPORT_LEN {
        return hex::decode(&text).map_err(|e| InputError::Report(format!("hex: {e}")));
    }
    Err(InputError::Report(format!(
        "{} bytes; expected {REPORT_LEN} raw bytes or {} hex characters",
        bytes.len(),
        2 * REPORT_LEN
    )))
}

/// Exactly `N` bytes from hex (an optional `0x` prefix is accepted).
pub fn parse_hex<const N: usize>(what: &'static str, text: &str) -> Result<[u8; N], InputError> {
    let text = text.trim();
    let text = text.strip_prefix("0x").unwrap_or(text);
    let mut out = [0u8; N];
    hex::decode_to_slice(text, &mut out)
        .map_err(|e| InputError::Argument { what, reason: format!("{e} (expected {} hex characters)", 2 * N) })?;
    Ok(out)
}

/// A minimum TCB: `bl=3,tee=0,snp=8,ucode=115[,fmc=1]` (long names `bootloader`, `microcode` also
/// accepted); components not named are 0 (no minimum), `fmc` applies to Turin only.
pub fn parse_min_tcb(spec: &str) -> Result<Tcb, InputError> {
    let bad = |reason: String| InputError::Argument { what: "minimum TCB", reason };
    let mut tcb = Tcb::default();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, value) = part.split_once('=').ok_or_else(|| bad(format!("{part:?} is not name=value")))?;
        let value: u8 = value.trim().parse().map_err(|_| bad(format!("{part:?}: value is not 0..=255")))?;
        match name.trim() {
            "bl" | "bootloader" => tcb.bootloader = value,
            "tee" => tcb.tee = value,
            "snp" => tcb.snp = value,
            "ucode" | "microcode" => tcb.microcode = value,
            "fmc" => tcb.fmc = Some(value),
            other => return Err(bad(format!("unknown component {other:?} (bl, tee, snp, ucode, fmc)"))),
        }
    }
    Ok(tcb)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_tcb_specs() {
        assert_eq!(
            parse_min_tcb("bl=3, tee=0,snp=8,ucode=115").unwrap(),
            Tcb { fmc: None, bootloader: 3, tee: 0, snp: 8, microcode: 115 }
        );
        assert_eq!(parse_min_tcb("fmc=1,microcode=2").unwrap().fmc, Some(1));
        assert!(parse_min_tcb("bl=300").is_err());
        assert!(parse_min_tcb("pl=3").is_err());
        assert!(parse_min_tcb("bl").is_err());
    }

    #[test]
    fn hex_arguments_have_exact_lengths() {
        assert_eq!(parse_hex::<2>("x", "0xabcd").unwrap(), [0xab, 0xcd]);
        assert!(parse_hex::<2>("x", "abc").is_err());
        assert!(parse_hex::<2>("x", "abcdef").is_err());
    }

    #[test]
    fn reports_as_raw_or_hex() {
        let raw = vec![7u8; REPORT_LEN];
        assert_eq!(report_bytes(&raw).unwrap(), raw);
        let mut text = hex::encode(&raw).into_bytes();
        text.push(b'\n');
        assert_eq!(report_bytes(&text).unwrap(), raw);
        assert!(report_bytes(&raw[1..]).is_err());
    }
}
