//! The registry's mode, fixed at initialisation: which roots SEV-SNP evidence must chain to, and whether
//! dev evidence is accepted.

use near_sdk::json_types::Base64VecU8;
use near_sdk::near;
use redoubt_contracts_common::HexBytes;
use redoubt_snp::{Family, Roots, vcek_fingerprint};

/// A family's ARK and ASK given at initialisation (test deployments only).
#[near(serializers = [json, borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RootEntry {
    /// The product family these roots sign VCEKs for.
    pub family: Family,
    /// The ARK, DER.
    pub ark: Base64VecU8,
    /// The ASK, DER.
    pub ask: Base64VecU8,
}

/// How the registry is initialised (JSON tagged by `"mode"`).
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
#[serde(tag = "mode", rename_all = "kebab-case")]
pub enum ModeInit {
    /// Evidence must chain to AMD's ARK/ASK built into the contract. Dev evidence is refused.
    Production,
    /// Evidence must chain to the roots given here instead of AMD's. ONLY for test deployments (a test CA
    /// can sign any report it likes); the views say so.
    TestRoots {
        /// One ARK/ASK pair per family.
        roots: Vec<RootEntry>,
    },
    /// AMD's roots, and dev-insecure evidence is accepted too. For development only; the views say so.
    Dev,
}

/// The stored mode.
#[near(serializers = [borsh])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// See [`ModeInit::Production`].
    Production,
    /// See [`ModeInit::TestRoots`].
    TestRoots(Vec<RootEntry>),
    /// See [`ModeInit::Dev`].
    Dev,
}

/// What `get_mode` returns.
#[near(serializers = [json])]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModeView {
    /// `production`, `test-roots` or `dev`.
    pub mode: String,
    /// Whether SEV-SNP evidence must chain to AMD's own roots.
    pub amd_roots: bool,
    /// Whether dev-insecure evidence is accepted.
    pub accepts_dev_evidence: bool,
    /// SHA-256 of each ARK the registry trusts, by family.
    pub ark_fingerprints: Vec<(Family, HexBytes<32>)>,
    /// Set in every mode but production: what this registry's registrations do not prove.
    pub warning: Option<String>,
}

const TEST_ROOTS_WARNING: &str = "TEST DEPLOYMENT: SEV-SNP evidence is checked against test roots given at \
     initialisation, not AMD's; whoever holds those keys can register any node. Registrations here prove nothing \
     about real hardware.";
const DEV_WARNING: &str = "DEV MODE: dev-insecure evidence (made outside any TEE) is accepted; a node registered \
     with it proves nothing about where it runs.";

impl Mode {
    /// The mode at initialisation.
    pub fn from_init(init: ModeInit) -> Result<Mode, &'static str> {
        match init {
            ModeInit::Production => Ok(Mode::Production),
            ModeInit::Dev => Ok(Mode::Dev),
            ModeInit::TestRoots { roots } if roots.is_empty() => Err("test-roots mode needs at least one root pair"),
            ModeInit::TestRoots { roots } => {
                let unique = roots.iter().enumerate().all(|(i, r)| roots[..i].iter().all(|o| o.family != r.family));
                if !unique {
                    return Err("test-roots mode takes one root pair per family");
                }
                Ok(Mode::TestRoots(roots))
            }
        }
    }

    /// `production`, `test-roots` or `dev`.
    pub fn name(&self) -> &'static str {
        match self {
            Mode::Production => "production",
            Mode::TestRoots(_) => "test-roots",
            Mode::Dev => "dev",
        }
    }

    /// The roots SEV-SNP evidence must chain to.
    pub fn roots(&self) -> Roots {
        match self {
            Mode::Production | Mode::Dev => Roots::amd(),
            Mode::TestRoots(entries) => {
                Roots::custom(entries.iter().map(|e| (e.family, e.ark.0.clone(), e.ask.0.clone())))
            }
        }
    }

    /// Whether dev-insecure evidence is accepted.
    pub fn accepts_dev_evidence(&self) -> bool {
        matches!(self, Mode::Dev)
    }

    /// The view.
    pub fn view(&self) -> ModeView {
        let roots = self.roots();
        let ark_fingerprints =
            roots.families().filter_map(|f| roots.ark_der(f).map(|der| (f, HexBytes(vcek_fingerprint(der))))).collect();
        let warning = match self {
            Mode::Production => None,
            Mode::TestRoots(_) => Some(TEST_ROOTS_WARNING.to_owned()),
            Mode::Dev => Some(DEV_WARNING.to_owned()),
        };
        ModeView {
            mode: self.name().to_owned(),
            amd_roots: !matches!(self, Mode::TestRoots(_)),
            accepts_dev_evidence: self.accepts_dev_evidence(),
            ark_fingerprints,
            warning,
        }
    }
}
