//! Returns 2 MiB of output, twice the default output limit.

struct OutputBomb;

impl redoubt_sdk::Agent for OutputBomb {
    fn run(_input: Vec<u8>) -> Result<Vec<u8>, String> {
        Ok(vec![b'x'; 2 << 20])
    }
}

redoubt_sdk::export!(OutputBomb);
