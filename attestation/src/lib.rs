//! SEV-SNP evidence, its offline verification, and signed execution receipts (filled by the attestation issue).
