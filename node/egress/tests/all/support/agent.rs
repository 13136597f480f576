//! Running a real agent in the real sandbox with the gate behind its `http` capability, the way
//! the node wires it: an `HttpHost` adapter that calls `Gate::fetch`, and a log sink that passes
//! every line through the leak detector before it is written (as the node's log path does).

use async_trait::async_trait;
use redoubt_egress::{Caller, Gate, GateError, OutboundRequest};
use redoubt_sandbox::host::{CallContext, HostError, HttpHost, HttpRequest, HttpResponse, LogLevel, LogSink};
use redoubt_sandbox::{AgentPackage, HostServices, JobReport, Sandbox, SandboxConfig};
use redoubt_vault::{Leak, LeakDetector};
use std::sync::{Arc, Mutex, OnceLock};

/// `HttpHost` over the gate: the caller is the sandbox's call context (job, agent, code hash,
/// manifest hosts and secrets); a block is `denied`, anything else that failed is `failed`.
pub struct GateHttp(pub Arc<Gate>);

#[async_trait]
impl HttpHost for GateHttp {
    async fn fetch(&self, ctx: &CallContext, request: HttpRequest) -> Result<HttpResponse, HostError> {
        let caller = Caller {
            job_id: ctx.job_id.clone(),
            agent_name: ctx.agent_name.clone(),
            code_hash: ctx.code_hash.0,
            hosts: ctx.capabilities.hosts.clone(),
            secrets: ctx.capabilities.secrets.clone(),
        };
        let outbound =
            OutboundRequest { method: request.method, url: request.url, headers: request.headers, body: request.body };
        match self.0.fetch(&caller, outbound).await {
            Ok(r) => Ok(HttpResponse { status: r.status, headers: r.headers, body: r.body, tags: r.tags }),
            Err(GateError::Blocked(blocked)) => Err(HostError::Denied(blocked.to_string())),
            Err(other) => Err(HostError::Failed(other.to_string())),
        }
    }
}

/// Log lines scanned with the vault's detector before they are written to `tracing`; a line with
/// a secret is written redacted and its leak kept for the test to inspect.
pub struct ScannedLog {
    pub detector: Arc<LeakDetector>,
    pub leaks: Mutex<Vec<Leak>>,
}

impl LogSink for ScannedLog {
    fn write(&self, ctx: &CallContext, _level: LogLevel, message: &str) {
        let leaks = self.detector.scan_all(message.as_bytes());
        let line = String::from_utf8_lossy(&self.detector.redact(message.as_bytes())).into_owned();
        tracing::info!(target: "agent", agent = %ctx.agent_name, job = %ctx.job_id, "{line}");
        self.leaks.lock().unwrap().extend(leaks);
    }
}

/// One sandbox for the test binary (agents compile once into its in-memory cache).
pub fn sandbox() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| Sandbox::new(SandboxConfig::default()).unwrap())
}

/// Runs one job of the built-in agent `name` with the gate behind HTTP and `log` behind logging.
pub async fn run(name: &str, gate: Arc<Gate>, log: Arc<ScannedLog>, input: &[u8]) -> JobReport {
    let built = redoubt_agents::find(name).unwrap_or_else(|| panic!("no built-in agent {name}"));
    let package = AgentPackage::from_parts(built.manifest, built.component).unwrap();
    let agent = sandbox().load(package).unwrap();
    let host = HostServices { http: Arc::new(GateHttp(gate)), log, ..HostServices::local() };
    sandbox().run(&agent, "job-exfil", input, host).await
}
