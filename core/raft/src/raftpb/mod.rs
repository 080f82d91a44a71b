//! The wire and storage types of Raft, mirroring etcd's `raftpb` package.
//!
//! These are plain structs (no generated protobuf code): the playground never sends them over a
//! wire, but every type derives `serde` so the virtual cluster can snapshot state and the page
//! can render it. Field names follow etcd (snake_case), so a reader can hold etcd's source next
//! to ours. Only conf changes are protobuf-encoded, because etcd stores them inside entries
//! ([`confchange`]); `wire` holds the few encoding rules that needs and that entry sizes follow.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub mod confchange;
mod responses;
mod shared_bytes;
mod slice_like;
mod wire;

pub use confchange::{
    ConfChange, ConfChangeSingle, ConfChangeTransition, ConfChangeType, ConfChangeV2,
};
pub use responses::Responses;
pub use shared_bytes::SharedBytes;
use wire::varint_len;

/// What an [`Entry`] carries: a normal proposal or a membership change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntryType {
    #[default]
    EntryNormal = 0,
    EntryConfChange = 1,
    EntryConfChangeV2 = 2,
}

/// One slot of the replicated log.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Entry {
    pub term: u64,
    pub index: u64,
    pub entry_type: EntryType,
    /// The payload, shared rather than owned: an entry is copied many times on its way (into
    /// the log, each Ready, storage, every MsgApp, the committed entries), and all of those
    /// copies hold the same bytes. Build it from a `Vec<u8>` or a slice with `.into()`; it reads
    /// as a `&[u8]`, prints and (de)serializes exactly as a `Vec<u8>` does, and the empty
    /// default allocates nothing.
    pub data: Arc<[u8]>,
}

impl Entry {
    /// The size etcd attributes to an entry for flow control (`Entry.Size()` of the protobuf
    /// encoding). Size limits in the transcripts depend on these exact numbers.
    pub fn size(&self) -> u64 {
        let mut n = 0;
        // etcd's entries are proto2 messages whose unset fields are not encoded: the type of a
        // normal entry is never set by etcd itself, while term and index always are.
        if self.entry_type != EntryType::EntryNormal {
            n += 1 + varint_len(self.entry_type as u64);
        }
        n += 1 + varint_len(self.term);
        n += 1 + varint_len(self.index);
        // Data (4): an empty payload counts as absent.
        if !self.data.is_empty() {
            n += 1 + varint_len(self.data.len() as u64) + self.data.len() as u64;
        }
        n
    }

    /// The size etcd counts towards MaxUncommittedEntriesSize (its `payloadSize`): the payload
    /// only. Index and term do not count, so the empty entry a new leader appends is free.
    pub fn payload_size(&self) -> u64 {
        self.data.len() as u64
    }
}

/// The membership configuration, as stored in snapshots and applied conf changes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConfState {
    /// The voters of the incoming configuration (the only one outside a joint config).
    pub voters: Vec<u64>,
    /// Nodes that receive the log but do not vote.
    pub learners: Vec<u64>,
    /// The voters of the outgoing configuration; non-empty only in a joint configuration.
    pub voters_outgoing: Vec<u64>,
    /// Voters that become learners when the joint configuration is left.
    pub learners_next: Vec<u64>,
    /// Whether the joint configuration is left automatically once it is committed.
    pub auto_leave: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SnapshotMetadata {
    pub conf_state: ConfState,
    pub index: u64,
    pub term: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Snapshot {
    pub data: Vec<u8>,
    pub metadata: SnapshotMetadata,
}

impl Snapshot {
    /// etcd's `IsEmptySnap`: a snapshot at index 0 stands for "no snapshot".
    pub fn is_empty(&self) -> bool {
        self.metadata.index == 0
    }
}

/// Every message kind of etcd raft, local ("Msg*" that never leave the node) included.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum MessageType {
    #[default]
    MsgHup = 0,
    MsgBeat = 1,
    MsgProp = 2,
    MsgApp = 3,
    MsgAppResp = 4,
    MsgVote = 5,
    MsgVoteResp = 6,
    MsgSnap = 7,
    MsgHeartbeat = 8,
    MsgHeartbeatResp = 9,
    MsgUnreachable = 10,
    MsgSnapStatus = 11,
    MsgCheckQuorum = 12,
    MsgTransferLeader = 13,
    MsgTimeoutNow = 14,
    MsgReadIndex = 15,
    MsgReadIndexResp = 16,
    MsgPreVote = 17,
    MsgPreVoteResp = 18,
    MsgStorageAppend = 19,
    MsgStorageAppendResp = 20,
    MsgStorageApply = 21,
    MsgStorageApplyResp = 22,
    MsgForgetLeader = 23,
}

impl MessageType {
    /// Every message type, in etcd's numbering order.
    pub const ALL: [MessageType; 24] = [
        MessageType::MsgHup,
        MessageType::MsgBeat,
        MessageType::MsgProp,
        MessageType::MsgApp,
        MessageType::MsgAppResp,
        MessageType::MsgVote,
        MessageType::MsgVoteResp,
        MessageType::MsgSnap,
        MessageType::MsgHeartbeat,
        MessageType::MsgHeartbeatResp,
        MessageType::MsgUnreachable,
        MessageType::MsgSnapStatus,
        MessageType::MsgCheckQuorum,
        MessageType::MsgTransferLeader,
        MessageType::MsgTimeoutNow,
        MessageType::MsgReadIndex,
        MessageType::MsgReadIndexResp,
        MessageType::MsgPreVote,
        MessageType::MsgPreVoteResp,
        MessageType::MsgStorageAppend,
        MessageType::MsgStorageAppendResp,
        MessageType::MsgStorageApply,
        MessageType::MsgStorageApplyResp,
        MessageType::MsgForgetLeader,
    ];

