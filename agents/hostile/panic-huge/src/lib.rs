//! Panics with a 16 MiB message: the panic hook writes it to stderr, which is
//! capped at the job's log limit.

struct PanicHuge;

impl redoubt_sdk::Agent for PanicHuge {
    fn run(_input: Vec<u8>) -> Result<Vec<u8>, String> {
        let message = "A".repeat(16 << 20);
        panic!("{}", std::hint::black_box(message));
    }
}

redoubt_sdk::export!(PanicHuge);
