//! `GET /v1/events`: the node's events as server-sent events (JSON data,
//! event name = the event's type). A slow client that falls too far behind
//! gets a `lagged` event saying how many it missed.

use super::AppState;
use axum::extract::State;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures::Stream;
use std::convert::Infallible;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

/// `GET /v1/events`
#[utoipa::path(get, path = "/v1/events", tag = "events", operation_id = "stream_events", security(("bearer" = [])),
    responses((status = 200, description = "text/event-stream of node events", content_type = "text/event-stream")))]
pub async fn stream(State(state): State<AppState>) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let events = BroadcastStream::new(state.node.events.subscribe()).map(|item| {
        Ok(match item {
            Ok(event) => {
                let json = serde_json::to_value(&event).unwrap_or_default();
                let name = json.get("type").and_then(|t| t.as_str()).unwrap_or("event").to_owned();
                SseEvent::default().event(name).data(json.to_string())
            }
            Err(BroadcastStreamRecvError::Lagged(missed)) => {
                SseEvent::default().event("lagged").data(missed.to_string())
            }
        })
    });
    Sse::new(events).keep_alive(KeepAlive::default())
}
