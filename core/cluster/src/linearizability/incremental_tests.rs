//! The incremental checker against the whole-history search: the same verdicts on random
//! histories, checked after every event; and a cost per operation that does not grow with the
//! history.

use std::collections::BTreeSet;
use std::time::Instant;

use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

use super::*;
use crate::history::{OpId, Outcome, KEEP_FINISHED};
use crate::kv::{Op, Reply};
use crate::network::random_between;

/// An operation a random client has in flight.
struct Flight {
    id: OpId,
    op: Op,
    /// Never answered.
    stuck: bool,
    /// Whether it took effect, and for a read what it saw.
    done: Option<Option<String>>,
}

/// Random clients on a few registers, recorded as a live cluster would record them: in time
/// order, event by event. The registers are real (each operation takes effect at one instant
/// in its interval), so most histories are linearizable, except for the faults it injects:
/// stale and corrupted reads, writes reported failed that took effect, writes that take effect
/// long after their client gave up on them.
struct Gen {
    rng: ChaCha8Rng,
    h: History,
    now: u64,
    keys: Vec<String>,
    /// Each key's value, and every value it ever had (for stale reads).
    values: Vec<(Option<String>, Vec<Option<String>>)>,
    /// Per client: what it has in flight.
    clients: Vec<Option<Flight>>,
    /// Writes given up on without having taken effect: they may still take effect.
    zombies: Vec<Op>,
    /// Per cent chance of each fault, per chance it has to happen.
    fault: u64,
    /// Per cent chance that a client gives up on an operation (its outcome becomes unknown).
    give_up: u64,
    /// Per cent chance that an operation never gets an answer (pending to the end).
    stuck: u64,
    /// Steps left without new operations (so that the ones in flight can all end: a cut).
    draining: u64,
    next_value: u64,
}

impl Gen {
    fn new(seed: u64) -> Gen {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let keys = random_between(&mut rng, 1, 3) as usize;
        let clients = random_between(&mut rng, 1, 5) as usize;
        let fault = [0, 1, 3, 10][random_between(&mut rng, 0, 3) as usize];
        Gen {
            rng,
            h: History::new(),
            now: 0,
            keys: (0..keys).map(|k| format!("k{k}")).collect(),
            values: vec![(None, vec![None]); keys],
            clients: (0..clients).map(|_| None).collect(),
            zombies: Vec::new(),
            fault,
            give_up: 10,
            stuck: 1,
            draining: 0,
            next_value: 0,
        }
    }

    /// A steady, honest load on one key by three clients: every operation answered.
    fn steady(seed: u64) -> Gen {
        let mut g = Gen::new(seed);
        g.keys.truncate(1);
        g.values.truncate(1);
        g.clients = (0..3).map(|_| None).collect();
        (g.fault, g.give_up, g.stuck) = (0, 0, 0);
        g
    }

    fn chance(&mut self, percent: u64) -> bool {
        random_between(&mut self.rng, 1, 100) <= percent
    }

    fn pick(&mut self, n: usize) -> usize {
        random_between(&mut self.rng, 0, n as u64 - 1) as usize
    }

    fn key_index(&self, key: &str) -> usize {
        self.keys
            .iter()
            .position(|k| k == key)
            .expect("a generated key")
    }

    fn apply(&mut self, op: &Op) {
        let k = self.key_index(op.key());
        let v = match op {
            Op::Put { value, .. } => Some(value.clone()),
            Op::Delete { .. } => None,
            Op::Get { .. } => return,
        };
        self.values[k].0 = v.clone();
        self.values[k].1.push(v);
    }

    /// One step; returns the key of the event it recorded, if any, and whether the event
    /// finished an operation.
    fn step(&mut self) -> Option<(String, bool)> {
        self.now += random_between(&mut self.rng, 0, 3);
        if self.draining == 0 && self.chance(4) {
            self.draining = random_between(&mut self.rng, 5, 30);
        }
        let c = self.pick(self.clients.len());
        let action = random_between(&mut self.rng, 0, 5);
        if action == 0 && !self.zombies.is_empty() {
            // A write its client gave up on takes effect after all.
            let z = self.pick(self.zombies.len());
            let op = self.zombies.swap_remove(z);
            self.apply(&op);
            return None;
        }
        let flight = self.clients[c]
            .as_ref()
            .map(|f| (f.stuck, f.done.is_some()));
        match flight {
            None if self.draining > 0 => {
                self.draining -= 1;
                None
            }
            None if self.chance(60) => self.invoke(c).map(|k| (k, false)),
            None => None,
            Some((true, _)) => None,
            Some((false, false)) if action <= 2 => {
                self.take_effect(c);
                None
            }
            Some(_) => self.respond(c).map(|k| (k, true)),
        }
    }

