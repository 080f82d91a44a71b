//! Small text helpers shared by the cluster's outputs and explanations.

use std::fmt::Write as _;

use raft::describe::{describe_hard_state, describe_snapshot};
use raft::raftpb::confchange::{
    conf_change_as_v2, conf_changes_to_string, describe_conf_change, unmarshal_conf_change,
    unmarshal_conf_change_v2,
};
use raft::raftpb::{
    ConfChangeTransition, ConfChangeV2, ConfState, EntryType, Message, MessageType,
};
use raft::rawnode::Ready;
use raft::state::{StateType, NONE};

use crate::event::{entries_phrase, section};
use crate::kv::ApplyOutcome;
use crate::network::NodeId;
use crate::node::ApplyReport;

/// What a Ready says changed in the node's state, first in the event of taking it: its new
/// role and leader, its new HardState.
pub(super) fn ready_state_phrases(rd: &Ready) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(ss) = &rd.soft_state {
        let role = crate::event::role_name(ss.raft_state);
        parts.push(match ss.lead {
            NONE => format!("it is now {role} (no leader known)"),
            l => format!("it is now {role} (leader {l})"),
        });
    }
    if !rd.hard_state.is_empty() {
        parts.push(format!("HardState {}", describe_hard_state(&rd.hard_state)));
    }
    parts
}

/// One line per item, or `empty` alone when there are none: the listing commands' output.
pub(super) fn lines_or<T: std::fmt::Display>(
    items: impl IntoIterator<Item = T>,
    empty: &str,
) -> String {
    let mut s = String::new();
    for item in items {
        let _ = writeln!(s, "{item}");
    }
    if s.is_empty() {
        s.push_str(empty);
        s.push('\n');
    }
    s
}

pub(super) fn ids_text(ids: &[NodeId]) -> String {
    ids.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

pub(super) fn range_text(first: u64, last: u64) -> String {
    if first == last {
        format!("{first}")
    } else {
        format!("{first}..{last}")
    }
}

pub(super) fn policy_long_name(p: crate::node::ReadyPolicy) -> &'static str {
    match p {
        crate::node::ReadyPolicy::RaftNodeStart => "etcd server's raftNode.start",
        crate::node::ReadyPolicy::ServeChannels => "raftexample's serveChannels",
    }
}

/// A configuration in etcd's form: `voters=(1 2 4)&&(1 2 3) learners=(5) autoleave`.
pub(super) fn describe_conf_state_short(cs: &ConfState) -> String {
    let mut s = format!("voters=({})", ids_text(&cs.voters));
    if !cs.voters_outgoing.is_empty() {
        let _ = write!(s, "&&({})", ids_text(&cs.voters_outgoing));
    }
    if !cs.learners.is_empty() {
        let _ = write!(s, " learners=({})", ids_text(&cs.learners));
    }
    if !cs.learners_next.is_empty() {
        let _ = write!(s, " learners_next=({})", ids_text(&cs.learners_next));
    }
    if cs.auto_leave {
        s.push_str(" autoleave");
    }
    s
}

pub(super) fn section_for_order(what: &str) -> Option<&'static str> {
    if what.starts_with("campaigns") {
        Some(section::ELECTION)
    } else if what.contains("transfer leadership") {
        Some(section::TRANSFER)
    } else if what.contains("configuration change") {
        Some(section::MEMBERSHIP)
    } else if what.contains("propose") {
        Some(section::CLIENTS)
    } else {
        None
    }
}

