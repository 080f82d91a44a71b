//! How a session starts: the cluster's configuration, the seed, and the session's own extras
//! (the lead-in, the client load, compaction), read from a page's URL query and written back
//! into one (a share link), and checked against the language's bounds before a run starts.

use crate::command::{ClusterSetup, Command};
use crate::limits;
use crate::node::NodeConfig;
use crate::units::{format_duration, format_latency, parse_duration, parse_latency};

/// The default client load: a put every half second of virtual time.
pub const DEFAULT_LOAD_EVERY_MS: u64 = 500;

/// How often the page's nodes snapshot and compact their logs: every this many applied entries
/// (etcd server's `--snapshot-count`, scaled down to what a page holds), keeping a quarter of
/// them for followers a little behind. Without it a long run's logs, and every time-travel
/// checkpoint with them, would grow without end; the smaller it is, the smaller a checkpoint.
pub const DEFAULT_SNAPSHOT_COUNT: u64 = 50;

/// The default link latency of the page's cluster: slow enough that a message is seen crossing
/// its link at the default speed.
pub const DEFAULT_LATENCY: &str = "30ms";

/// The most nodes the diagram draws.
pub const MAX_NODES: u64 = 9;

/// How many ticks before the first election timeout the lead-in stops.
pub const LEAD_IN_TICKS: u64 = 2;

/// How a run starts: the cluster's configuration, the seed, and the page's own extras.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setup {
    pub seed: u64,
    /// Voters, 1 to [`MAX_NODES`].
    pub nodes: u64,
    /// Virtual milliseconds between the load's puts; 0 for none.
    pub load_every_ms: u64,
    /// Link latency as the script writes it (`30ms`, `20..80ms`).
    pub latency: String,
    pub pre_vote: bool,
    pub check_quorum: bool,
    /// etcd's `ReadOnlyLeaseBased`: ReadIndex served from the leader's lease, which is only
    /// sound with check-quorum (a leader that lost its quorum steps down before its lease ends).
    pub lease_reads: bool,
    /// Virtual milliseconds between ticks, 1 to [`limits::MAX_TICK_INTERVAL`].
    pub tick_ms: u64,
    /// etcd's `ElectionTick`: more than `heartbeat`.
    pub election: u64,
    /// etcd's `HeartbeatTick`: at least 1.
    pub heartbeat: u64,
    /// etcd's `MaxInflightMsgs`, 1 to [`limits::MAX_INFLIGHT`].
    pub inflight: u64,
    /// etcd's `MaxSizePerMsg` in bytes, up to [`limits::MAX_SIZE_PER_MSG`].
    pub max_size_per_msg: u64,
    /// Entries applied between snapshots; 0 for never.
    pub snapshot_count: u64,
    /// Run up to shortly before the first election (see the lead-in in `session`).
    pub lead_in: bool,
}

impl Default for Setup {
    fn default() -> Self {
        let n = NodeConfig::playground();
        Setup {
            seed: 1,
            nodes: 5,
            load_every_ms: DEFAULT_LOAD_EVERY_MS,
            latency: DEFAULT_LATENCY.to_string(),
            pre_vote: false,
            check_quorum: false,
            lease_reads: false,
            tick_ms: n.tick_interval,
            election: n.election_tick as u64,
            heartbeat: n.heartbeat_tick as u64,
            inflight: n.max_inflight_msgs as u64,
            max_size_per_msg: n.max_size_per_msg,
            snapshot_count: DEFAULT_SNAPSHOT_COUNT,
            lead_in: true,
        }
    }
}

/// A number within `lo..=hi`, or a sentence naming the setting and its bounds.
fn within(value: u64, lo: u64, hi: u64, what: &str) -> Result<u64, String> {
    if value < lo {
        return Err(format!("{what} {value} is under the least allowed, {lo}"));
    }
    limits::count(value, hi, what)
}

impl Setup {
    /// Seven nodes, slow links and a put every 20 ms: about a hundred messages in flight, the
    /// load the page must draw within a frame (`?preset=heavy`).
    pub fn heavy() -> Setup {
        Setup {
            nodes: 7,
            load_every_ms: 20,
            latency: "170..390ms".to_string(),
            ..Setup::default()
        }
    }

