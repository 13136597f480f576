//! Loops forever. Fuel stops it; with unlimited fuel, the wall-time deadline.

struct InfiniteLoop;

impl redoubt_sdk::Agent for InfiniteLoop {
    fn run(input: Vec<u8>) -> Result<Vec<u8>, String> {
        let mut state = input.len() as u64;
        loop {
            state = std::hint::black_box(state.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
    }
}

redoubt_sdk::export!(InfiniteLoop);
