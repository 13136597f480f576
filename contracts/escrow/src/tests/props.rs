//! Property tests: random sequences of calls (by the right parties and the wrong ones, with callbacks
//! answered late, in any order, or not at all) keep the funds invariant that [`Sim`] checks after every
//! call (balance = base + escrowed + fees + in-flight deposits + storage deposits; storage usage matches
//! what users paid for), keep `escrowed` equal to the sum over live jobs, and never release more than a
//! job's budget: each closed job released exactly its budget, once.

use super::sim::*;
use crate::{JobView, Status};
use proptest::prelude::*;
use redoubt_contracts_common::testing::Call;
use std::collections::HashMap;

/// Who makes a call: the hirer, one of the nodes, or a stranger.
const CALLERS: [&str; 6] = [HIRER, NODES[0], NODES[1], NODES[2], NODES[3], "stranger.near"];

#[derive(Debug, Clone)]
enum Op {
    Post { budget_milli: u128, days: u64 },
    Bid { job: usize, node: usize, price_pct: u128, deposit_milli: u128 },
    Answer { pending: usize, active: bool, fails: bool },
    Withdraw { job: usize, node: usize },
    Cancel { job: usize, caller: Option<usize> },
    Award { job: usize, pick: usize, caller: Option<usize> },
    Deliver { job: usize, caller: Option<usize> },
    Confirm { pending: usize, anchored: bool, early: bool },
    Accept { job: usize, caller: Option<usize> },
    Reject { job: usize, caller: Option<usize> },
    Contest { job: usize, caller: Option<usize> },
    Resolve { job: usize, pay_worker: bool, arbiter: bool },
    Settle { job: usize },
    Delete { job: usize, caller: Option<usize> },
    Advance { hours: u64 },
    WithdrawFees,
}

fn op() -> impl Strategy<Value = Op> {
    let job = 0usize..8;
    // `None` is the party the call is meant for (hirer, worker); `Some(i)` is CALLERS[i], often the wrong one.
    let caller = prop_oneof![3 => Just(None), 1 => (0usize..CALLERS.len()).prop_map(Some)];
    prop_oneof![
        2 => (10u128..5_000, 1u64..10).prop_map(|(budget_milli, days)| Op::Post { budget_milli, days }),
        6 => (job.clone(), 0usize..4, 1u128..=110, prop_oneof![1 => Just(0u128), 1 => Just(1), 6 => Just(50)])
            .prop_map(|(job, node, price_pct, deposit_milli)| Op::Bid { job, node, price_pct, deposit_milli }),
        6 => (0usize..4, proptest::bool::weighted(0.85), proptest::bool::weighted(0.05))
            .prop_map(|(pending, active, fails)| Op::Answer { pending, active, fails }),
        1 => (job.clone(), 0usize..4).prop_map(|(job, node)| Op::Withdraw { job, node }),
        1 => (job.clone(), caller.clone()).prop_map(|(job, caller)| Op::Cancel { job, caller }),
        4 => (job.clone(), 0usize..4, caller.clone()).prop_map(|(job, pick, caller)| Op::Award { job, pick, caller }),
        4 => (job.clone(), caller.clone()).prop_map(|(job, caller)| Op::Deliver { job, caller }),
        8 => (0usize..4, proptest::bool::weighted(0.8), proptest::bool::weighted(0.1))
            .prop_map(|(pending, anchored, early)| Op::Confirm { pending, anchored, early }),
        3 => (job.clone(), caller.clone()).prop_map(|(job, caller)| Op::Accept { job, caller }),
        4 => (job.clone(), caller.clone()).prop_map(|(job, caller)| Op::Reject { job, caller }),
        4 => (job.clone(), caller.clone()).prop_map(|(job, caller)| Op::Contest { job, caller }),
        4 => (job.clone(), any::<bool>(), proptest::bool::weighted(0.8))
            .prop_map(|(job, pay_worker, arbiter)| Op::Resolve { job, pay_worker, arbiter }),
        2 => job.clone().prop_map(|job| Op::Settle { job }),
        1 => (job.clone(), caller).prop_map(|(job, caller)| Op::Delete { job, caller }),
        3 => prop_oneof![4 => 1u64..12, 1 => 24u64..400].prop_map(|hours| Op::Advance { hours }),
        1 => Just(Op::WithdrawFees),
    ]
}

