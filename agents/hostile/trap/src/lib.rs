//! Executes `unreachable`.

struct Trap;

impl redoubt_sdk::Agent for Trap {
    fn run(input: Vec<u8>) -> Result<Vec<u8>, String> {
        if std::hint::black_box(input.len()) < usize::MAX {
            core::arch::wasm32::unreachable();
        }
        Ok(input)
    }
}

redoubt_sdk::export!(Trap);
