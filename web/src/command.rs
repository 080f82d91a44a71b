//! The commands the page sends to the cluster. They are the script language's vocabulary: every
//! button press is one line a recorder can write down and a script can replay, so an interactive
//! session and a scenario file are the same thing. A few commands set up the run itself (a new
//! seed, another cluster size, the background client load); they are the driver's business and
//! not script lines.

use std::fmt;

/// One command for the cluster, as a script would say it.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Advance virtual time: nodes tick, Readys are handled by policy, due messages arrive.
    Run {
        ms: u64,
    },
    /// Run until the next tick of any node (`step tick`).
    Tick,
    /// Run until the next message is delivered or lost (`step message`).
    StepMessage,
    /// Run until the next Ready is handled to its Advance (`step ready`).
    StepReady,
    /// Deliver one message in flight now, whatever its arrival time.
    DeliverMessage(u64),
    /// Drop one message in flight.
    DropMessage(u64),
    /// Put a second copy of a message in flight.
    DuplicateMessage(u64),
    /// Keep a message from arriving until it is released (or delivered by hand).
    HoldMessage(u64),
    ReleaseMessage(u64),
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
    /// Lose everything on a node's disk (a running node goes down with it).
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
    /// Change a link's loss rate and/or delay (`link 1->2 drop=0.3 delay=20..80ms`); the delay
    /// is script text (`40ms`, `20..80ms`) and the cluster checks it.
    SetLink {
        from: u64,
        to: u64,
        both: bool,
        drop: Option<f64>,
        delay: Option<String>,
    },
    /// Back to the network's default link, both ways.
    ResetLink {
        from: u64,
        to: u64,
    },
    /// A client operation sent to a node.
    Put {
        node: u64,
        key: String,
        value: String,
    },
    Get {
        node: u64,
        key: String,
    },
    Delete {
        node: u64,
        key: String,
    },
    /// Membership changes, proposed to the leader (a node that does not exist yet starts with
    /// an empty disk and catches up by snapshot): `add-node N` joins N as a voter,
    /// `add-learner N` as a learner, `promote N` makes a learner vote, `remove-node N` takes N
    /// out of the configuration.
    AddNode(u64),
    AddLearner(u64),
    Promote(u64),
    RemoveNode(u64),
    /// Start over from the initial cluster with this seed (not a script line).
    Reset {
        seed: u64,
    },
    /// Start over with this many nodes (not a script line).
    Resize {
        nodes: u64,
    },
    /// A client `put` every `every_ms` of virtual time while running; 0 stops it (the setup
    /// remembers it for a reset, and the driver issues the cluster's `load`).
    ClientLoad {
        every_ms: u64,
    },
}

impl Command {
    /// Whether the command is a line of the cluster's script language (the run-setup commands
    /// are not).
    pub fn is_script(&self) -> bool {
        !matches!(
            self,
            Command::Reset { .. } | Command::Resize { .. } | Command::ClientLoad { .. }
        )
    }
}

/// A loss rate as the script writes it: `0.3`, `1`, `0`.
/// At most three decimals: the page offers whole percentages.
fn rate_text(r: f64) -> String {
    let thousandths = (r.clamp(0.0, 1.0) * 1000.0).round();
    cluster::units::format_rate(thousandths / 1000.0)
}

