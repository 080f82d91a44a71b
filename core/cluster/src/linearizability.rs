//! Is the clients' history linearizable? That is: can every operation be given one instant
//! between its invocation and its completion at which it took effect, such that the replies are
//! those of a single key/value map applying the operations in that order?
//!
//! The search is Wing & Gong's, with Lowe's memoization, as Porcupine implements it:
//!
//! - The history is split by key: operations on different keys never constrain each other in a
//!   map, so each key is checked on its own (a much smaller search).
//! - The invocations and completions of a key's operations form one list in time order. The
//!   search walks it depth first: at an invocation it tries to let that operation take effect
//!   now (if the model agrees with its reply), removes it from the list and starts over from the
//!   head; at a completion it has hit an operation that had to take effect by now but did not,
//!   so it backtracks.
//! - Configurations already explored — the set of operations placed so far plus the model state
//!   — are remembered and never explored twice. That is what makes realistic histories cheap.
//!
//! Operations whose outcome the client never learned (pending, timed out) may take effect at any
//! time after their invocation, or not at all. Such a write gets a completion "at infinity", so
//! the search may place it anywhere after its invocation, including after everything else, which
//! is indistinguishable from never. Such a read constrains nothing and is left out, as are
//! operations known to have failed.
//!
//! The search is exponential in the worst case, so it counts its steps and answers
//! [`CheckResult::Unknown`] past a limit rather than hang the page.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::history::{History, OpId, Operation, Outcome};
use crate::kv::{Op, Reply};

/// Steps allowed per key before giving up.
pub const DEFAULT_STEP_LIMIT: u64 = 1_000_000;

/// The checker's verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckResult {
    /// Some order of the operations explains every reply.
    Ok,
    /// No order does, for the operations on one key.
    Violation(Violation),
    /// The search for one key ran out of steps before finding an answer.
    Unknown { key: String, steps: u64 },
}

impl CheckResult {
    pub fn is_ok(&self) -> bool {
        matches!(self, CheckResult::Ok)
    }

    pub fn is_violation(&self) -> bool {
        matches!(self, CheckResult::Violation(_))
    }
}

/// Why a key's operations are not linearizable, from the deepest point the search reached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub key: String,
    /// The longest order found in which operations could take effect consistently.
    pub longest_prefix: Vec<OpId>,
    /// An operation that had completed by then and so had to come next (or earlier), but whose
    /// reply the map could not give at any of those points.
    pub blocked: OpId,
    /// The other operations that could have taken effect next at that point (invoked, not yet
    /// placed); none of them leads to an explanation either.
    pub candidates: Vec<OpId>,
    /// The key's value after `longest_prefix` (`None`: absent).
    pub value_then: Option<String>,
    /// The same, in words, with the operations printed in full.
    pub explanation: String,
}

impl Violation {
    /// Every operation the violation names, in id order.
    pub fn operations(&self) -> Vec<OpId> {
        let mut ids: Vec<OpId> = self
            .longest_prefix
            .iter()
            .chain(&self.candidates)
            .copied()
            .collect();
        ids.push(self.blocked);
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.explanation)
    }
}

/// Checks a history with the default step limit.
pub fn check(history: &History) -> CheckResult {
    check_operations(history.operations(), DEFAULT_STEP_LIMIT)
}

/// Checks operations (as a [`History`] holds them; violations name them by their `id`),
/// spending at most `step_limit` search steps on each key. Keys are checked in order; the first
/// violation wins, and a violation on any key wins over running out of steps on another.
pub fn check_operations(ops: &[Operation], step_limit: u64) -> CheckResult {
    let mut by_key: BTreeMap<&str, Vec<&Operation>> = BTreeMap::new();
    for op in ops {
        by_key.entry(op.op.key()).or_default().push(op);
    }
    let mut unknown = None;
    for (key, key_ops) in by_key {
        match check_key(key, &key_ops, step_limit) {
            CheckResult::Ok => {}
            CheckResult::Unknown { key, steps } => {
                unknown.get_or_insert(CheckResult::Unknown { key, steps });
            }
            violation => return violation,
        }
    }
    unknown.unwrap_or(CheckResult::Ok)
}

/// A key's register state: the interned value, `None` for absent.
type State = Option<u32>;

/// What an operation does to the register, with values interned.
#[derive(Clone, Copy)]
enum Effect {
    Put(u32),
    Delete,
    /// A read that saw this state.
    Get(State),
}

