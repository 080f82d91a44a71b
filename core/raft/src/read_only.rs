//! Bookkeeping for linearizable reads (etcd's read_only.go).
//!
//! A leader answering a ReadIndex request must first make sure it still leads. With
//! `ReadOnlySafe` it does so by attaching a counter to a round of heartbeats: once a quorum has
//! acknowledged a heartbeat carrying a counter value `n`, every read registered before that
//! heartbeat (positions `< n`) is confirmed. With `ReadOnlyLeaseBased` the leader trusts its
//! lease and answers right away, so this module is only used in the safe mode.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::quorum::{AckedIndexer, Index, JointConfig};
use crate::raftpb::Message;
use crate::state::ReadOnlyOption;

/// A read waiting for leadership confirmation: the request as received, and the commit index at
/// the time it arrived (the index the reader must wait for).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ReadIndexRequest {
    pub(crate) req: Message,
    pub index: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ReadOnly {
    pub(crate) option: ReadOnlyOption,
    /// For each peer, the highest heartbeat counter it acknowledged.
    pub(crate) acks: BTreeMap<u64, u64>,
    /// Reads not yet confirmed, oldest first.
    pub(crate) unconfirmed_reads: VecDeque<ReadIndexRequest>,
    /// How many reads were confirmed (and removed from the front of `unconfirmed_reads`) so far.
    /// Together with the queue length it gives every read a stable position, which is what the
    /// heartbeat counter refers to.
    pub(crate) confirmed_reads: u64,
}

impl ReadOnly {
    pub fn new(option: ReadOnlyOption) -> ReadOnly {
        ReadOnly {
            option,
            acks: BTreeMap::new(),
            unconfirmed_reads: VecDeque::new(),
            confirmed_reads: 0,
        }
    }

    /// Registers a read that arrived while the commit index was `commit_index`.
    pub(crate) fn add_request(&mut self, commit_index: u64, req: Message) {
        self.unconfirmed_reads.push_back(ReadIndexRequest {
            req,
            index: commit_index,
        });
    }

    /// Records that `from` acknowledged a heartbeat carrying `ctx`. An empty context belongs to
    /// a heartbeat that confirmed nothing.
    pub(crate) fn recv_ack(&mut self, from: u64, ctx: &[u8]) {
        if ctx.is_empty() {
            return;
        }
        let n = decode_ctx(ctx);
        let e = self.acks.entry(from).or_insert(0);
        *e = (*e).max(n);
    }

    /// Confirms and returns, oldest first, every read a quorum of `c` has acknowledged.
    pub(crate) fn maybe_advance(&mut self, c: &JointConfig) -> Vec<ReadIndexRequest> {
        let new_confirmed = u64::from(c.committed_index(self));
        if new_confirmed <= self.confirmed_reads {
            return Vec::new();
        }
        // A quorum can only acknowledge counters the leader sent, and those never exceed the
        // number of reads registered, so the drain stays within the queue.
        let n = ((new_confirmed - self.confirmed_reads) as usize).min(self.unconfirmed_reads.len());
        self.confirmed_reads = new_confirmed;
        self.unconfirmed_reads.drain(..n).collect()
    }

    /// The context to attach to heartbeats so that their acknowledgements confirm every read
    /// registered so far; empty when nothing waits.
    pub(crate) fn heartbeat_ctx(&self) -> Vec<u8> {
        if self.unconfirmed_reads.is_empty() {
            return Vec::new();
        }
        let position = self.confirmed_reads + self.unconfirmed_reads.len() as u64;
        position.to_le_bytes().to_vec()
    }
}

impl AckedIndexer for ReadOnly {
    fn acked_index(&self, voter_id: u64) -> Option<Index> {
        self.acks.get(&voter_id).map(|&i| Index::from(i))
    }
}

/// Reads the little-endian counter of a heartbeat context. etcd always sends eight bytes; a
/// shorter context from a foreign peer is read as if zero-padded rather than rejected.
fn decode_ctx(ctx: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    let n = ctx.len().min(8);
    b[..n].copy_from_slice(&ctx[..n]);
    u64::from_le_bytes(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quorum::MajorityConfig;
    use crate::raftpb::{Entry, MessageType};

    fn req(ctx: &[u8]) -> Message {
        Message {
            msg_type: MessageType::MsgReadIndex,
            entries: vec![Entry {
                data: ctx.to_vec().into(),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    fn joint(ids: &[u64]) -> JointConfig {
        let mut c = JointConfig::default();
        c.0[0] = MajorityConfig::from_iter(ids.iter().copied());
        c
    }

    #[test]
    fn heartbeat_ctx_counts_every_registered_read() {
        let mut ro = ReadOnly::new(ReadOnlyOption::ReadOnlySafe);
        assert!(
            ro.heartbeat_ctx().is_empty(),
            "nothing to confirm, nothing to attach"
        );
        ro.add_request(5, req(b"a"));
        assert_eq!(ro.heartbeat_ctx(), 1u64.to_le_bytes().to_vec());
        ro.add_request(6, req(b"b"));
        assert_eq!(ro.heartbeat_ctx(), 2u64.to_le_bytes().to_vec());
    }

    #[test]
    fn reads_are_confirmed_by_a_quorum_in_order() {
        let cfg = joint(&[1, 2, 3]);
        let mut ro = ReadOnly::new(ReadOnlyOption::ReadOnlySafe);
        ro.add_request(5, req(b"a"));
        let ctx1 = ro.heartbeat_ctx();
        ro.recv_ack(1, &ctx1);
        ro.add_request(7, req(b"b"));
        let ctx2 = ro.heartbeat_ctx();
        ro.recv_ack(1, &ctx2);
        // Only the leader acked so far: no quorum.
        assert!(ro.maybe_advance(&cfg).is_empty());
        // Peer 2 acks the first heartbeat only: the first read is confirmed, not the second.
        ro.recv_ack(2, &ctx1);
        let got = ro.maybe_advance(&cfg);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].index, 5);
        assert_eq!(&got[0].req.entries[0].data[..], b"a");
        assert!(
            ro.maybe_advance(&cfg).is_empty(),
            "a read is confirmed once"
        );
        // A stale ack does not lower what peer 3 acked later.
        ro.recv_ack(3, &ctx2);
        ro.recv_ack(3, &ctx1);
        let got = ro.maybe_advance(&cfg);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].index, 7);
        assert!(ro.unconfirmed_reads.is_empty());
        assert!(ro.heartbeat_ctx().is_empty());
        // Positions keep counting after confirmations.
        ro.add_request(9, req(b"c"));
        assert_eq!(ro.heartbeat_ctx(), 3u64.to_le_bytes().to_vec());
    }

    #[test]
    fn empty_context_is_not_an_ack() {
        let mut ro = ReadOnly::new(ReadOnlyOption::ReadOnlySafe);
        ro.recv_ack(2, &[]);
        assert!(ro.acks.is_empty());
        assert_eq!(ro.acked_index(2), None);
    }
}
