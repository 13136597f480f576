//! A small NEAR chain for the tests. Every function call runs in the real NEAR VM (`near-vm-runner` with
//! its Wasmtime backend and protocol version 88's parameters: preparation, gas instrumentation, limits
//! and host functions are nearcore's). What the VM leaves to the runtime is done here the way the runtime
//! does it: receipts a call creates (cross-contract calls, callbacks, transfers) are executed in order with
//! their promise results, unused gas goes to calls by weight, a failed call reverts its state and refunds
//! its deposit, and an account must hold enough balance to stake its storage.

use near_parameters::vm::Config;
use near_parameters::{ActionCosts, RuntimeConfigStore, RuntimeFeesConfig};
use near_primitives_core::account::AccountContract;
use near_primitives_core::config::ViewConfig;
use near_primitives_core::hash::CryptoHash;
use near_primitives_core::types::{AccountId, Balance, Gas};
use near_vm_runner::logic::mocks::mock_external::{MockAction, MockedExternal};
use near_vm_runner::logic::types::PromiseResult;
use near_vm_runner::logic::{ReturnData, VMContext, VMOutcome};
use near_vm_runner::{ContractCode, MockContractRuntimeCache};
use redoubt_contracts_common::testing::snp::ed25519_of;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::{Arc, LazyLock};

/// The protocol version mainnet runs.
pub const PROTOCOL_VERSION: u32 = 88;
/// Gas attached to every transaction: the per-transaction maximum.
pub const TX_GAS: Gas = Gas::from_teragas(300);
/// 2026-03-01T00:00:00Z, in ns.
pub const GENESIS_NS: u64 = 1_772_323_200_000_000_000;

/// An account: balance, code, storage.
#[derive(Clone, Default)]
pub struct Account {
    pub balance: u128,
    pub storage_usage: u64,
    pub state: MockedExternal,
}

/// What one receipt did.
#[derive(Clone, Debug)]
pub struct ReceiptOutcome {
    pub receiver: AccountId,
    pub method: String,
    /// Gas burnt by the VM for this call (contract loading, execution, host functions, promise fees).
    pub burnt_gas: Gas,
    pub logs: Vec<String>,
}

/// What a transaction did.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Each function-call receipt, in execution order (the transaction's own call first).
    pub receipts: Vec<ReceiptOutcome>,
    /// Every transfer of NEAR: (from, to, yoctoNEAR), refunds of failed calls included.
    pub transfers: Vec<(AccountId, AccountId, u128)>,
    /// The transaction's final value (following promise returns), or the first failure on that path.
    pub value: Result<Vec<u8>, String>,
    /// Fees of the transaction's own action, outside the VM: receipt creation and the function call
    /// (base and per byte of method name and arguments), send and execution.
    pub tx_fees: Gas,
}

impl Outcome {
    /// Every log line of every receipt.
    pub fn logs(&self) -> Vec<String> {
        self.receipts.iter().flat_map(|r| r.logs.iter().cloned()).collect()
    }

    /// The final value as JSON; panics with the error if the transaction failed.
    pub fn json(&self) -> serde_json::Value {
        let bytes = self.value.as_ref().unwrap_or_else(|e| panic!("transaction failed: {e}"));
        if bytes.is_empty() { serde_json::Value::Null } else { serde_json::from_slice(bytes).expect("JSON result") }
    }

    /// The error text; panics if the transaction succeeded.
    pub fn err(&self) -> String {
        self.value.clone().expect_err("the transaction should have failed")
    }

    /// Sum of yoctoNEAR transferred to `to` (by anyone).
    pub fn received(&self, to: &str) -> u128 {
        self.transfers.iter().filter(|(_, t, _)| t.as_str() == to).map(|(_, _, a)| a).sum()
    }

    /// Total gas the VM burnt over every receipt.
    pub fn total_gas(&self) -> Gas {
        self.receipts.iter().fold(Gas::ZERO, |acc, r| acc.checked_add(r.burnt_gas).unwrap())
    }
}

/// A pending receipt.
struct Pending {
    id: usize,
    predecessor: AccountId,
    receiver: AccountId,
    deps: Vec<usize>,
    actions: Vec<PendingAction>,
}

