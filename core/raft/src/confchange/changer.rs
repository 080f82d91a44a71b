use crate::quorum::MajorityConfig;
use crate::raftpb::{ConfChangeSingle, ConfChangeType};
use crate::tracker::{Config, Progress, ProgressMap, ProgressTracker};
use crate::{Error, Result};
use std::collections::BTreeSet;
use std::fmt::Write;

/// Computes configuration changes against a tracker (etcd's `confchange.Changer`). It holds
/// its own copy of the tracker, as etcd's value type does; the methods return the new
/// configuration and progress map and leave the copy untouched.
#[derive(Clone, Debug)]
pub struct Changer {
    pub tracker: ProgressTracker,
    /// The leader's last log index: new progresses start probing there.
    pub last_index: u64,
}

fn err<T>(msg: impl Into<String>) -> Result<T> {
    Err(Error::ConfChange(msg.into()))
}

impl Changer {
    /// Enters a joint configuration: the current voters become the outgoing half, and `ccs`
    /// are applied to the incoming half. With `auto_leave`, raft leaves the joint state by
    /// itself once it is committed.
    ///
    /// Fails if already joint or if there are no voters to start from (an empty configuration
    /// can only be populated with simple changes).
    pub fn enter_joint(
        &self,
        auto_leave: bool,
        ccs: &[ConfChangeSingle],
    ) -> Result<(Config, ProgressMap)> {
        let (mut cfg, mut trk) = self.check_and_copy()?;
        if cfg.is_joint() {
            return err("config is already joint");
        }
        if cfg.voters[0].is_empty() {
            return err("can't make a zero-voter config joint");
        }
        cfg.voters[1] = cfg.voters[0].clone();
        self.apply(&mut cfg, &mut trk, ccs)?;
        cfg.auto_leave = auto_leave;
        check_and_return(cfg, trk)
    }

    /// Leaves the joint configuration: drops the outgoing half, turns `learners_next` into
    /// learners, and forgets nodes that are neither voters nor learners any more.
    pub fn leave_joint(&self) -> Result<(Config, ProgressMap)> {
        let (mut cfg, mut trk) = self.check_and_copy()?;
        if !cfg.is_joint() {
            return err("can't leave a non-joint config");
        }
        for id in std::mem::take(&mut cfg.learners_next) {
            cfg.learners.insert(id);
            if let Some(pr) = trk.get_mut(&id) {
                pr.is_learner = true;
            }
        }
        for id in cfg.voters[1].iter() {
            if !cfg.voters[0].contains(id) && !cfg.learners.contains(id) {
                trk.remove(id);
            }
        }
        cfg.voters[1] = MajorityConfig::default();
        cfg.auto_leave = false;
        check_and_return(cfg, trk)
    }

    /// Applies `ccs` without a joint state. At most one voter may be added or removed; more
    /// than that could lose quorum overlap between the old and new configuration.
    pub fn simple(&self, ccs: &[ConfChangeSingle]) -> Result<(Config, ProgressMap)> {
        let (mut cfg, mut trk) = self.check_and_copy()?;
        if cfg.is_joint() {
            return err("can't apply simple config change in joint config");
        }
        self.apply(&mut cfg, &mut trk, ccs)?;
        if symdiff(&self.tracker.config.voters[0], &cfg.voters[0]) > 1 {
            return err("more than one voter changed without entering joint config");
        }
        check_and_return(cfg, trk)
    }

    /// Applies the changes to the incoming half, in order. Changes for node 0 are skipped:
    /// applications blank out the node id of changes they decide not to apply.
    fn apply(
        &self,
        cfg: &mut Config,
        trk: &mut ProgressMap,
        ccs: &[ConfChangeSingle],
    ) -> Result<()> {
        for cc in ccs {
            if cc.node_id == 0 {
                continue;
            }
            match cc.change_type {
                ConfChangeType::ConfChangeAddNode => self.make_voter(cfg, trk, cc.node_id),
                ConfChangeType::ConfChangeAddLearnerNode => self.make_learner(cfg, trk, cc.node_id),
                ConfChangeType::ConfChangeRemoveNode => remove(cfg, trk, cc.node_id),
                ConfChangeType::ConfChangeUpdateNode => {}
            }
        }
        if cfg.voters[0].is_empty() {
            return err("removed all voters");
        }
        Ok(())
    }

