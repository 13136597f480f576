//! Gas of every contract method in the NEAR VM (protocol version 88), printed as a table
//! (`cargo test -p redoubt-contracts-wasm gas -- --nocapture`), with the limits that matter asserted: every
//! transaction fits in 300 Tgas, and every callback and cross-contract view fits in the static gas the
//! escrow reserves for it (so a bid deposit can never be stranded by a callback running out of gas).

use crate::chain::{Chain, Outcome, TX_GAS};
use crate::deploy::*;
use crate::testdata::{self, SetExt};
use near_primitives_core::types::Gas;
use redoubt_contracts_common::testing::snp::{MEASUREMENT, b64, chip, dev_evidence, report_for, snp_evidence};
use redoubt_snp_testca::{Family, TestCa};
use serde_json::{Value, json};

/// Static gas the escrow attaches (escrow `config.rs`).
const GAS_REGISTRY_VIEW: Gas = Gas::from_teragas(10);
const GAS_BID_CALLBACK: Gas = Gas::from_teragas(25);
const GAS_DELIVERY_CALLBACK: Gas = Gas::from_teragas(20);
const DAY_MS: u64 = 86_400_000;

struct Row {
    label: String,
    receipts: String,
    vm: Gas,
    fees: Gas,
}

struct Table {
    rows: Vec<Row>,
}

impl Table {
    /// Records a successful transaction.
    fn tx(&mut self, contract: &str, label: &str, out: &Outcome) -> Value {
        let value = out.json();
        self.record(contract, label, out);
        value
    }

    /// Records a transaction that fails at its last check (its gas is the gas of the whole path).
    fn failed_at_the_end(&mut self, contract: &str, label: &str, out: &Outcome, error: &str) {
        assert!(out.err().contains(error), "{label}: {}", out.err());
        self.record(contract, label, out);
    }

    fn record(&mut self, contract: &str, label: &str, out: &Outcome) {
        let route: Vec<String> =
            out.receipts.iter().map(|r| format!("{} {:.2}", r.method, tgas(r.burnt_gas))).collect();
        let receipts = if route.len() > 1 { route.join(" + ") } else { String::new() };
        let row = Row { label: format!("{contract} `{label}`"), receipts, vm: out.total_gas(), fees: out.tx_fees };
        assert!(row.vm.checked_add(row.fees).unwrap() < TX_GAS, "{label} does not fit in 300 Tgas");
        self.rows.push(row);
    }

    fn print(&self) {
        println!("\n| method | VM gas | + tx fees | total Tgas | % of 300 Tgas | receipts (VM Tgas) |");
        println!("|---|---:|---:|---:|---:|---|");
        for row in &self.rows {
            let total = row.vm.checked_add(row.fees).unwrap();
            let share = total.as_gas() as f64 / TX_GAS.as_gas() as f64 * 100.0;
            println!(
                "| {} | {} | {:.2} | {:.2} | {share:.1} % | {} |",
                row.label,
                row.vm.as_gas(),
                tgas(row.fees),
                tgas(total),
                row.receipts
            );
        }
    }
}

fn tgas(gas: Gas) -> f64 {
    gas.as_gas() as f64 / 1e12
}

fn view_gas(chain: &mut Chain, contract: &str, method: &str, args: Value) -> Outcome {
    // Views run as calls here so their gas is measured the same way.
    chain.call("viewer.near", contract, method, args, 0)
}

