//! Allocates 1 MiB chunks and touches every page, without end.

struct MemoryBomb;

impl redoubt_sdk::Agent for MemoryBomb {
    fn run(_input: Vec<u8>) -> Result<Vec<u8>, String> {
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        loop {
            let mut chunk = vec![0u8; 1 << 20];
            for page in chunk.chunks_mut(4096) {
                page[0] = 0xA5;
            }
            hoard.push(std::hint::black_box(chunk));
        }
    }
}

redoubt_sdk::export!(MemoryBomb);
