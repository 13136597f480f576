//! A small chain for the escrow's unit tests: each call reads the contract from state, runs with a fresh
//! context, and is kept only if it succeeds (an error reverts the state, as a panic does on chain).
//! Outgoing transfers are taken from the receipts the call created, and after every call the funds
//! invariant is checked: balance = base balance + what the contract says it holds, and storage usage =
//! base usage + the bytes users paid for.

use crate::{Config, Escrow, EscrowError, TotalsView};
use near_parameters::RuntimeFeesConfig;
use near_sdk::mock::MockAction;
use near_sdk::serde_json::{self, Value};
use near_sdk::test_utils::{VMContextBuilder, get_created_receipts, get_logs};
use near_sdk::{AccountId, Gas, MockedBlockchain, NearToken, PromiseError, PromiseResult, env, test_vm_config};
use redoubt_contracts_common::{Anchor, HexBytes};
use std::collections::HashMap;
use std::sync::OnceLock;

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

/// near-sdk's test VM configuration, built once (building it parses every protocol version's parameters).
fn vm_config() -> near_parameters::vm::Config {
    static CONFIG: OnceLock<near_parameters::vm::Config> = OnceLock::new();
    CONFIG.get_or_init(test_vm_config).clone()
}

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

/// One function call the contract made (to the registry or to itself).
#[derive(Debug, Clone)]
pub struct Call {
    pub receiver: AccountId,
    pub method: String,
    pub args: Value,
}

/// The chain: the escrow's state, balance, storage usage and clock.
pub struct Sim {
    pub now_ms: u64,
    pub balance: u128,
    base_storage: u64,
    storage_usage: u64,
    trie: HashMap<Vec<u8>, Vec<u8>>,
    /// Logs of the last successful call.
    pub logs: Vec<String>,
    /// Function calls the last successful call scheduled.
    pub calls: Vec<Call>,
    /// Transfers of the last successful call.
    pub transfers: Vec<(AccountId, NearToken)>,
    /// Every transfer out of the contract so far.
    pub paid: Vec<(AccountId, NearToken)>,
}

impl Sim {
    /// An escrow with the default configuration.
    pub fn new() -> Self {
        Self::with_config(None)
    }

    /// An escrow initialised by the owner with `config`.
    pub fn with_config(config: Option<Config>) -> Self {
        let mut sim = Sim {
            now_ms: START_MS,
            balance: BASE_BALANCE,
            base_storage: 0,
            storage_usage: 0,
            trie: HashMap::new(),
            logs: vec![],
            calls: vec![],
            transfers: vec![],
            paid: vec![],
        };
        sim.enter(OWNER, zero(), vec![]);
        let escrow = Escrow::new(acc(OWNER), acc(REGISTRY), Some(acc(ARBITER)), config);
        env::state_write(&escrow);
        drop(escrow);
        sim.commit(zero());
        sim.base_storage = sim.storage_usage - sim.root_state_len();
        sim.check_invariants();
        sim
    }

    fn enter(&self, predecessor: &str, deposit: NearToken, results: Vec<PromiseResult>) {
        let context = VMContextBuilder::new()
            .current_account_id(acc(ESCROW))
            .signer_account_id(acc(predecessor))
            .predecessor_account_id(acc(predecessor))
            .attached_deposit(deposit)
            .account_balance(NearToken::from_yoctonear(self.balance))
            .storage_usage(self.storage_usage)
            .block_timestamp(self.now_ms * 1_000_000)
            .prepaid_gas(Gas::from_tgas(300))
            .build();
        env::set_blockchain_interface(MockedBlockchain::new(
            context,
            vm_config(),
            RuntimeFeesConfig::test(),
            results,
            self.trie.clone(),
            Default::default(),
            None,
        ));
    }

