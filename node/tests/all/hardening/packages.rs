//! A package directory is the package author's: `redoubt agent install DIR`
//! reads only regular files in it, within a cap, never through a link, never
//! blocking on a FIFO, and never echoes a file that failed to parse (neither
//! the CLI nor the API's answer).

use crate::support::{Run, TestHome, redoubt_within};
use base64::Engine;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Longer than any refusal takes; a reader blocked on a FIFO is killed here.
const LIMIT: Duration = Duration::from_secs(20);

/// A package directory under `root` holding the built-in echo agent.
fn echo_package(root: &Path, name: &str) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir(&dir).unwrap();
    let agent = redoubt_agents::find("echo").expect("the echo agent");
    std::fs::write(dir.join("manifest.toml"), agent.manifest).unwrap();
    std::fs::write(dir.join("agent.wasm"), agent.component).unwrap();
    dir
}

fn install(home: &TestHome, api: &str, package: &Path) -> Run {
    let args = ["agent", "install", package.to_str().unwrap(), "--home", home.arg(), "--api", api];
    tokio::task::block_in_place(|| redoubt_within(&args, LIMIT))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spoiled_packages_are_refused_promptly_by_name_and_the_token_is_never_printed() {
    let home = TestHome::new("");
    let daemon = home.start();
    let token = home.token();
    let work = tempfile::tempdir().unwrap();
    let echo = redoubt_agents::find("echo").unwrap();
    let outside_wasm = work.path().join("elsewhere.wasm");
    std::fs::write(&outside_wasm, echo.component).unwrap();

    type Spoil = Box<dyn Fn(&Path)>;
    let token_file = home.path().join("api-token");
    let cases: Vec<(&str, Spoil, &str)> = vec![
        (
            "manifest linked to the API token",
            Box::new(move |dir| link(&token_file, &dir.join("manifest.toml"))),
            "manifest.toml is a symbolic link",
        ),
        (
            "component linked outside",
            Box::new(move |dir| link(&outside_wasm, &dir.join("agent.wasm"))),
            "agent.wasm is a symbolic link",
        ),
        ("manifest as a FIFO", Box::new(|dir| mkfifo(&dir.join("manifest.toml"))), "manifest.toml is a FIFO"),
        (
            "manifest as a directory",
            Box::new(|dir| {
                std::fs::remove_file(dir.join("manifest.toml")).unwrap();
                std::fs::create_dir(dir.join("manifest.toml")).unwrap();
            }),
            "manifest.toml is a directory",
        ),
        (
            "oversized manifest",
            Box::new(|dir| {
                let padding = "# padding\n".repeat(7_000);
                std::fs::write(dir.join("manifest.toml"), format!("{}{padding}", echo.manifest)).unwrap();
            }),
            "manifest.toml is larger than the cap of 65536 bytes",
        ),
    ];
    for (i, (case, spoil, expected)) in cases.iter().enumerate() {
        let package = echo_package(work.path(), &format!("case-{i}"));
        spoil(&package);
        let started = Instant::now();
        let run = install(&home, &daemon.base, &package);
        assert!(started.elapsed() < LIMIT, "{case}: the install blocked");
        assert_eq!(run.code, Some(2), "{case}\n--- stdout\n{}--- stderr\n{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(expected), "{case}: {}", run.stderr);
        assert!(!run.stdout.contains(&token) && !run.stderr.contains(&token), "{case}: the token was printed");
    }

    let good = echo_package(work.path(), "good");
    install(&home, &daemon.base, &good).exits(0);
    let agents = daemon.client().get("/v1/agents").await;
    assert_eq!(agents.as_array().unwrap().len(), 1, "only the good package was installed: {agents}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manifest_that_fails_to_parse_is_not_echoed_by_the_api() {
    let home = TestHome::new("");
    let daemon = home.start();
    let token = home.token();
    let echo = redoubt_agents::find("echo").unwrap();
    let body = json!({
        "manifest": format!("{token}\n"),
        "component_base64": base64::engine::general_purpose::STANDARD.encode(echo.component),
    });
    let (status, answer) = daemon.client().post("/v1/agents", &body).await;
    assert_eq!(status, 422, "{answer}");
    let text = answer.to_string();
    assert!(text.contains("line 1, column"), "{text}");
    assert!(!text.contains(&token[..16]), "the manifest's text was echoed: {text}");
}

fn link(target: &Path, at: &Path) {
    std::fs::remove_file(at).unwrap();
    std::os::unix::fs::symlink(target, at).unwrap();
}

fn mkfifo(at: &Path) {
    std::fs::remove_file(at).unwrap();
    let made = std::process::Command::new("mkfifo").arg(at).status().expect("running mkfifo");
    assert!(made.success(), "mkfifo {}", at.display());
}
