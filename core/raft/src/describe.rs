//! Text descriptions of Raft's data, byte-identical to etcd raft's `Describe*` functions and
//! `String()` methods (v3.7.0). The interaction transcripts print these, so every space counts.
//!
//! Go's quoting lives in [`crate::gofmt`]; the text form and the encoding of conf changes live
//! with their types in [`crate::raftpb::confchange`].

use crate::gofmt::{go_quote, go_slice};
use crate::raftpb::confchange::{
    conf_change_as_v2, conf_changes_to_string, unmarshal_conf_change, unmarshal_conf_change_v2,
};
use crate::raftpb::{ConfState, Entry, EntryType, HardState, Message, Snapshot};
use crate::rawnode::Ready;
use crate::state::{ReadState, SoftState};
use crate::util::{LOCAL_APPEND_THREAD, LOCAL_APPLY_THREAD};
use std::fmt::Write;

/// Formats entry payloads; `None` means Go's `%q` (etcd's default formatter).
pub type EntryFormatter<'a> = Option<&'a dyn Fn(&[u8]) -> String>;

/// etcd's `DescribeHardState`.
pub fn describe_hard_state(hs: &HardState) -> String {
    let mut s = format!("Term:{}", hs.term);
    if hs.vote != 0 {
        let _ = write!(s, " Vote:{}", hs.vote);
    }
    let _ = write!(s, " Commit:{}", hs.commit);
    s
}

/// etcd's `DescribeSoftState`.
pub fn describe_soft_state(ss: &SoftState) -> String {
    format!("Lead:{} State:{}", ss.lead, ss.raft_state)
}

/// etcd's `DescribeConfState`.
pub fn describe_conf_state(cs: &ConfState) -> String {
    format!(
        "Voters:{} VotersOutgoing:{} Learners:{} LearnersNext:{} AutoLeave:{}",
        go_slice(&cs.voters),
        go_slice(&cs.voters_outgoing),
        go_slice(&cs.learners),
        go_slice(&cs.learners_next),
        cs.auto_leave
    )
}

/// etcd's `DescribeSnapshot`.
pub fn describe_snapshot(snap: &Snapshot) -> String {
    let m = &snap.metadata;
    format!(
        "Index:{} Term:{} ConfState:{}",
        m.index,
        m.term,
        describe_conf_state(&m.conf_state)
    )
}

/// Go's `%v` of a `[]ReadState`: `[{index [bytes as decimals]} ...]`.
fn describe_read_states(rs: &[ReadState]) -> String {
    let items: Vec<String> = rs
        .iter()
        .map(|r| format!("{{{} {}}}", r.index, go_slice(&r.request_ctx)))
        .collect();
    format!("[{}]", items.join(" "))
}

/// etcd's `DescribeReady`.
pub fn describe_ready(rd: &Ready, f: EntryFormatter<'_>) -> String {
    let mut buf = String::new();
    if let Some(ss) = &rd.soft_state {
        buf.push_str(&describe_soft_state(ss));
        buf.push('\n');
    }
    if !rd.hard_state.is_empty() {
        let _ = writeln!(buf, "HardState {}", describe_hard_state(&rd.hard_state));
    }
    if !rd.read_states.is_empty() {
        let _ = writeln!(buf, "ReadStates {}", describe_read_states(&rd.read_states));
    }
    if !rd.entries.is_empty() {
        buf.push_str("Entries:\n");
        buf.push_str(&describe_entries(&rd.entries, f));
    }
    if !rd.snapshot.is_empty() {
        let _ = writeln!(buf, "Snapshot {}", describe_snapshot(&rd.snapshot));
    }
    if !rd.committed_entries.is_empty() {
        buf.push_str("CommittedEntries:\n");
        buf.push_str(&describe_entries(&rd.committed_entries, f));
    }
    if !rd.messages.is_empty() {
        buf.push_str("Messages:\n");
        for m in &rd.messages {
            buf.push_str(&describe_message(m, f));
            buf.push('\n');
        }
    }
    if buf.is_empty() {
        "<empty Ready>".to_string()
    } else {
        format!("Ready MustSync={}:\n{}", rd.must_sync, buf)
    }
}

/// etcd's `describeTarget`: a node id in hex, or the name of a special target.
pub(crate) fn describe_target(id: u64) -> String {
    match id {
        0 => "None".to_string(),
        LOCAL_APPEND_THREAD => "AppendThread".to_string(),
        LOCAL_APPLY_THREAD => "ApplyThread".to_string(),
        _ => format!("{:x}", id),
    }
}

/// etcd's `DescribeMessage`.
pub fn describe_message(m: &Message, f: EntryFormatter<'_>) -> String {
    describe_message_with_indent("", m, f)
}

