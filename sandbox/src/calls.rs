//! The host calls an agent makes, registered on the linker by hand rather
//! than through the generated bindings: those lift every `list<u8>` and
//! `string` argument into an owned copy before the host sees it, so a call
//! far over its limit would still cost its full size in host memory. Here
//! each argument is lifted lazily ([`WasmList`], [`WasmStr`]): its length is
//! checked against the job's limit while it is still in guest memory, and
//! only then copied. A call over its limit stops the job with that limit's
//! error and copies nothing.
//!
//! Strings are checked as the guest's UTF-8 (what Rust and wit-bindgen
//! guests use); a guest declaring UTF-16 strings has them transcoded by
//! wasmtime before the check.

use crate::bindings::redoubt::agent::{delegate, http, llm};
use crate::host::{HostError, LogLevel};
use crate::job_state::JobState;
use crate::limits::{LimitExceeded, LimitKind, Limits};
use crate::manifest::Interface;
use wasmtime::StoreContextMut;
use wasmtime::component::{ComponentType, Lift, Linker, LinkerInstance, WasmList, WasmStr};

/// What each list element counts against a limit on top of its contents (the
/// pointer pair it takes in guest memory), so a list of a million empty
/// strings is not free.
const ELEMENT_BYTES: u64 = 8;

/// `http.request`, lifted lazily.
#[derive(ComponentType, Lift)]
#[component(record)]
struct RequestArg {
    method: WasmStr,
    url: WasmStr,
    headers: WasmList<(WasmStr, WasmStr)>,
    body: WasmList<u8>,
}

/// `llm.completion-request`, lifted lazily.
#[derive(ComponentType, Lift)]
#[component(record)]
struct CompletionArg {
    model: Option<WasmStr>,
    messages: WasmList<MessageArg>,
    #[component(name = "max-tokens")]
    max_tokens: Option<u32>,
}

/// `llm.message`, lifted lazily.
#[derive(ComponentType, Lift)]
#[component(record)]
struct MessageArg {
    role: llm::Role,
    content: WasmStr,
}

/// `delegate.delegation`, lifted lazily.
#[derive(ComponentType, Lift)]
#[component(record)]
struct DelegationArg {
    capability: WasmStr,
    input: WasmList<u8>,
    #[component(name = "max-price-micros")]
    max_price_micros: u64,
}

/// Adds the host interface `interface` to `linker`.
pub(crate) fn add_to_linker(linker: &mut Linker<JobState>, interface: Interface) -> wasmtime::Result<()> {
    let name = format!("{}/{}@{}", crate::WIT_PACKAGE, interface.name(), crate::WIT_VERSION);
    let mut instance = linker.instance(&name)?;
    match interface {
        Interface::Http => add_http(&mut instance),
        Interface::Llm => add_llm(&mut instance),
        Interface::Log => add_log(&mut instance),
        Interface::Kv => add_kv(&mut instance),
        Interface::Delegate => add_delegate(&mut instance),
        // Types only: the empty instance is all there is.
        Interface::Types => Ok(()),
    }
}

type Instance<'a> = LinkerInstance<'a, JobState>;

fn add_http(instance: &mut Instance<'_>) -> wasmtime::Result<()> {
    instance.func_wrap_async("fetch", |mut store: StoreContextMut<'_, JobState>, (req,): (RequestArg,)| {
        Box::new(async move {
            store.data_mut().meter.charge_host_call(LimitKind::HttpCalls)?;
            let mut read = Reader::new(&mut store, LimitKind::RequestBytes);
            let request = http::Request {
                method: read.text(&req.method)?,
                url: read.text(&req.url)?,
                headers: read.list(&req.headers, |read, (name, value)| Ok((read.text(&name)?, read.text(&value)?)))?,
                body: read.bytes(&req.body)?,
            };
            let state = store.data();
            Ok::<_, wasmtime::Error>((state.host.http.clone().fetch(&state.ctx, request).await,))
        })
    })
}

fn add_llm(instance: &mut Instance<'_>) -> wasmtime::Result<()> {
    instance.func_wrap_async("complete", |mut store: StoreContextMut<'_, JobState>, (req,): (CompletionArg,)| {
        Box::new(async move {
            store.data_mut().meter.charge_host_call(LimitKind::LlmCalls)?;
            let mut read = Reader::new(&mut store, LimitKind::RequestBytes);
            let request = llm::CompletionRequest {
                model: req.model.as_ref().map(|model| read.text(model)).transpose()?,
                messages: read.list(&req.messages, |read, message| {
                    Ok(llm::Message { role: message.role, content: read.text(&message.content)? })
                })?,
                max_tokens: req.max_tokens,
            };
            let state = store.data();
            Ok::<_, wasmtime::Error>((state.host.llm.clone().complete(&state.ctx, request).await,))
        })
    })
}

fn add_log(instance: &mut Instance<'_>) -> wasmtime::Result<()> {
    instance.func_wrap_async(
        "write",
        |mut store: StoreContextMut<'_, JobState>, (level, message): (LogLevel, WasmStr)| {
            Box::new(async move {
                // Counted before the copy: a line over the job's log limits copies nothing.
                let bytes = message.to_str(&store)?.len();
                store.data_mut().meter.charge_log_line(bytes)?;
                let message = message.to_str(&store)?.into_owned();
                let state = store.data();
                state.host.log.write(&state.ctx, level, &message);
                Ok::<_, wasmtime::Error>(())
            })
        },
    )
}

