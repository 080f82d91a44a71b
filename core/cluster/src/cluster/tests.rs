//! The cluster as a whole: scripts that exercise each part of the model.

use super::*;
use crate::checker::Property;
use crate::kv::Reply;
use crate::script::Script;

fn run(text: &str, seed: u64) -> crate::script::Transcript {
    Script::run(text, seed).unwrap_or_else(|e| panic!("{e}"))
}

fn passing(text: &str, seed: u64) -> crate::script::Transcript {
    let t = run(text, seed);
    assert!(t.passed(), "{}\n{}", t.report(), t.rewritten);
    t
}

fn output_of<'a>(t: &'a crate::script::Transcript, command: &str) -> &'a str {
    &t.results
        .iter()
        .find(|r| r.command == command)
        .unwrap_or_else(|| panic!("no {command}"))
        .actual
}

/// etcd's own transcripts, replayed on the virtual cluster instead of etcd's harness: the step
/// vocabulary acts on the same model as everything else (nodes with disks, a network with
/// latency, a key/value state machine) and prints exactly what etcd prints.
#[test]
fn etcd_transcripts_replay_on_the_cluster() {
    use raft::interaction::conformance::{list_dir, transcript_dir, transcript_name};
    let dir = transcript_dir();
    if !dir.is_dir() {
        eprintln!("SKIPPED: no etcd transcripts at {}", dir.display());
        return;
    }
    let mut identical = 0;
    let mut differ = Vec::new();
    for path in list_dir(&dir).unwrap() {
        let name = transcript_name(&path);
        let text = std::fs::read_to_string(&path).unwrap();
        match Script::run(&text, 0) {
            Ok(t) if t.rewritten == text => identical += 1,
            Ok(t) => {
                let first = text
                    .lines()
                    .zip(t.rewritten.lines())
                    .position(|(a, b)| a != b);
                differ.push(format!(
                    "{name}: first difference at line {:?}",
                    first.map(|i| i + 1)
                ));
            }
            Err(e) => differ.push(format!("{name}: {e}")),
        }
    }
    assert!(
        differ.is_empty(),
        "{identical} identical; these differ: {differ:#?}"
    );
    assert_eq!(identical, 28);
}

#[test]
fn a_cluster_elects_a_leader_and_serves_clients_in_virtual_time() {
    let t = passing(
        "log-level none
cluster 3
run-until leader max=5s
put 1 x=5
run 1s
get 2 x
run 500ms
expect value x=5
expect committed>=3
expect safe",
        1,
    );
    let h = t.cluster.history();
    assert_eq!(h.len(), 2);
    assert!(
        h.operations().iter().all(|o| o.is_finished()),
        "{:?}",
        h.operations()
    );
    assert_eq!(
        h.operations()[1].reply(),
        Some(&Reply::Value(Some("5".into())))
    );
    // The read went through ReadIndex on node 2 and was answered there.
    assert!(t
        .cluster
        .events()
        .iter()
        .any(|e| e.explanation.contains("reads for c1 #1")));
    // Virtual time moved, but only as far as asked.
    assert!(
        t.cluster.now() >= 1500 && t.cluster.now() <= 6500,
        "{}",
        t.cluster.now()
    );
}

#[test]
fn the_same_seed_gives_the_same_history_and_another_seed_another() {
    let script = "log-level none
cluster 5 prevote=true checkquorum=true
link * delay=5..40ms drop=0.05 duplicate=0.05 reorder=0.1
run-until leader max=10s
put 1 x=1
put 2 y=2
run 2s
partition (1 2) (3 4 5)
put 3 z=3
run 3s
crash 4
heal
run 2s
restart 4
get 5 x
run 3s";
    let a = run(script, 42);
    let b = run(script, 42);
    assert_eq!(a.history_hash, b.history_hash);
    assert_eq!(a.rewritten, b.rewritten);
    assert_eq!(a.cluster.events().len(), b.cluster.events().len());
    assert!(a.cluster.events().len() > 1000);
    let c = run(script, 43);
    assert_ne!(
        a.history_hash, c.history_hash,
        "the seed drives the faults and the timeouts"
    );
    for t in [&a, &c] {
        assert!(
            t.cluster.checker().is_safe(),
            "{:?}",
            t.cluster.checker().violations()
        );
    }
}

