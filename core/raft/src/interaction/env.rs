//! The state of an interaction session (etcd's `rafttest.InteractionEnv`): the nodes, the
//! messages in flight between them, and the output the commands produce.

use crate::describe::{describe_entries, describe_message, describe_ready};
use crate::error::{Error, Result};
use crate::logger::{Level, Logger, SharedLogger};
use crate::raft::Config;
use crate::raftpb::confchange::{
    conf_change_as_v2, unmarshal_conf_change, unmarshal_conf_change_v2,
};
use crate::raftpb::{
    ConfState, Entry, EntryType, HardState, Message, MessageType, Snapshot, SnapshotMetadata,
};
use crate::rawnode::RawNode;
use crate::storage::{MemoryStorage, Storage};
use crate::util::is_local_msg_target;
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

/// The level names of the harness, lowest first; the last one silences everything.
pub const LEVEL_NAMES: [&str; 6] = ["DEBUG", "INFO", "WARN", "ERROR", "FATAL", "NONE"];
const LEVEL_NONE: usize = 5;

fn level_index(level: Level) -> usize {
    match level {
        Level::Debug => 0,
        Level::Info => 1,
        Level::Warn => 2,
        Level::Error => 3,
        Level::Fatal => 4,
    }
}

#[derive(Debug, Default)]
struct OutputState {
    level: usize,
    /// The builders being written; the last is current. Indented sections push a fresh one and
    /// fold it into the one below when they end.
    stack: Vec<String>,
}

/// The single text stream of a session (etcd's `RedirectLogger`): the nodes' log lines and the
/// commands' own output, interleaved in the order they happen. Cheap to clone; clones share the
/// stream.
#[derive(Clone, Debug)]
pub struct Output {
    state: Rc<RefCell<OutputState>>,
}

impl Default for Output {
    fn default() -> Self {
        Output {
            state: Rc::new(RefCell::new(OutputState {
                level: 0,
                stack: vec![String::new()],
            })),
        }
    }
}

impl Output {
    /// The current level as an index into [`LEVEL_NAMES`].
    pub fn level(&self) -> usize {
        self.state.borrow().level
    }

    pub fn set_level(&self, level: usize) {
        self.state.borrow_mut().level = level.min(LEVEL_NONE);
    }

    /// At level NONE, nothing but errors reaches the output.
    pub fn quiet(&self) -> bool {
        self.level() == LEVEL_NONE
    }

    /// Appends text unless the output is quiet.
    pub fn write_str(&self, s: &str) {
        let mut st = self.state.borrow_mut();
        if st.level == LEVEL_NONE {
            return;
        }
        st.stack
            .last_mut()
            .expect("output stack is never empty")
            .push_str(s);
    }

    /// Discards everything written so far.
    pub fn reset(&self) {
        let mut st = self.state.borrow_mut();
        st.stack.clear();
        st.stack.push(String::new());
    }

    /// What has been written since the last reset.
    pub fn contents(&self) -> String {
        self.state
            .borrow()
            .stack
            .last()
            .cloned()
            .unwrap_or_default()
    }

    /// Runs `f`, then re-emits what it wrote with every line indented by two spaces.
    pub fn with_indent<T>(&self, f: impl FnOnce() -> T) -> T {
        self.state.borrow_mut().stack.push(String::new());
        let r = f();
        let mut st = self.state.borrow_mut();
        let inner = st.stack.pop().expect("indented section");
        let outer = st.stack.last_mut().expect("output stack is never empty");
        // Line splitting as Go's bufio.Scanner does it (a trailing \r is dropped).
        for line in inner.lines() {
            outer.push_str("  ");
            outer.push_str(line);
            outer.push('\n');
        }
        r
    }
}

impl fmt::Write for Output {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        Output::write_str(self, s);
        Ok(())
    }
}

impl Logger for Output {
    fn log(&self, level: Level, msg: fmt::Arguments<'_>) {
        let lvl = level_index(level);
        if self.level() > lvl {
            return;
        }
        let mut line = format!("{} {}", LEVEL_NAMES[lvl], msg);
        if !line.ends_with('\n') {
            line.push('\n');
        }
        self.write_str(&line);
    }
}

/// The storage of a node in a session: a `MemoryStorage`, plus the history of the state
/// machine as snapshots. The "state machine" appends every applied payload to the previous
/// snapshot's data; `snapshot()` always hands out the latest state, as etcd's harness does.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct EnvStorage {
    pub mem: MemoryStorage,
    /// Never empty once the node exists: the initial snapshot comes first.
    pub history: Vec<Snapshot>,
}