fn add_kv(instance: &mut Instance<'_>) -> wasmtime::Result<()> {
    instance.func_wrap_async("get", |mut store: StoreContextMut<'_, JobState>, (key,): (WasmStr,)| {
        Box::new(async move {
            store.data_mut().meter.charge_host_call(LimitKind::KvCalls)?;
            let key = Reader::new(&mut store, LimitKind::KvBytes).text(&key)?;
            let state = store.data();
            Ok::<_, wasmtime::Error>((state.host.kv.clone().get(&state.ctx, key).await,))
        })
    })?;
    instance.func_wrap_async(
        "set",
        |mut store: StoreContextMut<'_, JobState>, (key, value): (WasmStr, WasmList<u8>)| {
            Box::new(async move {
                store.data_mut().meter.charge_host_call(LimitKind::KvCalls)?;
                let key = Reader::new(&mut store, LimitKind::KvBytes).text(&key)?;
                let value = Reader::new(&mut store, LimitKind::KvBytes).bytes(&value)?;
                let state = store.data();
                Ok::<_, wasmtime::Error>((state.host.kv.clone().set(&state.ctx, key, value).await,))
            })
        },
    )?;
    instance.func_wrap_async("delete", |mut store: StoreContextMut<'_, JobState>, (key,): (WasmStr,)| {
        Box::new(async move {
            store.data_mut().meter.charge_host_call(LimitKind::KvCalls)?;
            let key = Reader::new(&mut store, LimitKind::KvBytes).text(&key)?;
            let state = store.data();
            Ok::<_, wasmtime::Error>((state.host.kv.clone().delete(&state.ctx, key).await,))
        })
    })
}

fn add_delegate(instance: &mut Instance<'_>) -> wasmtime::Result<()> {
    instance.func_wrap_async("hire", |mut store: StoreContextMut<'_, JobState>, (req,): (DelegationArg,)| {
        Box::new(async move {
            store.data_mut().meter.charge_host_call(LimitKind::DelegateCalls)?;
            let mut read = Reader::new(&mut store, LimitKind::RequestBytes);
            let request = delegate::Delegation {
                capability: read.text(&req.capability)?,
                input: read.bytes(&req.input)?,
                max_price_micros: req.max_price_micros,
            };
            Ok::<_, wasmtime::Error>((hire(store.data_mut(), request).await,))
        })
    })
}

/// `delegate.hire` against what is left of the job's delegation budget.
async fn hire(state: &mut JobState, request: delegate::Delegation) -> Result<delegate::DelegationResult, HostError> {
    let reserved = request.max_price_micros;
    if reserved > state.delegate_budget_left {
        return Err(HostError::LimitExceeded(format!(
            "max-price-micros {reserved} is above what is left of this job's delegate budget ({})",
            state.delegate_budget_left
        )));
    }
    state.delegate_budget_left -= reserved;
    let result = state.host.delegate.clone().hire(&state.ctx, request).await;
    // Give back what was reserved but not spent; a worker that charged more
    // than the reservation is the delegate host's error to report, and the
    // budget stays spent.
    let spent = result.as_ref().map_or(0, |r| r.price_micros.min(reserved));
    state.delegate_budget_left += reserved - spent;
    result
}

/// Copies one call's arguments out of guest memory, each only once the
/// call's running total, with it, is within the limit of `kind`.
struct Reader<'s, 'a> {
    store: &'s mut StoreContextMut<'a, JobState>,
    kind: LimitKind,
    total: u64,
}

impl<'s, 'a> Reader<'s, 'a> {
    fn new(store: &'s mut StoreContextMut<'a, JobState>, kind: LimitKind) -> Self {
        Reader { store, kind, total: 0 }
    }

    /// A string, copied once its length is within the limit.
    fn text(&mut self, text: &WasmStr) -> wasmtime::Result<String> {
        let Reader { store, kind, total } = self;
        let text = text.to_str(&**store)?;
        charge(total, *kind, store.data().meter.limits(), text.len() as u64)?;
        Ok(text.into_owned())
    }

    /// Bytes, copied once their length is within the limit.
    fn bytes(&mut self, bytes: &WasmList<u8>) -> wasmtime::Result<Vec<u8>> {
        let Reader { store, kind, total } = self;
        charge(total, *kind, store.data().meter.limits(), bytes.len() as u64)?;
        Ok(bytes.as_le_slice(&**store).to_vec())
    }

    /// A list, each element lifted (lazily) and read by `read` in turn, once
    /// the element count is within the limit.
    fn list<T: Lift, U>(
        &mut self,
        list: &WasmList<T>,
        mut read: impl FnMut(&mut Self, T) -> wasmtime::Result<U>,
    ) -> wasmtime::Result<Vec<U>> {
        let overhead = (list.len() as u64).saturating_mul(ELEMENT_BYTES);
        charge(&mut self.total, self.kind, self.store.data().meter.limits(), overhead)?;
        let mut items = Vec::with_capacity(list.len());
        for index in 0..list.len() {
            let item = list.get(&mut *self.store, index).expect("the index is below the list's length")?;
            items.push(read(self, item)?);
        }
        Ok(items)
    }
}

/// Adds `bytes` to `total`; past the limit of `kind`, the job stops.
fn charge(total: &mut u64, kind: LimitKind, limits: &Limits, bytes: u64) -> wasmtime::Result<()> {
    *total = total.saturating_add(bytes);
    match limits.get(kind) {
        Some(limit) if *total > limit => Err(wasmtime::Error::new(LimitExceeded::of(kind, limits))),
        _ => Ok(()),
    }
}
