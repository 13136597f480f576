//! What the node's benchmarks share: a daemon on a free loopback port in a fresh home, with one
//! built-in agent installed, and a client for it.

use redoubt_node::client::ApiClient;
use redoubt_node::config::Config;
use redoubt_node::daemon::Running;
use redoubt_node::home::Home;
use redoubt_node::init::{InitOptions, init};

/// A node initialised in `dir` with the defaults, serving on 127.0.0.1, with the built-in agent
/// `agent` installed.
pub async fn node_with(dir: &std::path::Path, agent: &str) -> (Running, ApiClient) {
    let home = Home::at(dir);
    init(&home, InitOptions::default()).unwrap();
    let mut config = Config::default();
    config.api.listen = ([127, 0, 0, 1], 0).into();
    let running = redoubt_node::daemon::start(home.clone(), config).await.unwrap();
    let token = std::fs::read_to_string(home.api_token()).unwrap();
    let client = ApiClient::new(format!("http://{}", running.addr), token.trim());
    let built_in = redoubt_agents::find(agent).unwrap();
    client.install(built_in.manifest, built_in.component).await.unwrap();
    (running, client)
}
