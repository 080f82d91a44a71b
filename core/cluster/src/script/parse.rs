//! Script text to commands: one directive (a line, its arguments, input lines) to a
//! [`Command`], with errors that name the argument to blame (and so the column).

use raft::interaction::datadriven::{self, TestData};
use raft::raftpb::{ConfChangeTransition, MessageType};

use crate::clock::Millis;
use crate::command::*;
use crate::limits;
use crate::network::NodeId;
use crate::node::ReadyPolicy;
use crate::units::{format_duration, parse_duration, parse_latency, parse_rate};

use super::args::{
    bare_ids, check_id, first_id, named, no_args, one_val, only_id, parse_bool, parse_id,
    parse_id_list, parse_lease_reads, parse_transition, parse_u64, ArgError, ScriptError,
};

fn parse_link_target(s: &str) -> Result<LinkTarget, String> {
    if s == "*" {
        return Ok(LinkTarget::All);
    }
    let (a, b, both) = if let Some((a, b)) = s.split_once("->") {
        (a, b, false)
    } else if let Some((a, b)) = s.split_once('-') {
        (a, b, true)
    } else {
        return Err(format!(
            "invalid link {s:?}: want 1->2 (one way), 1-2 (both ways) or *"
        ));
    };
    let (a, b) = (parse_id(a)?, parse_id(b)?);
    if a == b {
        return Err(format!("a node has no link to itself ({s})"));
    }
    Ok(if both {
        LinkTarget::Both(a, b)
    } else {
        LinkTarget::OneWay(a, b)
    })
}

impl Command {
    /// Parses one directive of a script.
    pub fn from_directive(d: &TestData) -> Result<Command, ArgError> {
        parse_command(d)
    }

    /// Parses one line of script text (plus input lines for `propose-conf-change`).
    pub fn parse(text: &str) -> Result<Command, ScriptError> {
        let ds = datadriven::parse(&format!("{text}\n----\n"))?;
        match ds.as_slice() {
            [d] => parse_command(d).map_err(|e| e.locate(text, d)),
            _ => Err(ScriptError {
                line: 1,
                column: 1,
                message: "expected exactly one command".into(),
            }),
        }
    }
}

