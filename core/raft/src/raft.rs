//! The Raft state machine (etcd's raft.go): one node's view of the protocol, driven by `tick` and
//! `step`, with the behaviour of every role (follower, pre-candidate, candidate, leader).
//!
//! The machine never performs I/O. Messages for peers are queued in `msgs`; responses that must
//! wait until the node's own unstable state is durable (append acks and votes, including those
//! addressed to the node itself) are queued in `msgs_after_append`. `RawNode` hands both out in
//! a `Ready` and steps the self-addressed ones back in at `advance`, exactly like etcd.

use std::fmt;

use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg32;
use serde::{Deserialize, Serialize};

use crate::confchange::{self, Changer};
use crate::error::{Error, Result};
use crate::fatal::{fatal, misuse};
use crate::gofmt::go_slice;
use crate::log::{EntryID, LogSlice, RaftLog};
use crate::logger::{discard_logger, SharedLogger};
use crate::quorum::VoteResult;
use crate::raftpb::confchange::{
    conf_change_as_v2, describe_conf_change_v2, unmarshal_conf_change, unmarshal_conf_change_v2,
};
use crate::raftpb::{
    ConfChangeV2, ConfState, Entry, EntryType, HardState, Message, MessageType, SharedBytes,
    Snapshot,
};
use crate::read_only::ReadOnly;
use crate::state::{ReadOnlyOption, ReadState, SoftState, StateType, NONE};
use crate::storage::Storage;
use crate::tracker::{self, Inflights, Progress, ProgressMap, ProgressState, ProgressTracker};
use crate::util::{
    assert_conf_states_equivalent, conf_states_equivalent, ents_size, is_local_msg_target,
    payloads_size, vote_resp_msg_type, NO_LIMIT,
};

/// Why a node campaigns (etcd's `CampaignType`). The transfer variant's name travels in the
/// vote request's context so that voters can tell a leader transfer from a disruptive election.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum CampaignType {
    /// The first phase of an election when PreVote is enabled.
    PreElection,
    /// A normal, time-based election (the second phase with PreVote).
    Election,
    /// An election requested by the leader (MsgTimeoutNow); it bypasses leases.
    Transfer,
}

const CAMPAIGN_TRANSFER: &[u8] = b"CampaignTransfer";

/// The parameters of a node. `Config::new` gives etcd-like defaults; `validate` applies etcd's
/// rules with etcd's texts.
#[derive(Clone)]
pub struct Config {
    /// This node's id; never 0.
    pub id: u64,
    /// Ticks without hearing from a leader before a follower campaigns; must exceed
    /// `heartbeat_tick` (etcd suggests ten times).
    pub election_tick: usize,
    /// Ticks between a leader's heartbeats.
    pub heartbeat_tick: usize,
    /// The last applied index when restarting; entries up to it are not handed out again.
    pub applied: u64,
    /// Byte limit of the entries in one MsgApp (`u64::MAX` unlimited, 0 one entry per message).
    pub max_size_per_msg: u64,
    /// Byte limit of committed entries being applied at once; 0 means `max_size_per_msg`.
    pub max_committed_size_per_ready: u64,
    /// Byte limit of uncommitted payloads on a leader; proposals beyond it are dropped. 0 means
    /// no limit.
    pub max_uncommitted_entries_size: u64,
    /// Number of MsgApps in flight to one follower while replicating optimistically.
    pub max_inflight_msgs: usize,
    /// Bytes in flight to one follower; 0 means no limit.
    pub max_inflight_bytes: u64,
    /// A leader steps down when a quorum was not active during an election timeout.
    pub check_quorum: bool,
    /// Run a pre-vote round before campaigning (Raft thesis 9.6).
    pub pre_vote: bool,
    pub read_only_option: ReadOnlyOption,
    /// Followers drop proposals instead of forwarding them to the leader.
    pub disable_proposal_forwarding: bool,
    pub disable_conf_change_validation: bool,
    /// A leader removed from (or demoted in) the configuration steps down.
    pub step_down_on_removal: bool,
    /// Where log lines go; `None` discards them.
    pub logger: Option<SharedLogger>,
    /// Seeds the generator of randomized election timeouts, the crate's only randomness.
    pub seed: u64,
    /// Hand storage work to local threads as messages instead of doing it in the
    /// Ready/Advance loop (etcd's `AsyncStorageWrites`). A `Ready` then carries a
    /// `MsgStorageAppend` for the append thread (entries, hard state, snapshot) and a
    /// `MsgStorageApply` for the apply thread (committed entries), each with the responses to
    /// deliver once the work is done; `advance` must not be called. Messages to one thread must
    /// be processed in order and never dropped.
    pub async_storage_writes: bool,
}

impl Config {
    /// A configuration with etcd's customary values: election after 10 ticks, heartbeat every
    /// tick, 1 MiB messages, 256 messages in flight, no size limits otherwise. The seed is the
    /// id, so nodes of one cluster draw different election timeouts.
    pub fn new(id: u64) -> Config {
        Config {
            id,
            election_tick: 10,
            heartbeat_tick: 1,
            applied: 0,
            max_size_per_msg: 1024 * 1024,
            max_committed_size_per_ready: 0,
            max_uncommitted_entries_size: 0,
            max_inflight_msgs: 256,
            max_inflight_bytes: 0,
            check_quorum: false,
            pre_vote: false,
            read_only_option: ReadOnlyOption::ReadOnlySafe,
            disable_proposal_forwarding: false,
            disable_conf_change_validation: false,
            step_down_on_removal: false,
            logger: None,
            seed: id,
            async_storage_writes: false,
        }
    }

    /// Checks the rules etcd's `Config.validate` checks, in the same order and with the same
    /// texts. The defaults etcd fills in there (for zero size limits) are applied by
    /// `Raft::new`, which leaves the caller's configuration untouched.
    pub fn validate(&self) -> Result<()> {
        let err = |s: &str| Err(Error::Config(s.to_string()));
        if self.id == NONE {
            return err("cannot use none as id");
        }
        if is_local_msg_target(self.id) {
            return err("cannot use local target as id");
        }
        if self.heartbeat_tick == 0 {
            return err("heartbeat tick must be greater than 0");
        }
        if self.election_tick <= self.heartbeat_tick {
            return err("election tick must be greater than heartbeat tick");
        }
        if self.max_inflight_msgs == 0 {
            return err("max inflight messages must be greater than 0");
        }
        if self.max_inflight_bytes != 0 && self.max_inflight_bytes < self.max_size_per_msg {
            return err("max inflight bytes must be >= max message size");
        }
        if self.read_only_option == ReadOnlyOption::ReadOnlyLeaseBased && !self.check_quorum {
            return err("CheckQuorum must be enabled when ReadOnlyOption is ReadOnlyLeaseBased");
        }
        // Not an etcd rule (Go's integers wrap silently): randomized timeouts go up to twice
        // the election tick, which must not overflow.
        if self.election_tick > usize::MAX / 2 {
            return err("election tick is too large");
        }
        Ok(())
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("id", &self.id)
            .field("election_tick", &self.election_tick)
            .field("heartbeat_tick", &self.heartbeat_tick)
            .field("applied", &self.applied)
            .field("max_size_per_msg", &self.max_size_per_msg)
            .field(
                "max_committed_size_per_ready",
                &self.max_committed_size_per_ready,
            )
            .field(
                "max_uncommitted_entries_size",
                &self.max_uncommitted_entries_size,
            )
            .field("max_inflight_msgs", &self.max_inflight_msgs)
            .field("max_inflight_bytes", &self.max_inflight_bytes)
            .field("check_quorum", &self.check_quorum)
            .field("pre_vote", &self.pre_vote)
            .field("read_only_option", &self.read_only_option)
            .field(
                "disable_proposal_forwarding",
                &self.disable_proposal_forwarding,
            )
            .field(
                "disable_conf_change_validation",
                &self.disable_conf_change_validation,
            )
            .field("step_down_on_removal", &self.step_down_on_removal)
            .field("logger", &self.logger.as_ref().map(|_| ".."))
            .field("seed", &self.seed)
            .field("async_storage_writes", &self.async_storage_writes)
            .finish()
    }
}

/// One node's Raft state machine. Fields mirror etcd's `raft` struct and are public so the
/// playground can show (and tests can arrange) every detail.
#[derive(Clone)]
pub struct Raft<S: Storage> {
    pub id: u64,
    pub term: u64,
    pub vote: u64,
    /// Answers to ReadIndex requests, handed out in the next Ready.
    pub(crate) read_states: Vec<ReadState>,
    pub raft_log: RaftLog<S>,
    pub(crate) max_msg_size: u64,
    pub(crate) max_uncommitted_size: u64,
    pub trk: ProgressTracker,
    pub state: StateType,
    /// Whether this node is a learner in its current configuration.
    pub is_learner: bool,
    /// Messages to peers that may be sent right away.
    pub msgs: Vec<Message>,
    /// Messages that may only be sent once the unstable state they vouch for is durable
    /// (MsgAppResp, MsgVoteResp, MsgPreVoteResp), self-addressed ones included.
    pub msgs_after_append: Vec<Message>,
    pub lead: u64,
    /// The target of an ongoing leader transfer, or NONE.
    pub lead_transferee: u64,
    /// At least the index of the latest conf change in the log that may still be unapplied; a
    /// leader accepts a new conf change only once it applied past this index.
    pub pending_conf_index: u64,
    pub(crate) disable_conf_change_validation: bool,
    /// An estimate (never an overestimate) of the payload bytes in the leader's uncommitted
    /// tail; reset on term changes.
    pub(crate) uncommitted_size: u64,
    pub(crate) read_only: ReadOnly,
    /// Ticks since the last election timeout (leader, candidates) or since the last valid
    /// message from the leader (followers).
    pub election_elapsed: usize,
    /// Ticks since the last heartbeat round (leader only).
    pub(crate) heartbeat_elapsed: usize,
    pub(crate) check_quorum: bool,
    pub(crate) pre_vote: bool,
    pub heartbeat_timeout: usize,
    pub(crate) election_timeout: usize,
    /// Drawn in `[election_timeout, 2 * election_timeout)` whenever the node resets.
    pub randomized_election_timeout: usize,
    pub(crate) disable_proposal_forwarding: bool,
    pub(crate) step_down_on_removal: bool,
    /// ReadIndex requests a new leader received before committing an entry of its own term;
    /// they are answered once it does.
    pub(crate) pending_read_index_messages: Vec<Message>,
    logger: SharedLogger,
    rng: Pcg32,
}

