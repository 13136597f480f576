//! Storage-deposit accounting: whoever makes the contract's state grow pays for the bytes from the deposit
//! they attached; the change goes back to them, and a call that attaches too little is refused.

use near_sdk::{AccountId, NearToken, Promise, env};
use std::fmt;

/// Price of `bytes` bytes of contract state (the protocol's storage staking price).
pub fn storage_cost(bytes: u64) -> NearToken {
    env::storage_byte_cost().saturating_mul(u128::from(bytes))
}

/// Watches the account's storage usage across one operation.
///
/// Collections in `near_sdk::store` cache writes until flushed: flush them before reading the meter.
#[derive(Debug, Clone, Copy)]
pub struct StorageMeter {
    start: u64,
}

impl StorageMeter {
    /// Starts measuring from the current usage.
    pub fn start() -> Self {
        Self { start: env::storage_usage() }
    }

    /// Bytes added since the start (0 if usage went down).
    pub fn grown(&self) -> u64 {
        env::storage_usage().saturating_sub(self.start)
    }

    /// Bytes released since the start (0 if usage went up).
    pub fn released(&self) -> u64 {
        self.start.saturating_sub(env::storage_usage())
    }

    /// Signed change in bytes since the start.
    pub fn delta(&self) -> i64 {
        env::storage_usage() as i64 - self.start as i64
    }
}

/// The deposit attached to a call does not cover what the call costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InsufficientDeposit {
    /// What the call needs (storage, plus any amount it locks).
    pub required: NearToken,
    /// What was attached.
    pub attached: NearToken,
}

impl fmt::Display for InsufficientDeposit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "attached deposit {} yoctoNEAR is less than the {} yoctoNEAR required",
            self.attached.as_yoctonear(),
            self.required.as_yoctonear()
        )
    }
}

impl std::error::Error for InsufficientDeposit {}

/// Takes `required` out of `attached` and returns the change, or refuses when `attached` is too small.
pub fn take_from_deposit(attached: NearToken, required: NearToken) -> Result<NearToken, InsufficientDeposit> {
    attached.checked_sub(required).ok_or(InsufficientDeposit { required, attached })
}

/// Sends `amount` to `to` (nothing when `amount` is zero).
pub fn refund(to: &AccountId, amount: NearToken) {
    if !amount.is_zero() {
        Promise::new(to.clone()).transfer(amount).detach();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use near_sdk::test_utils::VMContextBuilder;
    use near_sdk::testing_env;

    #[test]
    fn cost_is_bytes_times_price() {
        assert_eq!(storage_cost(100), NearToken::from_yoctonear(100 * 10u128.pow(19)));
        assert_eq!(storage_cost(0), NearToken::from_yoctonear(0));
    }

    #[test]
    fn deposit_short_by_one_yocto_is_refused() {
        let required = NearToken::from_millinear(5);
        assert_eq!(take_from_deposit(required, required), Ok(NearToken::from_yoctonear(0)));
        let short = NearToken::from_yoctonear(required.as_yoctonear() - 1);
        let err = take_from_deposit(short, required).unwrap_err();
        assert_eq!(err, InsufficientDeposit { required, attached: short });
        assert!(err.to_string().contains("less than the 5000000000000000000000 yoctoNEAR required"));
        assert_eq!(
            take_from_deposit(NearToken::from_near(1), required),
            Ok(NearToken::from_yoctonear(NearToken::from_near(1).as_yoctonear() - required.as_yoctonear()))
        );
    }

    #[test]
    fn meter_sees_writes_and_removals() {
        testing_env!(VMContextBuilder::new().build());
        let meter = StorageMeter::start();
        env::storage_write(b"key", &[0u8; 100]);
        assert_eq!(meter.grown(), 3 + 100 + 40, "key + value + the protocol's per-record overhead");
        assert_eq!(meter.released(), 0);
        let meter = StorageMeter::start();
        env::storage_remove(b"key");
        assert_eq!(meter.released(), 143);
        assert_eq!(meter.grown(), 0);
        assert_eq!(meter.delta(), -143);
    }
}
