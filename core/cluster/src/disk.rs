//! A node's disk: what Raft wrote, and how much of it would survive a power cut.
//!
//! Real Raft servers split their storage in three (hashicorp/raft names them LogStore,
//! StableStore and SnapshotStore; etcd keeps the first two in its WAL and the third in its snap
//! directory): the log entries, the hard state (term, vote, commit) and the latest snapshot.
//! Each write first lands in the OS page cache and only becomes durable at the next fsync. This
//! module keeps the two views apart:
//!
//! - the **written** state is what reads return (the page cache sees every write);
//! - the **durable** state is what a crash leaves behind.
//!
//! A third view, **acknowledged**, is what the last successful-looking `sync` promised. On an
//! honest disk it equals the durable state after every sync. A disk that lies about fsync
//! acknowledges without syncing, so after a crash the node restarts with less than it promised;
//! [`CrashReport::broken_promise`] says by how much, and the safety checker is expected to see
//! the consequences (a vote forgotten, an acknowledged entry gone).
//!
//! The disk keeps no timers. [`Disk::latency`] says how long a sync takes; the node's Ready
//! policy writes, waits that long in virtual time, then calls [`Disk::sync`]. A crash in between
//! naturally loses the unsynced writes.

use std::fmt;
use std::rc::Rc;

use raft::raftpb::{Entry, HardState, Snapshot};
use raft::storage::MemoryStorage;
use serde::{Deserialize, Serialize};

use crate::clock::Millis;

/// Time one fsync takes on a healthy disk.
pub const DEFAULT_SYNC_LATENCY: Millis = 1;

/// Why the disk refused a write.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiskError {
    /// The entries would leave a hole after the last stored entry.
    Gap { last_index: u64, append_at: u64 },
    /// The entries handed to `append` are not numbered consecutively.
    NotContiguous { expected: u64, got: u64 },
    /// A snapshot older than the one already stored.
    SnapshotOutOfDate { stored: u64, offered: u64 },
    /// Rebuilding a `MemoryStorage` failed (a corrupt durable state).
    Storage(raft::Error),
}

impl fmt::Display for DiskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiskError::Gap {
                last_index,
                append_at,
            } => {
                write!(
                    f,
                    "missing log entry [last: {last_index}, append at: {append_at}]"
                )
            }
            DiskError::NotContiguous { expected, got } => {
                write!(
                    f,
                    "entries are not contiguous: expected index {expected}, got {got}"
                )
            }
            DiskError::SnapshotOutOfDate { stored, offered } => {
                write!(
                    f,
                    "snapshot at index {offered} is older than the stored one at {stored}"
                )
            }
            DiskError::Storage(e) => write!(f, "rebuilding storage: {e}"),
        }
    }
}

impl std::error::Error for DiskError {}

impl From<raft::Error> for DiskError {
    fn from(e: raft::Error) -> Self {
        DiskError::Storage(e)
    }
}

/// One view of the disk's content: hard state, latest snapshot, and the log entries that follow
/// the snapshot.
///
/// The snapshot and the log are shared, copied only when written to: after a sync the three
/// views of a disk hold the same log, and every time-travel checkpoint holds a copy of every
/// disk, so sharing keeps one log per node where there would be three per node per checkpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiskState {
    pub hard_state: HardState,
    /// Index 0 means "no snapshot".
    pub snapshot: Rc<Snapshot>,
    /// Consecutive entries; the first one has index `snapshot.metadata.index + 1`.
    pub entries: Rc<Vec<Entry>>,
}

impl DiskState {
    /// Index of the first entry the log could hold (right after the snapshot).
    pub fn first_index(&self) -> u64 {
        self.snapshot.metadata.index + 1
    }

    /// Index of the last entry, or of the snapshot if no entry follows it.
    pub fn last_index(&self) -> u64 {
        self.snapshot.metadata.index + self.entries.len() as u64
    }