/// The scenario of a disk that lies about fsync: node 2 acknowledges an entry it never made
/// durable, so the leader counts it towards a majority; then both copies are lost and the
/// survivors elect a leader without a committed entry.
pub(crate) const LYING_DISK: &str = "log-level none
cluster 3
campaign 1
stabilize
expect leader=1 term=1
disk 2 lying
cut 1-3
put 1 x=1
stabilize
expect committed>=3 nodes=(1 2)
crash 2
crash 1
heal
restart 2
campaign 2
stabilize
";

#[test]
fn a_lying_disk_and_a_crash_are_caught_by_the_checker() {
    let t = run(&format!("{LYING_DISK}expect violation\nchecker\n"), 3);
    assert!(t.passed(), "{}\n{}", t.report(), t.rewritten);
    let vs = t.cluster.checker().violations();
    let first = &vs[0];
    assert_eq!(first.property, Property::LeaderCompleteness, "{vs:?}");
    assert!(first.nodes.contains(&2), "{first}");
    assert!(
        first
            .message
            .contains("node 2 became leader of term 2 without entry 1/3"),
        "{first}"
    );
    // The violation names the event: node 2's election.
    let e = &t.cluster.events()[first.event as usize];
    assert_eq!(e.node, Some(2), "{e}");
    assert!(
        e.explanation.contains("2 wins the election for term 2"),
        "{e}"
    );
    assert!(
        e.explanation
            .contains("SAFETY VIOLATION: leader completeness"),
        "{e}"
    );
    // The new leader then commits its own entry at index 3: state machine safety breaks too.
    assert!(
        vs.iter()
            .any(|v| v.property == Property::StateMachineSafety),
        "{vs:?}"
    );
    // `expect safe` fails with a clear message.
    let t = run(&format!("{LYING_DISK}expect safe\n"), 3);
    let f = t.failures();
    assert_eq!(f.len(), 1);
    assert!(
        f[0].actual
            .starts_with("leader completeness violated at event #"),
        "{}",
        f[0].actual
    );
    // The crash explanation says the disk lied.
    assert!(t
        .cluster
        .events()
        .iter()
        .any(|e| e.explanation.contains("the disk had lied")));
}

#[test]
fn the_same_scenario_with_an_honest_disk_is_safe() {
    let honest = LYING_DISK.replace("disk 2 lying\n", "");
    let t = passing(
        &format!("{honest}expect safe\nexpect leader=2 term=2\nexpect value x=1 nodes=(2)\n"),
        3,
    );
    assert!(t.cluster.checker().is_safe());
}

#[test]
fn a_follower_that_lost_acknowledged_entries_is_stopped_by_the_core() {
    // The leader still believes 2 holds index 3 and sends that commit index in heartbeats;
    // etcd raft panics on it ("Was the raft log corrupted, truncated, or lost?"). The cluster
    // catches it before the core does and reports a durability violation.
    let t = run(
        "log-level none
cluster 3
campaign 1
stabilize
disk 2 lying
put 1 x=1
stabilize
crash 2
restart 2
tick-heartbeat 1
stabilize
expect violation
",
        1,
    );
    assert!(t.passed(), "{}\n{}", t.report(), t.rewritten);
    let v = &t.cluster.checker().violations()[0];
    assert_eq!(v.property, Property::Durability);
    assert!(
        v.message
            .contains("tocommit(3) is out of range [lastIndex(2)]"),
        "{v}"
    );
    assert!(!t.cluster.node(2).unwrap().is_up());
    let stop = t
        .cluster
        .events()
        .iter()
        .find(|e| e.kind == EventKind::Crash && e.explanation.contains("panics"));
    let stop = stop.expect("a crash event for the panic");
    assert!(stop.log.iter().any(|l| l.level == Level::Fatal), "{stop}");
}

#[test]
fn a_failed_expectation_says_what_was_expected_and_what_is() {
    let t = run("log-level none\ncluster 3\ncampaign 1\nstabilize\nexpect leader=2\nexpect committed>=9 nodes=(1 3)\n", 1);
    let f = t.failures();
    assert_eq!(f.len(), 2);
    assert_eq!(
        f[0].actual,
        "node 2 is StateFollower at term 1 (lead 1), not the leader\n"
    );
    assert_eq!(f[1].actual, "node 1: committed is 2, want >=9\n");
    assert_eq!((f[0].line, f[1].line), (5, 6));
    assert!(!t.passed());
}

