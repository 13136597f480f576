//! The escrow on the simulated chain of `redoubt_contracts_common::testing`, with the funds invariant
//! checked after every successful call: balance = base balance + what the contract says it holds, and
//! storage usage (beside the root record) = base usage + the bytes users paid for.

use crate::{Config, Escrow, EscrowError, TotalsView};
use near_sdk::serde_json::{self, Value};
use near_sdk::{AccountId, NearToken, PromiseError, PromiseResult, env};
use redoubt_contracts_common::testing::{Call, Caller, TestChain};
use redoubt_contracts_common::{Anchor, HexBytes};
use std::ops::{Deref, DerefMut};

pub const ESCROW: &str = "escrow.near";
pub const REGISTRY: &str = "registry.near";
pub const OWNER: &str = "owner.near";
pub const ARBITER: &str = "arbiter.near";
pub const HIRER: &str = "hirer.near";
/// Node accounts used as bidders.
pub const NODES: [&str; 4] = ["alice.near", "bob.near", "carol.near", "dave.near"];

/// Block time the simulation starts at (2026-01-01).
pub const START_MS: u64 = 1_767_225_600_000;
pub const HOUR_MS: u64 = 3_600_000;
pub const DAY_MS: u64 = 24 * HOUR_MS;
/// The contract's own balance, which pays for its root state.
const BASE_BALANCE: u128 = 10 * 10u128.pow(24);

pub fn acc(name: &str) -> AccountId {
    name.parse().unwrap()
}

pub fn near(n: u128) -> NearToken {
    NearToken::from_near(n)
}

pub fn milli(n: u128) -> NearToken {
    NearToken::from_millinear(n)
}

pub fn yocto(n: u128) -> NearToken {
    NearToken::from_yoctonear(n)
}

pub fn zero() -> NearToken {
    yocto(0)
}

pub fn hash(byte: u8) -> HexBytes<32> {
    HexBytes([byte; 32])
}

/// The escrow's chain.
pub struct Sim {
    chain: TestChain<Escrow>,
    base_storage: u64,
}

impl Deref for Sim {
    type Target = TestChain<Escrow>;
    fn deref(&self) -> &Self::Target {
        &self.chain
    }
}

impl DerefMut for Sim {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.chain
    }
}

impl Sim {
    /// An escrow with the default configuration.
    pub fn new() -> Self {
        Self::with_config(None)
    }

    /// An escrow initialised by the owner with `config`.
    pub fn with_config(config: Option<Config>) -> Self {
        let init = || Escrow::new(acc(OWNER), acc(REGISTRY), Some(acc(ARBITER)), config);
        let chain = TestChain::new(ESCROW, BASE_BALANCE, START_MS, OWNER, init);
        let base_storage = chain.storage_usage - chain.root_state_len();
        let mut sim = Sim { chain, base_storage };
        sim.check_invariants();
        sim
    }

    fn run<R>(
        &mut self,
        caller: &Caller,
        results: Vec<PromiseResult>,
        f: impl FnOnce(&mut Escrow) -> Result<R, EscrowError>,
    ) -> Result<R, EscrowError> {
        let result = self.chain.run(caller, results, f);
        if result.is_ok() {
            self.check_invariants();
        }
        result
    }

    /// Calls the escrow as `who` with `deposit` attached; an error reverts the call.
    pub fn call<R>(
        &mut self,
        who: &str,
        deposit: NearToken,
        f: impl FnOnce(&mut Escrow) -> Result<R, EscrowError>,
    ) -> Result<R, EscrowError> {
        self.run(&Caller::new(who, deposit), vec![], f)
    }

    /// Totals as the contract reports them.
    pub fn totals(&mut self) -> TotalsView {
        self.view(|e| e.get_totals())
    }

    /// The balance must equal the base balance plus what the contract holds for others, storage usage
    /// (beside the root record) the base usage plus what users paid for, and the balance must cover the
    /// storage staking.
    pub fn check_invariants(&mut self) {
        let totals = self.totals();
        assert_eq!(self.balance, BASE_BALANCE + totals.held.as_yoctonear(), "funds not conserved: {totals:?}");
        let users = self.storage_usage - self.root_state_len();
        assert_eq!(users, self.base_storage + totals.storage_bytes, "storage not accounted: {totals:?}");
        assert!(self.balance >= u128::from(self.storage_usage) * env::storage_byte_cost().as_yoctonear());
    }

    /// Runs the `on_bid_checked` callback the last call scheduled, with the registry's answer (`None`: the
    /// call failed).
    pub fn complete_bid(&mut self, active: Option<bool>) -> bool {
        self.complete_bid_from(self.calls.clone(), active)
    }

