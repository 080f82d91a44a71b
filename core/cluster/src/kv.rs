//! The replicated state machine: a key/value map fed by committed entries, in log order.
//!
//! Commands travel in entry data as short human-readable text, so a log printed by etcd's
//! `describe` functions (`1/5 EntryNormal "put x=5 #c1.3"`) reads like a story:
//!
//! ```text
//! put x=5 #c1.3      set x to "5"; request 3 of client 1
//! del x #c1.4        remove x
//! get x #c1.5        read x through the log
//! ```
//!
//! The `#c<client>.<seq>` tag is optional. With it, the store remembers each client's latest
//! request and applies a retried request only once (the session table of the Raft thesis,
//! §6.3); without that, a client retrying a timed-out put could overwrite a newer value, which
//! the linearizability checker would catch. Deduplication can be switched off to show exactly
//! that.
//!
//! An empty entry is a no-op (every new leader appends one). Data that does not decode is
//! skipped and reported, never a panic: a playground lets people propose anything.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use raft::raftpb::{Entry, EntryType, Snapshot};
use serde::{Deserialize, Serialize};

/// A client of the key/value service.
pub type ClientId = u64;

/// Identifies one client request: `#c1.3` is request 3 of client 1. A retry reuses the id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RequestId {
    pub client: ClientId,
    pub seq: u64,
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "c{}.{}", self.client, self.seq)
    }
}

impl FromStr for RequestId {
    type Err = KvError;

    /// Parses `c1.3` (without the `#`).
    fn from_str(s: &str) -> Result<Self, KvError> {
        let bad = || KvError::Undecodable(format!("bad request id `{s}`: want c<client>.<seq>"));
        let rest = s.strip_prefix('c').ok_or_else(bad)?;
        let (client, seq) = rest.split_once('.').ok_or_else(bad)?;
        Ok(RequestId {
            client: parse_number(client).ok_or_else(bad)?,
            seq: parse_number(seq).ok_or_else(bad)?,
        })
    }
}

/// Digits only: `u64::from_str` would also take a leading `+`, which would not round-trip.
fn parse_number(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// An operation on the key/value map.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Op {
    Put { key: String, value: String },
    Get { key: String },
    Delete { key: String },
}

impl Op {
    pub fn put(key: impl Into<String>, value: impl Into<String>) -> Op {
        Op::Put {
            key: key.into(),
            value: value.into(),
        }
    }

    pub fn get(key: impl Into<String>) -> Op {
        Op::Get { key: key.into() }
    }

    pub fn delete(key: impl Into<String>) -> Op {
        Op::Delete { key: key.into() }
    }

    pub fn key(&self) -> &str {
        match self {
            Op::Put { key, .. } | Op::Get { key } | Op::Delete { key } => key,
        }
    }

    /// Reads change nothing.
    pub fn is_read(&self) -> bool {
        matches!(self, Op::Get { .. })
    }

    /// Checks that the op survives the text encoding: keys are non-empty, without whitespace or
    /// control characters, without `=`, and do not start with `#` (which marks the request id);
    /// values may be empty but have no whitespace or control characters either.
    pub fn validate(&self) -> Result<(), KvError> {
        let key = self.key();
        if key.is_empty()
            || key.starts_with('#')
            || key.chars().any(|c| c == '=' || is_separator(c))
        {
            return Err(KvError::InvalidKey(key.to_string()));
        }
        if let Op::Put { value, .. } = self {
            if value.chars().any(is_separator) {
                return Err(KvError::InvalidValue(value.clone()));
            }
        }
        Ok(())
    }
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Put { key, value } => write!(f, "put {key}={value}"),
            Op::Get { key } => write!(f, "get {key}"),
            Op::Delete { key } => write!(f, "del {key}"),
        }
    }
}

