//! What the network tells the space-time trace (`crate::trace`) as it works: each message put
//! in flight, taken out for delivery, or lost, in the order it happened. The cluster drains
//! these notes after every event and files them under that event, so a message's arrow starts
//! at the event that sent it and ends at the one that delivered or lost it, wherever in the
//! code the network was touched.

use raft::raftpb::{Message, MessageType};
use serde::{Deserialize, Serialize};

use crate::clock::Millis;

/// A node's Raft id.
pub type NodeId = u64;

/// The stable id of one message in flight. Ids are handed out in send order and never reused,
/// so "arrival time, then id" is a total, deterministic delivery order.
pub type MessageId = u64;

/// The parts of a message a sequence diagram labels and colours it by: its kind, its ends and
/// the numbers the Raft paper reasons with. A few words, where the message itself may carry
/// entries and a snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageHead {
    pub from: NodeId,
    pub to: NodeId,
    pub msg_type: MessageType,
    pub term: u64,
    pub log_term: u64,
    pub index: u64,
    pub commit: u64,
    /// How many entries it carries.
    pub entries: u32,
    pub reject: bool,
}

impl MessageHead {
    pub fn of(m: &Message) -> MessageHead {
        MessageHead {
            from: m.from,
            to: m.to,
            msg_type: m.msg_type,
            term: m.term,
            log_term: m.log_term,
            index: m.index,
            commit: m.commit,
            entries: u32::try_from(m.entries.len()).unwrap_or(u32::MAX),
            reject: m.reject,
        }
    }

    /// A line that tells it apart from its neighbours: `MsgApp 1→2 term 3 log 3/7 entries 2`.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} {}→{} term {}",
            self.msg_type, self.from, self.to, self.term
        );
        if self.msg_type == MessageType::MsgApp {
            s.push_str(&format!(
                " log {}/{} entries {}",
                self.log_term, self.index, self.entries
            ));
        }
        if self.reject {
            s.push_str(" rejected");
        }
        s
    }
}

/// Why a message never arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LossCause {
    /// Its link was cut (a partition, or a link cut by hand), when it was sent or on the way.
    Cut,
    /// The link's drop rate.
    Random,
    /// Dropped by hand.
    ByHand,
    /// One of its ends went down: a crash closes a node's connections.
    NodeDown,
    /// It arrived, and the recipient could not take it: down, gone, or refusing a removed
    /// member.
    Refused,
}

impl LossCause {
    pub fn name(self) -> &'static str {
        match self {
            LossCause::Cut => "link cut",
            LossCause::Random => "lost by the network",
            LossCause::ByHand => "dropped by hand",
            LossCause::NodeDown => "a node went down",
            LossCause::Refused => "refused on arrival",
        }
    }
}

/// One thing that happened on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WireNote {
    /// Put in flight (a duplicate names the message it copies).
    Sent {
        id: MessageId,
        head: MessageHead,
        arrives_at: Millis,
        copy_of: Option<MessageId>,
        reordered: bool,
    },
    /// Lost as it was sent: it never was in flight.
    LostAtSend { head: MessageHead, cause: LossCause },
    /// Taken out of flight to be stepped into its recipient.
    Taken { id: MessageId },
    /// Lost on the way.
    Lost { id: MessageId, cause: LossCause },
}
