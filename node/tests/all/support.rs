//! Running the real `redoubt` binary: one-shot commands, and a daemon on a
//! free loopback port with a client that speaks its API.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A finished `redoubt` process.
pub struct Run {
    /// Its exit code.
    pub code: Option<i32>,
    /// What it printed on stdout.
    pub stdout: String,
    /// What it printed on stderr.
    pub stderr: String,
}

/// Runs `redoubt ARGS` with no ambient node home or log filter.
pub fn redoubt(args: &[&str]) -> Run {
    redoubt_with_stdin(args, None)
}

/// Runs `redoubt ARGS`, feeding `stdin` when given.
pub fn redoubt_with_stdin(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut child = command(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .spawn()
        .expect("running the redoubt binary");
    if let Some(bytes) = stdin {
        child.stdin.take().expect("piped stdin").write_all(bytes).expect("writing stdin");
    }
    Run::of(child.wait_with_output().expect("waiting for redoubt"))
}

/// Runs `redoubt ARGS` like [`redoubt`], but kills it after `limit`: a run
/// that did not end in time has no exit code.
pub fn redoubt_within(args: &[&str], limit: Duration) -> Run {
    let mut child = command(args).stdin(Stdio::null()).spawn().expect("running the redoubt binary");
    let start = Instant::now();
    while child.try_wait().expect("polling redoubt").is_none() && start.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    Run::of(child.wait_with_output().expect("waiting for redoubt"))
}

/// `redoubt ARGS` with no ambient node home or log filter and plain logs, its output piped.
fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_redoubt"));
    command.args(args).env_remove("REDOUBT_HOME").env_remove("RUST_LOG").env("NO_COLOR", "1");
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    command
}

impl Run {
    fn of(output: std::process::Output) -> Run {
        Run {
            code: output.status.code(),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }

    /// Asserts the exit code, showing the output when it differs.
    pub fn exits(self, code: i32) -> Run {
        assert_eq!(self.code, Some(code), "exit code\n--- stdout\n{}--- stderr\n{}", self.stdout, self.stderr);
        self
    }

    /// Stdout as the one JSON object it must be.
    pub fn json(&self) -> Value {
        let value: Value = serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout));
        assert!(value.is_object(), "{value}");
        value
    }
}

/// A node home made by `redoubt init`, with a config for tests.
pub struct TestHome {
    dir: tempfile::TempDir,
}

impl TestHome {
    /// `redoubt init` in a new temporary directory, then `extra_config` appended to config.toml.
    pub fn new(extra_config: &str) -> TestHome {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let home = dir.path().to_str().expect("UTF-8 path");
        redoubt(&["init", "--home", home, "--json"]).exits(0);
        let config = format!("[api]\nlisten = \"127.0.0.1:0\"\n{extra_config}");
        std::fs::write(dir.path().join("config.toml"), config).expect("writing config.toml");
        TestHome { dir }
    }

    /// The home directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The home directory as an argument.
    pub fn arg(&self) -> &str {
        self.dir.path().to_str().expect("UTF-8 path")
    }

    /// The API token.
    pub fn token(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("api-token")).expect("the API token").trim().to_owned()
    }

    /// Starts `redoubt node` on this home.
    pub fn start(&self) -> Daemon {
        Daemon::start(self.path().to_owned(), self.token(), &[], "error", Stderr::Inherit)
    }

    /// Starts `redoubt node ARGS` with `RUST_LOG=rust_log`, its stderr a pipe kept for [`Daemon::stderr`].
    pub fn start_logged(&self, args: &[&str], rust_log: &str) -> Daemon {
        Daemon::start(self.path().to_owned(), self.token(), args, rust_log, Stderr::Keep)
    }

    /// Starts `redoubt node` on this home with warnings logged to the file `log`.
    pub fn start_logged_to(&self, log: &Path) -> Daemon {
        let file = std::fs::File::create(log).expect("creating the daemon's log file");
        Daemon::start(self.path().to_owned(), self.token(), &[], "warn", Stderr::File(file))
    }
}

/// Where a daemon's stderr goes.
enum Stderr {
    /// The test's own stderr.
    Inherit,
    /// A pipe, kept for [`Daemon::stderr`].
    Keep,
    /// A file.
    File(std::fs::File),
}

/// A running `redoubt node` process.
pub struct Daemon {
    child: Child,
    stderr: Option<Arc<Mutex<Vec<u8>>>>,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The bearer token.
    pub token: String,
}

impl Daemon {
    fn start(home: PathBuf, token: String, args: &[&str], rust_log: &str, stderr: Stderr) -> Daemon {
        let mut child = Command::new(env!("CARGO_BIN_EXE_redoubt"))
            .args(["node", "--home", home.to_str().expect("UTF-8 path")])
            .args(args)
            .env_remove("REDOUBT_HOME")
            .env("RUST_LOG", rust_log)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(match stderr {
                Stderr::Inherit => Stdio::inherit(),
                Stderr::Keep => Stdio::piped(),
                Stderr::File(file) => Stdio::from(file),
            })
            .spawn()
            .expect("starting redoubt node");
        let stderr = child.stderr.take().map(|mut pipe| {
            let kept = Arc::new(Mutex::new(Vec::new()));
            let sink = kept.clone();
            std::thread::spawn(move || {
                let mut chunk = [0u8; 4096];
                while let Ok(read @ 1..) = pipe.read(&mut chunk) {
                    sink.lock().unwrap().extend_from_slice(&chunk[..read]);
                }
            });
            kept
        });
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().expect("the daemon prints its address").expect("reading the daemon's stdout");
        let base = first.rsplit(' ').next().expect("an address").to_owned();
        assert!(base.starts_with("http://127.0.0.1:"), "{first}");
        // Keep draining stdout so the daemon never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Daemon { child, stderr, base, token }
    }