impl<S: Storage> fmt::Debug for Raft<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Raft")
            .field("id", &self.id)
            .field("term", &self.term)
            .field("vote", &self.vote)
            .field("state", &self.state)
            .field("lead", &self.lead)
            .field("lead_transferee", &self.lead_transferee)
            .field("committed", &self.raft_log.committed)
            .field("applied", &self.raft_log.applied)
            .field("election_elapsed", &self.election_elapsed)
            .field("heartbeat_elapsed", &self.heartbeat_elapsed)
            .field(
                "randomized_election_timeout",
                &self.randomized_election_timeout,
            )
            .field("msgs", &self.msgs)
            .field("msgs_after_append", &self.msgs_after_append)
            .finish_non_exhaustive()
    }
}

impl<S: Storage> Raft<S> {
    /// Builds a node from its configuration and storage (etcd's `newRaft`): restores the
    /// membership from the stored ConfState and the term, vote and commit index from the stored
    /// HardState, and starts as a follower.
    pub fn new(c: &Config, storage: S) -> Result<Raft<S>> {
        c.validate()?;
        let logger: SharedLogger = match &c.logger {
            Some(l) => l.clone(),
            None => discard_logger(),
        };
        let max_uncommitted = if c.max_uncommitted_entries_size == 0 {
            NO_LIMIT
        } else {
            c.max_uncommitted_entries_size
        };
        let max_committed_per_ready = if c.max_committed_size_per_ready == 0 {
            c.max_size_per_msg
        } else {
            c.max_committed_size_per_ready
        };
        let max_inflight_bytes = if c.max_inflight_bytes == 0 {
            NO_LIMIT
        } else {
            c.max_inflight_bytes
        };

        let (hs, cs) = storage.initial_state()?;
        let raft_log = RaftLog::new_log_with_size(storage, logger.clone(), max_committed_per_ready);

        let mut r = Raft {
            id: c.id,
            term: 0,
            vote: NONE,
            read_states: Vec::new(),
            raft_log,
            max_msg_size: c.max_size_per_msg,
            max_uncommitted_size: max_uncommitted,
            trk: ProgressTracker::new(c.max_inflight_msgs, max_inflight_bytes),
            state: StateType::StateFollower,
            is_learner: false,
            msgs: Vec::new(),
            msgs_after_append: Vec::new(),
            lead: NONE,
            lead_transferee: NONE,
            pending_conf_index: 0,
            disable_conf_change_validation: c.disable_conf_change_validation,
            uncommitted_size: 0,
            read_only: ReadOnly::new(c.read_only_option),
            election_elapsed: 0,
            heartbeat_elapsed: 0,
            check_quorum: c.check_quorum,
            pre_vote: c.pre_vote,
            heartbeat_timeout: c.heartbeat_tick,
            election_timeout: c.election_tick,
            randomized_election_timeout: 0,
            disable_proposal_forwarding: c.disable_proposal_forwarding,
            step_down_on_removal: c.step_down_on_removal,
            pending_read_index_messages: Vec::new(),
            logger,
            rng: Pcg32::seed_from_u64(c.seed),
        };

        let last_id = r.raft_log.last_entry_id();
        let changer = Changer {
            tracker: r.trk.clone(),
            last_index: last_id.index,
        };
        let (cfg, trk) = confchange::restore(changer, &cs)?;
        let new_cs = r.switch_to_config(cfg, trk);
        // A ConfState the tracker cannot represent (duplicate ids, say) comes from the
        // application's storage: refuse it rather than run with a membership nobody persisted.
        if let Err(e) = conf_states_equivalent(&cs, &new_cs) {
            return Err(misuse(&r.logger, e));
        }

        if !hs.is_empty() {
            r.load_state(&hs)?;
        }
        if c.applied > 0 {
            // The application claims to have applied more than is committed, or less than the
            // storage's snapshot: its configuration and storage disagree.
            let (prev, committed) = (r.raft_log.applied, r.raft_log.committed);
            if c.applied > committed || c.applied < prev {
                let msg = format!(
                    "applied({}) is out of range [prevApplied({}), committed({})]",
                    c.applied, prev, committed
                );
                return Err(misuse(&r.logger, msg));
            }
            r.raft_log.applied_to(c.applied, 0);
        }
        r.become_follower(r.term, NONE);

        let peers: Vec<String> = r
            .trk
            .voter_nodes()
            .iter()
            .map(|n| format!("{:x}", n))
            .collect();
        r.logger.info(format_args!(
            "newRaft {:x} [peers: [{}], term: {}, commit: {}, applied: {}, lastindex: {}, lastterm: {}]",
            r.id,
            peers.join(","),
            r.term,
            r.raft_log.committed,
            r.raft_log.applied,
            last_id.index,
            last_id.term
        ));
        Ok(r)
    }

    /// The logger the node reports to (shared with its log).
    pub(crate) fn logger(&self) -> &SharedLogger {
        &self.logger
    }

    /// Replaces the logger, e.g. after cloning a node into a new context.
    pub fn set_logger(&mut self, logger: SharedLogger) {
        self.raft_log.set_logger(logger.clone());
        self.logger = logger;
    }

    pub(crate) fn soft_state(&self) -> SoftState {
        SoftState {
            lead: self.lead,
            raft_state: self.state,
        }
    }

    pub fn hard_state(&self) -> HardState {
        HardState {
            term: self.term,
            vote: self.vote,
            commit: self.raft_log.committed,
        }
    }

    /// Queues a message (etcd's `send`): stamps sender and term, and routes durability-bound
    /// responses to `msgs_after_append`.
    ///
    /// Always inlined, with the invariant breaches out of line: every message passes through
    /// here, and inlined the message is built where it is pushed. Out of line it was built,
    /// copied into the call and copied again into the queue, and the copy read in 16-byte
    /// pieces what the caller had just written in 8-byte ones, which stalls store forwarding
    /// (perf showed most of send's time on those loads).
    #[inline(always)]
    pub(crate) fn send(&mut self, mut m: Message) {
        if m.from == NONE {
            m.from = self.id;
        }
        match m.msg_type {
            MessageType::MsgVote
            | MessageType::MsgVoteResp
            | MessageType::MsgPreVote
            | MessageType::MsgPreVoteResp => {
                // Campaign messages always name the term they are about (the next term for
                // pre-votes), so a zero term can only be a bug.
                if m.term == 0 {
                    self.send_fatal_no_term(m.msg_type);
                }
            }
            _ => {
                if m.term != 0 {
                    self.send_fatal_term_set(m.msg_type, m.term);
                }
                // Proposals and read requests forwarded to the leader act like local messages
                // there, so they carry no term.
                if m.msg_type != MessageType::MsgProp && m.msg_type != MessageType::MsgReadIndex {
                    m.term = self.term;
                }
            }
        }
        if matches!(
            m.msg_type,
            MessageType::MsgAppResp | MessageType::MsgVoteResp | MessageType::MsgPreVoteResp
        ) {
            // Acknowledging entries or granting a vote promises something about this node's
            // durable state, so such responses wait until the state they depend on is persisted
            // (rejections too: they are rare and it is the conservative choice).
            self.msgs_after_append.push(m);
        } else {
            if m.to == self.id {
                self.send_fatal_self_addressed(m.msg_type);
            }
            self.msgs.push(m);
        }
    }

    #[cold]
    #[inline(never)]
    fn send_fatal_no_term(&self, t: MessageType) -> ! {
        fatal(
            &self.logger,
            format!("term should be set when sending {}", t),
        )
    }

    #[cold]
    #[inline(never)]
    fn send_fatal_term_set(&self, t: MessageType, term: u64) -> ! {
        fatal(
            &self.logger,
            format!("term should not be set when sending {} (was {})", t, term),
        )
    }

    #[cold]
    #[inline(never)]
    fn send_fatal_self_addressed(&self, t: MessageType) -> ! {
        fatal(
            &self.logger,
            format!("message should not be self-addressed when sending {}", t),
        )
    }

    /// Sends an append (possibly empty, to convey the commit index) to `to`.
    pub(crate) fn send_append(&mut self, to: u64) {
        self.maybe_send_append(to, true);
    }

    /// Sends an append with the entries `to` is missing, if flow control allows; with
    /// `send_if_empty` false, only when there are entries to send. Returns whether a message
    /// (append or snapshot) went out.
    pub(crate) fn maybe_send_append(&mut self, to: u64, send_if_empty: bool) -> bool {
        // `pr` borrows only the tracker: the log is read alongside it, and it is looked up once.
        let Some(pr) = self.trk.progress.get_mut(&to) else {
            return false;
        };
        if pr.is_paused() {
            return false;
        }
        let next = pr.next;
        let prev_index = next - 1;
        let prev_term = match self.raft_log.term(prev_index) {
            Ok(t) => t,
            // The entries the follower needs were compacted away: only a snapshot can help.
            Err(_) => return self.maybe_send_snapshot(to),
        };

        let mut ents = Vec::new();
        let mut failed = false;
        // A throttled replicating follower only gets empty appends: they still elicit responses
        // that free the inflight window if the earlier appends were lost.
        if pr.state != ProgressState::StateReplicate || !pr.inflights.full() {
            match self.raft_log.entries(next, self.max_msg_size) {
                Ok(e) => ents = e,
                Err(_) => failed = true,
            }
        }
        if ents.is_empty() && !send_if_empty {
            return false;
        }
        if failed {
            return self.maybe_send_snapshot(to);
        }

        let commit = self.raft_log.committed;
        // Recorded before the message is queued, while the progress is at hand: queueing a
        // message reads nothing of it.
        pr.sent_entries(ents.len(), payloads_size(&ents));
        pr.sent_commit(commit);
        self.send(Message {
            to,
            msg_type: MessageType::MsgApp,
            index: prev_index,
            log_term: prev_term,
            entries: ents,
            commit,
            ..Default::default()
        });
        true
    }

