//! Small helpers shared by the log and the state machine: size accounting for flow control,
//! message classification, and the ConfState consistency check (etcd's util.go, without the
//! `Describe*` functions, which live in `describe.rs`).

use crate::fatal::{fatal, fatal_unlogged};
use crate::logger::SharedLogger;
use crate::raftpb::{ConfState, Entry, MessageType};

/// "No limit" for every size knob (etcd's `noLimit`).
pub(crate) const NO_LIMIT: u64 = u64::MAX;

/// The pseudo node id of the local thread that persists unstable entries when storage writes are
/// asynchronous (etcd's `LocalAppendThread`).
pub const LOCAL_APPEND_THREAD: u64 = u64::MAX;

/// The pseudo node id of the local thread that applies committed entries when application is
/// asynchronous (etcd's `LocalApplyThread`).
pub const LOCAL_APPLY_THREAD: u64 = u64::MAX - 1;

/// Messages a node only ever sends to itself (etcd's `IsLocalMsg`).
pub(crate) fn is_local_msg(t: MessageType) -> bool {
    t.is_local()
}

/// Messages that answer another message (etcd's `IsResponseMsg`).
pub(crate) fn is_response_msg(t: MessageType) -> bool {
    t.is_response()
}

/// Whether `id` names one of the local storage threads rather than a peer
/// (etcd's `IsLocalMsgTarget`).
pub(crate) fn is_local_msg_target(id: u64) -> bool {
    id == LOCAL_APPEND_THREAD || id == LOCAL_APPLY_THREAD
}

/// The response type for a (pre-)vote request (etcd's `voteRespMsgType`). Only the state
/// machine calls this, and only with vote requests, so anything else is a library bug.
pub(crate) fn vote_resp_msg_type(t: MessageType) -> MessageType {
    match t {
        MessageType::MsgVote => MessageType::MsgVoteResp,
        MessageType::MsgPreVote => MessageType::MsgPreVoteResp,
        _ => fatal_unlogged(format_args!("not a vote message: {}", t)),
    }
}

/// The encoded size of the entries, the unit of `MaxSizePerMsg` and
/// `MaxCommittedSizePerReady` (etcd's `entsSize`).
pub(crate) fn ents_size(ents: &[Entry]) -> u64 {
    ents.iter().map(Entry::size).sum()
}

/// The longest prefix of `ents` whose encoded size stays within `max_size`. A non-empty input
/// always yields at least one entry, even when that first entry alone is over the limit:
/// otherwise a single large entry could never be sent or applied.
pub(crate) fn limit_size(ents: &[Entry], max_size: u64) -> &[Entry] {
    // No sum of sizes exceeds "no limit" (the sum saturates): spare sizing every entry, as
    // for committed entries handed out without a limit.
    if ents.is_empty() || max_size == NO_LIMIT {
        return ents;
    }
    let mut size = ents[0].size();
    for (limit, e) in ents.iter().enumerate().skip(1) {
        size = size.saturating_add(e.size());
        if size > max_size {
            return &ents[..limit];
        }
    }
    ents
}

/// In-place variant of [`limit_size`] for owned entry vectors.
#[cfg(test)]
pub(crate) fn limit_size_vec(ents: &mut Vec<Entry>, max_size: u64) {
    let keep = limit_size(ents, max_size).len();
    ents.truncate(keep);
}

/// The summed payload sizes of the entries (etcd's `payloadsSize`).
pub(crate) fn payloads_size(ents: &[Entry]) -> u64 {
    ents.iter().map(Entry::payload_size).sum()
}

/// Whether two ConfStates describe the same configuration, ignoring the order of ids in each set
/// (etcd's `ConfState.Equivalent`). The error text describes the difference.
pub(crate) fn conf_states_equivalent(cs1: &ConfState, cs2: &ConfState) -> Result<(), String> {
    let normalize = |cs: &ConfState| {
        let mut c = cs.clone();
        c.voters.sort_unstable();
        c.learners.sort_unstable();
        c.voters_outgoing.sort_unstable();
        c.learners_next.sort_unstable();
        c
    };
    let (a, b) = (normalize(cs1), normalize(cs2));
    if a == b {
        Ok(())
    } else {
        Err(format!(
            "ConfStates not equivalent after sorting:\n{:?}\n{:?}\nInputs were:\n{:?}\n{:?}",
            a, b, cs1, cs2
        ))
    }
}

/// Stops with a fatal log line when the configuration the tracker ended up with differs from the
/// ConfState it was built from (etcd's `assertConfStatesEquivalent`): the two must agree, or the
/// node would vote and commit with a membership nobody persisted.
pub(crate) fn assert_conf_states_equivalent(
    logger: &SharedLogger,
    cs1: &ConfState,
    cs2: &ConfState,
) {
    if let Err(e) = conf_states_equivalent(cs1, cs2) {
        fatal(logger, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ent(term: u64, index: u64) -> Entry {
        Entry {
            term,
            index,
            ..Default::default()
        }
    }

    #[test]
    fn limit_size_keeps_the_longest_fitting_prefix_and_at_least_one_entry() {
        let ents = vec![ent(4, 4), ent(5, 5), ent(6, 6)];
        let one = ents[0].size();
        // (max size, expected number of entries), after etcd's TestLimitSize.
        let cases = [
            (NO_LIMIT, 3),
            (0, 1),
            (one, 1),
            (one * 2 - 1, 1),
            (one * 2, 2),
            (one * 3 - 1, 2),
            (one * 3, 3),
        ];
        for (max, want) in cases {
            assert_eq!(limit_size(&ents, max).len(), want, "max {}", max);
            let mut v = ents.clone();
            limit_size_vec(&mut v, max);
            assert_eq!(v.len(), want);
        }
        assert!(limit_size(&[], 0).is_empty());
    }

    #[test]
    fn sizes_add_up() {
        let mut e = ent(1, 1);
        assert_eq!(e.payload_size(), 0, "an empty entry carries no payload");
        e.data = b"hello".to_vec().into();
        let ents = vec![e.clone(), ent(1, 2)];
        assert_eq!(payloads_size(&ents), 5);
        assert_eq!(ents_size(&ents), e.size() + ent(1, 2).size());
    }

    #[test]
    fn message_classification() {
        assert!(is_local_msg_target(LOCAL_APPEND_THREAD));
        assert!(is_local_msg_target(LOCAL_APPLY_THREAD));
        assert!(!is_local_msg_target(1));
        assert!(is_local_msg(MessageType::MsgHup));
        assert!(!is_local_msg(MessageType::MsgApp));
        assert!(is_response_msg(MessageType::MsgAppResp));
        assert_eq!(
            vote_resp_msg_type(MessageType::MsgVote),
            MessageType::MsgVoteResp
        );
        assert_eq!(
            vote_resp_msg_type(MessageType::MsgPreVote),
            MessageType::MsgPreVoteResp
        );
    }

    #[test]
    #[should_panic(expected = "not a vote message: MsgApp")]
    fn vote_resp_of_non_vote_panics() {
        vote_resp_msg_type(MessageType::MsgApp);
    }

    #[test]
    fn conf_state_equivalence_ignores_order() {
        let a = ConfState {
            voters: vec![1, 2, 3],
            learners: vec![5, 4],
            ..Default::default()
        };
        let b = ConfState {
            voters: vec![3, 1, 2],
            learners: vec![4, 5],
            ..Default::default()
        };
        assert!(conf_states_equivalent(&a, &b).is_ok());
        let c = ConfState {
            auto_leave: true,
            ..b.clone()
        };
        assert!(conf_states_equivalent(&a, &c).is_err());
    }
}
