//! Who the node is: its keys, and the evidence that binds them to hardware
//! (SEV-SNP in a guest; labelled insecure dev evidence elsewhere).

use crate::home::Home;
use anyhow::Context;
use redoubt_attestation::{Evidence, NodeKeys};

/// The node's keys and the evidence it presents.
pub struct Identity {
    /// Signing (ed25519, NEAR format) and encryption (X25519) keys.
    pub keys: NodeKeys,
    /// Evidence binding the keys (no nonce: the node's standing evidence).
    pub evidence: Evidence,
    /// [`Evidence::hash`], named in every receipt.
    pub evidence_hash: [u8; 32],
}

impl Identity {
    /// Loads the keys `redoubt init` made and collects evidence for them.
    pub fn load(home: &Home) -> anyhow::Result<Identity> {
        let keys = NodeKeys::load(&home.near_key_file(), &home.x25519_key_file()).with_context(|| {
            format!("reading the node keys under {} (run `redoubt init`)", home.data_dir().display())
        })?;
        let evidence = redoubt_attestation::collect(&keys, None).context("collecting attestation evidence")?;
        if matches!(evidence, Evidence::DevInsecure(_)) {
            tracing::warn!("no SEV-SNP hardware: this node presents INSECURE dev evidence, which verifiers reject");
        }
        let evidence_hash = evidence.hash();
        Ok(Identity { keys, evidence, evidence_hash })
    }

    /// Whether the evidence is the insecure development kind.
    pub fn is_dev(&self) -> bool {
        matches!(self.evidence, Evidence::DevInsecure(_))
    }
}
