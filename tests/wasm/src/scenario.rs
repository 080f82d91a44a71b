//! A seeded, randomized run of a 5-node cluster driven through `RawNode`: ticks, proposals,
//! campaigns, leader transfers, partitions, dropped and delivered messages, snapshots and log
//! compaction, all decided by a ChaCha generator. Everything the nodes say (every Ready in
//! etcd's `describe` format, every log line at DEBUG, every error) is folded into a hash.
//!
//! The core promises to be deterministic: the same inputs give the same outputs on every
//! platform. The build script runs this scenario natively and the browser test runs it in
//! wasm; equal hashes are the evidence. This file is compiled twice (into the library and,
//! through `#[path]`, into build.rs), so it depends on nothing but `raft`, `rand_chacha`,
//! `rand_core` and std.

use std::collections::BTreeMap;
use std::rc::Rc;

use raft::describe::{describe_message, describe_ready};
use raft::raft::Config;
use raft::rawnode::{RawNode, SnapshotStatus};
use raft::storage::MemoryStorage;
use raft::{
    BufferLogger, ConfState, Level, Message, MessageType, Snapshot, SnapshotMetadata, StateType,
};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// The seed both sides use.
pub const SEED: u64 = 0x5eed_2aff;
/// Enough steps for several elections, partitions, snapshots and a few hundred commits.
pub const STEPS: usize = 3000;
/// A checkpoint hash is taken every this many steps, to tell where two runs diverged.
pub const CHECKPOINT_EVERY: usize = 250;

const IDS: [u64; 5] = [1, 2, 3, 4, 5];

/// What a run produced, in a form the build script can write out as Rust constants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// FNV-1a of the whole output text.
    pub hash: u64,
    /// Length of the output text in bytes.
    pub len: u64,
    /// The hash of the text so far, after every `CHECKPOINT_EVERY` steps.
    pub checkpoints: Vec<u64>,
    /// The highest commit index any node reached.
    pub max_commit: u64,
    /// Distinct terms in which some node became leader.
    pub leader_terms: u64,
    /// Entries applied, summed over the nodes.
    pub applied_entries: u64,
}

/// 64-bit FNV-1a, spelled out so that both sides hash exactly alike (std's hasher makes no
/// promise of stability across builds).
#[derive(Clone, Debug)]
struct Fnv {
    hash: u64,
    len: u64,
}

impl Fnv {
    fn new() -> Fnv {
        Fnv {
            hash: 0xcbf2_9ce4_8422_2325,
            len: 0,
        }
    }

    fn write(&mut self, s: &str) {
        for b in s.bytes() {
            self.hash ^= u64::from(b);
            self.hash = self.hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.len += s.len() as u64;
    }

    fn line(&mut self, s: &str) {
        self.write(s);
        self.write("\n");
    }
}

struct Node {
    rn: RawNode<MemoryStorage>,
    /// Whether the network drops everything to and from this node.
    isolated: bool,
}

struct Sim {
    rng: ChaCha8Rng,
    nodes: Vec<Node>,
    logger: Rc<BufferLogger>,
    /// Messages in flight, oldest first.
    net: Vec<Message>,
    out: Fnv,
    /// What each index was applied as, by the first node that applied it: (term, data).
    applied: BTreeMap<u64, (u64, Vec<u8>)>,
    applied_entries: u64,
    leader_terms: BTreeMap<u64, u64>,
    next_payload: u64,
}

impl Sim {
    fn new(seed: u64) -> Sim {
        let logger = Rc::new(BufferLogger::new(Some(Level::Debug)));
        let mut nodes = Vec::new();
        for &id in &IDS {
            let mut storage = MemoryStorage::new();
            storage
                .apply_snapshot(Snapshot {
                    metadata: SnapshotMetadata {
                        conf_state: ConfState {
                            voters: IDS.to_vec(),
                            ..Default::default()
                        },
                        index: 1,
                        term: 1,
                    },
                    ..Default::default()
                })
                .expect("a fresh storage takes the bootstrap snapshot");
            let cfg = Config {
                pre_vote: true,
                check_quorum: true,
                max_size_per_msg: 256,
                max_inflight_msgs: 8,
                logger: Some(logger.clone()),
                // The core's only randomness (election timeouts) follows the scenario's seed.
                seed: seed ^ (id << 32),
                ..Config::new(id)
            };
            let rn = RawNode::new(&cfg, storage).expect("a valid configuration");
            nodes.push(Node {
                rn,
                isolated: false,
            });
        }
        let mut sim = Sim {
            rng: ChaCha8Rng::seed_from_u64(seed),
            nodes,
            logger,
            net: Vec::new(),
            out: Fnv::new(),
            applied: BTreeMap::new(),
            applied_entries: 0,
            leader_terms: BTreeMap::new(),
            next_payload: 0,
        };
        sim.flush_logs();
        sim
    }

