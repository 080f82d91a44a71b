//! Our core on the workload of `raftrs-baseline` (tikv's raft-rs 0.7, kept outside the repo in
//! `shared/bench/raftrs-baseline`), so that the two can be compared side by side
//! (`scripts/bench-raftrs.sh`). Everything that shapes the figures mirrors that program: the
//! cluster, the pump, the timing boundaries, the compaction rule, the checks and the output
//! line. Where the two APIs differ, the comments say how the step was translated.
//!
//! Workload (single-threaded, deterministic, no ticks during measurement):
//! * 3 voters (ids 1, 2, 3), each a `RawNode<MemoryStorage>` bootstrapped, like raft-rs's
//!   `MemStorage::new_with_conf_state`, with the voters at index 0; election_tick=10,
//!   heartbeat_tick=1, max_size_per_msg=1 MiB, max_inflight_msgs=256, pre_vote=false,
//!   check_quorum=false, no limit on committed entries per Ready nor on uncommitted entries
//!   (raft-rs's defaults); no logger.
//! * Node 1 campaigns; the cluster is pumped until node 1 is leader.
//! * Pump: for each node (1, 2, 3 in order) that `has_ready()`: take the Ready, persist its
//!   snapshot (never happens, counted) / entries / hard state into its MemoryStorage, collect
//!   its messages, apply (count) its committed entries, `advance()`. The messages are then
//!   delivered at once (`step` on the target node) before moving on to the next node. Passes
//!   repeat until a whole pass finds no node with a Ready.
//! * Measurement: N 64-byte proposals on the leader, B at a time, pumping the cluster to
//!   quiescence after every batch. The clock starts just before the first proposal and stops
//!   when the leader has applied its N-th non-empty entry.
//! * Every node compacts its MemoryStorage each time its applied index has moved by
//!   `COMPACT_EVERY` since the last compaction (leader: capped at the lowest follower
//!   `matched`, so that no follower ever needs a snapshot). Snapshots are counted and must be 0.
//!
//! Checks after each run (panics otherwise): every node applied exactly N non-empty entries, in
//! proposal order (sequence number in the first 8 payload bytes), all commit and applied
//! indexes equal, no snapshot, no dropped proposal, no step error.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use raft::raft::Config;
use raft::rawnode::RawNode;
use raft::storage::MemoryStorage;
use raft::StateType;
use raft::{ConfState, Entry, EntryType, Message, MessageType, Snapshot, SnapshotMetadata};

/// Printed where raft-rs's line has its crate version: both crates of this workspace share it.
const CORE_VERSION: &str = env!("CARGO_PKG_VERSION");
const PAYLOAD: usize = 64;
const COMPACT_EVERY: u64 = 10_000;
const NODES: usize = 3;

/// Command line, the same flags as raftrs-baseline's.
#[derive(Parser, Debug)]
#[command(
    name = "core-baseline",
    about = "In-memory throughput of the raft core on raftrs-baseline's workload"
)]
struct Args {
    /// Entries to propose per batch size.
    #[arg(long, default_value_t = 200_000, value_parser = clap::value_parser!(u64).range(1..))]
    entries: u64,
    /// Proposals per batch, one run for each (comma-separated).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1,64",
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    batches: Vec<u64>,
    /// Never compact the storages.
    #[arg(long)]
    no_compact: bool,
    /// Print a detail line per run on stderr.
    #[arg(long)]
    verbose: bool,
}

#[derive(Default, Debug, Clone)]
struct Stats {
    readies: u64,
    messages: u64,
    append_msgs: u64,
    append_rejects: u64,
    snapshots: u64,
    step_errors: u64,
    compactions: u64,
}

struct Cluster {
    /// Node `id` sits at index `id - 1`.
    nodes: Vec<RawNode<MemoryStorage>>,
    /// Non-empty entries applied per node.
    applied_data: [u64; NODES],
    /// Applied index at the last compaction, per node.
    last_compact: [u64; NODES],
    /// When the leader (index 0) applied its `target`-th non-empty entry.
    target: u64,
    done_at: Option<Instant>,
    compact: bool,
    stats: Stats,
    queue: VecDeque<Message>,
}