    /// The term of entry `i`, answering for the snapshot's own index too; `None` outside.
    pub fn term(&self, i: u64) -> Option<u64> {
        if i == self.snapshot.metadata.index {
            return Some(self.snapshot.metadata.term);
        }
        self.entry(i).map(|e| e.term)
    }

    pub fn entry(&self, i: u64) -> Option<&Entry> {
        let first = self.first_index();
        if i < first {
            return None;
        }
        self.entries.get((i - first) as usize)
    }

    /// Nothing was ever persisted (or the disk was wiped).
    pub fn is_empty(&self) -> bool {
        self.hard_state.is_empty() && self.snapshot.is_empty() && self.entries.is_empty()
    }

    /// A few numbers that say how far this state goes, for reports and the page.
    pub fn summary(&self) -> DiskSummary {
        let last_index = self.last_index();
        DiskSummary {
            hard_state: self.hard_state,
            snapshot_index: self.snapshot.metadata.index,
            last_index,
            last_term: self.term(last_index).unwrap_or(0),
        }
    }

    fn append(&mut self, entries: &[Entry]) -> Result<(), DiskError> {
        for w in entries.windows(2) {
            if w[1].index != w[0].index + 1 {
                return Err(DiskError::NotContiguous {
                    expected: w[0].index + 1,
                    got: w[1].index,
                });
            }
        }
        let Some(head) = entries.first() else {
            return Ok(());
        };
        let first = self.first_index();
        // Entries covered by the snapshot are already part of it.
        let skip = first.saturating_sub(head.index) as usize;
        let entries = entries.get(skip..).unwrap_or(&[]);
        let Some(head) = entries.first() else {
            return Ok(());
        };
        if head.index > self.last_index() + 1 {
            return Err(DiskError::Gap {
                last_index: self.last_index(),
                append_at: head.index,
            });
        }
        // Whatever follows the new entries' first index conflicts with them (or repeats them):
        // the log is overwritten from there, as etcd's WAL and MemoryStorage do.
        let log = Rc::make_mut(&mut self.entries);
        log.truncate((head.index - first) as usize);
        log.extend_from_slice(entries);
        Ok(())
    }

    fn apply_snapshot(&mut self, snap: Snapshot) -> Result<(), DiskError> {
        let stored = self.snapshot.metadata.index;
        let offered = snap.metadata.index;
        if stored != 0 && offered < stored {
            return Err(DiskError::SnapshotOutOfDate { stored, offered });
        }
        // The entries after the snapshot survive only if the log agrees with it at its index
        // (a local snapshot, or a leader's snapshot of a prefix we already hold); otherwise the
        // log is from another history and goes (Raft paper, InstallSnapshot step 6).
        let keep = if self.term(offered) == Some(snap.metadata.term) {
            let from = (offered + 1).saturating_sub(self.first_index()) as usize;
            self.entries.get(from..).unwrap_or(&[]).to_vec()
        } else {
            Vec::new()
        };
        self.entries = Rc::new(keep);
        self.snapshot = Rc::new(snap);
        Ok(())
    }
}

/// How far a disk state goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiskSummary {
    pub hard_state: HardState,
    pub snapshot_index: u64,
    pub last_index: u64,
    pub last_term: u64,
}

impl fmt::Display for DiskSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hs = &self.hard_state;
        write!(
            f,
            "term={} vote={} commit={} snapshot={} last={}/{}",
            hs.term, hs.vote, hs.commit, self.snapshot_index, self.last_term, self.last_index
        )
    }
}

/// A write sitting in the page cache, not yet synced (what the page lists as "unsynced").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiskWrite {
    Append { first_index: u64, last_index: u64 },
    HardState(HardState),
    Snapshot { index: u64, term: u64 },
}

/// Faults injected into a disk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiskFaults {
    /// Extra time every sync takes (a slow or overloaded disk).
    pub slow_ms: Millis,
    /// `sync` acknowledges without making anything durable.
    pub lying: bool,
}

/// What a `sync` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReport {
    /// How many unsynced writes the sync covered.
    pub writes: usize,
    /// The disk only pretended: nothing became durable.
    pub lied: bool,
}

