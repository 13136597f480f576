//! Returns its input unchanged: the smallest useful agent.

struct Echo;

impl redoubt_sdk::Agent for Echo {
    fn run(input: Vec<u8>) -> Result<Vec<u8>, String> {
        Ok(input)
    }
}

redoubt_sdk::export!(Echo);