    /// The `cluster` command that creates the nodes, or why this setup cannot start a run (a
    /// number out of its bounds, lease-based reads without check-quorum…): the same bounds as
    /// the script's `cluster N` options (`docs/scripts.md`), so a run started here replays.
    pub fn cluster_setup(&self) -> Result<ClusterSetup, String> {
        within(self.nodes, 1, MAX_NODES, "nodes")?;
        if self.load_every_ms != 0 {
            crate::limits::duration(self.load_every_ms, limits::MAX_RUN, "load interval")?;
            if self.load_every_ms < limits::MIN_LOAD_EVERY {
                return Err(format!(
                    "load interval {} is under the least allowed, {}",
                    format_duration(self.load_every_ms),
                    format_duration(limits::MIN_LOAD_EVERY)
                ));
            }
        }
        let latency = parse_latency(&self.latency).map_err(|e| format!("latency: {e}"))?;
        if self.tick_ms == 0 {
            return Err("tick interval 0ms: a tick interval is at least 1ms".into());
        }
        limits::duration(self.tick_ms, limits::MAX_TICK_INTERVAL, "tick interval")?;
        within(
            self.heartbeat,
            1,
            limits::MAX_ELECTION_TICKS,
            "heartbeat ticks",
        )?;
        limits::count(self.election, limits::MAX_ELECTION_TICKS, "election ticks")?;
        // etcd's Config.validate: a follower must hear a heartbeat before it campaigns.
        if self.election <= self.heartbeat {
            return Err(format!(
                "election ticks ({}) must be more than heartbeat ticks ({})",
                self.election, self.heartbeat
            ));
        }
        within(self.inflight, 1, limits::MAX_INFLIGHT, "inflight")?;
        limits::count(
            self.max_size_per_msg,
            limits::MAX_SIZE_PER_MSG,
            "max size per message",
        )?;
        limits::count(self.snapshot_count, limits::MAX_INDEX, "snapshot count")?;
        if self.lease_reads && !self.check_quorum {
            return Err("lease-based reads need check-quorum: without it a deposed leader could still serve reads from its lease".into());
        }
        Ok(ClusterSetup {
            nodes: self.nodes,
            pre_vote: self.pre_vote,
            check_quorum: self.check_quorum,
            lease_reads: self.lease_reads,
            tick: self.tick_ms,
            election: self.election as usize,
            heartbeat: self.heartbeat as usize,
            latency,
            inflight: self.inflight as usize,
            max_size_per_msg: self.max_size_per_msg,
            snapshot_count: self.snapshot_count,
            catch_up_entries: crate::command::default_catch_up(self.snapshot_count),
            ..ClusterSetup::default()
        })
    }

    /// Takes the cluster-wide settings of a `cluster` command that a script ran, so that the
    /// settings panel shows what runs and a reset rebuilds it. Settings the page's setup cannot
    /// hold (a Ready policy for all nodes, asynchronous writes, fsync time) stay the script's.
    pub fn adopt(&mut self, c: &ClusterSetup) {
        self.nodes = c.nodes;
        self.pre_vote = c.pre_vote;
        self.check_quorum = c.check_quorum;
        self.lease_reads = c.lease_reads;
        self.tick_ms = c.tick;
        self.election = c.election as u64;
        self.heartbeat = c.heartbeat as u64;
        self.inflight = c.inflight as u64;
        self.max_size_per_msg = c.max_size_per_msg;
        self.snapshot_count = c.snapshot_count;
        self.latency = format_latency(&c.latency);
    }

    /// The `cluster` line that creates the nodes (what the recorder writes first).
    pub fn cluster_line(&self) -> Result<String, String> {
        Ok(Command::Cluster(self.cluster_setup()?).to_string())
    }

