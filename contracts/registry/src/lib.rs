//! NEAR contract: registry of attested Redoubt nodes and their receipt roots.