/// Each command prints as the line the cluster's script language (core/cluster/src/script.rs)
/// reads, so a driver over the real cluster can execute `cmd.to_string()` and a recorder can
/// write it down unchanged. The run-setup commands print as a readable pseudo-line for error
/// messages.
impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Run { ms } => write!(f, "run {ms}ms"),
            Command::Tick => write!(f, "step tick"),
            Command::StepMessage => write!(f, "step message"),
            Command::StepReady => write!(f, "step ready"),
            Command::DeliverMessage(id) => write!(f, "deliver-msg {id}"),
            Command::DropMessage(id) => write!(f, "drop-msg {id}"),
            Command::DuplicateMessage(id) => write!(f, "duplicate-msg {id}"),
            Command::HoldMessage(id) => write!(f, "hold-msg {id}"),
            Command::ReleaseMessage(id) => write!(f, "release-msg {id}"),
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
            Command::SetLink {
                from,
                to,
                both,
                drop,
                delay,
            } => {
                let sep = if *both { "-" } else { "->" };
                write!(f, "link {from}{sep}{to}")?;
                if let Some(d) = drop {
                    write!(f, " drop={}", rate_text(*d))?;
                }
                if let Some(d) = delay {
                    write!(f, " delay={}", d.trim())?;
                }
                Ok(())
            }
            Command::ResetLink { from, to } => write!(f, "link {from}-{to} reset"),
            Command::Put { node, key, value } => write!(f, "put {node} {key}={value}"),
            Command::Get { node, key } => write!(f, "get {node} {key}"),
            Command::Delete { node, key } => write!(f, "delete {node} {key}"),
            Command::AddNode(n) => write!(f, "add-node {n}"),
            Command::AddLearner(n) => write!(f, "add-learner {n}"),
            Command::Promote(n) => write!(f, "promote {n}"),
            Command::RemoveNode(n) => write!(f, "remove-node {n}"),
            Command::Reset { seed } => write!(f, "reset seed={seed}"),
            Command::Resize { nodes } => write!(f, "reset nodes={nodes}"),
            Command::ClientLoad { every_ms: 0 } => write!(f, "client load off"),
            Command::ClientLoad { every_ms } => write!(f, "client load every {every_ms}ms"),
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
            (Command::StepMessage, "step message"),
            (Command::StepReady, "step ready"),
            (Command::Crash(3), "crash 3"),
            (Command::Restart(3), "restart 3"),
            (Command::WipeDisk(3), "wipe 3"),
            (Command::PauseClock(3), "pause 3"),
            (Command::ProcessReady(2), "process-ready 2"),
            (Command::DeliverMessage(17), "deliver-msg 17"),
            (Command::HoldMessage(17), "hold-msg 17"),
            (Command::ReleaseMessage(17), "release-msg 17"),
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
                Command::SetLink {
                    from: 1,
                    to: 3,
                    both: false,
                    drop: Some(0.3),
                    delay: Some("20..80ms".into()),
                },
                "link 1->3 drop=0.3 delay=20..80ms",
            ),
            (
                Command::SetLink {
                    from: 1,
                    to: 3,
                    both: true,
                    drop: Some(0.0),
                    delay: None,
                },
                "link 1-3 drop=0",
            ),
            (Command::ResetLink { from: 1, to: 3 }, "link 1-3 reset"),
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
            (
                Command::Put {
                    node: 1,
                    key: "x".into(),
                    value: "5".into(),
                },
                "put 1 x=5",
            ),
            (
                Command::Get {
                    node: 2,
                    key: "x".into(),
                },
                "get 2 x",
            ),
            (Command::AddNode(6), "add-node 6"),
            (Command::AddLearner(6), "add-learner 6"),
            (Command::Promote(6), "promote 6"),
            (Command::RemoveNode(3), "remove-node 3"),
            (Command::Reset { seed: 42 }, "reset seed=42"),
        ];
        for (cmd, text) in cases {
            assert_eq!(cmd.to_string(), text);
        }
    }

    #[test]
    fn rates_print_without_float_noise() {
        assert_eq!(rate_text(0.3), "0.3");
        assert_eq!(rate_text(1.0), "1");
        assert_eq!(rate_text(0.0), "0");
        assert_eq!(rate_text(0.125), "0.125");
        assert_eq!(rate_text(7.0), "1", "clamped");
    }

    /// The contract with the cluster: every line the page writes is one its script reads.
    #[test]
    fn every_script_command_is_a_line_the_cluster_script_reads() {
        let all = [
            Command::Run { ms: 33 },
            Command::Tick,
            Command::StepMessage,
            Command::StepReady,
            Command::DeliverMessage(4),
            Command::DropMessage(4),
            Command::DuplicateMessage(4),
            Command::HoldMessage(4),
            Command::ReleaseMessage(4),
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
            Command::SetLink {
                from: 1,
                to: 2,
                both: true,
                drop: Some(0.25),
                delay: Some("20..80ms".into()),
            },
            Command::SetLink {
                from: 2,
                to: 1,
                both: false,
                drop: None,
                delay: Some("40ms".into()),
            },
            Command::ResetLink { from: 1, to: 2 },
            Command::Put {
                node: 1,
                key: "x".into(),
                value: "1".into(),
            },
            Command::Get {
                node: 1,
                key: "x".into(),
            },
            Command::Delete {
                node: 1,
                key: "x".into(),
            },
            Command::AddNode(4),
            Command::AddLearner(4),
            Command::Promote(4),
            Command::RemoveNode(4),
        ];
        // The parser does refuse what it does not know, so passing below means something.
        assert!(cluster::command::Command::parse("no-such-command 1").is_err());
        for cmd in all {
            assert!(cmd.is_script());
            let line = cmd.to_string();
            match cluster::command::Command::parse(&line) {
                // Printing what was parsed gives the line back: the page and the cluster
                // agree on the meaning, not only on the syntax.
                Ok(parsed) => assert_eq!(parsed.to_string(), line, "{line:?}"),
                Err(e) => panic!("the cluster cannot read {line:?}: {e}"),
            }
        }
        assert!(!Command::Reset { seed: 1 }.is_script());
        assert!(!Command::ClientLoad { every_ms: 500 }.is_script());
    }
}