    /// Makes `id` a voter of the incoming half, tracking it if new.
    fn make_voter(&self, cfg: &mut Config, trk: &mut ProgressMap, id: u64) {
        let Some(pr) = trk.get_mut(&id) else {
            self.init_progress(cfg, trk, id, false);
            return;
        };
        pr.is_learner = false;
        cfg.learners.remove(&id);
        cfg.learners_next.remove(&id);
        cfg.voters[0].insert(id);
    }

    /// Makes `id` a learner. A node that still votes in the outgoing half cannot be a learner
    /// yet (voters and learners must stay disjoint), so it is staged in `learners_next` and
    /// becomes a learner when the joint configuration is left.
    fn make_learner(&self, cfg: &mut Config, trk: &mut ProgressMap, id: u64) {
        let Some(pr) = trk.get(&id) else {
            self.init_progress(cfg, trk, id, true);
            return;
        };
        if pr.is_learner {
            return;
        }
        // Drop it as a voter, but keep its progress: it stays tracked as a learner.
        let mut pr = pr.clone();
        remove(cfg, trk, id);
        if cfg.voters[1].contains(&id) {
            cfg.learners_next.insert(id);
        } else {
            pr.is_learner = true;
            cfg.learners.insert(id);
        }
        trk.insert(id, pr);
    }

    /// Starts tracking a new node, probing from the last index.
    fn init_progress(&self, cfg: &mut Config, trk: &mut ProgressMap, id: u64, is_learner: bool) {
        if is_learner {
            cfg.learners.insert(id);
        } else {
            cfg.voters[0].insert(id);
        }
        // The next index starts at the last index (a guess: the follower may well have
        // nothing, and then probing walks back), and at least 1 so that matched < next.
        // A new node counts as recently active, so CheckQuorum does not step the leader down
        // before the node had a chance to answer.
        let mut pr = Progress::new(
            self.last_index.max(1),
            self.tracker.max_inflight,
            self.tracker.max_inflight_bytes,
        );
        pr.is_learner = is_learner;
        pr.recent_active = true;
        trk.insert(id, pr);
    }

    /// Copies the tracker's configuration and progress, checking the invariants first.
    fn check_and_copy(&self) -> Result<(Config, ProgressMap)> {
        check_and_return(self.tracker.config.clone(), self.tracker.progress.clone())
    }
}

/// Removes `id` from the incoming half and the learners. Its progress is kept while it is
/// still an outgoing voter.
fn remove(cfg: &mut Config, trk: &mut ProgressMap, id: u64) {
    if !trk.contains_key(&id) {
        return;
    }
    cfg.voters[0].remove(&id);
    cfg.learners.remove(&id);
    cfg.learners_next.remove(&id);
    if !cfg.voters[1].contains(&id) {
        trk.remove(&id);
    }
}

/// Checks the configuration's invariants against the progress map (see `tracker::Config`).
/// The empty configuration is allowed: it is where bootstrapping starts.
pub(crate) fn check_invariants(cfg: &Config, trk: &ProgressMap) -> Result<()> {
    let ids = cfg.voters.ids();
    for id in ids
        .iter()
        .chain(cfg.learners.iter())
        .chain(cfg.learners_next.iter())
    {
        if !trk.contains_key(id) {
            return err(format!("no progress for {id}"));
        }
    }
    for id in &cfg.learners_next {
        if !cfg.voters[1].contains(id) {
            return err(format!("{id} is in LearnersNext, but not Voters[1]"));
        }
        if trk[id].is_learner {
            return err(format!(
                "{id} is in LearnersNext, but is already marked as learner"
            ));
        }
    }
    for id in &cfg.learners {
        if cfg.voters[1].contains(id) {
            return err(format!("{id} is in Learners and Voters[1]"));
        }
        if cfg.voters[0].contains(id) {
            return err(format!("{id} is in Learners and Voters[0]"));
        }
        if !trk[id].is_learner {
            return err(format!("{id} is in Learners, but is not marked as learner"));
        }
    }
    if !cfg.is_joint() {
        // etcd also insists that the empty outgoing half is nil rather than an empty map;
        // an empty set is the only representation here, so only the other two checks remain.
        if !cfg.learners_next.is_empty() {
            return err("cfg.LearnersNext must be nil when not joint");
        }
        if cfg.auto_leave {
            return err("AutoLeave must be false when not joint");
        }
    }
    Ok(())
}