/// The model kept beside the chain: what each job has released so far.
#[derive(Default)]
struct Model {
    jobs: Vec<u64>,
    budgets: HashMap<u64, u128>,
    released: HashMap<u64, u128>,
    closings: HashMap<u64, u32>,
    pending_bids: Vec<Vec<Call>>,
    pending_deliveries: Vec<(Vec<Call>, u64)>,
}

impl Model {
    fn job(&self, i: usize) -> u64 {
        self.jobs.get(i % self.jobs.len().max(1)).copied().unwrap_or(1_000)
    }

    /// Mostly a job in one of `states` (so sequences get far), sometimes any job (so calls in the wrong
    /// state are tried too).
    fn pick(&self, sim: &mut Sim, i: usize, states: &[Status]) -> u64 {
        self.pick_where(sim, i, |j| states.contains(&j.status))
    }

    /// Like [`Model::pick`], with any condition on the job.
    fn pick_where(&self, sim: &mut Sim, i: usize, fits: impl Fn(&JobView) -> bool) -> u64 {
        let fitting: Vec<u64> =
            self.jobs.iter().copied().filter(|id| sim.view(|e| e.get_job(*id)).is_some_and(|j| fits(&j))).collect();
        if fitting.is_empty() || i.is_multiple_of(5) { self.job(i) } else { fitting[i % fitting.len()] }
    }

    /// Books the money the last call released per job, from its events.
    fn book(&mut self, sim: &Sim) {
        for (name, data) in sim.events() {
            let amount = |key: &str| data[key].as_str().map_or(0, |s| s.parse::<u128>().unwrap());
            let job = data["job_id"].as_u64();
            match name.as_str() {
                "job_paid" => {
                    *self.released.entry(job.unwrap()).or_default() += amount("amount") + amount("fee");
                    *self.closings.entry(job.unwrap()).or_default() += 1;
                }
                "job_refunded" => {
                    *self.released.entry(job.unwrap()).or_default() += amount("amount");
                    if data["reason"] != "budget_above_price" {
                        *self.closings.entry(job.unwrap()).or_default() += 1;
                    }
                }
                _ => {}
            }
        }
    }

    fn check(&self, sim: &mut Sim) {
        let mut live = 0u128;
        for &id in &self.jobs {
            let budget = self.budgets[&id];
            let released = self.released.get(&id).copied().unwrap_or(0);
            assert!(released <= budget, "job {id} released {released} of a {budget} budget");
            assert!(self.closings.get(&id).copied().unwrap_or(0) <= 1, "job {id} closed twice");
            if let Some(job) = sim.view(|e| e.get_job(id)) {
                live += job.escrowed.as_yoctonear();
                assert_eq!(released + job.escrowed.as_yoctonear(), budget, "job {id} lost track of money");
                if job.status.is_closed() {
                    assert_eq!(job.escrowed.as_yoctonear(), 0);
                    assert_eq!(released, budget, "closed job {id} did not release its whole budget");
                }
            } else {
                assert_eq!(released, budget, "deleted job {id} had not released its budget");
            }
        }
        assert_eq!(sim.totals().escrowed.as_yoctonear(), live, "escrowed total differs from the live jobs");
    }
}

/// The caller: `CALLERS[i]`, or for `None` the job's hirer (`worker == false`) or worker.
fn who(sim: &mut Sim, id: u64, caller: Option<usize>, worker: bool) -> String {
    match caller {
        Some(i) => CALLERS[i].to_string(),
        None if worker => sim.view(|e| e.get_job(id)).and_then(|j| j.worker).map_or(NODES[0].into(), |w| w.to_string()),
        None => HIRER.to_string(),
    }
}

