//! Recurses without end on the WebAssembly call stack itself.
//!
//! Rust keeps address-taken locals (arrays, `black_box` values) on a shadow
//! stack in linear memory; overflowing that is an ordinary out-of-bounds trap.
//! This recursion keeps its state in plain locals, live across the call, so
//! every frame lands on the engine's stack and the host's stack limit stops it.
//! The result mixes the callee's answer non-linearly so the compiler cannot
//! turn the recursion into a loop.

struct DeepRecursion;

/// Recursion without a base case is the point of this agent.
#[allow(unconditional_recursion)]
#[inline(never)]
fn descend(a: u64, b: u64, c: u64, d: u64) -> u64 {
    let (e, f, g, h) = (a ^ b, b.wrapping_mul(c), c.rotate_left(7), d.wrapping_add(a));
    let below = descend(b.wrapping_add(1), c, d, a);
    below.wrapping_mul(below) ^ e ^ f.wrapping_mul(g) ^ h
}

impl redoubt_sdk::Agent for DeepRecursion {
    fn run(input: Vec<u8>) -> Result<Vec<u8>, String> {
        let seed = input.len() as u64;
        Ok(descend(seed, seed + 1, seed + 2, seed + 3).to_le_bytes().to_vec())
    }
}

redoubt_sdk::export!(DeepRecursion);