impl Storage for EnvStorage {
    fn initial_state(&self) -> Result<(HardState, ConfState)> {
        self.mem.initial_state()
    }
    fn entries(&self, lo: u64, hi: u64, max_size: u64) -> Result<Vec<Entry>> {
        self.mem.entries(lo, hi, max_size)
    }
    fn term(&self, i: u64) -> Result<u64> {
        self.mem.term(i)
    }
    fn last_index(&self) -> Result<u64> {
        self.mem.last_index()
    }
    fn first_index(&self) -> Result<u64> {
        self.mem.first_index()
    }
    fn snapshot(&self) -> Result<Snapshot> {
        Ok(self.history.last().cloned().unwrap_or_default())
    }
}

/// One member of the group.
#[derive(Clone)]
pub struct Node {
    pub(crate) raw_node: RawNode<EnvStorage>,
    pub config: Config,
    /// With asynchronous storage writes: the `MsgStorageAppend`s handed out and not yet
    /// processed by the node's append thread, oldest first.
    pub(crate) append_work: Vec<Message>,
    /// Likewise the `MsgStorageApply`s waiting for the apply thread.
    pub(crate) apply_work: Vec<Message>,
}

impl fmt::Debug for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node")
            .field("id", &self.config.id)
            .finish_non_exhaustive()
    }
}

impl Node {
    pub fn storage(&self) -> &EnvStorage {
        self.raw_node.store()
    }
    pub(crate) fn storage_mut(&mut self) -> &mut EnvStorage {
        self.raw_node.store_mut()
    }
}

/// Whom `deliver_msgs` serves: the messages to `id` are stepped into it, or dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recipient {
    pub id: u64,
    pub drop: bool,
}

/// A group of nodes driven by the interaction commands. Node `i` (0-based index) has id `i+1`.
#[derive(Clone, Debug, Default)]
pub(crate) struct InteractionEnv {
    pub nodes: Vec<Node>,
    /// Messages sent but not yet delivered, in sending order.
    pub messages: Vec<Message>,
    pub output: Output,
}

/// etcd's `raftConfigStub`: short timeouts and no limits. Id and logger are set per node.
pub(crate) fn raft_config_stub() -> Config {
    let mut c = Config::new(0);
    c.election_tick = 3;
    c.heartbeat_tick = 1;
    c.max_size_per_msg = u64::MAX;
    c.max_inflight_msgs = i32::MAX as usize;
    c.max_committed_size_per_ready = 0;
    c.max_uncommitted_entries_size = 0;
    c.max_inflight_bytes = 0;
    c
}

/// Messages that stay on a node: to itself or between it and its storage threads.
fn is_local_msg(m: &Message) -> bool {
    m.from == m.to || is_local_msg_target(m.from) || is_local_msg_target(m.to)
}

/// Splits `msgs` into those for `to` (of type `typ`, if given; local ones are never dropped)
/// and the rest, keeping the order of both.
pub(crate) fn split_msgs(
    msgs: Vec<Message>,
    to: u64,
    typ: Option<MessageType>,
    drop: bool,
) -> (Vec<Message>, Vec<Message>) {
    msgs.into_iter().partition(|m| {
        m.to == to && !(drop && is_local_msg(m)) && typ.is_none_or(|t| m.msg_type == t)
    })
}

impl InteractionEnv {
    pub fn new() -> Self {
        Self::default()
    }

    pub(super) fn node(&self, idx: usize) -> Result<&Node> {
        self.nodes
            .get(idx)
            .ok_or_else(|| Error::Misuse(format!("node {} does not exist", idx + 1)))
    }

    pub(super) fn node_mut(&mut self, idx: usize) -> Result<&mut Node> {
        self.nodes
            .get_mut(idx)
            .ok_or_else(|| Error::Misuse(format!("node {} does not exist", idx + 1)))
    }

    /// Adds `n` nodes with the given configuration template; a non-empty `snap` bootstraps their
    /// storage (its index must exceed 1).
    pub fn add_nodes(&mut self, n: usize, cfg: &Config, mut snap: Snapshot) -> Result<()> {
        let bootstrap = snap != Snapshot::default();
        for _ in 0..n {
            let id = 1 + self.nodes.len() as u64;
            let mut storage = EnvStorage::default();
            if bootstrap {
                // MemoryStorage keeps a dummy entry at the snapshot index, so index 1 cannot be
                // represented; etcd's harness refuses it too.
                if snap.metadata.index <= 1 {
                    return Err(Error::Misuse(
                        "index must be specified as > 1 due to bootstrap".into(),
                    ));
                }
                snap.metadata.term = 1;
                storage.mem.apply_snapshot(snap.clone())?;
                let fi = storage.mem.first_index()?;
                let exp = snap.metadata.index + 1;
                if fi != exp {
                    return Err(Error::Misuse(format!(
                        "failed to establish first index {}; got {}",
                        exp, fi
                    )));
                }
            }
            storage.history.push(snap.clone());
            let mut cfg = cfg.clone();
            cfg.id = id;
            cfg.seed = id;
            let logger: SharedLogger = Rc::new(self.output.clone());
            cfg.logger = Some(logger);
            let raw_node = RawNode::new(&cfg, storage)?;
            self.nodes.push(Node {
                raw_node,
                config: cfg,
                append_work: Vec::new(),
                apply_work: Vec::new(),
            });
        }
        Ok(())
    }