/// What a client gets back.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Reply {
    /// A put or delete took effect.
    Ok,
    /// A get's answer: the value, or `None` if the key is absent.
    Value(Option<String>),
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reply::Ok => f.write_str("ok"),
            Reply::Value(Some(v)) => write!(f, "{v:?}"),
            Reply::Value(None) => f.write_str("(none)"),
        }
    }
}

/// One command as carried by an entry: an op and, optionally, the request it serves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    pub op: Op,
    pub request: Option<RequestId>,
}

impl Command {
    pub fn new(op: Op, request: Option<RequestId>) -> Self {
        Command { op, request }
    }

    /// The entry data for this command, e.g. `put x=5 #c1.3`. Refuses keys and values that
    /// would not decode back to the same command.
    pub fn encode(&self) -> Result<Vec<u8>, KvError> {
        self.op.validate()?;
        Ok(self.to_string().into_bytes())
    }

    /// Reads entry data back. `Ok(None)` is the empty entry, a no-op.
    pub fn decode(data: &[u8]) -> Result<Option<Command>, KvError> {
        if data.is_empty() {
            return Ok(None);
        }
        let text = std::str::from_utf8(data)
            .map_err(|_| KvError::Undecodable("not UTF-8 text".to_string()))?;
        let mut words = text.split_whitespace();
        let verb = words
            .next()
            .ok_or_else(|| KvError::Undecodable("blank command".to_string()))?;
        let arg = words
            .next()
            .ok_or_else(|| KvError::Undecodable(format!("`{verb}` needs a key")))?;
        let op = match verb {
            "put" => {
                let (key, value) = arg.split_once('=').ok_or_else(|| {
                    KvError::Undecodable(format!("`put {arg}`: want put <key>=<value>"))
                })?;
                Op::put(key, value)
            }
            "get" => Op::get(arg),
            "del" => Op::delete(arg),
            other => {
                return Err(KvError::Undecodable(format!(
                    "unknown command `{other}`: want put, get or del"
                )))
            }
        };
        op.validate()
            .map_err(|e| KvError::Undecodable(e.to_string()))?;
        let request = match words.next() {
            None => None,
            Some(tag) => {
                let id = tag.strip_prefix('#').ok_or_else(|| {
                    KvError::Undecodable(format!("unexpected `{tag}`: want #c<client>.<seq>"))
                })?;
                Some(id.parse()?)
            }
        };
        if let Some(extra) = words.next() {
            return Err(KvError::Undecodable(format!(
                "unexpected `{extra}` after the command"
            )));
        }
        Ok(Some(Command { op, request }))
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.op)?;
        if let Some(r) = self.request {
            write!(f, " #{r}")?;
        }
        Ok(())
    }
}

/// Errors of the key/value layer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KvError {
    /// Entry data that is not a command; the text says why.
    Undecodable(String),
    /// A key the text encoding cannot carry.
    InvalidKey(String),
    /// A value the text encoding cannot carry.
    InvalidValue(String),
    /// An entry that is not the next one to apply.
    OutOfOrder { applied: u64, index: u64 },
    /// Snapshot data that does not decode, or a snapshot older than the applied state.
    BadSnapshot(String),
}

impl fmt::Display for KvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KvError::Undecodable(why) => write!(f, "undecodable command: {why}"),
            KvError::InvalidKey(k) => {
                write!(f, "invalid key {k:?}: keys are non-empty, without spaces or '=', and do not start with '#'")
            }
            KvError::InvalidValue(v) => write!(f, "invalid value {v:?}: values have no spaces"),
            KvError::OutOfOrder { applied, index } => {
                write!(
                    f,
                    "entry {index} applied out of order: the next one is {}",
                    applied + 1
                )
            }
            KvError::BadSnapshot(why) => write!(f, "bad snapshot: {why}"),
        }
    }
}

impl std::error::Error for KvError {}

/// A client's latest applied request and its reply, for deduplication.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub last_seq: u64,
    pub last_reply: Reply,
}

