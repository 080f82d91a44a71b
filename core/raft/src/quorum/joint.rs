use super::index::{AckedIndexer, Index};
use super::majority::MajorityConfig;
use super::vote::VoteResult;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::{Deref, DerefMut};

/// Two majority configurations that must both agree (etcd's `JointConfig`): `[0]` is the
/// incoming configuration, `[1]` the outgoing one, empty unless a joint change is in progress.
/// It derefs to the array, so `voters[0]` and `voters[1]` read like etcd's code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct JointConfig(pub [MajorityConfig; 2]);

impl Deref for JointConfig {
    type Target = [MajorityConfig; 2];
    fn deref(&self) -> &[MajorityConfig; 2] {
        &self.0
    }
}

impl DerefMut for JointConfig {
    fn deref_mut(&mut self) -> &mut [MajorityConfig; 2] {
        &mut self.0
    }
}

/// `(1 2 3)`, or `(1 2 3)&&(1 2)` while joint.
impl fmt::Display for JointConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.0[1].is_empty() {
            write!(f, "{}&&{}", self.0[0], self.0[1])
        } else {
            write!(f, "{}", self.0[0])
        }
    }
}

impl JointConfig {
    pub fn new(incoming: MajorityConfig, outgoing: MajorityConfig) -> Self {
        JointConfig([incoming, outgoing])
    }

    pub fn incoming(&self) -> &MajorityConfig {
        &self.0[0]
    }

    pub fn outgoing(&self) -> &MajorityConfig {
        &self.0[1]
    }

    /// Every voter of either half.
    pub fn ids(&self) -> BTreeSet<u64> {
        self.0[0].union(&self.0[1]).copied().collect()
    }

    /// `MajorityConfig::describe` over the union of both halves.
    pub fn describe(&self, l: &impl AckedIndexer) -> String {
        MajorityConfig(self.ids()).describe(l)
    }

    /// The largest index committed by both halves.
    pub fn committed_index(&self, l: &impl AckedIndexer) -> Index {
        let idx0 = self.0[0].committed_index(l);
        let idx1 = self.0[1].committed_index(l);
        idx0.min(idx1)
    }

    /// Won only if both halves won; lost as soon as either half lost; pending otherwise.
    pub fn vote_result(&self, votes: &BTreeMap<u64, bool>) -> VoteResult {
        let r1 = self.0[0].vote_result(votes);
        let r2 = self.0[1].vote_result(votes);
        if r1 == r2 {
            r1
        } else if r1 == VoteResult::Lost || r2 == VoteResult::Lost {
            VoteResult::Lost
        } else {
            VoteResult::Pending
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(ids: &[u64]) -> MajorityConfig {
        ids.iter().copied().collect()
    }

    #[test]
    fn string_and_ids() {
        let j = JointConfig::new(cfg(&[1, 2, 3]), cfg(&[]));
        assert_eq!(j.to_string(), "(1 2 3)");
        let j = JointConfig::new(cfg(&[1, 2, 3]), cfg(&[3, 4]));
        assert_eq!(j.to_string(), "(1 2 3)&&(3 4)");
        assert_eq!(j.ids().into_iter().collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    }

    #[test]
    fn committed_is_min_of_halves() {
        let l: BTreeMap<u64, Index> = [(1, 10), (2, 8), (3, 6), (4, 4)]
            .into_iter()
            .map(|(k, v)| (k, Index(v)))
            .collect();
        let j = JointConfig::new(cfg(&[1, 2, 3]), cfg(&[3, 4]));
        assert_eq!(j.committed_index(&l), Index(4));
        // An empty half defers to the other one.
        let j = JointConfig::new(cfg(&[1, 2, 3]), cfg(&[]));
        assert_eq!(j.committed_index(&l), Index(8));
        assert_eq!(JointConfig::default().committed_index(&l), Index::MAX);
    }

    #[test]
    fn vote_needs_both_halves() {
        let j = JointConfig::new(cfg(&[1, 2, 3]), cfg(&[3, 4, 5]));
        let votes = |v: &[(u64, bool)]| v.iter().copied().collect::<BTreeMap<_, _>>();
        assert_eq!(
            j.vote_result(&votes(&[(1, true), (2, true)])),
            VoteResult::Pending
        );
        assert_eq!(
            j.vote_result(&votes(&[(1, true), (2, true), (3, true), (4, true)])),
            VoteResult::Won
        );
        assert_eq!(
            j.vote_result(&votes(&[(1, true), (2, true), (4, false), (5, false)])),
            VoteResult::Lost
        );
        assert_eq!(
            j.vote_result(&votes(&[(3, true), (4, true), (5, true)])),
            VoteResult::Pending
        );
    }
}
