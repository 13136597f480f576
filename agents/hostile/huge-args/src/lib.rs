//! Hands the host one huge argument, as its input (`WHAT MIB`) says:
//! `request` (an HTTP request body), `prompt` (an LLM prompt), `delegate` (a
//! delegation's input), `log` (a log line), `kv` (a key-value value), or just
//! `alloc` (allocates and touches that much). Each argument sits in the
//! agent's own memory; the host must refuse it without copying it.

use redoubt_sdk::{delegate, http, kv, llm, log};

struct HugeArgs;

impl redoubt_sdk::Agent for HugeArgs {
    fn run(input: Vec<u8>) -> Result<Vec<u8>, String> {
        let input = String::from_utf8(input).map_err(|_| "the input must be UTF-8".to_string())?;
        let (what, mib) = input.split_once(' ').ok_or("the input is `WHAT MIB`")?;
        let mib: usize = mib.trim().parse().map_err(|e| format!("MIB: {e}"))?;
        // Written, not just reserved: the pages are really in the agent's memory.
        let bytes = vec![b'x'; mib << 20];
        let answer = match what {
            "request" => {
                let request = http::Request {
                    method: "POST".into(),
                    url: "http://127.0.0.1/".into(),
                    headers: Vec::new(),
                    body: bytes,
                };
                format!("{:?}", http::fetch(&request).map(|r| r.status))
            }
            "prompt" => {
                let message = llm::Message { role: llm::Role::User, content: text(bytes)? };
                let request = llm::CompletionRequest { model: None, messages: vec![message], max_tokens: None };
                format!("{:?}", llm::complete(&request).map(|c| c.content.len()))
            }
            "delegate" => {
                let request = delegate::Delegation { capability: "anything".into(), input: bytes, max_price_micros: 0 };
                format!("{:?}", delegate::hire(&request).map(|r| r.output.len()))
            }
            "log" => {
                log::write(log::Level::Info, &text(bytes)?);
                "logged".into()
            }
            "kv" => format!("{:?}", kv::set("huge", &bytes)),
            "alloc" => format!("allocated {} bytes", std::hint::black_box(bytes).len()),
            other => return Err(format!("unknown argument {other:?}")),
        };
        Ok(format!("the host took it: {answer}").into_bytes())
    }
}

fn text(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

redoubt_sdk::export!(HugeArgs);
