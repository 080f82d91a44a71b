//! The whole-history search on hand-written and simulated histories.

use super::*;
use crate::history::{OpId, Outcome};
use crate::kv::{Op, Reply};
use crate::network::random_between;
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

/// A small DSL for hand-written histories: each op with its call and return times.
struct H(History);

impl H {
    fn new() -> Self {
        H(History::keeping_all())
    }
    fn put(&mut self, c: u64, k: &str, v: &str, call: u64, ret: u64) -> OpId {
        let id = self.0.invoke(c, Op::put(k, v), call);
        self.0.complete(id, ret, Reply::Ok).unwrap();
        id
    }
    fn del(&mut self, c: u64, k: &str, call: u64, ret: u64) -> OpId {
        let id = self.0.invoke(c, Op::delete(k), call);
        self.0.complete(id, ret, Reply::Ok).unwrap();
        id
    }
    fn get(&mut self, c: u64, k: &str, seen: Option<&str>, call: u64, ret: u64) -> OpId {
        let id = self.0.invoke(c, Op::get(k), call);
        self.0
            .complete(id, ret, Reply::Value(seen.map(str::to_string)))
            .unwrap();
        id
    }
    fn put_unknown(&mut self, c: u64, k: &str, v: &str, call: u64) -> OpId {
        let id = self.0.invoke(c, Op::put(k, v), call);
        self.0.give_up(id, call + 1000, "timed out").unwrap();
        id
    }
    fn check(&self) -> CheckResult {
        check(&self.0)
    }
    fn violation(&self) -> Violation {
        match self.check() {
            CheckResult::Violation(v) => v,
            other => panic!("expected a violation, got {other:?}"),
        }
    }
}

#[test]
fn an_empty_history_is_linearizable() {
    assert_eq!(H::new().check(), CheckResult::Ok);
}

#[test]
fn sequential_reads_see_the_latest_write() {
    let mut h = H::new();
    h.get(1, "x", None, 0, 5);
    h.put(1, "x", "1", 10, 20);
    h.get(2, "x", Some("1"), 30, 40);
    h.put(2, "x", "2", 50, 60);
    h.get(1, "x", Some("2"), 70, 80);
    h.del(1, "x", 90, 95);
    h.get(2, "x", None, 100, 110);
    assert_eq!(h.check(), CheckResult::Ok);
}

#[test]
fn a_stale_read_is_a_violation() {
    let mut h = H::new();
    let w1 = h.put(1, "x", "1", 0, 10);
    let w2 = h.put(1, "x", "2", 20, 30);
    let r = h.get(2, "x", Some("1"), 40, 50);
    let v = h.violation();
    assert_eq!(v.key, "x");
    assert_eq!(v.blocked, r);
    assert_eq!(v.longest_prefix, vec![w1, w2]);
    assert_eq!(v.value_then.as_deref(), Some("2"));
    assert_eq!(v.operations(), vec![w1, w2, r]);
    assert!(
        v.explanation.contains("#2 c2 get x [40ms..50ms] \"1\""),
        "{}",
        v.explanation
    );
    assert!(
        v.explanation.contains("x is \"2\" at that point"),
        "{}",
        v.explanation
    );
}

#[test]
fn a_read_of_a_value_never_written_is_a_violation() {
    let mut h = H::new();
    h.put(1, "x", "1", 0, 10);
    h.get(2, "x", Some("7"), 20, 30);
    assert!(h.check().is_violation());
}

#[test]
fn a_read_concurrent_with_a_write_may_see_either_value() {
    for seen in [None, Some("1")] {
        let mut h = H::new();
        h.put(1, "x", "1", 0, 100);
        h.get(2, "x", seen, 10, 20);
        assert_eq!(h.check(), CheckResult::Ok, "{seen:?}");
    }
}

#[test]
fn once_a_concurrent_write_is_seen_it_cannot_be_unseen() {
    // Both reads overlap the write, but in real time the second read follows the first:
    // new-then-old is the classic non-linearizable pattern (a follower serving stale reads).
    let mut h = H::new();
    h.put(1, "x", "1", 0, 100);
    h.get(2, "x", Some("1"), 10, 20);
    let late = h.get(3, "x", None, 30, 40);
    let v = h.violation();
    assert_eq!(v.blocked, late);

    let mut ok = H::new();
    ok.put(1, "x", "1", 0, 100);
    ok.get(2, "x", None, 10, 20);
    ok.get(3, "x", Some("1"), 30, 40);
    assert_eq!(ok.check(), CheckResult::Ok);
}

