use super::index::{AckedIndexer, Index};
use super::vote::VoteResult;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::{Deref, DerefMut};

/// A set of voters that decides by simple majority (etcd's `MajorityConfig`). It derefs to the
/// underlying ordered set, so `insert`, `contains`, `len` and iteration work directly.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MajorityConfig(pub BTreeSet<u64>);

impl Deref for MajorityConfig {
    type Target = BTreeSet<u64>;
    fn deref(&self) -> &BTreeSet<u64> {
        &self.0
    }
}

impl DerefMut for MajorityConfig {
    fn deref_mut(&mut self) -> &mut BTreeSet<u64> {
        &mut self.0
    }
}

impl From<BTreeSet<u64>> for MajorityConfig {
    fn from(s: BTreeSet<u64>) -> Self {
        MajorityConfig(s)
    }
}

impl FromIterator<u64> for MajorityConfig {
    fn from_iter<I: IntoIterator<Item = u64>>(iter: I) -> Self {
        MajorityConfig(iter.into_iter().collect())
    }
}

impl<'a> IntoIterator for &'a MajorityConfig {
    type Item = &'a u64;
    type IntoIter = std::collections::btree_set::Iter<'a, u64>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// `(1 2 3)`: ids in ascending order, in hex as etcd prints them.
impl fmt::Display for MajorityConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for (i, id) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{id:x}")?;
        }
        f.write_str(")")
    }
}

impl MajorityConfig {
    pub fn new() -> Self {
        MajorityConfig::default()
    }

    /// A multi-line picture of who acknowledged what, used by etcd's tests: one line per voter
    /// (ascending id) with a bar whose length is the voter's rank by index (equal indexes get
    /// equal bars), `?` for voters with no known index.
    pub fn describe(&self, l: &impl AckedIndexer) -> String {
        if self.0.is_empty() {
            return "<empty majority quorum>".to_string();
        }
        struct Tup {
            id: u64,
            idx: Index,
            ok: bool,
            bar: usize,
        }
        let n = self.0.len();
        let mut info: Vec<Tup> = self
            .0
            .iter()
            .map(|&id| {
                let acked = l.acked_index(id);
                Tup {
                    id,
                    idx: acked.unwrap_or_default(),
                    ok: acked.is_some(),
                    bar: 0,
                }
            })
            .collect();
        // Rank by index (ties broken by id) to size the bars.
        info.sort_by(|a, b| a.idx.cmp(&b.idx).then(a.id.cmp(&b.id)));
        for i in 1..info.len() {
            info[i].bar = if info[i - 1].idx < info[i].idx {
                i
            } else {
                info[i - 1].bar
            };
        }
        info.sort_by_key(|t| t.id);

        let mut buf = String::new();
        buf.push_str(&" ".repeat(n));
        buf.push_str("    idx\n");
        for t in &info {
            if !t.ok {
                buf.push('?');
                buf.push_str(&" ".repeat(n));
            } else {
                buf.push_str(&"x".repeat(t.bar));
                buf.push('>');
                buf.push_str(&" ".repeat(n - t.bar));
            }
            // The index is printed as a plain number here (etcd uses %d, not the ∞ form).
            buf.push_str(&format!(" {:>5}    (id={:x})\n", t.idx.0, t.id));
        }
        buf
    }

    /// The voters in ascending order.
    pub fn slice(&self) -> Vec<u64> {
        self.0.iter().copied().collect()
    }

    /// The largest index acknowledged by a majority of the voters. Voters with no known index
    /// count as having acknowledged nothing. An empty configuration returns [`Index::MAX`] so
    /// that, as half of a joint configuration, it defers to the other half.
    pub fn committed_index(&self, l: &impl AckedIndexer) -> Index {
        let n = self.0.len();
        if n == 0 {
            return Index::MAX;
        }
        // The leader asks on every acknowledgement: sort on the stack for the usual small
        // configurations (etcd does the same), on the heap only for big ones.
        const ON_STACK: usize = 16;
        let mut stack = [0u64; ON_STACK];
        let mut heap = Vec::new();
        let srt: &mut [u64] = if n <= ON_STACK {
            &mut stack[..n]
        } else {
            heap.resize(n, 0);
            &mut heap
        };
        for (slot, &id) in srt.iter_mut().zip(self.0.iter()) {
            *slot = l.acked_index(id).map_or(0, |i| i.0);
        }
        srt.sort_unstable();
        // Counting from the top, the (n/2+1)-th largest index is held by a majority.
        Index(srt[n - (n / 2 + 1)])
    }