    /// Sends the storage's snapshot to `to` if it was recently active. Returns whether it did.
    fn maybe_send_snapshot(&mut self, to: u64) -> bool {
        let recent_active = self
            .trk
            .progress
            .get(&to)
            .map(|p| p.recent_active)
            .unwrap_or(false);
        if !recent_active {
            self.logger.debug(format_args!(
                "ignore sending snapshot to {:x} since it is not recently active",
                to
            ));
            return false;
        }
        let snapshot = match self.raft_log.snapshot() {
            Ok(s) => s,
            Err(Error::SnapshotTemporarilyUnavailable) => {
                self.logger.debug(format_args!(
                    "{:x} failed to send snapshot to {:x} because snapshot is temporarily unavailable",
                    self.id, to
                ));
                return false;
            }
            Err(e) => fatal(&self.logger, e.to_string()),
        };
        if snapshot.is_empty() {
            fatal(&self.logger, "need non-empty snapshot".to_string());
        }
        let (sindex, sterm) = (snapshot.metadata.index, snapshot.metadata.term);
        let first = self.raft_log.first_index();
        let committed = self.raft_log.committed;
        let pr = self
            .trk
            .progress
            .get_mut(&to)
            .expect("progress checked above");
        self.logger.debug(format_args!(
            "{:x} [firstindex: {}, commit: {}] sent snapshot[index: {}, term: {}] to {:x} [{}]",
            self.id, first, committed, sindex, sterm, to, pr
        ));
        pr.become_snapshot(sindex);
        self.logger.debug(format_args!(
            "{:x} paused sending replication messages to {:x} [{}]",
            self.id, to, pr
        ));
        self.send(Message {
            to,
            msg_type: MessageType::MsgSnap,
            snapshot: Some(Box::new(snapshot)),
            ..Default::default()
        });
        true
    }

    /// Sends a heartbeat to `to`. Its commit index is capped at what the follower is known to
    /// hold: a follower must never commit an index it may not have (or have a different entry
    /// at).
    pub(crate) fn send_heartbeat(&mut self, to: u64, ctx: SharedBytes) {
        let Some(pr) = self.trk.progress.get(&to) else {
            return;
        };
        let commit = pr.matched.min(self.raft_log.committed);
        self.send(Message {
            to,
            msg_type: MessageType::MsgHeartbeat,
            commit,
            context: ctx,
            ..Default::default()
        });
        if let Some(pr) = self.trk.progress.get_mut(&to) {
            pr.sent_commit(commit);
        }
    }

    /// Calls `f` on every tracked node but this one, in ascending id order. The ids are
    /// gathered first, since `f` needs the node mutably; on the stack for the usual small
    /// clusters, because a broadcast goes out for nearly every proposal.
    fn for_each_peer(&mut self, mut f: impl FnMut(&mut Self, u64)) {
        const ON_STACK: usize = 16;
        let me = self.id;
        if self.trk.progress.len() <= ON_STACK {
            // A plain loop over the keys: wrapped in iterator adapters, the map's iterator was
            // copied between stack slots in pieces of a size other than it was written in, a
            // store-forwarding stall that perf showed as most of this function's time.
            let mut ids = [0u64; ON_STACK];
            let mut n = 0;
            for &id in self.trk.progress.keys() {
                if id != me {
                    ids[n] = id;
                    n += 1;
                }
            }
            for &id in &ids[..n] {
                f(self, id);
            }
        } else {
            let ids: Vec<u64> = self
                .trk
                .progress
                .keys()
                .copied()
                .filter(|&id| id != me)
                .collect();
            for id in ids {
                f(self, id);
            }
        }
    }

    /// Sends appends to every peer that is not up to date.
    pub(crate) fn bcast_append(&mut self) {
        self.for_each_peer(|r, id| r.send_append(id));
    }

    /// Sends heartbeats to every peer, carrying the pending reads' context.
    pub(crate) fn bcast_heartbeat(&mut self) {
        let ctx = self.read_only.heartbeat_ctx();
        self.bcast_heartbeat_with_ctx(ctx);
    }

    fn bcast_heartbeat_with_ctx(&mut self, ctx: Vec<u8>) {
        // One copy of the context, shared by every peer's message.
        let ctx: SharedBytes = ctx.into();
        self.for_each_peer(|r, id| r.send_heartbeat(id, ctx.clone()));
    }

    /// Records that entries up to `index` were applied (`size` bytes of them), and leaves an
    /// auto-leave joint configuration once its entry is applied.
    pub(crate) fn applied_to(&mut self, index: u64, size: u64) {
        let new_applied = index.max(self.raft_log.applied);
        self.raft_log.applied_to(new_applied, size);

        if self.trk.config.auto_leave
            && new_applied >= self.pending_conf_index
            && self.state == StateType::StateLeader
        {
            // An empty ConfChangeV2 means "leave the joint configuration"; its payload is empty,
            // so the uncommitted-size limit can never refuse it. A leader transfer can, in which
            // case the next applied entry tries again.
            let m = Message {
                msg_type: MessageType::MsgProp,
                entries: vec![Entry {
                    entry_type: EntryType::EntryConfChangeV2,
                    ..Default::default()
                }],
                ..Default::default()
            };
            match self.step(m) {
                Err(e) => self.logger.debug(format_args!(
                    "not initiating automatic transition out of joint configuration {}: {}",
                    self.trk.config, e
                )),
                Ok(()) => self.logger.info(format_args!(
                    "initiating automatic transition out of joint configuration {}",
                    self.trk.config
                )),
            }
        }
    }

    /// Handles the acknowledgement that the entries up to `index`, of encoded size `size` and
    /// payload size `payload_size`, were applied: a `MsgStorageApplyResp` (term 0, so always
    /// of the current term), or `RawNode::advance` with synchronous writes.
    pub(crate) fn storage_apply_resp(
        &mut self,
        index: u64,
        size: u64,
        payload_size: u64,
    ) -> Result<()> {
        self.check_applied(index)?;
        self.applied_to(index, size);
        self.reduce_uncommitted_size(payload_size);
        Ok(())
    }

    /// Records that the snapshot was persisted and applied.
    pub(crate) fn applied_snap(&mut self, snap: &Snapshot) {
        let index = snap.metadata.index;
        self.raft_log.stable_snap_to(index);
        self.applied_to(index, 0);
    }

    /// Advances the commit index to what a quorum acknowledged, if that is an entry of the
    /// current term. Returns whether it moved. Leader only.
    pub(crate) fn maybe_commit(&mut self) -> bool {
        let committed = self.trk.committed();
        self.raft_log.maybe_commit(EntryID {
            term: self.term,
            index: committed,
        })
    }

    /// Resets the per-term state (etcd's `reset`).
    pub(crate) fn reset(&mut self, term: u64) {
        if self.term != term {
            self.term = term;
            self.vote = NONE;
        }
        self.lead = NONE;

        self.election_elapsed = 0;
        self.heartbeat_elapsed = 0;
        self.reset_randomized_election_timeout();

        self.abort_leader_transfer();

        self.trk.reset_votes();
        let last_index = self.raft_log.last_index();
        let (max_inflight, max_bytes) = (self.trk.max_inflight, self.trk.max_inflight_bytes);
        let id = self.id;
        for (&pid, pr) in self.trk.progress.iter_mut() {
            let is_learner = pr.is_learner;
            *pr = Progress {
                matched: if pid == id { last_index } else { 0 },
                next: last_index + 1,
                inflights: Inflights::new(max_inflight, max_bytes),
                is_learner,
                ..Default::default()
            };
        }

        self.pending_conf_index = 0;
        self.uncommitted_size = 0;
        self.read_only = ReadOnly::new(self.read_only.option);
    }

    /// Appends proposed entries at the current term (etcd's `appendEntry`). Returns false when
    /// the uncommitted-size limit refuses them.
    pub(crate) fn append_entry(&mut self, es: Vec<Entry>) -> bool {
        let li = self.raft_log.last_index();
        let mut es = es;
        for (i, e) in es.iter_mut().enumerate() {
            e.term = self.term;
            e.index = li + 1 + i as u64;
        }
        if !self.increase_uncommitted_size(&es) {
            self.logger.warn(format_args!(
                "{:x} appending new entries to log would exceed uncommitted entry size limit; dropping proposal",
                self.id
            ));
            return false;
        }
        let li = self.raft_log.append_owned(es);
        // The leader acknowledges its own entries like a follower would, once they are durable:
        // the self-addressed response is stepped back in at Advance.
        self.send(Message {
            to: self.id,
            msg_type: MessageType::MsgAppResp,
            index: li,
            ..Default::default()
        });
        true
    }

    /// Advances the node's clock by one tick.
    pub(crate) fn tick(&mut self) {
        match self.state {
            StateType::StateLeader => self.tick_heartbeat(),
            _ => self.tick_election(),
        }
    }

    /// The tick of followers and candidates: campaign once the election timeout passed.
    pub(crate) fn tick_election(&mut self) {
        self.election_elapsed += 1;
        if self.promotable() && self.past_election_timeout() {
            self.election_elapsed = 0;
            let m = Message {
                from: self.id,
                msg_type: MessageType::MsgHup,
                ..Default::default()
            };
            if let Err(e) = self.step(m) {
                self.logger
                    .debug(format_args!("error occurred during election: {}", e));
            }
        }
    }

    /// The tick of leaders: heartbeats, the quorum check and the leader-transfer deadline.
    pub(crate) fn tick_heartbeat(&mut self) {
        self.heartbeat_elapsed += 1;
        self.election_elapsed += 1;

        if self.election_elapsed >= self.election_timeout {
            self.election_elapsed = 0;
            if self.check_quorum {
                let m = Message {
                    from: self.id,
                    msg_type: MessageType::MsgCheckQuorum,
                    ..Default::default()
                };
                if let Err(e) = self.step(m) {
                    self.logger.debug(format_args!(
                        "error occurred during checking sending heartbeat: {}",
                        e
                    ));
                }
            }
            // A transfer that did not finish within an election timeout is given up.
            if self.state == StateType::StateLeader && self.lead_transferee != NONE {
                self.abort_leader_transfer();
            }
        }

        if self.state != StateType::StateLeader {
            return;
        }

        if self.heartbeat_elapsed >= self.heartbeat_timeout {
            self.heartbeat_elapsed = 0;
            let m = Message {
                from: self.id,
                msg_type: MessageType::MsgBeat,
                ..Default::default()
            };
            if let Err(e) = self.step(m) {
                self.logger.debug(format_args!(
                    "error occurred during checking sending heartbeat: {}",
                    e
                ));
            }
        }
    }