impl Cluster {
    fn new(compact: bool) -> Cluster {
        let voters: Vec<u64> = (1..=NODES as u64).collect();
        let mut nodes = Vec::with_capacity(NODES);
        for id in 1..=NODES as u64 {
            let cfg = Config {
                election_tick: 10,
                heartbeat_tick: 1,
                max_size_per_msg: 1024 * 1024,
                max_inflight_msgs: 256,
                pre_vote: false,
                check_quorum: false,
                applied: 0,
                // raft-rs's defaults are NO_LIMIT for both; here 0 would mean "as
                // max_size_per_msg" for the first (etcd's rule), u64::MAX is etcd's noLimit.
                max_committed_size_per_ready: u64::MAX,
                max_uncommitted_entries_size: 0,
                ..Config::new(id)
            };
            cfg.validate().expect("valid config");
            // raft-rs's `new_with_conf_state` only sets the ConfState, at index 0 and term 0;
            // a snapshot at index 0 carrying the voters is this storage's equivalent.
            let mut storage = MemoryStorage::new();
            storage
                .apply_snapshot(Snapshot {
                    metadata: SnapshotMetadata {
                        conf_state: ConfState {
                            voters: voters.clone(),
                            ..Default::default()
                        },
                        index: 0,
                        term: 0,
                    },
                    ..Default::default()
                })
                .expect("a fresh storage takes any snapshot");
            nodes.push(RawNode::new(&cfg, storage).expect("RawNode::new"));
        }
        Cluster {
            nodes,
            applied_data: [0; NODES],
            last_compact: [0; NODES],
            target: u64::MAX,
            done_at: None,
            compact,
            stats: Stats::default(),
            queue: VecDeque::with_capacity(64),
        }
    }

    /// Run passes until no node has a Ready (and therefore no message is pending).
    fn pump(&mut self) {
        loop {
            let mut any = false;
            for i in 0..NODES {
                if self.nodes[i].has_ready() {
                    any = true;
                    self.handle_ready(i);
                    self.deliver();
                }
            }
            if !any {
                debug_assert!(self.queue.is_empty());
                return;
            }
        }
    }

    fn deliver(&mut self) {
        while let Some(m) = self.queue.pop_front() {
            self.stats.messages += 1;
            match m.msg_type {
                MessageType::MsgApp => self.stats.append_msgs += 1,
                MessageType::MsgAppResp if m.reject => self.stats.append_rejects += 1,
                MessageType::MsgSnap => self.stats.snapshots += 1,
                _ => {}
            }
            let to = m.to as usize - 1;
            if self.nodes[to].step(m).is_err() {
                self.stats.step_errors += 1;
            }
        }
    }

    fn handle_ready(&mut self, i: usize) {
        self.stats.readies += 1;
        let node = &mut self.nodes[i];
        let mut rd = node.ready();

        // Persist.
        {
            let store = node.store_mut();
            if !rd.snapshot.is_empty() {
                self.stats.snapshots += 1;
                store
                    .apply_snapshot(rd.snapshot.clone())
                    .expect("apply_snapshot");
            }
            if !rd.entries.is_empty() {
                store.append(&rd.entries).expect("append");
            }
            if !rd.hard_state.is_empty() {
                store.set_hard_state(rd.hard_state);
            }
        }

        // Collect messages. Storage writes are synchronous here, so the Ready carries in one
        // list what raft-rs splits into messages() and persisted_messages().
        self.queue.extend(std::mem::take(&mut rd.messages));

        // Apply committed entries. There is no LightReady: entries committed by the node's
        // own acknowledgement at advance() come with the next Ready, which the pump takes in a
        // later pass, as it would take raft-rs's next Ready.
        let ents = std::mem::take(&mut rd.committed_entries);
        apply(
            i,
            &ents,
            &mut self.applied_data,
            self.target,
            &mut self.done_at,
        );
        node.advance(rd);

        if self.compact {
            let applied = node.raft.raft_log.applied;
            if applied >= self.last_compact[i] + COMPACT_EVERY {
                let mut to = applied;
                if node.raft.state == StateType::StateLeader {
                    for (id, pr) in node.raft.trk.progress.iter() {
                        if *id != node.raft.id {
                            to = to.min(pr.matched);
                        }
                    }
                }
                if to > self.last_compact[i] {
                    // raft-rs keeps entry `to` and drops those before it; this storage keeps
                    // `to`'s index and term only (etcd's rule): one entry apart, and the next
                    // append to the slowest follower (at `to + 1`) still finds its term.
                    node.store_mut().compact(to).expect("compact");
                    self.last_compact[i] = to;
                    self.stats.compactions += 1;
                }
            }
        }
    }
}