impl Effect {
    /// The state after taking effect in `state`, or `None` if the reply contradicts it.
    fn step(self, state: State) -> Option<State> {
        match self {
            Effect::Put(v) => Some(Some(v)),
            Effect::Delete => Some(None),
            Effect::Get(seen) => (seen == state).then_some(state),
        }
    }
}

/// One invocation or completion in the time-ordered list.
struct Event {
    is_call: bool,
    /// Index into the key's op list.
    op: usize,
}

const NIL: usize = usize::MAX;

/// The event list with O(1) removal and re-insertion (Knuth's dancing links): removed nodes keep
/// their own links, and since removals are undone in reverse order, restoring is exact.
struct Links {
    next: Vec<usize>,
    prev: Vec<usize>,
    head: usize,
}

impl Links {
    fn new(n: usize) -> Self {
        // Node n is the head sentinel; nodes 0..n are the events in order.
        let mut next = vec![NIL; n + 1];
        let mut prev = vec![NIL; n + 1];
        let mut last = n;
        for (i, p) in prev.iter_mut().enumerate().take(n) {
            next[last] = i;
            *p = last;
            last = i;
        }
        Links {
            next,
            prev,
            head: n,
        }
    }

    fn first(&self) -> usize {
        self.next[self.head]
    }

    fn remove(&mut self, x: usize) {
        let (p, n) = (self.prev[x], self.next[x]);
        self.next[p] = n;
        if n != NIL {
            self.prev[n] = p;
        }
    }

    fn restore(&mut self, x: usize) {
        let (p, n) = (self.prev[x], self.next[x]);
        self.next[p] = x;
        if n != NIL {
            self.prev[n] = x;
        }
    }
}

struct Bitset(Vec<u64>);

impl Bitset {
    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    fn clear(&mut self, i: usize) {
        self.0[i / 64] &= !(1 << (i % 64));
    }
}

fn check_key(key: &str, ops: &[&Operation], step_limit: u64) -> CheckResult {
    // Intern values so the state and the memo stay small.
    let mut values: BTreeMap<String, u32> = BTreeMap::new();
    let mut intern = |v: &str| -> u32 {
        let next = values.len() as u32;
        *values.entry(v.to_string()).or_insert(next)
    };
    // The ops taking part, with their effect and the sort keys of their two events. Unknown
    // completions sort after every real event, in invocation order among themselves.
    let mut part: Vec<(&Operation, Effect)> = Vec::new();
    let mut times: Vec<((u64, u64), (u64, u64))> = Vec::new();
    for &op in ops {
        let ret = match &op.outcome {
            Outcome::Completed { at, seq, .. } => (*at, *seq),
            Outcome::Failed { .. } => continue,
            Outcome::Pending | Outcome::Unknown { .. } if op.op.is_read() => continue,
            Outcome::Pending | Outcome::Unknown { .. } => (u64::MAX, op.invoke_seq),
        };
        let effect = match (&op.op, op.reply()) {
            (Op::Put { value, .. }, _) => Effect::Put(intern(value)),
            (Op::Delete { .. }, _) => Effect::Delete,
            (Op::Get { .. }, Some(Reply::Value(v))) => Effect::Get(v.as_deref().map(&mut intern)),
            // A history refuses such replies; if one slips in, the read constrains nothing.
            (Op::Get { .. }, _) => continue,
        };
        part.push((op, effect));
        times.push(((op.invoked_at, op.invoke_seq), ret));
    }
    let n = part.len();
    let mut order: Vec<(u64, u64, bool, usize)> = Vec::with_capacity(2 * n);
    for (i, &(call, ret)) in times.iter().enumerate() {
        // Invocations sort before completions at an identical (time, seq), which only happens
        // for hand-made histories; it makes the two concurrent, the lenient reading.
        order.push((call.0, call.1, false, i));
        order.push((ret.0, ret.1, true, i));
    }
    order.sort_unstable();
    let events: Vec<Event> = order
        .iter()
        .map(|&(_, _, is_ret, op)| Event {
            is_call: !is_ret,
            op,
        })
        .collect();
    let mut call_node = vec![0; n];
    let mut ret_node = vec![0; n];
    for (node, e) in events.iter().enumerate() {
        if e.is_call {
            call_node[e.op] = node;
        } else {
            ret_node[e.op] = node;
        }
    }

    let mut links = Links::new(events.len());
    let mut placed = Bitset(vec![0; n.div_ceil(64)]);
    let mut state: State = None;
    let mut seen: BTreeSet<(Vec<u64>, State)> = BTreeSet::new();
    // Placed operations, each with the state before it.
    let mut stack: Vec<(usize, State)> = Vec::new();
    let mut deepest: Option<Deepest> = None;
    let mut steps = 0u64;
    let mut node = links.first();
    while node != NIL {
        steps += 1;
        if steps > step_limit {
            return CheckResult::Unknown {
                key: key.to_string(),
                steps: step_limit,
            };
        }
        let e = &events[node];
        if e.is_call {
            if let Some(next_state) = part[e.op].1.step(state) {
                placed.set(e.op);
                if seen.insert((placed.0.clone(), next_state)) {
                    stack.push((e.op, state));
                    state = next_state;
                    links.remove(call_node[e.op]);
                    links.remove(ret_node[e.op]);
                    node = links.first();
                    continue;
                }
                placed.clear(e.op);
            }
            node = links.next[node];
        } else {
            // This operation completed without having taken effect in the current order.
            if deepest
                .as_ref()
                .is_none_or(|d| stack.len() > d.prefix.len())
            {
                let mut candidates = Vec::new();
                let mut c = links.first();
                while c != node {
                    if events[c].is_call && events[c].op != e.op {
                        candidates.push(events[c].op);
                    }
                    c = links.next[c];
                }
                deepest = Some(Deepest {
                    prefix: stack.iter().map(|&(op, _)| op).collect(),
                    blocked: e.op,
                    candidates,
                    state,
                });
            }
            let Some((op, before)) = stack.pop() else {
                let d = deepest.expect("recorded just above");
                return CheckResult::Violation(explain(key, &part, &values, d));
            };
            state = before;
            placed.clear(op);
            links.restore(ret_node[op]);
            links.restore(call_node[op]);
            node = links.next[call_node[op]];
        }
    }
    CheckResult::Ok
}