    /// Handles one Ready of node `idx`: prints it and queues its messages. With synchronous
    /// storage writes it also persists and applies, and advances; with asynchronous ones the
    /// storage work is queued for the node's append and apply threads instead.
    pub fn process_ready(&mut self, idx: usize) -> Result<()> {
        let output = self.output.clone();
        let n = self.node_mut(idx)?;
        let is_async = n.config.async_storage_writes;
        let rd = n.raw_node.ready();
        output.write_str(&describe_ready(&rd, None));
        if !is_async {
            process_append(n, &rd.hard_state, &rd.entries, &rd.snapshot)?;
            process_apply(n, &rd.committed_entries)?;
        }
        let mut to_peers = Vec::new();
        for m in &rd.messages {
            if !is_local_msg_target(m.to) {
                to_peers.push(m.clone());
                continue;
            }
            match m.msg_type {
                _ if !is_async => {
                    return Err(Error::Misuse("unexpected local msg target".into()));
                }
                MessageType::MsgStorageAppend => n.append_work.push(m.clone()),
                MessageType::MsgStorageApply => n.apply_work.push(m.clone()),
                t => {
                    return Err(Error::Misuse(format!("unexpected message type {}", t)));
                }
            }
        }
        if !is_async {
            n.raw_node.advance(rd);
        }
        self.messages.extend(to_peers);
        Ok(())
    }

    /// Delivers (or drops) the pending messages for each recipient, printing each; returns how
    /// many there were.
    pub fn deliver_msgs(&mut self, typ: Option<MessageType>, rs: &[Recipient]) -> usize {
        let mut n = 0;
        for r in rs {
            let (msgs, rest) = split_msgs(std::mem::take(&mut self.messages), r.id, typ, r.drop);
            self.messages = rest;
            n += msgs.len();
            for m in msgs {
                if r.drop {
                    self.output.write_str("dropped: ");
                }
                self.output.write_str(&describe_message(&m, None));
                self.output.write_str("\n");
                if r.drop {
                    continue;
                }
                let to = m.to;
                let res = match self.nodes.get_mut((to as usize).wrapping_sub(1)) {
                    Some(node) => node.raw_node.step(m),
                    None => Err(Error::Misuse(format!("node {} does not exist", to))),
                };
                if let Err(e) = res {
                    self.output.write_str(&format!("{}\n", e));
                }
            }
        }
        n
    }

    /// Processes Readys, delivers messages and works off the storage threads' queues among the
    /// given nodes (all when empty) until nothing is left to do.
    pub fn stabilize(&mut self, idxs: &[usize]) -> Result<()> {
        let idxs: Vec<usize> = if idxs.is_empty() {
            (0..self.nodes.len()).collect()
        } else {
            idxs.to_vec()
        };
        for &idx in &idxs {
            self.node(idx)?;
        }
        loop {
            let mut done = true;
            for &idx in &idxs {
                if self.nodes[idx].raw_node.has_ready() {
                    self.output
                        .write_str(&format!("> {} handling Ready\n", idx + 1));
                    let out = self.output.clone();
                    out.with_indent(|| self.process_ready(idx))?;
                    done = false;
                }
            }
            for &idx in &idxs {
                let id = idx as u64 + 1;
                if self.messages.iter().any(|m| m.to == id) {
                    self.output
                        .write_str(&format!("> {} receiving messages\n", id));
                    let out = self.output.clone();
                    out.with_indent(|| self.deliver_msgs(None, &[Recipient { id, drop: false }]));
                    done = false;
                }
            }
            // A thread's whole queue is worked off in one go, each message in its own section.
            for &idx in &idxs {
                if !self.nodes[idx].append_work.is_empty() {
                    self.output
                        .write_str(&format!("> {} processing append thread\n", idx + 1));
                    while !self.nodes[idx].append_work.is_empty() {
                        let out = self.output.clone();
                        out.with_indent(|| self.process_append_thread(idx))?;
                    }
                    done = false;
                }
            }
            for &idx in &idxs {
                if !self.nodes[idx].apply_work.is_empty() {
                    self.output
                        .write_str(&format!("> {} processing apply thread\n", idx + 1));
                    while !self.nodes[idx].apply_work.is_empty() {
                        let out = self.output.clone();
                        // Like etcd's harness, stabilize carries on when applying fails.
                        let _ = out.with_indent(|| self.process_apply_thread(idx));
                    }
                    done = false;
                }
            }
            if done {
                return Ok(());
            }
        }
    }