/// What an order changed in a node, as a clause: ` and becomes candidate for term 2`.
pub(super) fn describe_change(
    b: &crate::event::NodeBrief,
    a: &crate::event::NodeBrief,
    out: &[Message],
) -> String {
    let mut parts = Vec::new();
    if a.state != b.state || a.term != b.term {
        parts.push(format!(
            "becomes {} at term {}",
            crate::event::role_name(a.state),
            a.term
        ));
    }
    if a.last_index > b.last_index && a.state == StateType::StateLeader {
        parts.push(format!(
            "appends entry {} to its log",
            range_text(b.last_index + 1, a.last_index)
        ));
    }
    let fwd: Vec<&Message> = out
        .iter()
        .filter(|m| m.msg_type == MessageType::MsgProp)
        .collect();
    if let Some(m) = fwd.first() {
        parts.push(format!("forwards it to leader {}", m.to));
    }
    let votes = out
        .iter()
        .filter(|m| matches!(m.msg_type, MessageType::MsgVote | MessageType::MsgPreVote))
        .count();
    if votes > 0 {
        parts.push(format!("asks {votes} peer(s) for their vote"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" and {}", parts.join(", "))
    }
}

/// The sentence of an apply step.
pub(super) fn describe_apply(id: NodeId, r: &ApplyReport, answers: &[String]) -> String {
    let mut parts = Vec::new();
    if let Some((i, t)) = r.snapshot {
        parts.push(format!(
            "restores its state machine from the snapshot at index {i} (term {t})"
        ));
    }
    if let (Some((f, _)), Some((l, _))) = (r.entries.first(), r.entries.last()) {
        let items: Vec<String> = r
            .entries
            .iter()
            .map(|(i, o)| match o {
                ApplyOutcome::Applied { command, reply } => {
                    format!("{i}: {} → {reply}", command.op)
                }
                ApplyOutcome::Duplicate { command, .. } => {
                    format!("{i}: {} again, ignored", command.op)
                }
                ApplyOutcome::Noop => format!("{i}: a new leader's empty entry"),
                ApplyOutcome::NotKv => format!("{i}: a configuration change"),
                ApplyOutcome::Undecodable(_) => format!("{i}: not a key/value command, skipped"),
            })
            .collect();
        parts.push(format!(
            "applies {} to its state machine ({})",
            entries_phrase(*f, *l),
            items.join("; ")
        ));
    }
    for (i, cs) in &r.conf_changes {
        parts.push(format!(
            "switches to configuration {} at index {i}",
            describe_conf_state_short(cs)
        ));
    }
    parts.extend(answers.iter().cloned());
    for e in &r.errors {
        parts.push(format!("error: {e}"));
    }
    if parts.is_empty() {
        parts.push("has nothing new to apply".into());
    }
    format!("{id} {}", parts.join(", "))
}

/// The text of an entry's payload for the page: the command, or the conf change.
pub fn entry_text(e: &raft::raftpb::Entry) -> String {
    match e.entry_type {
        EntryType::EntryNormal => String::from_utf8_lossy(&e.data).into_owned(),
        EntryType::EntryConfChange => unmarshal_conf_change(&e.data)
            .map(|c| describe_conf_change(&c))
            .unwrap_or_else(|e| e),
        EntryType::EntryConfChangeV2 => unmarshal_conf_change_v2(&e.data)
            .map(|c| raft::raftpb::confchange::describe_conf_change_v2(&c))
            .unwrap_or_else(|e| e),
    }
}

/// etcd's description of a snapshot, for the page.
pub fn snapshot_text(s: &raft::raftpb::Snapshot) -> String {
    describe_snapshot(s)
}

/// A configuration change in etcd's compact notation (`v4`, `r1 v4`, `l5`), with the
/// transition when it is not the automatic one, or `leave-joint` for the empty change.
pub fn conf_change_text(e: &raft::raftpb::Entry) -> String {
    let cc = match e.entry_type {
        EntryType::EntryNormal => return String::new(),
        EntryType::EntryConfChange => unmarshal_conf_change(&e.data).map(|c| conf_change_as_v2(&c)),
        EntryType::EntryConfChangeV2 => unmarshal_conf_change_v2(&e.data),
    };
    match cc {
        Ok(cc) => conf_change_v2_text(&cc),
        Err(e) => e,
    }
}

pub(super) fn conf_change_v2_text(cc: &ConfChangeV2) -> String {
    if cc.changes.is_empty() {
        return "leave-joint".to_string();
    }
    let mut s = conf_changes_to_string(&cc.changes);
    match cc.transition {
        ConfChangeTransition::ConfChangeTransitionAuto => {}
        ConfChangeTransition::ConfChangeTransitionJointImplicit => {
            s.push_str(" transition=implicit")
        }
        ConfChangeTransition::ConfChangeTransitionJointExplicit => {
            s.push_str(" transition=explicit")
        }
    }
    s
}
