//! The API is what its document says: a real daemon's `/openapi.json` passes an
//! independent validator (openapi-spec-validator), openapi-python-client
//! generates a client for every operation in it without a warning, and a
//! script that uses only that generated client drives the node: install an
//! agent, submit a job, poll it to the end, fetch its output and receipt.
//!
//! The tools come from PyPI (`scripts/setup-test-tools.sh`, part of README's
//! test command; the test finds them where the script puts them, or on PATH).
//! Without them the test says it skipped; on CI (`CI=true`) it fails instead.

use crate::support::{Client, TestHome};
use serde_json::Value;
use std::path::Path;
use std::process::Output;
use std::time::Duration;
use tokio::process::Command;

/// The script that drives the node through the generated client.
const DRIVER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/all/openapi/drive.py");

/// The generated package's name (the driver imports it).
const PACKAGE: &str = "redoubt_client";

/// The longest any one tool may run.
const TOOL_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs `program ARGS`, killed after [`TOOL_TIMEOUT`]; `None` if it cannot start.
async fn run(program: &str, args: &[&str]) -> Option<Output> {
    run_with(program, args, &[]).await
}

/// Where `scripts/setup-test-tools.sh` installs the tools by default: `$REDOUBT_TEST_TOOLS/bin`,
/// else `~/.cache/redoubt/test-tools/bin`.
fn tools_bin() -> Option<std::path::PathBuf> {
    let venv = match std::env::var_os("REDOUBT_TEST_TOOLS") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => std::path::PathBuf::from(std::env::var_os("HOME")?).join(".cache/redoubt/test-tools"),
    };
    Some(venv.join("bin"))
}

/// `program` from the tools' directory when it is there, else from PATH.
fn resolve(program: &str) -> std::path::PathBuf {
    tools_bin().map(|bin| bin.join(program)).filter(|path| path.is_file()).unwrap_or_else(|| program.into())
}

/// [`run`] with extra environment variables.
async fn run_with(program: &str, args: &[&str], envs: &[(&str, &str)]) -> Option<Output> {
    let child = Command::new(resolve(program))
        .args(args)
        .envs(envs.iter().copied())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .kill_on_drop(true)
        .stdin(std::process::Stdio::null())
        .output();
    match tokio::time::timeout(TOOL_TIMEOUT, child).await {
        Ok(result) => result.ok(),
        Err(_) => panic!("{program} {args:?} ran longer than {TOOL_TIMEOUT:?}"),
    }
}

/// Stdout and stderr, for assertion messages.
fn shown(output: &Output) -> String {
    format!(
        "{}\n--- stdout\n{}--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Whether the validator, the generator and the generated client's runtime
/// (httpx and attrs in the tools' `python3`) are all here. When they
/// are not: skip, or fail on CI.
async fn tools_present() -> bool {
    let probes: [(&str, &str, &[&str]); 3] = [
        ("openapi-spec-validator", "openapi-spec-validator", &["--help"]),
        ("openapi-python-client", "openapi-python-client", &["--version"]),
        ("python3 with httpx and attrs", "python3", &["-c", "import httpx, attrs"]),
    ];
    let mut missing = Vec::new();
    for (what, program, args) in probes {
        if !run(program, args).await.is_some_and(|output| output.status.success()) {
            missing.push(what);
        }
    }
    if missing.is_empty() {
        return true;
    }
    let why = format!("missing {missing:?}; run scripts/setup-test-tools.sh");
    let on_ci = std::env::var("CI").is_ok_and(|value| value == "true" || value == "1");
    assert!(!on_ci, "CI runs the OpenAPI client test: {why}");
    eprintln!("skipped: the OpenAPI client test needs third-party tools: {why}");
    false
}

/// The document as the daemon serves it.
async fn fetch_document(client: &Client) -> (Vec<u8>, Value) {
    let response = client.request(reqwest::Method::GET, "/openapi.json").send().await.expect("GET /openapi.json");
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.expect("the document").to_vec();
    let document = serde_json::from_slice(&bytes).expect("the document is JSON");
    (bytes, document)
}

/// Every operation as (tag, operationId).
fn operations(document: &Value) -> Vec<(String, String)> {
    let paths = document["paths"].as_object().expect("paths");
    let mut found = Vec::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("a path item") {
            let tag = operation["tags"][0].as_str().unwrap_or_else(|| panic!("{method} {path} has no tag"));
            let id = operation["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no id"));
            found.push((tag.to_owned(), id.to_owned()));
        }
    }
    found
}