#[test]
fn the_script_checks_written_outputs_and_rewrites_them() {
    let text = "log-level fatal\n----\nok\n\ncluster 1\n----\nok\n\nraft-state\n----\n1: StateFollower (Voter) Term:0 Lead:0\n\ncampaign 1\nstabilize\nraft-state\n----\nwrong\n";
    let t = run(text, 1);
    assert_eq!(t.mismatches().len(), 1);
    assert_eq!(t.mismatches()[0].line, 15);
    let fixed = Script::rewrite(text, 1).unwrap();
    assert!(
        fixed.ends_with("raft-state\n----\n1: StateLeader (Voter) Term:1 Lead:1\n"),
        "{fixed}"
    );
    assert!(run(&fixed, 1).passed());
    // Rewriting is a fixed point.
    assert_eq!(Script::rewrite(&fixed, 1).unwrap(), fixed);
}

#[test]
fn votes_and_appends_explain_themselves() {
    let t = passing(
        "log-level none
cluster 3
campaign 1
stabilize
partition (1 2) (3)
put 1 a=1
put 1 b=2
stabilize
heal
campaign 3
stabilize
campaign 1
stabilize
put 1 c=3
stabilize
expect leader=1 term=3
expect committed>=6 nodes=(3)
expect safe",
        1,
    );
    let texts: Vec<String> = t.cluster.events().iter().map(|e| e.to_string()).collect();
    let has = |s: &str| texts.iter().any(|t| t.contains(s));
    assert!(has("vote rejected: candidate's log ends at index 2, before ours at 4 (same last term 1) (§5.4.1)"), "{texts:#?}");
    assert!(has("wins the election for term 1"), "{texts:#?}");
    assert!(has("MsgApp rejected: "), "{texts:#?}");
    assert!(has("leader 1 learns 3 lacks a match"), "{texts:#?}");
    // The core's log lines travel with the events.
    let e = t
        .cluster
        .events()
        .iter()
        .find(|e| e.explanation.contains("vote rejected"))
        .unwrap();
    assert!(
        e.log
            .iter()
            .any(|l| l.text.contains("rejected MsgVote from 3")),
        "{e}"
    );
}

#[test]
fn clients_retry_on_another_node_when_their_request_is_lost() {
    let t = passing(
        "log-level none
cluster 3
run-until leader=1 max=10s
run 500ms
partition (1 2) (3)
put 3 x=7
run 3s
expect value x=7 nodes=(1 2)",
        5,
    );
    let op = &t.cluster.history().operations()[0];
    assert!(op.completed_at().is_some(), "{op}");
    assert!(t
        .cluster
        .events()
        .iter()
        .any(|e| e.kind == EventKind::Client && e.explanation.contains("retries")));
}

#[test]
fn a_node_handled_by_hand_takes_each_step_separately() {
    let t = run(
        "log-level error
cluster 3
manual 1
campaign 1
advance 1
persist 1
send 1
apply 1
advance 1
ready 1
",
        1,
    );
    let r = |cmd: &str| output_of(&t, cmd).to_string();
    // `advance 1` took the Ready, then refused: nothing persisted yet.
    assert!(
        r("advance 1").contains("node 1 cannot advance before it does persist"),
        "{}",
        r("advance 1")
    );
    assert_eq!(
        r("persist 1"),
        "1 writes HardState Term:1 Vote:1 Commit:1 to its stable store and fsyncs it\n"
    );
    assert!(
        r("send 1").starts_with("1 sends MsgVote 1→2, MsgVote 1→3"),
        "{}",
        r("send 1")
    );
    assert_eq!(
        r("apply 1"),
        "node 1 has nothing (left) to apply in this Ready\n"
    );
    assert!(
        r("ready 1").contains("node 1 has no Ready"),
        "{}",
        r("ready 1")
    );
    assert!(t.cluster.node(1).unwrap().ready.is_none());
}

#[test]
fn a_manual_leader_can_send_before_it_persists() {
    // etcd's raftNode.start does exactly this for leaders; the explanation says why it is fine.
    let t = run(
        "log-level error
cluster 3
campaign 1
stabilize
manual 1
put 1 x=1
send 1
",
        1,
    );
    let out = output_of(&t, "send 1");
    assert!(out.contains("before its own write is durable: a leader may write its disk while its followers write theirs"), "{out}");
}