    /// Whether the given votes (true = granted) win, lose, or leave the election open. An empty
    /// configuration wins by convention, so that a joint configuration with an empty half
    /// behaves like its other half.
    pub fn vote_result(&self, votes: &BTreeMap<u64, bool>) -> VoteResult {
        if self.0.is_empty() {
            return VoteResult::Won;
        }
        let mut granted = 0;
        let mut missing = 0;
        for id in &self.0 {
            match votes.get(id) {
                None => missing += 1,
                Some(true) => granted += 1,
                Some(false) => {}
            }
        }
        let q = self.0.len() / 2 + 1;
        if granted >= q {
            VoteResult::Won
        } else if granted + missing >= q {
            VoteResult::Pending
        } else {
            VoteResult::Lost
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::{RngCore, SeedableRng};

    fn cfg(ids: &[u64]) -> MajorityConfig {
        ids.iter().copied().collect()
    }

    fn acked(pairs: &[(u64, u64)]) -> BTreeMap<u64, Index> {
        pairs.iter().map(|&(id, i)| (id, Index(i))).collect()
    }

    #[test]
    fn index_prints_infinity_for_max() {
        assert_eq!(Index(0).to_string(), "0");
        assert_eq!(Index(17).to_string(), "17");
        assert_eq!(Index::MAX.to_string(), "∞");
    }

    #[test]
    fn string_is_sorted_hex() {
        assert_eq!(cfg(&[]).to_string(), "()");
        assert_eq!(cfg(&[16, 1, 2]).to_string(), "(1 2 10)");
    }

    #[test]
    fn describe() {
        let c = cfg(&[1, 2, 3]);
        let cases: [(&[(u64, u64)], &str); 4] = [
            (
                &[(1, 101), (2, 102), (3, 103)],
                "       idx\n>      101    (id=1)\nx>     102    (id=2)\nxx>    103    (id=3)\n",
            ),
            (
                &[(1, 100), (2, 100), (3, 100)],
                "       idx\n>      100    (id=1)\n>      100    (id=2)\n>      100    (id=3)\n",
            ),
            (
                &[(1, 100), (2, 102), (3, 102)],
                "       idx\n>      100    (id=1)\nx>     102    (id=2)\nx>     102    (id=3)\n",
            ),
            (
                &[(1, 101), (3, 103)],
                "       idx\nx>     101    (id=1)\n?        0    (id=2)\nxx>    103    (id=3)\n",
            ),
        ];
        for (l, want) in cases {
            assert_eq!(c.describe(&acked(l)), want);
        }
        assert_eq!(cfg(&[]).describe(&acked(&[])), "<empty majority quorum>");
    }

    #[test]
    fn committed_index_examples() {
        assert_eq!(cfg(&[]).committed_index(&acked(&[])), Index::MAX);
        assert_eq!(cfg(&[1]).committed_index(&acked(&[])), Index(0));
        assert_eq!(
            cfg(&[1, 2, 3]).committed_index(&acked(&[(1, 5), (2, 7)])),
            Index(5)
        );
        assert_eq!(
            cfg(&[1, 2, 3]).committed_index(&acked(&[(1, 5), (2, 7), (3, 9)])),
            Index(7)
        );
        // Acks from non-voters are ignored.
        assert_eq!(
            cfg(&[1, 2]).committed_index(&acked(&[(1, 5), (3, 9), (4, 9)])),
            Index(0)
        );
    }

    #[test]
    fn vote_result_examples() {
        let votes = |v: &[(u64, bool)]| v.iter().copied().collect::<BTreeMap<_, _>>();
        assert_eq!(cfg(&[]).vote_result(&votes(&[])), VoteResult::Won);
        let c = cfg(&[1, 2, 3]);
        assert_eq!(c.vote_result(&votes(&[])), VoteResult::Pending);
        assert_eq!(c.vote_result(&votes(&[(1, true)])), VoteResult::Pending);
        assert_eq!(
            c.vote_result(&votes(&[(1, true), (2, false)])),
            VoteResult::Pending
        );
        assert_eq!(
            c.vote_result(&votes(&[(1, true), (2, true)])),
            VoteResult::Won
        );
        assert_eq!(
            c.vote_result(&votes(&[(1, false), (2, false)])),
            VoteResult::Lost
        );
        // Votes of non-members do not count.
        assert_eq!(
            c.vote_result(&votes(&[(1, true), (4, true), (5, true)])),
            VoteResult::Pending
        );
        assert_eq!(VoteResult::Pending.to_string(), "VotePending");
    }

    /// A second, brute-force definition: the largest acked index reached by a majority.
    fn alternative_committed_index(c: &MajorityConfig, l: &BTreeMap<u64, Index>) -> Index {
        if c.is_empty() {
            return Index::MAX;
        }
        let acked: Vec<Index> = c.iter().filter_map(|id| l.get(id).copied()).collect();
        let q = c.len() / 2 + 1;
        acked
            .iter()
            .copied()
            .filter(|&i| acked.iter().filter(|&&j| j >= i).count() >= q)
            .max()
            .unwrap_or_default()
    }

    #[test]
    fn quick_committed_index_matches_brute_force() {
        // Random small configurations and acks, drawn like etcd's quick test: up to 10 ids out
        // of twice as many, with small indexes so that ties are common.
        let mut rng = rand_pcg::Pcg32::seed_from_u64(42);
        let mut below = |n: u32| if n == 0 { 0 } else { rng.next_u32() % n };
        for _ in 0..20_000 {
            let mut gen = || {
                let n = below(10);
                let mut m = BTreeMap::new();
                while (m.len() as u32) < n {
                    m.insert(below(2 * n) as u64, Index(below(n) as u64));
                }
                m
            };
            let c: MajorityConfig = gen().into_keys().collect();
            let l = gen();
            assert_eq!(
                c.committed_index(&l),
                alternative_committed_index(&c, &l),
                "{c} {l:?}"
            );
        }
    }
}
