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
use crate::log::{EntryID, LogSlice, RaftLog};
use crate::logger::{discard_logger, SharedLogger};
use crate::quorum::VoteResult;
use crate::raftpb::confchange::{
    conf_change_as_v2, describe_conf_change_v2, unmarshal_conf_change, unmarshal_conf_change_v2,
};
use crate::raftpb::{
    ConfChangeV2, ConfState, Entry, EntryType, HardState, Message, MessageType, Snapshot,
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
pub enum CampaignType {
    /// The first phase of an election when PreVote is enabled.
    PreElection,
    /// A normal, time-based election (the second phase with PreVote).
    Election,
    /// An election requested by the leader (MsgTimeoutNow); it bypasses leases.
    Transfer,
}

impl CampaignType {
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignType::PreElection => "CampaignPreElection",
            CampaignType::Election => "CampaignElection",
            CampaignType::Transfer => "CampaignTransfer",
        }
    }
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
    pub read_states: Vec<ReadState>,
    pub raft_log: RaftLog<S>,
    pub max_msg_size: u64,
    pub max_uncommitted_size: u64,
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
    pub disable_conf_change_validation: bool,
    /// An estimate (never an overestimate) of the payload bytes in the leader's uncommitted
    /// tail; reset on term changes.
    pub uncommitted_size: u64,
    pub read_only: ReadOnly,
    /// Ticks since the last election timeout (leader, candidates) or since the last valid
    /// message from the leader (followers).
    pub election_elapsed: usize,
    /// Ticks since the last heartbeat round (leader only).
    pub heartbeat_elapsed: usize,
    pub check_quorum: bool,
    pub pre_vote: bool,
    pub heartbeat_timeout: usize,
    pub election_timeout: usize,
    /// Drawn in `[election_timeout, 2 * election_timeout)` whenever the node resets.
    pub randomized_election_timeout: usize,
    pub disable_proposal_forwarding: bool,
    pub step_down_on_removal: bool,
    /// ReadIndex requests a new leader received before committing an entry of its own term;
    /// they are answered once it does.
    pub pending_read_index_messages: Vec<Message>,
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
    pub fn logger(&self) -> &SharedLogger {
        &self.logger
    }

    /// Replaces the logger, e.g. after cloning a node into a new context.
    pub fn set_logger(&mut self, logger: SharedLogger) {
        self.raft_log.set_logger(logger.clone());
        self.logger = logger;
    }

    pub fn has_leader(&self) -> bool {
        self.lead != NONE
    }

    pub fn soft_state(&self) -> SoftState {
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
    pub fn send(&mut self, mut m: Message) {
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
                    fatal(
                        &self.logger,
                        format!("term should be set when sending {}", m.msg_type),
                    );
                }
            }
            _ => {
                if m.term != 0 {
                    fatal(
                        &self.logger,
                        format!(
                            "term should not be set when sending {} (was {})",
                            m.msg_type, m.term
                        ),
                    );
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
                fatal(
                    &self.logger,
                    format!(
                        "message should not be self-addressed when sending {}",
                        m.msg_type
                    ),
                );
            }
            self.msgs.push(m);
        }
    }

    /// Sends an append (possibly empty, to convey the commit index) to `to`.
    pub fn send_append(&mut self, to: u64) {
        self.maybe_send_append(to, true);
    }

    /// Sends an append with the entries `to` is missing, if flow control allows; with
    /// `send_if_empty` false, only when there are entries to send. Returns whether a message
    /// (append or snapshot) went out.
    pub fn maybe_send_append(&mut self, to: u64, send_if_empty: bool) -> bool {
        let Some(pr) = self.trk.progress.get(&to) else {
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

        let n = ents.len();
        let bytes = payloads_size(&ents);
        let commit = self.raft_log.committed;
        self.send(Message {
            to,
            msg_type: MessageType::MsgApp,
            index: prev_index,
            log_term: prev_term,
            entries: ents,
            commit,
            ..Default::default()
        });
        let pr = self
            .trk
            .progress
            .get_mut(&to)
            .expect("progress checked above");
        pr.sent_entries(n, bytes);
        pr.sent_commit(commit);
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
            snapshot: Some(snapshot),
            ..Default::default()
        });
        true
    }

    /// Sends a heartbeat to `to`. Its commit index is capped at what the follower is known to
    /// hold: a follower must never commit an index it may not have (or have a different entry
    /// at).
    pub fn send_heartbeat(&mut self, to: u64, ctx: Vec<u8>) {
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

    fn peer_ids(&self) -> Vec<u64> {
        self.trk
            .progress
            .keys()
            .copied()
            .filter(|&id| id != self.id)
            .collect()
    }

    /// Sends appends to every peer that is not up to date.
    pub fn bcast_append(&mut self) {
        for id in self.peer_ids() {
            self.send_append(id);
        }
    }

    /// Sends heartbeats to every peer, carrying the pending reads' context.
    pub fn bcast_heartbeat(&mut self) {
        let ctx = self.read_only.heartbeat_ctx();
        self.bcast_heartbeat_with_ctx(ctx);
    }

    fn bcast_heartbeat_with_ctx(&mut self, ctx: Vec<u8>) {
        for id in self.peer_ids() {
            self.send_heartbeat(id, ctx.clone());
        }
    }

    /// Records that entries up to `index` were applied (`size` bytes of them), and leaves an
    /// auto-leave joint configuration once its entry is applied.
    pub fn applied_to(&mut self, index: u64, size: u64) {
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

    /// Records that the snapshot was persisted and applied.
    pub fn applied_snap(&mut self, snap: &Snapshot) {
        let index = snap.metadata.index;
        self.raft_log.stable_snap_to(index);
        self.applied_to(index, 0);
    }

    /// Advances the commit index to what a quorum acknowledged, if that is an entry of the
    /// current term. Returns whether it moved. Leader only.
    pub fn maybe_commit(&mut self) -> bool {
        let committed = self.trk.committed();
        self.raft_log.maybe_commit(EntryID {
            term: self.term,
            index: committed,
        })
    }

    /// Resets the per-term state (etcd's `reset`).
    pub fn reset(&mut self, term: u64) {
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
    pub fn append_entry(&mut self, es: Vec<Entry>) -> bool {
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
        let li = self.raft_log.append(&es);
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
    pub fn tick(&mut self) {
        match self.state {
            StateType::StateLeader => self.tick_heartbeat(),
            _ => self.tick_election(),
        }
    }

    /// The tick of followers and candidates: campaign once the election timeout passed.
    pub fn tick_election(&mut self) {
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
    pub fn tick_heartbeat(&mut self) {
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

    pub fn become_follower(&mut self, term: u64, lead: u64) {
        self.reset(term);
        self.lead = lead;
        self.state = StateType::StateFollower;
        self.logger.info(format_args!(
            "{:x} became follower at term {}",
            self.id, self.term
        ));
    }

    pub fn become_candidate(&mut self) {
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

    pub fn become_pre_candidate(&mut self) {
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

    pub fn become_leader(&mut self) {
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
    pub fn hup(&mut self, t: CampaignType) {
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
    pub fn campaign(&mut self, t: CampaignType) {
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
                context,
                ..Default::default()
            });
        }
    }

    /// Records a (pre-)vote and tallies the election.
    pub fn poll(&mut self, id: u64, t: MessageType, v: bool) -> (usize, usize, VoteResult) {
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
    pub fn step(&mut self, m: Message) -> Result<()> {
        self.check_step(&m)?;
        if m.term == 0 {
            // A local message.
        } else if m.term > self.term {
            if matches!(m.msg_type, MessageType::MsgVote | MessageType::MsgPreVote) {
                let force = m.context == CAMPAIGN_TRANSFER;
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
                    let index = last.index;
                    self.check_applied(index)?;
                    self.applied_to(index, ents_size(&m.entries));
                    self.reduce_uncommitted_size(payloads_size(&m.entries));
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
                StateType::StateLeader => return self.step_leader(m),
                StateType::StateCandidate | StateType::StatePreCandidate => {
                    return self.step_candidate(m)
                }
                StateType::StateFollower => return self.step_follower(m),
            },
        }
        Ok(())
    }

    fn step_leader(&mut self, mut m: Message) -> Result<()> {
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
                    if let Some(resp) = self.response_to_read_index_req(m, committed) {
                        self.send(resp);
                    }
                    return Ok(());
                }
                // Until an entry of its own term is committed, a new leader does not know the
                // full commit index, so reads wait.
                if !self.committed_entry_in_current_term() {
                    self.pending_read_index_messages.push(m);
                    return Ok(());
                }
                self.send_msg_read_index_response(m);
                return Ok(());
            }
            MessageType::MsgForgetLeader => {
                // A leader does not forget itself.
                return Ok(());
            }
            _ => {}
        }

        // Everything else concerns a peer the leader tracks.
        let from = m.from;
        if !self.trk.progress.contains_key(&from) {
            self.logger.debug(format_args!(
                "{:x} no progress available for {:x}",
                self.id, from
            ));
            return Ok(());
        }
        match m.msg_type {
            MessageType::MsgAppResp => self.handle_append_response(&m),
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
        let pr = self
            .trk
            .progress
            .get_mut(&from)
            .expect("caller checked the progress");
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
        let first_index = self.raft_log.first_index();
        let pr = self
            .trk
            .progress
            .get_mut(&from)
            .expect("caller checked the progress");
        match pr.state {
            ProgressState::StateProbe => pr.become_replicate(),
            ProgressState::StateSnapshot if pr.matched + 1 >= first_index => {
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

    /// The step function of candidates and pre-candidates; they differ only in which vote
    /// responses they count (a candidate may still get stale pre-vote responses).
    fn step_candidate(&mut self, m: Message) -> Result<()> {
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
                self.handle_snapshot(m);
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

    fn step_follower(&mut self, mut m: Message) -> Result<()> {
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
                self.forward_to_leader(m)?;
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
                self.handle_snapshot(m);
            }
            MessageType::MsgTransferLeader => {
                if self.lead == NONE {
                    self.logger.info(format_args!(
                        "{:x} no leader at term {}; dropping leader transfer msg",
                        self.id, self.term
                    ));
                    return Ok(());
                }
                self.forward_to_leader(m)?;
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
                self.forward_to_leader(m)?;
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
                let request_ctx = std::mem::take(&mut m.entries[0].data);
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
    pub fn handle_append_entries(&mut self, m: Message) {
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
            entries: m.entries,
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

    pub fn handle_heartbeat(&mut self, m: Message) {
        self.raft_log.commit_to(m.commit);
        self.send(Message {
            to: m.from,
            msg_type: MessageType::MsgHeartbeatResp,
            context: m.context,
            ..Default::default()
        });
    }

    pub fn handle_snapshot(&mut self, m: Message) {
        // A MsgSnap always carries a snapshot; a missing one reads as the empty snapshot.
        let s = m.snapshot.unwrap_or_default();
        let (sindex, sterm) = (s.metadata.index, s.metadata.term);
        if self.restore(s) {
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
    pub fn restore(&mut self, s: Snapshot) -> bool {
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
    pub fn apply_conf_change(&mut self, cc: &ConfChangeV2) -> Result<ConfState> {
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
    pub fn switch_to_config(&mut self, cfg: tracker::Config, trk: ProgressMap) -> ConfState {
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
            for id in self.peer_ids() {
                self.maybe_send_append(id, false);
            }
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
    pub fn load_state(&mut self, state: &HardState) -> Result<()> {
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
    pub fn past_election_timeout(&self) -> bool {
        self.election_elapsed >= self.randomized_election_timeout
    }

    /// Draws a new election timeout in `[election_timeout, 2 * election_timeout)`.
    pub fn reset_randomized_election_timeout(&mut self) {
        let extra = uniform_below(&mut self.rng, self.election_timeout);
        self.randomized_election_timeout = self.election_timeout + extra;
    }

    pub fn send_timeout_now(&mut self, to: u64) {
        self.send(Message {
            to,
            msg_type: MessageType::MsgTimeoutNow,
            ..Default::default()
        });
    }

    pub fn abort_leader_transfer(&mut self) {
        self.lead_transferee = NONE;
    }

    /// Whether an entry of the current term is committed. Until then a new leader cannot tell
    /// the cluster's commit index.
    pub fn committed_entry_in_current_term(&self) -> bool {
        // A leader's term is never 0, so an out-of-range 0 never matches.
        self.raft_log
            .zero_term_on_out_of_bounds(self.raft_log.term(self.raft_log.committed))
            == self.term
    }

    /// The answer to a read request: for a local request the read state is recorded here and
    /// nothing is returned; a peer's request gets a MsgReadIndexResp.
    pub fn response_to_read_index_req(&mut self, req: Message, read_index: u64) -> Option<Message> {
        if req.from == NONE || req.from == self.id {
            let request_ctx = req
                .entries
                .into_iter()
                .next()
                .map(|e| e.data)
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
    pub fn increase_uncommitted_size(&mut self, ents: &[Entry]) -> bool {
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
    pub fn reduce_uncommitted_size(&mut self, s: u64) {
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
    let list = |v: &[u64]| {
        v.iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!(
        "{{voters:[{}] learners:[{}] voters_outgoing:[{}] learners_next:[{}] auto_leave:{}}}",
        list(&cs.voters),
        list(&cs.learners),
        list(&cs.voters_outgoing),
        list(&cs.learners_next),
        cs.auto_leave
    )
}

#[cfg(test)]
pub(crate) mod test_util {
    //! Helpers shared by the state machine's tests (after etcd's raft_test.go helpers).

    use super::*;
    use crate::raftpb::SnapshotMetadata;
    use crate::storage::MemoryStorage;
    use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};

    pub type R = Raft<MemoryStorage>;

    pub fn test_config(id: u64, election: usize, heartbeat: usize) -> Config {
        Config {
            election_tick: election,
            heartbeat_tick: heartbeat,
            max_size_per_msg: NO_LIMIT,
            max_inflight_msgs: 256,
            ..Config::new(id)
        }
    }

    /// A storage whose (index 0) snapshot names the voters and learners.
    pub fn storage_with(voters: &[u64], learners: &[u64]) -> MemoryStorage {
        let mut s = MemoryStorage::new();
        s.apply_snapshot(Snapshot {
            metadata: SnapshotMetadata {
                conf_state: ConfState {
                    voters: voters.to_vec(),
                    learners: learners.to_vec(),
                    ..Default::default()
                },
                ..Default::default()
            },
            ..Default::default()
        })
        .unwrap();
        s
    }

    pub fn storage_with_peers(peers: &[u64]) -> MemoryStorage {
        storage_with(peers, &[])
    }

    pub fn new_test_raft(id: u64, election: usize, heartbeat: usize, s: MemoryStorage) -> R {
        Raft::new(&test_config(id, election, heartbeat), s).unwrap()
    }

    /// Entries at consecutive indexes from `first`, with the given terms.
    pub fn ents(first: u64, terms: &[u64]) -> Vec<Entry> {
        terms
            .iter()
            .enumerate()
            .map(|(i, &t)| Entry {
                index: first + i as u64,
                term: t,
                ..Default::default()
            })
            .collect()
    }

    pub fn data_ent(data: &[u8]) -> Entry {
        Entry {
            data: data.to_vec(),
            ..Default::default()
        }
    }

    pub fn msg(from: u64, to: u64, t: MessageType) -> Message {
        Message {
            from,
            to,
            msg_type: t,
            ..Default::default()
        }
    }

    pub fn prop(from: u64, to: u64, data: &[u8]) -> Message {
        Message {
            entries: vec![data_ent(data)],
            ..msg(from, to, MessageType::MsgProp)
        }
    }

    pub fn hup(id: u64) -> Message {
        msg(id, id, MessageType::MsgHup)
    }

    /// Steps self-addressed messages and queues the others, like a RawNode would at Advance.
    pub fn step_or_send(r: &mut R, msgs: Vec<Message>) {
        for m in msgs {
            if m.to == r.id {
                let _ = r.step(m);
            } else {
                r.msgs.push(m);
            }
        }
    }

    pub fn take_messages_after_append(r: &mut R) -> Vec<Message> {
        std::mem::take(&mut r.msgs_after_append)
    }

    pub fn advance_messages_after_append(r: &mut R) {
        loop {
            let msgs = take_messages_after_append(r);
            if msgs.is_empty() {
                break;
            }
            step_or_send(r, msgs);
        }
    }

    pub fn read_messages(r: &mut R) -> Vec<Message> {
        advance_messages_after_append(r);
        std::mem::take(&mut r.msgs)
    }

    /// Persists the unstable entries, runs the post-append steps and applies what is committed.
    pub fn next_ents(r: &mut R) -> Vec<Entry> {
        let unstable = r.raft_log.next_unstable_ents().to_vec();
        r.raft_log.storage.append(&unstable).unwrap();
        let last = r.raft_log.last_entry_id();
        r.raft_log.stable_to(last);
        advance_messages_after_append(r);
        let ents = r.raft_log.next_committed_ents(true);
        let committed = r.raft_log.committed;
        r.raft_log.applied_to(committed, 0);
        ents
    }

    /// Applies what is committed, then snapshots the applied state and compacts the log up to
    /// it, so a lagging follower can only catch up by snapshot.
    pub fn snapshot_and_compact(r: &mut R) {
        next_ents(r);
        let applied = r.raft_log.applied;
        let cs = ConfState {
            voters: r.trk.voter_nodes(),
            ..Default::default()
        };
        r.raft_log
            .storage
            .create_snapshot(applied, Some(cs), Vec::new())
            .unwrap();
        r.raft_log.storage.compact(applied).unwrap();
    }

    pub fn must_append_entry(r: &mut R, es: Vec<Entry>) {
        assert!(r.append_entry(es), "entry unexpectedly dropped");
    }

    pub fn accept_and_reply(m: &Message) -> Message {
        assert_eq!(m.msg_type, MessageType::MsgApp);
        Message {
            from: m.to,
            to: m.from,
            term: m.term,
            msg_type: MessageType::MsgAppResp,
            index: m.index + m.entries.len() as u64,
            ..Default::default()
        }
    }

    pub fn commit_noop_entry(r: &mut R) {
        assert_eq!(r.state, StateType::StateLeader, "only for leaders");
        r.bcast_append();
        for m in read_messages(r) {
            assert!(
                m.msg_type == MessageType::MsgApp
                    && m.entries.len() == 1
                    && m.entries[0].data.is_empty(),
                "not a message to append noop entry"
            );
            r.step(accept_and_reply(&m)).unwrap();
        }
        read_messages(r);
        let unstable = r.raft_log.next_unstable_ents().to_vec();
        r.raft_log.storage.append(&unstable).unwrap();
        let committed = r.raft_log.committed;
        r.raft_log.applied_to(committed, 0);
        let last = r.raft_log.last_entry_id();
        r.raft_log.stable_to(last);
    }

    pub fn sorted(mut msgs: Vec<Message>) -> Vec<Message> {
        msgs.sort_by_key(|m| (m.to, m.msg_type, m.from));
        msgs
    }

    pub fn ents_with_config(pre_vote: bool, terms: &[u64]) -> R {
        let mut s = MemoryStorage::new();
        s.append(&ents(1, terms)).unwrap();
        let mut c = test_config(1, 5, 1);
        c.pre_vote = pre_vote;
        let mut r = Raft::new(&c, s).unwrap();
        r.reset(*terms.last().unwrap());
        r
    }

    pub fn voted_with_config(pre_vote: bool, vote: u64, term: u64) -> R {
        let mut s = MemoryStorage::new();
        s.set_hard_state(HardState {
            vote,
            term,
            commit: 0,
        });
        let mut c = test_config(1, 5, 1);
        c.pre_vote = pre_vote;
        let mut r = Raft::new(&c, s).unwrap();
        r.reset(term);
        r
    }

    /// etcd's `ltoa`: what two logs must agree on.
    pub fn log_summary(r: &R) -> (u64, u64, u64, Vec<Entry>) {
        (
            r.raft_log.last_index(),
            r.raft_log.applied,
            r.raft_log.applying,
            r.raft_log.all_entries(),
        )
    }

    pub enum Peer {
        New,
        Raft(Box<R>),
        Hole,
    }

    /// A network of state machines (etcd's test `network`): `None` peers swallow messages.
    pub struct Network {
        pub peers: BTreeMap<u64, Option<R>>,
        dropm: HashSet<(u64, u64)>,
        ignorem: HashSet<MessageType>,
        #[allow(clippy::type_complexity)]
        pub msg_hook: Option<Box<dyn FnMut(&Message) -> bool>>,
    }

    pub fn new_network(peers: Vec<Peer>) -> Network {
        new_network_with_config(|_| {}, peers)
    }

    pub fn new_network_with_config(config: impl Fn(&mut Config), peers: Vec<Peer>) -> Network {
        let ids: Vec<u64> = (1..=peers.len() as u64).collect();
        let mut npeers = BTreeMap::new();
        for (j, p) in peers.into_iter().enumerate() {
            let id = ids[j];
            let sm = match p {
                Peer::New => {
                    let mut c = test_config(id, 10, 1);
                    config(&mut c);
                    Some(Raft::new(&c, storage_with_peers(&ids)).unwrap())
                }
                Peer::Raft(v) => {
                    let mut v = *v;
                    let learners: BTreeSet<u64> = v.trk.config.learners.clone();
                    v.id = id;
                    v.trk = ProgressTracker::new(v.trk.max_inflight, v.trk.max_inflight_bytes);
                    for &pid in &ids {
                        let mut pr = Progress::default();
                        if learners.contains(&pid) {
                            pr.is_learner = true;
                            v.trk.config.learners.insert(pid);
                        } else {
                            v.trk.config.voters[0].insert(pid);
                        }
                        v.trk.progress.insert(pid, pr);
                    }
                    let term = v.term;
                    v.reset(term);
                    Some(v)
                }
                Peer::Hole => None,
            };
            npeers.insert(id, sm);
        }
        Network {
            peers: npeers,
            dropm: HashSet::new(),
            ignorem: HashSet::new(),
            msg_hook: None,
        }
    }

    impl Network {
        pub fn peer(&self, id: u64) -> &R {
            self.peers[&id].as_ref().expect("not a black hole")
        }

        pub fn peer_mut(&mut self, id: u64) -> &mut R {
            self.peers
                .get_mut(&id)
                .unwrap()
                .as_mut()
                .expect("not a black hole")
        }

        pub fn send(&mut self, msgs: Vec<Message>) {
            let mut q: VecDeque<Message> = msgs.into();
            while let Some(m) = q.pop_front() {
                let Some(Some(p)) = self.peers.get_mut(&m.to) else {
                    continue;
                };
                let _ = p.step(m);
                let out = read_messages(p);
                let out = self.filter(out);
                q.extend(out);
            }
        }

        pub fn send1(&mut self, m: Message) {
            self.send(vec![m]);
        }

        pub fn cut(&mut self, one: u64, other: u64) {
            self.dropm.insert((one, other));
            self.dropm.insert((other, one));
        }

        pub fn isolate(&mut self, id: u64) {
            let ids: Vec<u64> = self.peers.keys().copied().collect();
            for nid in ids {
                if nid != id {
                    self.dropm.insert((id, nid));
                    self.dropm.insert((nid, id));
                }
            }
        }

        pub fn ignore(&mut self, t: MessageType) {
            self.ignorem.insert(t);
        }

        pub fn recover(&mut self) {
            self.dropm.clear();
            self.ignorem.clear();
        }

        fn filter(&mut self, msgs: Vec<Message>) -> Vec<Message> {
            let mut out = Vec::new();
            for m in msgs {
                if self.ignorem.contains(&m.msg_type) {
                    continue;
                }
                assert_ne!(m.msg_type, MessageType::MsgHup, "unexpected msgHup");
                if self.dropm.contains(&(m.from, m.to)) {
                    continue;
                }
                if let Some(hook) = self.msg_hook.as_mut() {
                    if !hook(&m) {
                        continue;
                    }
                }
                out.push(m);
            }
            out
        }
    }
}

#[cfg(test)]
// Table-driven cases spell out their tuple types, as etcd's anonymous structs do.
#[allow(clippy::type_complexity)]
mod tests {
    use super::test_util::*;
    use super::*;
    use crate::logger::{BufferLogger, Level};
    use crate::raftpb::{ConfChangeSingle, ConfChangeTransition, ConfChangeType, SnapshotMetadata};
    use std::collections::BTreeMap;
    use std::rc::Rc;

    use MessageType::*;
    use StateType::*;

    fn snap(index: u64, term: u64, voters: &[u64]) -> Snapshot {
        Snapshot {
            metadata: SnapshotMetadata {
                index,
                term,
                conf_state: ConfState {
                    voters: voters.to_vec(),
                    ..Default::default()
                },
            },
            ..Default::default()
        }
    }

    // ---- Config ----

    #[test]
    fn config_validate_reports_etcd_texts() {
        let ok = test_config(1, 10, 1);
        assert!(ok.validate().is_ok());
        let cases: Vec<(Config, &str)> = vec![
            (
                Config {
                    id: 0,
                    ..ok.clone()
                },
                "cannot use none as id",
            ),
            (
                Config {
                    id: u64::MAX,
                    ..ok.clone()
                },
                "cannot use local target as id",
            ),
            (
                Config {
                    id: u64::MAX - 1,
                    ..ok.clone()
                },
                "cannot use local target as id",
            ),
            (
                Config {
                    heartbeat_tick: 0,
                    ..ok.clone()
                },
                "heartbeat tick must be greater than 0",
            ),
            (
                Config {
                    election_tick: 1,
                    ..ok.clone()
                },
                "election tick must be greater than heartbeat tick",
            ),
            (
                Config {
                    max_inflight_msgs: 0,
                    ..ok.clone()
                },
                "max inflight messages must be greater than 0",
            ),
            (
                Config {
                    max_size_per_msg: 1024,
                    max_inflight_bytes: 1023,
                    ..ok.clone()
                },
                "max inflight bytes must be >= max message size",
            ),
            (
                Config {
                    read_only_option: ReadOnlyOption::ReadOnlyLeaseBased,
                    ..ok.clone()
                },
                "CheckQuorum must be enabled when ReadOnlyOption is ReadOnlyLeaseBased",
            ),
        ];
        for (c, want) in cases {
            assert_eq!(c.validate(), Err(Error::Config(want.to_string())));
            assert_eq!(
                Raft::new(&c, storage_with_peers(&[1]))
                    .unwrap_err()
                    .to_string(),
                want
            );
        }
        // Zero inflight bytes means no limit, whatever the message size.
        assert!(Config {
            max_size_per_msg: 1024,
            max_inflight_bytes: 0,
            ..ok.clone()
        }
        .validate()
        .is_ok());
        let lease = Config {
            read_only_option: ReadOnlyOption::ReadOnlyLeaseBased,
            check_quorum: true,
            ..ok
        };
        assert!(lease.validate().is_ok());
    }

    #[test]
    fn new_raft_applies_size_defaults() {
        let c = Config {
            max_size_per_msg: 100,
            ..test_config(1, 10, 1)
        };
        let r = Raft::new(&c, storage_with_peers(&[1])).unwrap();
        assert_eq!(r.max_uncommitted_size, NO_LIMIT);
        assert_eq!(
            r.raft_log.max_applying_ents_size, 100,
            "defaults to max_size_per_msg"
        );
        assert_eq!(r.trk.max_inflight_bytes, NO_LIMIT);
    }

    #[test]
    fn new_raft_logs_like_etcd() {
        let logger = Rc::new(BufferLogger::new(Some(Level::Debug)));
        let mut s = storage_with_peers(&[1, 2, 3]);
        s.append(&ents(1, &[1, 1, 1])).unwrap();
        s.set_hard_state(HardState {
            term: 1,
            vote: 0,
            commit: 3,
        });
        let c = Config {
            applied: 3,
            logger: Some(logger.clone()),
            ..test_config(1, 10, 1)
        };
        let r = Raft::new(&c, s).unwrap();
        assert_eq!(r.term, 1);
        assert_eq!(r.raft_log.committed, 3);
        assert_eq!(
            logger.take(),
            vec![
                "INFO 1 switched to configuration voters=(1 2 3)",
                "INFO 1 became follower at term 1",
                "INFO newRaft 1 [peers: [1,2,3], term: 1, commit: 3, applied: 3, lastindex: 3, lastterm: 1]",
            ]
        );
    }

    #[test]
    fn new_raft_refuses_an_applied_index_past_the_commit_index() {
        let mut s = storage_with_peers(&[1]);
        s.append(&ents(1, &[1, 1])).unwrap();
        s.set_hard_state(HardState {
            term: 1,
            vote: 0,
            commit: 1,
        });
        let c = Config {
            applied: 2,
            ..test_config(1, 10, 1)
        };
        let err = Raft::new(&c, s).unwrap_err();
        assert_eq!(
            err.to_string(),
            "applied(2) is out of range [prevApplied(0), committed(1)]"
        );
    }

    #[test]
    fn new_raft_refuses_a_commit_index_outside_the_log() {
        let mut s = storage_with_peers(&[1]);
        s.set_hard_state(HardState {
            term: 1,
            vote: 0,
            commit: 5,
        });
        let err = Raft::new(&test_config(1, 10, 1), s).unwrap_err();
        assert_eq!(err.to_string(), "1 state.commit 5 is out of range [0, 0]");
    }

    // ---- Raft paper, section 5 ----

    fn update_term_from_message(state: StateType) {
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
        match state {
            StateFollower => r.become_follower(1, 2),
            StateCandidate => r.become_candidate(),
            StateLeader => {
                r.become_candidate();
                r.become_leader();
            }
            StatePreCandidate => unreachable!(),
        }
        r.step(Message {
            msg_type: MsgApp,
            term: 2,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(r.term, 2);
        assert_eq!(r.state, StateFollower);
    }

    #[test]
    fn follower_candidate_leader_update_term_from_message() {
        update_term_from_message(StateFollower);
        update_term_from_message(StateCandidate);
        update_term_from_message(StateLeader);
    }

    #[test]
    fn reject_stale_term_message() {
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
        r.load_state(&HardState {
            term: 2,
            ..Default::default()
        })
        .unwrap();
        r.step(Message {
            msg_type: MsgApp,
            term: 1,
            from: 2,
            entries: ents(1, &[1]),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(r.raft_log.last_index(), 0, "stale append ignored");
        assert_eq!(r.lead, NONE);
        assert!(read_messages(&mut r).is_empty());
    }

    #[test]
    fn start_as_follower() {
        let r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
        assert_eq!(r.state, StateFollower);
    }

    #[test]
    fn leader_bcast_beat() {
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
        r.become_candidate();
        r.become_leader();
        for i in 0..10 {
            must_append_entry(
                &mut r,
                vec![Entry {
                    index: i + 1,
                    ..Default::default()
                }],
            );
        }
        r.tick();
        let msgs = sorted(read_messages(&mut r));
        let hb = |to| Message {
            from: 1,
            to,
            term: 1,
            msg_type: MsgHeartbeat,
            commit: 0,
            ..Default::default()
        };
        assert_eq!(msgs, vec![hb(2), hb(3)]);
    }

    fn nonleader_start_election(state: StateType) {
        let et = 10;
        let mut r = new_test_raft(1, et, 1, storage_with_peers(&[1, 2, 3]));
        match state {
            StateFollower => r.become_follower(1, 2),
            StateCandidate => r.become_candidate(),
            _ => unreachable!(),
        }
        for _ in 1..2 * et {
            r.tick();
        }
        advance_messages_after_append(&mut r);
        assert_eq!(r.term, 2);
        assert_eq!(r.state, StateCandidate);
        assert_eq!(r.trk.votes.get(&r.id), Some(&true));
        let msgs = sorted(read_messages(&mut r));
        let vote = |to| Message {
            from: 1,
            to,
            term: 2,
            msg_type: MsgVote,
            ..Default::default()
        };
        assert_eq!(msgs, vec![vote(2), vote(3)]);
    }

    #[test]
    fn follower_and_candidate_start_election() {
        nonleader_start_election(StateFollower);
        nonleader_start_election(StateCandidate);
    }

    #[test]
    fn leader_election_in_one_round_rpc() {
        let cases: Vec<(u64, Vec<(u64, bool)>, StateType)> = vec![
            (1, vec![], StateLeader),
            (3, vec![(2, true), (3, true)], StateLeader),
            (3, vec![(2, true)], StateLeader),
            (
                5,
                vec![(2, true), (3, true), (4, true), (5, true)],
                StateLeader,
            ),
            (5, vec![(2, true), (3, true), (4, true)], StateLeader),
            (5, vec![(2, true), (3, true)], StateLeader),
            (3, vec![(2, false), (3, false)], StateFollower),
            (
                5,
                vec![(2, false), (3, false), (4, false), (5, false)],
                StateFollower,
            ),
            (
                5,
                vec![(2, true), (3, false), (4, false), (5, false)],
                StateFollower,
            ),
            (3, vec![], StateCandidate),
            (5, vec![(2, true)], StateCandidate),
            (5, vec![(2, false), (3, false)], StateCandidate),
            (5, vec![], StateCandidate),
        ];
        for (i, (size, votes, state)) in cases.into_iter().enumerate() {
            let ids: Vec<u64> = (1..=size).collect();
            let mut r = new_test_raft(1, 10, 1, storage_with_peers(&ids));
            r.step(hup(1)).unwrap();
            advance_messages_after_append(&mut r);
            for (id, v) in votes {
                let term = r.term;
                r.step(Message {
                    from: id,
                    to: 1,
                    term,
                    msg_type: MsgVoteResp,
                    reject: !v,
                    ..Default::default()
                })
                .unwrap();
            }
            assert_eq!(r.state, state, "#{}", i);
            assert_eq!(r.term, 1, "#{}", i);
        }
    }

    #[test]
    fn follower_vote() {
        let cases = [
            (NONE, 2, false),
            (NONE, 3, false),
            (2, 2, false),
            (3, 3, false),
            (2, 3, true),
            (3, 2, true),
        ];
        for (i, (vote, nvote, wreject)) in cases.into_iter().enumerate() {
            let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
            r.load_state(&HardState {
                term: 1,
                vote,
                commit: 0,
            })
            .unwrap();
            r.step(Message {
                from: nvote,
                to: 1,
                term: 1,
                msg_type: MsgVote,
                ..Default::default()
            })
            .unwrap();
            let want = Message {
                from: 1,
                to: nvote,
                term: 1,
                msg_type: MsgVoteResp,
                reject: wreject,
                ..Default::default()
            };
            assert_eq!(r.msgs_after_append, vec![want], "#{}", i);
        }
    }

    #[test]
    fn candidate_fallback() {
        for term in [1, 2] {
            let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
            r.step(hup(1)).unwrap();
            assert_eq!(r.state, StateCandidate);
            r.step(Message {
                from: 2,
                to: 1,
                term,
                msg_type: MsgApp,
                ..Default::default()
            })
            .unwrap();
            assert_eq!(r.state, StateFollower);
            assert_eq!(r.term, term);
            assert_eq!(r.lead, 2);
        }
    }

    fn nonleader_election_timeout_randomized(state: StateType) {
        let et = 10;
        let mut r = new_test_raft(1, et, 1, storage_with_peers(&[1, 2, 3]));
        let mut timeouts = std::collections::BTreeSet::new();
        for _ in 0..50 * et {
            match state {
                StateFollower => {
                    let t = r.term + 1;
                    r.become_follower(t, 2);
                }
                _ => r.become_candidate(),
            }
            let mut time = 0;
            while read_messages(&mut r).is_empty() {
                r.tick();
                time += 1;
            }
            timeouts.insert(time);
        }
        for d in et..2 * et {
            assert!(
                timeouts.contains(&d),
                "timeout in {} ticks should happen",
                d
            );
        }
        assert!(
            timeouts.iter().all(|&d| (et..2 * et).contains(&d)),
            "{:?}",
            timeouts
        );
    }

    #[test]
    fn election_timeout_is_randomized_within_range() {
        nonleader_election_timeout_randomized(StateFollower);
        nonleader_election_timeout_randomized(StateCandidate);
    }

    #[test]
    fn election_timeouts_rarely_conflict() {
        let (et, size) = (10, 5u64);
        let ids: Vec<u64> = (1..=size).collect();
        let mut rs: Vec<R> = ids
            .iter()
            .map(|&id| new_test_raft(id, et, 1, storage_with_peers(&ids)))
            .collect();
        let mut conflicts = 0;
        for _ in 0..1000 {
            for r in rs.iter_mut() {
                let t = r.term + 1;
                r.become_follower(t, NONE);
            }
            let mut timeout_num = 0;
            while timeout_num == 0 {
                for r in rs.iter_mut() {
                    r.tick();
                    if !read_messages(r).is_empty() {
                        timeout_num += 1;
                    }
                }
            }
            if timeout_num > 1 {
                conflicts += 1;
            }
        }
        assert!(conflicts as f64 / 1000.0 <= 0.3, "{} conflicts", conflicts);
    }

    #[test]
    fn same_seed_draws_same_timeouts_and_different_seeds_differ() {
        let draw = |seed: u64| {
            let c = Config {
                seed,
                ..test_config(1, 10, 1)
            };
            let mut r = Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap();
            (0..20)
                .map(|_| {
                    r.reset_randomized_election_timeout();
                    r.randomized_election_timeout
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn leader_start_replication() {
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
        r.become_candidate();
        r.become_leader();
        commit_noop_entry(&mut r);
        let li = r.raft_log.last_index();
        r.step(prop(1, 1, b"some data")).unwrap();
        assert_eq!(r.raft_log.last_index(), li + 1);
        assert_eq!(r.raft_log.committed, li);
        let msgs = sorted(read_messages(&mut r));
        let wents = vec![Entry {
            index: li + 1,
            term: 1,
            data: b"some data".to_vec(),
            ..Default::default()
        }];
        let app = |to| Message {
            from: 1,
            to,
            term: 1,
            msg_type: MsgApp,
            index: li,
            log_term: 1,
            entries: wents.clone(),
            commit: li,
            ..Default::default()
        };
        assert_eq!(msgs, vec![app(2), app(3)]);
        assert_eq!(r.raft_log.next_unstable_ents(), &wents[..]);
    }

    #[test]
    fn leader_commit_entry() {
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
        r.become_candidate();
        r.become_leader();
        commit_noop_entry(&mut r);
        let li = r.raft_log.last_index();
        r.step(prop(1, 1, b"some data")).unwrap();
        for m in read_messages(&mut r) {
            r.step(accept_and_reply(&m)).unwrap();
        }
        assert_eq!(r.raft_log.committed, li + 1);
        let want = vec![Entry {
            index: li + 1,
            term: 1,
            data: b"some data".to_vec(),
            ..Default::default()
        }];
        assert_eq!(r.raft_log.next_committed_ents(true), want);
        let msgs = sorted(read_messages(&mut r));
        assert_eq!(msgs.len(), 2);
        for (i, m) in msgs.iter().enumerate() {
            assert_eq!(m.to, i as u64 + 2);
            assert_eq!(m.msg_type, MsgApp);
            assert_eq!(m.commit, li + 1);
        }
    }

    #[test]
    fn leader_acknowledge_commit() {
        let cases: Vec<(u64, Vec<u64>, bool)> = vec![
            (1, vec![], true),
            (3, vec![], false),
            (3, vec![2], true),
            (3, vec![2, 3], true),
            (5, vec![], false),
            (5, vec![2], false),
            (5, vec![2, 3], true),
            (5, vec![2, 3, 4], true),
            (5, vec![2, 3, 4, 5], true),
        ];
        for (i, (size, acceptors, wack)) in cases.into_iter().enumerate() {
            let ids: Vec<u64> = (1..=size).collect();
            let mut r = new_test_raft(1, 10, 1, storage_with_peers(&ids));
            r.become_candidate();
            r.become_leader();
            commit_noop_entry(&mut r);
            let li = r.raft_log.last_index();
            r.step(prop(1, 1, b"some data")).unwrap();
            advance_messages_after_append(&mut r);
            for m in r.msgs.clone() {
                if acceptors.contains(&m.to) {
                    r.step(accept_and_reply(&m)).unwrap();
                }
            }
            assert_eq!(r.raft_log.committed > li, wack, "#{}", i);
        }
    }

    #[test]
    fn leader_commit_preceding_entries() {
        let cases: Vec<Vec<Entry>> = vec![vec![], ents(1, &[2]), ents(1, &[1, 2]), ents(1, &[1])];
        for (i, tt) in cases.into_iter().enumerate() {
            let mut s = storage_with_peers(&[1, 2, 3]);
            s.append(&tt).unwrap();
            let mut r = new_test_raft(1, 10, 1, s);
            r.load_state(&HardState {
                term: 2,
                ..Default::default()
            })
            .unwrap();
            r.become_candidate();
            r.become_leader();
            r.step(prop(1, 1, b"some data")).unwrap();
            for m in read_messages(&mut r) {
                r.step(accept_and_reply(&m)).unwrap();
            }
            let li = tt.len() as u64;
            let mut want = tt.clone();
            want.push(Entry {
                term: 3,
                index: li + 1,
                ..Default::default()
            });
            want.push(Entry {
                term: 3,
                index: li + 2,
                data: b"some data".to_vec(),
                ..Default::default()
            });
            assert_eq!(r.raft_log.next_committed_ents(true), want, "#{}", i);
        }
    }

    #[test]
    fn follower_commit_entry() {
        let e = |i: u64, d: &[u8]| Entry {
            term: 1,
            index: i,
            data: d.to_vec(),
            ..Default::default()
        };
        let cases = vec![
            (vec![e(1, b"some data")], 1),
            (vec![e(1, b"some data"), e(2, b"some data2")], 2),
            (vec![e(1, b"some data2"), e(2, b"some data")], 2),
            (vec![e(1, b"some data"), e(2, b"some data2")], 1),
        ];
        for (i, (es, commit)) in cases.into_iter().enumerate() {
            let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
            r.become_follower(1, 2);
            r.step(Message {
                from: 2,
                to: 1,
                msg_type: MsgApp,
                term: 1,
                entries: es.clone(),
                commit,
                ..Default::default()
            })
            .unwrap();
            assert_eq!(r.raft_log.committed, commit, "#{}", i);
            assert_eq!(
                r.raft_log.next_committed_ents(true),
                es[..commit as usize].to_vec(),
                "#{}",
                i
            );
        }
    }

    #[test]
    fn follower_check_msg_app() {
        let es = ents(1, &[1, 2]);
        // (log term, index, response index, reject, hint, hint term)
        let cases = [
            (0, 0, 1, false, 0, 0),
            (1, 1, 1, false, 0, 0),
            (2, 2, 2, false, 0, 0),
            (1, 2, 2, true, 1, 1),
            (3, 3, 3, true, 2, 2),
        ];
        for (i, (term, index, windex, wreject, whint, wlogterm)) in cases.into_iter().enumerate() {
            let mut s = storage_with_peers(&[1, 2, 3]);
            s.append(&es).unwrap();
            let mut r = new_test_raft(1, 10, 1, s);
            r.load_state(&HardState {
                commit: 1,
                ..Default::default()
            })
            .unwrap();
            r.become_follower(2, 2);
            r.step(Message {
                from: 2,
                to: 1,
                msg_type: MsgApp,
                term: 2,
                log_term: term,
                index,
                ..Default::default()
            })
            .unwrap();
            let mut want = Message {
                from: 1,
                to: 2,
                msg_type: MsgAppResp,
                term: 2,
                index: windex,
                ..Default::default()
            };
            if wreject {
                want.reject = true;
                want.reject_hint = whint;
                want.log_term = wlogterm;
            }
            assert_eq!(read_messages(&mut r), vec![want], "#{}", i);
        }
    }

    #[test]
    fn follower_append_entries() {
        let cases: Vec<(u64, u64, Vec<Entry>, Vec<Entry>, Vec<Entry>)> = vec![
            (2, 2, ents(3, &[3]), ents(1, &[1, 2, 3]), ents(3, &[3])),
            (
                1,
                1,
                ents(2, &[3, 4]),
                ents(1, &[1, 3, 4]),
                ents(2, &[3, 4]),
            ),
            (0, 0, ents(1, &[1]), ents(1, &[1, 2]), vec![]),
            (0, 0, ents(1, &[3]), ents(1, &[3]), ents(1, &[3])),
        ];
        for (i, (index, term, es, wents, wunstable)) in cases.into_iter().enumerate() {
            let mut s = storage_with_peers(&[1, 2, 3]);
            s.append(&ents(1, &[1, 2])).unwrap();
            let mut r = new_test_raft(1, 10, 1, s);
            r.become_follower(2, 2);
            r.step(Message {
                from: 2,
                to: 1,
                msg_type: MsgApp,
                term: 2,
                log_term: term,
                index,
                entries: es,
                ..Default::default()
            })
            .unwrap();
            assert_eq!(r.raft_log.all_entries(), wents, "#{}", i);
            assert_eq!(r.raft_log.next_unstable_ents(), &wunstable[..], "#{}", i);
        }
    }

    #[test]
    fn leader_sync_follower_log_figure7() {
        let lead_ents = ents(1, &[1, 1, 1, 4, 4, 5, 5, 6, 6, 6]);
        let term = 8;
        let followers: Vec<Vec<u64>> = vec![
            vec![1, 1, 1, 4, 4, 5, 5, 6, 6],
            vec![1, 1, 1, 4],
            vec![1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
            vec![1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
            vec![1, 1, 1, 4, 4, 4, 4],
            vec![1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
        ];
        for (i, fterms) in followers.into_iter().enumerate() {
            let mut ls = storage_with_peers(&[1, 2, 3]);
            ls.append(&lead_ents).unwrap();
            let mut lead = new_test_raft(1, 10, 1, ls);
            let li = lead.raft_log.last_index();
            lead.load_state(&HardState {
                commit: li,
                term,
                vote: 0,
            })
            .unwrap();
            let mut fs = storage_with_peers(&[1, 2, 3]);
            fs.append(&ents(1, &fterms)).unwrap();
            let mut follower = new_test_raft(2, 10, 1, fs);
            follower
                .load_state(&HardState {
                    term: term - 1,
                    ..Default::default()
                })
                .unwrap();
            // Three nodes: the follower may have a longer log than the leader, so the leader
            // needs the third node's vote.
            let mut n = new_network(vec![
                Peer::Raft(Box::new(lead)),
                Peer::Raft(Box::new(follower)),
                Peer::Hole,
            ]);
            n.send1(hup(1));
            n.send1(Message {
                from: 3,
                to: 1,
                msg_type: MsgVoteResp,
                term: term + 1,
                ..Default::default()
            });
            n.send1(Message {
                entries: vec![Entry::default()],
                ..msg(1, 1, MsgProp)
            });
            assert_eq!(log_summary(n.peer(1)).3, log_summary(n.peer(2)).3, "#{}", i);
            assert_eq!(
                n.peer(1).raft_log.committed,
                n.peer(2).raft_log.committed,
                "#{}",
                i
            );
        }
    }

    #[test]
    fn vote_request() {
        for (j, (es, wterm)) in [(ents(1, &[1]), 2), (ents(1, &[1, 2]), 3)]
            .into_iter()
            .enumerate()
        {
            let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
            r.step(Message {
                from: 2,
                to: 1,
                msg_type: MsgApp,
                term: wterm - 1,
                log_term: 0,
                index: 0,
                entries: es.clone(),
                ..Default::default()
            })
            .unwrap();
            read_messages(&mut r);
            for _ in 1..r.election_timeout * 2 {
                r.tick_election();
            }
            let msgs = sorted(read_messages(&mut r));
            assert_eq!(msgs.len(), 2, "#{}", j);
            for (i, m) in msgs.iter().enumerate() {
                assert_eq!(m.msg_type, MsgVote);
                assert_eq!(m.to, i as u64 + 2);
                assert_eq!(m.term, wterm);
                assert_eq!(m.index, es.last().unwrap().index);
                assert_eq!(m.log_term, es.last().unwrap().term);
            }
        }
    }

    #[test]
    fn voter_denies_candidates_with_older_logs() {
        let cases = vec![
            (ents(1, &[1]), 1, 1, false),
            (ents(1, &[1]), 1, 2, false),
            (ents(1, &[1, 1]), 1, 1, true),
            (ents(1, &[1]), 2, 1, false),
            (ents(1, &[1]), 2, 2, false),
            (ents(1, &[1, 1]), 2, 1, false),
            (ents(1, &[2]), 1, 1, true),
            (ents(1, &[2]), 1, 2, true),
            (ents(1, &[2, 2]), 1, 1, true),
            (ents(1, &[1, 1]), 1, 1, true),
        ];
        for (i, (es, logterm, index, wreject)) in cases.into_iter().enumerate() {
            let mut s = storage_with_peers(&[1, 2]);
            s.append(&es).unwrap();
            let mut r = new_test_raft(1, 10, 1, s);
            r.step(Message {
                from: 2,
                to: 1,
                msg_type: MsgVote,
                term: 3,
                log_term: logterm,
                index,
                ..Default::default()
            })
            .unwrap();
            let msgs = read_messages(&mut r);
            assert_eq!(msgs.len(), 1, "#{}", i);
            assert_eq!(msgs[0].msg_type, MsgVoteResp, "#{}", i);
            assert_eq!(msgs[0].reject, wreject, "#{}", i);
        }
    }

    #[test]
    fn leader_only_commits_log_from_current_term() {
        for (i, (index, wcommit)) in [(1, 0), (2, 0), (3, 3)].into_iter().enumerate() {
            let mut s = storage_with_peers(&[1, 2]);
            s.append(&ents(1, &[1, 2])).unwrap();
            let mut r = new_test_raft(1, 10, 1, s);
            r.load_state(&HardState {
                term: 2,
                ..Default::default()
            })
            .unwrap();
            r.become_candidate();
            r.become_leader();
            read_messages(&mut r);
            r.step(Message {
                entries: vec![Entry::default()],
                ..msg(1, 1, MsgProp)
            })
            .unwrap();
            let term = r.term;
            r.step(Message {
                from: 2,
                to: 1,
                msg_type: MsgAppResp,
                term,
                index,
                ..Default::default()
            })
            .unwrap();
            advance_messages_after_append(&mut r);
            assert_eq!(r.raft_log.committed, wcommit, "#{}", i);
        }
    }

    /// Figure 8 of the Raft paper: an entry of an older term that a later leader replicated to
    /// a majority is not committed by counting replicas, and indeed may still be overwritten.
    #[test]
    fn figure8_old_term_entry_is_not_committed_by_counting() {
        // Campaigns until `id` leads a new term (a stale leader first steps down, as it would
        // on hearing of the higher term).
        fn hup_until_leader(n: &mut Network, id: u64) {
            let t = n.peer(id).term;
            n.peer_mut(id).become_follower(t, NONE);
            for _ in 0..5 {
                n.send1(hup(id));
                if n.peer(id).state == StateLeader {
                    return;
                }
            }
            panic!("{} did not become leader", id);
        }
        let mut n = new_network(vec![Peer::New, Peer::New, Peer::New, Peer::New, Peer::New]);
        n.send1(hup(1));
        // (a) 1 leads term 1 and replicates index 2 to 2 only.
        n.cut(1, 3);
        n.cut(1, 4);
        n.cut(1, 5);
        n.send1(prop(1, 1, b"term1"));
        assert_eq!(n.peer(2).raft_log.last_index(), 2);
        assert_eq!(n.peer(1).raft_log.committed, 1);
        // (b) 5 wins term 2 with 3 and 4, and appends index 2 only locally.
        n.recover();
        n.isolate(1);
        n.ignore(MsgApp);
        hup_until_leader(&mut n, 5);
        assert_eq!(n.peer(5).raft_log.term(2), Ok(n.peer(5).term));
        // (c) 1 wins a later term and replicates its old index 2 (but nothing of its own
        // term) to 2 and 3: a majority holds it, yet it is not committed.
        n.recover();
        n.isolate(5);
        n.ignore(MsgApp);
        hup_until_leader(&mut n, 1);
        let t = n.peer(1).term;
        for to in [2, 3] {
            n.send1(Message {
                from: 1,
                to,
                msg_type: MsgApp,
                term: t,
                index: 1,
                log_term: 1,
                entries: vec![Entry {
                    term: 1,
                    index: 2,
                    data: b"term1".to_vec(),
                    ..Default::default()
                }],
                commit: 1,
                ..Default::default()
            });
        }
        assert_eq!(n.peer(1).trk.progress[&3].matched, 2);
        assert_eq!(n.peer(1).trk.progress[&2].matched, 2);
        assert_eq!(
            n.peer(1).raft_log.committed,
            1,
            "an old-term entry is not committed by counting"
        );
        // (d) 1 fails; 5 (last term 2) wins and overwrites index 2 everywhere it can.
        n.recover();
        n.isolate(1);
        hup_until_leader(&mut n, 5);
        let t5 = n.peer(5).raft_log.term(2).unwrap();
        for id in [2, 3, 4] {
            assert_eq!(n.peer(id).raft_log.term(2), Ok(t5), "node {}", id);
        }
    }

    // ---- raft_test.go ----

    #[test]
    fn progress_leader_self_ack_at_advance() {
        let mut r = new_test_raft(1, 5, 1, storage_with_peers(&[1, 2]));
        r.become_candidate();
        r.become_leader();
        r.trk.progress.get_mut(&2).unwrap().become_replicate();
        for _ in 0..5 {
            r.step(prop(1, 1, b"foo")).unwrap();
        }
        assert_eq!(
            r.trk.progress[&1].matched, 0,
            "self-acks wait for the append to be durable"
        );
        let es = r.raft_log.next_unstable_ents();
        assert_eq!(es.len(), 6);
        assert!(es[0].data.is_empty());
        assert_eq!(es[5].data, b"foo");
        advance_messages_after_append(&mut r);
        assert_eq!(r.trk.progress[&1].matched, 6);
        assert_eq!(r.trk.progress[&1].next, 7);
    }

    #[test]
    fn progress_resume_by_heartbeat_resp() {
        let mut r = new_test_raft(1, 5, 1, storage_with_peers(&[1, 2]));
        r.become_candidate();
        r.become_leader();
        r.trk.progress.get_mut(&2).unwrap().msg_app_flow_paused = true;
        r.step(msg(1, 1, MsgBeat)).unwrap();
        assert!(r.trk.progress[&2].msg_app_flow_paused);
        r.trk.progress.get_mut(&2).unwrap().become_replicate();
        assert!(!r.trk.progress[&2].msg_app_flow_paused);
        r.trk.progress.get_mut(&2).unwrap().msg_app_flow_paused = true;
        r.step(msg(2, 1, MsgHeartbeatResp)).unwrap();
        assert!(!r.trk.progress[&2].msg_app_flow_paused);
    }

    #[test]
    fn progress_paused_while_probing() {
        let mut r = new_test_raft(1, 5, 1, storage_with_peers(&[1, 2]));
        r.become_candidate();
        r.become_leader();
        for _ in 0..3 {
            r.step(prop(1, 1, b"somedata")).unwrap();
        }
        assert_eq!(read_messages(&mut r).len(), 1);
    }

    #[test]
    fn progress_flow_control() {
        let c = Config {
            max_inflight_msgs: 3,
            max_size_per_msg: 2048,
            max_inflight_bytes: 9000,
            ..test_config(1, 5, 1)
        };
        let mut r = Raft::new(&c, storage_with_peers(&[1, 2])).unwrap();
        r.become_candidate();
        r.become_leader();
        read_messages(&mut r);
        r.trk.progress.get_mut(&2).unwrap().become_probe();
        let blob = vec![b'a'; 1000];
        let large = vec![b'b'; 5000];
        for i in 0..22 {
            let data = if (10..16).contains(&i) { &large } else { &blob };
            r.step(prop(1, 1, data)).unwrap();
        }
        let ms = read_messages(&mut r);
        assert_eq!(ms.len(), 1);
        assert_eq!(ms[0].msg_type, MsgApp);
        assert_eq!(ms[0].entries.len(), 2);
        assert!(ms[0].entries[0].data.is_empty());
        assert_eq!(ms[0].entries[1].data.len(), 1000);

        let mut ack_and_verify = |index: u64, exp: &[usize]| -> u64 {
            r.step(Message {
                index,
                ..msg(2, 1, MsgAppResp)
            })
            .unwrap();
            let ms = read_messages(&mut r);
            assert_eq!(
                ms.len(),
                exp.len(),
                "{:?}",
                ms.iter().map(|m| m.entries.len()).collect::<Vec<_>>()
            );
            for (m, &n) in ms.iter().zip(exp) {
                assert_eq!(m.msg_type, MsgApp);
                assert_eq!(m.entries.len(), n);
            }
            ms.last()
                .unwrap()
                .entries
                .last()
                .map(|e| e.index)
                .unwrap_or(index)
        };
        let index = ack_and_verify(ms[0].entries[1].index, &[2, 2, 2]);
        let index = ack_and_verify(index, &[2, 1, 1]);
        let index = ack_and_verify(index, &[1, 1]);
        let index = ack_and_verify(index, &[1, 1]);
        let index = ack_and_verify(index, &[1, 2, 2]);
        ack_and_verify(index, &[2]);
    }

    #[test]
    fn uncommitted_entry_limit() {
        let max_entries = 1024u64;
        let test_entry = data_ent(b"testdata");
        let max_entry_size = max_entries * test_entry.payload_size();
        let c = Config {
            max_uncommitted_entries_size: max_entry_size,
            max_inflight_msgs: 2 * 1024,
            ..test_config(1, 5, 1)
        };
        let mut r = Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap();
        r.become_candidate();
        r.become_leader();
        assert_eq!(r.uncommitted_size, 0, "the empty entry is free");
        r.trk.progress.get_mut(&2).unwrap().become_replicate();
        r.trk.progress.get_mut(&3).unwrap().become_replicate();
        r.uncommitted_size = 0;

        let prop_msg = Message {
            entries: vec![test_entry.clone()],
            ..msg(1, 1, MsgProp)
        };
        for _ in 0..max_entries {
            r.step(prop_msg.clone()).unwrap();
        }
        assert_eq!(r.step(prop_msg.clone()), Err(Error::ProposalDropped));
        let ms = read_messages(&mut r);
        assert_eq!(ms.len() as u64, max_entries * 2);
        r.reduce_uncommitted_size(max_entry_size);
        assert_eq!(r.uncommitted_size, 0);

        // Below the limit before, so a large proposal is accepted.
        let large = Message {
            entries: vec![test_entry.clone(); 2 * max_entries as usize],
            ..msg(1, 1, MsgProp)
        };
        r.step(large).unwrap();
        assert_eq!(r.step(prop_msg), Err(Error::ProposalDropped));
        // An empty entry is always accepted.
        r.step(Message {
            entries: vec![Entry::default()],
            ..msg(1, 1, MsgProp)
        })
        .unwrap();
        let ms = read_messages(&mut r);
        assert_eq!(ms.len(), 4);
        r.reduce_uncommitted_size(2 * max_entry_size);
        assert_eq!(r.uncommitted_size, 0);
        // Saturates instead of wrapping.
        r.reduce_uncommitted_size(10);
        assert_eq!(r.uncommitted_size, 0);
    }

    #[test]
    fn dropping_a_proposal_over_the_limit_logs_a_warning() {
        let logger = Rc::new(BufferLogger::new(Some(Level::Warn)));
        let c = Config {
            max_uncommitted_entries_size: 4,
            logger: Some(logger.clone()),
            ..test_config(1, 5, 1)
        };
        let mut r = Raft::new(&c, storage_with_peers(&[1, 2])).unwrap();
        r.become_candidate();
        r.become_leader();
        r.step(prop(1, 1, b"abcd")).unwrap();
        assert_eq!(r.step(prop(1, 1, b"e")), Err(Error::ProposalDropped));
        assert_eq!(
            logger.take(),
            vec!["WARN 1 appending new entries to log would exceed uncommitted entry size limit; dropping proposal"]
        );
    }

    fn leader_election(pre_vote: bool) {
        let (cand_state, cand_term) = if pre_vote {
            (StatePreCandidate, 0)
        } else {
            (StateCandidate, 1)
        };
        let cfg = move |c: &mut Config| c.pre_vote = pre_vote;
        use Peer::{Hole, New};
        let cases: Vec<(Vec<Peer>, StateType, u64)> = vec![
            (vec![New, New, New], StateLeader, 1),
            (vec![New, New, Hole], StateLeader, 1),
            (vec![New, Hole, Hole], cand_state, cand_term),
            (vec![New, Hole, Hole, New], cand_state, cand_term),
            (vec![New, Hole, Hole, New, New], StateLeader, 1),
            (
                vec![
                    New,
                    Peer::Raft(Box::new(ents_with_config(pre_vote, &[1]))),
                    Peer::Raft(Box::new(ents_with_config(pre_vote, &[1]))),
                    Peer::Raft(Box::new(ents_with_config(pre_vote, &[1, 1]))),
                    New,
                ],
                StateFollower,
                1,
            ),
        ];
        for (i, (peers, state, term)) in cases.into_iter().enumerate() {
            let mut n = new_network_with_config(cfg, peers);
            n.send1(hup(1));
            assert_eq!(n.peer(1).state, state, "#{} prevote={}", i, pre_vote);
            assert_eq!(n.peer(1).term, term, "#{} prevote={}", i, pre_vote);
        }
    }

    #[test]
    fn leader_election_with_and_without_pre_vote() {
        leader_election(false);
        leader_election(true);
    }

    #[test]
    fn leader_cycle() {
        for pre_vote in [false, true] {
            let mut n = new_network_with_config(
                move |c| c.pre_vote = pre_vote,
                vec![Peer::New, Peer::New, Peer::New],
            );
            for campaigner in 1..=3 {
                n.send1(hup(campaigner));
                for id in 1..=3 {
                    let want = if id == campaigner {
                        StateLeader
                    } else {
                        StateFollower
                    };
                    assert_eq!(
                        n.peer(id).state,
                        want,
                        "prevote={} campaigner {} node {}",
                        pre_vote,
                        campaigner,
                        id
                    );
                }
            }
        }
    }

    #[test]
    fn leader_election_overwrite_newer_logs() {
        for pre_vote in [false, true] {
            let mut n = new_network_with_config(
                move |c| c.pre_vote = pre_vote,
                vec![
                    Peer::Raft(Box::new(ents_with_config(pre_vote, &[1]))),
                    Peer::Raft(Box::new(ents_with_config(pre_vote, &[1]))),
                    Peer::Raft(Box::new(ents_with_config(pre_vote, &[2]))),
                    Peer::Raft(Box::new(voted_with_config(pre_vote, 3, 2))),
                    Peer::Raft(Box::new(voted_with_config(pre_vote, 3, 2))),
                ],
            );
            n.send1(hup(1));
            assert_eq!(n.peer(1).state, StateFollower);
            assert_eq!(n.peer(1).term, 2);
            n.send1(hup(1));
            assert_eq!(n.peer(1).state, StateLeader);
            assert_eq!(n.peer(1).term, 3);
            for id in 1..=5 {
                let es = n.peer(id).raft_log.all_entries();
                assert_eq!(es.len(), 2, "node {}", id);
                assert_eq!(es[0].term, 1);
                assert_eq!(es[1].term, 3);
            }
        }
    }

    fn vote_from_any_state(vt: MessageType) {
        for st in [
            StateFollower,
            StateCandidate,
            StateLeader,
            StatePreCandidate,
        ] {
            let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
            r.term = 1;
            match st {
                StateFollower => r.become_follower(1, 3),
                StatePreCandidate => r.become_pre_candidate(),
                StateCandidate => r.become_candidate(),
                StateLeader => {
                    r.become_candidate();
                    r.become_leader();
                }
            }
            let orig_term = r.term;
            let new_term = r.term + 1;
            r.step(Message {
                from: 2,
                to: 1,
                msg_type: vt,
                term: new_term,
                log_term: new_term,
                index: 42,
                ..Default::default()
            })
            .unwrap();
            let msgs = read_messages(&mut r);
            assert_eq!(msgs.len(), 1, "{} {}", vt, st);
            assert_eq!(msgs[0].msg_type, vote_resp_msg_type(vt));
            assert!(!msgs[0].reject);
            if vt == MsgVote {
                assert_eq!(r.state, StateFollower);
                assert_eq!(r.term, new_term);
                assert_eq!(r.vote, 2);
            } else {
                assert_eq!(r.state, st);
                assert_eq!(r.term, orig_term);
                assert!(r.vote == NONE || r.vote == 1);
            }
        }
    }

    #[test]
    fn vote_and_pre_vote_from_any_state() {
        vote_from_any_state(MsgVote);
        vote_from_any_state(MsgPreVote);
    }

    #[test]
    fn log_replication() {
        let cases: Vec<(Vec<Message>, u64)> = vec![
            (vec![prop(1, 1, b"somedata")], 2),
            (
                vec![
                    prop(1, 1, b"somedata"),
                    msg(1, 2, MsgHup),
                    prop(1, 2, b"somedata"),
                ],
                4,
            ),
        ];
        for (i, (msgs, wcommitted)) in cases.into_iter().enumerate() {
            let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
            n.send1(hup(1));
            for m in &msgs {
                n.send1(m.clone());
            }
            for id in 1..=3 {
                let r = n.peer_mut(id);
                assert_eq!(r.raft_log.committed, wcommitted, "#{}.{}", i, id);
                let applied: Vec<Entry> = next_ents(r)
                    .into_iter()
                    .filter(|e| !e.data.is_empty())
                    .collect();
                let props: Vec<&Message> = msgs.iter().filter(|m| m.msg_type == MsgProp).collect();
                assert_eq!(applied.len(), props.len());
                for (k, m) in props.iter().enumerate() {
                    assert_eq!(applied[k].data, m.entries[0].data, "#{}.{}", i, id);
                }
            }
        }
    }

    #[test]
    fn single_node_commit() {
        let mut n = new_network(vec![Peer::New]);
        n.send1(hup(1));
        n.send1(prop(1, 1, b"some data"));
        n.send1(prop(1, 1, b"some data"));
        assert_eq!(n.peer(1).raft_log.committed, 3);
    }

    #[test]
    fn cannot_commit_without_new_term_entry() {
        let mut n = new_network(vec![Peer::New, Peer::New, Peer::New, Peer::New, Peer::New]);
        n.send1(hup(1));
        n.cut(1, 3);
        n.cut(1, 4);
        n.cut(1, 5);
        n.send1(prop(1, 1, b"some data"));
        n.send1(prop(1, 1, b"some data"));
        assert_eq!(n.peer(1).raft_log.committed, 1);
        n.recover();
        // Keep the new leader's empty entry from being replicated.
        n.ignore(MsgApp);
        n.send1(hup(2));
        assert_eq!(n.peer(2).raft_log.committed, 1);
        n.recover();
        n.send1(msg(2, 2, MsgBeat));
        n.send1(prop(2, 2, b"some data"));
        assert_eq!(n.peer(2).raft_log.committed, 5);
    }

    #[test]
    fn commit_without_new_term_entry() {
        let mut n = new_network(vec![Peer::New, Peer::New, Peer::New, Peer::New, Peer::New]);
        n.send1(hup(1));
        n.cut(1, 3);
        n.cut(1, 4);
        n.cut(1, 5);
        n.send1(prop(1, 1, b"some data"));
        n.send1(prop(1, 1, b"some data"));
        assert_eq!(n.peer(1).raft_log.committed, 1);
        n.recover();
        // The new leader's empty entry commits everything before it.
        n.send1(hup(2));
        assert_eq!(n.peer(1).raft_log.committed, 4);
    }

    #[test]
    fn dueling_candidates() {
        let mk = |id| {
            Peer::Raft(Box::new(new_test_raft(
                id,
                10,
                1,
                storage_with_peers(&[1, 2, 3]),
            )))
        };
        let mut n = new_network(vec![mk(1), mk(2), mk(3)]);
        n.cut(1, 3);
        n.send1(hup(1));
        n.send1(hup(3));
        assert_eq!(n.peer(1).state, StateLeader);
        assert_eq!(n.peer(3).state, StateCandidate);
        n.recover();
        // 3 disrupts the leader with its higher term but loses: its log is too short.
        n.send1(hup(3));
        assert_eq!(n.peer(3).state, StateFollower);
        for (id, state, term, last) in [
            (1, StateFollower, 2, 1),
            (2, StateFollower, 2, 1),
            (3, StateFollower, 2, 0),
        ] {
            assert_eq!(n.peer(id).state, state, "node {}", id);
            assert_eq!(n.peer(id).term, term, "node {}", id);
            assert_eq!(n.peer(id).raft_log.last_index(), last, "node {}", id);
        }
    }

    #[test]
    fn dueling_pre_candidates() {
        let mk = |id| {
            let c = Config {
                pre_vote: true,
                ..test_config(id, 10, 1)
            };
            Peer::Raft(Box::new(
                Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap(),
            ))
        };
        let mut n = new_network(vec![mk(1), mk(2), mk(3)]);
        n.cut(1, 3);
        n.send1(hup(1));
        n.send1(hup(3));
        assert_eq!(n.peer(1).state, StateLeader);
        assert_eq!(n.peer(3).state, StateFollower, "pre-vote rejected");
        n.recover();
        // With pre-vote, 3 does not disrupt the leader.
        n.send1(hup(3));
        for (id, state, term, last) in [
            (1, StateLeader, 1, 1),
            (2, StateFollower, 1, 1),
            (3, StateFollower, 1, 0),
        ] {
            assert_eq!(n.peer(id).state, state, "node {}", id);
            assert_eq!(n.peer(id).term, term, "node {}", id);
            assert_eq!(n.peer(id).raft_log.last_index(), last, "node {}", id);
        }
    }

    #[test]
    fn candidate_concede() {
        let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
        n.isolate(1);
        n.send1(hup(1));
        n.send1(hup(3));
        n.recover();
        n.send1(msg(3, 3, MsgBeat));
        n.send1(prop(3, 3, b"force follower"));
        n.send1(msg(3, 3, MsgBeat));
        assert_eq!(n.peer(1).state, StateFollower);
        assert_eq!(n.peer(1).term, 1);
        let want = vec![
            Entry {
                term: 1,
                index: 1,
                ..Default::default()
            },
            Entry {
                term: 1,
                index: 2,
                data: b"force follower".to_vec(),
                ..Default::default()
            },
        ];
        for id in 1..=3 {
            assert_eq!(n.peer(id).raft_log.all_entries(), want, "node {}", id);
        }
    }

    #[test]
    fn single_node_candidate_and_pre_candidate() {
        for pre_vote in [false, true] {
            let mut n = new_network_with_config(move |c| c.pre_vote = pre_vote, vec![Peer::New]);
            n.send1(hup(1));
            assert_eq!(n.peer(1).state, StateLeader);
        }
    }

    #[test]
    fn old_messages_are_ignored() {
        let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
        n.send1(hup(1));
        n.send1(hup(2));
        n.send1(hup(1));
        // An old leader's append at term 2 is ignored.
        n.send1(Message {
            from: 2,
            to: 1,
            msg_type: MsgApp,
            term: 2,
            entries: ents(3, &[2]),
            ..Default::default()
        });
        n.send1(prop(1, 1, b"somedata"));
        let mut want = ents(1, &[1, 2, 3, 3]);
        want[3].data = b"somedata".to_vec();
        for id in 1..=3 {
            assert_eq!(n.peer(id).raft_log.all_entries(), want, "node {}", id);
        }
    }

    #[test]
    fn proposal_needs_a_quorum_and_a_leader() {
        use Peer::{Hole, New};
        let cases: Vec<(Vec<Peer>, bool)> = vec![
            (vec![New, New, New], true),
            (vec![New, New, Hole], true),
            (vec![New, Hole, Hole], false),
            (vec![New, Hole, Hole, New], false),
            (vec![New, Hole, Hole, New, New], true),
        ];
        for (j, (peers, success)) in cases.into_iter().enumerate() {
            let mut n = new_network(peers);
            n.send1(hup(1));
            // Without a quorum node 1 is no leader and drops the proposal.
            let res = n.peer_mut(1).step(prop(1, 1, b"somedata"));
            assert_eq!(res.is_ok(), success, "#{}", j);
            if success {
                let out = read_messages(n.peer_mut(1));
                n.send(out);
            }
            let want = if success {
                vec![
                    Entry {
                        term: 1,
                        index: 1,
                        ..Default::default()
                    },
                    Entry {
                        term: 1,
                        index: 2,
                        data: b"somedata".to_vec(),
                        ..Default::default()
                    },
                ]
            } else {
                vec![]
            };
            for (&id, p) in &n.peers {
                if let Some(r) = p {
                    assert_eq!(r.raft_log.all_entries(), want, "#{} peer {}", j, id);
                }
            }
            assert_eq!(n.peer(1).term, 1, "#{}", j);
        }
    }

    #[test]
    fn proposal_by_proxy() {
        for peers in [
            vec![Peer::New, Peer::New, Peer::New],
            vec![Peer::New, Peer::New, Peer::Hole],
        ] {
            let mut n = new_network(peers);
            n.send1(hup(1));
            n.send1(prop(2, 2, b"somedata"));
            let want = vec![
                Entry {
                    term: 1,
                    index: 1,
                    ..Default::default()
                },
                Entry {
                    term: 1,
                    index: 2,
                    data: b"somedata".to_vec(),
                    ..Default::default()
                },
            ];
            for (&id, p) in &n.peers {
                if let Some(r) = p {
                    assert_eq!(r.raft_log.all_entries(), want, "peer {}", id);
                }
            }
            assert_eq!(n.peer(1).term, 1);
        }
    }

    #[test]
    fn follower_forwards_proposals_to_the_leader_without_term() {
        let mut r = new_test_raft(2, 10, 1, storage_with_peers(&[1, 2, 3]));
        r.become_follower(1, 1);
        r.step(prop(2, 2, b"x")).unwrap();
        let msgs = read_messages(&mut r);
        assert_eq!(msgs.len(), 1);
        assert_eq!(
            (msgs[0].to, msgs[0].msg_type, msgs[0].term),
            (1, MsgProp, 0)
        );
    }

    #[test]
    fn proposals_are_dropped_with_etcd_messages() {
        let logger = Rc::new(BufferLogger::new(Some(Level::Debug)));
        let lg = |id| Config {
            logger: Some(logger.clone()),
            ..test_config(id, 10, 1)
        };
        // No leader.
        let mut r = Raft::new(&lg(1), storage_with_peers(&[1, 2, 3])).unwrap();
        logger.take();
        assert_eq!(r.step(prop(1, 1, b"x")), Err(Error::ProposalDropped));
        assert_eq!(
            logger.take(),
            vec!["INFO 1 no leader at term 0; dropping proposal"]
        );
        // Candidate.
        r.become_candidate();
        logger.take();
        assert_eq!(r.step(prop(1, 1, b"x")), Err(Error::ProposalDropped));
        assert_eq!(
            logger.take(),
            vec!["INFO 1 no leader at term 1; dropping proposal"]
        );
        // Forwarding disabled.
        let c = Config {
            disable_proposal_forwarding: true,
            ..lg(2)
        };
        let mut r = Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap();
        r.become_follower(1, 1);
        logger.take();
        assert_eq!(r.step(prop(2, 2, b"x")), Err(Error::ProposalDropped));
        assert_eq!(
            logger.take(),
            vec!["INFO 2 not forwarding to leader 1 at term 1; dropping proposal"]
        );
        assert!(read_messages(&mut r).is_empty());
        // Leader transfer in progress.
        let mut r = Raft::new(&lg(1), storage_with_peers(&[1, 2, 3])).unwrap();
        r.become_candidate();
        r.become_leader();
        r.step(msg(2, 1, MsgTransferLeader)).unwrap();
        logger.take();
        assert_eq!(r.step(prop(1, 1, b"x")), Err(Error::ProposalDropped));
        assert_eq!(
            logger.take(),
            vec!["DEBUG 1 [term 1] transfer leadership to 2 is in progress; dropping proposal"]
        );
    }

    #[test]
    fn commit_by_quorum_of_matches() {
        // (matches, log terms, term, want commit)
        let cases: Vec<(Vec<u64>, Vec<u64>, u64, u64)> = vec![
            (vec![1], vec![1], 1, 1),
            (vec![1], vec![1], 2, 0),
            (vec![2], vec![1, 2], 2, 2),
            (vec![1], vec![2], 2, 1),
            (vec![2, 1, 1], vec![1, 2], 1, 1),
            (vec![2, 1, 1], vec![1, 1], 2, 0),
            (vec![2, 1, 2], vec![1, 2], 2, 2),
            (vec![2, 1, 2], vec![1, 1], 2, 0),
            (vec![2, 1, 1, 1], vec![1, 2], 1, 1),
            (vec![2, 1, 1, 1], vec![1, 1], 2, 0),
            (vec![2, 1, 1, 2], vec![1, 2], 1, 1),
            (vec![2, 1, 1, 2], vec![1, 1], 2, 0),
            (vec![2, 1, 2, 2], vec![1, 2], 2, 2),
            (vec![2, 1, 2, 2], vec![1, 1], 2, 0),
        ];
        for (i, (matches, terms, term, w)) in cases.into_iter().enumerate() {
            let mut s = storage_with_peers(&[1]);
            s.append(&ents(1, &terms)).unwrap();
            s.set_hard_state(HardState {
                term,
                ..Default::default()
            });
            let mut r = new_test_raft(1, 10, 2, s);
            for (j, &m) in matches.iter().enumerate() {
                let id = j as u64 + 1;
                if id > 1 {
                    let cc = ConfChangeV2 {
                        changes: vec![ConfChangeSingle {
                            change_type: ConfChangeType::ConfChangeAddNode,
                            node_id: id,
                        }],
                        ..Default::default()
                    };
                    r.apply_conf_change(&cc).unwrap();
                }
                let pr = r.trk.progress.get_mut(&id).unwrap();
                pr.matched = m;
                pr.next = m + 1;
            }
            r.maybe_commit();
            assert_eq!(r.raft_log.committed, w, "#{}", i);
        }
    }

    #[test]
    fn past_election_timeout_probabilities() {
        let cases = [
            (5, 0.0, false),
            (10, 0.1, true),
            (13, 0.4, true),
            (15, 0.6, true),
            (18, 0.9, true),
            (20, 1.0, false),
        ];
        for (i, (elapse, wprob, round)) in cases.into_iter().enumerate() {
            let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1]));
            r.election_elapsed = elapse;
            let mut c = 0;
            for _ in 0..10000 {
                r.reset_randomized_election_timeout();
                if r.past_election_timeout() {
                    c += 1;
                }
            }
            let mut got = c as f64 / 10000.0;
            if round {
                got = (got * 10.0 + 0.5).floor() / 10.0;
            }
            assert_eq!(got, wprob, "#{}", i);
        }
    }

    #[test]
    fn lower_term_messages_get_etcd_responses() {
        // With CheckQuorum (or PreVote) a stale leader's append is answered so it steps down.
        let c = Config {
            check_quorum: true,
            ..test_config(1, 10, 1)
        };
        let mut r = Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap();
        r.become_follower(3, 3);
        r.step(Message {
            from: 2,
            to: 1,
            msg_type: MsgHeartbeat,
            term: 2,
            ..Default::default()
        })
        .unwrap();
        let msgs = read_messages(&mut r);
        assert_eq!(
            msgs,
            vec![Message {
                from: 1,
                to: 2,
                msg_type: MsgAppResp,
                term: 3,
                ..Default::default()
            }]
        );
        // Without either, it is just ignored.
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
        r.become_follower(3, 3);
        r.step(Message {
            from: 2,
            to: 1,
            msg_type: MsgHeartbeat,
            term: 2,
            ..Default::default()
        })
        .unwrap();
        assert!(read_messages(&mut r).is_empty());
        // A stale pre-vote is rejected with our term.
        r.step(Message {
            from: 2,
            to: 1,
            msg_type: MsgPreVote,
            term: 2,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            read_messages(&mut r),
            vec![Message {
                from: 1,
                to: 2,
                msg_type: MsgPreVoteResp,
                term: 3,
                reject: true,
                ..Default::default()
            }]
        );
    }

    #[test]
    fn handle_msg_app() {
        // (log term, index, commit, entries, want last index, want commit, want reject)
        let e = |i, t| Entry {
            index: i,
            term: t,
            ..Default::default()
        };
        let cases: Vec<(u64, u64, u64, u64, Vec<Entry>, u64, u64, bool)> = vec![
            (2, 3, 2, 3, vec![], 2, 0, true),
            (2, 3, 3, 3, vec![], 2, 0, true),
            (2, 1, 1, 1, vec![], 2, 1, false),
            (2, 0, 0, 1, vec![e(1, 2)], 1, 1, false),
            (2, 2, 2, 3, vec![e(3, 2), e(4, 2)], 4, 3, false),
            (2, 2, 2, 4, vec![e(3, 2)], 3, 3, false),
            (2, 1, 1, 4, vec![e(2, 2)], 2, 2, false),
            (1, 1, 1, 3, vec![], 2, 1, false),
            (1, 1, 1, 3, vec![e(2, 2)], 2, 2, false),
            (2, 2, 2, 3, vec![], 2, 2, false),
            (2, 2, 2, 4, vec![], 2, 2, false),
        ];
        for (i, (term, log_term, index, commit, es, windex, wcommit, wreject)) in
            cases.into_iter().enumerate()
        {
            let mut s = storage_with_peers(&[1]);
            s.append(&ents(1, &[1, 2])).unwrap();
            let mut r = new_test_raft(1, 10, 1, s);
            r.become_follower(2, NONE);
            r.handle_append_entries(Message {
                msg_type: MsgApp,
                term,
                log_term,
                index,
                commit,
                entries: es,
                ..Default::default()
            });
            assert_eq!(r.raft_log.last_index(), windex, "#{}", i);
            assert_eq!(r.raft_log.committed, wcommit, "#{}", i);
            let m = read_messages(&mut r);
            assert_eq!(m.len(), 1, "#{}", i);
            assert_eq!(m[0].reject, wreject, "#{}", i);
        }
    }

    #[test]
    fn handle_heartbeat_commits_but_never_decreases() {
        let commit = 2;
        for (mcommit, wcommit) in [(commit + 1, commit + 1), (commit - 1, commit)] {
            let mut s = storage_with_peers(&[1, 2]);
            s.append(&ents(1, &[1, 2, 3])).unwrap();
            let mut r = new_test_raft(1, 5, 1, s);
            r.become_follower(2, 2);
            r.raft_log.commit_to(commit);
            r.handle_heartbeat(Message {
                from: 2,
                to: 1,
                msg_type: MsgHeartbeat,
                term: 2,
                commit: mcommit,
                ..Default::default()
            });
            assert_eq!(r.raft_log.committed, wcommit);
            let m = read_messages(&mut r);
            assert_eq!(m.len(), 1);
            assert_eq!(m[0].msg_type, MsgHeartbeatResp);
        }
    }

    #[test]
    fn handle_heartbeat_resp_resends_appends_to_lagging_followers() {
        let mut s = storage_with_peers(&[1, 2]);
        s.append(&ents(1, &[1, 2, 3])).unwrap();
        let mut r = new_test_raft(1, 5, 1, s);
        r.become_candidate();
        r.become_leader();
        let li = r.raft_log.last_index();
        r.raft_log.commit_to(li);
        r.step(msg(2, 0, MsgHeartbeatResp)).unwrap();
        let msgs = read_messages(&mut r);
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0].msg_type, MsgApp);
        r.step(msg(2, 0, MsgHeartbeatResp)).unwrap();
        let msgs = read_messages(&mut r);
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0].msg_type, MsgApp);
        r.step(Message {
            index: msgs[0].index + msgs[0].entries.len() as u64,
            ..msg(2, 0, MsgAppResp)
        })
        .unwrap();
        read_messages(&mut r);
        r.step(msg(2, 0, MsgHeartbeatResp)).unwrap();
        assert!(read_messages(&mut r).is_empty());
    }

    #[test]
    fn heartbeat_commit_is_capped_at_match() {
        let mut s = storage_with_peers(&[1, 2, 3]);
        s.apply_snapshot(snap(1000, 1, &[1, 2, 3])).unwrap();
        let mut r = new_test_raft(1, 10, 1, s);
        r.term = 1;
        r.become_candidate();
        r.become_leader();
        for i in 0..10 {
            must_append_entry(
                &mut r,
                vec![Entry {
                    index: i + 1,
                    ..Default::default()
                }],
            );
        }
        advance_messages_after_append(&mut r);
        let li = r.raft_log.last_index();
        r.raft_log.commit_to(li);
        {
            let pr = r.trk.progress.get_mut(&2).unwrap();
            pr.matched = 1005;
            pr.next = 1006;
        }
        {
            let pr = r.trk.progress.get_mut(&3).unwrap();
            pr.matched = li;
            pr.next = li + 1;
        }
        r.step(msg(0, 0, MsgBeat)).unwrap();
        let msgs = sorted(read_messages(&mut r));
        assert_eq!(msgs.len(), 2);
        for m in &msgs {
            assert_eq!(m.msg_type, MsgHeartbeat);
            assert_eq!((m.index, m.log_term), (0, 0));
            assert!(m.entries.is_empty());
        }
        assert_eq!(msgs[0].commit, 1005);
        assert_eq!(msgs[1].commit, li);
    }

    #[test]
    fn recv_msg_beat_only_on_leaders() {
        for (state, wmsg) in [(StateLeader, 2), (StateCandidate, 0), (StateFollower, 0)] {
            let mut s = storage_with_peers(&[1, 2, 3]);
            s.append(&ents(1, &[1, 1])).unwrap();
            let mut r = new_test_raft(1, 10, 1, s);
            r.term = 1;
            r.state = state;
            r.step(msg(1, 1, MsgBeat)).unwrap();
            let msgs = read_messages(&mut r);
            assert_eq!(msgs.len(), wmsg, "{}", state);
            assert!(msgs.iter().all(|m| m.msg_type == MsgHeartbeat));
        }
    }

    #[test]
    fn raft_frees_read_only_mem() {
        let mut r = new_test_raft(1, 5, 1, storage_with_peers(&[1, 2]));
        r.become_candidate();
        r.become_leader();
        let li = r.raft_log.last_index();
        r.raft_log.commit_to(li);
        r.step(Message {
            entries: vec![data_ent(b"ctx")],
            ..msg(2, 0, MsgReadIndex)
        })
        .unwrap();
        let msgs = read_messages(&mut r);
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0].msg_type, MsgHeartbeat);
        assert_eq!(r.read_only.unconfirmed_reads.len(), 1);
        r.step(Message {
            context: msgs[0].context.clone(),
            ..msg(2, 0, MsgHeartbeatResp)
        })
        .unwrap();
        assert!(r.read_only.unconfirmed_reads.is_empty());
        // The remote reader gets its answer (next to an append for the lagging follower).
        let msgs: Vec<Message> = read_messages(&mut r)
            .into_iter()
            .filter(|m| m.msg_type == MsgReadIndexResp)
            .collect();
        assert_eq!(msgs.len(), 1);
        assert_eq!((msgs[0].to, msgs[0].index), (2, li));
        assert_eq!(msgs[0].entries[0].data, b"ctx");
    }

    #[test]
    fn msg_app_resp_wait_reset() {
        let mut r = new_test_raft(1, 5, 1, storage_with_peers(&[1, 2, 3]));
        r.become_candidate();
        r.become_leader();
        next_ents(&mut r);
        r.step(Message {
            index: 1,
            ..msg(2, 0, MsgAppResp)
        })
        .unwrap();
        assert_eq!(r.raft_log.committed, 1);
        read_messages(&mut r);
        r.step(Message {
            entries: vec![Entry::default()],
            ..msg(1, 0, MsgProp)
        })
        .unwrap();
        let msgs = read_messages(&mut r);
        assert_eq!(msgs.len(), 1);
        assert_eq!((msgs[0].msg_type, msgs[0].to), (MsgApp, 2));
        assert_eq!(msgs[0].entries.len(), 1);
        assert_eq!(msgs[0].entries[0].index, 2);
        r.step(Message {
            index: 1,
            ..msg(3, 0, MsgAppResp)
        })
        .unwrap();
        let msgs = read_messages(&mut r);
        assert_eq!(msgs.len(), 1);
        assert_eq!((msgs[0].msg_type, msgs[0].to), (MsgApp, 3));
        assert_eq!(msgs[0].entries[0].index, 2);
    }

    fn recv_msg_vote(mt: MessageType) {
        let cases = [
            (StateFollower, 0, 0, NONE, true),
            (StateFollower, 0, 1, NONE, true),
            (StateFollower, 0, 2, NONE, true),
            (StateFollower, 0, 3, NONE, false),
            (StateFollower, 1, 0, NONE, true),
            (StateFollower, 1, 1, NONE, true),
            (StateFollower, 1, 2, NONE, true),
            (StateFollower, 1, 3, NONE, false),
            (StateFollower, 2, 0, NONE, true),
            (StateFollower, 2, 1, NONE, true),
            (StateFollower, 2, 2, NONE, false),
            (StateFollower, 2, 3, NONE, false),
            (StateFollower, 3, 0, NONE, true),
            (StateFollower, 3, 1, NONE, true),
            (StateFollower, 3, 2, NONE, false),
            (StateFollower, 3, 3, NONE, false),
            (StateFollower, 3, 2, 2, false),
            (StateFollower, 3, 2, 1, true),
            (StateLeader, 3, 3, 1, true),
            (StatePreCandidate, 3, 3, 1, true),
            (StateCandidate, 3, 3, 1, true),
        ];
        for (i, (state, index, log_term, vote_for, wreject)) in cases.into_iter().enumerate() {
            let mut s = storage_with_peers(&[1]);
            s.append(&ents(1, &[2, 2])).unwrap();
            let mut r = new_test_raft(1, 10, 1, s);
            r.state = state;
            r.vote = vote_for;
            let term = r.raft_log.last_entry_id().term.max(log_term);
            r.term = term;
            r.step(Message {
                msg_type: mt,
                term,
                from: 2,
                index,
                log_term,
                ..Default::default()
            })
            .unwrap();
            let msgs = read_messages(&mut r);
            assert_eq!(msgs.len(), 1, "#{}", i);
            assert_eq!(msgs[0].msg_type, vote_resp_msg_type(mt), "#{}", i);
            assert_eq!(msgs[0].reject, wreject, "#{} {}", i, mt);
        }
    }

    #[test]
    fn recv_msg_vote_and_pre_vote() {
        recv_msg_vote(MsgVote);
        recv_msg_vote(MsgPreVote);
    }

    #[test]
    fn state_transitions() {
        // (from, to, allowed, term, lead)
        let cases = [
            (StateFollower, StateFollower, true, 1, NONE),
            (StateFollower, StatePreCandidate, true, 0, NONE),
            (StateFollower, StateCandidate, true, 1, NONE),
            (StateFollower, StateLeader, false, 0, NONE),
            (StatePreCandidate, StateFollower, true, 0, NONE),
            (StatePreCandidate, StatePreCandidate, true, 0, NONE),
            (StatePreCandidate, StateCandidate, true, 1, NONE),
            (StatePreCandidate, StateLeader, true, 0, 1),
            (StateCandidate, StateFollower, true, 0, NONE),
            (StateCandidate, StatePreCandidate, true, 0, NONE),
            (StateCandidate, StateCandidate, true, 1, NONE),
            (StateCandidate, StateLeader, true, 0, 1),
            (StateLeader, StateFollower, true, 1, NONE),
            (StateLeader, StatePreCandidate, false, 0, NONE),
            (StateLeader, StateCandidate, false, 1, NONE),
            (StateLeader, StateLeader, true, 0, 1),
        ];
        for (i, (from, to, wallow, wterm, wlead)) in cases.into_iter().enumerate() {
            let res = std::panic::catch_unwind(move || {
                let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1]));
                r.state = from;
                match to {
                    StateFollower => r.become_follower(wterm, wlead),
                    StatePreCandidate => r.become_pre_candidate(),
                    StateCandidate => r.become_candidate(),
                    StateLeader => r.become_leader(),
                }
                (r.term, r.lead)
            });
            match res {
                Ok((term, lead)) => {
                    assert!(wallow, "#{} should have panicked", i);
                    assert_eq!((term, lead), (wterm, wlead), "#{}", i);
                }
                Err(_) => assert!(!wallow, "#{} panicked", i),
            }
        }
    }

    #[test]
    fn all_servers_step_down_on_higher_term() {
        let cases = [
            (StateFollower, StateFollower, 3, 0),
            (StatePreCandidate, StateFollower, 3, 0),
            (StateCandidate, StateFollower, 3, 0),
            (StateLeader, StateFollower, 3, 1),
        ];
        for (i, (state, wstate, wterm, windex)) in cases.into_iter().enumerate() {
            let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
            match state {
                StateFollower => r.become_follower(1, NONE),
                StatePreCandidate => r.become_pre_candidate(),
                StateCandidate => r.become_candidate(),
                StateLeader => {
                    r.become_candidate();
                    r.become_leader();
                }
            }
            for (j, mt) in [MsgVote, MsgApp].into_iter().enumerate() {
                r.step(Message {
                    from: 2,
                    msg_type: mt,
                    term: 3,
                    log_term: 3,
                    ..Default::default()
                })
                .unwrap();
                assert_eq!(r.state, wstate, "#{}.{}", i, j);
                assert_eq!(r.term, wterm, "#{}.{}", i, j);
                assert_eq!(r.raft_log.last_index(), windex, "#{}.{}", i, j);
                assert_eq!(
                    r.raft_log.all_entries().len() as u64,
                    windex,
                    "#{}.{}",
                    i,
                    j
                );
                let wlead = if mt == MsgVote { NONE } else { 2 };
                assert_eq!(r.lead, wlead, "#{}.{}", i, j);
            }
        }
    }

    fn candidate_reset_term(mt: MessageType) {
        let mk = |id| {
            Peer::Raft(Box::new(new_test_raft(
                id,
                10,
                1,
                storage_with_peers(&[1, 2, 3]),
            )))
        };
        let mut n = new_network(vec![mk(1), mk(2), mk(3)]);
        n.send1(hup(1));
        assert_eq!(n.peer(1).state, StateLeader);
        n.isolate(3);
        n.send1(hup(2));
        n.send1(hup(1));
        assert_eq!(n.peer(1).state, StateLeader);
        assert_eq!(n.peer(2).state, StateFollower);
        {
            let c = n.peer_mut(3);
            c.reset_randomized_election_timeout();
            for _ in 0..c.randomized_election_timeout {
                c.tick();
            }
            advance_messages_after_append(c);
            assert_eq!(c.state, StateCandidate);
        }
        n.recover();
        let term = n.peer(1).term;
        n.send1(Message {
            from: 1,
            to: 3,
            term,
            msg_type: mt,
            ..Default::default()
        });
        assert_eq!(n.peer(3).state, StateFollower);
        assert_eq!(n.peer(3).term, term);
    }

    #[test]
    fn candidate_reset_term_on_heartbeat_and_app() {
        candidate_reset_term(MsgHeartbeat);
        candidate_reset_term(MsgApp);
    }

    #[test]
    fn candidate_self_vote_after_lost_election() {
        for pre_vote in [false, true] {
            let mut r = new_test_raft(1, 5, 1, storage_with_peers(&[1, 2, 3]));
            r.pre_vote = pre_vote;
            r.step(hup(1)).unwrap();
            let steps = take_messages_after_append(&mut r);
            let term = r.term;
            r.step(Message {
                from: 2,
                to: 1,
                term,
                msg_type: MsgHeartbeat,
                ..Default::default()
            })
            .unwrap();
            assert_eq!(r.state, StateFollower);
            step_or_send(&mut r, steps);
            assert_eq!(r.state, StateFollower);
            assert_eq!(r.trk.tally_votes().0, 0);
        }
    }

    #[test]
    fn candidate_ignores_pre_candidate_self_vote_after_becoming_candidate() {
        let mut r = new_test_raft(1, 5, 1, storage_with_peers(&[1, 2, 3]));
        r.pre_vote = true;
        r.step(hup(1)).unwrap();
        assert_eq!(r.state, StatePreCandidate);
        let steps = take_messages_after_append(&mut r);
        let t = r.term + 1;
        r.step(Message {
            from: 2,
            to: 1,
            term: t,
            msg_type: MsgPreVoteResp,
            ..Default::default()
        })
        .unwrap();
        r.step(Message {
            from: 3,
            to: 1,
            term: t,
            msg_type: MsgPreVoteResp,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(r.state, StateCandidate);
        step_or_send(&mut r, steps);
        assert_eq!(r.state, StateCandidate);
        let steps = take_messages_after_append(&mut r);
        assert_eq!(r.trk.tally_votes().0, 0);
        let t = r.term;
        r.step(Message {
            from: 2,
            to: 1,
            term: t,
            msg_type: MsgVoteResp,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(r.state, StateCandidate);
        step_or_send(&mut r, steps);
        assert_eq!(r.state, StateLeader);
    }

    #[test]
    fn leader_self_ack_after_term_change_is_ignored() {
        let mut r = new_test_raft(1, 5, 1, storage_with_peers(&[1, 2, 3]));
        r.become_candidate();
        r.become_leader();
        r.step(prop(1, 1, b"somedata")).unwrap();
        let steps = take_messages_after_append(&mut r);
        let t = r.term + 1;
        r.step(Message {
            from: 2,
            to: 1,
            term: t,
            msg_type: MsgHeartbeat,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(r.state, StateFollower);
        step_or_send(&mut r, steps);
        assert_eq!(r.state, StateFollower);
    }

    #[test]
    fn leader_stepdown_when_quorum_active_or_lost() {
        let mut r = new_test_raft(1, 5, 1, storage_with_peers(&[1, 2, 3]));
        r.check_quorum = true;
        r.become_candidate();
        r.become_leader();
        for _ in 0..r.election_timeout + 1 {
            let term = r.term;
            r.step(Message {
                term,
                ..msg(2, 0, MsgHeartbeatResp)
            })
            .unwrap();
            r.tick();
        }
        assert_eq!(r.state, StateLeader);

        let logger = Rc::new(BufferLogger::new(Some(Level::Warn)));
        let c = Config {
            check_quorum: true,
            logger: Some(logger.clone()),
            ..test_config(1, 5, 1)
        };
        let mut r = Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap();
        r.become_candidate();
        r.become_leader();
        for _ in 0..r.election_timeout + 1 {
            r.tick();
        }
        assert_eq!(r.state, StateFollower);
        assert_eq!(
            logger.take(),
            vec!["WARN 1 stepped down to follower since quorum is not active"]
        );
    }

    fn cq_network(ids: &[u64]) -> Network {
        let peers = ids
            .iter()
            .map(|&id| {
                let mut r = new_test_raft(id, 10, 1, storage_with_peers(ids));
                r.check_quorum = true;
                Peer::Raft(Box::new(r))
            })
            .collect();
        new_network(peers)
    }

    #[test]
    fn leader_superseding_with_check_quorum() {
        let mut n = cq_network(&[1, 2, 3]);
        let et = n.peer(2).election_timeout;
        n.peer_mut(2).randomized_election_timeout = et + 1;
        for _ in 0..et {
            n.peer_mut(2).tick();
        }
        n.send1(hup(1));
        assert_eq!(n.peer(1).state, StateLeader);
        assert_eq!(n.peer(3).state, StateFollower);
        n.send1(hup(3));
        // 2 is in its lease: it ignores 3's vote request.
        assert_eq!(n.peer(3).state, StateCandidate);
        for _ in 0..et {
            n.peer_mut(2).tick();
        }
        n.send1(hup(3));
        assert_eq!(n.peer(3).state, StateLeader);
    }

    #[test]
    fn leader_election_with_check_quorum() {
        let mut n = cq_network(&[1, 2, 3]);
        let et = n.peer(1).election_timeout;
        n.peer_mut(1).randomized_election_timeout = et + 1;
        n.peer_mut(2).randomized_election_timeout = et + 2;
        // Right after creation votes are cast regardless of leases.
        n.send1(hup(1));
        assert_eq!(n.peer(1).state, StateLeader);
        assert_eq!(n.peer(3).state, StateFollower);
        n.peer_mut(1).randomized_election_timeout = et + 1;
        n.peer_mut(2).randomized_election_timeout = et + 2;
        for _ in 0..et {
            n.peer_mut(1).tick();
        }
        for _ in 0..et {
            n.peer_mut(2).tick();
        }
        n.send1(hup(3));
        assert_eq!(n.peer(1).state, StateFollower);
        assert_eq!(n.peer(3).state, StateLeader);
    }

    #[test]
    fn free_stuck_candidate_with_check_quorum() {
        let mut n = cq_network(&[1, 2, 3]);
        let et = n.peer(2).election_timeout;
        n.peer_mut(2).randomized_election_timeout = et + 1;
        for _ in 0..et {
            n.peer_mut(2).tick();
        }
        n.send1(hup(1));
        n.isolate(1);
        n.send1(hup(3));
        assert_eq!(n.peer(2).state, StateFollower);
        assert_eq!(n.peer(3).state, StateCandidate);
        assert_eq!(n.peer(3).term, n.peer(2).term + 1);
        n.send1(hup(3));
        assert_eq!(n.peer(2).state, StateFollower);
        assert_eq!(n.peer(3).state, StateCandidate);
        assert_eq!(n.peer(3).term, n.peer(2).term + 2);
        n.recover();
        let term = n.peer(1).term;
        n.send1(Message {
            from: 1,
            to: 3,
            msg_type: MsgHeartbeat,
            term,
            ..Default::default()
        });
        // The stuck candidate's answer makes the leader step down.
        assert_eq!(n.peer(1).state, StateFollower);
        assert_eq!(n.peer(3).term, n.peer(1).term);
        n.send1(hup(3));
        assert_eq!(n.peer(3).state, StateLeader);
    }

    #[test]
    fn disruptive_follower() {
        let mut n = cq_network(&[1, 2, 3]);
        for id in 1..=3 {
            n.peer_mut(id).become_follower(1, NONE);
        }
        n.send1(hup(1));
        assert_eq!(n.peer(1).state, StateLeader);
        {
            let n3 = n.peer_mut(3);
            n3.randomized_election_timeout = n3.election_timeout + 2;
            for _ in 0..n3.randomized_election_timeout - 1 {
                n3.tick();
            }
            n3.tick();
        }
        assert_eq!(n.peer(1).state, StateLeader);
        assert_eq!(n.peer(3).state, StateCandidate);
        assert_eq!((n.peer(1).term, n.peer(2).term, n.peer(3).term), (2, 2, 3));
        let term = n.peer(1).term;
        n.send1(Message {
            from: 1,
            to: 3,
            term,
            msg_type: MsgHeartbeat,
            ..Default::default()
        });
        assert_eq!(n.peer(1).state, StateFollower);
        assert_eq!(n.peer(3).state, StateCandidate);
        assert_eq!((n.peer(1).term, n.peer(2).term, n.peer(3).term), (3, 2, 3));
    }

    #[test]
    fn disruptive_follower_pre_vote() {
        let mut n = cq_network(&[1, 2, 3]);
        for id in 1..=3 {
            n.peer_mut(id).become_follower(1, NONE);
        }
        n.send1(hup(1));
        assert_eq!(n.peer(1).state, StateLeader);
        n.isolate(3);
        for _ in 0..3 {
            n.send1(prop(1, 1, b"somedata"));
        }
        for id in 1..=3 {
            n.peer_mut(id).pre_vote = true;
        }
        n.recover();
        n.send1(hup(3));
        assert_eq!(n.peer(1).state, StateLeader);
        assert_eq!(n.peer(3).state, StatePreCandidate);
        assert_eq!((n.peer(1).term, n.peer(2).term, n.peer(3).term), (2, 2, 2));
        let term = n.peer(1).term;
        n.send1(Message {
            from: 1,
            to: 3,
            term,
            msg_type: MsgHeartbeat,
            ..Default::default()
        });
        assert_eq!(n.peer(1).state, StateLeader);
    }

    fn read_index_rounds(n: &mut Network, expect_all: bool) {
        let cases: [(u64, u64, &[u8]); 6] = [
            (1, 11, b"ctx1"),
            (2, 21, b"ctx2"),
            (3, 31, b"ctx3"),
            (1, 41, b"ctx4"),
            (2, 51, b"ctx5"),
            (3, 61, b"ctx6"),
        ];
        for (i, (id, wri, wctx)) in cases.into_iter().enumerate() {
            for _ in 0..10 {
                n.send1(Message {
                    entries: vec![Entry::default()],
                    ..msg(1, 1, MsgProp)
                });
            }
            n.send1(Message {
                entries: vec![data_ent(wctx)],
                ..msg(id, id, MsgReadIndex)
            });
            let r = n.peer_mut(id);
            assert!(!r.read_states.is_empty() || !expect_all, "#{}", i);
            let rs = r.read_states[0].clone();
            assert_eq!(rs.index, wri, "#{}", i);
            assert_eq!(rs.request_ctx, wctx, "#{}", i);
            r.read_states.clear();
        }
    }

    #[test]
    fn read_only_option_safe() {
        let peers = (1..=3)
            .map(|id| {
                Peer::Raft(Box::new(new_test_raft(
                    id,
                    10,
                    1,
                    storage_with_peers(&[1, 2, 3]),
                )))
            })
            .collect();
        let mut n = new_network(peers);
        let et = n.peer(2).election_timeout;
        n.peer_mut(2).randomized_election_timeout = et + 1;
        for _ in 0..et {
            n.peer_mut(2).tick();
        }
        n.send1(hup(1));
        assert_eq!(n.peer(1).state, StateLeader);
        read_index_rounds(&mut n, true);
    }

    #[test]
    fn read_only_option_lease() {
        let mut n = cq_network(&[1, 2, 3]);
        for id in 1..=3 {
            n.peer_mut(id).read_only.option = ReadOnlyOption::ReadOnlyLeaseBased;
        }
        let et = n.peer(2).election_timeout;
        n.peer_mut(2).randomized_election_timeout = et + 1;
        for _ in 0..et {
            n.peer_mut(2).tick();
        }
        n.send1(hup(1));
        assert_eq!(n.peer(1).state, StateLeader);
        read_index_rounds(&mut n, true);
    }

    #[test]
    fn read_only_for_new_leader_waits_for_a_commit_in_its_term() {
        let configs = [(1, 1, 1, 0), (2, 2, 2, 2), (3, 2, 2, 2)];
        let mut peers = Vec::new();
        for (id, committed, applied, compact) in configs {
            let mut s = storage_with_peers(&[1, 2, 3]);
            s.append(&ents(1, &[1, 1])).unwrap();
            s.set_hard_state(HardState {
                term: 1,
                commit: committed,
                vote: 0,
            });
            if compact != 0 {
                s.compact(compact).unwrap();
            }
            let c = Config {
                applied,
                ..test_config(id, 10, 1)
            };
            peers.push(Peer::Raft(Box::new(Raft::new(&c, s).unwrap())));
        }
        let mut n = new_network(peers);
        n.ignore(MsgApp);
        n.send1(hup(1));
        assert_eq!(n.peer(1).state, StateLeader);
        let wctx = b"ctx";
        n.send1(Message {
            entries: vec![data_ent(wctx)],
            ..msg(1, 1, MsgReadIndex)
        });
        assert!(n.peer(1).read_states.is_empty());
        assert_eq!(n.peer(1).pending_read_index_messages.len(), 1);
        n.recover();
        for _ in 0..n.peer(1).heartbeat_timeout {
            n.peer_mut(1).tick();
        }
        n.send1(Message {
            entries: vec![Entry::default()],
            ..msg(1, 1, MsgProp)
        });
        let r = n.peer(1);
        assert_eq!(r.raft_log.committed, 4);
        assert_eq!(
            r.raft_log.zero_term_on_out_of_bounds(r.raft_log.term(4)),
            r.term
        );
        assert_eq!(r.read_states.len(), 1);
        assert_eq!(
            r.read_states[0],
            ReadState {
                index: 4,
                request_ctx: wctx.to_vec()
            }
        );
        n.send1(Message {
            entries: vec![data_ent(wctx)],
            ..msg(1, 1, MsgReadIndex)
        });
        assert_eq!(n.peer(1).read_states.len(), 2);
        assert_eq!(
            n.peer(1).read_states[1],
            ReadState {
                index: 4,
                request_ctx: wctx.to_vec()
            }
        );
    }

    #[test]
    fn read_index_on_follower_without_leader_is_dropped() {
        let logger = Rc::new(BufferLogger::new(Some(Level::Info)));
        let c = Config {
            logger: Some(logger.clone()),
            ..test_config(2, 10, 1)
        };
        let mut r = Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap();
        logger.take();
        r.step(Message {
            entries: vec![data_ent(b"x")],
            ..msg(0, 0, MsgReadIndex)
        })
        .unwrap();
        assert!(read_messages(&mut r).is_empty());
        assert_eq!(
            logger.take(),
            vec!["INFO 2 no leader at term 0; dropping index reading msg"]
        );
        // A malformed response is refused with etcd's error line.
        r.become_follower(1, 1);
        logger.take();
        r.step(Message {
            term: 1,
            ..msg(1, 2, MsgReadIndexResp)
        })
        .unwrap();
        assert!(r.read_states.is_empty());
        assert_eq!(
            logger.take(),
            vec!["ERROR 2 invalid format of MsgReadIndexResp from 1, entries count: 0"]
        );
    }

    #[test]
    fn leader_app_resp() {
        // (index, reject, match, next, msg count, msg index, msg commit)
        let cases = [
            (3, true, 0, 3, 0, 0, 0),
            (2, true, 0, 2, 1, 1, 0),
            (2, false, 2, 4, 2, 2, 2),
            (0, false, 0, 4, 1, 0, 0),
        ];
        for (i, (index, reject, wmatch, wnext, wmsgs, windex, wcommit)) in
            cases.into_iter().enumerate()
        {
            let mut s = storage_with_peers(&[1, 2, 3]);
            s.append(&ents(1, &[0, 1])).unwrap();
            let mut r = new_test_raft(1, 10, 1, s);
            // The log must end at term 1 for the ack to commit at term 1.
            r.raft_log.storage = {
                let mut s = storage_with_peers(&[1, 2, 3]);
                s.append(&ents(1, &[1, 1])).unwrap();
                s
            };
            r.become_candidate();
            r.become_leader();
            read_messages(&mut r);
            let term = r.term;
            r.step(Message {
                index,
                term,
                reject,
                reject_hint: index,
                ..msg(2, 0, MsgAppResp)
            })
            .unwrap();
            let p = &r.trk.progress[&2];
            assert_eq!((p.matched, p.next), (wmatch, wnext), "#{}", i);
            let msgs = read_messages(&mut r);
            assert_eq!(msgs.len(), wmsgs, "#{}", i);
            for m in msgs {
                assert_eq!((m.index, m.commit), (windex, wcommit), "#{}", i);
            }
        }
    }

    #[test]
    fn leader_increase_next() {
        let previous = ents(1, &[1, 2, 3]);
        for (state, next, wnext) in [
            (ProgressState::StateReplicate, 2, previous.len() as u64 + 3),
            (ProgressState::StateProbe, 2, 2),
        ] {
            let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2]));
            r.raft_log.append(&previous);
            r.become_candidate();
            r.become_leader();
            r.trk.progress.get_mut(&2).unwrap().state = state;
            r.trk.progress.get_mut(&2).unwrap().next = next;
            r.step(prop(1, 1, b"somedata")).unwrap();
            assert_eq!(r.trk.progress[&2].next, wnext, "{:?}", state);
        }
    }

    #[test]
    fn send_append_for_progress_probe() {
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2]));
        r.become_candidate();
        r.become_leader();
        read_messages(&mut r);
        r.trk.progress.get_mut(&2).unwrap().become_probe();
        for i in 0..3 {
            if i == 0 {
                must_append_entry(&mut r, vec![data_ent(b"somedata")]);
                r.send_append(2);
                let m = read_messages(&mut r);
                assert_eq!(m.len(), 1);
                assert_eq!(m[0].index, 0);
            }
            assert!(r.trk.progress[&2].msg_app_flow_paused);
            for _ in 0..10 {
                must_append_entry(&mut r, vec![data_ent(b"somedata")]);
                r.send_append(2);
                assert!(read_messages(&mut r).is_empty());
            }
            for _ in 0..r.heartbeat_timeout {
                r.step(msg(1, 1, MsgBeat)).unwrap();
            }
            assert!(r.trk.progress[&2].msg_app_flow_paused);
            let m = read_messages(&mut r);
            assert_eq!(m.len(), 1);
            assert_eq!(m[0].msg_type, MsgHeartbeat);
        }
        r.step(msg(2, 1, MsgHeartbeatResp)).unwrap();
        let m = read_messages(&mut r);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].index, 0);
        assert!(r.trk.progress[&2].msg_app_flow_paused);
    }

    #[test]
    fn send_append_for_progress_replicate_and_snapshot() {
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2]));
        r.become_candidate();
        r.become_leader();
        read_messages(&mut r);
        r.trk.progress.get_mut(&2).unwrap().become_replicate();
        for _ in 0..10 {
            must_append_entry(&mut r, vec![data_ent(b"somedata")]);
            r.send_append(2);
            assert_eq!(read_messages(&mut r).len(), 1);
        }
        r.trk.progress.get_mut(&2).unwrap().become_snapshot(10);
        for _ in 0..10 {
            must_append_entry(&mut r, vec![data_ent(b"somedata")]);
            r.send_append(2);
            assert!(read_messages(&mut r).is_empty());
        }
    }

    #[test]
    fn recv_msg_unreachable() {
        let mut s = storage_with_peers(&[1, 2]);
        s.append(&ents(1, &[1, 2, 3])).unwrap();
        let mut r = new_test_raft(1, 10, 1, s);
        r.become_candidate();
        r.become_leader();
        read_messages(&mut r);
        {
            let pr = r.trk.progress.get_mut(&2).unwrap();
            pr.matched = 3;
            pr.become_replicate();
            pr.next = 6;
        }
        r.step(msg(2, 1, MsgUnreachable)).unwrap();
        assert_eq!(r.trk.progress[&2].state, ProgressState::StateProbe);
        assert_eq!(r.trk.progress[&2].next, 4);
    }

    #[test]
    fn restore_from_snapshot() {
        let s = snap(11, 11, &[1, 2, 3]);
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2]));
        assert!(r.restore(s.clone()));
        assert_eq!(r.raft_log.last_index(), 11);
        assert_eq!(r.raft_log.term(11), Ok(11));
        assert_eq!(r.trk.voter_nodes(), vec![1, 2, 3]);
        assert!(!r.restore(s));
        // A node with a pending snapshot may not campaign.
        for _ in 0..r.randomized_election_timeout {
            r.tick();
        }
        assert_eq!(r.state, StateFollower);
    }

    #[test]
    fn restore_ignores_old_snapshots_and_fast_forwards_commit() {
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2]));
        r.raft_log.append(&ents(1, &[1, 1, 1]));
        r.raft_log.commit_to(1);
        assert!(!r.restore(snap(1, 1, &[1, 2])));
        assert_eq!(r.raft_log.committed, 1);
        assert!(!r.restore(snap(2, 1, &[1, 2])));
        assert_eq!(r.raft_log.committed, 2);
    }

    #[test]
    fn restore_refuses_snapshots_without_this_node() {
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2]));
        assert!(!r.restore(snap(11, 11, &[2, 3])));
        assert_eq!(r.raft_log.last_index(), 0);
    }

    #[test]
    fn provide_snap_when_follower_needs_compacted_entries() {
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1]));
        r.restore(snap(11, 11, &[1, 2]));
        // Make the snapshot durable, as the application would.
        let s = r.raft_log.next_unstable_snapshot().unwrap().clone();
        r.raft_log.storage.apply_snapshot(s.clone()).unwrap();
        r.applied_snap(&s);
        r.become_candidate();
        r.become_leader();
        let first = r.raft_log.first_index();
        r.trk.progress.get_mut(&2).unwrap().next = first;
        let next = r.trk.progress[&2].next;
        r.step(Message {
            index: next - 1,
            reject: true,
            ..msg(2, 1, MsgAppResp)
        })
        .unwrap();
        let msgs = read_messages(&mut r);
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0].msg_type, MsgSnap);
        assert_eq!(r.trk.progress[&2].state, ProgressState::StateSnapshot);
    }

    #[test]
    fn ignore_providing_snap_to_inactive_follower() {
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1]));
        r.restore(snap(11, 11, &[1, 2]));
        let s = r.raft_log.next_unstable_snapshot().unwrap().clone();
        r.raft_log.storage.apply_snapshot(s.clone()).unwrap();
        r.applied_snap(&s);
        r.become_candidate();
        r.become_leader();
        let first = r.raft_log.first_index();
        r.trk.progress.get_mut(&2).unwrap().next = first - 1;
        r.trk.progress.get_mut(&2).unwrap().recent_active = false;
        r.step(prop(1, 1, b"somedata")).unwrap();
        assert!(read_messages(&mut r).is_empty());
    }

    #[test]
    fn restore_from_snap_msg_sets_leader() {
        let mut r = new_test_raft(2, 10, 1, storage_with_peers(&[1, 2]));
        r.step(Message {
            msg_type: MsgSnap,
            from: 1,
            term: 2,
            snapshot: Some(snap(11, 11, &[1, 2])),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(r.lead, 1);
        assert_eq!(r.raft_log.committed, 11);
        let msgs = read_messages(&mut r);
        assert_eq!(
            msgs,
            vec![Message {
                from: 2,
                to: 1,
                term: 2,
                msg_type: MsgAppResp,
                index: 11,
                ..Default::default()
            }]
        );
    }

    #[test]
    fn slow_node_restore() {
        let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
        n.send1(hup(1));
        n.isolate(3);
        for _ in 0..=100 {
            n.send1(Message {
                entries: vec![Entry::default()],
                ..msg(1, 1, MsgProp)
            });
        }
        snapshot_and_compact(n.peer_mut(1));
        n.recover();
        // Heartbeats make the leader see 3 as active again.
        loop {
            n.send1(msg(1, 1, MsgBeat));
            if n.peer(1).trk.progress[&3].recent_active {
                break;
            }
        }
        n.send1(Message {
            entries: vec![Entry::default()],
            ..msg(1, 1, MsgProp)
        });
        // The follower gets a snapshot; make it durable.
        {
            let f = n.peer_mut(3);
            if let Some(s) = f.raft_log.next_unstable_snapshot().cloned() {
                f.raft_log.storage.apply_snapshot(s.clone()).unwrap();
                f.applied_snap(&s);
            }
        }
        n.send1(Message {
            entries: vec![Entry::default()],
            ..msg(1, 1, MsgProp)
        });
        assert_eq!(n.peer(3).raft_log.committed, n.peer(1).raft_log.committed);
    }

    #[test]
    fn step_config_sets_pending_conf_index_and_refuses_a_second_one() {
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2]));
        r.become_candidate();
        r.become_leader();
        let index = r.raft_log.last_index();
        let cc = Message {
            entries: vec![Entry {
                entry_type: EntryType::EntryConfChange,
                ..Default::default()
            }],
            ..msg(1, 1, MsgProp)
        };
        r.step(cc.clone()).unwrap();
        assert_eq!(r.raft_log.last_index(), index + 1);
        assert_eq!(r.pending_conf_index, index + 1);
        // A second one while the first is unapplied becomes an empty normal entry.
        r.step(cc).unwrap();
        let last = r.raft_log.all_entries().pop().unwrap();
        assert_eq!(last.entry_type, EntryType::EntryNormal);
        assert_eq!(r.pending_conf_index, index + 1);
    }

    #[test]
    fn campaign_while_leader_is_a_noop() {
        for pre_vote in [false, true] {
            let c = Config {
                pre_vote,
                ..test_config(1, 5, 1)
            };
            let mut r = Raft::new(&c, storage_with_peers(&[1])).unwrap();
            assert_eq!(r.state, StateFollower);
            r.step(hup(1)).unwrap();
            advance_messages_after_append(&mut r);
            assert_eq!(r.state, StateLeader);
            let term = r.term;
            r.step(hup(1)).unwrap();
            advance_messages_after_append(&mut r);
            assert_eq!(r.state, StateLeader);
            assert_eq!(r.term, term);
        }
    }

    fn check_leader_transfer_state(r: &R, state: StateType, lead: u64) {
        assert_eq!(r.state, state);
        assert_eq!(r.lead, lead);
        assert_eq!(r.lead_transferee, NONE);
    }

    #[test]
    fn leader_transfer_to_up_to_date_node() {
        for via_follower in [false, true] {
            let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
            n.send1(hup(1));
            assert_eq!(n.peer(1).lead, 1);
            let to = if via_follower { 2 } else { 1 };
            n.send1(msg(2, to, MsgTransferLeader));
            check_leader_transfer_state(n.peer(1), StateFollower, 2);
            n.send1(Message {
                entries: vec![Entry::default()],
                ..msg(1, 1, MsgProp)
            });
            let to = if via_follower { 1 } else { 2 };
            n.send1(msg(1, to, MsgTransferLeader));
            check_leader_transfer_state(n.peer(1), StateLeader, 1);
        }
    }

    #[test]
    fn leader_transfer_with_check_quorum() {
        let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
        for i in 1..=3u64 {
            let r = n.peer_mut(i);
            r.check_quorum = true;
            r.randomized_election_timeout = r.election_timeout + i as usize;
        }
        for _ in 0..n.peer(2).election_timeout {
            n.peer_mut(2).tick();
        }
        n.send1(hup(1));
        assert_eq!(n.peer(1).state, StateLeader);
        n.send1(msg(2, 1, MsgTransferLeader));
        check_leader_transfer_state(n.peer(1), StateFollower, 2);
        n.send1(Message {
            entries: vec![Entry::default()],
            ..msg(1, 1, MsgProp)
        });
        n.send1(msg(1, 2, MsgTransferLeader));
        check_leader_transfer_state(n.peer(1), StateLeader, 1);
    }

    #[test]
    fn leader_transfer_to_slow_follower() {
        let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
        n.send1(hup(1));
        n.isolate(3);
        n.send1(Message {
            entries: vec![Entry::default()],
            ..msg(1, 1, MsgProp)
        });
        n.recover();
        assert_eq!(n.peer(1).trk.progress[&3].matched, 1);
        n.send1(msg(3, 1, MsgTransferLeader));
        check_leader_transfer_state(n.peer(1), StateFollower, 3);
    }

    #[test]
    fn leader_transfer_after_snapshot() {
        let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
        n.send1(hup(1));
        n.isolate(3);
        n.send1(Message {
            entries: vec![Entry::default()],
            ..msg(1, 1, MsgProp)
        });
        snapshot_and_compact(n.peer_mut(1));
        n.recover();
        assert_eq!(n.peer(1).trk.progress[&3].matched, 1);
        let filtered = Rc::new(std::cell::RefCell::new(None));
        let f = filtered.clone();
        n.msg_hook = Some(Box::new(move |m: &Message| {
            if m.msg_type != MsgAppResp || m.from != 3 || m.reject {
                return true;
            }
            *f.borrow_mut() = Some(m.clone());
            false
        }));
        n.send1(msg(3, 1, MsgTransferLeader));
        assert_eq!(n.peer(1).state, StateLeader);
        let filtered = filtered.borrow_mut().take().expect("a filtered MsgAppResp");
        {
            let follower = n.peer_mut(3);
            let s = follower.raft_log.next_unstable_snapshot().unwrap().clone();
            follower.raft_log.storage.apply_snapshot(s.clone()).unwrap();
            follower.applied_snap(&s);
        }
        n.msg_hook = None;
        n.send1(filtered);
        check_leader_transfer_state(n.peer(1), StateFollower, 3);
    }

    #[test]
    fn leader_transfer_to_self_or_non_member_is_a_noop() {
        let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
        n.send1(hup(1));
        n.send1(msg(1, 1, MsgTransferLeader));
        check_leader_transfer_state(n.peer(1), StateLeader, 1);
        n.send1(msg(4, 1, MsgTransferLeader));
        check_leader_transfer_state(n.peer(1), StateLeader, 1);
    }

    #[test]
    fn leader_transfer_times_out() {
        let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
        n.send1(hup(1));
        n.isolate(3);
        n.send1(msg(3, 1, MsgTransferLeader));
        assert_eq!(n.peer(1).lead_transferee, 3);
        let (ht, et) = (n.peer(1).heartbeat_timeout, n.peer(1).election_timeout);
        for _ in 0..ht {
            n.peer_mut(1).tick();
        }
        assert_eq!(n.peer(1).lead_transferee, 3);
        for _ in 0..et - ht {
            n.peer_mut(1).tick();
        }
        check_leader_transfer_state(n.peer(1), StateLeader, 1);
    }

    #[test]
    fn leader_transfer_ignores_proposals() {
        let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
        n.send1(hup(1));
        n.isolate(3);
        next_ents(n.peer_mut(1));
        n.send1(msg(3, 1, MsgTransferLeader));
        assert_eq!(n.peer(1).lead_transferee, 3);
        n.send1(Message {
            entries: vec![Entry::default()],
            ..msg(1, 1, MsgProp)
        });
        let err = n.peer_mut(1).step(Message {
            entries: vec![Entry::default()],
            ..msg(1, 1, MsgProp)
        });
        assert_eq!(err, Err(Error::ProposalDropped));
        assert_eq!(n.peer(1).trk.progress[&1].matched, 1);
    }

    #[test]
    fn leader_transfer_receive_higher_term_vote() {
        let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
        n.send1(hup(1));
        n.isolate(3);
        n.send1(msg(3, 1, MsgTransferLeader));
        assert_eq!(n.peer(1).lead_transferee, 3);
        n.send1(Message {
            index: 1,
            term: 2,
            ..msg(2, 2, MsgHup)
        });
        check_leader_transfer_state(n.peer(1), StateFollower, 2);
    }

    #[test]
    fn leader_transfer_remove_node_aborts() {
        let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
        n.send1(hup(1));
        n.ignore(MsgTimeoutNow);
        n.send1(msg(3, 1, MsgTransferLeader));
        assert_eq!(n.peer(1).lead_transferee, 3);
        let cc = ConfChangeV2 {
            changes: vec![ConfChangeSingle {
                change_type: ConfChangeType::ConfChangeRemoveNode,
                node_id: 3,
            }],
            ..Default::default()
        };
        n.peer_mut(1).apply_conf_change(&cc).unwrap();
        check_leader_transfer_state(n.peer(1), StateLeader, 1);
    }

    #[test]
    fn leader_transfer_back_and_second_transfers() {
        // Back to self.
        let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
        n.send1(hup(1));
        n.isolate(3);
        n.send1(msg(3, 1, MsgTransferLeader));
        assert_eq!(n.peer(1).lead_transferee, 3);
        n.send1(msg(1, 1, MsgTransferLeader));
        check_leader_transfer_state(n.peer(1), StateLeader, 1);
        // To another node.
        let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
        n.send1(hup(1));
        n.isolate(3);
        n.send1(msg(3, 1, MsgTransferLeader));
        n.send1(msg(2, 1, MsgTransferLeader));
        check_leader_transfer_state(n.peer(1), StateFollower, 2);
        // Again to the same node: the timeout is not extended.
        let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
        n.send1(hup(1));
        n.isolate(3);
        n.send1(msg(3, 1, MsgTransferLeader));
        let (ht, et) = (n.peer(1).heartbeat_timeout, n.peer(1).election_timeout);
        for _ in 0..ht {
            n.peer_mut(1).tick();
        }
        n.send1(msg(3, 1, MsgTransferLeader));
        for _ in 0..et - ht {
            n.peer_mut(1).tick();
        }
        check_leader_transfer_state(n.peer(1), StateLeader, 1);
    }

    fn remove(id: u64) -> ConfChangeV2 {
        ConfChangeV2 {
            changes: vec![ConfChangeSingle {
                change_type: ConfChangeType::ConfChangeRemoveNode,
                node_id: id,
            }],
            ..Default::default()
        }
    }

    #[test]
    fn removed_leader_steps_down_only_when_configured() {
        for step_down in [false, true] {
            let c = Config {
                step_down_on_removal: step_down,
                ..test_config(1, 10, 1)
            };
            let mut r = Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap();
            r.become_candidate();
            r.become_leader();
            let cs = r.apply_conf_change(&remove(1)).unwrap();
            assert_eq!(cs.voters, vec![2, 3]);
            let want = if step_down {
                StateFollower
            } else {
                StateLeader
            };
            assert_eq!(r.state, want, "step_down_on_removal={}", step_down);
            assert!(!r.promotable());
            // A removed leader takes no proposals.
            if !step_down {
                assert_eq!(r.step(prop(1, 1, b"x")), Err(Error::ProposalDropped));
            }
        }
    }

    #[test]
    fn auto_leave_joint_config_once_applied() {
        let logger = Rc::new(BufferLogger::new(Some(Level::Info)));
        let c = Config {
            logger: Some(logger.clone()),
            ..test_config(1, 10, 1)
        };
        let mut r = Raft::new(&c, storage_with_peers(&[1])).unwrap();
        r.become_candidate();
        r.become_leader();
        next_ents(&mut r);
        let cc = ConfChangeV2 {
            transition: ConfChangeTransition::ConfChangeTransitionJointImplicit,
            changes: vec![ConfChangeSingle {
                change_type: ConfChangeType::ConfChangeAddNode,
                node_id: 2,
            }],
            ..Default::default()
        };
        r.apply_conf_change(&cc).unwrap();
        assert!(r.trk.config.auto_leave);
        logger.take();
        let last = r.raft_log.last_index();
        r.applied_to(r.raft_log.committed, 0);
        // An empty conf change entry that leaves the joint configuration was proposed.
        assert_eq!(r.raft_log.last_index(), last + 1);
        let e = r.raft_log.all_entries().pop().unwrap();
        assert_eq!(
            (e.entry_type, e.data.is_empty()),
            (EntryType::EntryConfChangeV2, true)
        );
        assert_eq!(
            logger.take(),
            vec!["INFO initiating automatic transition out of joint configuration voters=(1 2)&&(1) autoleave"]
        );
        // A conf change that is not a leave is refused while joint, with etcd's message.
        let data = crate::raftpb::confchange::marshal_conf_change_v2(&remove(2));
        let m = Message {
            entries: vec![Entry {
                entry_type: EntryType::EntryConfChangeV2,
                data,
                ..Default::default()
            }],
            ..msg(1, 1, MsgProp)
        };
        r.step(m).unwrap();
        let lines = logger.take();
        assert_eq!(lines.len(), 1);
        assert!(
            lines[0].starts_with("INFO 1 ignoring conf change "),
            "{}",
            lines[0]
        );
        assert!(
            lines[0].ends_with("possible unapplied conf change at index 2 (applied to 1)"),
            "{}",
            lines[0]
        );
    }

    #[test]
    fn transfer_to_non_member_does_nothing() {
        let mut r = new_test_raft(1, 5, 1, storage_with_peers(&[2, 3, 4]));
        r.step(msg(2, 1, MsgTimeoutNow)).unwrap();
        r.step(msg(2, 1, MsgVoteResp)).unwrap();
        r.step(msg(3, 1, MsgVoteResp)).unwrap();
        assert_eq!(r.state, StateFollower);
    }

    #[test]
    fn timeout_now_skips_pre_vote_and_carries_transfer_context() {
        let c = Config {
            pre_vote: true,
            check_quorum: true,
            ..test_config(2, 10, 1)
        };
        let mut r = Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap();
        r.become_follower(1, 1);
        r.step(Message {
            term: 1,
            ..msg(1, 2, MsgTimeoutNow)
        })
        .unwrap();
        assert_eq!(r.state, StateCandidate);
        assert_eq!(r.term, 2);
        let msgs = read_messages(&mut r);
        assert!(msgs
            .iter()
            .all(|m| m.msg_type == MsgVote && m.context == b"CampaignTransfer"));
        // A voter in its lease still grants a transfer vote.
        let c3 = Config {
            check_quorum: true,
            ..test_config(3, 10, 1)
        };
        let mut v = Raft::new(&c3, storage_with_peers(&[1, 2, 3])).unwrap();
        v.become_follower(1, 1);
        let req = msgs.into_iter().find(|m| m.to == 3).unwrap();
        v.step(req).unwrap();
        let resp = read_messages(&mut v);
        assert_eq!(resp.len(), 1);
        assert!(!resp[0].reject);
        assert_eq!(v.term, 2);
    }

    #[test]
    fn node_with_smaller_term_can_complete_election() {
        let mut peers = Vec::new();
        for id in 1..=3 {
            let mut r = new_test_raft(id, 10, 1, storage_with_peers(&[1, 2, 3]));
            r.become_follower(1, NONE);
            r.pre_vote = true;
            peers.push(Peer::Raft(Box::new(r)));
        }
        let mut n = new_network(peers);
        n.cut(1, 3);
        n.cut(2, 3);
        n.send1(hup(1));
        assert_eq!(n.peer(1).state, StateLeader);
        assert_eq!(n.peer(2).state, StateFollower);
        n.send1(hup(3));
        assert_eq!(n.peer(3).state, StatePreCandidate);
        n.send1(hup(2));
        assert_eq!((n.peer(1).term, n.peer(2).term, n.peer(3).term), (3, 3, 1));
        assert_eq!(n.peer(1).state, StateFollower);
        assert_eq!(n.peer(2).state, StateLeader);
        assert_eq!(n.peer(3).state, StatePreCandidate);
        n.recover();
        n.cut(2, 1);
        n.cut(2, 3);
        n.send1(hup(3));
        n.send1(hup(1));
        assert!(n.peer(1).state == StateLeader || n.peer(3).state == StateLeader);
    }

    #[test]
    fn pre_vote_with_split_vote() {
        let mut peers = Vec::new();
        for id in 1..=3 {
            let mut r = new_test_raft(id, 10, 1, storage_with_peers(&[1, 2, 3]));
            r.become_follower(1, NONE);
            r.pre_vote = true;
            peers.push(Peer::Raft(Box::new(r)));
        }
        let mut n = new_network(peers);
        n.send1(hup(1));
        n.isolate(1);
        n.send(vec![hup(2), hup(3)]);
        assert_eq!((n.peer(2).term, n.peer(3).term), (3, 3));
        assert_eq!(
            (n.peer(2).state, n.peer(3).state),
            (StateCandidate, StateCandidate)
        );
        n.send1(hup(2));
        assert_eq!((n.peer(2).term, n.peer(3).term), (4, 4));
        assert_eq!(
            (n.peer(2).state, n.peer(3).state),
            (StateLeader, StateFollower)
        );
    }

    #[test]
    fn pre_vote_with_check_quorum() {
        let mut peers = Vec::new();
        for id in 1..=3 {
            let mut r = new_test_raft(id, 10, 1, storage_with_peers(&[1, 2, 3]));
            r.become_follower(1, NONE);
            r.pre_vote = true;
            r.check_quorum = true;
            peers.push(Peer::Raft(Box::new(r)));
        }
        let mut n = new_network(peers);
        n.send1(hup(1));
        n.isolate(1);
        assert_eq!(n.peer(1).state, StateLeader);
        assert_eq!(n.peer(2).state, StateFollower);
        assert_eq!(n.peer(3).state, StateFollower);
        n.send1(hup(3));
        n.send1(hup(2));
        assert!(n.peer(2).state == StateLeader || n.peer(3).state == StateFollower);
    }

    #[test]
    fn vote_ignored_within_lease_logs_remaining_ticks() {
        let logger = Rc::new(BufferLogger::new(Some(Level::Info)));
        let c = Config {
            check_quorum: true,
            logger: Some(logger.clone()),
            ..test_config(2, 10, 1)
        };
        let mut r = Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap();
        r.become_follower(1, 1);
        r.tick();
        logger.take();
        r.step(Message {
            from: 3,
            to: 2,
            msg_type: MsgVote,
            term: 2,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(r.term, 1);
        assert!(read_messages(&mut r).is_empty());
        assert_eq!(
            logger.take(),
            vec!["INFO 2 [logterm: 0, index: 0, vote: 0] ignored MsgVote from 3 [logterm: 0, index: 0] at term 1: lease is not expired (remaining ticks: 9)"]
        );
    }

    #[test]
    fn forget_leader() {
        let logger = Rc::new(BufferLogger::new(Some(Level::Info)));
        let c = Config {
            logger: Some(logger.clone()),
            ..test_config(2, 10, 1)
        };
        let mut r = Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap();
        r.become_follower(1, 1);
        logger.take();
        r.step(msg(0, 0, MsgForgetLeader)).unwrap();
        assert_eq!(r.lead, NONE);
        assert_eq!(logger.take(), vec!["INFO 2 forgetting leader 1 at term 1"]);
        // Having forgotten its leader, it grants votes right away.
        r.step(Message {
            from: 3,
            to: 2,
            msg_type: MsgVote,
            term: 1,
            ..Default::default()
        })
        .unwrap();
        assert!(!read_messages(&mut r)[0].reject);

        // Refused under lease-based reads.
        let c = Config {
            check_quorum: true,
            read_only_option: ReadOnlyOption::ReadOnlyLeaseBased,
            logger: Some(logger.clone()),
            ..test_config(2, 10, 1)
        };
        let mut r = Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap();
        r.become_follower(1, 1);
        logger.take();
        r.step(msg(0, 0, MsgForgetLeader)).unwrap();
        assert_eq!(r.lead, 1);
        assert_eq!(
            logger.take(),
            vec!["ERROR ignoring MsgForgetLeader due to ReadOnlyLeaseBased"]
        );

        // A no-op on a leader.
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2, 3]));
        r.become_candidate();
        r.become_leader();
        r.step(msg(0, 0, MsgForgetLeader)).unwrap();
        assert_eq!(r.lead, 1);
    }

    #[test]
    fn fast_log_rejection() {
        struct Case {
            leader: Vec<u64>,
            follower: Vec<u64>,
            compact: u64,
            hint_term: u64,
            hint_index: u64,
            next_term: u64,
            next_index: u64,
        }
        let c = |leader: &[u64], follower: &[u64], compact, ht, hi, nt, ni| Case {
            leader: leader.to_vec(),
            follower: follower.to_vec(),
            compact,
            hint_term: ht,
            hint_index: hi,
            next_term: nt,
            next_index: ni,
        };
        let cases = vec![
            c(
                &[1, 2, 2, 4, 4, 4, 4],
                &[1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3],
                0,
                3,
                7,
                2,
                3,
            ),
            c(
                &[1, 2, 2, 3, 4, 4, 4, 5],
                &[1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3],
                0,
                3,
                8,
                3,
                4,
            ),
            c(&[1, 1, 1, 1], &[1, 2, 2, 4], 0, 1, 1, 1, 1),
            c(&[1, 1, 1, 1, 1, 1], &[1, 2, 2, 4], 0, 1, 1, 1, 1),
            c(&[1, 1, 1, 1], &[1, 2, 2, 4, 4, 4], 0, 1, 1, 1, 1),
            c(&[1, 1, 1, 4, 5], &[1, 1, 1, 4], 0, 4, 4, 4, 4),
            c(
                &[2, 5, 5, 5, 5, 5, 5, 5, 5],
                &[2, 4, 4, 4, 4, 4],
                0,
                4,
                6,
                2,
                1,
            ),
            c(&[2, 2, 2, 2, 2], &[2, 4, 4, 4, 4, 4, 4, 4], 0, 2, 1, 2, 1),
            c(&[1, 1, 3], &[1, 1, 3, 3, 3], 5, 0, 3, 1, 2),
        ];
        for (i, t) in cases.into_iter().enumerate() {
            let mut s1 = storage_with_peers(&[1, 2, 3]);
            s1.append(&ents(1, &t.leader)).unwrap();
            let (lt, li) = (*t.leader.last().unwrap(), t.leader.len() as u64);
            s1.set_hard_state(HardState {
                term: lt - 1,
                commit: li,
                vote: 0,
            });
            let mut n1 = new_test_raft(1, 10, 1, s1);
            n1.become_candidate();
            n1.become_leader();

            let mut s2 = storage_with_peers(&[1, 2, 3]);
            s2.append(&ents(1, &t.follower)).unwrap();
            s2.set_hard_state(HardState {
                term: lt,
                vote: 1,
                commit: 0,
            });
            let mut n2 = new_test_raft(2, 10, 1, s2);
            if t.compact != 0 {
                n2.raft_log.storage.compact(t.compact).unwrap();
            }

            n2.step(msg(1, 2, MsgHeartbeat)).unwrap();
            let msgs = read_messages(&mut n2);
            assert_eq!(msgs.len(), 1, "#{}", i);
            assert_eq!(msgs[0].msg_type, MsgHeartbeatResp);
            n1.step(msgs[0].clone()).unwrap();
            let msgs = read_messages(&mut n1);
            assert_eq!(msgs.len(), 1, "#{}", i);
            assert_eq!(msgs[0].msg_type, MsgApp);
            n2.step(msgs[0].clone()).unwrap();
            let msgs = read_messages(&mut n2);
            assert_eq!(msgs.len(), 1, "#{}", i);
            assert_eq!(msgs[0].msg_type, MsgAppResp);
            assert!(msgs[0].reject, "#{}", i);
            assert_eq!(msgs[0].log_term, t.hint_term, "#{} hint term", i);
            assert_eq!(msgs[0].reject_hint, t.hint_index, "#{} hint index", i);
            n1.step(msgs[0].clone()).unwrap();
            let msgs = read_messages(&mut n1);
            assert_eq!(msgs[0].log_term, t.next_term, "#{} next term", i);
            assert_eq!(msgs[0].index, t.next_index, "#{} next index", i);
        }
    }

    #[test]
    fn cannot_campaign_with_unapplied_conf_change() {
        let logger = Rc::new(BufferLogger::new(Some(Level::Warn)));
        let mut s = storage_with_peers(&[1, 2]);
        s.append(&[Entry {
            term: 1,
            index: 1,
            entry_type: EntryType::EntryConfChangeV2,
            ..Default::default()
        }])
        .unwrap();
        s.set_hard_state(HardState {
            term: 1,
            vote: 0,
            commit: 1,
        });
        let c = Config {
            logger: Some(logger.clone()),
            ..test_config(1, 10, 1)
        };
        let mut r = Raft::new(&c, s).unwrap();
        r.step(hup(1)).unwrap();
        assert_eq!(r.state, StateFollower);
        assert_eq!(
            logger.take(),
            vec!["WARN 1 cannot campaign at term 1 since there are still pending configuration changes to apply"]
        );
        r.applied_to(1, 0);
        r.step(hup(1)).unwrap();
        assert_eq!(r.state, StateCandidate);
    }

    #[test]
    fn send_of_self_addressed_non_response_is_a_bug() {
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2]));
        let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            r.send(Message {
                to: 1,
                msg_type: MsgHeartbeat,
                ..Default::default()
            })
        }));
        assert!(res.is_err());
        let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2]));
        let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            r.send(Message {
                to: 2,
                msg_type: MsgVote,
                ..Default::default()
            })
        }));
        assert!(res.is_err(), "votes must carry a term");
    }

    #[test]
    fn status_of_progress_map_after_election() {
        let mut n = new_network(vec![Peer::New, Peer::New, Peer::New]);
        n.send1(hup(1));
        let r = n.peer(1);
        let m: BTreeMap<u64, (u64, u64)> = r
            .trk
            .progress
            .iter()
            .map(|(&id, p)| (id, (p.matched, p.next)))
            .collect();
        assert_eq!(m, BTreeMap::from([(1, (1, 2)), (2, (1, 2)), (3, (1, 2))]));
    }

    #[test]
    fn appends_overflowing_the_index_space_are_refused_even_when_stepped_directly() {
        // RawNode::step bounds indexes before this; Raft::step must still not overflow.
        let mut r = new_test_raft(2, 10, 1, storage_with_peers(&[1, 2]));
        let m = Message {
            msg_type: MsgApp,
            from: 1,
            to: 2,
            term: 1,
            index: u64::MAX - 1,
            log_term: 1,
            entries: ents(u64::MAX, &[1]),
            ..Default::default()
        };
        match r.step(m) {
            Err(Error::Misuse(text)) => assert!(text.contains("overflows"), "{}", text),
            other => panic!("expected a Misuse error, got {:?}", other),
        }
        assert_eq!(r.term, 0, "refused before the term changed");
    }
}