/// What applying one entry did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApplyOutcome {
    /// An empty entry.
    Noop,
    /// A configuration change: not the store's business (the node applies it to Raft).
    NotKv,
    /// The command took effect.
    Applied { command: Command, reply: Reply },
    /// A request already applied before (a retry); nothing changed. The reply is the original
    /// one when this was the client's latest request, unknown otherwise.
    Duplicate {
        command: Command,
        reply: Option<Reply>,
    },
    /// The data was not a command; the entry was skipped.
    Undecodable(KvError),
}

/// The map and how far into the log it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvStore {
    data: BTreeMap<String, String>,
    applied: u64,
    dedup: bool,
    sessions: BTreeMap<ClientId, Session>,
    undecodable: u64,
}

/// What a snapshot's data holds: everything the store needs to carry on after restoring.
///
/// It is text in the commands' own words, one line per key and then one per client session, in
/// key and client order, so a snapshot reads like the log it replaces:
///
/// ```text
/// put x=5                the map: the put that recreates each key
/// session #c1.3 ok       client 1's latest request and its reply
/// session #c2.7 value=5  a get's reply (`none` when the key was absent)
/// ```
#[derive(Default)]
struct SnapshotData {
    data: BTreeMap<String, String>,
    sessions: BTreeMap<ClientId, Session>,
}

impl SnapshotData {
    fn encode(&self) -> String {
        use fmt::Write as _;
        let mut text = String::new();
        // Writing to a String cannot fail.
        for (key, value) in &self.data {
            let _ = writeln!(text, "{}", Op::put(key.as_str(), value.as_str()));
        }
        for (&client, session) in &self.sessions {
            let id = RequestId {
                client,
                seq: session.last_seq,
            };
            let reply = match &session.last_reply {
                Reply::Ok => "ok".to_string(),
                Reply::Value(Some(v)) => format!("value={v}"),
                Reply::Value(None) => "none".to_string(),
            };
            let _ = writeln!(text, "session #{id} {reply}");
        }
        text
    }

    /// Reads [`SnapshotData::encode`]'s text back; the error names the line that does not fit.
    fn decode(data: &[u8]) -> Result<SnapshotData, String> {
        let text = std::str::from_utf8(data).map_err(|_| "not UTF-8 text".to_string())?;
        let mut decoded = SnapshotData::default();
        for (n, line) in text.lines().enumerate() {
            let bad = |why: String| format!("line {}: {why}", n + 1);
            if let Some(rest) = line.strip_prefix("session ") {
                let (tag, reply) = rest
                    .split_once(' ')
                    .ok_or_else(|| bad("want session #c<client>.<seq> <reply>".into()))?;
                let id: RequestId = tag
                    .strip_prefix('#')
                    .ok_or_else(|| bad(format!("`{tag}` is not #c<client>.<seq>")))?
                    .parse()
                    .map_err(|e: KvError| bad(e.to_string()))?;
                let last_reply = match reply {
                    "ok" => Reply::Ok,
                    "none" => Reply::Value(None),
                    _ => match reply.strip_prefix("value=") {
                        Some(v) if !v.contains(is_separator) => Reply::Value(Some(v.to_string())),
                        _ => return Err(bad(format!("bad reply `{reply}`"))),
                    },
                };
                decoded.sessions.insert(
                    id.client,
                    Session {
                        last_seq: id.seq,
                        last_reply,
                    },
                );
            } else {
                match Command::decode(line.as_bytes()).map_err(|e| bad(e.to_string()))? {
                    Some(Command {
                        op: Op::Put { key, value },
                        request: None,
                    }) => {
                        decoded.data.insert(key, value);
                    }
                    _ => {
                        return Err(bad(format!(
                            "`{line}` is neither put <key>=<value> nor a session"
                        )))
                    }
                }
            }
        }
        Ok(decoded)
    }
}

impl Default for KvStore {
    fn default() -> Self {
        KvStore::new()
    }
}

