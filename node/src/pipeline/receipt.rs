//! The receipt of a job that ran: what ran (code and manifest hashes), on
//! what (input hash), with what result (output or error hash), where (node
//! account, key, evidence hash), when, and with what resources; signed with
//! the node's ed25519 key.

use super::admission::Admitted;
use crate::job::{JobFailure, JobRecord};
use crate::node::Node;
use crate::store::StoredReceipt;
use redoubt_attestation::{JobOutcome, Receipt, Resources, SignedReceipt};
use redoubt_sandbox::ResourceUsage;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Builds and signs the receipt of `job`.
#[allow(clippy::too_many_arguments)]
pub fn sign(
    node: &Node,
    job: &JobRecord,
    admitted: &Admitted,
    input: &[u8],
    outcome: &Result<Vec<u8>, JobFailure>,
    usage: &ResourceUsage,
    started_at_ms: u64,
    finished_at_ms: u64,
) -> StoredReceipt {
    let package = admitted.agent.package();
    let keys = &node.identity.keys;
    let receipt = Receipt {
        agent_code_hash: package.code_hash().0,
        manifest_hash: package.manifest_hash().0,
        input_hash: Sha256::digest(input).into(),
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
        started_at_ms,
        finished_at_ms,
        resources: resources(usage),
        parent_receipt_hash: None,
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
