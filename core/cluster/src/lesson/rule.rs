//! The rules of an exercise ("without crashing a node", "cutting at most one link"), checked
//! against each command the learner gives before it runs.
//!
//! Rules are what turn a button hunt into a puzzle: making node 4 the leader is one
//! `campaign 4` away, but making it leader without calling Raft directly and without crashing
//! anyone needs the election rules of §5.2 and §5.4.1.

use std::fmt;

use crate::cluster::Cluster;
use crate::command::{Command, COMMANDS};

/// One rule of an exercise, as written after `rule`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    /// `no-crash`: no `crash` and no `wipe` (a wiped node is down too).
    NoCrash,
    /// `no-pause`: no `pause`.
    NoPause,
    /// `no-disk`: no disk faults.
    NoDisk,
    /// `no-direct`: nothing that drives Raft by hand (etcd's interaction vocabulary: campaign,
    /// tick, transfer-leadership, stabilize, Readys by hand...). Left: faults, clients,
    /// membership changes and time, what an operator of a real cluster has.
    NoDirect,
    /// `max-cut=N`: at most N links between nodes cut or losing messages, counting a link once
    /// whichever of its directions is cut or lossy.
    MaxCut(usize),
    /// `no-COMMAND`: one command of the script language, by name (`no-campaign`).
    No(String),
}

/// The most links `max-cut=` can name: every pair of nine nodes.
pub const MAX_LINKS: usize = 36;

/// The name of a command as a script writes it (`crash`, `add-node`, `drop-msg`).
pub fn command_name(cmd: &Command) -> String {
    cmd.to_string()
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

impl Rule {
    /// Reads one rule (`no-crash`, `max-cut=1`, `no-campaign`).
    pub fn parse(s: &str) -> Result<Rule, String> {
        Ok(match s {
            "no-crash" => Rule::NoCrash,
            "no-pause" => Rule::NoPause,
            "no-disk" => Rule::NoDisk,
            "no-direct" => Rule::NoDirect,
            _ => {
                if let Some(n) = s.strip_prefix("max-cut=") {
                    let n: usize = n
                        .parse()
                        .map_err(|_| format!("{s}: {n:?} is not a number of links"))?;
                    if n > MAX_LINKS {
                        return Err(format!(
                            "{s}: {n} links is over the limit of {MAX_LINKS} (every pair of nine nodes)"
                        ));
                    }
                    Rule::MaxCut(n)
                } else if let Some(cmd) = s.strip_prefix("no-").filter(|c| COMMANDS.contains(c)) {
                    Rule::No(cmd.to_string())
                } else {
                    return Err(format!(
                        "unknown rule {s:?}: want no-crash, no-pause, no-disk, no-direct, max-cut=N or no-COMMAND (a command of the script language)"
                    ));
                }
            }
        })
    }

    /// The rule as the learner reads it: "without crashing or wiping a node".
    pub fn describe(&self) -> String {
        match self {
            Rule::NoCrash => "without crashing or wiping a node".into(),
            Rule::NoPause => "without pausing a node".into(),
            Rule::NoDisk => "without touching a disk".into(),
            Rule::NoDirect => {
                "without driving Raft by hand (campaign, tick, transfer-leadership, stabilize, Readys step by step): only faults, clients and time".into()
            }
            Rule::MaxCut(0) => "without cutting a link or making one lose messages".into(),
            Rule::MaxCut(1) => "with at most one link cut or losing messages".into(),
            Rule::MaxCut(n) => format!("with at most {n} links cut or losing messages"),
            Rule::No(cmd) => format!("without `{cmd}`"),
        }
    }

    /// Whether the learner may give `cmd` now, on `cluster` as it is before the command: an
    /// error names the rule and says why.
    pub fn allows(&self, cmd: &Command, cluster: &Cluster) -> Result<(), String> {
        let refused = match self {
            Rule::NoCrash => matches!(cmd, Command::Crash(_) | Command::Wipe(_)),
            Rule::NoPause => matches!(cmd, Command::Pause(_)),
            Rule::NoDisk => matches!(cmd, Command::Disk { .. }),
            Rule::NoDirect => drives_raft(cmd),
            Rule::No(name) => command_name(cmd) == *name,
            Rule::MaxCut(max) => {
                let (before, after) = links_down_around(cmd, cluster);
                if after > *max && after > before {
                    return Err(format!(
                        "rule {self}: this exercise is to be solved {}; after `{cmd}` {after} links would be cut or lossy",
                        self.describe()
                    ));
                }
                false
            }
        };
        if refused {
            return Err(format!(
                "rule {self}: this exercise is to be solved {}, and `{cmd}` breaks it",
                self.describe()
            ));
        }
        Ok(())
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::NoCrash => f.write_str("no-crash"),
            Rule::NoPause => f.write_str("no-pause"),
            Rule::NoDisk => f.write_str("no-disk"),
            Rule::NoDirect => f.write_str("no-direct"),
            Rule::MaxCut(n) => write!(f, "max-cut={n}"),
            Rule::No(cmd) => write!(f, "no-{cmd}"),
        }
    }
}