fn check_and_return(cfg: Config, trk: ProgressMap) -> Result<(Config, ProgressMap)> {
    check_invariants(&cfg, &trk)?;
    Ok((cfg, trk))
}

/// The number of ids in exactly one of the two sets.
fn symdiff(l: &BTreeSet<u64>, r: &BTreeSet<u64>) -> usize {
    l.symmetric_difference(r).count()
}

/// etcd's `confchange.Describe`: `ConfChangeAddNode(1) ConfChangeRemoveNode(2)`.
pub fn describe(ccs: &[ConfChangeSingle]) -> String {
    let mut buf = String::new();
    for cc in ccs {
        if !buf.is_empty() {
            buf.push(' ');
        }
        let _ = write!(buf, "{:?}({})", cc.change_type, cc.node_id);
    }
    buf
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::{RngCore, SeedableRng};

    fn cc(change_type: ConfChangeType, node_id: u64) -> ConfChangeSingle {
        ConfChangeSingle {
            change_type,
            node_id,
        }
    }

    fn install(c: &mut Changer, r: Result<(Config, ProgressMap)>) -> Result<()> {
        let (cfg, trk) = r?;
        c.tracker.config = cfg;
        c.tracker.progress = trk;
        Ok(())
    }

    fn run_simple(c: &mut Changer, ccs: &[ConfChangeSingle]) -> Result<()> {
        for cc in ccs {
            let r = c.simple(std::slice::from_ref(cc));
            install(c, r)?;
        }
        Ok(())
    }

    /// Enters joint (with and without auto-leave, which must agree) and leaves it again.
    fn run_joint(c: &mut Changer, ccs: &[ConfChangeSingle]) -> Result<()> {
        let (cfg, trk) = c.enter_joint(false, ccs)?;
        let (mut cfg2, trk2) = c.enter_joint(true, ccs)?;
        assert!(cfg2.auto_leave);
        cfg2.auto_leave = false;
        assert_eq!(cfg, cfg2);
        assert_eq!(trk, trk2);
        install(c, Ok((cfg, trk)))?;
        let r = c.leave_joint();
        install(c, r)
    }

    #[test]
    fn errors_have_etcd_texts() {
        let mut c = Changer {
            tracker: ProgressTracker::new(10, 0),
            last_index: 0,
        };
        use ConfChangeType::*;
        assert_eq!(
            c.enter_joint(false, &[cc(ConfChangeAddNode, 1)])
                .unwrap_err()
                .to_string(),
            "can't make a zero-voter config joint"
        );
        assert_eq!(
            c.leave_joint().unwrap_err().to_string(),
            "can't leave a non-joint config"
        );
        assert_eq!(
            c.simple(&[cc(ConfChangeAddLearnerNode, 1)])
                .unwrap_err()
                .to_string(),
            "removed all voters"
        );
        assert_eq!(
            c.simple(&[cc(ConfChangeAddNode, 1), cc(ConfChangeAddNode, 2)])
                .unwrap_err()
                .to_string(),
            "more than one voter changed without entering joint config"
        );
        run_simple(&mut c, &[cc(ConfChangeAddNode, 1)]).unwrap();
        let r = c.enter_joint(true, &[cc(ConfChangeAddNode, 2)]);
        install(&mut c, r).unwrap();
        assert_eq!(
            c.enter_joint(false, &[]).unwrap_err().to_string(),
            "config is already joint"
        );
        assert_eq!(
            c.simple(&[]).unwrap_err().to_string(),
            "can't apply simple config change in joint config"
        );

        // Broken invariants of the input are reported, not repaired.
        let mut bad = c.clone();
        bad.tracker.progress.remove(&2);
        assert_eq!(
            bad.leave_joint().unwrap_err().to_string(),
            "no progress for 2"
        );
        let mut bad = c.clone();
        bad.tracker.config.learners.insert(1);
        bad.tracker.progress.get_mut(&1).unwrap().is_learner = true;
        assert_eq!(
            bad.leave_joint().unwrap_err().to_string(),
            "1 is in Learners and Voters[1]"
        );
        let mut bad = c.clone();
        bad.tracker.config.learners_next.insert(2);
        assert_eq!(
            bad.leave_joint().unwrap_err().to_string(),
            "2 is in LearnersNext, but not Voters[1]"
        );
    }

    #[test]
    fn demotion_goes_through_learners_next() {
        use ConfChangeType::*;
        let mut c = Changer {
            tracker: ProgressTracker::new(10, 0),
            last_index: 5,
        };
        run_simple(
            &mut c,
            &[cc(ConfChangeAddNode, 1), cc(ConfChangeAddNode, 2)],
        )
        .unwrap();
        c.tracker.progress.get_mut(&2).unwrap().matched = 4;
        let r = c.enter_joint(false, &[cc(ConfChangeAddLearnerNode, 2)]);
        install(&mut c, r).unwrap();
        assert_eq!(
            c.tracker.config.to_string(),
            "voters=(1)&&(1 2) learners_next=(2)"
        );
        assert!(!c.tracker.progress[&2].is_learner);
        let r = c.leave_joint();
        install(&mut c, r).unwrap();
        assert_eq!(c.tracker.config.to_string(), "voters=(1) learners=(2)");
        // The progress survives the demotion.
        assert_eq!(c.tracker.progress[&2].matched, 4);
        assert!(c.tracker.progress[&2].is_learner);
        assert_eq!(
            describe(&[cc(ConfChangeAddNode, 1), cc(ConfChangeRemoveNode, 2)]),
            "ConfChangeAddNode(1) ConfChangeRemoveNode(2)"
        );
    }

    #[test]
    fn quick_simple_and_joint_agree() {
        // Applying changes one by one through simple changes, or all at once through a joint
        // configuration, must end in the same configuration and progress (etcd's quick test).
        // Node 1 is always a voter and never touched, so no step can remove all voters.
        let mut rng = rand_pcg::Pcg32::seed_from_u64(3);
        let mut below = |n: u32| (rng.next_u32() % n) as u64;
        let types = [
            ConfChangeType::ConfChangeAddNode,
            ConfChangeType::ConfChangeRemoveNode,
            ConfChangeType::ConfChangeUpdateNode,
            ConfChangeType::ConfChangeAddLearnerNode,
        ];
        for _ in 0..1000 {
            let mut setup = vec![cc(ConfChangeType::ConfChangeAddNode, 1)];
            for _ in 0..1 + below(5) {
                setup.push(cc(ConfChangeType::ConfChangeAddNode, 1 + below(5)));
            }
            let ccs: Vec<ConfChangeSingle> = (0..1 + below(9))
                .map(|_| cc(types[below(4) as usize], 2 + below(9)))
                .collect();
            let new = || Changer {
                tracker: ProgressTracker::new(10, 0),
                last_index: 10,
            };
            let mut a = new();
            run_simple(&mut a, &setup).unwrap();
            run_simple(&mut a, &ccs).unwrap_or_else(|e| panic!("{}: {e}", describe(&ccs)));
            let mut b = new();
            run_simple(&mut b, &setup).unwrap();
            run_joint(&mut b, &ccs).unwrap_or_else(|e| panic!("{}: {e}", describe(&ccs)));
            assert_eq!(
                a.tracker.config,
                b.tracker.config,
                "setup {} changes {}",
                describe(&setup),
                describe(&ccs)
            );
            assert_eq!(
                a.tracker.progress,
                b.tracker.progress,
                "setup {} changes {}",
                describe(&setup),
                describe(&ccs)
            );
        }
    }
}
