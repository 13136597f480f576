#!/usr/bin/env bash
# Installs what building Redoubt needs on a fresh machine: the WebAssembly targets
# (agents build for wasm32-wasip2, NEAR contracts for wasm32-unknown-unknown).
set -euo pipefail
rustup target add wasm32-wasip2 wasm32-unknown-unknown
