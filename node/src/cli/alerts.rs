//! `redoubt alerts` and `redoubt audit`: what the node blocked and decided.

use super::common::{Common, block_on, exit};
use crate::alerts::{Alert, AuditRecord};
use clap::Args;
use std::process::ExitCode;

/// Arguments of `redoubt alerts`.
#[derive(Debug, Args)]
pub struct AlertsArgs {
    /// Keep printing alerts as they are raised.
    #[arg(long)]
    follow: bool,
    #[command(flatten)]
    common: Common,
}

/// Arguments of `redoubt audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    common: Common,
}

/// Runs `redoubt alerts`.
pub fn alerts(args: AlertsArgs) -> ExitCode {
    exit(block_on(async move {
        let client = args.common.client()?;
        let mut after = 0;
        loop {
            let page = client.alerts(after).await?;
            for alert in &page.alerts {
                args.common.print(alert, describe_alert);
            }
            if page.alerts.is_empty() {
                break;
            }
            after = page.last;
        }
        if args.follow {
            let mut stream = client.events().await?;
            let mut buffer = String::new();
            while let Some(chunk) = stream.chunk().await? {
                buffer.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buffer.find("\n\n") {
                    let frame: String = buffer.drain(..end + 2).collect();
                    let data = frame.lines().find_map(|line| line.strip_prefix("data:")).map(str::trim);
                    if frame.contains("event: alert")
                        && let Some(alert) = data.and_then(|d| serde_json::from_str::<Alert>(d).ok())
                    {
                        args.common.print(&alert, describe_alert);
                    }
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    }))
}

/// Runs `redoubt audit`.
pub fn audit(args: AuditArgs) -> ExitCode {
    exit(block_on(async move {
        let client = args.common.client()?;
        let mut after = 0;
        loop {
            let page = client.audit(after).await?;
            for record in &page.records {
                args.common.print(record, describe_audit);
            }
            if page.records.is_empty() {
                return Ok(ExitCode::SUCCESS);
            }
            after = page.last;
        }
    }))
}

/// One line about an alert.
pub fn describe_alert(alert: &Alert) -> String {
    let field = |name: &str, value: &Option<String>| value.as_ref().map_or(String::new(), |v| format!(" {name}={v}"));
    format!(
        "#{} {:?} {}{}{}{}{}: {}",
        alert.id,
        alert.severity,
        alert.kind,
        field("agent", &alert.agent),
        alert.job.map_or(String::new(), |j| format!(" job={j}")),
        field("host", &alert.host),
        field("secret", &alert.secret),
        alert.message
    )
}

fn describe_audit(record: &AuditRecord) -> String {
    format!("#{} {} {}", record.id, record.action, record.detail)
}
