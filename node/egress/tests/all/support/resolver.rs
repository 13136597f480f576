//! A scripted resolver: answers per name, in sequence (the last answer repeats), recording every
//! query, so tests can make DNS lie, change its mind, or fail.

use async_trait::async_trait;
use redoubt_egress::Resolve;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Answers by name; unknown names fail like NXDOMAIN.
#[derive(Default)]
pub struct ScriptedResolver {
    answers: Mutex<HashMap<String, Vec<Vec<IpAddr>>>>,
    queries: Mutex<Vec<String>>,
}

impl ScriptedResolver {
    /// `name` answers `addrs` (addresses as text) every time.
    pub fn answer(&self, name: &str, addrs: &[&str]) {
        self.script(name, &[addrs]);
    }

    /// `name` answers each list in turn, then keeps answering the last.
    pub fn script(&self, name: &str, answers: &[&[&str]]) {
        let parsed = answers.iter().map(|a| a.iter().map(|s| s.parse().unwrap()).collect()).collect();
        self.answers.lock().unwrap().insert(name.to_string(), parsed);
    }

    /// Every name asked, in order.
    pub fn queries(&self) -> Vec<String> {
        self.queries.lock().unwrap().clone()
    }
}

#[async_trait]
impl Resolve for ScriptedResolver {
    async fn resolve(&self, host: &str) -> std::io::Result<Vec<IpAddr>> {
        self.queries.lock().unwrap().push(host.to_string());
        let mut answers = self.answers.lock().unwrap();
        match answers.get_mut(host) {
            Some(list) if list.len() > 1 => Ok(list.remove(0)),
            Some(list) => Ok(list[0].clone()),
            None => Err(std::io::Error::new(std::io::ErrorKind::NotFound, "no such host (scripted)")),
        }
    }
}
