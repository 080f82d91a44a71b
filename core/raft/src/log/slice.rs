//! Naming entries and runs of entries (etcd's types.go): what the log, its unstable tail and the
//! state machine pass around when they talk about a position in some leader's log.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::raftpb::Entry;

/// Identifies a log entry: there is at most one entry with a given index and term in any log
/// (etcd's `entryID`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EntryID {
    pub term: u64,
    pub index: u64,
}

/// The id of an entry (etcd's `pbEntryID`).
pub(crate) fn pb_entry_id(e: &Entry) -> EntryID {
    EntryID {
        term: e.term,
        index: e.index,
    }
}

/// Go's `%+v` of an `entryID`, as etcd's messages print it.
impl fmt::Display for EntryID {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{term:{} index:{}}}", self.term, self.index)
    }
}

/// A contiguous run of entries as some leader's log at term `term` holds them, following the
/// entry `prev` (etcd's `logSlice`).
///
/// A well-formed slice has `entries[i].index == prev.index + 1 + i`, terms that never go down
/// (from `prev.term` on), and no entry term above `term`. Slices built from the outside (a
/// received message) are checked by the state machine before they reach the log; `valid`
/// states the same rules for the tests.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogSlice {
    /// The term of the leader whose log this is.
    pub term: u64,
    /// The entry just before the slice.
    pub(crate) prev: EntryID,
    pub entries: Vec<Entry>,
}

impl LogSlice {
    /// The index of the last entry, or `prev.index` when there are no entries.
    pub fn last_index(&self) -> u64 {
        self.prev.index + self.entries.len() as u64
    }

    /// The id of the last entry, or `prev` when there are no entries.
    pub fn last_entry_id(&self) -> EntryID {
        self.entries.last().map(pb_entry_id).unwrap_or(self.prev)
    }

    /// Checks the slice is well formed; the error says where it is not.
    #[cfg(test)]
    pub(crate) fn valid(&self) -> std::result::Result<(), String> {
        let mut prev = self.prev;
        for e in &self.entries {
            let id = pb_entry_id(e);
            if id.term < prev.term || id.index != prev.index + 1 {
                return Err(format!(
                    "leader term {}: entries {} and {} not consistent",
                    self.term, prev, id
                ));
            }
            prev = id;
        }
        if self.term < prev.term {
            return Err(format!(
                "leader term {}: entry {} has a newer term",
                self.term, prev
            ));
        }
        Ok(())
    }
}