#[test]
fn time_driven_nodes_wait_for_their_fsync() {
    let t = passing(
        "log-level none
cluster 3 sync=30ms
run-until leader max=10s
put 1 x=1
run 500ms
expect value x=1",
        2,
    );
    // Every persist of a follower is followed by its sync 30ms later, before it sends.
    let ev = t.cluster.events();
    let p = ev
        .iter()
        .position(|e| e.kind == EventKind::Persist && e.node == Some(2))
        .unwrap();
    let s = ev[p..]
        .iter()
        .find(|e| e.kind == EventKind::Sync && e.node == Some(2))
        .unwrap();
    assert_eq!(s.at, ev[p].at + 30);
    let send = ev[p..]
        .iter()
        .find(|e| e.kind == EventKind::Send && e.node == Some(2))
        .unwrap();
    assert!(send.at >= s.at);
}

#[test]
fn crash_restart_and_wipe_change_what_a_node_remembers() {
    let t = passing(
        "log-level none
cluster 3
campaign 1
stabilize
put 1 x=1
stabilize
crash 3
restart 3
expect term=1 nodes=(3)
expect last-index=3 nodes=(3)
wipe 3
restart 3
expect term=0 last-index=0 nodes=(3)
stabilize
tick-heartbeat 1
stabilize
expect violation",
        1,
    );
    // The leader still counts on what 3 acknowledged before its disk was wiped: its next
    // heartbeat carries commit index 3, and etcd raft stops the node rather than go on with a
    // log that lost committed entries.
    let v = &t.cluster.checker().violations()[0];
    assert_eq!(v.property, Property::Durability);
    assert_eq!(v.nodes, vec![3]);
    let n3 = t.cluster.node(3).unwrap();
    assert!(!n3.is_up());
    assert_eq!(n3.incarnation, 3);
}

#[test]
fn step_and_run_until_report_what_happened() {
    let t = passing(
        "log-level error
cluster 3
step tick
step message
run-until leader max=20s",
        9,
    );
    assert!(
        output_of(&t, "step tick").contains(" tick n"),
        "{}",
        output_of(&t, "step tick")
    );
    let out = output_of(&t, "run-until leader max=20s");
    assert!(out.contains("; leader "), "{out}");
    let t = run(
        "log-level none\ncluster 3\npause 1\npause 2\npause 3\nrun-until leader max=2s\n",
        1,
    );
    let f = t.failures();
    assert_eq!(f.len(), 1);
    assert!(
        f[0].actual
            .contains("run-until leader: not met within 2s: no node is leader"),
        "{}",
        f[0].actual
    );
}

#[test]
fn messages_can_be_held_duplicated_dropped_and_delivered_by_hand() {
    let mut c = Cluster::with_nodes(3, 1);
    c.execute_line("campaign 1").unwrap();
    c.execute_line("process-ready 1").unwrap();
    let ids: Vec<u64> = c.network().in_flight().map(|m| m.id).collect();
    assert_eq!(ids.len(), 2);
    assert!(c
        .execute_line(&format!("hold-msg {}", ids[0]))
        .unwrap()
        .is_ok());
    assert!(c
        .execute_line(&format!("duplicate-msg {}", ids[1]))
        .unwrap()
        .is_ok());
    assert_eq!(c.network().len(), 3);
    let out = c.execute_line(&format!("deliver-msg {}", ids[1])).unwrap();
    assert!(
        out.text.starts_with("1->3 MsgVote Term:1 Log:1/1"),
        "{}",
        out.text
    );
    let out = c.execute_line("drop-msg 99").unwrap();
    assert_eq!(
        out.outcome,
        Outcome::Error("no message #99 in flight".into())
    );
    c.execute_line(&format!("release-msg {}", ids[0])).unwrap();
    c.run_for(1000);
    assert_eq!(c.leader(), Some(1));
}