fn describe_message_with_indent(indent: &str, m: &Message, f: EntryFormatter<'_>) -> String {
    let mut buf = format!(
        "{}{}->{} {} Term:{} Log:{}/{}",
        indent,
        describe_target(m.from),
        describe_target(m.to),
        m.msg_type,
        m.term,
        m.log_term,
        m.index
    );
    if m.reject {
        let _ = write!(buf, " Rejected (Hint: {})", m.reject_hint);
    }
    if m.commit != 0 {
        let _ = write!(buf, " Commit:{}", m.commit);
    }
    if m.vote != 0 {
        let _ = write!(buf, " Vote:{}", m.vote);
    }
    if m.entries.len() == 1 {
        let _ = write!(buf, " Entries:[{}]", describe_entry(&m.entries[0], f));
    } else if m.entries.len() > 1 {
        buf.push_str(" Entries:[");
        for e in &m.entries {
            let _ = write!(buf, "\n{}  {}", indent, describe_entry(e, f));
        }
        let _ = write!(buf, "\n{}]", indent);
    }
    if let Some(s) = &m.snapshot {
        if !s.is_empty() {
            let _ = write!(buf, "\n{}  Snapshot: {}", indent, describe_snapshot(s));
        }
    }
    if !m.responses.is_empty() {
        buf.push_str(" Responses:[");
        for r in &m.responses {
            buf.push('\n');
            buf.push_str(&describe_message_with_indent(
                &format!("{}  ", indent),
                r,
                f,
            ));
        }
        let _ = write!(buf, "\n{}]", indent);
    }
    buf
}

/// The name etcd prints for an entry type.
pub fn entry_type_name(t: EntryType) -> &'static str {
    match t {
        EntryType::EntryNormal => "EntryNormal",
        EntryType::EntryConfChange => "EntryConfChange",
        EntryType::EntryConfChangeV2 => "EntryConfChangeV2",
    }
}
/// etcd's `DescribeEntry`.
pub fn describe_entry(e: &Entry, f: EntryFormatter<'_>) -> String {
    let formatted = match e.entry_type {
        EntryType::EntryNormal => match f {
            Some(f) => f(&e.data),
            None => go_quote(&e.data),
        },
        EntryType::EntryConfChange => match unmarshal_conf_change(&e.data) {
            Ok(cc) => conf_changes_to_string(&conf_change_as_v2(&cc).changes),
            Err(err) => err,
        },
        EntryType::EntryConfChangeV2 => match unmarshal_conf_change_v2(&e.data) {
            Ok(cc) => conf_changes_to_string(&cc.changes),
            Err(err) => err,
        },
    };
    let sep = if formatted.is_empty() { "" } else { " " };
    format!(
        "{}/{} {}{}{}",
        e.term,
        e.index,
        entry_type_name(e.entry_type),
        sep,
        formatted
    )
}