#[test]
fn gas_per_method() {
    let mut table = Table { rows: vec![] };
    let ca = TestCa::new(Family::Milan);
    let mut chain = test_registry(&ca);
    let out = allow(&mut chain, &MEASUREMENT);
    table.tx("registry", "allow_measurement", &out);

    // SEV-SNP: VCEK chain (RSA-PSS ARK -> ASK -> VCEK), then a registration against the cached VCEK, then a
    // full registration that verifies a fresh VCEK in the same call.
    let node = "node.near";
    chain.create(node, 100 * NEAR, None);
    let chip_a = chip(&ca, 1);
    let out = submit_vcek(&mut chain, node, &chip_a.vcek_der());
    table.tx("registry", "submit_vcek (VCEK chain, test CA)", &out);
    let out = register(&mut chain, node, snp_evidence(node, &report_for(&chip_a, node, |_| {}), &chip_a.vcek_der()));
    table.tx("registry", "register (SEV-SNP, cached VCEK)", &out);
    let full = "full.near";
    chain.create(full, 100 * NEAR, None);
    let chip_b = chip(&ca, 2);
    let out = register(&mut chain, full, snp_evidence(full, &report_for(&chip_b, full, |_| {}), &chip_b.vcek_der()));
    table.tx("registry", "register (SEV-SNP, VCEK verified in the same call)", &out);
    let out = register(&mut chain, node, snp_evidence(node, &report_for(&chip_a, node, |_| {}), &chip_a.vcek_der()));
    table.tx("registry", "register (re-registration, cached VCEK)", &out);
    for index in 1..=64u64 {
        let args = json!({ "batch_index": index, "root": hex::encode([index as u8; 32]), "count": 8 });
        let out = chain.call(node, REGISTRY, "anchor_batch", args, NEAR / 100);
        if index == 64 {
            table.tx("registry", "anchor_batch", &out);
        }
    }
    let out = view_gas(&mut chain, REGISTRY, "is_active", json!({ "account_id": node }));
    assert!(out.total_gas() < GAS_REGISTRY_VIEW);
    table.tx("registry", "is_active (view; the escrow reserves 10 Tgas)", &out);
    let out = view_gas(&mut chain, REGISTRY, "get_anchor", json!({ "account_id": node, "batch_index": 37 }));
    assert!(out.total_gas() < GAS_REGISTRY_VIEW);
    table.tx("registry", "get_anchor (view, 64 anchors; the escrow reserves 10 Tgas)", &out);
    let out = view_gas(&mut chain, REGISTRY, "get_node", json!({ "account_id": node }));
    table.tx("registry", "get_node (view)", &out);
    let out = chain.call(OWNER, REGISTRY, "set_min_tcb", json!({ "family": "milan", "tcb": null }), 1);
    table.tx("registry", "set_min_tcb", &out);
    let out = chain.call(node, REGISTRY, "unregister", json!({}), 0);
    table.tx("registry", "unregister", &out);

    if let Some(set) = testdata::load("msft-tav-genoa") {
        let mut prod = registry_chain(json!({ "mode": "production" }));
        allow(&mut prod, &set.measurement());
        prod.create("operator.near", 100 * NEAR, None);
        let out = submit_vcek(&mut prod, "operator.near", &set.vcek_der);
        table.tx("registry", "submit_vcek (real AMD Genoa VCEK)", &out);
        let fingerprint = out.json()["fingerprint"].clone();
        let args = json!({ "report": b64(&set.report), "vcek_fingerprint": fingerprint });
        let out = view_gas(&mut prod, REGISTRY, "check_report", args);
        table.tx("registry", "check_report (real Genoa report: signature + policy)", &out);
        let mut fresh = registry_chain(json!({ "mode": "production" }));
        allow(&mut fresh, &set.measurement());
        fresh.create("operator.near", 100 * NEAR, None);
        let out = register(&mut fresh, "operator.near", snp_evidence("operator.near", &set.report, &set.vcek_der));
        table.failed_at_the_end(
            "registry",
            "register (real Genoa VCEK + report, all checks, fails at the key binding)",
            &out,
            "report_data does not match",
        );
        let mut tcb = set.report.clone();
        tcb[0x187] ^= 1; // reported_tcb: refused before the signature check
        let out = view_gas(
            &mut prod,
            REGISTRY,
            "check_report",
            json!({ "report": b64(&tcb), "vcek_fingerprint": fingerprint }),
        );
        table.tx("registry", "check_report (refused before the ECDSA check)", &out);
    }
    let mut dev = registry_chain(json!({ "mode": "dev" }));
    dev.create(node, 100 * NEAR, None);
    let out = register(&mut dev, node, dev_evidence(node));
    table.tx("registry", "register (dev evidence, dev mode)", &out);

    escrow_rows(&mut table, &mut chain, &ca);
    table.print();
}