#[test]
fn concurrent_writes_may_be_ordered_either_way_but_consistently() {
    let mut h = H::new();
    h.put(1, "x", "a", 0, 50);
    h.put(2, "x", "b", 10, 60);
    h.get(3, "x", Some("a"), 70, 80);
    h.get(4, "x", Some("a"), 90, 100);
    assert_eq!(h.check(), CheckResult::Ok);

    // Two readers after both writes disagree: no single order explains both.
    let mut bad = H::new();
    bad.put(1, "x", "a", 0, 50);
    bad.put(2, "x", "b", 10, 60);
    bad.get(3, "x", Some("a"), 70, 80);
    bad.get(4, "x", Some("b"), 90, 100);
    assert!(bad.check().is_violation());

    // Overlapping reads may flip between the values while the writes are still in progress.
    let mut flip = H::new();
    flip.put(1, "x", "a", 0, 100);
    flip.put(2, "x", "b", 0, 100);
    flip.get(3, "x", Some("a"), 10, 20);
    flip.get(3, "x", Some("b"), 30, 40);
    assert_eq!(flip.check(), CheckResult::Ok);
    flip.get(3, "x", Some("a"), 50, 60);
    assert!(
        flip.check().is_violation(),
        "a, b, a needs one write to take effect twice"
    );
}

#[test]
fn keys_are_independent() {
    let mut h = H::new();
    h.put(1, "x", "1", 0, 10);
    h.put(1, "y", "2", 20, 30);
    h.get(2, "x", Some("1"), 40, 50);
    h.get(2, "y", Some("2"), 40, 50);
    assert_eq!(h.check(), CheckResult::Ok);
    h.get(2, "y", None, 60, 70);
    assert_eq!(h.violation().key, "y");
}

#[test]
fn an_unknown_write_may_take_effect_later_or_never() {
    let mut h = H::new();
    h.put(1, "x", "0", 0, 5);
    h.put_unknown(1, "x", "1", 10);
    h.get(2, "x", Some("0"), 2000, 2010);
    h.get(2, "x", Some("1"), 3000, 3010);
    assert_eq!(
        h.check(),
        CheckResult::Ok,
        "it took effect late, after its client gave up"
    );

    let mut never = H::new();
    never.put(1, "x", "0", 0, 5);
    never.put_unknown(1, "x", "1", 10);
    never.get(2, "x", Some("0"), 2000, 2010);
    assert_eq!(never.check(), CheckResult::Ok, "it never took effect");

    let mut undone = H::new();
    undone.put(1, "x", "0", 0, 5);
    undone.put_unknown(1, "x", "1", 10);
    undone.get(2, "x", Some("1"), 20, 30);
    undone.get(2, "x", Some("0"), 40, 50);
    assert!(
        undone.check().is_violation(),
        "an effect cannot be taken back"
    );

    let mut early = H::new();
    early.get(2, "x", Some("1"), 0, 5);
    early.put_unknown(1, "x", "1", 10);
    assert!(
        early.check().is_violation(),
        "nor happen before its invocation"
    );
}

#[test]
fn pending_writes_count_as_unknown_and_failed_ones_as_never() {
    let mut h = History::keeping_all();
    let w = h.invoke(1, Op::put("x", "1"), 0);
    let r = h.invoke(2, Op::get("x"), 10);
    h.complete(r, 20, Reply::Value(Some("1".into()))).unwrap();
    assert_eq!(
        check(&h),
        CheckResult::Ok,
        "the pending write explains the read"
    );
    h.fail(w, 30, "no leader").unwrap();
    assert!(check(&h).is_violation(), "a failed write explains nothing");
}

#[test]
fn unanswered_reads_constrain_nothing() {
    let mut h = History::keeping_all();
    let w = h.invoke(1, Op::put("x", "1"), 0);
    h.complete(w, 10, Reply::Ok).unwrap();
    h.invoke(2, Op::get("x"), 20);
    let r = h.invoke(3, Op::get("x"), 30);
    h.give_up(r, 40, "timed out").unwrap();
    assert_eq!(check(&h), CheckResult::Ok);
}