#[tokio::test]
async fn a_client_generated_from_the_document_installs_an_agent_runs_a_job_and_fetches_its_receipt() {
    if !tools_present().await {
        return;
    }
    let home = TestHome::new("");
    let daemon = home.start();
    let client = daemon.client();
    let work = tempfile::tempdir().expect("a temporary directory");
    let dir = |name: &str| work.path().join(name).to_str().expect("UTF-8 path").to_owned();

    let (bytes, document) = fetch_document(&client).await;
    std::fs::write(dir("openapi.json"), &bytes).expect("writing the document");
    let validated = run("openapi-spec-validator", &[&dir("openapi.json")]).await.expect("the validator runs");
    assert!(validated.status.success(), "openapi-spec-validator rejects the document: {}", shown(&validated));

    // No post hooks: the generator's formatter (ruff) is no part of what is tested.
    std::fs::write(dir("generator.json"), r#"{"post_hooks": []}"#).expect("writing the generator's config");
    let package = dir(PACKAGE);
    let generated = run(
        "openapi-python-client",
        &[
            "generate",
            "--path",
            &dir("openapi.json"),
            "--config",
            &dir("generator.json"),
            "--meta",
            "none",
            "--output-path",
            &package,
        ],
    )
    .await
    .expect("the generator runs");
    assert!(generated.status.success(), "openapi-python-client fails: {}", shown(&generated));
    let said = shown(&generated).to_lowercase();
    assert!(
        !said.contains("warning") && !said.contains("skip"),
        "the generator left something out: {}",
        shown(&generated)
    );
    let operations = operations(&document);
    assert!(operations.len() >= 25, "{operations:?}");
    for (tag, id) in &operations {
        let module = Path::new(&package).join("api").join(tag).join(format!("{id}.py"));
        assert!(module.is_file(), "no generated client function for {tag}/{id} ({})", module.display());
    }

    let echo = redoubt_agents::find("echo").expect("the echo agent");
    std::fs::write(dir("manifest.toml"), echo.manifest).expect("writing the manifest");
    std::fs::write(dir("component.wasm"), echo.component).expect("writing the component");
    let input = "through a generated client";
    let driven = run_with(
        "python3",
        &[
            DRIVER,
            work.path().to_str().expect("UTF-8 path"),
            &daemon.base,
            &dir("manifest.toml"),
            &dir("component.wasm"),
            input,
        ],
        &[("REDOUBT_API_TOKEN", &daemon.token)],
    )
    .await
    .expect("python3 runs");
    assert!(driven.status.success(), "the generated client failed: {}", shown(&driven));
    let seen: Value = serde_json::from_slice(&driven.stdout).unwrap_or_else(|e| panic!("{e}: {}", shown(&driven)));

    assert_eq!(seen["agent"], "echo", "{seen}");
    assert_eq!(seen["fetched"], "echo", "{seen}");
    assert!(seen["listed"].as_array().is_some_and(|names| names.contains(&Value::from("echo"))), "{seen}");
    assert_eq!(seen["queued_state"], "queued", "{seen}");
    assert_eq!(seen["state"], "succeeded", "{seen}");
    assert_eq!(seen["output"], input, "{seen}");
    let job = seen["job_id"].as_u64().expect("a job id");
    assert_eq!(seen["bundle_job_id"], job, "{seen}");
    assert_eq!(seen["by_hash_job_id"], job, "{seen}");
    assert_eq!(seen["bundle_hash"], seen["receipt"], "{seen}");
    // What the generated client saw is what the node holds.
    let receipt = client.get(&format!("/v1/jobs/{job}/receipt")).await;
    assert_eq!(receipt["hash"], seen["bundle_hash"], "{receipt}");
    let agent = client.get("/v1/agents/echo").await;
    assert_eq!(agent["code_hash"], seen["code_hash"], "{agent}");
}
