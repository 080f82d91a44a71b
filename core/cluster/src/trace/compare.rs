//! Two branches of one run, compared: where the trace of the future abandoned by acting in the
//! past first differs from the trace of the present.

use serde::{Deserialize, Serialize};

use super::{Mark, MarkKind, Stamp, Trace};
use crate::clock::Millis;
use crate::network::{MessageHead, NodeId};

/// Items compared at most before giving up (both branches may run on identically for long).
const MAX_COMPARED: usize = 200_000;

/// The first thing that happened differently in two branches after their fork.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Divergence {
    /// When (the earlier of the two differing items).
    pub at_ms: Millis,
    /// What happened next in the first trace, and in the second, with when (`None`:
    /// nothing more).
    pub here: Option<(Millis, String)>,
    pub there: Option<(Millis, String)>,
}

/// One thing on the diagram, as compared: a send or a mark, with when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Item<'a> {
    Send(Millis, &'a MessageHead),
    Mark(Millis, NodeId, MarkKind),
}

impl Item<'_> {
    fn at(&self) -> Millis {
        match self {
            Item::Send(at, _) | Item::Mark(at, _, _) => *at,
        }
    }

    fn text(&self) -> String {
        match *self {
            Item::Send(_, h) => format!("{} is sent", h.summary()),
            Item::Mark(at, node, kind) => Mark {
                node,
                at: Stamp { event: 0, at },
                kind,
            }
            .text(),
        }
    }
}

/// The sends and marks of `t` from event `from_event` on, in the order they happened.
fn items(t: &Trace, from_event: u64) -> impl Iterator<Item = Item<'_>> + '_ {
    let m0 = t.messages.partition_point(|m| m.sent.event < from_event);
    let k0 = t.marks.partition_point(|m| m.at.event < from_event);
    let mut sends = t.messages[m0..].iter().peekable();
    let mut marks = t.marks[k0..].iter().peekable();
    std::iter::from_fn(move || {
        let send_first = match (sends.peek(), marks.peek()) {
            (Some(s), Some(k)) => s.sent.event <= k.at.event,
            (s, _) => s.is_some(),
        };
        if send_first {
            sends.next().map(|m| Item::Send(m.sent.at, &m.head))
        } else {
            marks.next().map(|m| Item::Mark(m.at.at, m.node, m.kind))
        }
    })
}

/// Where traces `a` and `b`, the same up to event `forked_at`, first differ after it.
pub fn first_divergence(a: &Trace, b: &Trace, forked_at: u64) -> Option<Divergence> {
    let mut xs = items(a, forked_at);
    let mut ys = items(b, forked_at);
    for _ in 0..MAX_COMPARED {
        match (xs.next(), ys.next()) {
            (None, None) => return None,
            (Some(x), Some(y)) if x == y => continue,
            (x, y) => {
                let at_ms = [x, y].iter().flatten().map(Item::at).min().unwrap_or(0);
                return Some(Divergence {
                    at_ms,
                    here: x.map(|x| (x.at(), x.text())),
                    there: y.map(|y| (y.at(), y.text())),
                });
            }
        }
    }
    None
}