fn escrow_rows(table: &mut Table, chain: &mut Chain, ca: &TestCa) {
    deploy_escrow(chain, None);
    let hirer = "hirer.near";
    chain.create(hirer, 10_000 * NEAR, None);
    let nodes: Vec<String> = (0..32).map(|i| format!("node{i}.near")).collect();
    for (i, node) in nodes.iter().enumerate() {
        chain.create(node, 100 * NEAR, None);
        let chip = chip(ca, 100 + i as u8);
        register(chain, node, snp_evidence(node, &report_for(&chip, node, |_| {}), &chip.vcek_der())).json();
    }
    let post = |chain: &mut Chain| {
        let args = json!({ "budget": (10 * NEAR).to_string(), "deadline_ms": chain.now_ms() + 3 * DAY_MS,
                           "tags": ["summarize", "gpu"], "spec_hash": hex::encode([7u8; 32]) });
        chain.call(hirer, ESCROW, "post_job", args, 11 * NEAR)
    };
    let bid = |chain: &mut Chain, node: &str, job: u64, price: u128| {
        let args = json!({ "job_id": job, "price": price.to_string(), "eta_ms": 3_600_000 });
        chain.call(node, ESCROW, "place_bid", args, NEAR / 20)
    };
    let out = post(chain);
    let job = table.tx("escrow", "post_job", &out).as_u64().unwrap();
    let out = bid(chain, &nodes[0], job, 5 * NEAR);
    table.tx("escrow", "place_bid (first bid of a node)", &out);
    for (i, node) in nodes.iter().enumerate().take(31).skip(1) {
        bid(chain, node, job, (5 + i as u128 % 4) * NEAR).json();
    }
    let out = bid(chain, &nodes[31], job, 9 * NEAR);
    assert!(out.receipts[2].burnt_gas < GAS_BID_CALLBACK, "on_bid_checked must fit its reserve");
    table.tx("escrow", "place_bid (32nd bid: fullest job)", &out);
    let out = chain.call(&nodes[31], ESCROW, "withdraw_bid", json!({ "job_id": job }), 0);
    table.tx("escrow", "withdraw_bid", &out);
    let out = view_gas(chain, ESCROW, "get_bids", json!({ "job_id": job }));
    table.tx("escrow", "get_bids (view, 31 bids ranked)", &out);
    let out = chain.call(hirer, ESCROW, "award", json!({ "job_id": job, "bidder": nodes[0] }), 0);
    table.tx("escrow", "award (31 bids: rank, refund 30)", &out);
    let anchor = json!({ "batch_index": 1, "root": hex::encode([1u8; 32]), "count": 1 });
    chain.advance_ms(1);
    chain.call(&nodes[0], REGISTRY, "anchor_batch", anchor, NEAR / 100).json();
    let deliver = json!({ "job_id": job, "receipt_hash": hex::encode([9u8; 32]), "batch_index": 1 });
    let out = chain.call(&nodes[0], ESCROW, "deliver", deliver, 0);
    assert!(out.receipts[2].burnt_gas < GAS_DELIVERY_CALLBACK, "on_delivery_checked must fit its reserve");
    table.tx("escrow", "deliver", &out);
    let out = chain.call(hirer, ESCROW, "reject", json!({ "job_id": job }), 0);
    table.tx("escrow", "reject", &out);
    let out = chain.call(&nodes[0], ESCROW, "contest", json!({ "job_id": job }), 0);
    table.tx("escrow", "contest", &out);
    let out = chain.call("arbiter.near", ESCROW, "resolve", json!({ "job_id": job, "pay_worker": true }), 1);
    table.tx("escrow", "resolve (pays the worker)", &out);
    let out = chain.call(hirer, ESCROW, "delete_job", json!({ "job_id": job }), 0);
    table.tx("escrow", "delete_job", &out);

    let job = post(chain).json().as_u64().unwrap();
    bid(chain, &nodes[1], job, NEAR).json();
    chain.call(hirer, ESCROW, "award", json!({ "job_id": job, "bidder": nodes[1] }), 0).json();
    chain.advance_ms(1);
    chain
        .call(
            &nodes[1],
            REGISTRY,
            "anchor_batch",
            json!({ "batch_index": 1, "root": hex::encode([2u8; 32]), "count": 1 }),
            NEAR / 100,
        )
        .json();
    chain
        .call(
            &nodes[1],
            ESCROW,
            "deliver",
            json!({ "job_id": job, "receipt_hash": hex::encode([3u8; 32]), "batch_index": 1 }),
            0,
        )
        .json();
    let out = chain.call(hirer, ESCROW, "accept", json!({ "job_id": job }), 0);
    table.tx("escrow", "accept (pays the worker)", &out);

    let job = post(chain).json().as_u64().unwrap();
    bid(chain, &nodes[2], job, NEAR).json();
    let out = chain.call(hirer, ESCROW, "cancel_job", json!({ "job_id": job }), 0);
    table.tx("escrow", "cancel_job", &out);
    let job = post(chain).json().as_u64().unwrap();
    chain.advance_ms(4 * DAY_MS);
    let out = chain.call("keeper.near", ESCROW, "settle", json!({ "job_id": job }), 0);
    table.tx("escrow", "settle (expired job)", &out);
    let out = chain.call(OWNER, ESCROW, "withdraw_fees", json!({}), 1);
    table.tx("escrow", "withdraw_fees", &out);
    let config = chain.view_json(ESCROW, "get_config", json!({}))["config"].clone();
    let out = chain.call(OWNER, ESCROW, "set_config", json!({ "config": config }), 1);
    table.tx("escrow", "set_config", &out);
}