pub(super) fn parse_command(d: &TestData) -> Result<Command, ArgError> {
    use Command::*;
    let ae = |i: usize| move |e: String| ArgError::at(i, e);
    Ok(match d.cmd.as_str() {
        "cluster" => parse_cluster(d)?,
        "add-nodes" => parse_add_nodes(d)?,
        "campaign" => Campaign(only_id(d)?),
        "propose" => {
            let node = first_id(d)?;
            if d.cmd_args.len() != 2 || !d.cmd_args[1].vals.is_empty() {
                let rest: Vec<String> = d.cmd_args.iter().skip(1).map(|a| a.to_string()).collect();
                return Err(ArgError::new(format!(
                    "expected exactly one key with no vals: [{}]",
                    rest.join(" ")
                )));
            }
            let data = limits::data(&d.cmd_args[1].key, "proposal data").map_err(ae(1))?;
            Propose {
                node,
                data: data.to_string(),
            }
        }
        "propose-conf-change" => {
            let node = first_id(d)?;
            let mut v1 = false;
            let mut transition = ConfChangeTransition::ConfChangeTransitionAuto;
            for (i, a) in d.cmd_args.iter().enumerate().skip(1) {
                let v = one_val(a, i)?;
                match a.key.as_str() {
                    "v1" => v1 = parse_bool(v).map_err(ae(i))?,
                    "transition" => {
                        transition = match v {
                            "auto" => ConfChangeTransition::ConfChangeTransitionAuto,
                            "implicit" => ConfChangeTransition::ConfChangeTransitionJointImplicit,
                            "explicit" => ConfChangeTransition::ConfChangeTransitionJointExplicit,
                            _ => return Err(ArgError::at(i, format!("unknown transition {v}"))),
                        }
                    }
                    _ => return Err(ArgError::at(i, format!("unknown command {}", a.key))),
                }
            }
            check_conf_changes(&d.input).map_err(ArgError::new)?;
            ProposeConfChange {
                node,
                v1,
                transition,
                changes: d.input.clone(),
            }
        }
        "process-ready" => ProcessReady(bare_ids(d)?),
        "deliver-msgs" => {
            let mut recipients: Vec<Recipient> = Vec::new();
            let mut msg_type = None;
            for (i, a) in d.cmd_args.iter().enumerate() {
                if a.vals.is_empty() {
                    recipients.push(Recipient {
                        id: parse_id(&a.key).map_err(ae(i))?,
                        drop: false,
                    });
                    continue;
                }
                match a.key.as_str() {
                    "drop" => {
                        for id in parse_id_list(&a.vals).map_err(ae(i))? {
                            if recipients.iter().any(|r| r.id == id) {
                                return Err(ArgError::at(
                                    i,
                                    format!("can't both deliver and drop msgs to {id}"),
                                ));
                            }
                            recipients.push(Recipient { id, drop: true });
                        }
                    }
                    "type" => {
                        let v = one_val(a, i)?;
                        msg_type =
                            Some(MessageType::from_name(v).ok_or_else(|| {
                                ArgError::at(i, format!("unknown message type {v}"))
                            })?);
                    }
                    _ => {
                        return Err(ArgError::at(
                            i,
                            format!("deliver-msgs: unknown argument {a}"),
                        ))
                    }
                }
            }
            DeliverMsgs {
                recipients,
                msg_type,
            }
        }
        "stabilize" => {
            let nodes = bare_ids(d)?;
            let log_level = match named(d, "log-level") {
                Some((i, a)) => Some(one_val(a, i)?.to_string()),
                None => None,
            };
            Stabilize { nodes, log_level }
        }
        "tick-election" => TickElection(only_id(d)?),
        "tick-heartbeat" => TickHeartbeat(only_id(d)?),
        "tick" => {
            let node = first_id(d)?;
            let count = match d.cmd_args.get(1) {
                None => 1,
                Some(a) => parse_u64(&a.key)
                    .and_then(|n| limits::count(n, limits::MAX_TICKS, "tick count"))
                    .map_err(ae(1))? as usize,
            };
            Tick { node, count }
        }
        "raft-log" => RaftLog(only_id(d)?),
        "raft-state" => {
            no_args(d)?;
            RaftState
        }
        "status" => Status(only_id(d)?),
        "transfer-leadership" => {
            let get = |k: &str| -> Result<NodeId, ArgError> {
                let (i, a) =
                    named(d, k).ok_or_else(|| ArgError::new(format!("missing argument: {k}")))?;
                parse_id(one_val(a, i)?).map_err(ae(i))
            };
            TransferLeadership {
                from: get("from")?,
                to: get("to")?,
            }
        }
        "forget-leader" => ForgetLeader(only_id(d)?),
        "report-unreachable" => match bare_ids(d)?.as_slice() {
            [node, peer] => ReportUnreachable {
                node: *node,
                peer: *peer,
            },
            _ => return Err(ArgError::new(
                "must specify exactly two node indexes: node on which to report, and reported node",
            )),
        },
        "compact" => {
            let node = first_id(d)?;
            let index = match d.cmd_args.get(1) {
                None => None,
                Some(a) => Some(
                    parse_u64(&a.key)
                        .and_then(|n| limits::count(n, limits::MAX_INDEX, "index"))
                        .map_err(ae(1))?,
                ),
            };
            Compact { node, index }
        }
        "send-snapshot" => match bare_ids(d)?.as_slice() {
            [from, to] => SendSnapshot {
                from: *from,
                to: *to,
            },
            ids => {
                return Err(ArgError::new(format!(
                    "send-snapshot: expected 2 node ids, got {}",
                    ids.len()
                )))
            }
        },
        "set-randomized-election-timeout" => {
            let node = first_id(d)?;
            let (i, a) =
                named(d, "timeout").ok_or_else(|| ArgError::new("missing argument: timeout"))?;
            let t = parse_u64(one_val(a, i)?)
                .and_then(|t| limits::count(t, limits::MAX_ELECTION_TICKS, "timeout"))
                .map_err(ae(i))?;
            if t == 0 {
                return Err(ArgError::at(i, "invalid timeout 0"));
            }
            SetRandomizedElectionTimeout {
                node,
                timeout: t as usize,
            }
        }
        "log-level" => {
            let a = d
                .cmd_args
                .first()
                .ok_or_else(|| ArgError::new("log-level: missing level"))?;
            log_level_index(&a.key).map_err(ae(0))?;
            LogLevel(a.key.clone())
        }
        "process-append-thread" => ProcessAppendThread(bare_ids(d)?),
        "process-apply-thread" => ProcessApplyThread(bare_ids(d)?),
        "_breakpoint" => Breakpoint,
        "run" => {
            let a = d
                .cmd_args
                .first()
                .ok_or_else(|| ArgError::new("run: how long? e.g. run 500ms"))?;
            Run(parse_duration(&a.key)
                .and_then(|ms| limits::duration(ms, limits::MAX_RUN, "run"))
                .map_err(ae(0))?)
        }
        "run-until" => {
            let max = match named(d, "max") {
                Some((i, a)) => parse_duration(one_val(a, i)?)
                    .and_then(|ms| limits::duration(ms, limits::MAX_RUN, "max"))
                    .map_err(ae(i))?,
                None => DEFAULT_RUN_UNTIL_MAX,
            };
            RunUntil {
                condition: Condition::parse(&d.cmd_args, &["max"])?,
                max,
            }
        }
        "step" => Step(match d.cmd_args.first().map(|a| a.key.as_str()) {
            None => StepKind::Any,
            Some("tick") => StepKind::Tick,
            Some("message") | Some("msg") => StepKind::Message,
            Some("ready") => StepKind::Ready,
            Some(k) => {
                return Err(ArgError::at(
                    0,
                    format!("step {k}: want step, step tick, step message or step ready"),
                ))
            }
        }),
        "crash" => Crash(only_id(d)?),
        "restart" => Restart(only_id(d)?),
        "wipe" => Wipe(only_id(d)?),
        "pause" => Pause(only_id(d)?),
        "resume" => Resume(only_id(d)?),
        "partition" => Partition(parse_groups(d)?),
        "cut" => {
            let a = d
                .cmd_args
                .first()
                .ok_or_else(|| ArgError::new("cut: which link? e.g. cut 1->2 or cut 1-2"))?;
            match parse_link_target(&a.key).map_err(ae(0))? {
                LinkTarget::All => {
                    return Err(ArgError::at(0, "cut *: use partition to cut everything"))
                }
                t => Cut(t),
            }
        }
        "heal" => match d.cmd_args.first() {
            None => Heal(None),
            Some(a) => match parse_link_target(&a.key).map_err(ae(0))? {
                LinkTarget::All => Heal(None),
                LinkTarget::OneWay(..) => {
                    return Err(ArgError::at(
                        0,
                        "heal repairs both directions: write heal 1-2",
                    ));
                }
                t => Heal(Some(t)),
            },
        },
        "link" => {
            let a = d
                .cmd_args
                .first()
                .ok_or_else(|| ArgError::new("link: which link? e.g. link 1->2 drop=0.3"))?;
            let target = parse_link_target(&a.key).map_err(ae(0))?;
            let mut change = LinkChange::default();
            for (i, a) in d.cmd_args.iter().enumerate().skip(1) {
                if a.key == "reset" && a.vals.is_empty() {
                    change.reset = true;
                    continue;
                }
                let v = one_val(a, i)?;
                match a.key.as_str() {
                    "drop" => change.drop = Some(parse_rate(v).map_err(ae(i))?),
                    "delay" | "latency" => change.delay = Some(parse_latency(v).map_err(ae(i))?),
                    "duplicate" => change.duplicate = Some(parse_rate(v).map_err(ae(i))?),
                    "reorder" => change.reorder = Some(parse_rate(v).map_err(ae(i))?),
                    k => return Err(ArgError::at(i, format!("link: unknown setting {k}: want drop, delay, duplicate, reorder or reset"))),
                }
            }
            Link { target, change }
        }
        "disk" => {
            let node = first_id(d)?;
            let a = d
                .cmd_args
                .get(1)
                .ok_or_else(|| ArgError::new("disk: want lying, slow=50ms or ok"))?;
            let fault = match (a.key.as_str(), a.vals.as_slice()) {
                ("lying", []) => DiskFault::Lying,
                ("ok", []) | ("honest", []) => DiskFault::Ok,
                ("slow", [v]) => DiskFault::Slow(
                    parse_duration(v)
                        .and_then(|ms| limits::duration(ms, limits::MAX_LATENCY, "slow"))
                        .map_err(ae(1))?,
                ),
                _ => {
                    return Err(ArgError::at(
                        1,
                        format!("disk: unknown fault {a}: want lying, slow=50ms or ok"),
                    ))
                }
            };
            Disk { node, fault }
        }
        "drop-msg" | "duplicate-msg" | "deliver-msg" | "hold-msg" | "release-msg" => {
            let action = match d.cmd.as_str() {
                "drop-msg" => MessageAction::Drop,
                "duplicate-msg" => MessageAction::Duplicate,
                "deliver-msg" => MessageAction::Deliver,
                "hold-msg" => MessageAction::Hold,
                _ => MessageAction::Release,
            };
            let a = d
                .cmd_args
                .first()
                .ok_or_else(|| ArgError::new(format!("{}: which message id?", d.cmd)))?;
            Message {
                action,
                id: parse_u64(&a.key).map_err(ae(0))?,
            }
        }
        "manual" => Manual(only_id(d)?),
        "auto" => Auto(only_id(d)?),
        "policy" => {
            let node = first_id(d)?;
            let a = d
                .cmd_args
                .get(1)
                .ok_or_else(|| ArgError::new("policy: want raft-node or serve-channels"))?;
            let policy = ReadyPolicy::from_name(&a.key).ok_or_else(|| {
                ArgError::at(
                    1,
                    format!("unknown policy {}: want raft-node or serve-channels", a.key),
                )
            })?;
            Policy { node, policy }
        }
        "ready" => TakeReady(only_id(d)?),
        "persist" => ReadyStep {
            node: only_id(d)?,
            step: crate::node::ReadyStep::Persist,
        },
        "send" => ReadyStep {
            node: only_id(d)?,
            step: crate::node::ReadyStep::Send,
        },
        "apply" => ReadyStep {
            node: only_id(d)?,
            step: crate::node::ReadyStep::Apply,
        },
        "advance" => ReadyStep {
            node: only_id(d)?,
            step: crate::node::ReadyStep::Advance,
        },
        "put" | "get" | "delete" => parse_client(d)?,
        "load" => match d.cmd_args.first() {
            Some(a) if a.key == "off" && a.vals.is_empty() && d.cmd_args.len() == 1 => Load(None),
            Some(a) if a.key == "every" && d.cmd_args.len() == 1 => {
                let ms = parse_duration(one_val(a, 0)?).map_err(ae(0))?;
                if ms < limits::MIN_LOAD_EVERY {
                    return Err(ArgError::at(
                        0,
                        format!(
                            "load every={}: at least {} between puts",
                            format_duration(ms),
                            format_duration(limits::MIN_LOAD_EVERY)
                        ),
                    ));
                }
                Load(Some(
                    limits::duration(ms, limits::MAX_RUN, "load every").map_err(ae(0))?,
                ))
            }
            _ => return Err(ArgError::new("load: want load every=500ms or load off")),
        },
        "add-node" => Membership(MembershipChange::AddNode(only_id(d)?)),
        "add-learner" => Membership(MembershipChange::AddLearner(only_id(d)?)),
        "promote" => Membership(MembershipChange::Promote(only_id(d)?)),
        "remove-node" => Membership(MembershipChange::Remove(only_id(d)?)),
        "replace" => parse_replace(d)?,
        "leave-joint" => {
            no_args(d)?;
            Membership(MembershipChange::LeaveJoint)
        }
        "expect" => Expect(Condition::parse(&d.cmd_args, &[])?),
        "kv" => Kv(only_id(d)?),
        "history" => {
            no_args(d)?;
            History
        }
        "checker" => {
            no_args(d)?;
            Checker
        }
        "events" => match named(d, "last") {
            Some((i, a)) => Events(
                parse_u64(one_val(a, i)?)
                    .and_then(|n| limits::count(n, limits::MAX_EVENTS_LISTED, "last"))
                    .map_err(ae(i))? as usize,
            ),
            None => Events(20),
        },
        "stop-after" => {
            let (i, a) =
                named(d, "events").ok_or_else(|| ArgError::new("stop-after: want events=N"))?;
            StopAfter(
                parse_u64(one_val(a, i)?)
                    .and_then(|n| limits::count(n, limits::MAX_STOP_AFTER, "events"))
                    .map_err(ae(i))?,
            )
        }
        other => {
            return Err(ArgError::new(format!(
                "unknown command {other:?}; known commands: {}",
                COMMANDS.join(", ")
            )));
        }
    })
}

