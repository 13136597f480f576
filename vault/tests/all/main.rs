//! Integration tests for redoubt-vault, written from the attacker's side.

mod canary;
mod concurrency;
mod crash;
mod deep_false_positives;
mod deep_forms;
mod encryption;
mod grants;
mod keys;
mod leak_encodings;
mod leak_properties;
mod leak_redaction;
mod support;
mod tamper;
