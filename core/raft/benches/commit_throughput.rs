//! Commit throughput of a 3-node cluster held entirely in memory and driven only through
//! `RawNode`: proposals go to the leader, every `Ready` is persisted to the node's
//! `MemoryStorage`, its messages are stepped into the peers at once (no network), and the
//! loop runs until the leader has committed and applied the batch. Criterion reports entries
//! per second, so the figure covers the whole protocol path (append, replicate, acknowledge,
//! commit, apply) for batches of 1 and of 64 proposals of 64 bytes.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use raft::raft::Config;
use raft::rawnode::RawNode;
use raft::storage::MemoryStorage;
use raft::{ConfState, Snapshot, SnapshotMetadata, StateType};

const PEERS: [u64; 3] = [1, 2, 3];
const PAYLOAD_BYTES: usize = 64;
/// Storage is compacted whenever this many entries piled up, so that long measurements do not
/// turn into a memory benchmark.
const COMPACT_EVERY: u64 = 8192;

struct Cluster {
    /// Node `id` sits at index `id - 1`.
    nodes: Vec<RawNode<MemoryStorage>>,
    /// Entries the leader applied so far; the loop's stop condition.
    applied: u64,
}

impl Cluster {
    /// Three fresh nodes bootstrapped from a snapshot that names the voters, then ticked until
    /// one of them wins an election and every node has applied the leader's empty entry.
    fn elect() -> Cluster {
        let nodes = PEERS
            .iter()
            .map(|&id| {
                let mut storage = MemoryStorage::new();
                storage
                    .apply_snapshot(Snapshot {
                        metadata: SnapshotMetadata {
                            conf_state: ConfState {
                                voters: PEERS.to_vec(),
                                ..Default::default()
                            },
                            index: 1,
                            term: 1,
                        },
                        ..Default::default()
                    })
                    .expect("a fresh storage takes any snapshot");
                RawNode::new(&Config::new(id), storage).expect("a valid configuration")
            })
            .collect();
        let mut c = Cluster { nodes, applied: 0 };
        for _ in 0..1000 {
            for n in &mut c.nodes {
                n.tick();
            }
            c.pump();
            if c.leader().is_some() && c.pump() == 0 {
                return c;
            }
        }
        panic!("no leader after 1000 ticks");
    }

    fn leader(&self) -> Option<usize> {
        self.nodes
            .iter()
            .position(|n| n.raft.state == StateType::StateLeader)
    }

    /// Handles Readys until no node has any, delivering each Ready's messages right after its
    /// `advance`. Returns the number of Readys handled.
    fn pump(&mut self) -> usize {
        let leader = self.leader();
        let mut handled = 0;
        loop {
            let mut progressed = false;
            for i in 0..self.nodes.len() {
                let node = &mut self.nodes[i];
                if !node.has_ready() {
                    continue;
                }
                progressed = true;
                handled += 1;
                let mut rd = node.ready();
                let store = node.store_mut();
                if !rd.snapshot.is_empty() {
                    store
                        .apply_snapshot(rd.snapshot.clone())
                        .expect("snapshots arrive in order");
                }
                store.append(&rd.entries).expect("entries follow the log");
                if !rd.hard_state.is_empty() {
                    store.set_hard_state(rd.hard_state);
                }
                if Some(i) == leader {
                    self.applied += rd.committed_entries.len() as u64;
                }
                black_box(&rd.committed_entries);
                let msgs = std::mem::take(&mut rd.messages);
                node.advance(rd);
                for m in msgs {
                    // Every message is addressed to one of the three peers; errors would only
                    // come from stale responses, which a real transport drops too.
                    let _ = self.nodes[(m.to - 1) as usize].step(m);
                }
            }
            if !progressed {
                return handled;
            }
        }
    }

    /// Proposes `n` entries on the leader and runs the cluster until the leader applied them.
    fn commit_batch(&mut self, n: u64, payload: &[u8]) {
        let leader = self.leader().expect("a leader");
        let target = self.applied + n;
        for _ in 0..n {
            self.nodes[leader]
                .propose(payload.to_vec())
                .expect("the leader accepts proposals");
        }
        while self.applied < target {
            assert!(self.pump() > 0, "the cluster stalled before committing");
        }
        self.maybe_compact();
    }

    /// Drops log entries every node has applied, once enough of them piled up.
    fn maybe_compact(&mut self) {
        let applied = self
            .nodes
            .iter()
            .map(|n| n.raft.raft_log.applied)
            .min()
            .unwrap_or(0);
        for n in &mut self.nodes {
            let first = n.raft.raft_log.first_index();
            if applied >= first + COMPACT_EVERY {
                n.store_mut()
                    .compact(applied)
                    .expect("compacting below the applied index");
            }
        }
    }
}

fn commit_throughput(c: &mut Criterion) {
    let payload = vec![0xa5u8; PAYLOAD_BYTES];
    let mut group = c.benchmark_group("commit_throughput");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for batch in [1u64, 64] {
        group.throughput(Throughput::Elements(batch));
        group.bench_with_input(BenchmarkId::new("3_nodes_64B", batch), &batch, |b, &n| {
            let mut cluster = Cluster::elect();
            b.iter(|| cluster.commit_batch(n, &payload));
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // Plots would need gnuplot (or the plotters feature, left out): numbers only.
    config = Criterion::default().without_plots();
    targets = commit_throughput
}
criterion_main!(benches);