enum PendingAction {
    Call { method: String, args: Vec<u8>, deposit: u128, gas: Gas },
    Transfer(u128),
}

/// A receipt's result: a value, a failure, or "whatever that other receipt returns".
#[derive(Clone)]
enum Resolution {
    Value(Vec<u8>),
    Failed(String),
    Forward(usize),
}

/// The chain.
pub struct Chain {
    pub accounts: BTreeMap<AccountId, Account>,
    pub now_ns: u64,
    height: u64,
    config: Arc<Config>,
    fees: Arc<RuntimeFeesConfig>,
    byte_cost: u128,
}

pub fn id(name: &str) -> AccountId {
    name.parse().unwrap()
}

impl Chain {
    /// An empty chain at protocol version 88.
    pub fn new() -> Self {
        Self::at_protocol_version(PROTOCOL_VERSION)
    }

    /// An empty chain with protocol version `pv`'s parameters.
    pub fn at_protocol_version(pv: u32) -> Self {
        let runtime = RuntimeConfigStore::new(None).get_config(pv).clone();
        Chain {
            accounts: BTreeMap::new(),
            now_ns: GENESIS_NS,
            height: 1,
            config: runtime.wasm_config.clone(),
            fees: runtime.fees.clone(),
            byte_cost: runtime.storage_amount_per_byte().as_yoctonear(),
        }
    }

    /// Creates `name` with `balance` yoctoNEAR and, if given, deploys `code` (its size is charged as storage
    /// as the runtime does).
    pub fn create(&mut self, name: &str, balance: u128, code: Option<&[u8]>) {
        let mut account = Account { balance, storage_usage: 100, ..Account::default() };
        if let Some(code) = code {
            account.state = MockedExternal::with_code(ContractCode::new(code.to_vec(), None));
            account.storage_usage += code.len() as u64;
        }
        self.accounts.insert(id(name), account);
    }

    pub fn balance(&self, name: &str) -> u128 {
        self.accounts.get(&id(name)).map_or(0, |a| a.balance)
    }

    pub fn storage_usage(&self, name: &str) -> u64 {
        self.accounts[&id(name)].storage_usage
    }

    /// Advances the clock by `ms` and the height by one.
    pub fn advance_ms(&mut self, ms: u64) {
        self.now_ns += ms * 1_000_000;
        self.height += 1;
    }

    /// Block time in ms.
    pub fn now_ms(&self) -> u64 {
        self.now_ns / 1_000_000
    }

    /// Sends a transaction from `signer` (signed with the ed25519 key `signer_pk`) calling `method` on
    /// `receiver` with JSON `args`, `deposit` attached and 300 Tgas, and runs every receipt it causes.
    pub fn call_as(
        &mut self,
        signer: &str,
        signer_pk: [u8; 32],
        receiver: &str,
        method: &str,
        args: serde_json::Value,
        deposit: u128,
    ) -> Outcome {
        let signer_id = id(signer);
        let signer_balance = &mut self.accounts.entry(signer_id.clone()).or_default().balance;
        *signer_balance = signer_balance.checked_sub(deposit).expect("the signer cannot afford the deposit");
        let action =
            PendingAction::Call { method: method.into(), args: args.to_string().into_bytes(), deposit, gas: TX_GAS };
        let tx_fees = self.function_call_fees(method, &args);
        let root = Pending {
            id: 0,
            predecessor: signer_id.clone(),
            receiver: id(receiver),
            deps: vec![],
            actions: vec![action],
        };
        Outcome { tx_fees, ..self.run_receipts(root, &signer_id, signer_pk) }
    }

    /// [`Chain::call_as`] with the signer's test key (`testing::snp::ed25519_of`).
    pub fn call(
        &mut self,
        signer: &str,
        receiver: &str,
        method: &str,
        args: serde_json::Value,
        deposit: u128,
    ) -> Outcome {
        self.call_as(signer, ed25519_of(signer), receiver, method, args, deposit)
    }

