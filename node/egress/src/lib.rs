//! The egress gate: the one path by which bytes leave the node on an agent's behalf, and the LLM client that goes through it.