impl KvStore {
    /// An empty store that deduplicates retried requests.
    pub fn new() -> Self {
        KvStore {
            data: BTreeMap::new(),
            applied: 0,
            dedup: true,
            sessions: BTreeMap::new(),
            undecodable: 0,
        }
    }

    /// An empty store that applies every request, retries included.
    pub fn without_dedup() -> Self {
        KvStore {
            dedup: false,
            ..KvStore::new()
        }
    }

    pub fn dedups(&self) -> bool {
        self.dedup
    }

    /// Index of the last applied entry.
    pub fn applied(&self) -> u64 {
        self.applied
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.data.get(key).map(String::as_str)
    }

    pub fn data(&self) -> &BTreeMap<String, String> {
        &self.data
    }

    pub fn sessions(&self) -> &BTreeMap<ClientId, Session> {
        &self.sessions
    }

    /// How many entries were skipped because they did not decode.
    pub fn undecodable(&self) -> u64 {
        self.undecodable
    }

    /// Applies the next committed entry. Entries must come in log order with no gap
    /// ([`KvError::OutOfOrder`] otherwise, and nothing changes); anything in order is applied or
    /// skipped, and the outcome says which.
    pub fn apply(&mut self, entry: &Entry) -> Result<ApplyOutcome, KvError> {
        if entry.index != self.applied + 1 {
            return Err(KvError::OutOfOrder {
                applied: self.applied,
                index: entry.index,
            });
        }
        self.applied = entry.index;
        if entry.entry_type != EntryType::EntryNormal {
            return Ok(ApplyOutcome::NotKv);
        }
        let command = match Command::decode(&entry.data) {
            Ok(None) => return Ok(ApplyOutcome::Noop),
            Ok(Some(c)) => c,
            Err(e) => {
                self.undecodable += 1;
                return Ok(ApplyOutcome::Undecodable(e));
            }
        };
        if let (true, Some(req)) = (self.dedup, command.request) {
            if let Some(s) = self.sessions.get(&req.client) {
                if req.seq <= s.last_seq {
                    let reply = (req.seq == s.last_seq).then(|| s.last_reply.clone());
                    return Ok(ApplyOutcome::Duplicate { command, reply });
                }
            }
        }
        let reply = self.execute(&command.op);
        if let (true, Some(req)) = (self.dedup, command.request) {
            self.sessions.insert(
                req.client,
                Session {
                    last_seq: req.seq,
                    last_reply: reply.clone(),
                },
            );
        }
        Ok(ApplyOutcome::Applied { command, reply })
    }

    fn execute(&mut self, op: &Op) -> Reply {
        match op {
            Op::Put { key, value } => {
                self.data.insert(key.clone(), value.clone());
                Reply::Ok
            }
            Op::Delete { key } => {
                self.data.remove(key);
                Reply::Ok
            }
            Op::Get { key } => Reply::Value(self.data.get(key).cloned()),
        }
    }

    /// Snapshot data for the current state (the map and the session table), to be stored in a
    /// Raft snapshot at index [`KvStore::applied`]: text, readable on the page (see
    /// [`SnapshotData`]).
    pub fn snapshot_data(&self) -> Vec<u8> {
        SnapshotData {
            data: self.data.clone(),
            sessions: self.sessions.clone(),
        }
        .encode()
        .into_bytes()
    }