/// What a crash destroyed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrashReport {
    /// Writes that were in the page cache (never synced, or synced by a lying disk).
    pub lost_writes: usize,
    /// Set when the node had been told more was durable than actually was: the lying disk's
    /// damage, which Raft's safety argument does not allow for.
    pub broken_promise: Option<BrokenPromise>,
}

/// The difference between what a disk acknowledged and what survived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokenPromise {
    pub promised: DiskSummary,
    pub kept: DiskSummary,
}

impl fmt::Display for BrokenPromise {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "disk promised {} but kept {}", self.promised, self.kept)
    }
}

/// Running totals for one disk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiskStats {
    pub writes: u64,
    pub syncs: u64,
    pub lying_syncs: u64,
    pub crashes: u64,
    pub wipes: u64,
    pub lost_writes: u64,
}

/// One node's disk. See the module documentation for the three views.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disk {
    durable: DiskState,
    written: DiskState,
    acknowledged: DiskState,
    unsynced: Vec<DiskWrite>,
    sync_latency: Millis,
    faults: DiskFaults,
    stats: DiskStats,
}

impl Default for Disk {
    fn default() -> Self {
        Disk::new(DEFAULT_SYNC_LATENCY)
    }
}

impl Disk {
    /// An empty, healthy disk whose syncs take `sync_latency`.
    pub fn new(sync_latency: Millis) -> Self {
        Disk {
            durable: DiskState::default(),
            written: DiskState::default(),
            acknowledged: DiskState::default(),
            unsynced: Vec::new(),
            sync_latency,
            faults: DiskFaults::default(),
            stats: DiskStats::default(),
        }
    }

    // ---- views -------------------------------------------------------------------------

    /// What reads return: every write, synced or not.
    pub fn written(&self) -> &DiskState {
        &self.written
    }

    /// What survives a crash.
    pub fn durable(&self) -> &DiskState {
        &self.durable
    }

    /// What the node was told is durable.
    pub fn acknowledged(&self) -> &DiskState {
        &self.acknowledged
    }

    /// Writes since the last real sync, oldest first.
    pub fn unsynced(&self) -> &[DiskWrite] {
        &self.unsynced
    }

    /// Nothing is waiting in the page cache.
    pub fn is_synced(&self) -> bool {
        self.unsynced.is_empty()
    }

    pub fn stats(&self) -> DiskStats {
        self.stats
    }

    // ---- timing and faults -------------------------------------------------------------

    /// How long a sync takes right now, slow-disk fault included.
    pub fn latency(&self) -> Millis {
        self.sync_latency.saturating_add(self.faults.slow_ms)
    }

    pub fn set_sync_latency(&mut self, ms: Millis) {
        self.sync_latency = ms;
    }

    pub fn faults(&self) -> DiskFaults {
        self.faults
    }

    /// Makes every sync take `extra_ms` longer (0 heals the disk's speed).
    pub fn set_slow(&mut self, extra_ms: Millis) {
        self.faults.slow_ms = extra_ms;
    }

    /// Makes the disk lie about fsync (or stop lying). Writes acknowledged while lying stay
    /// undurable until an honest sync or a crash.
    pub fn set_lying(&mut self, lying: bool) {
        self.faults.lying = lying;
    }

    // ---- writes (into the page cache) --------------------------------------------------

    /// Appends entries to the log, overwriting the conflicting suffix from the first new index
    /// on. Entries already covered by the snapshot are skipped. Refuses a hole after the last
    /// entry and non-consecutive input, changing nothing.
    pub fn append(&mut self, entries: &[Entry]) -> Result<(), DiskError> {
        self.written.append(entries)?;
        // Only record a write if something past the snapshot was really written.
        let first = self.written.first_index();
        if let (Some(head), Some(tail)) = (entries.first(), entries.last()) {
            if tail.index >= first {
                self.record(DiskWrite::Append {
                    first_index: head.index.max(first),
                    last_index: tail.index,
                });
            }
        }
        Ok(())
    }

