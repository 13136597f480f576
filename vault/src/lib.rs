//! The encrypted credential vault: secrets at rest, their policies, and the leak detector (filled by the vault issue).