    /// A number in `[0, n)`. The slight modulo bias does not matter: only reproducibility does.
    fn below(&mut self, n: u64) -> u64 {
        self.rng.next_u64() % n
    }

    fn pick(&mut self) -> usize {
        self.below(IDS.len() as u64) as usize
    }

    fn flush_logs(&mut self) {
        for l in self.logger.take() {
            self.out.line(&l);
        }
    }

    fn step(&mut self, n: usize) {
        self.out.line(&format!("step {}", n));
        match self.below(100) {
            0..=29 => {
                let i = self.pick();
                self.out.line(&format!("tick {}", IDS[i]));
                self.nodes[i].rn.tick();
            }
            30..=44 => {
                // Mostly to the leader, sometimes to a follower (which forwards or drops).
                let i = match self.leader() {
                    Some(l) if self.below(4) != 0 => l,
                    _ => self.pick(),
                };
                let data = format!("v{}", self.next_payload).into_bytes();
                self.next_payload += 1;
                let res = self.nodes[i].rn.propose(data);
                self.out.line(&format!("propose {}: {:?}", IDS[i], res));
            }
            45..=46 => {
                let i = self.pick();
                let res = self.nodes[i].rn.campaign();
                self.out.line(&format!("campaign {}: {:?}", IDS[i], res));
            }
            47 => {
                let (i, j) = (self.pick(), self.pick());
                self.out.line(&format!("transfer {} -> {}", IDS[i], IDS[j]));
                self.nodes[i].rn.transfer_leader(IDS[j]);
            }
            48..=49 => {
                let i = self.pick();
                self.nodes[i].isolated = !self.nodes[i].isolated;
                self.out
                    .line(&format!("isolated {}: {}", IDS[i], self.nodes[i].isolated));
            }
            50 => self.snapshot_and_compact(),
            _ => self.deliver(),
        }
        self.flush_logs();
        self.handle_readys();
        self.flush_logs();
    }

    /// Delivers (or drops) a few of the oldest messages in flight, sometimes out of order.
    fn deliver(&mut self) {
        let count = 1 + self.below(4);
        for _ in 0..count {
            if self.net.is_empty() {
                return;
            }
            let k = if self.below(10) == 0 {
                self.below(self.net.len() as u64) as usize
            } else {
                0
            };
            let m = self.net.remove(k);
            let (from, to) = ((m.from - 1) as usize, (m.to - 1) as usize);
            let cut = self.nodes[from].isolated || self.nodes[to].isolated;
            let desc = describe_message(&m, None);
            if cut || self.below(10) == 0 {
                self.out.line(&format!("drop {}", desc));
                if m.msg_type == MessageType::MsgSnap {
                    // The transport tells the sender, as a real one would.
                    self.nodes[from]
                        .rn
                        .report_snapshot(m.to, SnapshotStatus::Failure);
                }
                continue;
            }
            self.out.line(&format!("deliver {}", desc));
            let is_snap = m.msg_type == MessageType::MsgSnap;
            let res = self.nodes[to].rn.step(m);
            if let Err(e) = res {
                self.out.line(&format!("step error: {}", e));
            }
            if is_snap {
                self.nodes[from]
                    .rn
                    .report_snapshot(IDS[to], SnapshotStatus::Finish);
            }
        }
    }