    /// What the daemon wrote on stderr so far (started with [`TestHome::start_logged`]).
    pub fn stderr(&self) -> Vec<u8> {
        self.stderr.as_ref().expect("started with start_logged").lock().unwrap().clone()
    }

    /// The API's address.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.base.trim_start_matches("http://").parse().expect("a socket address")
    }

    /// An authorized client.
    pub fn client(&self) -> Client {
        Client { base: self.base.clone(), token: Some(self.token.clone()), http: reqwest::Client::new() }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process with SIGKILL: no shutdown, no flushing.
    pub fn kill_9(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaping the daemon");
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP client of the API.
#[derive(Clone)]
pub struct Client {
    /// The base URL.
    pub base: String,
    /// The bearer token, if any.
    pub token: Option<String>,
    /// The HTTP client.
    pub http: reqwest::Client,
}

impl Client {
    /// A request with the token, if any.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// GET, expecting success, as JSON.
    pub async fn get(&self, path: &str) -> Value {
        let response = self.request(reqwest::Method::GET, path).send().await.expect("GET");
        assert!(response.status().is_success(), "GET {path}: {}", response.status());
        response.json().await.expect("JSON")
    }

    /// POST JSON, returning status and body.
    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self.request(reqwest::Method::POST, path).json(body).send().await.expect("POST");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Installs a built-in agent, with its own manifest or `manifest`.
    pub async fn install(&self, name: &str, manifest: Option<&str>) {
        use base64::Engine;
        let agent = redoubt_agents::find(name).expect("a built-in agent");
        let body = serde_json::json!({
            "manifest": manifest.unwrap_or(agent.manifest),
            "component_base64": base64::engine::general_purpose::STANDARD.encode(agent.component),
        });
        let (status, answer) = self.post("/v1/agents", &body).await;
        assert_eq!(status, 201, "installing {name}: {answer}");
    }

    /// Submits a job and waits for it to end.
    pub async fn run(&self, agent: &str, input: &str) -> Value {
        let (status, job) =
            self.post("/v1/jobs?wait=true", &serde_json::json!({ "agent": agent, "input": input })).await;
        assert!(status == 200, "{agent}: {status} {job}");
        job
    }

    /// A job's output as text.
    pub async fn output(&self, id: u64) -> String {
        let response = self.request(reqwest::Method::GET, &format!("/v1/jobs/{id}/output")).send().await.expect("GET");
        assert!(response.status().is_success(), "output of job {id}: {}", response.status());
        response.text().await.expect("text")
    }

    /// Polls job `id` until `done` holds (or the deadline passes).
    pub async fn until(&self, id: u64, deadline: Duration, done: impl Fn(&Value) -> bool) -> Value {
        let start = Instant::now();
        loop {
            let job = self.get(&format!("/v1/jobs/{id}")).await;
            if done(&job) || start.elapsed() > deadline {
                return job;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// An HTTP server on 127.0.0.1 taking alert webhooks at `/hook`, and the key file that signs them.
pub struct WebhookReceiver {
    /// Its port.
    pub port: u16,
    key_dir: tempfile::TempDir,
    /// Each delivery's headers and body.
    pub received: tokio::sync::mpsc::UnboundedReceiver<(axum::http::HeaderMap, Vec<u8>)>,
}

impl WebhookReceiver {
    /// Starts the server; the node signs with `key`.
    pub async fn start(key: &[u8]) -> WebhookReceiver {
        let key_dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(key_dir.path().join("webhook.key"), key).expect("writing the webhook key");
        use axum::routing::post;
        let (deliveries, received) = tokio::sync::mpsc::unbounded_channel();
        let app = axum::Router::new().route(
            "/hook",
            post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let deliveries = deliveries.clone();
                async move {
                    let _ = deliveries.send((headers, body.to_vec()));
                    "ok"
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await });
        WebhookReceiver { port, key_dir, received }
    }

    /// The `[alerts]` section sending to this server.
    pub fn config(&self) -> String {
        format!(
            "[alerts]\nwebhook_url = \"http://127.0.0.1:{}/hook\"\nwebhook_key_file = \"{}\"\n",
            self.port,
            self.key_dir.path().join("webhook.key").display()
        )
    }

    /// The next delivery (panics after 20 s).
    pub async fn next(&mut self) -> (axum::http::HeaderMap, Vec<u8>) {
        tokio::time::timeout(Duration::from_secs(20), self.received.recv())
            .await
            .expect("the webhook was called")
            .expect("the server is running")
    }
}

/// Whether `bytes` hold `secret` raw, in base64 or in hex.
pub fn carries(bytes: &[u8], secret: &str) -> bool {
    use base64::Engine;
    let encodings = [
        secret.as_bytes().to_vec(),
        base64::engine::general_purpose::STANDARD.encode(secret).into_bytes(),
        hex::encode(secret).into_bytes(),
        hex::encode_upper(secret).into_bytes(),
    ];
    encodings.iter().any(|encoding| bytes.windows(encoding.len()).any(|w| w == encoding.as_slice()))
}

/// Asserts no file under `dir` holds `secret` in any of those encodings.
pub fn canary_scan(dir: &Path, secret: &str) {
    let mut files = vec![dir.to_path_buf()];
    let mut scanned = 0;
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        scanned += 1;
        assert!(!carries(&std::fs::read(&path).unwrap(), secret), "{} holds the secret", path.display());
    }
    assert!(scanned >= 5, "scanned {scanned} files");
}