    pub(crate) fn become_follower(&mut self, term: u64, lead: u64) {
        self.reset(term);
        self.lead = lead;
        self.state = StateType::StateFollower;
        self.logger.info(format_args!(
            "{:x} became follower at term {}",
            self.id, self.term
        ));
    }

    pub(crate) fn become_candidate(&mut self) {
        if self.state == StateType::StateLeader {
            fatal(
                &self.logger,
                "invalid transition [leader -> candidate]".to_string(),
            );
        }
        self.reset(self.term + 1);
        self.vote = self.id;
        self.state = StateType::StateCandidate;
        self.logger.info(format_args!(
            "{:x} became candidate at term {}",
            self.id, self.term
        ));
    }

    pub(crate) fn become_pre_candidate(&mut self) {
        if self.state == StateType::StateLeader {
            fatal(
                &self.logger,
                "invalid transition [leader -> pre-candidate]".to_string(),
            );
        }
        // A pre-candidate changes neither its term nor its vote: the pre-vote round must leave
        // no trace if it fails.
        self.trk.reset_votes();
        self.lead = NONE;
        self.state = StateType::StatePreCandidate;
        self.logger.info(format_args!(
            "{:x} became pre-candidate at term {}",
            self.id, self.term
        ));
    }

    pub(crate) fn become_leader(&mut self) {
        if self.state == StateType::StateFollower {
            fatal(
                &self.logger,
                "invalid transition [follower -> leader]".to_string(),
            );
        }
        self.reset(self.term);
        self.lead = self.id;
        self.state = StateType::StateLeader;
        // The leader trivially replicates to itself, and counts as active for CheckQuorum.
        if let Some(pr) = self.trk.progress.get_mut(&self.id) {
            pr.become_replicate();
            pr.recent_active = true;
        }
        // Whether or not a conf change is pending in the uncommitted tail, treating the whole
        // tail as pending is safe and avoids scanning it.
        self.pending_conf_index = self.raft_log.last_index();

        if !self.append_entry(vec![Entry::default()]) {
            // reset() just cleared the uncommitted size, and an empty entry is free.
            fatal(&self.logger, "empty entry was dropped".to_string());
        }
        self.logger.info(format_args!(
            "{:x} became leader at term {}",
            self.id, self.term
        ));
    }

    /// Starts an election of the given kind if this node may (etcd's `hup`).
    pub(crate) fn hup(&mut self, t: CampaignType) {
        if self.state == StateType::StateLeader {
            self.logger.debug(format_args!(
                "{:x} ignoring MsgHup because already leader",
                self.id
            ));
            return;
        }
        if !self.promotable() {
            self.logger.warn(format_args!(
                "{:x} is unpromotable and can not campaign",
                self.id
            ));
            return;
        }
        if self.has_unapplied_conf_changes() {
            self.logger.warn(format_args!(
                "{:x} cannot campaign at term {} since there are still pending configuration changes to apply",
                self.id, self.term
            ));
            return;
        }
        self.logger.info(format_args!(
            "{:x} is starting a new election at term {}",
            self.id, self.term
        ));
        self.campaign(t);
    }

    /// Whether a committed but unapplied entry changes the configuration: a node must not
    /// campaign with a configuration it is about to replace.
    fn has_unapplied_conf_changes(&self) -> bool {
        if self.raft_log.applied >= self.raft_log.committed {
            return false;
        }
        let (lo, hi) = (self.raft_log.applied + 1, self.raft_log.committed + 1);
        let mut found = false;
        let page_size = self.raft_log.max_applying_ents_size;
        let res = self.raft_log.scan(lo, hi, page_size, |ents: &[Entry]| {
            if ents.iter().any(|e| {
                matches!(
                    e.entry_type,
                    EntryType::EntryConfChange | EntryType::EntryConfChangeV2
                )
            }) {
                found = true;
                return false;
            }
            true
        });
        if let Err(e) = res {
            fatal(
                &self.logger,
                format!("error scanning unapplied entries [{}, {}): {}", lo, hi, e),
            );
        }
        found
    }

    /// Becomes (pre-)candidate and asks every voter for its (pre-)vote. The own vote is a
    /// self-addressed response, counted once the vote is durable.
    pub(crate) fn campaign(&mut self, t: CampaignType) {
        if !self.promotable() {
            self.logger.warn(format_args!(
                "{:x} is unpromotable; campaign() should have been called",
                self.id
            ));
        }
        let (term, vote_msg) = if t == CampaignType::PreElection {
            self.become_pre_candidate();
            // Pre-votes are requested for the term the node would campaign in.
            (self.term + 1, MessageType::MsgPreVote)
        } else {
            self.become_candidate();
            (self.term, MessageType::MsgVote)
        };
        let ids: Vec<u64> = self.trk.config.voters.ids().into_iter().collect();
        for id in ids {
            if id == self.id {
                self.send(Message {
                    to: id,
                    term,
                    msg_type: vote_resp_msg_type(vote_msg),
                    ..Default::default()
                });
                continue;
            }
            let last = self.raft_log.last_entry_id();
            self.logger.info(format_args!(
                "{:x} [logterm: {}, index: {}] sent {} request to {:x} at term {}",
                self.id, last.term, last.index, vote_msg, id, self.term
            ));
            let context = if t == CampaignType::Transfer {
                CAMPAIGN_TRANSFER.to_vec()
            } else {
                Vec::new()
            };
            self.send(Message {
                to: id,
                term,
                msg_type: vote_msg,
                index: last.index,
                log_term: last.term,
                context: context.into(),
                ..Default::default()
            });
        }
    }

    /// Records a (pre-)vote and tallies the election.
    pub(crate) fn poll(&mut self, id: u64, t: MessageType, v: bool) -> (usize, usize, VoteResult) {
        if v {
            self.logger.info(format_args!(
                "{:x} received {} from {:x} at term {}",
                self.id, t, id, self.term
            ));
        } else {
            self.logger.info(format_args!(
                "{:x} received {} rejection from {:x} at term {}",
                self.id, t, id, self.term
            ));
        }
        self.trk.record_vote(id, v);
        self.trk.tally_votes()
    }

    /// Advances the state machine with a message (etcd's `Step`): first the term rules common
    /// to all roles, then the votes, then the role's own step function.
    pub(crate) fn step(&mut self, mut m: Message) -> Result<()> {
        self.step_mut(&mut m)
    }

    /// [`step`](Self::step) on a message the caller holds: the handlers move out of it what
    /// they keep (entries, context), and the caller drops the rest. Messages are large, and
    /// each move by value costs a copy; the hot paths (`RawNode::step`, `advance`) step the
    /// message where it lies.
    pub(crate) fn step_mut(&mut self, m: &mut Message) -> Result<()> {
        self.check_step(m)?;
        if m.term == 0 {
            // A local message.
        } else if m.term > self.term {
            if matches!(m.msg_type, MessageType::MsgVote | MessageType::MsgPreVote) {
                let force = *m.context == *CAMPAIGN_TRANSFER;
                let in_lease = self.check_quorum
                    && self.lead != NONE
                    && self.election_elapsed < self.election_timeout;
                if !force && in_lease {
                    // Within the minimum election timeout of hearing from a leader, a vote
                    // request is ignored altogether: neither the term nor the vote changes.
                    let last = self.raft_log.last_entry_id();
                    self.logger.info(format_args!(
                        "{:x} [logterm: {}, index: {}, vote: {:x}] ignored {} from {:x} [logterm: {}, index: {}] at term {}: lease is not expired (remaining ticks: {})",
                        self.id,
                        last.term,
                        last.index,
                        self.vote,
                        m.msg_type,
                        m.from,
                        m.log_term,
                        m.index,
                        self.term,
                        self.election_timeout as i64 - self.election_elapsed as i64
                    ));
                    return Ok(());
                }
            }
            match m.msg_type {
                // A pre-vote never changes the term.
                MessageType::MsgPreVote => {}
                // A granted pre-vote carries the term the node is about to campaign in; the term
                // only moves once a quorum granted. A rejection's term is the rejecter's, though.
                MessageType::MsgPreVoteResp if !m.reject => {}
                _ => {
                    self.logger.info(format_args!(
                        "{:x} [term: {}] received a {} message with higher term from {:x} [term: {}]",
                        self.id, self.term, m.msg_type, m.from, m.term
                    ));
                    if matches!(
                        m.msg_type,
                        MessageType::MsgApp | MessageType::MsgHeartbeat | MessageType::MsgSnap
                    ) {
                        self.become_follower(m.term, m.from);
                    } else {
                        self.become_follower(m.term, NONE);
                    }
                }
            }
        } else if m.term < self.term {
            if (self.check_quorum || self.pre_vote)
                && matches!(m.msg_type, MessageType::MsgHeartbeat | MessageType::MsgApp)
            {
                // A leader of an older term is still around. With CheckQuorum or PreVote this
                // node's higher term may never reach it through votes (they are ignored under a
                // lease or never escalate the term), so answer with our term to make it step
                // down instead of leaving both stuck.
                self.send(Message {
                    to: m.from,
                    msg_type: MessageType::MsgAppResp,
                    ..Default::default()
                });
            } else if m.msg_type == MessageType::MsgPreVote {
                // Reject explicitly: a pre-candidate with a stale term would otherwise wait
                // forever (it cannot learn of the higher term from a dropped message).
                let last = self.raft_log.last_entry_id();
                self.logger.info(format_args!(
                    "{:x} [logterm: {}, index: {}, vote: {:x}] rejected {} from {:x} [logterm: {}, index: {}] at term {}",
                    self.id, last.term, last.index, self.vote, m.msg_type, m.from, m.log_term, m.index, self.term
                ));
                self.send(Message {
                    to: m.from,
                    term: self.term,
                    msg_type: MessageType::MsgPreVoteResp,
                    reject: true,
                    ..Default::default()
                });
            } else if m.msg_type == MessageType::MsgStorageAppendResp {
                if m.index != 0 {
                    // The entries may have been replaced in a later term: not stable.
                    self.logger.info(format_args!(
                        "{:x} [term: {}] ignored entry appends from a {} message with lower term [term: {}]",
                        self.id, self.term, m.msg_type, m.term
                    ));
                }
                if let Some(snap) = &m.snapshot {
                    // A snapshot is committed state, valid whatever the term.
                    self.check_applied(snap.metadata.index)?;
                    self.applied_snap(snap);
                }
            } else {
                self.logger.info(format_args!(
                    "{:x} [term: {}] ignored a {} message with lower term from {:x} [term: {}]",
                    self.id, self.term, m.msg_type, m.from, m.term
                ));
            }
            return Ok(());
        }

        match m.msg_type {
            MessageType::MsgHup => {
                if self.pre_vote {
                    self.hup(CampaignType::PreElection);
                } else {
                    self.hup(CampaignType::Election);
                }
            }
            MessageType::MsgStorageAppendResp => {
                if m.index != 0 {
                    self.raft_log.stable_to(EntryID {
                        term: m.log_term,
                        index: m.index,
                    });
                }
                if let Some(snap) = &m.snapshot {
                    self.check_applied(snap.metadata.index)?;
                    self.applied_snap(snap);
                }
            }
            MessageType::MsgStorageApplyResp => {
                if let Some(last) = m.entries.last() {
                    let (size, payload) = (ents_size(&m.entries), payloads_size(&m.entries));
                    self.storage_apply_resp(last.index, size, payload)?;
                }
            }
            MessageType::MsgVote | MessageType::MsgPreVote => {
                // A vote may be cast if it repeats the vote already cast, if this node neither
                // voted nor knows a leader in this term, or if it is a pre-vote for a future
                // term; and only for a candidate whose log is at least as up to date.
                let can_vote = self.vote == m.from
                    || (self.vote == NONE && self.lead == NONE)
                    || (m.msg_type == MessageType::MsgPreVote && m.term > self.term);
                let last_id = self.raft_log.last_entry_id();
                let (cand_last_term, cand_last_index) = (m.log_term, m.index);
                // Learners vote too: a learner may have been promoted without knowing it yet,
                // and the candidate's request is how it learns.
                if can_vote
                    && self.raft_log.is_up_to_date(EntryID {
                        term: cand_last_term,
                        index: cand_last_index,
                    })
                {
                    self.logger.info(format_args!(
                        "{:x} [logterm: {}, index: {}, vote: {:x}] cast {} for {:x} [logterm: {}, index: {}] at term {}",
                        self.id,
                        last_id.term,
                        last_id.index,
                        self.vote,
                        m.msg_type,
                        m.from,
                        cand_last_term,
                        cand_last_index,
                        self.term
                    ));
                    // The response carries the request's term, not ours: for pre-votes ours may
                    // be older, and the pre-candidate ignores responses from older terms.
                    self.send(Message {
                        to: m.from,
                        term: m.term,
                        msg_type: vote_resp_msg_type(m.msg_type),
                        ..Default::default()
                    });
                    if m.msg_type == MessageType::MsgVote {
                        // Only real votes are recorded.
                        self.election_elapsed = 0;
                        self.vote = m.from;
                    }
                } else {
                    if self.term == 0 {
                        // A rejection carries our term, and term 0 would read as a local
                        // message. A node at term 0 has only term-0 entries and has voted for
                        // nobody unless its storage holds a log newer than its HardState.
                        return Err(Error::Misuse(format!(
                            "{:x} cannot reject {} from {:x} at term 0: its log is newer than its term",
                            self.id, m.msg_type, m.from
                        )));
                    }
                    self.logger.info(format_args!(
                        "{:x} [logterm: {}, index: {}, vote: {:x}] rejected {} from {:x} [logterm: {}, index: {}] at term {}",
                        self.id,
                        last_id.term,
                        last_id.index,
                        self.vote,
                        m.msg_type,
                        m.from,
                        cand_last_term,
                        cand_last_index,
                        self.term
                    ));
                    self.send(Message {
                        to: m.from,
                        term: self.term,
                        msg_type: vote_resp_msg_type(m.msg_type),
                        reject: true,
                        ..Default::default()
                    });
                }
            }
            _ => match self.state {
                // The handlers borrow the message too, for the same reason.
                StateType::StateLeader => return self.step_leader(m),
                StateType::StateCandidate | StateType::StatePreCandidate => {
                    return self.step_candidate(m)
                }
                StateType::StateFollower => return self.step_follower(m),
            },
        }
        Ok(())
    }

