//! Test support (feature `testing`): a small simulated chain for the contracts' native unit tests, and
//! [`snp`] fixtures (test-CA chips, reports, evidence) shared with the NEAR VM tests.
//!
//! Each call on the chain reads the contract from state,
//! runs with a fresh context (caller, signer key, deposit, block time, balance, storage usage) on near-sdk's
//! mocked blockchain, and is kept only if it returns `Ok` (an error reverts the state, as a panic does on
//! chain). The receipts a call creates are decoded: transfers leave the balance, function calls are kept
//! for the test to answer.

use near_parameters::RuntimeFeesConfig;
use near_sdk::borsh::{BorshDeserialize, BorshSerialize};
use near_sdk::mock::MockAction;
use near_sdk::serde_json::{self, Value};
use near_sdk::test_utils::{VMContextBuilder, get_created_receipts, get_logs};
use near_sdk::{AccountId, Gas, MockedBlockchain, NearToken, PromiseResult, PublicKey, env, test_vm_config};
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::OnceLock;

pub mod snp;

/// One function call a contract scheduled.
#[derive(Debug, Clone)]
pub struct Call {
    /// Who it calls.
    pub receiver: AccountId,
    /// The method.
    pub method: String,
    /// The JSON arguments.
    pub args: Value,
}

/// Who makes a call and what they attach.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The predecessor.
    pub predecessor: AccountId,
    /// The transaction's signer.
    pub signer: AccountId,
    /// The signer's access key.
    pub signer_pk: PublicKey,
    /// Attached deposit.
    pub deposit: NearToken,
}

impl Caller {
    /// `who` calling directly (predecessor = signer) with a key derived from its name.
    pub fn new(who: &str, deposit: NearToken) -> Self {
        let account: AccountId = who.parse().expect("a valid account id");
        Caller { predecessor: account.clone(), signer: account, signer_pk: key_of(who), deposit }
    }
}

/// A deterministic ed25519 public key for an account name (signatures are not checked here).
pub fn key_of(who: &str) -> PublicKey {
    let mut bytes = vec![0u8];
    bytes.extend(snp::ed25519_of(who));
    PublicKey::try_from(bytes).expect("33 bytes make an ed25519 key")
}

/// The simulated chain around one contract of type `C`.
pub struct TestChain<C> {
    /// The contract's account.
    pub current: AccountId,
    /// Block time, ms.
    pub now_ms: u64,
    /// The contract account's balance, yoctoNEAR.
    pub balance: u128,
    /// The contract account's storage usage, bytes.
    pub storage_usage: u64,
    trie: HashMap<Vec<u8>, Vec<u8>>,
    /// Logs of the last successful call.
    pub logs: Vec<String>,
    /// Function calls the last successful call scheduled.
    pub calls: Vec<Call>,
    /// Transfers of the last successful call.
    pub transfers: Vec<(AccountId, NearToken)>,
    /// Every transfer out of the contract so far.
    pub paid: Vec<(AccountId, NearToken)>,
    contract: PhantomData<C>,
}

/// near-sdk's test VM configuration, built once (building it parses every protocol version's parameters).
fn vm_config() -> near_parameters::vm::Config {
    static CONFIG: OnceLock<near_parameters::vm::Config> = OnceLock::new();
    CONFIG.get_or_init(test_vm_config).clone()
}

impl<C: BorshSerialize + BorshDeserialize> TestChain<C> {
    /// A chain where the contract account `current` holds `balance` yoctoNEAR at block time `now_ms`, its
    /// state made by `init` (called as `owner`).
    pub fn new(current: &str, balance: u128, now_ms: u64, owner: &str, init: impl FnOnce() -> C) -> Self {
        let mut chain = TestChain {
            current: current.parse().expect("a valid account id"),
            now_ms,
            balance,
            storage_usage: 0,
            trie: HashMap::new(),
            logs: vec![],
            calls: vec![],
            transfers: vec![],
            paid: vec![],
            contract: PhantomData,
        };
        chain.enter(&Caller::new(owner, NearToken::from_yoctonear(0)), vec![]);
        let contract = init();
        env::state_write(&contract);
        drop(contract);
        chain.commit(NearToken::from_yoctonear(0));
        chain
    }