    /// Every node snapshots what it applied and drops the log before it, so that lagging
    /// followers need snapshots.
    fn snapshot_and_compact(&mut self) {
        for node in &mut self.nodes {
            let applied = node.rn.raft.raft_log.applied;
            let cs = node.rn.raft.trk.conf_state();
            let data = format!("state@{}", applied).into_bytes();
            let store = node.rn.store_mut();
            let snap = store.create_snapshot(applied, Some(cs), data);
            let compacted = store.compact(applied);
            self.out.line(&format!(
                "snapshot {} at {}: {:?} / {:?}",
                node.rn.raft.id,
                applied,
                snap.map(|s| s.metadata.index),
                compacted
            ));
        }
    }

    fn leader(&self) -> Option<usize> {
        // The leader of the highest term, if any (a deposed one may not know yet).
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.rn.raft.state == StateType::StateLeader)
            .max_by_key(|(_, n)| n.rn.raft.term)
            .map(|(i, _)| i)
    }

    fn handle_readys(&mut self) {
        loop {
            let mut any = false;
            for (i, &id) in IDS.iter().enumerate() {
                if !self.nodes[i].rn.has_ready() {
                    continue;
                }
                any = true;
                let rd = self.nodes[i].rn.ready();
                self.out.line(&format!("> {} handling Ready", id));
                self.out.line(&describe_ready(&rd, None));
                {
                    let store = self.nodes[i].rn.store_mut();
                    if !rd.snapshot.is_empty() {
                        store
                            .apply_snapshot(rd.snapshot.clone())
                            .expect("a snapshot the node accepted is newer than storage's");
                    }
                    store
                        .append(&rd.entries)
                        .expect("the node hands out entries that follow its log");
                    if !rd.hard_state.is_empty() {
                        store.set_hard_state(rd.hard_state);
                    }
                }
                for e in &rd.committed_entries {
                    self.applied_entries += 1;
                    let seen = self
                        .applied
                        .entry(e.index)
                        .or_insert_with(|| (e.term, e.data.to_vec()));
                    // State machine safety: nobody applies something else at an index.
                    assert_eq!(
                        (seen.0, &seen.1),
                        (e.term, &e.data.to_vec()),
                        "node {} applied a different entry at index {}",
                        id,
                        e.index
                    );
                }
                self.net.extend(rd.messages.iter().cloned());
                self.nodes[i].rn.advance(rd);
                let r = &self.nodes[i].rn.raft;
                if r.state == StateType::StateLeader {
                    self.leader_terms.insert(r.term, r.id);
                }
            }
            if !any {
                return;
            }
        }
    }

    fn summary(&mut self) {
        for node in &self.nodes {
            let r = &node.rn.raft;
            let last = r.raft_log.last_entry_id();
            let line = format!(
                "node {}: {} term {} lead {} commit {} applied {} last {}/{}",
                r.id,
                r.state,
                r.term,
                r.lead,
                r.raft_log.committed,
                r.raft_log.applied,
                last.term,
                last.index
            );
            self.out.line(&line);
        }
    }
}

/// Runs the scenario for `steps` steps from `seed`.
pub fn run(seed: u64, steps: usize) -> Trace {
    let mut sim = Sim::new(seed);
    let mut checkpoints = Vec::new();
    for n in 1..=steps {
        sim.step(n);
        if n % CHECKPOINT_EVERY == 0 {
            checkpoints.push(sim.out.hash);
        }
    }
    sim.summary();
    let max_commit = sim
        .nodes
        .iter()
        .map(|n| n.rn.raft.raft_log.committed)
        .max()
        .unwrap_or(0);
    Trace {
        hash: sim.out.hash,
        len: sim.out.len,
        checkpoints,
        max_commit,
        leader_terms: sim.leader_terms.len() as u64,
        applied_entries: sim.applied_entries,
    }
}
