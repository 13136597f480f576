//! Carries 5 MiB of data so that the component is larger than the operator's
//! default component size limit (4 MiB).

static BALLAST: [u8; 5 << 20] = [0xA5; 5 << 20];

struct Oversize;

impl redoubt_sdk::Agent for Oversize {
    fn run(input: Vec<u8>) -> Result<Vec<u8>, String> {
        let index = input.len() % BALLAST.len();
        Ok(vec![std::hint::black_box(&BALLAST)[index]])
    }
}

redoubt_sdk::export!(Oversize);
