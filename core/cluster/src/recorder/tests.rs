//! The recorder's promise: a recorded session replays to the same history.

use super::*;
use crate::cluster::Cluster;
use crate::command::{ClientVerb, DiskFault, LinkChange, LinkTarget, StepKind};
use crate::kv::ClientId;
use crate::network::NodeId;
use crate::node::ReadyStep;
use crate::script::Script;
use crate::script_run::replay;
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// A random but valid-looking command, the way a person clicking around would issue them
/// (some are refused by the cluster, which is recorded too).
pub(crate) fn random_command(rng: &mut ChaCha8Rng, n: u64) -> Command {
    let node = |rng: &mut ChaCha8Rng| -> NodeId { 1 + rng.next_u64() % n };
    let key = |rng: &mut ChaCha8Rng| ["x", "y", "z"][(rng.next_u64() % 3) as usize].to_string();
    match rng.next_u64() % 28 {
        20 => Command::Manual(node(rng)),
        21 => Command::Auto(node(rng)),
        22 => Command::ReadyStep {
            node: node(rng),
            step: [
                ReadyStep::Persist,
                ReadyStep::Send,
                ReadyStep::Apply,
                ReadyStep::Advance,
            ][(rng.next_u64() % 4) as usize],
        },
        23 => Command::ProcessReady(vec![node(rng)]),
        24 => Command::Stabilize {
            nodes: Vec::new(),
            log_level: None,
        },
        25 => Command::DeliverMsgs {
            recipients: vec![crate::command::Recipient {
                id: node(rng),
                drop: false,
            }],
            msg_type: None,
        },
        26 => Command::Disk {
            node: node(rng),
            fault: DiskFault::Lying,
        },
        27 => Command::Wipe(node(rng)),
        0..=4 => Command::Run(1 + rng.next_u64() % 700),
        5 => Command::Crash(node(rng)),
        6 | 7 => Command::Restart(node(rng)),
        8 => Command::Client {
            verb: ClientVerb::Put,
            node: node(rng),
            key: key(rng),
            value: (rng.next_u64() % 100).to_string(),
            client: None,
        },
        9 => Command::Client {
            verb: ClientVerb::Get,
            node: node(rng),
            key: key(rng),
            value: String::new(),
            client: Some(1 + rng.next_u64() % 3 as ClientId),
        },
        10 => {
            let a = node(rng);
            Command::Partition(vec![vec![a], (1..=n).filter(|&i| i != a).collect()])
        }
        11 => Command::Heal(None),
        12 => {
            let (a, b) = (node(rng), node(rng));
            if a == b {
                Command::Step(StepKind::Message)
            } else {
                Command::Link {
                    target: LinkTarget::OneWay(a, b),
                    change: LinkChange {
                        drop: Some(0.3),
                        ..LinkChange::default()
                    },
                }
            }
        }
        13 => Command::Campaign(node(rng)),
        14 => Command::Disk {
            node: node(rng),
            fault: DiskFault::Slow(30),
        },
        15 => Command::Step(StepKind::Any),
        16 => Command::Message {
            action: crate::command::MessageAction::Drop,
            id: rng.next_u64() % 50,
        },
        17 => Command::Tick {
            node: node(rng),
            count: 3,
        },
        18 => Command::TransferLeadership {
            from: node(rng),
            to: node(rng),
        },
        _ => Command::Client {
            verb: ClientVerb::Delete,
            node: node(rng),
            key: key(rng),
            value: String::new(),
            client: None,
        },
    }
}

/// The recorder's promise, as a property over random sessions: replaying the recorded
/// script gives the identical history (same events, same hash, same output).
#[test]
fn replaying_a_recorded_session_reproduces_its_history() {
    for case in 0..12u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(case);
        let seed = 1000 + case;
        let n = 3 + case % 3;
        let mut c = Cluster::with_nodes(n, seed);
        for _ in 0..25 {
            let cmd = random_command(&mut rng, n);
            c.execute(cmd);
        }
        let script = c.recorder().to_script(seed, true);
        let t = Script::run(&script, seed).unwrap_or_else(|e| panic!("case {case}: {e}\n{script}"));
        assert!(t.passed(), "case {case}: replay differs:\n{}", t.report());
        assert_eq!(t.cluster.events().len(), c.events().len(), "case {case}");
        assert_eq!(t.history_hash, c.history_hash(), "case {case}");
        // Without outputs the script still replays to the same history.
        let bare = c.recorder().to_script(seed, false);
        assert_eq!(
            replay(&bare, seed).unwrap().history_hash(),
            c.history_hash(),
            "case {case}"
        );
    }
}

#[test]
fn consecutive_runs_record_as_one_unless_pinned_or_cut_short() {
    let runs = |c: &Cluster| -> Vec<Command> {
        c.recorder()
            .commands()
            .iter()
            .filter(|r| matches!(r.command, Command::Run(_)))
            .map(|r| r.command.clone())
            .collect()
    };
    let mut c = Cluster::with_nodes(3, 9);
    for _ in 0..5 {
        c.execute(Command::Run(100));
    }
    assert_eq!(runs(&c), vec![Command::Run(500)]);
    // One run of the same length from the start prints what the merged record says.
    let mut one = Cluster::with_nodes(3, 9);
    let out = one.execute(Command::Run(500));
    let last = c.recorder().commands().last().unwrap();
    assert_eq!(last.output, out.text);
    assert_eq!(one.history_hash(), c.history_hash());
    // A checkpoint pins what came before; a run cut short by stop-after stays apart.
    c.seal_recorder();
    c.execute(Command::Run(100));
    c.execute(Command::StopAfter(3));
    c.execute(Command::Run(100));
    c.execute(Command::Run(100));
    assert_eq!(
        runs(&c),
        vec![
            Command::Run(500),
            Command::Run(100),
            Command::Run(100),
            Command::Run(100)
        ]
    );
    let script = c.recorder().to_script(9, true);
    let t = Script::run(&script, 9).unwrap();
    assert!(t.passed(), "{}", t.report());
    assert_eq!(t.history_hash, c.history_hash());
}

#[test]
fn scripts_list_commands_in_order_with_outputs() {
    let mut c = Cluster::new(5);
    c.execute(Command::parse("cluster 1").unwrap());
    c.execute(Command::parse("log-level none").unwrap());
    c.execute(Command::parse("campaign 1").unwrap());
    let s = c.recorder().to_script(5, true);
    assert!(
        s.starts_with("# Recorded session; replay with seed 5.\ncluster 1\n----\n"),
        "{s}"
    );
    assert!(
        s.contains("log-level none\n----\nok\n\ncampaign 1\n----\nok\n"),
        "{s}"
    );
    assert_eq!(c.recorder().len(), 3);
}
