//! The encrypted credential vault: secrets at rest, their policies, and the leak detector.
//!
//! The vault owns deciding *whether* a request may carry a secret and *how* it is injected; it does
//! no networking. Plaintext leaves this crate only into a request's URL or headers, through
//! [`Grant::inject`], called by the node's egress gate.
//!
//! Modules:
//! - [`error`]: `VaultError`, every failure, never holding a secret value;
//! - [`secret`]: `SecretValue`, zeroized, unprintable, uncloneable plaintext;
//! - [`master_key`]: `MasterKey` and `KeyMode` (SEV-sealed, key file, passphrase);
//! - `crypto`: HKDF key derivation, the metadata MAC, AES-256-GCM per secret;
//! - `format`: the versioned JSON file format (documented there);
//! - `store`: atomic writes, the cross-process lock, change detection;
//! - `state`: the verified, decrypted contents in memory;
//! - [`policy`]: `Policy`, `HostPattern`, `AgentMatcher`, `Injection`;
//! - [`grant`]: `GrantRequest`, `Grant`, `Decision`, `Denial`;
//! - [`vault`]: `Vault`, the operations;
//! - [`leak`]: `LeakDetector`, finding and redacting secrets in any encoding;
//! - [`deep`]: `DeepScanner`, the thorough check for the few secrets a job holds (every form an
//!   agent could undo: compression, nested encodings, reversal, XOR, halves), and `inflate`;
//! - [`rules`]: the naming and length rules for secrets.

pub mod deep;
pub mod error;
pub mod grant;
pub mod leak;
pub mod master_key;
pub mod policy;
pub mod rules;
pub mod secret;
pub mod vault;

mod crypto;
mod format;
mod state;
mod store;

pub use deep::{DeepError, DeepLimits, DeepScanner, Reflection};
pub use error::VaultError;
pub use grant::{Decision, Denial, Grant, GrantRequest};
pub use leak::{Alphabet, Encoding, Form, Layer, Leak, LeakDetector};
pub use master_key::{KdfParams, KeyMode, MasterKey};
pub use policy::{AgentMatcher, HostPattern, Injection, InjectionTarget, Policy};
pub use rules::{MAX_VALUE_LEN, MIN_VALUE_LEN, validate_name};
pub use secret::SecretValue;
pub use vault::{SecretInfo, Vault};
