use super::changer::Changer;
use crate::raftpb::{ConfChangeSingle, ConfChangeType, ConfState};
use crate::tracker::{Config, ProgressMap};
use crate::Result;

/// Splits a `ConfState` into the changes that rebuild it from an empty configuration:
/// `outgoing` adds the outgoing voters one by one (so they become, for a moment, the plain
/// configuration), and `incoming` then removes them all again and adds the incoming voters,
/// learners and staged learners — applied while entering the joint state, this rotates the
/// first set into the outgoing half.
///
/// For `voters=(1 2 3) learners=(5) outgoing=(1 2 4 6) learners_next=(4)`, `outgoing` is
/// "add 1 2 4 6" and `incoming` is "remove 1 2 4 6; add 1 2 3; add-learner 5 4", giving
/// `(1 2 3)&&(1 2 4 6) learners=(5) learners_next=(4)`.
fn to_conf_change_single(cs: &ConfState) -> (Vec<ConfChangeSingle>, Vec<ConfChangeSingle>) {
    let single = |change_type, node_id| ConfChangeSingle {
        change_type,
        node_id,
    };
    let out = cs
        .voters_outgoing
        .iter()
        .map(|&id| single(ConfChangeType::ConfChangeAddNode, id))
        .collect();
    let mut inc: Vec<ConfChangeSingle> = cs
        .voters_outgoing
        .iter()
        .map(|&id| single(ConfChangeType::ConfChangeRemoveNode, id))
        .collect();
    inc.extend(
        cs.voters
            .iter()
            .map(|&id| single(ConfChangeType::ConfChangeAddNode, id)),
    );
    inc.extend(
        cs.learners
            .iter()
            .map(|&id| single(ConfChangeType::ConfChangeAddLearnerNode, id)),
    );
    // Staged learners are outgoing voters; adding them as learners while joint stages them.
    inc.extend(
        cs.learners_next
            .iter()
            .map(|&id| single(ConfChangeType::ConfChangeAddLearnerNode, id)),
    );
    (out, inc)
}

/// Builds the configuration and progress map described by `cs` on top of `chg`'s tracker
/// (normally an empty one), by replaying simple changes and, for a joint `cs`, one
/// enter-joint. Fails with the changer's error if `cs` is not a valid configuration.
pub fn restore(chg: Changer, cs: &ConfState) -> Result<(Config, ProgressMap)> {
    let (outgoing, incoming) = to_conf_change_single(cs);
    let mut chg = chg;
    if outgoing.is_empty() {
        for cc in &incoming {
            let r = chg.simple(std::slice::from_ref(cc));
            step(&mut chg, r)?;
        }
    } else {
        // Make the outgoing voters the plain configuration first...
        for cc in &outgoing {
            let r = chg.simple(std::slice::from_ref(cc));
            step(&mut chg, r)?;
        }
        // ...then enter the joint state, which moves them to the outgoing half.
        let r = chg.enter_joint(cs.auto_leave, &incoming);
        step(&mut chg, r)?;
    }
    Ok((chg.tracker.config, chg.tracker.progress))
}

/// Installs a successful step's result in the changer, so the next step builds on it.
fn step(chg: &mut Changer, r: Result<(Config, ProgressMap)>) -> Result<()> {
    let (cfg, trk) = r?;
    chg.tracker.config = cfg;
    chg.tracker.progress = trk;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tracker::ProgressTracker;
    use rand_core::{RngCore, SeedableRng};

    /// Restores `cs` into an empty tracker and checks that the result reads back as `cs`.
    fn round_trip(cs: &ConfState) {
        let chg = Changer {
            tracker: ProgressTracker::new(20, 0),
            last_index: 10,
        };
        let (cfg, trk) = restore(chg, cs).unwrap_or_else(|e| panic!("{cs:?}: {e}"));
        let t = ProgressTracker {
            config: cfg,
            progress: trk,
            ..ProgressTracker::new(20, 0)
        };
        let mut want = cs.clone();
        for v in [
            &mut want.voters,
            &mut want.learners,
            &mut want.voters_outgoing,
            &mut want.learners_next,
        ] {
            v.sort_unstable();
        }
        assert_eq!(t.conf_state(), want);
        // Every node of the configuration is tracked, learners as learners.
        let ids: Vec<u64> = t.progress.keys().copied().collect();
        let mut all: Vec<u64> = want
            .voters
            .iter()
            .chain(&want.learners)
            .chain(&want.voters_outgoing)
            .copied()
            .collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(ids, all);
        for id in &want.learners {
            assert!(t.progress[id].is_learner);
        }
    }

    #[test]
    fn restore_examples() {
        round_trip(&ConfState::default());
        round_trip(&ConfState {
            voters: vec![1, 2, 3],
            ..Default::default()
        });
        round_trip(&ConfState {
            voters: vec![1, 2, 3],
            learners: vec![4, 5, 6],
            ..Default::default()
        });
        round_trip(&ConfState {
            voters: vec![1, 2, 3],
            learners: vec![5],
            voters_outgoing: vec![1, 2, 4, 6],
            learners_next: vec![4],
            auto_leave: false,
        });
        round_trip(&ConfState {
            voters: vec![3, 1],
            voters_outgoing: vec![2, 1],
            auto_leave: true,
            ..Default::default()
        });
    }

    #[test]
    fn restore_of_odd_conf_states() {
        let chg = || Changer {
            tracker: ProgressTracker::new(20, 0),
            last_index: 10,
        };
        // A node listed as both voter and learner is not rejected: replaying the changes
        // demotes it, as etcd does.
        let cs = ConfState {
            voters: vec![1, 2],
            learners: vec![2],
            ..Default::default()
        };
        let (cfg, _) = restore(chg(), &cs).unwrap();
        assert_eq!(cfg.to_string(), "voters=(1) learners=(2)");
        // Learners with no voters at all.
        let cs = ConfState {
            learners: vec![1],
            ..Default::default()
        };
        assert_eq!(
            restore(chg(), &cs).unwrap_err().to_string(),
            "removed all voters"
        );
    }

    #[test]
    fn quick_restore_round_trips() {
        // Random valid ConfStates, generated like etcd's quick test: disjoint voters, learners
        // and removed voters; some incoming voters retained in the outgoing half; some removed
        // voters demoted via learners_next.
        let mut rng = rand_pcg::Pcg32::seed_from_u64(7);
        let mut below = |n: usize| (rng.next_u32() as usize) % n;
        for _ in 0..1000 {
            let n_voters = 1 + below(5);
            let n_learners = below(5);
            let n_removed = below(3);
            let total = 2 * (n_voters + n_learners + n_removed);
            let mut ids: Vec<u64> = (1..=total as u64).collect();
            for i in (1..ids.len()).rev() {
                ids.swap(i, below(i + 1));
            }
            let mut cs = ConfState {
                voters: ids[..n_voters].to_vec(),
                ..Default::default()
            };
            let ids = &ids[n_voters..];
            cs.learners = ids[..n_learners].to_vec();
            let ids = &ids[n_learners..];
            let retained = below(n_voters + 1);
            if retained > 0 || n_removed > 0 {
                cs.voters_outgoing = cs.voters[..retained].to_vec();
                cs.voters_outgoing.extend_from_slice(&ids[..n_removed]);
            }
            if n_removed > 0 {
                cs.learners_next = ids[..below(n_removed + 1)].to_vec();
            }
            cs.auto_leave = !cs.voters_outgoing.is_empty() && below(2) == 1;
            round_trip(&cs);
        }
    }
}
