//! Group commit: one thread owns redb's single write transaction and commits
//! the operations that queued up while the previous commit was syncing, all
//! at once. Each caller's future resolves only after the commit that holds
//! its operation is durable, so many concurrent jobs share one fsync.
//!
//! Contract for an operation: it must return a [`StoreError::Rejected`]
//! before its first write (check, then write). A storage error aborts the
//! whole group: nothing of it is committed and every caller gets the error.

use super::StoreError;
use redb::{Database, Durability, WriteTransaction};
use std::sync::Arc;
use std::sync::mpsc;
use tokio::sync::oneshot;

/// What the writer does with an operation's result once the group commit is known.
type Completion = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

/// An operation applied to the group's transaction.
struct Applied {
    complete: Completion,
    /// The operation failed with a storage error: the group must not commit.
    storage_failure: bool,
}

/// One queued operation.
type Operation = Box<dyn FnOnce(&WriteTransaction) -> Applied + Send>;

/// The most operations committed together.
const MAX_GROUP: usize = 512;

/// A handle to the writer thread.
#[derive(Clone)]
pub(crate) struct Writer {
    queue: mpsc::Sender<Operation>,
}

impl Writer {
    /// Starts the writer thread for `db`.
    pub(crate) fn start(db: Arc<Database>) -> std::io::Result<Writer> {
        let (queue, operations) = mpsc::channel::<Operation>();
        std::thread::Builder::new().name("redoubt-store-writer".into()).spawn(move || run(&db, &operations))?;
        Ok(Writer { queue })
    }

    /// Runs `operation` in a write transaction and waits until it is durable.
    pub(crate) async fn write<T, F>(&self, operation: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&WriteTransaction) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<Result<T, StoreError>>();
        let op: Operation = Box::new(move |txn| match operation(txn) {
            Ok(value) => Applied {
                complete: Box::new(move |committed| {
                    let _ = reply.send(committed.map(|()| value));
                }),
                storage_failure: false,
            },
            Err(error) => Applied {
                storage_failure: error.is_storage(),
                complete: Box::new(move |_| {
                    let _ = reply.send(Err(error));
                }),
            },
        });
        self.queue.send(op).map_err(|_| StoreError::Unavailable)?;
        // A dropped reply means the group never started (the database failed).
        answer.await.map_err(|_| StoreError::Unavailable)?
    }
}

/// The writer loop: take what is queued, apply it in one transaction, commit, answer.
fn run(db: &Database, operations: &mpsc::Receiver<Operation>) {
    while let Ok(first) = operations.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match operations.try_recv() {
                Ok(next) => group.push(next),
                Err(_) => break,
            }
        }
        commit_group(db, group);
    }
}

fn commit_group(db: &Database, group: Vec<Operation>) {
    let mut txn = match db.begin_write() {
        Ok(txn) => txn,
        Err(error) => return tracing::error!(%error, "store: cannot begin a write transaction"),
    };
    if let Err(error) = txn.set_durability(Durability::Immediate) {
        return tracing::error!(%error, "store: cannot make the write transaction durable");
    }
    let applied: Vec<Applied> = group.into_iter().map(|op| op(&txn)).collect();
    let outcome = if applied.iter().any(|a| a.storage_failure) {
        drop(txn.abort());
        Err(StoreError::GroupAborted)
    } else {
        txn.commit().map_err(StoreError::storage)
    };
    for op in applied {
        (op.complete)(outcome.clone());
    }
}