    /// Saves the hard state (term, vote, commit).
    pub fn set_hard_state(&mut self, hs: HardState) {
        self.written.hard_state = hs;
        self.record(DiskWrite::HardState(hs));
    }

    /// Stores a snapshot. Log entries after it are kept if the log agrees with the snapshot at
    /// its index, dropped otherwise; entries it covers are always dropped. Refuses a snapshot
    /// older than the stored one.
    pub fn apply_snapshot(&mut self, snap: Snapshot) -> Result<(), DiskError> {
        let (index, term) = (snap.metadata.index, snap.metadata.term);
        self.written.apply_snapshot(snap)?;
        self.record(DiskWrite::Snapshot { index, term });
        Ok(())
    }

    fn record(&mut self, w: DiskWrite) {
        self.stats.writes += 1;
        self.unsynced.push(w);
    }

    // ---- sync, crash, wipe -------------------------------------------------------------

    /// fsync: makes every write durable and acknowledges it. A lying disk acknowledges the same
    /// but makes nothing durable.
    pub fn sync(&mut self) -> SyncReport {
        self.stats.syncs += 1;
        // Copies share the written state's log and snapshot (see `DiskState`): a sync costs
        // nothing however long the log, and the next write copies the log once.
        self.acknowledged = self.written.clone();
        if self.faults.lying {
            self.stats.lying_syncs += 1;
            return SyncReport {
                writes: self.unsynced.len(),
                lied: true,
            };
        }
        self.durable = self.written.clone();
        SyncReport {
            writes: std::mem::take(&mut self.unsynced).len(),
            lied: false,
        }
    }

    /// Power cut: the page cache is gone, the disk holds its durable state only. Reports what
    /// was lost, and whether the disk broke a promise (acknowledged state not durable).
    pub fn crash(&mut self) -> CrashReport {
        self.stats.crashes += 1;
        let lost_writes = std::mem::take(&mut self.unsynced).len();
        self.stats.lost_writes += lost_writes as u64;
        let broken_promise = (self.acknowledged != self.durable).then(|| BrokenPromise {
            promised: self.acknowledged.summary(),
            kept: self.durable.summary(),
        });
        self.written = self.durable.clone();
        self.acknowledged = self.durable.clone();
        CrashReport {
            lost_writes,
            broken_promise,
        }
    }

    /// The disk is replaced by an empty one (the data directory was deleted): every view is
    /// empty, and the node restarts knowing nothing, not even whom it voted for.
    pub fn wipe(&mut self) {
        self.stats.wipes += 1;
        self.durable = DiskState::default();
        self.written = DiskState::default();
        self.acknowledged = DiskState::default();
        self.unsynced.clear();
    }

    // ---- restart -----------------------------------------------------------------------