#[inline]
fn apply(
    i: usize,
    ents: &[Entry],
    applied_data: &mut [u64; NODES],
    target: u64,
    done_at: &mut Option<Instant>,
) {
    for e in ents {
        if e.data.is_empty() {
            continue; // empty entry appended by a new leader
        }
        assert_eq!(e.entry_type, EntryType::EntryNormal);
        let seq = u64::from_le_bytes(e.data[..8].try_into().unwrap());
        assert_eq!(seq, applied_data[i], "node {} applied out of order", i + 1);
        applied_data[i] += 1;
        if i == 0 && applied_data[0] == target {
            *done_at = Some(Instant::now());
        }
    }
}

fn read_status_kib(key: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets VmHWM (peak RSS) to the current RSS (Linux >= 4.0). Returns whether it worked.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

struct RunResult {
    secs: f64,
    quiesce_secs: f64,
    stats: Stats,
    peak_rss_kib: Option<u64>,
    peak_reset: bool,
}

fn run(n: u64, batch: u64, compact: bool) -> RunResult {
    let peak_reset = reset_peak_rss();
    let mut c = Cluster::new(compact);

    // Elect node 1.
    c.nodes[0].campaign().expect("campaign");
    c.pump();
    assert_eq!(
        c.nodes[0].raft.state,
        StateType::StateLeader,
        "node 1 did not become leader"
    );
    c.target = n;
    let setup_stats = c.stats.clone();

    let filler = [0xA5u8; PAYLOAD];
    let mut dropped = 0u64;
    let start = Instant::now();
    let mut seq = 0u64;
    while seq < n {
        let end = (seq + batch).min(n);
        while seq < end {
            let mut data = filler;
            data[..8].copy_from_slice(&seq.to_le_bytes());
            // One allocation per proposal, as raft-rs's `data.to_vec()` that its `propose`
            // turns into a `Bytes` without copying: our payload is an `Arc<[u8]>`, built here
            // directly (a `Vec` would be copied into one).
            let data: Arc<[u8]> = Arc::from(&data[..]);
            if c.nodes[0].propose(data).is_err() {
                dropped += 1;
            }
            seq += 1;
        }
        c.pump();
    }
    let quiesced = Instant::now();
    let done_at = c.done_at.expect("leader never applied N entries");
    let secs = done_at.duration_since(start).as_secs_f64();
    let quiesce_secs = quiesced.duration_since(start).as_secs_f64();

    // Checks.
    assert_eq!(dropped, 0, "dropped proposals");
    assert_eq!(c.stats.snapshots, 0, "snapshots were needed");
    assert_eq!(c.stats.step_errors, 0, "step errors");
    let commit0 = c.nodes[0].raft.raft_log.committed;
    for i in 0..NODES {
        assert_eq!(
            c.applied_data[i],
            n,
            "node {} applied {} of {}",
            i + 1,
            c.applied_data[i],
            n
        );
        assert_eq!(c.nodes[i].raft.raft_log.committed, commit0);
        assert_eq!(c.nodes[i].raft.raft_log.applied, commit0);
    }

    let mut stats = c.stats.clone();
    stats.readies -= setup_stats.readies;
    stats.messages -= setup_stats.messages;
    stats.append_msgs -= setup_stats.append_msgs;
    let peak_rss_kib = read_status_kib("VmHWM:");
    drop(c);
    RunResult {
        secs,
        quiesce_secs,
        stats,
        peak_rss_kib,
        peak_reset,
    }
}

fn main() {
    let args = Args::parse();
    let n = args.entries;
    let compact = !args.no_compact;
    for &b in &args.batches {
        let r = run(n, b, compact);
        let eps = n as f64 / r.secs;
        let rss = match (r.peak_rss_kib, r.peak_reset) {
            (Some(k), true) => format!("{}", k),
            (Some(k), false) => format!("{}(process-wide)", k),
            (None, _) => "n/a".to_string(),
        };
        println!(
            "core {} batch={} entries={} secs={:.3} entries_per_sec={:.0} peak_rss_kib={} compaction={}",
            CORE_VERSION,
            b,
            n,
            r.secs,
            eps,
            rss,
            if compact {
                format!("every_{}", COMPACT_EVERY)
            } else {
                "off".to_string()
            },
        );
        if args.verbose {
            let s = &r.stats;
            eprintln!(
                "  detail: quiesce_secs={:.3} readies={} messages={} msg_append={} append_rejects={} \
                 snapshots={} step_errors={} compactions={} ns_per_entry={:.0}",
                r.quiesce_secs,
                s.readies,
                s.messages,
                s.append_msgs,
                s.append_rejects,
                s.snapshots,
                s.step_errors,
                s.compactions,
                Duration::from_secs_f64(r.secs).as_nanos() as f64 / n as f64,
            );
        }
    }
}
