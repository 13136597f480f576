//! The market.near.ai client, a local server that speaks its API, and the bidding and delegation flow (filled by the market issue).