    /// Keeps the effects of the call that just ran (the state was written, the contract dropped).
    fn commit(&mut self, deposit: NearToken) {
        self.storage_usage = env::storage_usage();
        self.logs = get_logs();
        self.calls.clear();
        self.transfers.clear();
        for receipt in get_created_receipts() {
            for action in receipt.actions {
                match action {
                    MockAction::Transfer { deposit, .. } => self.transfers.push((receipt.receiver_id.clone(), deposit)),
                    MockAction::FunctionCallWeight { method_name, args, attached_deposit, .. } => {
                        assert!(attached_deposit.is_zero(), "the escrow never attaches deposits to calls");
                        let args = serde_json::from_slice(&args).expect("JSON arguments");
                        let method = String::from_utf8(method_name).unwrap();
                        self.calls.push(Call { receiver: receipt.receiver_id.clone(), method, args });
                    }
                    other => panic!("unexpected action {other:?}"),
                }
            }
        }
        self.trie = near_sdk::mock::with_mocked_blockchain(|b| b.take_storage());
        self.balance += deposit.as_yoctonear();
        for (_, amount) in &self.transfers {
            self.balance = self.balance.checked_sub(amount.as_yoctonear()).expect("paid out more than it had");
        }
        self.paid.extend(self.transfers.iter().cloned());
    }

    fn run<R>(
        &mut self,
        who: &str,
        deposit: NearToken,
        results: Vec<PromiseResult>,
        f: impl FnOnce(&mut Escrow) -> Result<R, EscrowError>,
    ) -> Result<R, EscrowError> {
        self.enter(who, deposit, results);
        let mut escrow: Escrow = env::state_read().expect("escrow initialised");
        let result = f(&mut escrow);
        if result.is_ok() {
            env::state_write(&escrow);
            drop(escrow);
            self.commit(deposit);
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
        self.run(who, deposit, vec![], f)
    }

    /// A view.
    pub fn view<R>(&mut self, f: impl FnOnce(&Escrow) -> R) -> R {
        self.enter(HIRER, zero(), vec![]);
        let escrow: Escrow = env::state_read().expect("escrow initialised");
        f(&escrow)
    }

    /// Totals as the contract reports them.
    pub fn totals(&mut self) -> TotalsView {
        self.view(|e| e.get_totals())
    }

    /// Bytes of the contract's root record (roles, configuration, totals), which the contract's own balance
    /// pays for.
    fn root_state_len(&self) -> u64 {
        self.trie.get(b"STATE".as_slice()).map_or(0, |v| v.len() as u64)
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

    /// The function call to `method` the last call scheduled.
    pub fn scheduled(&self, method: &str) -> Call {
        self.calls.iter().find(|c| c.method == method).cloned().unwrap_or_else(|| panic!("no call to {method}"))
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
        self.run(
            ESCROW,
            zero(),
            vec![promise],
            |e| Ok(e.on_bid_checked(result, job_id, bidder, price, eta_ms, deposit)),
        )
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
        self.run(ESCROW, zero(), vec![promise], |e| e.on_delivery_checked(result, job_id, receipt_hash, batch_index))
    }

    /// Events the last successful call logged, as `(event, data[0])`, checking the NEP-297 envelope.
    pub fn events(&self) -> Vec<(String, Value)> {
        self.logs
            .iter()
            .map(|line| {
                let body = line.strip_prefix("EVENT_JSON:").unwrap_or_else(|| panic!("not an event: {line}"));
                let v: Value = serde_json::from_str(body).unwrap();
                assert_eq!(v["standard"], "redoubt-escrow");
                assert_eq!(v["version"], "1.0.0");
                let data = v["data"].as_array().expect("data is an array");
                assert_eq!(data.len(), 1);
                (v["event"].as_str().unwrap().to_string(), data[0].clone())
            })
            .collect()
    }

    /// Names of the events the last successful call logged.
    pub fn event_names(&self) -> Vec<String> {
        self.events().into_iter().map(|(name, _)| name).collect()
    }

    /// Sum transferred to `who` by the last successful call.
    pub fn sent_to(&self, who: &str) -> u128 {
        self.transfers.iter().filter(|(to, _)| to.as_str() == who).map(|(_, a)| a.as_yoctonear()).sum()
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