#[test]
fn the_view_shows_the_cluster() {
    let mut c = Cluster::with_nodes(3, 4);
    c.execute_line("run-until leader max=10s").unwrap();
    c.put(1, "x", "1");
    c.execute_line("cut 2->3").unwrap();
    c.execute_line("link 1->2 drop=0.5").unwrap();
    c.execute_line("crash 3").unwrap();
    let v = c.view();
    assert_eq!(v.nodes.len(), 3);
    assert_eq!(v.leader, c.leader());
    let leader = v.node(v.leader.unwrap()).unwrap();
    assert_eq!(leader.role, crate::view::Role::Leader);
    assert_eq!(leader.progress.len(), 3);
    assert!(v.node(3).unwrap().crashed);
    assert!(v.link(2, 3).unwrap().cut && !v.link(3, 2).unwrap().cut);
    assert_eq!(v.link(1, 2).unwrap().drop_rate, 0.5);
    assert_eq!(v.links.len(), 6);
    assert_eq!(v.events, c.events().len() as u64);
    assert_eq!(v.recent_events.last().map(|e| e.index), Some(v.events - 1));
    assert!(v.checker.ok);
    // The proposal is in the leader's log, not yet handled: the inspector shows its Ready.
    let ready = leader.ready.as_ref().expect("a pending Ready");
    assert!(
        ready.entries.iter().any(|e| e.contains("put x=1")),
        "{ready:?}"
    );
    // Serializable for the page.
    let json = serde_json::to_string(&v).unwrap();
    assert!(json.contains("\"crashed\":true"));
}

#[test]
fn errors_are_printed_and_refused_commands_change_nothing() {
    let mut c = Cluster::with_nodes(3, 1);
    let before = c.history_hash();
    for (line, err) in [
        ("campaign 7", "node 7 does not exist (there are 3 nodes)"),
        ("restart 1", "node 1 is running (crash it first)"),
        ("put 1 x=a b", ""),
        (
            "partition (1 2) (2 3)",
            "node 2 is listed in more than one partition group",
        ),
    ] {
        match c.execute_line(line) {
            Ok(out) if !err.is_empty() => {
                assert_eq!(out.outcome, Outcome::Error(err.into()), "{line}")
            }
            Ok(out) => panic!("{line}: {out:?}"),
            Err(e) => assert!(err.is_empty(), "{line}: {e}"),
        }
    }
    assert_eq!(c.history_hash(), before);
}

#[test]
fn the_two_ready_policies_order_the_steps_differently() {
    // The leader's Ready with the new entry: raftNode.start sends before persisting,
    // serveChannels persists first.
    let order = |policy: &str| -> Vec<EventKind> {
        let t = passing(
            &format!(
                "log-level none\ncluster 3 policy={policy}\ncampaign 1\nstabilize\nrun 10ms\nput 1 x=1\nrun 50ms\nexpect value x=1 nodes=(1)"
            ),
            1,
        );
        let ev = t.cluster.events();
        let put = ev.iter().position(|e| e.kind == EventKind::Client).unwrap();
        ev[put..]
            .iter()
            .filter(|e| e.node == Some(1))
            .map(|e| e.kind)
            .skip_while(|k| *k != EventKind::Ready)
            .take(5)
            .collect()
    };
    use EventKind::*;
    assert_eq!(
        order("raft-node"),
        vec![Ready, Send, Persist, Sync, Advance]
    );
    assert_eq!(
        order("serve-channels"),
        vec![Ready, Persist, Sync, Send, Advance]
    );
}

#[test]
fn conditions_cover_values_states_and_absence() {
    passing(
        "log-level none
cluster 3
campaign 1
stabilize
put 1 x=1
stabilize
delete 1 x
put 1 y=2
stabilize
expect value y=2 x
expect state=StateFollower nodes=(2 3)
expect state=StateLeader leader=1 term=1
expect applied>=5 last-index=5 vote=1 lead=1
expect term!=2
run-until committed>=5 nodes=(1 2 3) max=1s
step ready",
        1,
    );
}

#[test]
fn pre_vote_elections_explain_the_pre_vote() {
    let t = passing(
        "log-level none
cluster 3 prevote=true checkquorum=true
run-until leader max=10s
expect safe",
        11,
    );
    let texts: Vec<&str> = t
        .cluster
        .events()
        .iter()
        .map(|e| e.explanation.as_str())
        .collect();
    assert!(
        texts.iter().any(|t| t.contains("before disrupting anyone")),
        "{texts:#?}"
    );
    assert!(
        texts.iter().any(|t| t.contains("grants its pre-vote")),
        "{texts:#?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("a majority would vote for")),
        "{texts:#?}"
    );
}