    fn step_leader(&mut self, m: &mut Message) -> Result<()> {
        // Messages that need no progress for the sender.
        match m.msg_type {
            MessageType::MsgBeat => {
                self.bcast_heartbeat();
                return Ok(());
            }
            MessageType::MsgCheckQuorum => {
                if !self.trk.quorum_active() {
                    self.logger.warn(format_args!(
                        "{:x} stepped down to follower since quorum is not active",
                        self.id
                    ));
                    self.become_follower(self.term, NONE);
                }
                // Everyone but the leader must prove activity again before the next check.
                let id = self.id;
                for (&pid, pr) in self.trk.progress.iter_mut() {
                    if pid != id {
                        pr.recent_active = false;
                    }
                }
                return Ok(());
            }
            MessageType::MsgProp => {
                if m.entries.is_empty() {
                    // Only a peer can send this (RawNode::propose always carries an entry).
                    return Err(Error::Misuse(format!(
                        "{:x} stepped empty MsgProp",
                        self.id
                    )));
                }
                if !self.trk.progress.contains_key(&self.id) {
                    // This leader was removed from the configuration: it takes no proposals.
                    return Err(Error::ProposalDropped);
                }
                if self.lead_transferee != NONE {
                    self.logger.debug(format_args!(
                        "{:x} [term {}] transfer leadership to {:x} is in progress; dropping proposal",
                        self.id, self.term, self.lead_transferee
                    ));
                    return Err(Error::ProposalDropped);
                }

                for i in 0..m.entries.len() {
                    let Some(cc) = conf_change_of(&m.entries[i])? else {
                        continue;
                    };
                    let already_pending = self.pending_conf_index > self.raft_log.applied;
                    let already_joint = !self.trk.config.voters.0[1].is_empty();
                    let wants_leave_joint = cc.changes.is_empty();

                    let failed_check = if already_pending {
                        format!(
                            "possible unapplied conf change at index {} (applied to {})",
                            self.pending_conf_index, self.raft_log.applied
                        )
                    } else if already_joint && !wants_leave_joint {
                        "must transition out of joint config first".to_string()
                    } else if !already_joint && wants_leave_joint {
                        "not in joint state; refusing empty conf change".to_string()
                    } else {
                        String::new()
                    };

                    if !failed_check.is_empty() && !self.disable_conf_change_validation {
                        self.logger.info(format_args!(
                            "{:x} ignoring conf change {} at config {}: {}",
                            self.id,
                            describe_conf_change_v2(&cc),
                            self.trk.config,
                            failed_check
                        ));
                        m.entries[i] = Entry {
                            entry_type: EntryType::EntryNormal,
                            ..Default::default()
                        };
                    } else {
                        self.pending_conf_index = self.raft_log.last_index() + i as u64 + 1;
                    }
                }

                if !self.append_entry(std::mem::take(&mut m.entries)) {
                    return Err(Error::ProposalDropped);
                }
                self.bcast_append();
                return Ok(());
            }
            MessageType::MsgReadIndex => {
                // The leader is the only voter: its own acknowledgement is a quorum.
                if self.trk.is_singleton() {
                    let committed = self.raft_log.committed;
                    let m = std::mem::take(m);
                    if let Some(resp) = self.response_to_read_index_req(m, committed) {
                        self.send(resp);
                    }
                    return Ok(());
                }
                // Until an entry of its own term is committed, a new leader does not know the
                // full commit index, so reads wait.
                if !self.committed_entry_in_current_term() {
                    self.pending_read_index_messages.push(std::mem::take(m));
                    return Ok(());
                }
                self.send_msg_read_index_response(std::mem::take(m));
                return Ok(());
            }
            MessageType::MsgForgetLeader => {
                // A leader does not forget itself.
                return Ok(());
            }
            _ => {}
        }

        // Everything else concerns a peer the leader tracks. Acknowledgements, the most common
        // message by far, look their progress up themselves (once, not twice).
        let from = m.from;
        if m.msg_type == MessageType::MsgAppResp {
            self.handle_append_response(m);
            return Ok(());
        }
        if !self.trk.progress.contains_key(&from) {
            self.log_no_progress(from);
            return Ok(());
        }
        match m.msg_type {
            MessageType::MsgHeartbeatResp => {
                let last_index = self.raft_log.last_index();
                let pr = self.trk.progress.get_mut(&from).expect("checked above");
                pr.recent_active = true;
                pr.msg_app_flow_paused = false;
                // An append (possibly empty) lets a follower that is behind, or caught up but
                // probing, recover even if the appends that filled its window were all lost. A
                // follower receiving a snapshot is paused, so nothing goes out to it.
                if pr.matched < last_index || pr.state == ProgressState::StateProbe {
                    self.send_append(from);
                }

                if self.read_only.option != ReadOnlyOption::ReadOnlySafe || m.context.is_empty() {
                    return Ok(());
                }
                self.read_only.recv_ack(from, &m.context);
                let rss = self.read_only.maybe_advance(&self.trk.config.voters);
                for rs in rss {
                    if let Some(resp) = self.response_to_read_index_req(rs.req, rs.index) {
                        self.send(resp);
                    }
                }
            }
            MessageType::MsgSnapStatus => {
                let pr = self.trk.progress.get_mut(&from).expect("checked above");
                if pr.state != ProgressState::StateSnapshot {
                    return Ok(());
                }
                if !m.reject {
                    pr.become_probe();
                    self.logger.debug(format_args!(
                        "{:x} snapshot succeeded, resumed sending replication messages to {:x} [{}]",
                        self.id, from, pr
                    ));
                } else {
                    // Forget the snapshot first, or probing would resume from the index of a
                    // snapshot that never arrived.
                    pr.pending_snapshot = 0;
                    pr.become_probe();
                    self.logger.debug(format_args!(
                        "{:x} snapshot failed, resumed sending replication messages to {:x} [{}]",
                        self.id, from, pr
                    ));
                }
                // After a successful snapshot, wait for the follower's MsgAppResp before
                // sending more; after a failure, wait for a heartbeat round before retrying.
                pr.msg_app_flow_paused = true;
            }
            MessageType::MsgUnreachable => {
                let pr = self.trk.progress.get_mut(&from).expect("checked above");
                // An optimistic append to an unreachable peer was probably lost.
                if pr.state == ProgressState::StateReplicate {
                    pr.become_probe();
                }
                self.logger.debug(format_args!(
                    "{:x} failed to send message to {:x} because it is unreachable [{}]",
                    self.id, from, pr
                ));
            }
            MessageType::MsgTransferLeader => {
                let pr = &self.trk.progress[&from];
                if pr.is_learner {
                    self.logger.debug(format_args!(
                        "{:x} is learner. Ignored transferring leadership",
                        self.id
                    ));
                    return Ok(());
                }
                let lead_transferee = from;
                let last_lead_transferee = self.lead_transferee;
                if last_lead_transferee != NONE {
                    if last_lead_transferee == lead_transferee {
                        self.logger.info(format_args!(
                            "{:x} [term {}] transfer leadership to {:x} is in progress, ignores request to same node {:x}",
                            self.id, self.term, lead_transferee, lead_transferee
                        ));
                        return Ok(());
                    }
                    self.abort_leader_transfer();
                    self.logger.info(format_args!(
                        "{:x} [term {}] abort previous transferring leadership to {:x}",
                        self.id, self.term, last_lead_transferee
                    ));
                }
                if lead_transferee == self.id {
                    self.logger.debug(format_args!(
                        "{:x} is already leader. Ignored transferring leadership to self",
                        self.id
                    ));
                    return Ok(());
                }
                self.logger.info(format_args!(
                    "{:x} [term {}] starts to transfer leadership to {:x}",
                    self.id, self.term, lead_transferee
                ));
                // The transfer must complete within an election timeout.
                self.election_elapsed = 0;
                self.lead_transferee = lead_transferee;
                if self.trk.progress[&from].matched == self.raft_log.last_index() {
                    self.send_timeout_now(lead_transferee);
                    self.logger.info(format_args!(
                        "{:x} sends MsgTimeoutNow to {:x} immediately as {:x} already has up-to-date log",
                        self.id, lead_transferee, lead_transferee
                    ));
                } else {
                    self.send_append(lead_transferee);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The leader's handling of MsgAppResp, from peers and (at Advance) from itself.
    fn handle_append_response(&mut self, m: &Message) {
        let from = m.from;
        let Some(pr) = self.trk.progress.get_mut(&from) else {
            self.log_no_progress(from);
            return;
        };
        pr.recent_active = true;

        if m.reject {
            // The hint is the follower's guess of the highest index where the logs may agree,
            // and log_term its term there (0 from old versions or an empty log).
            self.logger.debug(format_args!(
                "{:x} received MsgAppResp(rejected, hint: (index {}, term {})) from {:x} for index {}",
                self.id, m.reject_hint, m.log_term, from, m.index
            ));
            let mut next_probe_idx = m.reject_hint;
            if m.log_term > 0 {
                // Skip every index where the leader's term exceeds the follower's term at the
                // hint: terms never decrease along a log, so those probes would fail too. This
                // probes at most once per term of the leader's log.
                next_probe_idx = self
                    .raft_log
                    .find_conflict_by_term(m.reject_hint, m.log_term)
                    .0;
            }
            let pr = self
                .trk
                .progress
                .get_mut(&from)
                .expect("caller checked the progress");
            if pr.maybe_decr_to(m.index, next_probe_idx) {
                self.logger.debug(format_args!(
                    "{:x} decreased progress of {:x} to [{}]",
                    self.id, from, pr
                ));
                if pr.state == ProgressState::StateReplicate {
                    pr.become_probe();
                }
                self.send_append(from);
            }
            return;
        }

        // Update on progress, or on an acknowledgement that lets a probing follower resume
        // replicating (heartbeat_resp_recovers_from_probing). A follower receiving a snapshot
        // can't resume from an ack at its current match: the snapshot is still pending.
        let updated = pr.maybe_update(m.index);
        if !(updated || (pr.matched == m.index && pr.state == ProgressState::StateProbe)) {
            return;
        }
        // `pr` borrows only the tracker, so the log can be asked alongside (and only when the
        // follower is waiting for a snapshot) without looking the progress up again.
        match pr.state {
            ProgressState::StateProbe => pr.become_replicate(),
            ProgressState::StateSnapshot if pr.matched + 1 >= self.raft_log.first_index() => {
                // Whatever index the snapshot was applied at, the log can now catch the
                // follower up. Go through probing so the snapshot is accounted for, and on
                // to replicating so the status is consistent right away.
                self.logger.debug(format_args!(
                    "{:x} recovered from needing snapshot, resumed sending replication messages to {:x} [{}]",
                    self.id, from, pr
                ));
                pr.become_probe();
                pr.become_replicate();
            }
            ProgressState::StateReplicate => pr.inflights.free_le(m.index),
            _ => {}
        }

        if self.maybe_commit() {
            // An entry of this term is committed: pending reads can be served.
            self.release_pending_read_index_messages();
            self.bcast_append();
        } else if self.id != from
            && self.trk.progress[&from].can_bump_commit(self.raft_log.committed)
        {
            // The follower may lack the latest commit index; tell it now rather than at the
            // next heartbeat.
            self.send_append(from);
        }
        // The window may have opened for several messages (probe to replicate, or an ack that
        // freed several inflights): send all the entries that fit, but no empty appends.
        if self.id != from {
            while self.maybe_send_append(from, false) {}
        }
        if from == self.lead_transferee
            && self.trk.progress.get(&from).map(|p| p.matched) == Some(self.raft_log.last_index())
        {
            self.logger.info(format_args!(
                "{:x} sent MsgTimeoutNow to {:x} after received MsgAppResp",
                self.id, from
            ));
            self.send_timeout_now(from);
        }
    }

    /// A leader got a message about a peer it does not track, and ignores it.
    fn log_no_progress(&self, from: u64) {
        self.logger.debug(format_args!(
            "{:x} no progress available for {:x}",
            self.id, from
        ));
    }

    /// The step function of candidates and pre-candidates; they differ only in which vote
    /// responses they count (a candidate may still get stale pre-vote responses).
    fn step_candidate(&mut self, m: &mut Message) -> Result<()> {
        let my_vote_resp_type = if self.state == StateType::StatePreCandidate {
            MessageType::MsgPreVoteResp
        } else {
            MessageType::MsgVoteResp
        };
        match m.msg_type {
            MessageType::MsgProp => {
                self.logger.info(format_args!(
                    "{:x} no leader at term {}; dropping proposal",
                    self.id, self.term
                ));
                return Err(Error::ProposalDropped);
            }
            // A leader of this very term exists: follow it.
            MessageType::MsgApp => {
                self.become_follower(m.term, m.from);
                self.handle_append_entries(m);
            }
            MessageType::MsgHeartbeat => {
                self.become_follower(m.term, m.from);
                self.handle_heartbeat(m);
            }
            MessageType::MsgSnap => {
                self.become_follower(m.term, m.from);
                self.handle_snapshot(std::mem::take(m));
            }
            t if t == my_vote_resp_type => {
                let (gr, rj, res) = self.poll(m.from, m.msg_type, !m.reject);
                self.logger.info(format_args!(
                    "{:x} has received {} {} votes and {} vote rejections",
                    self.id, gr, m.msg_type, rj
                ));
                match res {
                    VoteResult::Won => {
                        if self.state == StateType::StatePreCandidate {
                            self.campaign(CampaignType::Election);
                        } else {
                            self.become_leader();
                            self.bcast_append();
                        }
                    }
                    VoteResult::Lost => {
                        // A pre-vote response carries the future term: stay at ours.
                        self.become_follower(self.term, NONE);
                    }
                    VoteResult::Pending => {}
                }
            }
            MessageType::MsgTimeoutNow => {
                self.logger.debug(format_args!(
                    "{:x} [term {} state {}] ignored MsgTimeoutNow from {:x}",
                    self.id, self.term, self.state, m.from
                ));
            }
            _ => {}
        }
        Ok(())
    }

    fn step_follower(&mut self, m: &mut Message) -> Result<()> {
        match m.msg_type {
            MessageType::MsgProp => {
                if self.lead == NONE {
                    self.logger.info(format_args!(
                        "{:x} no leader at term {}; dropping proposal",
                        self.id, self.term
                    ));
                    return Err(Error::ProposalDropped);
                } else if self.disable_proposal_forwarding {
                    self.logger.info(format_args!(
                        "{:x} not forwarding to leader {:x} at term {}; dropping proposal",
                        self.id, self.lead, self.term
                    ));
                    return Err(Error::ProposalDropped);
                }
                self.forward_to_leader(std::mem::take(m))?;
            }
            MessageType::MsgApp => {
                self.election_elapsed = 0;
                self.lead = m.from;
                self.handle_append_entries(m);
            }
            MessageType::MsgHeartbeat => {
                self.election_elapsed = 0;
                self.lead = m.from;
                self.handle_heartbeat(m);
            }
            MessageType::MsgSnap => {
                self.election_elapsed = 0;
                self.lead = m.from;
                self.handle_snapshot(std::mem::take(m));
            }
            MessageType::MsgTransferLeader => {
                if self.lead == NONE {
                    self.logger.info(format_args!(
                        "{:x} no leader at term {}; dropping leader transfer msg",
                        self.id, self.term
                    ));
                    return Ok(());
                }
                self.forward_to_leader(std::mem::take(m))?;
            }
            MessageType::MsgForgetLeader => {
                // Under lease-based reads the leader relies on followers not voting for anyone
                // else during its lease; forgetting it would break that promise.
                if self.read_only.option == ReadOnlyOption::ReadOnlyLeaseBased {
                    self.logger.error(format_args!(
                        "ignoring MsgForgetLeader due to ReadOnlyLeaseBased"
                    ));
                    return Ok(());
                }
                if self.lead != NONE {
                    self.logger.info(format_args!(
                        "{:x} forgetting leader {:x} at term {}",
                        self.id, self.lead, self.term
                    ));
                    self.lead = NONE;
                }
            }
            MessageType::MsgTimeoutNow => {
                self.logger.info(format_args!(
                    "{:x} [term {}] received MsgTimeoutNow from {:x} and starts an election to get leadership.",
                    self.id, self.term, m.from
                ));
                // A transfer skips the pre-vote: the leader asked, so this is no partitioned
                // node trying to disrupt the cluster.
                self.hup(CampaignType::Transfer);
            }
            MessageType::MsgReadIndex => {
                if self.lead == NONE {
                    self.logger.info(format_args!(
                        "{:x} no leader at term {}; dropping index reading msg",
                        self.id, self.term
                    ));
                    return Ok(());
                }
                self.forward_to_leader(std::mem::take(m))?;
            }
            MessageType::MsgReadIndexResp => {
                if m.entries.len() != 1 {
                    self.logger.error(format_args!(
                        "{:x} invalid format of MsgReadIndexResp from {:x}, entries count: {}",
                        self.id,
                        m.from,
                        m.entries.len()
                    ));
                    return Ok(());
                }
                let request_ctx = m.entries[0].data.to_vec();
                self.read_states.push(ReadState {
                    index: m.index,
                    request_ctx,
                });
            }
            _ => {}
        }
        Ok(())
    }

    /// Sends a proposal, read request or transfer request on to the leader. They travel
    /// without a term (the leader treats them like its own local requests), so one that
    /// arrives with a term did not come from a correct peer.
    fn forward_to_leader(&mut self, mut m: Message) -> Result<()> {
        if m.term != 0 {
            return Err(Error::Misuse(format!(
                "term should not be set when sending {} (was {})",
                m.msg_type, m.term
            )));
        }
        m.to = self.lead;
        self.send(m);
        Ok(())
    }

    /// Refuses, before anything changes, a message that would break an invariant of the log
    /// if handled: etcd panics on these further down. Only messages that reach the handler in
    /// question are checked (a stale one is still ignored, as in etcd), and no message of a
    /// correct peer fails: leaders send well-formed appends, snapshots of configurations they
    /// installed and commit indexes their followers acknowledged, and followers acknowledge
    /// only what their leader sent.
    fn check_step(&self, m: &Message) -> Result<()> {
        if m.term != 0 && m.term < self.term {
            return Ok(());
        }
        match m.msg_type {
            // A leader ignores these in its own term; anyone else follows the sender and
            // handles them (after moving to the message's term if it is newer).
            MessageType::MsgApp | MessageType::MsgHeartbeat | MessageType::MsgSnap
                if m.term > self.term || self.state != StateType::StateLeader =>
            {
                match m.msg_type {
                    MessageType::MsgApp => self.check_append(m),
                    MessageType::MsgHeartbeat => self.check_commit(m.commit),
                    _ => self.check_snapshot(m),
                }
            }
            MessageType::MsgAppResp
                if self.state == StateType::StateLeader
                    && m.term <= self.term
                    && !m.reject
                    && self.trk.progress.contains_key(&m.from) =>
            {
                let last = self.raft_log.last_index();
                if m.index > last {
                    return Err(Error::Misuse(format!(
                        "{:x} received MsgAppResp from {:x} acknowledging index {} beyond its last index {}",
                        self.id, m.from, m.index, last
                    )));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// A MsgApp must carry a well-formed slice: entries right after `index`, one after the
    /// other, with terms not going down. The log's append assumes it (etcd checks it only in
    /// its tests); a gap or an overlap would index past its entries, or rewrite entries before
    /// the message's `index`, committed ones included.
    fn check_append(&self, m: &Message) -> Result<()> {
        if m.index < self.raft_log.committed {
            // Answered with our commit index; the entries are not looked at.
            return Ok(());
        }
        if m.index.checked_add(m.entries.len() as u64 + 1).is_none() {
            return Err(Error::Misuse(format!(
                "MsgApp from {:x} at index {} with {} entries overflows the index space",
                m.from,
                m.index,
                m.entries.len()
            )));
        }
        // LogSlice::valid's rules for the entries, without cloning them into a slice. Its rule
        // that no entry is newer than the leader's term is left out: breaking it cannot
        // corrupt the log's structure, and etcd's own paper tests send such appends.
        let mut last = EntryID {
            term: m.log_term,
            index: m.index,
        };
        for e in &m.entries {
            let id = EntryID {
                term: e.term,
                index: e.index,
            };
            if id.term < last.term || id.index != last.index + 1 {
                return Err(Error::Misuse(format!(
                    "leader term {}: entries {} and {} not consistent",
                    m.term, last, id
                )));
            }
            last = id;
        }
        Ok(())
    }

    /// A heartbeat's commit index must be in our log: the leader only sends what we
    /// acknowledged, so a higher one means our log lost acknowledged entries.
    fn check_commit(&self, commit: u64) -> Result<()> {
        let last = self.raft_log.last_index();
        if commit > last && commit > self.raft_log.committed {
            return Err(Error::Misuse(format!(
                "tocommit({}) is out of range [lastIndex({})]. Was the raft log corrupted, truncated, or lost?",
                commit, last
            )));
        }
        Ok(())
    }

    /// A snapshot that would be installed must carry a configuration the tracker can
    /// represent exactly; otherwise the node would run with a membership nobody decided.
    fn check_snapshot(&self, m: &Message) -> Result<()> {
        let Some(s) = &m.snapshot else {
            return Ok(());
        };
        if s.metadata.index <= self.raft_log.committed {
            // Ignored as obsolete.
            return Ok(());
        }
        let cs = &s.metadata.conf_state;
        let changer = Changer {
            tracker: ProgressTracker::new(self.trk.max_inflight, self.trk.max_inflight_bytes),
            last_index: s.metadata.index,
        };
        let restored = confchange::restore(changer, cs)
            .map_err(|e| e.to_string())
            .and_then(|(cfg, _)| {
                let trk = ProgressTracker {
                    config: cfg,
                    ..Default::default()
                };
                conf_states_equivalent(cs, &trk.conf_state())
            });
        restored.map_err(|e| {
            Error::Misuse(format!(
                "unable to restore config {}: {}",
                go_conf_state(cs),
                e
            ))
        })
    }

    /// The storage threads may only report applying what is committed.
    fn check_applied(&self, index: u64) -> Result<()> {
        let committed = self.raft_log.committed;
        if index > committed {
            return Err(Error::Misuse(format!(
                "applied({}) is out of range [prevApplied({}), committed({})]",
                index, self.raft_log.applied, committed
            )));
        }
        Ok(())
    }

    /// A follower's handling of MsgApp.
    pub(crate) fn handle_append_entries(&mut self, m: &mut Message) {
        if m.index < self.raft_log.committed {
            // Everything up to the commit index is known to match; tell the leader where we are.
            let committed = self.raft_log.committed;
            self.send(Message {
                to: m.from,
                msg_type: MessageType::MsgAppResp,
                index: committed,
                ..Default::default()
            });
            return;
        }
        let (from, index, log_term, commit) = (m.from, m.index, m.log_term, m.commit);
        let a = LogSlice {
            term: m.term,
            prev: EntryID {
                term: log_term,
                index,
            },
            entries: std::mem::take(&mut m.entries),
        };
        if let Some(mlast_index) = self.raft_log.maybe_append(a, commit) {
            self.send(Message {
                to: from,
                msg_type: MessageType::MsgAppResp,
                index: mlast_index,
                ..Default::default()
            });
            return;
        }
        let our_term = self
            .raft_log
            .zero_term_on_out_of_bounds(self.raft_log.term(index));
        self.logger.debug(format_args!(
            "{:x} [logterm: {}, index: {}] rejected MsgApp [logterm: {}, index: {}] from {:x}",
            self.id, our_term, index, log_term, index, from
        ));

        // Hint the leader at the highest (index, term) that may match: the last entry at or
        // below the probed index whose term is at most the probe's term. This skips a divergent
        // tail of higher-term entries in one round trip. The probed index is at or above the
        // commit index here, and so is the last index, hence the search starts in range.
        let hint_index = index.min(self.raft_log.last_index());
        let (hint_index, hint_term) = self.raft_log.find_conflict_by_term(hint_index, log_term);
        self.send(Message {
            to: from,
            msg_type: MessageType::MsgAppResp,
            index,
            reject: true,
            reject_hint: hint_index,
            log_term: hint_term,
            ..Default::default()
        });
    }

    pub(crate) fn handle_heartbeat(&mut self, m: &mut Message) {
        self.raft_log.commit_to(m.commit);
        self.send(Message {
            to: m.from,
            msg_type: MessageType::MsgHeartbeatResp,
            context: std::mem::take(&mut m.context),
            ..Default::default()
        });
    }

    pub(crate) fn handle_snapshot(&mut self, m: Message) {
        // A MsgSnap always carries a snapshot; a missing one reads as the empty snapshot.
        let s = m.snapshot.unwrap_or_default();
        let (sindex, sterm) = (s.metadata.index, s.metadata.term);
        if self.restore(*s) {
            self.logger.info(format_args!(
                "{:x} [commit: {}] restored snapshot [index: {}, term: {}]",
                self.id, self.raft_log.committed, sindex, sterm
            ));
            let last = self.raft_log.last_index();
            self.send(Message {
                to: m.from,
                msg_type: MessageType::MsgAppResp,
                index: last,
                ..Default::default()
            });
        } else {
            self.logger.info(format_args!(
                "{:x} [commit: {}] ignored snapshot [index: {}, term: {}]",
                self.id, self.raft_log.committed, sindex, sterm
            ));
            let committed = self.raft_log.committed;
            self.send(Message {
                to: m.from,
                msg_type: MessageType::MsgAppResp,
                index: committed,
                ..Default::default()
            });
        }
    }

    /// Resets the log and the configuration to a snapshot. Returns false when the snapshot
    /// was ignored (obsolete, or unusable).
    pub(crate) fn restore(&mut self, s: Snapshot) -> bool {
        if s.metadata.index <= self.raft_log.committed {
            return false;
        }
        if self.state != StateType::StateFollower {
            // Only followers get here. Should a leader ever do, moving to a new term as a
            // follower keeps it from acting on a log it just replaced.
            self.logger.warn(format_args!(
                "{:x} attempted to restore snapshot as leader; should never happen",
                self.id
            ));
            self.become_follower(self.term + 1, NONE);
            return false;
        }

        // The node must be part of the snapshot's configuration: much of the state machine
        // assumes it has a progress of its own.
        let cs = s.metadata.conf_state.clone();
        let found = cs
            .voters
            .iter()
            .chain(cs.learners.iter())
            .chain(cs.voters_outgoing.iter())
            .any(|&id| id == self.id);
        if !found {
            self.logger.warn(format_args!(
                "{:x} attempted to restore snapshot but it is not in the ConfState {}; should never happen",
                self.id,
                go_conf_state(&cs)
            ));
            return false;
        }

        let (id_index, id_term) = (s.metadata.index, s.metadata.term);
        if self.raft_log.match_term(EntryID {
            term: id_term,
            index: id_index,
        }) {
            // The log already holds the snapshot's last entry: just commit up to it.
            let last = self.raft_log.last_entry_id();
            self.logger.info(format_args!(
                "{:x} [commit: {}, lastindex: {}, lastterm: {}] fast-forwarded commit to snapshot [index: {}, term: {}]",
                self.id, self.raft_log.committed, last.index, last.term, id_index, id_term
            ));
            self.raft_log.commit_to(s.metadata.index);
            return false;
        }

        self.raft_log.restore(s);

        // Rebuild the configuration from scratch, with fresh progress for every peer.
        self.trk = ProgressTracker::new(self.trk.max_inflight, self.trk.max_inflight_bytes);
        let changer = Changer {
            tracker: self.trk.clone(),
            last_index: self.raft_log.last_index(),
        };
        let (cfg, trk) = match confchange::restore(changer, &cs) {
            Ok(v) => v,
            Err(e) => fatal(
                &self.logger,
                format!("unable to restore config {}: {}", go_conf_state(&cs), e),
            ),
        };
        let new_cs = self.switch_to_config(cfg, trk);
        assert_conf_states_equivalent(&self.logger, &cs, &new_cs);

        let last = self.raft_log.last_entry_id();
        self.logger.info(format_args!(
            "{:x} [commit: {}, lastindex: {}, lastterm: {}] restored snapshot [index: {}, term: {}]",
            self.id, self.raft_log.committed, last.index, last.term, id_index, id_term
        ));
        true
    }

    /// Whether this node may become leader: it is a voter and is not installing a snapshot.
    pub fn promotable(&self) -> bool {
        match self.trk.progress.get(&self.id) {
            Some(pr) => !pr.is_learner && !self.raft_log.has_next_or_in_progress_snapshot(),
            None => false,
        }
    }

    /// Applies a membership change that was committed (etcd's `applyConfChange`), returning
    /// the new ConfState.
    pub(crate) fn apply_conf_change(&mut self, cc: &ConfChangeV2) -> Result<ConfState> {
        let changer = Changer {
            tracker: self.trk.clone(),
            last_index: self.raft_log.last_index(),
        };
        let res = if cc.leave_joint() {
            changer.leave_joint()
        } else if let Some(auto_leave) = cc.enter_joint() {
            changer.enter_joint(auto_leave, &cc.changes)
        } else {
            changer.simple(&cc.changes)
        };
        let (cfg, trk) = res?;
        Ok(self.switch_to_config(cfg, trk))
    }

    /// Installs a new configuration and reacts to it: a removed or demoted leader may step
    /// down, a leader may commit more (smaller quorum) and probes new peers.
    pub(crate) fn switch_to_config(&mut self, cfg: tracker::Config, trk: ProgressMap) -> ConfState {
        self.trk.config = cfg;
        self.trk.progress = trk;

        self.logger.info(format_args!(
            "{:x} switched to configuration {}",
            self.id, self.trk.config
        ));
        let cs = self.trk.conf_state();
        let (ok, is_learner) = match self.trk.progress.get(&self.id) {
            Some(pr) => (true, pr.is_learner),
            None => (false, false),
        };
        self.is_learner = ok && is_learner;

        if (!ok || self.is_learner) && self.state == StateType::StateLeader {
            // Removed or demoted while leading. Without StepDownOnRemoval the node keeps
            // leading (it no longer counts for the quorum) until the new configuration is
            // committed elsewhere.
            if self.step_down_on_removal {
                self.become_follower(self.term, NONE);
            }
            return cs;
        }

        if self.state != StateType::StateLeader || cs.voters.is_empty() {
            return cs;
        }

        if self.maybe_commit() {
            // The new quorum commits more: let everyone know.
            self.bcast_append();
        } else {
            // Probe newly added peers now rather than at the next heartbeat or proposal.
            self.for_each_peer(|r, id| {
                r.maybe_send_append(id, false);
            });
        }
        // A transfer to a node that is no longer a voter cannot succeed.
        if self.lead_transferee != NONE
            && !self.trk.config.voters.ids().contains(&self.lead_transferee)
        {
            self.abort_leader_transfer();
        }
        cs
    }

    /// Restores term, vote and commit from a persisted HardState. The commit index must lie
    /// within the log.
    pub(crate) fn load_state(&mut self, state: &HardState) -> Result<()> {
        if state.commit < self.raft_log.committed || state.commit > self.raft_log.last_index() {
            let msg = format!(
                "{:x} state.commit {} is out of range [{}, {}]",
                self.id,
                state.commit,
                self.raft_log.committed,
                self.raft_log.last_index()
            );
            return Err(misuse(&self.logger, msg));
        }
        self.raft_log.committed = state.commit;
        self.term = state.term;
        self.vote = state.vote;
        Ok(())
    }

    /// Whether the randomized election timeout has elapsed.
    pub(crate) fn past_election_timeout(&self) -> bool {
        self.election_elapsed >= self.randomized_election_timeout
    }

    /// Draws a new election timeout in `[election_timeout, 2 * election_timeout)`.
    pub(crate) fn reset_randomized_election_timeout(&mut self) {
        let extra = uniform_below(&mut self.rng, self.election_timeout);
        self.randomized_election_timeout = self.election_timeout + extra;
    }

    pub(crate) fn send_timeout_now(&mut self, to: u64) {
        self.send(Message {
            to,
            msg_type: MessageType::MsgTimeoutNow,
            ..Default::default()
        });
    }

    pub(crate) fn abort_leader_transfer(&mut self) {
        self.lead_transferee = NONE;
    }

    /// Whether an entry of the current term is committed. Until then a new leader cannot tell
    /// the cluster's commit index.
    pub(crate) fn committed_entry_in_current_term(&self) -> bool {
        // A leader's term is never 0, so an out-of-range 0 never matches.
        self.raft_log
            .zero_term_on_out_of_bounds(self.raft_log.term(self.raft_log.committed))
            == self.term
    }

    /// The answer to a read request: for a local request the read state is recorded here and
    /// nothing is returned; a peer's request gets a MsgReadIndexResp.
    pub(crate) fn response_to_read_index_req(
        &mut self,
        req: Message,
        read_index: u64,
    ) -> Option<Message> {
        if req.from == NONE || req.from == self.id {
            let request_ctx = req
                .entries
                .into_iter()
                .next()
                .map(|e| e.data.to_vec())
                .unwrap_or_default();
            self.read_states.push(ReadState {
                index: read_index,
                request_ctx,
            });
            return None;
        }
        Some(Message {
            msg_type: MessageType::MsgReadIndexResp,
            to: req.from,
            index: read_index,
            entries: req.entries,
            ..Default::default()
        })
    }

    /// Accounts for newly proposed entries in the uncommitted size. Returns false (and accounts
    /// nothing) if they would exceed the limit. An empty uncommitted tail admits any proposal,
    /// and empty payloads are always admitted: a new leader's empty entry and the automatic
    /// leave of a joint configuration must never be refused.
    pub(crate) fn increase_uncommitted_size(&mut self, ents: &[Entry]) -> bool {
        let s = payloads_size(ents);
        if self.uncommitted_size > 0
            && s > 0
            && self.uncommitted_size.saturating_add(s) > self.max_uncommitted_size
        {
            return false;
        }
        self.uncommitted_size += s;
        true
    }

    /// Accounts for committed entries leaving the uncommitted tail. The estimate saturates at
    /// zero: it may be low (it is reset on term changes), never high.
    pub(crate) fn reduce_uncommitted_size(&mut self, s: u64) {
        self.uncommitted_size = self.uncommitted_size.saturating_sub(s);
    }

    fn release_pending_read_index_messages(&mut self) {
        if self.pending_read_index_messages.is_empty() {
            return;
        }
        if !self.committed_entry_in_current_term() {
            self.logger.error(format_args!(
                "pending MsgReadIndex should be released only after first commit in current term"
            ));
            return;
        }
        let msgs = std::mem::take(&mut self.pending_read_index_messages);
        for m in msgs {
            self.send_msg_read_index_response(m);
        }
    }

    fn send_msg_read_index_response(&mut self, m: Message) {
        match self.read_only.option {
            ReadOnlyOption::ReadOnlySafe => {
                // Confirm leadership with a heartbeat round; the leader acks its own heartbeat.
                self.read_only.add_request(self.raft_log.committed, m);
                let ctx = self.read_only.heartbeat_ctx();
                self.read_only.recv_ack(self.id, &ctx);
                self.bcast_heartbeat();
            }
            ReadOnlyOption::ReadOnlyLeaseBased => {
                let committed = self.raft_log.committed;
                if let Some(resp) = self.response_to_read_index_req(m, committed) {
                    self.send(resp);
                }
            }
        }
    }
}

/// A uniformly distributed number in `[0, n)` (0 when `n` is 0), by rejection sampling so that
/// no value is favoured.
fn uniform_below(rng: &mut Pcg32, n: usize) -> usize {
    if n <= 1 {
        return 0;
    }
    let n = n as u64;
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let v = rng.next_u64();
        if v < zone {
            return (v % n) as usize;
        }
    }
}

/// The membership change an entry carries, if it is a conf change entry (v1 changes as their
/// v2 equivalent). A payload that does not decode is the proposer's mistake.
fn conf_change_of(e: &Entry) -> Result<Option<ConfChangeV2>> {
    let cc = match e.entry_type {
        EntryType::EntryNormal => return Ok(None),
        EntryType::EntryConfChange => {
            unmarshal_conf_change(&e.data).map(|cc| conf_change_as_v2(&cc))
        }
        EntryType::EntryConfChangeV2 => unmarshal_conf_change_v2(&e.data),
    };
    cc.map(Some)
        .map_err(|err| Error::Misuse(format!("proposed conf change does not decode: {}", err)))
}

/// Go's `%v` rendering of a ConfState, for the rare log lines that print one.
fn go_conf_state(cs: &ConfState) -> String {
    format!(
        "{{voters:{} learners:{} voters_outgoing:{} learners_next:{} auto_leave:{}}}",
        go_slice(&cs.voters),
        go_slice(&cs.learners),
        go_slice(&cs.voters_outgoing),
        go_slice(&cs.learners_next),
        cs.auto_leave
    )
}

#[cfg(test)]
// Table-driven cases spell out their tuple types, as etcd's anonymous structs do.
#[allow(clippy::type_complexity)]
pub(crate) mod tests;