/// The deepest failure point of the search, in the key's local op indexes.
struct Deepest {
    prefix: Vec<usize>,
    blocked: usize,
    candidates: Vec<usize>,
    state: State,
}

fn explain(
    key: &str,
    part: &[(&Operation, Effect)],
    values: &BTreeMap<String, u32>,
    d: Deepest,
) -> Violation {
    let value_then = d.state.and_then(|id| {
        values
            .iter()
            .find(|(_, &v)| v == id)
            .map(|(s, _)| s.to_string())
    });
    let id = |i: usize| part[i].0.id;
    let list = |ops: &[usize]| -> String {
        if ops.is_empty() {
            return "nothing".to_string();
        }
        ops.iter()
            .map(|&i| part[i].0.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let shown = match &value_then {
        Some(v) => format!("{v:?}"),
        None => "absent".to_string(),
    };
    let mut explanation = format!(
        "operations on key {key:?} are not linearizable.\n  longest consistent order: {}\n  \
         then {} had completed, but cannot take effect there ({key} is {shown} at that point)",
        list(&d.prefix),
        part[d.blocked].0,
    );
    if !d.candidates.is_empty() {
        explanation.push_str(&format!(
            ", nor after any of the concurrent operations that could go first: {}",
            list(&d.candidates)
        ));
    }
    Violation {
        key: key.to_string(),
        longest_prefix: d.prefix.iter().map(|&i| id(i)).collect(),
        blocked: id(d.blocked),
        candidates: d.candidates.iter().map(|&i| id(i)).collect(),
        value_then,
        explanation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::random_between;
    use rand_chacha::ChaCha8Rng;
    use rand_core::SeedableRng;

    /// A small DSL for hand-written histories: each op with its call and return times.
    struct H(History);

    impl H {
        fn new() -> Self {
            H(History::new())
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
        let mut h = History::new();
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
        let mut h = History::new();
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
        let mut h = History::new();
        let w = h.invoke(1, Op::put("x", "1"), 0);
        h.complete(w, 10, Reply::Ok).unwrap();
        let r = h.invoke(2, Op::get("x"), 10);
        h.complete(r, 10, Reply::Value(None)).unwrap();
        assert!(check(&h).is_violation());

        // Recorded the other way round, the two overlap and the read may come first.
        let mut h = History::new();
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
                steps: 5_000
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
        let mut h = History::new();
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
}
