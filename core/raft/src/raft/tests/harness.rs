//! Helpers shared by the state machine's tests (after etcd's raft_test.go helpers): nodes over
//! in-memory storage, message builders, and `Network`, which delivers messages between nodes
//! and can cut, isolate and drop.

use crate::raft::*;
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
        data: data.to_vec().into(),
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

pub fn snap(index: u64, term: u64, voters: &[u64]) -> Snapshot {
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

pub fn cq_network(ids: &[u64]) -> Network {
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
