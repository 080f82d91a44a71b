//! What both searches share: the register model of one key, value interning, and the two data
//! structures of the Wing & Gong walk (a bitset of placed operations and the event list).

use std::collections::BTreeMap;

use crate::history::{Operation, Outcome};
use crate::kv::{Op, Reply};

/// Where an event sits in time: (virtual ms, the history's sequence number). Sequence numbers
/// order events within a millisecond in recording order.
pub(super) type Instant = (u64, u64);

/// A key's register state: the interned value, `None` for absent.
pub(super) type State = Option<u32>;

/// What an operation does to the register, with values interned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Effect {
    Put(u32),
    Delete,
    /// A read that saw this state.
    Get(State),
}

impl Effect {
    /// The state after taking effect in `state`, or `None` if the reply contradicts it.
    pub(super) fn step(self, state: State) -> Option<State> {
        match self {
            Effect::Put(v) => Some(Some(v)),
            Effect::Delete => Some(None),
            Effect::Get(seen) => (seen == state).then_some(state),
        }
    }

    /// The state a write leaves (`None` for a read).
    pub(super) fn writes(self) -> Option<State> {
        match self {
            Effect::Put(v) => Some(Some(v)),
            Effect::Delete => Some(None),
            Effect::Get(_) => None,
        }
    }
}

/// How an operation takes part in a search, as far as its client knows now.
pub(super) enum Role {
    /// Answered: it took effect once, between its invocation and this completion.
    Completed(Instant),
    /// A write whose outcome is not known (pending, or given up): it may take effect at any
    /// time after its invocation, or never.
    Open,
    /// Constrains nothing: it failed (never took effect), or it is a read without an answer.
    Ignored,
}

/// The role of `op` (see [`Role`]); a get answered `ok`, which a history refuses, is ignored.
pub(super) fn role(op: &Operation) -> Role {
    match &op.outcome {
        Outcome::Completed { .. }
            if op.op.is_read() && !matches!(op.reply(), Some(Reply::Value(_))) =>
        {
            Role::Ignored
        }
        Outcome::Completed { at, seq, .. } => Role::Completed((*at, *seq)),
        Outcome::Failed { .. } => Role::Ignored,
        Outcome::Pending | Outcome::Unknown { .. } if op.op.is_read() => Role::Ignored,
        Outcome::Pending | Outcome::Unknown { .. } => Role::Open,
    }
}

/// Values as small numbers, so that states and the memo stay small.
#[derive(Default)]
pub(super) struct Interner {
    ids: BTreeMap<String, u32>,
    values: Vec<String>,
}

impl Interner {
    pub(super) fn id(&mut self, v: &str) -> u32 {
        if let Some(&id) = self.ids.get(v) {
            return id;
        }
        let id = self.values.len() as u32;
        self.ids.insert(v.to_string(), id);
        self.values.push(v.to_string());
        id
    }

    pub(super) fn state(&mut self, v: Option<&str>) -> State {
        v.map(|v| self.id(v))
    }

    pub(super) fn value(&self, s: State) -> Option<&str> {
        s.map(|id| self.values[id as usize].as_str())
    }

    /// The effect of an operation; `None` for a get without a value (see [`role`]).
    pub(super) fn effect(&mut self, op: &Operation) -> Option<Effect> {
        Some(match (&op.op, op.reply()) {
            (Op::Put { value, .. }, _) => Effect::Put(self.id(value)),
            (Op::Delete { .. }, _) => Effect::Delete,
            (Op::Get { .. }, Some(Reply::Value(v))) => Effect::Get(self.state(v.as_deref())),
            (Op::Get { .. }, _) => return None,
        })
    }
}

pub(super) const NIL: usize = usize::MAX;

/// The event list with O(1) removal and re-insertion (Knuth's dancing links): removed nodes keep
/// their own links, and since removals are undone in reverse order, restoring is exact.
pub(super) struct Links {
    pub(super) next: Vec<usize>,
    prev: Vec<usize>,
    head: usize,
}

impl Links {
    pub(super) fn new(n: usize) -> Self {
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

    pub(super) fn first(&self) -> usize {
        self.next[self.head]
    }

    pub(super) fn remove(&mut self, x: usize) {
        let (p, n) = (self.prev[x], self.next[x]);
        self.next[p] = n;
        if n != NIL {
            self.prev[n] = p;
        }
    }

    pub(super) fn restore(&mut self, x: usize) {
        let (p, n) = (self.prev[x], self.next[x]);
        self.next[p] = x;
        if n != NIL {
            self.prev[n] = x;
        }
    }
}

#[derive(Clone)]
pub(super) struct Bitset(pub(super) Vec<u64>);

impl Bitset {
    pub(super) fn new(n: usize) -> Self {
        Bitset(vec![0; n.div_ceil(64)])
    }

    pub(super) fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    pub(super) fn clear(&mut self, i: usize) {
        self.0[i / 64] &= !(1 << (i % 64));
    }

    pub(super) fn get(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
}
