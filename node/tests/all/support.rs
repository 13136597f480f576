//! Running the real `redoubt` binary: one-shot commands, and a daemon on a
//! free loopback port with a client that speaks its API.

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
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
    let mut child = Command::new(env!("CARGO_BIN_EXE_redoubt"))
        .args(args)
        .env_remove("REDOUBT_HOME")
        .env_remove("RUST_LOG")
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running the redoubt binary");
    if let Some(bytes) = stdin {
        child.stdin.take().expect("piped stdin").write_all(bytes).expect("writing stdin");
    }
    let output = child.wait_with_output().expect("waiting for redoubt");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

impl Run {
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
        Daemon::start(self.path().to_owned(), self.token())
    }
}

/// A running `redoubt node` process.
pub struct Daemon {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The bearer token.
    pub token: String,
}

impl Daemon {
    fn start(home: PathBuf, token: String) -> Daemon {
        let mut child = Command::new(env!("CARGO_BIN_EXE_redoubt"))
            .args(["node", "--home", home.to_str().expect("UTF-8 path")])
            .env_remove("REDOUBT_HOME")
            .env("RUST_LOG", "error")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting redoubt node");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().expect("the daemon prints its address").expect("reading the daemon's stdout");
        let base = first.rsplit(' ').next().expect("an address").to_owned();
        assert!(base.starts_with("http://127.0.0.1:"), "{first}");
        // Keep draining stdout so the daemon never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Daemon { child, base, token }
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