    /// Runs a view call (no state change), returning its value or error.
    pub fn view(&mut self, receiver: &str, method: &str, args: serde_json::Value) -> Result<Vec<u8>, String> {
        let receiver_id = id(receiver);
        let account = self.accounts[&receiver_id].clone();
        let mut ext = account.state.clone();
        let context = self.context(
            &receiver_id,
            &receiver_id,
            &receiver_id,
            [0; 32],
            &account,
            args.to_string().into_bytes(),
            0,
            TX_GAS,
            vec![],
            true,
        );
        let outcome = self.run_vm(&mut ext, &context, method);
        match outcome.aborted {
            Some(e) => Err(format!("{e} [{e:?}]")),
            None => Ok(return_value(&outcome)),
        }
    }

    /// A view whose result is JSON (`null` when the method returned nothing).
    pub fn view_json(&mut self, receiver: &str, method: &str, args: serde_json::Value) -> serde_json::Value {
        let bytes = self.view(receiver, method, args).unwrap_or_else(|e| panic!("view {method} failed: {e}"));
        serde_json::from_slice(&bytes).expect("JSON view result")
    }

    /// The gas a transaction calling `method` with `args` pays outside the contract: creating the receipt
    /// and the function-call action (send and execution fees).
    fn function_call_fees(&self, method: &str, args: &serde_json::Value) -> Gas {
        let bytes = (method.len() + args.to_string().len()) as u64;
        let fee = |c: ActionCosts| {
            let f = self.fees.fee(c);
            f.send_fee(false).gas.checked_add(f.exec_fee().gas).unwrap()
        };
        let per_byte = fee(ActionCosts::function_call_byte).checked_mul(bytes).unwrap();
        fee(ActionCosts::new_action_receipt)
            .checked_add(fee(ActionCosts::function_call_base))
            .unwrap()
            .checked_add(per_byte)
            .unwrap()
    }

    fn run_receipts(&mut self, root: Pending, signer: &AccountId, signer_pk: [u8; 32]) -> Outcome {
        let mut queue = vec![root];
        let mut next_id = 1;
        let mut results: HashMap<usize, Resolution> = HashMap::new();
        let mut receipts = Vec::new();
        let mut transfers = Vec::new();
        while !queue.is_empty() {
            let ready = queue.iter().position(|p| p.deps.iter().all(|d| resolve(&results, *d).is_some()));
            let pending = queue.remove(ready.expect("a receipt waits for one that never runs"));
            let promise_results: Vec<Result<Vec<u8>, String>> =
                pending.deps.iter().map(|d| resolve(&results, *d).unwrap()).collect();
            let mut resolution = Resolution::Value(vec![]);
            for action in pending.actions {
                match action {
                    PendingAction::Transfer(amount) => {
                        self.accounts.entry(pending.receiver.clone()).or_default().balance += amount;
                        transfers.push((pending.predecessor.clone(), pending.receiver.clone(), amount));
                    }
                    PendingAction::Call { method, args, deposit, gas } => {
                        let call = CallSpec {
                            predecessor: &pending.predecessor,
                            receiver: &pending.receiver,
                            signer,
                            signer_pk,
                            method: &method,
                            args,
                            deposit,
                            gas,
                            promise_results: promise_results.clone(),
                        };
                        let (outcome, created) = self.execute_call(call, &mut next_id, &mut transfers);
                        resolution = match (&outcome.result, outcome.forward) {
                            (Err(e), _) => Resolution::Failed(e.clone()),
                            (Ok(_), Some(forward)) => Resolution::Forward(forward),
                            (Ok(v), None) => Resolution::Value(v.clone()),
                        };
                        receipts.push(outcome.outcome);
                        queue.extend(created);
                    }
                }
            }
            results.insert(pending.id, resolution);
        }
        let value = resolve(&results, 0).expect("the transaction's result resolves");
        Outcome { receipts, transfers, value, tx_fees: Gas::ZERO }
    }

