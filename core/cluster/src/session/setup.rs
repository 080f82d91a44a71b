//! How a session starts: the cluster line, the seed, and the session's own extras (the lead-in,
//! the client load, compaction), read from a page's URL query.

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

/// How a run starts: the cluster line, the seed, and the page's own extras.
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
    /// Entries applied between snapshots; 0 for never.
    pub snapshot_count: u64,
    /// Run up to shortly before the first election (see the lead-in in `session`).
    pub lead_in: bool,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            seed: 1,
            nodes: 5,
            load_every_ms: DEFAULT_LOAD_EVERY_MS,
            latency: DEFAULT_LATENCY.to_string(),
            pre_vote: false,
            check_quorum: false,
            snapshot_count: DEFAULT_SNAPSHOT_COUNT,
            lead_in: true,
        }
    }
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

    /// The `cluster` line that creates the nodes.
    pub fn cluster_line(&self) -> String {
        let mut s = format!("cluster {} latency={}", self.nodes, self.latency);
        if self.pre_vote {
            s.push_str(" prevote=true");
        }
        if self.check_quorum {
            s.push_str(" checkquorum=true");
        }
        if self.snapshot_count > 0 {
            s.push_str(&format!(" snapshot-count={}", self.snapshot_count));
        }
        s
    }

    /// Reads a setup from a URL query (`?nodes=7&seed=3&load=20&latency=50..150ms`,
    /// `prevote=1`, `checkquorum=1`, `leadin=0`, `preset=heavy`, `snapshot-count=N`). Unknown keys and values that
    /// do not parse are ignored: a bad link still opens the playground.
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
        for (k, v) in pairs {
            match k {
                "seed" => {
                    if let Ok(n) = v.parse() {
                        s.seed = n;
                    }
                }
                "nodes" => {
                    if let Ok(n) = v.parse::<u64>() {
                        if (1..=MAX_NODES).contains(&n) {
                            s.nodes = n;
                        }
                    }
                }
                "load" => {
                    let bounds = crate::limits::MIN_LOAD_EVERY..=crate::limits::MAX_RUN;
                    if let Ok(n) = v.parse() {
                        if n == 0 || bounds.contains(&n) {
                            s.load_every_ms = n;
                        }
                    } else if v == "off" {
                        s.load_every_ms = 0;
                    }
                }
                "latency" if crate::units::parse_latency(v).is_ok() => {
                    s.latency = v.to_string();
                }
                // Any count is safe (0 never compacts); it only sets how often logs compact.
                "snapshot-count" => {
                    if let Ok(n) = v.parse() {
                        s.snapshot_count = n;
                    }
                }
                "prevote" => s.pre_vote = flag(v),
                "checkquorum" => s.check_quorum = flag(v),
                "leadin" => s.lead_in = flag(v),
                _ => {}
            }
        }
        s
    }
}
