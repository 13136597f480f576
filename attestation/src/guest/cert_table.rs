//! The certificate table the host attaches to an extended report (GHCB spec, "SNP Extended Guest
//! Request"): entries of {GUID, offset, length} ending with a zero GUID, offsets relative to the
//! table. Host-controlled and untrusted: parsed with bounds checks (the `sev` crate's parser
//! follows offsets through raw pointers unchecked, so it is not used on the configfs blob), and
//! the certificates are only ever re-anchored to the verifier's own roots.

use sev::firmware::host::{CertTableEntry, CertType};

use super::GuestError;

/// The certificates of interest in a cert table (DER as the host gave them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CertTable {
    /// ARK (untrusted: verifiers compare it with AMD's).
    pub ark: Option<Vec<u8>>,
    /// ASK.
    pub ask: Option<Vec<u8>>,
    /// VCEK: what the evidence needs.
    pub vcek: Option<Vec<u8>>,
    /// VLEK (not supported: its ASVK chain is not built in).
    pub vlek: Option<Vec<u8>>,
}

/// Kinds of entries, by GUID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Ark,
    Ask,
    Vcek,
    Vlek,
    Other,
}

const ENTRY_LEN: usize = 24;
/// A host cannot make the guest walk an unbounded table.
const MAX_ENTRIES: usize = 64;

/// AMD's GUIDs for the table entries (SEV-SNP ABI / GHCB specification).
const GUIDS: [(&str, Kind); 4] = [
    ("c0b406a4-a803-4952-9743-3fb6014cd0ae", Kind::Ark),
    ("4ab7b379-bbac-4fe4-a02f-05aef327c782", Kind::Ask),
    ("63da758d-e664-4564-adc5-f4b93be8accd", Kind::Vcek),
    ("a8074bc2-a25a-483e-aae6-39c045a0b8a1", Kind::Vlek),
];

fn kind_of(guid: &[u8]) -> Kind {
    let guid = hex::encode(guid);
    GUIDS.iter().find(|(text, _)| text.replace('-', "") == guid).map_or(Kind::Other, |&(_, kind)| kind)
}

impl CertTable {
    /// Parse a raw table (configfs-tsm `auxblob`) with every offset and length bounds-checked.
    pub fn parse(bytes: &[u8]) -> Result<CertTable, GuestError> {
        let bad = |reason: String| GuestError::CertTable(reason);
        let mut table = CertTable::default();
        for index in 0..=MAX_ENTRIES {
            let entry = bytes
                .get(index * ENTRY_LEN..(index + 1) * ENTRY_LEN)
                .ok_or_else(|| bad(format!("entry {index} runs past the end of the {}-byte table", bytes.len())))?;
            let (guid, rest) = entry.split_at(16);
            if guid.iter().all(|&b| b == 0) {
                return Ok(table);
            }
            if index == MAX_ENTRIES {
                break;
            }
            let offset = u32::from_le_bytes(rest[..4].try_into().expect("4 bytes")) as usize;
            let length = u32::from_le_bytes(rest[4..].try_into().expect("4 bytes")) as usize;
            let data = offset
                .checked_add(length)
                .and_then(|end| bytes.get(offset..end))
                .ok_or_else(|| bad(format!("entry {index} points outside the table ({offset}+{length})")))?;
            table.insert(kind_of(guid), data.to_vec())?;
        }
        Err(bad(format!("more than {MAX_ENTRIES} entries")))
    }

    /// Collect the entries `sev` returned from `/dev/sev-guest`.
    pub fn from_entries(entries: Vec<CertTableEntry>) -> Result<CertTable, GuestError> {
        let mut table = CertTable::default();
        for entry in entries {
            let kind = match entry.cert_type {
                CertType::ARK => Kind::Ark,
                CertType::ASK => Kind::Ask,
                CertType::VCEK => Kind::Vcek,
                CertType::VLEK => Kind::Vlek,
                _ => Kind::Other,
            };
            table.insert(kind, entry.data)?;
        }
        Ok(table)
    }

    fn insert(&mut self, kind: Kind, data: Vec<u8>) -> Result<(), GuestError> {
        let slot = match kind {
            Kind::Ark => &mut self.ark,
            Kind::Ask => &mut self.ask,
            Kind::Vcek => &mut self.vcek,
            Kind::Vlek => &mut self.vlek,
            Kind::Other => return Ok(()),
        };
        if slot.replace(trim_der(data)).is_some() {
            return Err(GuestError::CertTable(format!("duplicate {kind:?} entry")));
        }
        Ok(())
    }
}

/// Hosts may pad certificates: keep the DER element itself (the verifier rejects anything that
/// is not one canonical certificate anyway).
fn trim_der(mut data: Vec<u8>) -> Vec<u8> {
    if let Some(len) = der_element_len(&data) {
        data.truncate(len);
    }
    data
}

/// Length of the DER element at the start of `bytes` (header plus content).
fn der_element_len(bytes: &[u8]) -> Option<usize> {
    use der::{Decode, Reader};
    let mut reader = der::SliceReader::new(bytes).ok()?;
    let header = der::Header::decode(&mut reader).ok()?;
    usize::try_from((reader.position() + header.length).ok()?).ok()
}