/// How long `run-until` waits when no `max=` is given.
pub const DEFAULT_RUN_UNTIL_MAX: Millis = 30_000;

fn parse_cluster(d: &TestData) -> Result<Command, ArgError> {
    let a = d
        .cmd_args
        .first()
        .ok_or_else(|| ArgError::new("cluster: how many nodes? e.g. cluster 3"))?;
    let n = parse_u64(&a.key).map_err(|e| ArgError::at(0, e))?;
    if !(1..=9).contains(&n) {
        return Err(ArgError::at(
            0,
            format!("cluster {n}: between 1 and 9 nodes"),
        ));
    }
    let mut s = ClusterSetup {
        nodes: n,
        ..ClusterSetup::default()
    };
    let mut catch_up = None;
    for (i, a) in d.cmd_args.iter().enumerate().skip(1) {
        let ae = |e: String| ArgError::at(i, e);
        if a.key == "async-storage-writes" {
            s.async_nodes = parse_async_nodes(&a.vals, n).map_err(ae)?;
            continue;
        }
        let v = one_val(a, i)?;
        match a.key.as_str() {
            "prevote" => s.pre_vote = parse_bool(v).map_err(ae)?,
            "checkquorum" => s.check_quorum = parse_bool(v).map_err(ae)?,
            "read-only" => s.lease_reads = parse_lease_reads(v).map_err(ae)?,
            "policy" => {
                s.policy =
                    ReadyPolicy::from_name(v).ok_or_else(|| ae(format!("unknown policy {v}")))?;
            }
            "tick" => {
                s.tick = parse_duration(v)
                    .and_then(|ms| limits::duration(ms, limits::MAX_TICK_INTERVAL, "tick"))
                    .map_err(ae)?;
                if s.tick == 0 {
                    return Err(ae("tick 0ms: a tick interval is at least 1ms".into()));
                }
            }
            "election" => {
                s.election = parse_u64(v)
                    .and_then(|n| limits::count(n, limits::MAX_ELECTION_TICKS, "election"))
                    .map_err(ae)? as usize
            }
            "heartbeat" => {
                s.heartbeat = parse_u64(v)
                    .and_then(|n| limits::count(n, limits::MAX_ELECTION_TICKS, "heartbeat"))
                    .map_err(ae)? as usize
            }
            "latency" | "delay" => s.latency = parse_latency(v).map_err(ae)?,
            "sync" => {
                s.sync = parse_duration(v)
                    .and_then(|ms| limits::duration(ms, limits::MAX_LATENCY, "sync"))
                    .map_err(ae)?
            }
            "step-down-on-removal" => s.step_down_on_removal = parse_bool(v).map_err(ae)?,
            "snapshot-count" => {
                s.snapshot_count = parse_u64(v)
                    .and_then(|n| limits::count(n, limits::MAX_INDEX, "snapshot-count"))
                    .map_err(ae)?
            }
            "catch-up-entries" => {
                catch_up = Some(
                    parse_u64(v)
                        .and_then(|n| limits::count(n, limits::MAX_INDEX, "catch-up-entries"))
                        .map_err(ae)?,
                )
            }
            "inflight" => {
                s.inflight = parse_u64(v)
                    .and_then(|n| limits::count(n, limits::MAX_INFLIGHT, "inflight"))
                    .map_err(ae)? as usize;
                // etcd refuses 0: a leader could never send an append.
                if s.inflight == 0 {
                    return Err(ae(
                        "inflight 0: a leader needs at least 1 append in flight".into()
                    ));
                }
            }
            "max-size-per-msg" => {
                s.max_size_per_msg = parse_u64(v)
                    .and_then(|n| limits::count(n, limits::MAX_SIZE_PER_MSG, "max-size-per-msg"))
                    .map_err(ae)?
            }
            k => return Err(ae(format!("cluster: unknown option {k}"))),
        }
    }
    s.catch_up_entries = catch_up.unwrap_or(default_catch_up(s.snapshot_count));
    Ok(Command::Cluster(s))
}