/// etcd's `DescribeEntries`: one described entry per line.
pub fn describe_entries(ents: &[Entry], f: EntryFormatter<'_>) -> String {
    let mut buf = String::new();
    for e in ents {
        buf.push_str(&describe_entry(e, f));
        buf.push('\n');
    }
    buf
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raftpb::confchange::marshal_conf_change_v2;
    use crate::raftpb::{ConfChangeSingle, ConfChangeTransition, ConfChangeType, ConfChangeV2};
    use crate::state::StateType;

    fn ent(term: u64, index: u64, data: &[u8]) -> Entry {
        Entry {
            term,
            index,
            entry_type: EntryType::EntryNormal,
            data: data.to_vec().into(),
        }
    }

    #[test]
    fn describe_states() {
        assert_eq!(
            describe_hard_state(&HardState {
                term: 1,
                vote: 1,
                commit: 2
            }),
            "Term:1 Vote:1 Commit:2"
        );
        assert_eq!(
            describe_hard_state(&HardState {
                term: 3,
                vote: 0,
                commit: 11
            }),
            "Term:3 Commit:11"
        );
        assert_eq!(
            describe_soft_state(&SoftState {
                lead: 0,
                raft_state: StateType::StateCandidate
            }),
            "Lead:0 State:StateCandidate"
        );
        let snap = Snapshot {
            data: vec![],
            metadata: crate::raftpb::SnapshotMetadata {
                conf_state: ConfState {
                    voters: vec![1, 2],
                    voters_outgoing: vec![1],
                    learners: vec![],
                    learners_next: vec![],
                    auto_leave: true,
                },
                index: 4,
                term: 1,
            },
        };
        assert_eq!(
            describe_snapshot(&snap),
            "Index:4 Term:1 ConfState:Voters:[1 2] VotersOutgoing:[1] Learners:[] LearnersNext:[] AutoLeave:true"
        );
    }

    #[test]
    fn describe_messages_like_transcripts() {
        let m = Message {
            msg_type: crate::raftpb::MessageType::MsgVote,
            from: 1,
            to: 2,
            term: 1,
            log_term: 1,
            index: 2,
            ..Default::default()
        };
        assert_eq!(describe_message(&m, None), "1->2 MsgVote Term:1 Log:1/2");
        let m = Message {
            msg_type: crate::raftpb::MessageType::MsgAppResp,
            from: 3,
            to: 2,
            term: 2,
            log_term: 1,
            index: 4,
            reject: true,
            reject_hint: 3,
            ..Default::default()
        };
        assert_eq!(
            describe_message(&m, None),
            "3->2 MsgAppResp Term:2 Log:1/4 Rejected (Hint: 3)"
        );
        let cc = ConfChangeV2 {
            transition: ConfChangeTransition::ConfChangeTransitionAuto,
            changes: vec![ConfChangeSingle {
                change_type: ConfChangeType::ConfChangeAddNode,
                node_id: 3,
            }],
            context: vec![],
        };
        let m = Message {
            msg_type: crate::raftpb::MessageType::MsgApp,
            from: 2,
            to: 3,
            term: 2,
            log_term: 1,
            index: 3,
            commit: 4,
            entries: vec![
                Entry {
                    term: 1,
                    index: 4,
                    entry_type: EntryType::EntryConfChangeV2,
                    data: marshal_conf_change_v2(&cc).into(),
                },
                ent(2, 5, b""),
            ],
            ..Default::default()
        };
        assert_eq!(
            describe_message(&m, None),
            "2->3 MsgApp Term:2 Log:1/3 Commit:4 Entries:[\n  1/4 EntryConfChangeV2 v3\n  2/5 EntryNormal \"\"\n]"
        );
        let one = Message {
            entries: vec![ent(1, 12, b"init_prop")],
            ..m.clone()
        };
        assert_eq!(
            describe_message(&one, None),
            "2->3 MsgApp Term:2 Log:1/3 Commit:4 Entries:[1/12 EntryNormal \"init_prop\"]"
        );
        let upper = |d: &[u8]| String::from_utf8_lossy(d).to_uppercase();
        assert_eq!(
            describe_message(&one, Some(&upper)),
            "2->3 MsgApp Term:2 Log:1/3 Commit:4 Entries:[1/12 EntryNormal INIT_PROP]"
        );
        // Storage messages with responses and a snapshot, as async-storage transcripts print.
        let resp = Message {
            msg_type: crate::raftpb::MessageType::MsgAppResp,
            from: LOCAL_APPEND_THREAD,
            to: 2,
            term: 1,
            index: 11,
            ..Default::default()
        };
        let app = Message {
            msg_type: crate::raftpb::MessageType::MsgStorageAppend,
            from: 3,
            to: LOCAL_APPEND_THREAD,
            term: 2,
            commit: 11,
            vote: 3,
            responses: vec![resp].into(),
            ..Default::default()
        };
        assert_eq!(
            describe_message(&app, None),
            "3->AppendThread MsgStorageAppend Term:2 Log:0/0 Commit:11 Vote:3 Responses:[\n  AppendThread->2 MsgAppResp Term:1 Log:0/11\n]"
        );
        let snap = Message {
            msg_type: crate::raftpb::MessageType::MsgSnap,
            from: 1,
            to: 3,
            term: 1,
            snapshot: Some(Box::new(Snapshot {
                data: vec![],
                metadata: crate::raftpb::SnapshotMetadata {
                    conf_state: ConfState {
                        voters: vec![1, 2, 3],
                        ..Default::default()
                    },
                    index: 11,
                    term: 1,
                },
            })),
            ..Default::default()
        };
        assert_eq!(
            describe_message(&snap, None),
            "1->3 MsgSnap Term:1 Log:0/0\n  Snapshot: Index:11 Term:1 ConfState:Voters:[1 2 3] VotersOutgoing:[] Learners:[] LearnersNext:[] AutoLeave:false"
        );
    }

    #[test]
    fn describe_ready_like_transcripts() {
        let rd = Ready {
            soft_state: Some(SoftState {
                lead: 0,
                raft_state: StateType::StateCandidate,
            }),
            hard_state: HardState {
                term: 1,
                vote: 1,
                commit: 2,
            },
            messages: vec![Message {
                msg_type: crate::raftpb::MessageType::MsgVote,
                from: 1,
                to: 2,
                term: 1,
                log_term: 1,
                index: 2,
                ..Default::default()
            }],
            must_sync: true,
            ..Default::default()
        };
        assert_eq!(
            describe_ready(&rd, None),
            "Ready MustSync=true:\nLead:0 State:StateCandidate\nHardState Term:1 Vote:1 Commit:2\nMessages:\n1->2 MsgVote Term:1 Log:1/2\n"
        );
        let rd = Ready {
            entries: vec![ent(1, 3, b"")],
            committed_entries: vec![ent(1, 3, b"")],
            read_states: vec![ReadState {
                index: 5,
                request_ctx: b"ab".to_vec(),
            }],
            ..Default::default()
        };
        assert_eq!(
            describe_ready(&rd, None),
            "Ready MustSync=false:\nReadStates [{5 [97 98]}]\nEntries:\n1/3 EntryNormal \"\"\nCommittedEntries:\n1/3 EntryNormal \"\"\n"
        );
        assert_eq!(describe_ready(&Ready::default(), None), "<empty Ready>");
    }
}
