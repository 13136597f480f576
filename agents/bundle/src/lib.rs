//! The example and hostile agents, built for wasm32-wasip2 and embedded (filled by the sandbox issue).
