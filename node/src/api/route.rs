//! How logs and alerts name a request: by the route template it matched
//! (`/v1/secrets/{name}`), never by its raw path, which carries whatever the
//! caller typed (a secret pasted in place of a name, for one).

use axum::extract::{MatchedPath, Request};

/// The route template `request` matched, or `(no route)`.
pub fn template(request: &Request) -> String {
    request.extensions().get::<MatchedPath>().map_or("(no route)", MatchedPath::as_str).to_owned()
}