#[test]
fn a_client_gives_up_and_the_history_says_how() {
    // No clock ticks, so no leader ever: nobody takes the request.
    let t = passing(
        "log-level none
cluster 3
pause 1
pause 2
pause 3
put 1 x=1
run 20s
expect safe",
        1,
    );
    let op = &t.cluster.history().operations()[0];
    assert!(
        matches!(&op.outcome, crate::history::Outcome::Failed { reason, .. } if reason == "no node took it"),
        "{op}"
    );
    let gave_up = t
        .cluster
        .events()
        .iter()
        .filter(|e| e.explanation.contains("gives up"))
        .count();
    assert_eq!(gave_up, 1);
    let retries = t
        .cluster
        .events()
        .iter()
        .filter(|e| e.explanation.contains("retries"))
        .count();
    assert_eq!(retries as u32 + 1, ClientConfig::default().max_attempts);
}

/// A pre-candidate ignores MsgTimeoutNow (etcd logs it at DEBUG); the event must not say it
/// campaigns, and a follower that does campaign is told so.
#[test]
fn a_timeout_now_is_narrated_as_what_the_node_did() {
    let base = "add-nodes 3 voters=(1,2,3) index=10 prevote=true\ncampaign 1\nstabilize\n";
    let ignored = run(
        &format!("{base}tick-election 2\ntransfer-leadership from=1 to=2\nprocess-ready 1\ndeliver-msgs 2\nevents last=3\n"),
        0,
    );
    let text = output_of(&ignored, "events last=3");
    assert!(
        text.contains("2 ignores leader 1's MsgTimeoutNow: it is already campaigning"),
        "{text}"
    );
    assert!(!text.contains("campaigns at once"), "{text}");
    let obeyed = run(
        &format!("{base}transfer-leadership from=1 to=2\nprocess-ready 1\ndeliver-msgs 2\nevents last=3\n"),
        0,
    );
    let text = output_of(&obeyed, "events last=3");
    assert!(text.contains("2 campaigns at once"), "{text}");
}

// ---- asynchronous storage writes -------------------------------------------------------------

/// A cluster of async nodes elects, commits and answers clients on time alone; the view says
/// which nodes write asynchronously, and the event log explains the threads.
#[test]
fn async_nodes_serve_clients_in_virtual_time() {
    let t = passing(
        "log-level none
cluster 3 async-storage-writes=(1,3)
run-until leader max=5s
put 1 x=5
run 1s
get 2 x
run 500ms
expect value x=5
expect committed>=3 applied>=3
expect stable-index>=3 append-queue=0
expect safe",
        1,
    );
    let v = t.cluster.view();
    let flags: Vec<bool> = v.nodes.iter().map(|n| n.async_storage_writes).collect();
    assert_eq!(flags, [true, false, true]);
    let events = t.cluster.events();
    assert!(events
        .iter()
        .any(|e| e.node == Some(1) && e.explanation.contains("1's append thread processes")));
    assert!(events
        .iter()
        .any(|e| e.explanation.contains("apply thread processes")));
    // Node 2 writes synchronously: it never hands work to a thread.
    assert!(!events
        .iter()
        .any(|e| e.explanation.starts_with("2's append thread")));
}

#[test]
fn the_async_option_prints_back_and_refuses_unknown_nodes() {
    for line in [
        "cluster 3 async-storage-writes=true",
        "cluster 5 async-storage-writes=(1, 3)",
        "add-nodes 3 voters=(1, 2, 3) index=10 async-storage-writes=true",
    ] {
        let cmd = Command::parse(line).unwrap();
        assert_eq!(cmd.to_string(), line);
    }
    let cmd = Command::parse("cluster 3 async-storage-writes=false").unwrap();
    assert_eq!(cmd.to_string(), "cluster 3");
    assert!(Command::parse("cluster 3 async-storage-writes=(4)").is_err());
    // One node in parentheses is that node, though Go would read `1` as true.
    let one = Command::parse("cluster 3 async-storage-writes=(1)").unwrap();
    assert_eq!(one.to_string(), "cluster 3 async-storage-writes=(1)");
    match one {
        Command::Cluster(s) => assert_eq!(s.async_nodes, vec![1]),
        other => panic!("{other:?}"),
    }
}

