//! Test-only SEV-SNP certificate authority that mimics AMD's chain; never trusted in production.