    /// Runs the `on_bid_checked` callback scheduled in `calls` (kept from an earlier `place_bid`).
    pub fn complete_bid_from(&mut self, calls: Vec<Call>, active: Option<bool>) -> bool {
        let find = |m: &str| calls.iter().find(|c| c.method == m).cloned().unwrap_or_else(|| panic!("no {m}"));
        let check = find("is_active");
        assert_eq!(check.receiver.as_str(), REGISTRY);
        let cb = find("on_bid_checked");
        assert_eq!(cb.receiver.as_str(), ESCROW);
        assert_eq!(check.args["account_id"], cb.args["bidder"]);
        let a = &cb.args;
        let (job_id, bidder) = (a["job_id"].as_u64().unwrap(), acc(a["bidder"].as_str().unwrap()));
        let price: NearToken = serde_json::from_value(a["price"].clone()).unwrap();
        let deposit: NearToken = serde_json::from_value(a["deposit"].clone()).unwrap();
        let eta_ms = a["eta_ms"].as_u64().unwrap();
        let (result, promise) = match active {
            Some(v) => (Ok(v), PromiseResult::Successful(serde_json::to_vec(&v).unwrap())),
            None => (Err(PromiseError::Failed), PromiseResult::Failed),
        };
        let escrow = Caller::new(ESCROW, zero());
        self.run(&escrow, vec![promise], |e| Ok(e.on_bid_checked(result, job_id, bidder, price, eta_ms, deposit)))
            .unwrap()
    }

    /// Runs the `on_delivery_checked` callback the last call scheduled, with the registry's answer (`None`:
    /// the call failed).
    pub fn complete_delivery(&mut self, anchor: Option<Option<Anchor>>) -> Result<(), EscrowError> {
        self.complete_delivery_from(self.calls.clone(), anchor)
    }

    /// Runs the `on_delivery_checked` callback scheduled in `calls` (kept from an earlier `deliver`).
    pub fn complete_delivery_from(
        &mut self,
        calls: Vec<Call>,
        anchor: Option<Option<Anchor>>,
    ) -> Result<(), EscrowError> {
        let find = |m: &str| calls.iter().find(|c| c.method == m).cloned().unwrap_or_else(|| panic!("no {m}"));
        let lookup = find("get_anchor");
        assert_eq!(lookup.receiver.as_str(), REGISTRY);
        let cb = find("on_delivery_checked");
        let job_id = cb.args["job_id"].as_u64().unwrap();
        let receipt_hash: HexBytes<32> = serde_json::from_value(cb.args["receipt_hash"].clone()).unwrap();
        let batch_index = cb.args["batch_index"].as_u64().unwrap();
        assert_eq!(lookup.args["batch_index"].as_u64(), Some(batch_index));
        let (result, promise) = match anchor {
            Some(a) => (Ok(a.clone()), PromiseResult::Successful(serde_json::to_vec(&a).unwrap())),
            None => (Err(PromiseError::Failed), PromiseResult::Failed),
        };
        let escrow = Caller::new(ESCROW, zero());
        self.run(&escrow, vec![promise], |e| e.on_delivery_checked(result, job_id, receipt_hash, batch_index))
    }

    /// Events the last successful call logged, as `(event, data[0])`, checking the NEP-297 envelope.
    pub fn events(&self) -> Vec<(String, Value)> {
        self.chain.events(crate::events::STANDARD, crate::events::VERSION)
    }

    /// Names of the events the last successful call logged.
    pub fn event_names(&self) -> Vec<String> {
        self.events().into_iter().map(|(name, _)| name).collect()
    }

    /// Moves the clock forward.
    pub fn advance(&mut self, ms: u64) {
        self.now_ms += ms;
    }

    // --- common steps ---

    /// Posts a job by `HIRER` with `budget` and a deadline `days` ahead; returns its id.
    pub fn post(&mut self, budget: NearToken, days: u64) -> u64 {
        let deadline = self.now_ms + days * DAY_MS;
        self.call(HIRER, budget.saturating_add(milli(100)), |e| {
            e.post_job(budget, deadline, vec!["summarize".into()], hash(7))
        })
        .unwrap()
    }

    /// `node` bids `price` (ETA one hour) and the registry answers `active`; returns whether it was recorded.
    pub fn bid(&mut self, job_id: u64, node: &str, price: NearToken, active: bool) -> bool {
        self.call(node, milli(50), |e| e.place_bid(job_id, price, HOUR_MS).map(drop)).unwrap();
        self.complete_bid(Some(active))
    }

    /// Posts a job, has `node` bid `price` and awards it; returns the job id.
    pub fn awarded(&mut self, budget: NearToken, node: &str, price: NearToken) -> u64 {
        let id = self.post(budget, 7);
        assert!(self.bid(id, node, price, true));
        self.call(HIRER, zero(), |e| e.award(id, acc(node))).unwrap();
        id
    }

    /// An anchor of batch `batch_index` made now.
    pub fn anchor(&self, batch_index: u64) -> Anchor {
        Anchor { batch_index, root: hash(0xaa), count: 16, anchored_at_ms: self.now_ms }
    }

    /// Takes an awarded job to Delivered.
    pub fn delivered(&mut self, budget: NearToken, node: &str, price: NearToken) -> u64 {
        let id = self.awarded(budget, node, price);
        self.advance(HOUR_MS);
        self.call(node, zero(), |e| e.deliver(id, hash(1), 4).map(drop)).unwrap();
        let anchor = self.anchor(4);
        self.complete_delivery(Some(Some(anchor))).unwrap();
        id
    }
}
