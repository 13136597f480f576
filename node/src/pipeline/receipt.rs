//! The receipt of a job that ran: what ran (code and manifest hashes), on
//! what (input hash), with what result (output or error hash), where (node
//! account, key, evidence hash), when, with what resources, hired by which
//! job and hiring which; signed with the node's ed25519 key.

use super::admission::Admitted;
use crate::job::{JobFailure, JobRecord};
use crate::node::Node;
use crate::store::StoredReceipt;
use redoubt_attestation::{JobOutcome, JobRef, Receipt, Resources, SignedReceipt};
use redoubt_sandbox::ResourceUsage;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// How a job ran in the sandbox, as its receipt records it.
pub struct Ran<'a> {
    /// The job's input.
    pub input: &'a [u8],
    /// Resources it used.
    pub usage: &'a ResourceUsage,
    /// Start, unix milliseconds.
    pub started_at_ms: u64,
    /// End, unix milliseconds.
    pub finished_at_ms: u64,
    /// The receipt hashes of the jobs it hired.
    pub hired: Vec<[u8; 32]>,
}

/// Builds and signs the receipt of `job`, which ended with `outcome`.
pub fn sign(
    node: &Node,
    job: &JobRecord,
    admitted: &Admitted,
    outcome: &Result<Vec<u8>, JobFailure>,
    ran: Ran<'_>,
) -> StoredReceipt {
    let package = admitted.agent.package();
    let keys = &node.identity.keys;
    let delegated_by =
        job.parent.map(|parent| JobRef { node_account_id: keys.account_id().to_string(), job_id: parent.to_string() });
    let receipt = Receipt {
        agent_code_hash: package.code_hash().0,
        manifest_hash: package.manifest_hash().0,
        input_hash: Sha256::digest(ran.input).into(),
        outcome: match outcome {
            Ok(output) => JobOutcome::Succeeded { output_hash: Sha256::digest(output).into() },
            Err(failure) => JobOutcome::Failed {
                error_hash: Sha256::digest(failure.message.as_bytes()).into(),
                reason: failure.kind.clone(),
            },
        },
        job_id: job.id.to_string(),
        market_ref: job.market_ref.clone(),
        node_account_id: keys.account_id().to_string(),
        node_public_key: keys.public_key(),
        evidence_hash: node.identity.evidence_hash,
        started_at_ms: ran.started_at_ms,
        finished_at_ms: ran.finished_at_ms,
        resources: resources(ran.usage),
        delegated_by,
        delegated_receipts: ran.hired,
    };
    let signed = SignedReceipt::sign(receipt, keys);
    StoredReceipt { hash: hex::encode(signed.receipt.hash()), job_id: job.id, signed, batch: None }
}

fn resources(usage: &ResourceUsage) -> Resources {
    let calls = &usage.host_calls;
    let host_calls: BTreeMap<String, u64> =
        [("delegate", calls.delegate), ("http", calls.http), ("kv", calls.kv), ("llm", calls.llm)]
            .into_iter()
            .map(|(kind, count)| (kind.to_owned(), count))
            .collect();
    Resources {
        fuel: usage.fuel,
        wall_time_us: usage.wall_time_us,
        memory_peak_bytes: usage.memory_peak_bytes,
        output_bytes: usage.output_bytes,
        host_calls,
    }
}