/// Every exercise's rule, whatever else it says: the exercise's cluster is given, so the
/// learner cannot build another (`cluster`) or add nodes the harness way (`add-nodes`).
pub fn allows_in_any_exercise(cmd: &Command) -> Result<(), String> {
    if matches!(cmd, Command::Cluster(_) | Command::AddNodes(_)) {
        return Err(format!(
            "the exercise's cluster is given: `{}` would build another one",
            command_name(cmd)
        ));
    }
    Ok(())
}

/// Whether `rules` (and the rule of every exercise) allow `cmd` on `cluster`: the first rule
/// it breaks, named.
pub fn check_rules(rules: &[Rule], cmd: &Command, cluster: &Cluster) -> Result<(), String> {
    allows_in_any_exercise(cmd)?;
    rules.iter().try_for_each(|r| r.allows(cmd, cluster))
}

/// etcd's interaction vocabulary: commands that step one node's Raft directly, which an
/// operator of a real cluster cannot do.
fn drives_raft(cmd: &Command) -> bool {
    use Command::*;
    matches!(
        cmd,
        Campaign(_)
            | Propose { .. }
            | ProposeConfChange { .. }
            | ProcessReady(_)
            | DeliverMsgs { .. }
            | Stabilize { .. }
            | TickElection(_)
            | TickHeartbeat(_)
            | Tick { .. }
            | TransferLeadership { .. }
            | ForgetLeader(_)
            | ReportUnreachable { .. }
            | Compact { .. }
            | SendSnapshot { .. }
            | SetRandomizedElectionTimeout { .. }
            | Manual(_)
            | Auto(_)
            | Policy { .. }
            | TakeReady(_)
            | ReadyStep { .. }
    )
}

/// Links between nodes that are cut or lose messages, now and after `cmd`. Only a network
/// command changes the count; its effect is found by running it on a copy, so the count
/// follows the cluster's own rules (a partition replaces earlier cuts, `link 1-2` sets both
/// directions, and so on).
fn links_down_around(cmd: &Command, cluster: &Cluster) -> (usize, usize) {
    let before = links_down(cluster);
    if !matches!(
        cmd,
        Command::Cut(_) | Command::Partition(_) | Command::Heal(_) | Command::Link { .. }
    ) {
        return (before, before);
    }
    let mut copy = cluster.clone();
    copy.execute(cmd.clone());
    (before, links_down(&copy))
}

/// Links (unordered pairs of nodes) with a direction cut or losing messages.
pub fn links_down(cluster: &Cluster) -> usize {
    let net = cluster.network();
    let down = |a, b| net.is_cut(a, b) || net.link(a, b).drop_rate > 0.0;
    let ids: Vec<_> = cluster.nodes().keys().copied().collect();
    ids.iter()
        .enumerate()
        .flat_map(|(i, &a)| ids[i + 1..].iter().map(move |&b| (a, b)))
        .filter(|&(a, b)| down(a, b) || down(b, a))
        .count()
}
