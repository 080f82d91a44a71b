//! The search over a *window*: the operations of one key after a cut, starting from any of the
//! states the history before the cut can end in (its [`Frontier`](super::frontier::Frontier)).
//!
//! It is the same walk as the whole-history search (Wing & Gong, memoized as Lowe and
//! Porcupine do), with three differences:
//!
//! - It starts from several states, each with the set of carried-over unknown writes that
//!   already took effect in it; the memo is shared, since a configuration reached from two
//!   starts has the same futures.
//! - It can *enumerate*: collect every configuration in which all the window's completed
//!   operations took effect, rather than stop at the first. That is how a new frontier is
//!   computed.
//! - A write of unknown outcome (an "open" write) is never placed on its own: only right before
//!   a read that sees the value it wrote. Any linearization can be rewritten that way: an open
//!   write followed by another write, or by nothing, can be moved to "later" (never, or after
//!   the cut: it stays available) without changing any reply. So this loses no verdict, and it
//!   keeps the search from trying every subset of open writes at every point, which is what
//!   makes a frontier with dozens of unknown writes cheap. Which open write a read uses matters
//!   only through when each was invoked: the read takes the latest-invoked one that fits,
//!   leaving the ones that fit more future reads (an exchange argument).

use std::collections::BTreeSet;

use super::model::{Bitset, Effect, Instant, Links, State, NIL};
use crate::history::Operation;

/// One operation of a window search.
pub(super) struct Part<'a> {
    pub(super) op: &'a Operation,
    pub(super) effect: Effect,
    /// Its invocation; `None`: before the window (an unknown write carried over the cut).
    pub(super) call: Option<Instant>,
    /// Its completion; `None`: an open write (see the module docs).
    pub(super) ret: Option<Instant>,
}

/// A state to start from: the register's value and the carried-over writes (indexes into the
/// parts) that already took effect.
pub(super) struct Start {
    pub(super) state: State,
    pub(super) used: Vec<usize>,
}

/// What a search found.
pub(super) enum Found {
    /// (Find mode) Some order explains every reply.
    Linearizable,
    /// (Enumerate mode) Every reachable end: the state, and which open writes took effect.
    Ends(Vec<(State, Vec<usize>)>),
    /// No order explains the replies; the deepest point reached, for the explanation.
    Stuck(Deepest),
    /// The step budget ran out.
    OutOfSteps,
}

/// The deepest failure point of a search, in part indexes.
pub(super) struct Deepest {
    /// The start it came from.
    pub(super) start: usize,
    pub(super) prefix: Vec<usize>,
    pub(super) blocked: usize,
    pub(super) candidates: Vec<usize>,
    pub(super) state: State,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Find,
    Enumerate,
}

/// One invocation or completion in the time-ordered list.
struct Event {
    is_call: bool,
    op: usize,
}

/// A placement: the operation and, for a read, the open write placed right before it.
struct Frame {
    op: usize,
    partner: Option<usize>,
    before: State,
}