    fn enter(&self, caller: &Caller, results: Vec<PromiseResult>) {
        let context = VMContextBuilder::new()
            .current_account_id(self.current.clone())
            .signer_account_id(caller.signer.clone())
            .signer_account_pk(caller.signer_pk.clone())
            .predecessor_account_id(caller.predecessor.clone())
            .attached_deposit(caller.deposit)
            .account_balance(NearToken::from_yoctonear(self.balance))
            .storage_usage(self.storage_usage)
            .block_timestamp(self.now_ms * 1_000_000)
            .prepaid_gas(Gas::from_tgas(300))
            .build();
        let fees = RuntimeFeesConfig::test();
        let blockchain =
            MockedBlockchain::new(context, vm_config(), fees, results, self.trie.clone(), Default::default(), None);
        env::set_blockchain_interface(blockchain);
    }

    /// Keeps the effects of the call that just ran (its state written, the contract dropped).
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
                        assert!(attached_deposit.is_zero(), "the contracts attach no deposit to calls");
                        let args = serde_json::from_slice(&args).expect("JSON arguments");
                        let method = String::from_utf8(method_name).expect("a UTF-8 method name");
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

    /// Runs `f` on the contract as `caller`, with `results` as the promise results; keeps its effects only
    /// if it returns `Ok`.
    pub fn run<R, E>(
        &mut self,
        caller: &Caller,
        results: Vec<PromiseResult>,
        f: impl FnOnce(&mut C) -> Result<R, E>,
    ) -> Result<R, E> {
        self.enter(caller, results);
        let mut contract: C = env::state_read().expect("contract initialised");
        let result = f(&mut contract);
        if result.is_ok() {
            env::state_write(&contract);
            drop(contract);
            self.commit(caller.deposit);
        }
        result
    }

    /// Calls the contract as `who` (predecessor and signer) with `deposit` attached.
    pub fn call<R, E>(
        &mut self,
        who: &str,
        deposit: NearToken,
        f: impl FnOnce(&mut C) -> Result<R, E>,
    ) -> Result<R, E> {
        self.run(&Caller::new(who, deposit), vec![], f)
    }

    /// A view.
    pub fn view<R>(&mut self, f: impl FnOnce(&C) -> R) -> R {
        let current = self.current.clone();
        self.enter(&Caller::new(current.as_str(), NearToken::from_yoctonear(0)), vec![]);
        let contract: C = env::state_read().expect("contract initialised");
        f(&contract)
    }

    /// Bytes of the contract's root record.
    pub fn root_state_len(&self) -> u64 {
        self.trie.get(b"STATE".as_slice()).map_or(0, |v| v.len() as u64)
    }

    /// Events the last successful call logged, as `(event, data[0])`, checking the NEP-297 envelope carries
    /// `standard` and `version` and a one-element `data` array.
    pub fn events(&self, standard: &str, version: &str) -> Vec<(String, Value)> {
        self.logs
            .iter()
            .map(|line| {
                let body = line.strip_prefix("EVENT_JSON:").unwrap_or_else(|| panic!("not an event: {line}"));
                let v: Value = serde_json::from_str(body).expect("one JSON object");
                assert_eq!((v["standard"].as_str(), v["version"].as_str()), (Some(standard), Some(version)));
                let data = v["data"].as_array().expect("data is an array");
                assert_eq!(data.len(), 1);
                (v["event"].as_str().expect("an event name").to_string(), data[0].clone())
            })
            .collect()
    }

    /// Sum transferred to `who` by the last successful call.
    pub fn sent_to(&self, who: &str) -> u128 {
        self.transfers.iter().filter(|(to, _)| to.as_str() == who).map(|(_, a)| a.as_yoctonear()).sum()
    }

    /// The function call to `method` the last call scheduled.
    pub fn scheduled(&self, method: &str) -> Call {
        self.calls.iter().find(|c| c.method == method).cloned().unwrap_or_else(|| panic!("no call to {method}"))
    }
}
