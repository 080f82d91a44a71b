//! The whole-history search: Wing & Gong's walk with Lowe's memoization, over every operation
//! of one key, as Porcupine does it. It is the specification: the incremental checker
//! ([`super::Incremental`]) is tested to reach exactly its verdicts.

use std::collections::BTreeSet;

use super::model::{Bitset, Effect, Interner, Links, State, NIL};
use super::verdict::{describe, CheckResult};
use crate::history::{Operation, Outcome};

/// One invocation or completion in the time-ordered list.
struct Event {
    is_call: bool,
    /// Index into the key's op list.
    op: usize,
}

pub(super) fn check_key(key: &str, ops: &[&Operation], step_limit: u64) -> CheckResult {
    let mut values = Interner::default();
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
        // A history refuses gets answered `ok`; if one slips in, the read constrains nothing.
        let Some(effect) = values.effect(op) else {
            continue;
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
    let mut placed = Bitset::new(n);
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
                reason: format!("after {step_limit} steps"),
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
                let ops = |ids: &[usize]| ids.iter().map(|&i| part[i].0).collect::<Vec<_>>();
                return CheckResult::Violation(describe(
                    key,
                    None,
                    &ops(&d.prefix),
                    part[d.blocked].0,
                    &ops(&d.candidates),
                    values.value(d.state),
                ));
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
