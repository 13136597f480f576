//! Fetches the URL given as input (GET) through the node's egress gate and
//! returns the response body; a non-2xx status is an error. The host decides
//! whether the request may go out and injects any credential at the boundary:
//! the agent never sees it.

use redoubt_sdk::http;

struct HttpFetcher;

impl redoubt_sdk::Agent for HttpFetcher {
    fn run(input: Vec<u8>) -> Result<Vec<u8>, String> {
        let text = String::from_utf8(input).map_err(|_| "input must be a URL".to_string())?;
        let url = text.trim();
        let response = http::fetch(&redoubt_sdk::get(url)).map_err(|e| format!("fetching {url}: {e}"))?;
        for tag in &response.tags {
            redoubt_sdk::info(&format!("the host tagged the response: {tag}"));
        }
        if !(200..300).contains(&response.status) {
            return Err(format!("{url} answered HTTP {}", response.status));
        }
        Ok(response.body)
    }
}

redoubt_sdk::export!(HttpFetcher);