    fn invoke(&mut self, c: usize) -> Option<String> {
        let k = self.pick(self.keys.len());
        let key = self.keys[k].clone();
        let op = match random_between(&mut self.rng, 0, 9) {
            0..=2 => {
                self.next_value += 1;
                Op::put(&key, format!("v{}", self.next_value))
            }
            // Values that repeat, so that different writes can explain a read.
            3 => Op::put(&key, ["a", "b"][self.pick(2)]),
            4 => Op::delete(&key),
            _ => Op::get(&key),
        };
        let id = self.h.invoke(c as u64, op.clone(), self.now);
        let stuck = self.chance(self.stuck);
        self.clients[c] = Some(Flight {
            id,
            op,
            stuck,
            done: None,
        });
        Some(key)
    }

    fn take_effect(&mut self, c: usize) {
        let Some(op) = self.clients[c].as_ref().map(|f| f.op.clone()) else {
            return;
        };
        let k = self.key_index(op.key());
        let seen = if !op.is_read() {
            self.apply(&op);
            None
        } else if self.chance(self.fault) {
            // A stale read (or, now and then, a value nobody wrote).
            if self.chance(30) {
                Some("bogus".to_string())
            } else {
                let old = self.values[k].1.clone();
                old[self.pick(old.len())].clone()
            }
        } else {
            self.values[k].0.clone()
        };
        if let Some(f) = self.clients[c].as_mut() {
            f.done = Some(seen);
        }
    }

    fn respond(&mut self, c: usize) -> Option<String> {
        let f = self.clients[c].take()?;
        let key = f.op.key().to_string();
        let now = self.now;
        match f.done {
            Some(seen) => {
                if self.chance(self.give_up) {
                    self.h.give_up(f.id, now, "timed out").unwrap();
                } else if !f.op.is_read() && self.chance(self.fault) {
                    // It took effect, but the client is told it did not.
                    self.h.fail(f.id, now, "lost").unwrap();
                } else if f.op.is_read() {
                    self.h.complete(f.id, now, Reply::Value(seen)).unwrap();
                } else {
                    self.h.complete(f.id, now, Reply::Ok).unwrap();
                }
            }
            None if self.chance(self.give_up * 3) => {
                self.h.give_up(f.id, now, "timed out").unwrap();
                if !f.op.is_read() && self.chance(50) {
                    self.zombies.push(f.op);
                }
            }
            None if self.chance(30) => self.h.fail(f.id, now, "refused").unwrap(),
            None => {
                // Not yet: it takes effect now and answers later.
                self.clients[c] = Some(f);
                self.take_effect(c);
                return None;
            }
        }
        Some(key)
    }
}

/// Steps allowed to either search, per key: the random histories are small.
const LIMIT: u64 = 200_000;

/// What the comparison saw, to make sure it saw enough of each case.
#[derive(Debug, Default)]
struct Seen {
    ok: u64,
    violations: u64,
    /// First violations with nothing folded and no open write: explained exactly as the
    /// whole-history search does.
    same_explanation: u64,
    /// First violations found after a cut.
    after_a_cut: u64,
    /// Either search could not conclude.
    unknown: u64,
    /// Checks after which the key had a frontier with operations folded, with writes of
    /// unknown outcome carried, with several endings.
    folded: u64,
    carried: u64,
    several: u64,
}

/// After an event on `key`: the incremental verdict must be the whole-history one.
fn compare(
    seed: u64,
    inc: &mut Incremental,
    h: &History,
    key: &str,
    violated: &mut BTreeSet<String>,
    seen: &mut Seen,
) {
    assert_eq!(h.dropped(), 0, "the reference needs the whole history");
    let whole: Vec<Operation> = h
        .operations()
        .iter()
        .filter(|o| o.op.key() == key)
        .cloned()
        .collect();
    let expected = check_operations(&whole, LIMIT);
    let before = inc.key_stats(key);
    let got = inc.check(h, key);
    let dump = || {
        let lines: Vec<String> = whole.iter().map(|o| format!("  {o}")).collect();
        format!("seed {seed}, key {key}:\n{}", lines.join("\n"))
    };
    match (&expected, &got) {
        (CheckResult::Unknown { .. }, _) | (_, CheckResult::Unknown { .. }) => seen.unknown += 1,
        (CheckResult::Ok, CheckResult::Ok) => seen.ok += 1,
        (CheckResult::Violation(e), CheckResult::Violation(g)) => {
            seen.violations += 1;
            assert_eq!(e.key, g.key);
            let first = violated.insert(key.to_string());
            // It names operations of the key, the blocked one in its text.
            let ids: Vec<OpId> = whole.iter().map(|o| o.id).collect();
            assert!(g.operations().iter().all(|id| ids.contains(id)), "{g:?}");
            assert!(g.explanation.contains(&format!("#{} ", g.blocked)), "{g}");
            // The first time (later, the verdict is the one kept from then).
            if let (Some(((folded, _, _), _)), true) = (before, first) {
                let open = whole.iter().any(|o| {
                    !o.op.is_read()
                        && matches!(o.outcome, Outcome::Pending | Outcome::Unknown { .. })
                });
                if folded == 0 && !open {
                    assert_eq!(e, g, "{}", dump());
                    seen.same_explanation += 1;
                } else if folded > 0 {
                    seen.after_a_cut += 1;
                    assert!(g.explanation.contains("earlier operations"), "{g}");
                }
            }
        }
        _ => panic!(
            "{}\nthe whole-history search says {expected:?}\nthe incremental one says {got:?}",
            dump()
        ),
    }
    if let Some(((folded, carried, endings), _)) = inc.key_stats(key) {
        seen.folded += u64::from(folded > 0);
        seen.carried += u64::from(carried > 0);
        seen.several += u64::from(endings > 1);
    }
}

