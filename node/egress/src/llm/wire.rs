//! The OpenAI chat-completions wire format, as far as the client uses it. Unknown fields are
//! ignored (providers add their own); missing optional ones default.

use serde::{Deserialize, Serialize};

/// Who said a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Instructions to the model.
    System,
    /// The user's turn.
    User,
    /// The model's turn.
    Assistant,
}

/// One chat message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Who said it.
    pub role: Role,
    /// What was said.
    pub content: String,
}

/// The request body of `POST /chat/completions`.
#[derive(Serialize)]
pub(super) struct RequestBody<'a> {
    pub model: &'a str,
    pub messages: &'a [ChatMessage],
    pub max_tokens: u32,
    pub stream: bool,
}

/// A successful response body.
#[derive(Deserialize)]
pub(super) struct ResponseBody {
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub choices: Vec<Choice>,
    #[serde(default)]
    pub usage: Option<Usage>,
}

#[derive(Deserialize)]
pub(super) struct Choice {
    #[serde(default)]
    pub message: Option<AnswerMessage>,
}

#[derive(Deserialize)]
pub(super) struct AnswerMessage {
    #[serde(default)]
    pub content: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct Usage {
    #[serde(default)]
    pub prompt_tokens: u32,
    #[serde(default)]
    pub completion_tokens: u32,
}

/// An error response body: `{"error": {"message": "..."}}`.
#[derive(Deserialize)]
pub(super) struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Deserialize)]
pub(super) struct ErrorDetail {
    #[serde(default)]
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_serializes_as_the_api_expects() {
        let messages = [ChatMessage { role: Role::User, content: "hi".into() }];
        let body = RequestBody { model: "m", messages: &messages, max_tokens: 16, stream: false };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":16,"stream":false}"#
        );
    }

    #[test]
    fn responses_with_extra_and_missing_fields_parse() {
        let r: ResponseBody = serde_json::from_str(
            r#"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"ok","refusal":null},"finish_reason":"stop"}]}"#,
        )
        .unwrap();
        assert!(r.model.is_none() && r.usage.is_none());
        assert_eq!(r.choices[0].message.as_ref().unwrap().content.as_deref(), Some("ok"));
        let e: ErrorBody = serde_json::from_str(r#"{"error":{"message":"bad key","type":"auth","code":401}}"#).unwrap();
        assert_eq!(e.error.message, "bad key");
    }
}