    /// Prints node `idx`'s stored log.
    pub fn raft_log(&mut self, idx: usize) -> Result<()> {
        let s = self.node(idx)?.storage();
        let fi = s.first_index()?;
        let li = s.last_index()?;
        if li < fi {
            self.output.write_str(&format!(
                "log is empty: first index={}, last index={}",
                fi, li
            ));
            return Ok(());
        }
        let ents = s.entries(fi, li + 1, u64::MAX)?;
        self.output.write_str(&describe_entries(&ents, None));
        Ok(())
    }

    /// Compacts node `idx`'s storage and prints the remaining log.
    pub fn compact(&mut self, idx: usize, new_first_index: u64) -> Result<()> {
        self.node_mut(idx)?
            .storage_mut()
            .mem
            .compact(new_first_index)?;
        self.raft_log(idx)
    }

    /// Queues a MsgSnap with node `from_idx`'s latest snapshot for node `to_idx` (not delivered).
    pub fn send_snapshot(&mut self, from_idx: usize, to_idx: usize) -> Result<()> {
        let from = self.node(from_idx)?;
        let snap = from.storage().snapshot()?;
        let term = from.raw_node.raft.term;
        let msg = Message {
            msg_type: MessageType::MsgSnap,
            term,
            from: from_idx as u64 + 1,
            to: to_idx as u64 + 1,
            snapshot: Some(Box::new(snap)),
            ..Default::default()
        };
        self.output.write_str(&describe_message(&msg, None));
        self.messages.push(msg);
        Ok(())
    }

    /// Prints each node's role, voter status, term and leader, in its own view.
    pub fn raft_state(&mut self) {
        for n in &self.nodes {
            let r = &n.raw_node.raft;
            let voter = if r.trk.config.voters.ids().contains(&r.id) {
                "(Voter)"
            } else {
                "(Non-Voter)"
            };
            self.output.write_str(&format!(
                "{}: {} {} Term:{} Lead:{}\n",
                r.id, r.state, voter, r.term, r.lead
            ));
        }
    }

    /// Prints the progress the node tracks for its peers (empty unless it leads).
    pub fn status(&mut self, idx: usize) -> Result<()> {
        let st = self.node(idx)?.raw_node.status();
        let m = crate::tracker::ProgressMap::from(st.progress);
        self.output.write_str(&m.to_string());
        Ok(())
    }

    /// Ticks node `idx` `num` times.
    pub fn tick(&mut self, idx: usize, num: usize) -> Result<()> {
        let n = self.node_mut(idx)?;
        for _ in 0..num {
            n.raw_node.tick();
        }
        Ok(())
    }
}

/// Persists what a Ready asks to persist (etcd's `processAppend`).
pub(super) fn process_append(
    n: &mut Node,
    st: &HardState,
    ents: &[Entry],
    snap: &Snapshot,
) -> Result<()> {
    let s = &mut n.storage_mut().mem;
    if !st.is_empty() {
        s.set_hard_state(*st);
    }
    if !snap.is_empty() {
        if !ents.is_empty() {
            return Err(Error::Misuse(
                "can't apply snapshot and entries at the same time".into(),
            ));
        }
        return s.apply_snapshot(snap.clone());
    }
    s.append(ents)
}

/// Applies committed entries to the node's "appender" state machine, recording each resulting
/// state as a snapshot, and conf changes to the node (etcd's `processApply`).
pub(super) fn process_apply(n: &mut Node, ents: &[Entry]) -> Result<()> {
    for ent in ents {
        let (update, cs) = match ent.entry_type {
            EntryType::EntryConfChange => {
                let cc = unmarshal_conf_change(&ent.data).map_err(Error::Misuse)?;
                let cs = n.raw_node.raft.apply_conf_change(&conf_change_as_v2(&cc))?;
                (cc.context, Some(cs))
            }
            EntryType::EntryConfChangeV2 => {
                let cc = unmarshal_conf_change_v2(&ent.data).map_err(Error::Misuse)?;
                let cs = n.raw_node.raft.apply_conf_change(&cc)?;
                (cc.context, Some(cs))
            }
            EntryType::EntryNormal => (ent.data.to_vec(), None),
        };
        let history = &mut n.storage_mut().history;
        let last = history.last().cloned().unwrap_or_default();
        let mut data = last.data;
        data.extend_from_slice(&update);
        history.push(Snapshot {
            data,
            metadata: SnapshotMetadata {
                conf_state: cs.unwrap_or(last.metadata.conf_state),
                index: ent.index,
                term: ent.term,
            },
        });
    }
    Ok(())
}