/// The Ready goes out whole: the append thread's queue holds the write with the leader's own
/// acknowledgement inside, a crash loses it (it was never written, like an unsynced write),
/// and the node restarts without the entry.
#[test]
fn a_crash_loses_what_the_append_thread_had_not_written() {
    let mut c = Cluster::new(1);
    for line in [
        "add-nodes 3 voters=(1,2,3) index=10 async-storage-writes=true",
        "campaign 1",
        "stabilize",
        "propose 1 a",
        "process-ready 1",
    ] {
        let out = c.execute_line(line).unwrap();
        assert!(!matches!(out.outcome, Outcome::Error(_)), "{line}: {out:?}");
    }
    let v = c.view();
    let q = &v.nodes[0].append_queue;
    assert_eq!(q.len(), 1, "{q:?}");
    assert_eq!(q[0].msg_type, "MsgStorageAppend");
    assert_eq!(q[0].entries, Some((12, 12)));
    assert_eq!(
        q[0].responses,
        [
            "1->1 MsgAppResp Term:1 Log:0/12",
            "AppendThread->1 MsgStorageAppendResp Term:1 Log:1/12"
        ]
    );
    assert!(v.nodes[0].apply_queue.is_empty());
    // By hand, nothing completes on its own.
    c.execute_line("manual 1").unwrap();
    c.run_for(1000);
    assert_eq!(c.view().nodes[0].append_queue.len(), 1);
    c.execute_line("crash 1").unwrap();
    let crash = c.events().last().unwrap().explanation.clone();
    assert!(
        crash.contains("its append thread loses 1 MsgStorageAppend"),
        "{crash}"
    );
    c.execute_line("restart 1").unwrap();
    let out = c.execute_line("raft-log 1").unwrap();
    assert_eq!(out.text.lines().last(), Some("1/11 EntryNormal \"\""));
    assert!(c.view().nodes[0].append_queue.is_empty());
}

/// A storage thread's answers stay on their node: no hand may drop, hold or copy them, nor
/// deliver one before an earlier one, and a manual Ready step makes no sense on such a node.
#[test]
fn storage_answers_stay_on_their_node_and_manual_steps_are_refused() {
    let mut c = Cluster::new(1);
    for line in [
        "add-nodes 1 voters=(1) index=10 async-storage-writes=true",
        "campaign 1",
        "process-ready 1",
        "process-append-thread 1",
    ] {
        c.execute_line(line).unwrap();
    }
    let local: Vec<u64> = c
        .network()
        .in_flight()
        .filter(|m| crate::network::is_node_local(&m.msg))
        .map(|m| m.id)
        .collect();
    assert!(!local.is_empty());
    for action in ["drop-msg", "hold-msg", "duplicate-msg"] {
        let out = c.execute_line(&format!("{action} {}", local[0])).unwrap();
        assert!(matches!(out.outcome, Outcome::Error(_)), "{action}");
    }
    if local.len() > 1 {
        let out = c
            .execute_line(&format!("deliver-msg {}", local[1]))
            .unwrap();
        assert!(matches!(out.outcome, Outcome::Error(_)));
    }
    let out = c
        .execute_line(&format!("deliver-msg {}", local[0]))
        .unwrap();
    assert!(!matches!(out.outcome, Outcome::Error(_)), "{out:?}");
    let out = c.execute_line("persist 1").unwrap();
    match out.outcome {
        Outcome::Error(e) => assert!(e.contains("writes asynchronously"), "{e}"),
        o => panic!("{o:?}"),
    }
    // `deliver-msgs 1 drop=...` style dropping leaves the thread's answers alone, as etcd's
    // harness does; stabilize then finishes the election.
    c.execute_line("stabilize").unwrap();
    assert_eq!(c.leader(), Some(1));
}

/// The append thread takes the disk's fsync time (slow-disk fault included); the apply
/// thread a millisecond.
#[test]
fn the_append_thread_takes_the_disks_fsync_time() {
    let mut c = Cluster::new(1);
    for line in [
        "cluster 3 async-storage-writes=true sync=40ms",
        "disk 1 slow=60ms",
        "manual 1",
        "campaign 1",
        "process-ready 1",
    ] {
        c.execute_line(line).unwrap();
    }
    let q = c.view().nodes[0].append_queue.clone();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].due_ms - q[0].queued_at_ms, 100);
    assert_eq!(q[0].hard_state.as_deref(), Some("Term:1 Vote:1 Commit:1"));
}
