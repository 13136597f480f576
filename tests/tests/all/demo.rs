//! README's main job, `redoubt demo`, run in-process: every expectation of
//! the scenario holds (legitimate key uses work, the hostile agent gets
//! nothing out, each block alerts, every receipt verifies), and its report
//! tells the truth about the node's (insecure, off-hardware) posture.

use redoubt_node::demo::{DemoOptions, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_passes_every_check() {
    let home = std::env::temp_dir().join(format!("redoubt-e2e-demo-{}", std::process::id()));
    let report = run(DemoOptions { keep: Some(home.clone()) }, &|_| {}).await.expect("the demo runs");
    let failed: Vec<_> = report.checks.iter().filter(|c| !c.ok).collect();
    assert!(failed.is_empty(), "failed checks: {failed:#?}");
    assert!(report.checks.len() >= 10, "{} checks", report.checks.len());

    let (verified, total) = report.receipts;
    assert_eq!(verified, total);
    assert!(total >= 5, "one receipt per job that ran, the delegated child included");
    assert_eq!(report.evidence_kind, "dev-insecure", "this machine is not a SEV-SNP guest");
    assert!(report.vault_key_mode.contains("INSECURE"));
    assert!(report.render().contains("INSECURE"), "the human report says so");

    let critical = report.alerts.iter().filter(|a| a.kind == "secret_in_input").count();
    assert_eq!(critical, 1);
    assert!(serde_json::to_value(&report).unwrap()["checks"].is_array(), "the report serializes for --json");
    std::fs::remove_dir_all(home).ok();
}