/// `async-storage-writes=true` (every node), `=false` (none) or `=(1,3)` (those nodes). A number
/// is a node even where Go would read it as a bool: `=(1)` is node 1, not every node.
fn parse_async_nodes(vals: &[String], nodes: u64) -> Result<Vec<NodeId>, String> {
    if let [v] = vals {
        if let (Err(_), Ok(all)) = (v.parse::<u64>(), parse_bool(v)) {
            return Ok(if all {
                (1..=nodes).collect()
            } else {
                Vec::new()
            });
        }
    }
    if vals.is_empty() {
        return Err("async-storage-writes: want true, false or a list of nodes, e.g. (1,3)".into());
    }
    let mut ids = Vec::new();
    for v in vals {
        let id = parse_u64(v)?;
        if !(1..=nodes).contains(&id) {
            return Err(format!(
                "async-storage-writes: no node {id} in a cluster of {nodes}"
            ));
        }
        ids.push(id);
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

fn parse_add_nodes(d: &TestData) -> Result<Command, ArgError> {
    let a = d
        .cmd_args
        .first()
        .ok_or_else(|| ArgError::new("add-nodes: missing node count"))?;
    let count = parse_u64(&a.key)
        .and_then(|n| limits::count(n, limits::MAX_NODE_ID, "node count"))
        .map_err(|e| ArgError::at(0, e))?;
    let mut out = AddNodes {
        count,
        ..AddNodes::default()
    };
    for (i, a) in d.cmd_args.iter().enumerate().skip(1) {
        let ae = |e: String| ArgError::at(i, e);
        for v in &a.vals {
            match a.key.as_str() {
                "voters" => out.voters.push(
                    raft::gofmt::parse_go_uint(v)
                        .and_then(check_id)
                        .map_err(ae)?,
                ),
                "learners" => out.learners.push(
                    raft::gofmt::parse_go_uint(v)
                        .and_then(check_id)
                        .map_err(ae)?,
                ),
                "index" => {
                    out.index = Some(
                        raft::gofmt::parse_go_uint(v)
                            .and_then(|n| limits::count(n, limits::MAX_INDEX, "index"))
                            .map_err(ae)?,
                    )
                }
                "content" => out.content = Some(limits::data(v, "content").map_err(ae)?.into()),
                "inflight" => {
                    out.inflight = Some(
                        parse_u64(v)
                            .and_then(|n| limits::count(n, limits::MAX_INFLIGHT, "inflight"))
                            .map_err(ae)? as usize,
                    )
                }
                "prevote" => out.pre_vote = Some(parse_bool(v).map_err(ae)?),
                "checkquorum" => out.check_quorum = Some(parse_bool(v).map_err(ae)?),
                "max-committed-size-per-ready" => {
                    out.max_committed_size_per_ready =
                        Some(raft::gofmt::parse_go_uint(v).map_err(ae)?)
                }
                "disable-conf-change-validation" => {
                    out.disable_conf_change_validation = Some(parse_bool(v).map_err(ae)?)
                }
                "read-only" => out.lease_reads = Some(parse_lease_reads(v).map_err(ae)?),
                "step-down-on-removal" => {
                    out.step_down_on_removal = Some(parse_bool(v).map_err(ae)?)
                }
                "async-storage-writes" => {
                    out.async_storage_writes = Some(parse_bool(v).map_err(ae)?)
                }
                // etcd's harness ignores unknown options too.
                _ => {}
            }
        }
    }
    Ok(Command::AddNodes(out))
}

/// `partition (1 2) (3 4 5)`: the reader split the groups into words, so they are glued back
/// and read again.
fn parse_groups(d: &TestData) -> Result<Vec<Vec<NodeId>>, ArgError> {
    let text: Vec<String> = d.cmd_args.iter().map(|a| a.to_string()).collect();
    let text = text.join(" ");
    let mut groups = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let Some(inner) = rest.strip_prefix('(') else {
            return Err(ArgError::new(format!(
                "partition: want groups in parentheses, e.g. (1 2) (3 4 5), at {rest:?}"
            )));
        };
        let end = inner
            .find(')')
            .ok_or_else(|| ArgError::new("partition: unclosed parenthesis"))?;
        let ids = parse_id_list(&[inner[..end].to_string()]).map_err(ArgError::new)?;
        if ids.is_empty() {
            return Err(ArgError::new("partition: empty group"));
        }
        groups.push(ids);
        rest = inner[end + 1..].trim_start();
    }
    if groups.len() < 2 {
        return Err(ArgError::new(
            "partition: want at least two groups, e.g. (1 2) (3)",
        ));
    }
    Ok(groups)
}

/// A conf change's text (`v2 r1 l3`) within the limits: ids that name drawable nodes, and no
/// more operations than there are ids to change.
fn check_conf_changes(text: &str) -> Result<(), String> {
    let changes = raft::raftpb::confchange::conf_changes_from_string(text)?;
    limits::count(
        changes.len() as u64,
        2 * limits::MAX_NODE_ID,
        "number of changes",
    )?;
    for c in &changes {
        check_id(c.node_id)?;
    }
    Ok(())
}

/// `replace 1 with 4 [transition=explicit]`.
fn parse_replace(d: &TestData) -> Result<Command, ArgError> {
    let usage = "replace: want e.g. replace 1 with 4 [transition=auto|explicit|implicit]";
    let old = first_id(d).map_err(|e| ArgError {
        message: format!("{}; {usage}", e.message),
        ..e
    })?;
    match d.cmd_args.get(1) {
        Some(a) if a.key == "with" && a.vals.is_empty() => {}
        _ => return Err(ArgError::at(1.min(d.cmd_args.len()), usage)),
    }
    let new = match d.cmd_args.get(2) {
        Some(a) if a.vals.is_empty() => parse_id(&a.key).map_err(|e| ArgError::at(2, e))?,
        _ => return Err(ArgError::new(usage)),
    };
    if old == new {
        return Err(ArgError::at(
            2,
            format!("replace {old} with itself: nothing to do"),
        ));
    }
    let mut transition = ConfChangeTransition::ConfChangeTransitionAuto;
    for (i, a) in d.cmd_args.iter().enumerate().skip(3) {
        match a.key.as_str() {
            "transition" => {
                transition = parse_transition(one_val(a, i)?).map_err(|e| ArgError::at(i, e))?
            }
            _ => return Err(ArgError::at(i, format!("replace: unexpected argument {a}"))),
        }
    }
    Ok(Command::Membership(MembershipChange::Replace {
        old,
        new,
        transition,
    }))
}

fn parse_client(d: &TestData) -> Result<Command, ArgError> {
    let verb = match d.cmd.as_str() {
        "put" => ClientVerb::Put,
        "get" => ClientVerb::Get,
        _ => ClientVerb::Delete,
    };
    let node = first_id(d)?;
    let a = d
        .cmd_args
        .get(1)
        .ok_or_else(|| ArgError::new(format!("{}: which key?", d.cmd)))?;
    limits::data(&a.key, "key").map_err(|e| ArgError::at(1, e))?;
    for v in &a.vals {
        limits::data(v, "value").map_err(|e| ArgError::at(1, e))?;
    }
    let (key, value) = match (verb, a.vals.as_slice()) {
        (ClientVerb::Put, [v]) => (a.key.clone(), v.clone()),
        (ClientVerb::Put, _) => return Err(ArgError::at(1, "put: want key=value")),
        (_, []) => (a.key.clone(), String::new()),
        _ => return Err(ArgError::at(1, format!("{}: want a key only", d.cmd))),
    };
    let client = match d.cmd_args.get(2) {
        None => None,
        Some(c) if c.key == "client" => Some(
            parse_u64(one_val(c, 2)?)
                .and_then(|n| limits::count(n, limits::MAX_CLIENT_ID, "client"))
                .map_err(|e| ArgError::at(2, e))?,
        ),
        Some(c) => {
            return Err(ArgError::at(
                2,
                format!("{}: unexpected argument {c}", d.cmd),
            ))
        }
    };
    Ok(Command::Client {
        verb,
        node,
        key,
        value,
        client,
    })
}
