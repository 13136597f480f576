//! NEAR contract: reputation-weighted job escrow between Redoubt nodes.
