//! Integration tests of the redoubt binary, run as a real process.

mod verify_cli;