    /// The storage a restarting node gets, rebuilt from the durable state the way etcd's
    /// server does it: the snapshot first, then the log entries after it, then the hard state.
    pub fn to_memory_storage(&self) -> Result<MemoryStorage, DiskError> {
        let d = &self.durable;
        let mut ms = MemoryStorage::new();
        if !d.snapshot.is_empty() {
            ms.apply_snapshot(Snapshot::clone(&d.snapshot))?;
        }
        ms.append(&d.entries)?;
        ms.set_hard_state(d.hard_state);
        Ok(ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft::raftpb::{ConfState, SnapshotMetadata};
    use raft::storage::Storage;

    fn ent(index: u64, term: u64) -> Entry {
        Entry {
            index,
            term,
            data: format!("e{index}").into_bytes().into(),
            ..Default::default()
        }
    }

    fn ents(lo: u64, hi: u64, term: u64) -> Vec<Entry> {
        (lo..=hi).map(|i| ent(i, term)).collect()
    }

    fn snap(index: u64, term: u64) -> Snapshot {
        Snapshot {
            data: b"kv".to_vec(),
            metadata: SnapshotMetadata {
                index,
                term,
                conf_state: ConfState {
                    voters: vec![1, 2, 3],
                    ..Default::default()
                },
            },
        }
    }

    fn hs(term: u64, vote: u64, commit: u64) -> HardState {
        HardState { term, vote, commit }
    }

    /// The views share their log, yet each is exactly what a deep copy of the written state at
    /// each sync gives (a write to one never shows in another): checked over random appends
    /// (with overwrites and skips), hard states, snapshots, honest and lying syncs, crashes and
    /// wipes, against deep copies.
    #[test]
    fn shared_views_equal_deep_copies() {
        for seed in 0..200u64 {
            let mut rng = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
            let mut next = |n: u64| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                rng % n
            };
            let mut d = Disk::default();
            // The model: whole copies, as a sync used to make them.
            let (mut durable, mut acknowledged) = (DiskState::default(), DiskState::default());
            for step in 0..120 {
                let term = 1 + step / 30;
                match next(10) {
                    0..=3 => {
                        let last = d.written().last_index();
                        let lo = (d.written().first_index() + next(last + 2))
                            .saturating_sub(1)
                            .max(1);
                        let _ = d.append(&ents(lo, lo + next(4), term));
                    }
                    4 => d.set_hard_state(hs(term, next(3), next(d.written().last_index() + 1))),
                    5 => {
                        let last = d.written().last_index();
                        let at = last.saturating_sub(next(3));
                        let t = d.written().term(at).unwrap_or(term);
                        if at > 0 {
                            let _ = d.apply_snapshot(snap(at, t));
                        }
                    }
                    6 => {
                        let lying = next(3) == 0;
                        d.set_lying(lying);
                        d.sync();
                        acknowledged = d.written().clone();
                        if !lying {
                            durable = d.written().clone();
                        }
                    }
                    7 => {
                        d.crash();
                        acknowledged = durable.clone();
                    }
                    8 if next(8) == 0 => {
                        d.wipe();
                        durable = DiskState::default();
                        acknowledged = DiskState::default();
                    }
                    _ => {
                        d.set_lying(false);
                        d.sync();
                        durable = d.written().clone();
                        acknowledged = durable.clone();
                    }
                }
                assert_eq!(d.durable(), &durable, "seed {seed} step {step}: durable");
                assert_eq!(
                    d.acknowledged(),
                    &acknowledged,
                    "seed {seed} step {step}: acknowledged"
                );
            }
        }
    }

    #[test]
    fn writes_are_readable_at_once_but_durable_only_after_sync() {
        let mut d = Disk::default();
        d.append(&ents(1, 3, 1)).unwrap();
        d.set_hard_state(hs(1, 1, 2));
        assert_eq!(d.written().last_index(), 3);
        assert_eq!(d.durable().last_index(), 0);
        assert_eq!(d.unsynced().len(), 2);
        assert_eq!(
            d.sync(),
            SyncReport {
                writes: 2,
                lied: false
            }
        );
        assert_eq!(d.durable(), d.written());
        assert_eq!(d.acknowledged(), d.durable());
        assert!(d.is_synced());
    }

    #[test]
    fn synced_views_and_copies_share_one_log_until_written() {
        let mut d = Disk::default();
        d.append(&ents(1, 40, 1)).unwrap();
        d.sync();
        let copy = d.clone();
        for log in [
            &d.durable().entries,
            &d.acknowledged().entries,
            &copy.written().entries,
        ] {
            assert!(Rc::ptr_eq(log, &d.written().entries), "one log, not copies");
        }
        d.append(&ents(41, 41, 1)).unwrap();
        assert!(!Rc::ptr_eq(&d.durable().entries, &d.written().entries));
        assert_eq!(
            d.durable().last_index(),
            40,
            "the write copied, not changed, the log"
        );
        assert_eq!(copy.written().last_index(), 40);
        assert!(Rc::ptr_eq(&d.durable().entries, &copy.durable().entries));
    }

    #[test]
    fn a_crash_drops_what_was_not_synced() {
        let mut d = Disk::default();
        d.append(&ents(1, 2, 1)).unwrap();
        d.set_hard_state(hs(1, 2, 1));
        d.sync();
        d.append(&ents(3, 5, 1)).unwrap();
        d.set_hard_state(hs(2, 3, 4));
        let report = d.crash();
        assert_eq!(
            report,
            CrashReport {
                lost_writes: 2,
                broken_promise: None
            }
        );
        assert_eq!(d.written().last_index(), 2);
        assert_eq!(d.written().hard_state, hs(1, 2, 1));
        assert_eq!(d.stats().lost_writes, 2);
    }

    #[test]
    fn appending_overwrites_the_conflicting_suffix() {
        let mut d = Disk::default();
        d.append(&ents(1, 5, 1)).unwrap();
        d.append(&[ent(3, 2), ent(4, 2)]).unwrap();
        let terms: Vec<u64> = d.written().entries.iter().map(|e| e.term).collect();
        assert_eq!(terms, vec![1, 1, 2, 2], "entry 5 of term 1 is gone");
        d.append(&ents(5, 6, 2)).unwrap();
        assert_eq!(d.written().last_index(), 6);
    }

    #[test]
    fn appending_refuses_gaps_and_disorder() {
        let mut d = Disk::default();
        d.append(&ents(1, 2, 1)).unwrap();
        assert_eq!(
            d.append(&ents(4, 5, 1)),
            Err(DiskError::Gap {
                last_index: 2,
                append_at: 4
            })
        );
        assert_eq!(
            d.append(&[ent(3, 1), ent(5, 1)]),
            Err(DiskError::NotContiguous {
                expected: 4,
                got: 5
            })
        );
        assert_eq!(d.written().last_index(), 2);
        assert_eq!(d.unsynced().len(), 1, "refused writes are not recorded");
        d.append(&[]).unwrap();
        assert_eq!(d.unsynced().len(), 1);
    }

    #[test]
    fn a_lying_disk_acknowledges_but_loses_on_crash() {
        let mut d = Disk::default();
        d.append(&ents(1, 2, 1)).unwrap();
        d.set_hard_state(hs(1, 1, 2));
        d.sync();
        d.set_lying(true);
        d.append(&ents(3, 4, 2)).unwrap();
        d.set_hard_state(hs(2, 3, 4));
        assert_eq!(
            d.sync(),
            SyncReport {
                writes: 2,
                lied: true
            }
        );
        assert_eq!(d.acknowledged().last_index(), 4);
        assert_eq!(d.durable().last_index(), 2);
        let report = d.crash();
        assert_eq!(report.lost_writes, 2);
        let broken = report.broken_promise.expect("the disk lied");
        assert_eq!(broken.promised.last_index, 4);
        assert_eq!(broken.promised.hard_state.vote, 3);
        assert_eq!(broken.kept.last_index, 2);
        assert_eq!(broken.kept.hard_state, hs(1, 1, 2));
        assert_eq!(
            broken.to_string(),
            "disk promised term=2 vote=3 commit=4 snapshot=0 last=2/4 but kept term=1 vote=1 commit=2 snapshot=0 last=1/2"
        );
        // The restarted node sees a commit index its log does not reach: exactly what a
        // safety checker must flag.
        let ms = d.to_memory_storage().unwrap();
        assert_eq!(ms.last_index().unwrap(), 2);
        assert_eq!(d.stats().lying_syncs, 1);
    }

    #[test]
    fn an_honest_sync_after_lying_makes_everything_durable() {
        let mut d = Disk::default();
        d.set_lying(true);
        d.append(&ents(1, 2, 1)).unwrap();
        d.sync();
        d.set_lying(false);
        d.sync();
        assert_eq!(
            d.crash(),
            CrashReport {
                lost_writes: 0,
                broken_promise: None
            }
        );
        assert_eq!(d.written().last_index(), 2);
    }

    #[test]
    fn a_wiped_disk_is_empty() {
        let mut d = Disk::default();
        d.append(&ents(1, 2, 1)).unwrap();
        d.set_hard_state(hs(1, 1, 1));
        d.sync();
        d.wipe();
        assert!(d.durable().is_empty() && d.written().is_empty() && d.is_synced());
        let ms = d.to_memory_storage().unwrap();
        assert_eq!(ms.initial_state().unwrap().0, HardState::default());
        assert_eq!(ms.last_index().unwrap(), 0);
    }

    #[test]
    fn slow_disk_adds_latency() {
        let mut d = Disk::new(2);
        assert_eq!(d.latency(), 2);
        d.set_slow(500);
        assert_eq!(d.latency(), 502);
        d.set_slow(0);
        d.set_sync_latency(7);
        assert_eq!(d.latency(), 7);
        assert_eq!(d.faults(), DiskFaults::default());
    }

    #[test]
    fn a_snapshot_keeps_the_entries_that_agree_with_it() {
        let mut d = Disk::default();
        d.append(&ents(1, 6, 1)).unwrap();
        d.apply_snapshot(snap(4, 1)).unwrap();
        let w = d.written();
        assert_eq!((w.first_index(), w.last_index()), (5, 6));
        assert_eq!(w.term(4), Some(1));
        assert_eq!(w.entry(4), None);
        assert_eq!(w.entry(5).unwrap().index, 5);
    }

    #[test]
    fn a_snapshot_from_another_history_replaces_the_log() {
        let mut d = Disk::default();
        d.append(&ents(1, 6, 1)).unwrap();
        d.apply_snapshot(snap(4, 3)).unwrap();
        assert!(d.written().entries.is_empty());
        assert_eq!(d.written().last_index(), 4);
        // A snapshot past the end of the log also replaces it.
        d.apply_snapshot(snap(10, 3)).unwrap();
        assert_eq!(
            (d.written().first_index(), d.written().last_index()),
            (11, 10)
        );
        assert_eq!(
            d.apply_snapshot(snap(8, 3)),
            Err(DiskError::SnapshotOutOfDate {
                stored: 10,
                offered: 8
            })
        );
        // Entries the snapshot covers are skipped on append.
        d.append(&ents(9, 12, 3)).unwrap();
        assert_eq!(
            (d.written().first_index(), d.written().last_index()),
            (11, 12)
        );
        assert_eq!(
            d.unsynced().last(),
            Some(&DiskWrite::Append {
                first_index: 11,
                last_index: 12
            })
        );
        d.append(&ents(3, 7, 3)).unwrap();
        assert_eq!(
            d.written().last_index(),
            12,
            "an append entirely under the snapshot is a no-op"
        );
    }

    #[test]
    fn memory_storage_is_rebuilt_from_durable_state_only() {
        let mut d = Disk::default();
        d.append(&ents(1, 8, 2)).unwrap();
        d.apply_snapshot(snap(5, 2)).unwrap();
        d.set_hard_state(hs(2, 1, 7));
        d.sync();
        d.append(&ents(9, 10, 2)).unwrap(); // unsynced: must not be in the rebuilt storage
        let ms = d.to_memory_storage().unwrap();
        assert_eq!(ms.first_index().unwrap(), 6);
        assert_eq!(ms.last_index().unwrap(), 8);
        assert_eq!(ms.term(5).unwrap(), 2);
        assert_eq!(ms.entries(6, 9, u64::MAX).unwrap(), ents(6, 8, 2));
        let (hard, conf) = ms.initial_state().unwrap();
        assert_eq!(hard, hs(2, 1, 7));
        assert_eq!(conf.voters, vec![1, 2, 3]);
        assert_eq!(ms.snapshot().unwrap(), snap(5, 2));
    }

    #[test]
    fn clones_are_independent_and_serde_round_trips() {
        let mut d = Disk::default();
        d.append(&ents(1, 3, 1)).unwrap();
        let mut e = d.clone();
        e.crash();
        assert_eq!(d.written().last_index(), 3);
        assert_eq!(e.written().last_index(), 0);
        let back: Disk = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        assert_eq!(back, d);
    }
}
