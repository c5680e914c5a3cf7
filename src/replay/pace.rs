//! `--rate`: a token bucket that hands out one send time per record.

use std::time::{Duration, Instant};

/// How far behind schedule the pacer may fall and then catch up at full
/// speed: lets high rates survive the timer's millisecond granularity while
/// keeping bursts short.
const BURST: Duration = Duration::from_millis(50);

#[derive(Debug)]
pub struct Pacer {
    /// Time between two records; None when unlimited.
    interval: Option<Duration>,
    /// The earliest time the next record may go.
    next: Instant,
}

impl Pacer {
    /// `rate`: records per second, None for unlimited.
    pub fn new(rate: Option<f64>, now: Instant) -> Self {
        Pacer {
            interval: rate.map(|r| Duration::from_secs_f64(1.0 / r)),
            next: now,
        }
    }

    /// When the next record may be sent (at or before `now`: at once).
    pub fn reserve(&mut self, now: Instant) -> Instant {
        let Some(interval) = self.interval else {
            return now;
        };
        let earliest = now.checked_sub(BURST).unwrap_or(now);
        let slot = self.next.max(earliest);
        self.next = slot + interval;
        slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlimited_never_waits() {
        let t = Instant::now();
        let mut p = Pacer::new(None, t);
        assert!((0..1000).all(|_| p.reserve(t) == t));
    }

    #[test]
    fn spaces_records_by_the_interval() {
        let t = Instant::now() + BURST;
        let mut p = Pacer::new(Some(10.0), t);
        let slots: Vec<Instant> = (0..5).map(|_| p.reserve(t)).collect();
        let gaps: Vec<Duration> = slots.windows(2).map(|w| w[1] - w[0]).collect();
        assert_eq!(slots[0], t);
        assert!(
            gaps.iter().all(|g| *g == Duration::from_millis(100)),
            "{gaps:?}"
        );
    }

    #[test]
    fn after_a_pause_catches_up_only_by_the_burst() {
        let t = Instant::now() + BURST;
        let mut p = Pacer::new(Some(1000.0), t);
        p.reserve(t);
        let later = t + Duration::from_secs(10);
        // Behind schedule: the next 50 records (50 ms at 1000/s) go at once.
        let immediate = (0..100).take_while(|_| p.reserve(later) <= later).count();
        assert_eq!(immediate, 51);
    }
}