fn apply(sim: &mut Sim, model: &mut Model, op: Op) {
    let ok = match op {
        Op::Post { budget_milli, days } => {
            let budget = milli(budget_milli);
            let deadline = sim.now_ms + days * DAY_MS;
            let r =
                sim.call(HIRER, budget.saturating_add(milli(20)), |e| e.post_job(budget, deadline, vec![], hash(1)));
            if let Ok(id) = r {
                model.jobs.push(id);
                model.budgets.insert(id, budget.as_yoctonear());
            }
            r.is_ok()
        }
        Op::Bid { job, node, price_pct, deposit_milli } => {
            let id = model.pick(sim, job, &[Status::Open]);
            let budget = model.budgets.get(&id).copied().unwrap_or(1);
            let price = yocto(budget * price_pct / 100);
            let r = sim.call(NODES[node], milli(deposit_milli), |e| e.place_bid(id, price, HOUR_MS).map(drop));
            if r.is_ok() {
                model.pending_bids.push(sim.calls.clone());
            }
            r.is_ok()
        }
        Op::Answer { pending, active, fails } => {
            if model.pending_bids.is_empty() {
                return;
            }
            let calls = model.pending_bids.remove(pending % model.pending_bids.len());
            sim.complete_bid_from(calls, if fails { None } else { Some(active) });
            true
        }
        Op::Withdraw { job, node } => {
            let id = model.pick(sim, job, &[Status::Open]);
            sim.call(NODES[node], zero(), |e| e.withdraw_bid(id)).is_ok()
        }
        Op::Cancel { job, caller } => {
            let id = model.pick(sim, job, &[Status::Open]);
            let w = who(sim, id, caller, false);
            sim.call(&w, zero(), |e| e.cancel_job(id)).is_ok()
        }
        Op::Award { job, pick, caller } => {
            let id = model.pick_where(sim, job, |j| j.status == Status::Open && j.bid_count > 0);
            let bids = sim.view(|e| e.get_bids(id));
            let Some(bid) = bids.get(pick % bids.len().max(1)) else { return };
            let bidder = bid.bidder.clone();
            let w = who(sim, id, caller, false);
            sim.call(&w, zero(), |e| e.award(id, bidder)).is_ok()
        }
        Op::Deliver { job, caller } => {
            let id = model.pick(sim, job, &[Status::Awarded]);
            let w = who(sim, id, caller, true);
            let r = sim.call(&w, zero(), |e| e.deliver(id, hash(2), 5).map(drop));
            if r.is_ok() {
                model.pending_deliveries.push((sim.calls.clone(), sim.now_ms));
            }
            r.is_ok()
        }
        Op::Confirm { pending, anchored, early } => {
            if model.pending_deliveries.is_empty() {
                return;
            }
            let (calls, at) = model.pending_deliveries.remove(pending % model.pending_deliveries.len());
            let mut anchor = sim.anchor(5);
            anchor.anchored_at_ms = if early { 0 } else { at };
            sim.complete_delivery_from(calls, Some(anchored.then_some(anchor))).is_ok()
        }
        Op::Accept { job, caller } => {
            let id = model.pick(sim, job, &[Status::Delivered, Status::Rejected, Status::Contested]);
            let w = who(sim, id, caller, false);
            sim.call(&w, zero(), |e| e.accept(id)).is_ok()
        }
        Op::Reject { job, caller } => {
            let id = model.pick(sim, job, &[Status::Delivered]);
            let w = who(sim, id, caller, false);
            sim.call(&w, zero(), |e| e.reject(id)).is_ok()
        }
        Op::Contest { job, caller } => {
            let id = model.pick(sim, job, &[Status::Rejected]);
            let w = who(sim, id, caller, true);
            sim.call(&w, zero(), |e| e.contest(id)).is_ok()
        }
        Op::Resolve { job, pay_worker, arbiter } => {
            let who = if arbiter { ARBITER } else { OWNER };
            let id = model.pick(sim, job, &[Status::Contested]);
            sim.call(who, yocto(1), |e| e.resolve(id, pay_worker)).is_ok()
        }
        Op::Settle { job } => {
            let id = model.job(job);
            sim.call("keeper.near", zero(), |e| e.settle(id)).is_ok()
        }
        Op::Delete { job, caller } => {
            let id = model.pick(sim, job, &[Status::Paid, Status::Refunded, Status::Cancelled]);
            let w = who(sim, id, caller, false);
            sim.call(&w, zero(), |e| e.delete_job(id)).is_ok()
        }
        Op::Advance { hours } => {
            sim.advance(hours * HOUR_MS);
            false
        }
        Op::WithdrawFees => sim.call(OWNER, yocto(1), |e| e.withdraw_fees(None).map(drop)).is_ok(),
    };
    if ok {
        model.book(sim);
    }
    model.check(sim);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_call_sequences_conserve_funds_and_never_pay_twice(ops in proptest::collection::vec(op(), 10..80)) {
        let mut sim = Sim::new();
        let mut model = Model::default();
        let opening = [Op::Post { budget_milli: 3_000, days: 5 }, Op::Post { budget_milli: 700, days: 2 }];
        for op in opening.into_iter().chain(ops) {
            apply(&mut sim, &mut model, op);
        }
        // Answer every outstanding callback: every in-flight deposit comes back or is spent on a bid.
        while !model.pending_bids.is_empty() {
            apply(&mut sim, &mut model, Op::Answer { pending: 0, active: true, fails: false });
        }
        prop_assert_eq!(sim.totals().in_flight, zero());
    }
}