/// Searches `parts` from `starts`, spending at most `budget` steps (counted into `steps`).
pub(super) fn search(
    parts: &[Part],
    starts: &[Start],
    mode: Mode,
    budget: u64,
    steps: &mut u64,
) -> Found {
    let n = parts.len();
    let mut order: Vec<(Instant, bool, usize)> = Vec::with_capacity(2 * n);
    for (i, p) in parts.iter().enumerate() {
        // Same order as the whole-history search: calls before completions at an identical
        // instant (hand-made histories only).
        if let Some(call) = p.call {
            order.push((call, false, i));
        }
        if let Some(ret) = p.ret {
            order.push((ret, true, i));
        }
    }
    order.sort_unstable();
    let events: Vec<Event> = order
        .iter()
        .map(|&(_, is_ret, op)| Event {
            is_call: !is_ret,
            op,
        })
        .collect();
    // Positions in the event order; carried-over writes come before every event.
    let mut call_pos: Vec<Option<usize>> = vec![None; n];
    let mut ret_node = vec![NIL; n];
    for (node, e) in events.iter().enumerate() {
        if e.is_call {
            call_pos[e.op] = Some(node);
        } else {
            ret_node[e.op] = node;
        }
    }
    let mut links = Links::new(events.len());
    // Open writes are never walked to (they only go in front of a read), so they leave the
    // list for good, before any other removal: the undo order of the others stays exact.
    let open: Vec<usize> = (0..n).filter(|&i| parts[i].ret.is_none()).collect();
    for &i in &open {
        if let Some(node) = call_pos[i] {
            links.remove(node);
        }
    }

    let mut seen: BTreeSet<(Vec<u64>, State)> = BTreeSet::new();
    let mut ends: Vec<(State, Vec<usize>)> = Vec::new();
    let mut deepest: Option<Deepest> = None;
    for (s, start) in starts.iter().enumerate() {
        let mut placed = Bitset::new(n);
        for &u in &start.used {
            placed.set(u);
        }
        let mut state = start.state;
        if !seen.insert((placed.0.clone(), state)) {
            continue;
        }
        let mut stack: Vec<Frame> = Vec::new();
        let mut depth = 0;
        let mut node = links.first();
        loop {
            *steps += 1;
            if *steps > budget {
                return Found::OutOfSteps;
            }
            if node == NIL {
                // Walked the whole list without meeting a completion: every completed
                // operation took effect.
                if mode == Mode::Find {
                    return Found::Linearizable;
                }
                let used = open.iter().copied().filter(|&i| placed.get(i)).collect();
                ends.push((state, used));
            } else if events[node].is_call {
                let i = events[node].op;
                let placement = match parts[i].effect.step(state) {
                    Some(next) => Some((None, next)),
                    None => partner(parts, &open, &placed, &events, &links, &call_pos, i, node)
                        .map(|w| (Some(w), state_seen(parts[i].effect))),
                };
                if let Some((partner, next)) = placement {
                    placed.set(i);
                    if let Some(w) = partner {
                        placed.set(w);
                    }
                    if seen.insert((placed.0.clone(), next)) {
                        stack.push(Frame {
                            op: i,
                            partner,
                            before: state,
                        });
                        depth += 1 + usize::from(partner.is_some());
                        state = next;
                        links.remove(node);
                        links.remove(ret_node[i]);
                        node = links.first();
                        continue;
                    }
                    placed.clear(i);
                    if let Some(w) = partner {
                        placed.clear(w);
                    }
                }
                node = links.next[node];
                continue;
            } else if mode == Mode::Find && deepest.as_ref().is_none_or(|d| depth > d.prefix.len())
            {
                // This operation completed without having taken effect in the current order,
                // deeper in than any before.
                let b = events[node].op;
                let mut candidates = Vec::new();
                let mut c = links.first();
                while c != node {
                    if events[c].is_call && events[c].op != b {
                        candidates.push(events[c].op);
                    }
                    c = links.next[c];
                }
                let mut prefix = Vec::with_capacity(depth);
                for f in &stack {
                    prefix.extend(f.partner);
                    prefix.push(f.op);
                }
                deepest = Some(Deepest {
                    start: s,
                    prefix,
                    blocked: b,
                    candidates,
                    state,
                });
            }
            // Backtrack: take the last placement back and try what comes after it.
            let Some(f) = stack.pop() else { break };
            state = f.before;
            depth -= 1 + usize::from(f.partner.is_some());
            placed.clear(f.op);
            if let Some(w) = f.partner {
                placed.clear(w);
            }
            let call = call_pos[f.op].expect("a placed completed op has a call event");
            links.restore(ret_node[f.op]);
            links.restore(call);
            node = links.next[call];
        }
    }
    match mode {
        Mode::Enumerate => Found::Ends(ends),
        Mode::Find => Found::Stuck(deepest.expect("a failed search met a completion")),
    }
}

/// The state a read saw.
fn state_seen(effect: Effect) -> State {
    match effect {
        Effect::Get(seen) => seen,
        _ => unreachable!("only a read gets a partner"),
    }
}

/// The open write to place right before read `i` (at list node `node`) so that it sees its
/// value, if any fits: not yet placed, writing that value, and invoked before the first
/// completion still in the list (every operation that completed before it was invoked has
/// taken effect already). Of those, the latest invoked (see the module docs); among writes
/// carried over the cut, which are interchangeable, the first.
#[allow(clippy::too_many_arguments)]
fn partner(
    parts: &[Part],
    open: &[usize],
    placed: &Bitset,
    events: &[Event],
    links: &Links,
    call_pos: &[Option<usize>],
    i: usize,
    node: usize,
) -> Option<usize> {
    let Effect::Get(seen) = parts[i].effect else {
        return None;
    };
    let mut fitting = open
        .iter()
        .copied()
        .filter(|&w| !placed.get(w) && parts[w].effect.writes() == Some(seen))
        .peekable();
    fitting.peek()?;
    // The first completion still in the list (the read's own one at the latest).
    let mut first_ret = links.next[node];
    while first_ret != NIL && events[first_ret].is_call {
        first_ret = links.next[first_ret];
    }
    let mut best: Option<usize> = None;
    for w in fitting {
        let pos = call_pos[w];
        if pos.is_some_and(|p| p > first_ret) {
            continue;
        }
        if best.is_none_or(|b| pos > call_pos[b]) {
            best = Some(w);
        }
    }
    best
}