    /// The name etcd prints (`MsgApp`, `MsgVoteResp`, ...).
    pub fn name(self) -> &'static str {
        match self {
            MessageType::MsgHup => "MsgHup",
            MessageType::MsgBeat => "MsgBeat",
            MessageType::MsgProp => "MsgProp",
            MessageType::MsgApp => "MsgApp",
            MessageType::MsgAppResp => "MsgAppResp",
            MessageType::MsgVote => "MsgVote",
            MessageType::MsgVoteResp => "MsgVoteResp",
            MessageType::MsgSnap => "MsgSnap",
            MessageType::MsgHeartbeat => "MsgHeartbeat",
            MessageType::MsgHeartbeatResp => "MsgHeartbeatResp",
            MessageType::MsgUnreachable => "MsgUnreachable",
            MessageType::MsgSnapStatus => "MsgSnapStatus",
            MessageType::MsgCheckQuorum => "MsgCheckQuorum",
            MessageType::MsgTransferLeader => "MsgTransferLeader",
            MessageType::MsgTimeoutNow => "MsgTimeoutNow",
            MessageType::MsgReadIndex => "MsgReadIndex",
            MessageType::MsgReadIndexResp => "MsgReadIndexResp",
            MessageType::MsgPreVote => "MsgPreVote",
            MessageType::MsgPreVoteResp => "MsgPreVoteResp",
            MessageType::MsgStorageAppend => "MsgStorageAppend",
            MessageType::MsgStorageAppendResp => "MsgStorageAppendResp",
            MessageType::MsgStorageApply => "MsgStorageApply",
            MessageType::MsgStorageApplyResp => "MsgStorageApplyResp",
            MessageType::MsgForgetLeader => "MsgForgetLeader",
        }
    }

    /// Parses an etcd message type name, as scripts write it (`type=MsgApp`).
    pub fn from_name(name: &str) -> Option<MessageType> {
        MessageType::ALL.iter().copied().find(|t| t.name() == name)
    }

    /// Messages a node sends to itself and that never cross the network (etcd's `IsLocalMsg`).
    pub fn is_local(self) -> bool {
        matches!(
            self,
            MessageType::MsgHup
                | MessageType::MsgBeat
                | MessageType::MsgUnreachable
                | MessageType::MsgSnapStatus
                | MessageType::MsgCheckQuorum
                | MessageType::MsgStorageAppend
                | MessageType::MsgStorageAppendResp
                | MessageType::MsgStorageApply
                | MessageType::MsgStorageApplyResp
        )
    }

    /// Responses to another message (etcd's `IsResponseMsg`).
    pub fn is_response(self) -> bool {
        matches!(
            self,
            MessageType::MsgAppResp
                | MessageType::MsgVoteResp
                | MessageType::MsgHeartbeatResp
                | MessageType::MsgUnreachable
                | MessageType::MsgReadIndexResp
                | MessageType::MsgPreVoteResp
                | MessageType::MsgStorageAppendResp
                | MessageType::MsgStorageApplyResp
        )
    }

    /// The response type that answers a vote request (etcd's `voteRespMsgType`).
    pub fn vote_response(self) -> MessageType {
        match self {
            MessageType::MsgPreVote => MessageType::MsgPreVoteResp,
            _ => MessageType::MsgVoteResp,
        }
    }
}

impl std::fmt::Display for MessageType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A Raft message. Which fields mean something depends on `msg_type`, exactly as in etcd.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Message {
    pub msg_type: MessageType,
    pub to: u64,
    pub from: u64,
    pub term: u64,
    /// The term of the entry at `index` (MsgApp), or of the candidate's last entry (votes).
    pub log_term: u64,
    pub index: u64,
    pub entries: Vec<Entry>,
    pub commit: u64,
    /// Only set on MsgStorageAppend messages (async storage writes).
    pub vote: u64,
    /// Boxed: snapshots are rare, and held inline the snapshot doubled the size of every
    /// message, which is moved by value on every send and step.
    pub snapshot: Option<Box<Snapshot>>,
    pub reject: bool,
    pub reject_hint: u64,
    /// Two words instead of a `Vec`'s three, to keep `Message` small (see [`Responses`]), and
    /// nothing to allocate or count when empty (see [`SharedBytes`]).
    pub context: SharedBytes,
    pub responses: Responses,
}

/// What must be on stable storage before messages are sent: the current term, the vote in it,
/// and the highest index known to be committed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HardState {
    pub term: u64,
    pub vote: u64,
    pub commit: u64,
}

impl HardState {
    /// etcd's `IsEmptyHardState`.
    pub fn is_empty(&self) -> bool {
        *self == HardState::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_size_matches_protobuf_encoding() {
        // Term and Index are one tag byte plus a one-byte varint each; "abc" adds tag, length
        // and three bytes; a normal entry's type is not encoded.
        let e = Entry {
            term: 1,
            index: 2,
            entry_type: EntryType::EntryNormal,
            data: b"abc"[..].into(),
        };
        assert_eq!(e.size(), 4 + 5);
        let big = Entry {
            term: 300,
            index: 1 << 20,
            entry_type: EntryType::EntryConfChange,
            ..Default::default()
        };
        assert_eq!(big.size(), 2 + 3 + 4);
    }

    #[test]
    fn message_type_names_round_trip() {
        for t in MessageType::ALL {
            assert_eq!(MessageType::from_name(t.name()), Some(t));
        }
        assert_eq!(MessageType::from_name("MsgNope"), None);
    }
}
