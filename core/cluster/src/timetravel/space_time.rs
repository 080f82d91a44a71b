//! The timeline's sequence diagram and Ready history: the head's trace cut at the event
//! shown (a look at the past reads the present's trace, which holds the past), and the latest
//! abandoned branch's trace beside it, aligned at the fork.

use super::Timeline;
use crate::clock::Millis;
use crate::network::NodeId;
use crate::trace::compare::{first_divergence, Divergence};
use crate::trace::project::{contents_text, steps_text};
use crate::trace::project::{SpaceTimeAsk, SpaceTimeView};
use crate::view::{ReadyHistoryView, ReadyLine};

/// Recent Readys a node's history lists.
pub const READY_HISTORY_LINES: usize = 12;

/// The sequence diagram of the shown timeline, and of the latest branch when asked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpaceTime {
    pub view: SpaceTimeView,
    pub branch: Option<BranchSpaceTime>,
}

/// The latest abandoned branch, drawn over the same window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BranchSpaceTime {
    /// Its number in the timeline's list of branches (from 0).
    pub index: usize,
    pub forked_at: u64,
    pub forked_at_ms: Millis,
    pub view: SpaceTimeView,
    /// Where the present first did something else (`None`: nothing yet).
    pub divergence: Option<Divergence>,
}

impl Timeline {
    /// The diagram of `ask`'s window as of the event shown; with `with_branch`, the latest
    /// branch's beside it.
    pub fn space_time(&self, ask: &SpaceTimeAsk, with_branch: bool) -> SpaceTime {
        let lanes: Vec<NodeId> = self.cluster().nodes().keys().copied().collect();
        let view = self
            .head
            .trace()
            .project(ask, self.position(), self.cluster().now(), &lanes);
        let branch = self
            .branch_trace
            .as_ref()
            .filter(|_| with_branch)
            .map(|b| BranchSpaceTime {
                index: self.branches.len().saturating_sub(1),
                forked_at: b.forked_at,
                forked_at_ms: b.forked_at_ms,
                view: b.trace.project(ask, u64::MAX, b.ended_ms, &lanes),
                divergence: first_divergence(self.head.trace(), &b.trace, b.forked_at),
            });
        SpaceTime { view, branch }
    }

    /// Node `id`'s last Ready and its recent ones, as of the event shown.
    pub fn ready_history(&self, id: NodeId) -> ReadyHistoryView {
        let recent = self
            .head
            .trace()
            .readys_of(id, self.position())
            .take(READY_HISTORY_LINES)
            .map(|r| ReadyLine {
                taken_ms: r.taken.at,
                event: r.taken.event,
                contents: contents_text(&r.contents),
                steps: steps_text(&r),
            })
            .collect();
        ReadyHistoryView {
            node: id,
            last: self.cluster().last_ready_view(id),
            recent,
        }
    }
}
