//! The egress gate from the attacker's side: real servers on 127.0.0.1, a real vault, the real
//! hostile agent in the real sandbox. Every block is checked to reach the block sink with its
//! reason (and the secret's name where one is involved); every test ends with a canary check of
//! its temp dir, the captured logs and the job outputs (see `support::Env`).

mod support;

mod allowlist;
mod canary;
mod dns;
mod exfiltration;
mod headers;
mod injection;
mod limits;
mod llm;
mod prompt_injection;
mod redirects;
mod reflection;
mod tls;
mod url_forms;
