//! How kinds of things look: CSS classes (the colours live in static/style.css as variables from
//! a colour-blind-safe palette), and the shapes and letters that carry the same information for
//! people who cannot tell the colours apart.

use cluster::view::Role;

/// The CSS class of a role.
pub fn role_class(role: Role) -> &'static str {
    match role {
        Role::Follower => "role-follower",
        Role::PreCandidate => "role-precandidate",
        Role::Candidate => "role-candidate",
        Role::Leader => "role-leader",
        Role::Learner => "role-learner",
    }
}

/// A one- or two-letter tag for a role, for the log rows and compact lists.
pub fn role_letter(role: Role) -> &'static str {
    match role {
        Role::Follower => "F",
        Role::PreCandidate => "PC",
        Role::Candidate => "C",
        Role::Leader => "L",
        Role::Learner => "Lr",
    }
}

/// The families of messages, each with its own colour on the diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// Elections: MsgVote, MsgPreVote and their responses, MsgTimeoutNow.
    Vote,
    /// Replication: MsgApp and MsgAppResp.
    Append,
    /// Liveness: MsgHeartbeat and its response.
    Heartbeat,
    /// MsgSnap.
    Snapshot,
    /// Everything else (proposals forwarded, ReadIndex, leader transfer…).
    Other,
}

impl MessageKind {
    pub fn of(msg_type: &str) -> Self {
        let base = msg_type.trim_end_matches("Resp");
        match base {
            "MsgVote" | "MsgPreVote" | "MsgTimeoutNow" => MessageKind::Vote,
            "MsgApp" => MessageKind::Append,
            "MsgHeartbeat" => MessageKind::Heartbeat,
            "MsgSnap" | "MsgSnapStatus" => MessageKind::Snapshot,
            _ => MessageKind::Other,
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            MessageKind::Vote => "msg-vote",
            MessageKind::Append => "msg-append",
            MessageKind::Heartbeat => "msg-heartbeat",
            MessageKind::Snapshot => "msg-snapshot",
            MessageKind::Other => "msg-other",
        }
    }
}

/// The short label a message wears on the diagram: etcd's name without `Msg`, with the two
/// longest shortened so labels stay small.
pub fn short_type(msg_type: &str) -> String {
    msg_type
        .trim_start_matches("Msg")
        .replace("Heartbeat", "HB")
        .replace("Resp", " resp")
}

/// The colour class of a term in the log rows: eight colours, reused in order. The term number
/// is printed in every cell too, so two terms that share a colour are still told apart.
pub fn term_class(term: u64) -> String {
    format!("term-{}", term % 8)
}

/// A Progress state without etcd's `State` prefix: `StateReplicate` reads `Replicate`.
pub fn progress_state(state: &str) -> &str {
    state.strip_prefix("State").unwrap_or(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_kinds_group_requests_with_their_responses() {
        assert_eq!(MessageKind::of("MsgApp"), MessageKind::Append);
        assert_eq!(MessageKind::of("MsgAppResp"), MessageKind::Append);
        assert_eq!(MessageKind::of("MsgPreVoteResp"), MessageKind::Vote);
        assert_eq!(MessageKind::of("MsgHeartbeatResp"), MessageKind::Heartbeat);
        assert_eq!(MessageKind::of("MsgSnap"), MessageKind::Snapshot);
        assert_eq!(MessageKind::of("MsgReadIndex"), MessageKind::Other);
    }

    #[test]
    fn labels_are_short() {
        assert_eq!(short_type("MsgApp"), "App");
        assert_eq!(short_type("MsgHeartbeatResp"), "HB resp");
        assert_eq!(short_type("MsgPreVote"), "PreVote");
        assert_eq!(progress_state("StateProbe"), "Probe");
        assert_eq!(term_class(9), "term-1");
    }
}