    /// Reads a setup from a URL query (`?nodes=7&seed=3&load=20&latency=50..150ms`,
    /// `prevote=1`, `checkquorum=1`, `readonly=lease-based`, `tick=100ms`, `election=10`,
    /// `heartbeat=1`, `inflight=256`, `max-size-per-msg=N`, `snapshot-count=N`, `leadin=0`,
    /// `preset=heavy`). Unknown keys and values that do not parse or are out of bounds are
    /// ignored, and so is a combination [`Setup::cluster_setup`] refuses (the settings it
    /// involves go back to their defaults): a bad link still opens the playground.
    pub fn from_query(query: &str) -> Setup {
        let pairs: Vec<(&str, &str)> = query
            .trim_start_matches('?')
            .split('&')
            .filter_map(|p| p.split_once('=').or(Some((p, ""))))
            .filter(|(k, _)| !k.is_empty())
            .collect();
        let mut s = if pairs.iter().any(|&(k, v)| k == "preset" && v == "heavy") {
            Setup::heavy()
        } else {
            Setup::default()
        };
        let flag = |v: &str| matches!(v, "" | "1" | "true" | "yes" | "on");
        // A number within its bounds, else nothing (the default stays).
        let num =
            |v: &str, lo: u64, hi: u64| v.parse::<u64>().ok().filter(|n| (lo..=hi).contains(n));
        for (k, v) in pairs {
            match k {
                "seed" => s.seed = v.parse().unwrap_or(s.seed),
                "nodes" => s.nodes = num(v, 1, MAX_NODES).unwrap_or(s.nodes),
                "load" if v == "off" => s.load_every_ms = 0,
                "load" => {
                    if let Some(n) = num(v, 0, limits::MAX_RUN) {
                        if n == 0 || n >= limits::MIN_LOAD_EVERY {
                            s.load_every_ms = n;
                        }
                    }
                }
                "latency" => {
                    if let Ok(l) = parse_latency(v) {
                        s.latency = format_latency(&l);
                    }
                }
                // `tick=50ms`, or a bare number of milliseconds.
                "tick" => {
                    let ms = parse_duration(v).ok().or_else(|| v.parse().ok());
                    if let Some(ms) = ms.filter(|ms| (1..=limits::MAX_TICK_INTERVAL).contains(ms)) {
                        s.tick_ms = ms;
                    }
                }
                "election" => {
                    s.election = num(v, 0, limits::MAX_ELECTION_TICKS).unwrap_or(s.election)
                }
                "heartbeat" => {
                    s.heartbeat = num(v, 1, limits::MAX_ELECTION_TICKS).unwrap_or(s.heartbeat)
                }
                "inflight" => s.inflight = num(v, 1, limits::MAX_INFLIGHT).unwrap_or(s.inflight),
                "max-size-per-msg" => {
                    s.max_size_per_msg =
                        num(v, 0, limits::MAX_SIZE_PER_MSG).unwrap_or(s.max_size_per_msg)
                }
                // Any count within the bound is safe (0 never compacts).
                "snapshot-count" => {
                    s.snapshot_count = num(v, 0, limits::MAX_INDEX).unwrap_or(s.snapshot_count)
                }
                "prevote" => s.pre_vote = flag(v),
                "checkquorum" => s.check_quorum = flag(v),
                "readonly" => match v {
                    "lease-based" => s.lease_reads = true,
                    "safe" => s.lease_reads = false,
                    _ => {}
                },
                "leadin" => s.lead_in = flag(v),
                _ => {}
            }
        }
        // Settings that are each within bounds but refused together go back to the defaults.
        let d = Setup::default();
        if s.election <= s.heartbeat {
            (s.election, s.heartbeat) = (d.election, d.heartbeat);
        }
        if s.lease_reads && !s.check_quorum {
            s.lease_reads = false;
        }
        s
    }

    /// The URL query (without `?`) that [`Setup::from_query`] reads back as this setup: the
    /// seed, then every setting that differs from the default. A share link carries it.
    pub fn to_query(&self) -> String {
        let d = Setup::default();
        let mut q = vec![format!("seed={}", self.seed)];
        let mut put = |differs: bool, pair: String| {
            if differs {
                q.push(pair);
            }
        };
        put(self.nodes != d.nodes, format!("nodes={}", self.nodes));
        put(
            self.load_every_ms != d.load_every_ms,
            if self.load_every_ms == 0 {
                "load=off".to_string()
            } else {
                format!("load={}", self.load_every_ms)
            },
        );
        put(
            self.latency != d.latency,
            format!("latency={}", self.latency),
        );
        put(self.pre_vote, "prevote=1".into());
        put(self.check_quorum, "checkquorum=1".into());
        put(self.lease_reads, "readonly=lease-based".into());
        put(
            self.tick_ms != d.tick_ms,
            format!("tick={}ms", self.tick_ms),
        );
        put(
            self.election != d.election,
            format!("election={}", self.election),
        );
        put(
            self.heartbeat != d.heartbeat,
            format!("heartbeat={}", self.heartbeat),
        );
        put(
            self.inflight != d.inflight,
            format!("inflight={}", self.inflight),
        );
        put(
            self.max_size_per_msg != d.max_size_per_msg,
            format!("max-size-per-msg={}", self.max_size_per_msg),
        );
        put(
            self.snapshot_count != d.snapshot_count,
            format!("snapshot-count={}", self.snapshot_count),
        );
        put(!self.lead_in, "leadin=0".into());
        q.join("&")
    }
}