    fn execute_call(
        &mut self,
        call: CallSpec,
        next_id: &mut usize,
        transfers: &mut Vec<(AccountId, AccountId, u128)>,
    ) -> (CallResult, Vec<Pending>) {
        let account = self.accounts.get(call.receiver).cloned().unwrap_or_default();
        let mut ext = account.state.clone();
        ext.action_log.clear();
        let promise_results = call
            .promise_results
            .iter()
            .map(|r| match r {
                Ok(v) => PromiseResult::Successful(Rc::from(v.as_slice())),
                Err(_) => PromiseResult::Failed,
            })
            .collect();
        let context = self.context(
            call.receiver,
            call.predecessor,
            call.signer,
            call.signer_pk,
            &account,
            call.args,
            call.deposit,
            call.gas,
            promise_results,
            false,
        );
        let vm = self.run_vm(&mut ext, &context, call.method);
        let refund_deposit = |chain: &mut Chain, transfers: &mut Vec<_>| {
            if call.deposit > 0 {
                chain.accounts.entry(call.predecessor.clone()).or_default().balance += call.deposit;
                transfers.push((call.receiver.clone(), call.predecessor.clone(), call.deposit));
            }
        };
        let failed = |error: String, vm: &VMOutcome| CallResult {
            result: Err(error.clone()),
            forward: None,
            outcome: ReceiptOutcome {
                receiver: call.receiver.clone(),
                method: call.method.into(),
                burnt_gas: vm.burnt_gas,
                logs: vm.logs.clone(),
            },
        };
        if let Some(error) = &vm.aborted {
            refund_deposit(self, transfers);
            return (failed(format!("{error} [{error:?}]"), &vm), vec![]);
        }
        let staked = u128::from(vm.storage_usage) * self.byte_cost;
        if vm.balance.as_yoctonear() < staked {
            refund_deposit(self, transfers);
            let error = format!(
                "LackBalanceForState: {} needs {staked} yoctoNEAR staked for {} bytes, has {}",
                call.receiver,
                vm.storage_usage,
                vm.balance.as_yoctonear()
            );
            return (failed(error, &vm), vec![]);
        }
        let unused = call.gas.checked_sub(vm.used_gas).unwrap_or(Gas::ZERO);
        let (created, local_to_global) = created_receipts(&ext.action_log, call.receiver, next_id, unused);
        ext.action_log.clear();
        let account = self.accounts.entry(call.receiver.clone()).or_default();
        account.balance = vm.balance.as_yoctonear();
        account.storage_usage = vm.storage_usage;
        account.state = ext;
        let value = return_value(&vm);
        let forward = match vm.return_data {
            ReturnData::ReceiptIndex(local) => Some(local_to_global[&(local as usize)]),
            _ => None,
        };
        let outcome = ReceiptOutcome {
            receiver: call.receiver.clone(),
            method: call.method.into(),
            burnt_gas: vm.burnt_gas,
            logs: vm.logs.clone(),
        };
        (CallResult { result: Ok(value), forward, outcome }, created)
    }

    #[allow(clippy::too_many_arguments)]
    fn context(
        &self,
        current: &AccountId,
        predecessor: &AccountId,
        signer: &AccountId,
        signer_pk: [u8; 32],
        account: &Account,
        input: Vec<u8>,
        deposit: u128,
        gas: Gas,
        promise_results: Vec<PromiseResult>,
        view: bool,
    ) -> VMContext {
        let mut pk = vec![0u8];
        pk.extend_from_slice(&signer_pk);
        let code_hash = account.state.code.as_ref().map_or(CryptoHash::default(), |c| *c.hash());
        VMContext {
            current_account_id: current.clone(),
            signer_account_id: signer.clone(),
            signer_account_pk: pk,
            predecessor_account_id: predecessor.clone(),
            refund_to_account_id: predecessor.clone(),
            input: Rc::from(input),
            promise_results: promise_results.into(),
            block_height: self.height,
            block_timestamp: self.now_ns,
            epoch_height: 1,
            account_balance: Balance::from_yoctonear(account.balance),
            account_locked_balance: Balance::ZERO,
            storage_usage: account.storage_usage,
            account_contract: AccountContract::Local(code_hash),
            attached_deposit: Balance::from_yoctonear(deposit),
            prepaid_gas: gas,
            random_seed: vec![7; 32],
            view_config: view.then_some(ViewConfig { max_gas_burnt: TX_GAS }),
            output_data_receivers: vec![],
        }
    }