/// Random histories compared; `LIN_SEEDS=N` compares more (`LIN_FIRST_SEED` moves them).
const HISTORIES: u64 = 2000;

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

#[test]
fn the_incremental_checker_agrees_with_the_whole_history_search() {
    let mut seen = Seen::default();
    let first = env_u64("LIN_FIRST_SEED").unwrap_or(0);
    let count = env_u64("LIN_SEEDS").unwrap_or(HISTORIES);
    for seed in first..first + count {
        let mut g = Gen::new(seed);
        let mut inc = Incremental::new(LIMIT);
        let steps = random_between(&mut g.rng, 20, 250);
        let mut unknown = false;
        let mut violated = BTreeSet::new();
        for _ in 0..steps {
            let Some((key, _)) = g.step() else { continue };
            let before = seen.unknown;
            compare(seed, &mut inc, &g.h, &key, &mut violated, &mut seen);
            unknown |= seen.unknown > before;
        }
        // All keys at once: the same first violating key (when no key was inconclusive,
        // which could hide a violation on one side only).
        if !unknown {
            let expected = check_operations(g.h.operations(), LIMIT);
            let got = inc.check_all(&g.h);
            match (&expected, &got) {
                (CheckResult::Violation(e), CheckResult::Violation(g)) => assert_eq!(e.key, g.key),
                (CheckResult::Unknown { .. }, _) | (_, CheckResult::Unknown { .. }) => {}
                (e, g) => assert_eq!(e, g, "seed {seed}"),
            }
        }
    }
    eprintln!("{seen:?}");
    // Enough of every case (figures for the default seeds, which are far above these).
    let n = count.min(HISTORIES);
    assert!(seen.ok > n * 5, "{seen:?}");
    assert!(seen.violations > n / 2, "{seen:?}");
    assert!(seen.same_explanation > n / 200, "{seen:?}");
    assert!(seen.after_a_cut > n / 20, "{seen:?}");
    assert!(seen.folded > n * 5, "{seen:?}");
    assert!(seen.carried > n, "{seen:?}");
    assert!(seen.several > n / 2, "{seen:?}");
    assert!(seen.unknown * 100 < seen.ok + seen.violations, "{seen:?}");
}

/// What checking a steady load cost.
struct Run {
    checks: u64,
    steps: u64,
    wall: std::time::Duration,
    /// The most operations kept after the cut, and in the history.
    max_window: usize,
    max_kept: usize,
}

impl Run {
    fn steps_per_check(&self) -> f64 {
        self.steps as f64 / self.checks as f64
    }
}

/// A steady load of `ops` operations on one register through a bounded history, checked after
/// every finished operation as the cluster does.
fn steady_run(ops: usize) -> Run {
    let mut g = Gen::steady(7);
    let mut inc = Incremental::default();
    let mut run = Run {
        checks: 0,
        steps: 0,
        wall: std::time::Duration::ZERO,
        max_window: 0,
        max_kept: 0,
    };
    while g.h.total() < ops {
        let Some((key, true)) = g.step() else {
            continue;
        };
        let started = Instant::now();
        let r = inc.check(&g.h, &key);
        run.wall += started.elapsed();
        assert!(r.is_ok(), "{r:?}");
        run.checks += 1;
        run.max_window = run.max_window.max(inc.window_len());
        run.max_kept = run.max_kept.max(g.h.len());
    }
    run.steps = inc.steps();
    run
}

#[test]
fn the_work_per_operation_does_not_grow_with_the_history() {
    let small = steady_run(1_000);
    let large = steady_run(100_000);
    for r in [&small, &large] {
        eprintln!(
            "{} checks: {:.1} search steps and {:.2} µs per check; at most {} operations after the cut, {} in the history",
            r.checks,
            r.steps_per_check(),
            r.wall.as_secs_f64() * 1e6 / r.checks as f64,
            r.max_window,
            r.max_kept
        );
    }
    // Steps, not wall time: a shared machine's timing says nothing. A whole-history check
    // would do a hundred times more per check at the end of the long run.
    assert!(
        large.steps_per_check() <= small.steps_per_check() * 1.5,
        "{} vs {}",
        large.steps_per_check(),
        small.steps_per_check()
    );
    assert!(large.max_window < 100, "{}", large.max_window);
    assert!(large.max_kept <= KEEP_FINISHED + KEEP_FINISHED / 8 + 3);
}
