//! Speed limits: one token bucket per direction, shared by every worker of every connection
//! of the process, so "1 MiB/s down" is the total whatever the parallel transfers. Workers
//! account the bytes each block moved and sleep what the bucket says; the limit can change
//! while transfers run (the window's settings). TCP's flow control carries a slow reader's
//! pace back to the server.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A limit in bytes per second; 0: none.
#[derive(Debug, Default)]
pub struct SpeedLimit {
    bytes_per_second: AtomicU64,
    bucket: Mutex<Bucket>,
}

#[derive(Debug, Default)]
struct Bucket {
    /// Bytes that may go without waiting (negative: owed).
    tokens: f64,
    last: Option<Instant>,
}

/// How much may go at once after a pause: a quarter of a second's worth.
const BURST_SECONDS: f64 = 0.25;

/// The longest single sleep: a stop request or a changed limit is noticed within it.
const MAX_SLEEP: Duration = Duration::from_millis(100);

impl SpeedLimit {
    /// A limit of `bytes_per_second` (0: none).
    pub fn new(bytes_per_second: u64) -> SpeedLimit {
        let limit = SpeedLimit::default();
        limit.set(bytes_per_second);
        limit
    }

    /// Changes the limit (0: none); transfers running follow it from their next block.
    pub fn set(&self, bytes_per_second: u64) {
        self.bytes_per_second
            .store(bytes_per_second, Ordering::Relaxed);
    }

    /// The limit in bytes per second (0: none).
    pub fn get(&self) -> u64 {
        self.bytes_per_second.load(Ordering::Relaxed)
    }

    /// Accounts `bytes` moved at `now`: how long to wait before moving more.
    fn take_at(&self, bytes: u64, now: Instant) -> Duration {
        let limit = self.get();
        if limit == 0 {
            return Duration::ZERO;
        }
        let rate = limit as f64;
        let Ok(mut bucket) = self.bucket.lock() else {
            return Duration::ZERO;
        };
        let elapsed = bucket.last.map_or(0.0, |last| {
            now.saturating_duration_since(last).as_secs_f64()
        });
        bucket.last = Some(now);
        bucket.tokens = (bucket.tokens + elapsed * rate).min(rate * BURST_SECONDS) - bytes as f64;
        if bucket.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-bucket.tokens / rate)
        }
    }

    /// Accounts `bytes` just moved and sleeps as long as the limit asks (in short steps, so
    /// `stop` and a raised limit take effect at once).
    pub(crate) fn pace(&self, bytes: u64, stop: &AtomicBool) {
        let mut wait = self.take_at(bytes, Instant::now());
        while !wait.is_zero() && !stop.load(Ordering::Relaxed) {
            let step = wait.min(MAX_SLEEP);
            std::thread::sleep(step);
            wait -= step;
            if self.get() == 0 {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_lets_a_burst_through_then_paces_at_the_limit() {
        let limit = SpeedLimit::new(1000);
        let t0 = Instant::now();
        // The first block starts the clock; a second of data costs a second.
        assert_eq!(limit.take_at(0, t0), Duration::ZERO);
        let wait = limit.take_at(1000, t0);
        assert!((wait.as_secs_f64() - 1.0).abs() < 1e-9, "{wait:?}");
        // A second later the debt is paid: a quarter second's burst goes free.
        let t1 = t0 + Duration::from_secs(2);
        assert_eq!(limit.take_at(250, t1), Duration::ZERO);
        // Unlimited: never waits.
        limit.set(0);
        assert_eq!(limit.take_at(1 << 30, t1), Duration::ZERO);
    }
}