    fn run_vm(&self, ext: &mut MockedExternal, context: &VMContext, method: &str) -> VMOutcome {
        // Compiled modules are cached across calls and tests, as nodes cache them; gas is the same.
        static COMPILED: LazyLock<MockContractRuntimeCache> = LazyLock::new(MockContractRuntimeCache::default);
        let gas_counter = context.make_gas_counter(&self.config);
        let prepared = near_vm_runner::prepare(ext, self.config.clone(), Some(&*COMPILED), gas_counter, method);
        let out = near_vm_runner::run(prepared, ext, context, self.fees.clone()).expect("the VM itself does not fail");
        if std::env::var_os("REDOUBT_GAS_PROFILE").is_some() {
            println!("PROFILE {method}: {:?}", out.profile);
        }
        out
    }
}

struct CallSpec<'a> {
    predecessor: &'a AccountId,
    receiver: &'a AccountId,
    signer: &'a AccountId,
    signer_pk: [u8; 32],
    method: &'a str,
    args: Vec<u8>,
    deposit: u128,
    gas: Gas,
    promise_results: Vec<Result<Vec<u8>, String>>,
}

struct CallResult {
    result: Result<Vec<u8>, String>,
    forward: Option<usize>,
    outcome: ReceiptOutcome,
}

fn return_value(outcome: &VMOutcome) -> Vec<u8> {
    match &outcome.return_data {
        ReturnData::Value(v) => v.clone(),
        _ => vec![],
    }
}

/// Follows forwards to a final result; `None` while a receipt on the way has not run.
fn resolve(results: &HashMap<usize, Resolution>, id: usize) -> Option<Result<Vec<u8>, String>> {
    match results.get(&id)? {
        Resolution::Value(v) => Some(Ok(v.clone())),
        Resolution::Failed(e) => Some(Err(e.clone())),
        Resolution::Forward(next) => resolve(results, *next),
    }
}

/// Turns the VM's action log into receipts, giving calls with a gas weight their share of `unused` gas.
fn created_receipts(
    log: &[MockAction],
    from: &AccountId,
    next_id: &mut usize,
    unused: Gas,
) -> (Vec<Pending>, HashMap<usize, usize>) {
    let mut local_to_global = HashMap::new();
    let mut receipts: Vec<Pending> = Vec::new();
    for (index, action) in log.iter().enumerate() {
        if let MockAction::CreateReceipt { receipt_indices, receiver_id } = action {
            local_to_global.insert(index, *next_id);
            let deps = receipt_indices.iter().map(|i| local_to_global[&(*i as usize)]).collect();
            receipts.push(Pending {
                id: *next_id,
                predecessor: from.clone(),
                receiver: receiver_id.clone(),
                deps,
                actions: vec![],
            });
            *next_id += 1;
        }
    }
    let total_weight: u64 = log
        .iter()
        .map(|a| match a {
            MockAction::FunctionCallWeight { gas_weight, .. } => gas_weight.0,
            _ => 0,
        })
        .sum();
    for action in log {
        let (receipt_index, pending_action) = match action {
            MockAction::FunctionCallWeight {
                receipt_index,
                method_name,
                args,
                attached_deposit,
                prepaid_gas,
                gas_weight,
            } => {
                let share = unused.as_gas().checked_div(total_weight).unwrap_or(0) * gas_weight.0;
                let gas = prepaid_gas.checked_add(Gas::from_gas(share)).unwrap();
                let method = String::from_utf8(method_name.clone()).unwrap();
                (
                    receipt_index,
                    PendingAction::Call { method, args: args.clone(), deposit: attached_deposit.as_yoctonear(), gas },
                )
            }
            MockAction::Transfer { receipt_index, deposit } => {
                (receipt_index, PendingAction::Transfer(deposit.as_yoctonear()))
            }
            MockAction::CreateReceipt { .. } => continue,
            other => panic!("the contracts create no {other:?} actions"),
        };
        let global = local_to_global[&(*receipt_index as usize)];
        receipts.iter_mut().find(|r| r.id == global).unwrap().actions.push(pending_action);
    }
    (receipts, local_to_global)
}
