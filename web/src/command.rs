//! The commands the page sends to the cluster. They are the script language's vocabulary: every
//! button press is one line a recorder can write down and a script can replay, so an interactive
//! session and a scenario file are the same thing.

use std::fmt;

/// One command for the cluster, as a script line would say it.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Advance virtual time: nodes tick, Readys are handled by policy, due messages arrive.
    Run {
        ms: u64,
    },
    /// Advance virtual time to the next tick boundary.
    Tick,
    /// Deliver one message in flight now, whatever its arrival time.
    DeliverMessage(u64),
    /// Drop one message in flight.
    DropMessage(u64),
    /// Put a second copy of a message in flight.
    DuplicateMessage(u64),
    /// Handle a node's whole Ready: persist, send, apply, advance.
    ProcessReady(u64),
    /// The four steps of a Ready, one at a time.
    Persist(u64),
    Send(u64),
    Apply(u64),
    Advance(u64),
    /// Let the cluster handle a node's Readys by policy (`true`) or wait for the steps above.
    SetAuto {
        node: u64,
        auto: bool,
    },
    Crash(u64),
    Restart(u64),
    /// Lose everything on a crashed node's disk.
    WipeDisk(u64),
    PauseClock(u64),
    ResumeClock(u64),
    Campaign(u64),
    TransferLeadership {
        from: u64,
        to: u64,
    },
    ForgetLeader(u64),
    /// Cut the network into groups that cannot talk to each other.
    Partition(Vec<Vec<u64>>),
    /// Restore every link.
    Heal,
    /// Cut one direction of a link, or both.
    CutLink {
        from: u64,
        to: u64,
        both: bool,
    },
    /// Restore both directions of a link.
    RestoreLink {
        from: u64,
        to: u64,
    },
    /// Start over from the initial cluster with this seed.
    Reset {
        seed: u64,
    },
}

/// Each command prints as the line the cluster's script language (core/cluster/src/script.rs)
/// reads, so a driver over the real cluster can execute `cmd.to_string()` and a recorder can
/// write it down unchanged. `reset` is the one exception: starting over with a new seed builds
/// a new cluster, which is the driver's business rather than a script line.
impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Run { ms } => write!(f, "run {ms}ms"),
            Command::Tick => write!(f, "step tick"),
            Command::DeliverMessage(id) => write!(f, "deliver-msg {id}"),
            Command::DropMessage(id) => write!(f, "drop-msg {id}"),
            Command::DuplicateMessage(id) => write!(f, "duplicate-msg {id}"),
            Command::ProcessReady(n) => write!(f, "process-ready {n}"),
            Command::Persist(n) => write!(f, "persist {n}"),
            Command::Send(n) => write!(f, "send {n}"),
            Command::Apply(n) => write!(f, "apply {n}"),
            Command::Advance(n) => write!(f, "advance {n}"),
            Command::SetAuto { node, auto } => {
                write!(f, "{} {node}", if *auto { "auto" } else { "manual" })
            }
            Command::Crash(n) => write!(f, "crash {n}"),
            Command::Restart(n) => write!(f, "restart {n}"),
            Command::WipeDisk(n) => write!(f, "wipe {n}"),
            Command::PauseClock(n) => write!(f, "pause {n}"),
            Command::ResumeClock(n) => write!(f, "resume {n}"),
            Command::Campaign(n) => write!(f, "campaign {n}"),
            Command::TransferLeadership { from, to } => {
                write!(f, "transfer-leadership from={from} to={to}")
            }
            Command::ForgetLeader(n) => write!(f, "forget-leader {n}"),
            Command::Partition(groups) => {
                write!(f, "partition")?;
                for g in groups {
                    let ids: Vec<String> = g.iter().map(u64::to_string).collect();
                    write!(f, " ({})", ids.join(" "))?;
                }
                Ok(())
            }
            Command::Heal => write!(f, "heal"),
            Command::CutLink { from, to, both } => {
                let sep = if *both { "-" } else { "->" };
                write!(f, "cut {from}{sep}{to}")
            }
            Command::RestoreLink { from, to } => write!(f, "heal {from}-{to}"),
            Command::Reset { seed } => write!(f, "reset seed={seed}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_print_as_script_lines() {
        let cases = [
            (Command::Run { ms: 500 }, "run 500ms"),
            (Command::Tick, "step tick"),
            (Command::Crash(3), "crash 3"),
            (Command::Restart(3), "restart 3"),
            (Command::WipeDisk(3), "wipe 3"),
            (Command::PauseClock(3), "pause 3"),
            (Command::ProcessReady(2), "process-ready 2"),
            (Command::DeliverMessage(17), "deliver-msg 17"),
            (
                Command::Partition(vec![vec![1, 2], vec![3, 4, 5]]),
                "partition (1 2) (3 4 5)",
            ),
            (Command::Heal, "heal"),
            (
                Command::CutLink {
                    from: 1,
                    to: 2,
                    both: false,
                },
                "cut 1->2",
            ),
            (
                Command::CutLink {
                    from: 1,
                    to: 2,
                    both: true,
                },
                "cut 1-2",
            ),
            (Command::RestoreLink { from: 2, to: 1 }, "heal 2-1"),
            (
                Command::TransferLeadership { from: 1, to: 3 },
                "transfer-leadership from=1 to=3",
            ),
            (
                Command::SetAuto {
                    node: 2,
                    auto: false,
                },
                "manual 2",
            ),
            (
                Command::SetAuto {
                    node: 2,
                    auto: true,
                },
                "auto 2",
            ),
            (Command::Reset { seed: 42 }, "reset seed=42"),
        ];
        for (cmd, text) in cases {
            assert_eq!(cmd.to_string(), text);
        }
    }

    /// The contract with the cluster: every line the page writes is one its script reads.
    #[test]
    fn every_command_but_reset_is_a_line_the_cluster_script_reads() {
        let all = [
            Command::Run { ms: 33 },
            Command::Tick,
            Command::DeliverMessage(4),
            Command::DropMessage(4),
            Command::DuplicateMessage(4),
            Command::ProcessReady(1),
            Command::Persist(1),
            Command::Send(1),
            Command::Apply(1),
            Command::Advance(1),
            Command::SetAuto {
                node: 1,
                auto: true,
            },
            Command::SetAuto {
                node: 1,
                auto: false,
            },
            Command::Crash(2),
            Command::Restart(2),
            Command::WipeDisk(2),
            Command::PauseClock(2),
            Command::ResumeClock(2),
            Command::Campaign(2),
            Command::TransferLeadership { from: 1, to: 2 },
            Command::ForgetLeader(2),
            Command::Partition(vec![vec![1], vec![2, 3]]),
            Command::Heal,
            Command::CutLink {
                from: 1,
                to: 2,
                both: true,
            },
            Command::CutLink {
                from: 1,
                to: 2,
                both: false,
            },
            Command::RestoreLink { from: 1, to: 2 },
        ];
        // The parser does refuse what it does not know, so passing below means something.
        assert!(cluster::script::Command::parse("no-such-command 1").is_err());
        for cmd in all {
            let line = cmd.to_string();
            if let Err(e) = cluster::script::Command::parse(&line) {
                panic!("the cluster cannot read {line:?}: {e}");
            }
        }
    }
}
