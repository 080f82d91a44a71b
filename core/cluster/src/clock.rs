//! Virtual time. The cluster never reads a wall clock: one virtual clock in milliseconds moves
//! only when the simulation says so, and each node ticks on its own interval against it. That is
//! what makes a run repeatable from its seed.

use serde::{Deserialize, Serialize};

/// Milliseconds of virtual time since the cluster started.
pub type Millis = u64;

/// A node's tick schedule: when its next Raft tick is due. A paused clock never ticks; a skewed
/// one ticks on a stretched or shrunk interval (what a drifting oscillator does to a real server).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TickTimer {
    /// Nominal time between ticks (etcd's raftexample uses 100 ms).
    pub interval: Millis,
    /// Percent of the nominal interval actually used: 100 is an accurate clock.
    pub rate_percent: u32,
    pub paused: bool,
    next_due: Millis,
}

impl TickTimer {
    pub fn new(interval: Millis, now: Millis) -> Self {
        TickTimer {
            interval,
            rate_percent: 100,
            paused: false,
            next_due: now + interval,
        }
    }

    /// The interval this clock really ticks at, never zero (a zero interval would tick forever).
    pub fn effective_interval(&self) -> Millis {
        (self.interval * u64::from(self.rate_percent) / 100).max(1)
    }

    /// When the next tick is due, or `None` while paused.
    pub fn next_due(&self) -> Option<Millis> {
        (!self.paused).then_some(self.next_due)
    }

    /// Consumes every tick due at or before `now` and returns how many there were.
    pub fn take_due(&mut self, now: Millis) -> u64 {
        if self.paused {
            return 0;
        }
        let mut ticks = 0;
        while self.next_due <= now {
            ticks += 1;
            self.next_due += self.effective_interval();
        }
        ticks
    }

    /// Pauses or resumes the clock. Resuming restarts the schedule from `now`: time that passed
    /// while paused is lost to the node, as it is to a process that was stopped.
    pub fn set_paused(&mut self, paused: bool, now: Millis) {
        if self.paused && !paused {
            self.next_due = now + self.effective_interval();
        }
        self.paused = paused;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_fall_due_on_the_interval() {
        let mut t = TickTimer::new(100, 0);
        assert_eq!(t.take_due(99), 0);
        assert_eq!(t.take_due(100), 1);
        assert_eq!(t.take_due(350), 2);
        assert_eq!(t.next_due(), Some(400));
    }

    #[test]
    fn a_paused_clock_does_not_tick_and_restarts_from_resume() {
        let mut t = TickTimer::new(100, 0);
        t.set_paused(true, 50);
        assert_eq!(t.take_due(1_000), 0);
        assert_eq!(t.next_due(), None);
        t.set_paused(false, 1_000);
        assert_eq!(t.take_due(1_099), 0);
        assert_eq!(t.take_due(1_100), 1);
    }

    #[test]
    fn a_fast_clock_ticks_more_often() {
        let mut t = TickTimer::new(100, 0);
        t.rate_percent = 50;
        t.take_due(100);
        assert_eq!(t.take_due(300), 4);
    }
}