    /// Replaces the state with a Raft snapshot's. Empty data is an empty map. Refuses a snapshot
    /// older than what was already applied, and data that does not decode; either way the state
    /// is unchanged.
    pub fn restore(&mut self, snapshot: &Snapshot) -> Result<(), KvError> {
        let index = snapshot.metadata.index;
        if index < self.applied {
            return Err(KvError::BadSnapshot(format!(
                "snapshot at index {index} is older than the applied index {}",
                self.applied
            )));
        }
        let decoded = SnapshotData::decode(&snapshot.data).map_err(KvError::BadSnapshot)?;
        self.data = decoded.data;
        self.sessions = decoded.sessions;
        self.applied = index;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft::raftpb::SnapshotMetadata;

    /// A snapshot at `index` holding `data`.
    fn snapshot(index: u64, data: &[u8]) -> Snapshot {
        Snapshot {
            data: data.to_vec(),
            metadata: SnapshotMetadata {
                index,
                ..Default::default()
            },
        }
    }

    fn req(client: ClientId, seq: u64) -> Option<RequestId> {
        Some(RequestId { client, seq })
    }

    fn entry(index: u64, text: &str) -> Entry {
        Entry {
            index,
            term: 1,
            data: text.as_bytes().to_vec().into(),
            ..Default::default()
        }
    }

    #[test]
    fn commands_encode_as_readable_text() {
        let c = Command::new(Op::put("x", "5"), req(1, 3));
        assert_eq!(c.encode().unwrap(), b"put x=5 #c1.3");
        assert_eq!(
            Command::new(Op::delete("x"), req(1, 4)).encode().unwrap(),
            b"del x #c1.4"
        );
        assert_eq!(Command::new(Op::get("x"), None).encode().unwrap(), b"get x");
    }

    #[test]
    fn encode_and_decode_round_trip() {
        let cases = [
            Command::new(Op::put("x", "5"), req(1, 3)),
            Command::new(Op::put("k", ""), None),
            Command::new(Op::put("a", "b=c"), req(12, 0)),
            Command::new(Op::put("ключ", "значение#1"), req(u64::MAX, u64::MAX)),
            Command::new(Op::delete("x"), req(2, 9)),
            Command::new(Op::get("y"), None),
        ];
        for c in cases {
            let data = c.encode().unwrap();
            assert_eq!(Command::decode(&data).unwrap(), Some(c.clone()), "{c}");
        }
    }

    #[test]
    fn unencodable_ops_are_refused() {
        assert!(matches!(
            Command::new(Op::put("a b", "1"), None).encode(),
            Err(KvError::InvalidKey(_))
        ));
        assert!(matches!(
            Command::new(Op::put("a=b", "1"), None).encode(),
            Err(KvError::InvalidKey(_))
        ));
        assert!(matches!(
            Command::new(Op::get(""), None).encode(),
            Err(KvError::InvalidKey(_))
        ));
        assert!(matches!(
            Command::new(Op::delete("#x"), None).encode(),
            Err(KvError::InvalidKey(_))
        ));
        assert!(matches!(
            Command::new(Op::put("x", "1 2"), None).encode(),
            Err(KvError::InvalidValue(_))
        ));
        assert!(matches!(
            Command::new(Op::put("x", "a\nb"), None).encode(),
            Err(KvError::InvalidValue(_))
        ));
    }

    #[test]
    fn garbage_decodes_to_an_error_not_a_panic() {
        assert_eq!(Command::decode(b"").unwrap(), None);
        for bad in [
            &b"\xff\xfe"[..],
            b"   ",
            b"put",
            b"put x",
            b"cas x=1",
            b"put x=1 c1.2",
            b"put x=1 #c1",
            b"put x=1 #cx.2",
            b"put x=1 #c+1.2",
            b"put x=1 #c1.2 extra",
            b"del =",
        ] {
            let err = Command::decode(bad).unwrap_err();
            assert!(
                matches!(err, KvError::Undecodable(_)),
                "{:?} -> {err:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(
            Command::decode(b"cas x=1").unwrap_err().to_string(),
            "undecodable command: unknown command `cas`: want put, get or del"
        );
    }

    #[test]
    fn committed_entries_build_the_map_in_order() {
        let mut kv = KvStore::new();
        assert_eq!(kv.apply(&entry(1, "")).unwrap(), ApplyOutcome::Noop);
        kv.apply(&entry(2, "put x=1")).unwrap();
        kv.apply(&entry(3, "put y=2 #c1.1")).unwrap();
        let out = kv.apply(&entry(4, "get x #c2.1")).unwrap();
        assert_eq!(
            out,
            ApplyOutcome::Applied {
                command: Command::new(Op::get("x"), req(2, 1)),
                reply: Reply::Value(Some("1".into()))
            }
        );
        kv.apply(&entry(5, "del x")).unwrap();
        let out = kv.apply(&entry(6, "get x")).unwrap();
        assert!(matches!(
            out,
            ApplyOutcome::Applied {
                reply: Reply::Value(None),
                ..
            }
        ));
        assert_eq!(kv.applied(), 6);
        assert_eq!(kv.get("x"), None);
        assert_eq!(kv.get("y"), Some("2"));
    }

    #[test]
    fn out_of_order_entries_are_refused_without_change() {
        let mut kv = KvStore::new();
        kv.apply(&entry(1, "put x=1")).unwrap();
        assert_eq!(
            kv.apply(&entry(3, "put x=3")),
            Err(KvError::OutOfOrder {
                applied: 1,
                index: 3
            })
        );
        assert_eq!(
            kv.apply(&entry(1, "put x=3")),
            Err(KvError::OutOfOrder {
                applied: 1,
                index: 1
            })
        );
        assert_eq!(kv.get("x"), Some("1"));
        assert_eq!(kv.applied(), 1);
    }

    #[test]
    fn undecodable_and_conf_change_entries_are_skipped_but_counted_as_applied() {
        let mut kv = KvStore::new();
        assert!(matches!(
            kv.apply(&entry(1, "hello world")).unwrap(),
            ApplyOutcome::Undecodable(_)
        ));
        let cc = Entry {
            index: 2,
            term: 1,
            entry_type: EntryType::EntryConfChangeV2,
            data: vec![1, 2, 3].into(),
        };
        assert_eq!(kv.apply(&cc).unwrap(), ApplyOutcome::NotKv);
        assert_eq!(kv.applied(), 2);
        assert_eq!(kv.undecodable(), 1);
        assert!(kv.data().is_empty());
    }

    #[test]
    fn retried_requests_apply_once() {
        let mut kv = KvStore::new();
        kv.apply(&entry(1, "put x=1 #c1.1")).unwrap();
        kv.apply(&entry(2, "put x=2 #c2.1")).unwrap();
        // Client 1's retry of request 1 arrives late: it must not bring x back to 1.
        let out = kv.apply(&entry(3, "put x=1 #c1.1")).unwrap();
        assert_eq!(
            out,
            ApplyOutcome::Duplicate {
                command: Command::new(Op::put("x", "1"), req(1, 1)),
                reply: Some(Reply::Ok)
            }
        );
        assert_eq!(kv.get("x"), Some("2"));
        kv.apply(&entry(4, "put z=1 #c1.2")).unwrap();
        let out = kv.apply(&entry(5, "put x=1 #c1.1")).unwrap();
        assert!(
            matches!(out, ApplyOutcome::Duplicate { reply: None, .. }),
            "an older request's reply is gone"
        );
        assert_eq!(kv.get("x"), Some("2"));
    }

    #[test]
    fn without_dedup_a_retry_overwrites() {
        let mut kv = KvStore::without_dedup();
        kv.apply(&entry(1, "put x=1 #c1.1")).unwrap();
        kv.apply(&entry(2, "put x=2 #c2.1")).unwrap();
        kv.apply(&entry(3, "put x=1 #c1.1")).unwrap();
        assert_eq!(kv.get("x"), Some("1"));
        assert!(kv.sessions().is_empty());
    }

    #[test]
    fn snapshot_and_restore() {
        let mut kv = KvStore::new();
        kv.apply(&entry(1, "put x=1 #c1.1")).unwrap();
        kv.apply(&entry(2, "put y=hello #c2.7")).unwrap();
        let data = kv.snapshot_data();
        let snap = Snapshot {
            data,
            metadata: SnapshotMetadata {
                index: 2,
                term: 1,
                ..Default::default()
            },
        };

        let mut other = KvStore::new();
        other.restore(&snap).unwrap();
        assert_eq!(other, kv);
        // The session table came along: the retry is still recognised.
        assert!(matches!(
            other.apply(&entry(3, "put y=old #c2.7")).unwrap(),
            ApplyOutcome::Duplicate { .. }
        ));

        let stale = Snapshot {
            metadata: SnapshotMetadata {
                index: 1,
                ..Default::default()
            },
            ..snap.clone()
        };
        assert!(matches!(
            other.restore(&stale),
            Err(KvError::BadSnapshot(_))
        ));
        assert!(matches!(
            other.restore(&snapshot(9, b"{not json")),
            Err(KvError::BadSnapshot(_))
        ));
        assert_eq!(other.applied(), 3, "a refused restore changes nothing");

        let mut empty = KvStore::new();
        empty.restore(&snapshot(4, b"")).unwrap();
        assert_eq!((empty.applied(), empty.data().len()), (4, 0));
    }

    #[test]
    fn snapshot_data_is_text_in_the_commands_words() {
        let mut kv = KvStore::new();
        kv.apply(&entry(1, "put y=hello #c2.7")).unwrap();
        kv.apply(&entry(2, "put x= #c1.1")).unwrap();
        kv.apply(&entry(3, "get y #c3.2")).unwrap();
        kv.apply(&entry(4, "get nope #c4.9")).unwrap();
        kv.apply(&entry(5, "put z=a=b")).unwrap();
        let text = String::from_utf8(kv.snapshot_data()).unwrap();
        assert_eq!(
            text,
            "put x=\nput y=hello\nput z=a=b\n\
             session #c1.1 ok\nsession #c2.7 ok\nsession #c3.2 value=hello\nsession #c4.9 none\n"
        );
        let mut other = KvStore::new();
        other.restore(&snapshot(5, text.as_bytes())).unwrap();
        assert_eq!(other, kv);
    }

    #[test]
    fn snapshot_data_that_does_not_decode_names_its_line() {
        for (data, why) in [
            ("put x=1\nget x\n", "line 2: `get x` is neither"),
            ("put x=1 #c1.1\n", "line 1: `put x=1 #c1.1` is neither"),
            ("put x\n", "line 1: undecodable command"),
            ("session c1.1 ok\n", "line 1: `c1.1` is not"),
            ("session #c1.1\n", "line 1: want session"),
            (
                "session #c1.x ok\n",
                "line 1: undecodable command: bad request id",
            ),
            ("session #c1.1 maybe\n", "line 1: bad reply `maybe`"),
            ("{\"data\":{}}", "line 1: undecodable command"),
        ] {
            let mut kv = KvStore::new();
            let err = kv.restore(&snapshot(3, data.as_bytes())).unwrap_err();
            let KvError::BadSnapshot(got) = err else {
                panic!("{data:?}: {err:?}");
            };
            assert!(got.starts_with(why), "{data:?}: {got}");
            assert_eq!(
                kv,
                KvStore::new(),
                "{data:?}: a refused snapshot changes nothing"
            );
        }
    }

    #[test]
    fn request_ids_print_and_parse() {
        let r = RequestId { client: 3, seq: 14 };
        assert_eq!(r.to_string(), "c3.14");
        assert_eq!("c3.14".parse::<RequestId>().unwrap(), r);
        assert!("3.14".parse::<RequestId>().is_err());
        assert!("c3.".parse::<RequestId>().is_err());
    }

    #[test]
    fn replies_print_for_people() {
        assert_eq!(Reply::Ok.to_string(), "ok");
        assert_eq!(Reply::Value(Some("5".into())).to_string(), "\"5\"");
        assert_eq!(Reply::Value(None).to_string(), "(none)");
    }
}