#[test]
fn same_millisecond_events_keep_their_recorded_order() {
    // The write is acknowledged, then (same millisecond) a read starts and sees nothing.
    let mut h = History::keeping_all();
    let w = h.invoke(1, Op::put("x", "1"), 0);
    h.complete(w, 10, Reply::Ok).unwrap();
    let r = h.invoke(2, Op::get("x"), 10);
    h.complete(r, 10, Reply::Value(None)).unwrap();
    assert!(check(&h).is_violation());

    // Recorded the other way round, the two overlap and the read may come first.
    let mut h = History::keeping_all();
    let w = h.invoke(1, Op::put("x", "1"), 0);
    let r = h.invoke(2, Op::get("x"), 10);
    h.complete(w, 10, Reply::Ok).unwrap();
    h.complete(r, 10, Reply::Value(None)).unwrap();
    assert_eq!(check(&h), CheckResult::Ok);
}

#[test]
fn the_search_gives_up_past_its_step_limit() {
    // Many concurrent writes and a read of a value none of them wrote: proving the violation
    // means trying (nearly) every subset of the writes.
    let mut h = H::new();
    for i in 0..16 {
        h.put(i, "x", &i.to_string(), 0, 100);
    }
    h.get(99, "x", Some("nope"), 200, 300);
    assert_eq!(
        check_operations(h.0.operations(), 5_000),
        CheckResult::Unknown {
            key: "x".into(),
            reason: "after 5000 steps".into()
        }
    );
    // A violation on another key is still reported.
    h.put(1, "z", "1", 0, 10);
    h.get(2, "z", Some("2"), 20, 30);
    assert_eq!(
        match check_operations(h.0.operations(), 5_000) {
            CheckResult::Violation(v) => v.key,
            other => panic!("{other:?}"),
        },
        "z"
    );
}

/// Histories of a real atomic register: each op takes effect at a random instant inside its
/// interval, replies come from applying them in that order.
fn simulated_register(seed: u64, ops: usize) -> History {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut planned = Vec::new();
    for i in 0..ops {
        let point = (i as u64) * 10 + random_between(&mut rng, 0, 9);
        let call = point.saturating_sub(random_between(&mut rng, 0, 40));
        let ret = point + random_between(&mut rng, 0, 40);
        let op = match random_between(&mut rng, 0, 4) {
            0 | 1 => Op::put("x", i.to_string()),
            2 => Op::delete("x"),
            _ => Op::get("x"),
        };
        planned.push((call, ret, op));
    }
    // Apply in linearization order (the points are increasing with i).
    let mut value: Option<String> = None;
    let mut replies = Vec::new();
    for (_, _, op) in &planned {
        replies.push(match op {
            Op::Put { value: v, .. } => {
                value = Some(v.clone());
                Reply::Ok
            }
            Op::Delete { .. } => {
                value = None;
                Reply::Ok
            }
            Op::Get { .. } => Reply::Value(value.clone()),
        });
    }
    // Record events in time order, as a live cluster would.
    let mut events: Vec<(u64, bool, usize)> = Vec::new();
    for (i, (call, ret, _)) in planned.iter().enumerate() {
        events.push((*call, false, i));
        events.push((*ret, true, i));
    }
    events.sort();
    let mut h = History::keeping_all();
    let mut ids = vec![0; ops];
    for (t, is_ret, i) in events {
        if is_ret {
            h.complete(ids[i], t, replies[i].clone()).unwrap();
        } else {
            ids[i] = h.invoke(i as u64 % 5, planned[i].2.clone(), t);
        }
    }
    h
}

#[test]
fn long_histories_of_a_real_register_pass_quickly() {
    for seed in 0..20 {
        let h = simulated_register(seed, 300);
        assert_eq!(
            check_operations(h.operations(), 200_000),
            CheckResult::Ok,
            "seed {seed}"
        );
    }
}

#[test]
fn a_corrupted_read_in_a_long_history_is_found() {
    let h = simulated_register(3, 300);
    let mut ops = h.operations().to_vec();
    let target = ops.iter().rposition(|o| o.op.is_read()).unwrap();
    if let Outcome::Completed { reply, .. } = &mut ops[target].outcome {
        *reply = Reply::Value(Some("bogus".into()));
    }
    match check_operations(&ops, 200_000) {
        CheckResult::Violation(v) => assert!(v.operations().contains(&target), "{v}"),
        other => panic!("{other:?}"),
    }
}
