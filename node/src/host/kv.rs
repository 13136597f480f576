//! The key-value store agents see, kept in the node's database and scoped by
//! agent name (an agent never sees another's keys).

use crate::node::Node;
use crate::store::StoreError;
use async_trait::async_trait;
use redoubt_sandbox::host::{CallContext, HostError, KvHost};
use std::sync::{Arc, Weak};

/// The database-backed store.
pub struct StoreKv {
    node: Weak<Node>,
}

impl StoreKv {
    /// The store of `node`.
    pub fn new(node: &Arc<Node>) -> StoreKv {
        StoreKv { node: Arc::downgrade(node) }
    }

    fn node(&self) -> Result<Arc<Node>, HostError> {
        self.node.upgrade().ok_or_else(|| HostError::Unavailable("the node is shutting down".into()))
    }
}

fn host_error(error: StoreError) -> HostError {
    match error {
        StoreError::Rejected(why) => HostError::Denied(why),
        other => HostError::Failed(other.to_string()),
    }
}

#[async_trait]
impl KvHost for StoreKv {
    async fn get(&self, ctx: &CallContext, key: String) -> Result<Option<Vec<u8>>, HostError> {
        self.node()?.store.kv_get(&ctx.agent_name, &key).map_err(host_error)
    }

    async fn set(&self, ctx: &CallContext, key: String, value: Vec<u8>) -> Result<(), HostError> {
        self.node()?.store.kv_set(&ctx.agent_name, &key, value).await.map_err(host_error)
    }

    async fn delete(&self, ctx: &CallContext, key: String) -> Result<(), HostError> {
        self.node()?.store.kv_delete(&ctx.agent_name, &key).await.map_err(host_error)
    }
}
