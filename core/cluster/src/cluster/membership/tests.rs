//! Membership changes on the running cluster: each test drives a cluster of etcd-like servers
//! (`cluster N`) in virtual time and checks what Raft promises across the change.

use super::*;
use crate::checker::Property;
use crate::script::Script;
use crate::view::Membership;

/// A cluster after these script lines; every line must succeed.
fn cluster(lines: &str, seed: u64) -> Cluster {
    let mut c = Cluster::new(seed);
    for line in lines.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let out = c
            .execute_line(line)
            .unwrap_or_else(|e| panic!("{line}: {e}"));
        assert!(out.is_ok(), "{line}: {}", out.text);
    }
    c
}

fn ok(c: &mut Cluster, line: &str) -> String {
    let out = c
        .execute_line(line)
        .unwrap_or_else(|e| panic!("{line}: {e}"));
    assert!(out.is_ok(), "{line}: {}", out.text);
    out.text
}

/// The command must fail; returns its error text.
fn refused(c: &mut Cluster, line: &str) -> String {
    let out = c
        .execute_line(line)
        .unwrap_or_else(|e| panic!("{line}: {e}"));
    match out.outcome {
        Outcome::Error(e) => e,
        other => panic!("{line} should fail, got {other:?}: {}", out.text),
    }
}

fn leader(c: &Cluster) -> NodeId {
    c.leader().expect("a leader")
}

fn raft_of(c: &Cluster, id: NodeId) -> &raft::raft::Raft<raft::storage::MemoryStorage> {
    &c.node(id).and_then(Node::raw).expect("running").raft
}

/// A started cluster of three voters with a leader and one committed write, quiet.
fn three(seed: u64) -> Cluster {
    cluster(
        "log-level none
         cluster 3 prevote=true
         run-until leader max=5s
         put 1 x=1
         run 1s
         expect value x=1",
        seed,
    )
}

fn events_since(c: &Cluster, from: usize) -> Vec<&crate::event::Event> {
    c.events()[from..].iter().collect()
}

fn assert_safe(c: &Cluster) {
    assert!(c.checker().is_safe(), "{:?}", c.checker().violations());
}

#[test]
fn a_new_node_starts_empty_and_catches_up_by_snapshot() {
    let mut c = three(1);
    let l = leader(&c);
    let from = c.events().len();
    ok(&mut c, "add-node 4");
    let proposal = &c.events()[from];
    assert!(
        proposal
            .explanation
            .starts_with(&format!("leader {l} proposes v4 at index")),
        "{proposal}"
    );
    // It starts with nothing: no term, no log, no configuration, so it cannot campaign.
    let r = raft_of(&c, 4);
    assert_eq!((r.term, r.raft_log.last_index()), (0, 0));
    assert!(r.trk.config.voters.ids().is_empty());
    assert!(!r.promotable());
    let v = c.view();
    assert_eq!(v.node(4).unwrap().membership, Membership::Joining);
    assert_eq!(v.node(4).unwrap().config, "voters=()");
    assert_eq!(v.config.pending.as_deref(), Some("v4"));
    assert_eq!(v.config.pending_index, raft_of(&c, l).pending_conf_index);
    assert_eq!(
        (v.config.source, v.config.voters.clone()),
        (l, vec![1, 2, 3])
    );
    ok(&mut c, "run-until voters=(1 2 3 4) nodes=(1 2 3 4) max=3s");
    ok(&mut c, "run 1s");
    // The leader found 4's log empty and its own log compacted into a snapshot: 4 got that.
    let evs = events_since(&c, from);
    let snap = evs
        .iter()
        .position(|e| {
            e.node == Some(4)
                && e.explanation
                    .contains(&format!("4 installs {l}'s snapshot"))
        })
        .unwrap_or_else(|| panic!("no snapshot installed on 4: {evs:#?}"));
    assert!(
        evs[snap..].iter().any(|e| e.node == Some(4)
            && e.kind == EventKind::Apply
            && e.explanation
                .contains("restores its state machine from the snapshot")),
        "the snapshot's data goes into 4's state machine"
    );
    assert!(
        !evs[..snap]
            .iter()
            .any(|e| e.node == Some(4) && e.explanation.contains("appends")),
        "nothing was appended to 4 before its snapshot"
    );
    // It holds the data and the configuration, and its log starts after the snapshot.
    ok(&mut c, "expect value x=1 nodes=(4)");
    let r = raft_of(&c, 4);
    assert!(r.raft_log.first_index() > 2, "{}", r.raft_log.first_index());
    assert_eq!(r.raft_log.committed, raft_of(&c, l).raft_log.committed);
    let v = c.view();
    assert_eq!(v.config.voters, vec![1, 2, 3, 4]);
    assert_eq!(v.config.pending, None);
    assert_eq!(v.node(4).unwrap().membership, Membership::Voter);
    assert_eq!(v.node(4).unwrap().config, "voters=(1 2 3 4)");
    // A proposal sent to it is forwarded to the leader and replicated to every voter.
    ok(&mut c, "put 4 y=2");
    ok(&mut c, "run 1s");
    ok(&mut c, "expect value y=2 nodes=(1 2 3 4)");
    assert_safe(&c);
}

#[test]
fn removing_the_leader_elects_a_new_leader_among_the_remaining_voters() {
    for step_down in [false, true] {
        let setup = if step_down {
            "cluster 3 prevote=true step-down-on-removal=true"
        } else {
            "cluster 3 prevote=true"
        };
        let mut c = cluster(
            &format!("log-level none\n{setup}\nrun-until leader max=5s\nput 1 x=1\nrun 1s"),
            7,
        );
        let old = leader(&c);
        ok(&mut c, &format!("remove-node {old}"));
        let index = raft_of(&c, old).pending_conf_index;
        // The old leader applies its own removal first.
        ok(
            &mut c,
            &format!("run-until applied>={index} nodes=({old}) max=2s"),
        );
        let r = raft_of(&c, old);
        assert!(!r.trk.config.voters.ids().contains(&old));
        let state = r.state;
        let said = |text: &str| {
            c.events()
                .iter()
                .any(|e| e.kind == EventKind::Membership && e.explanation.contains(text))
        };
        if step_down {
            assert_eq!(state, StateType::StateFollower, "it steps down at once");
            assert!(said("stepped down at once (step-down-on-removal)"));
        } else {
            assert_eq!(
                state,
                StateType::StateLeader,
                "it leads on, counting only the others"
            );
            assert!(said("leads on without counting itself"));
        }
        ok(&mut c, "run 3s");
        let new = leader(&c);
        assert_ne!(new, old);
        // The removed node stopped, like etcd's server, and is drawn as removed.
        assert!(!c.node(old).unwrap().is_up());
        assert!(c
            .events()
            .iter()
            .any(|e| e.node == Some(old) && e.explanation.contains(REMOVED_TEXT)));
        let v = c.view();
        assert_eq!(v.node(old).unwrap().membership, Membership::Removed);
        let others: Vec<NodeId> = (1..=3).filter(|&i| i != old).collect();
        assert_eq!(v.config.voters, others);
        assert!(v.config.voters.contains(&new));
        // The remaining two commit on their own, and the old leader's write survived.
        ok(&mut c, &format!("put {new} y=2"));
        ok(&mut c, "run 1s");
        ok(&mut c, "expect value x=1 y=2");
        // etcd refuses to bring back a removed member, and never reuses its id.
        assert!(refused(&mut c, &format!("restart {old}")).contains(REMOVED_TEXT));
        assert!(refused(&mut c, &format!("add-node {old}")).contains("never reuses"));
        assert_safe(&c);
    }
}

#[test]
fn a_removed_follower_that_never_heard_of_it_is_stopped_by_the_others() {
    // Without pre-vote: a removed node that campaigns would raise everyone's term.
    let mut c = cluster(
        "log-level none
         cluster 3
         run-until leader max=5s
         put 1 x=1
         run 1s",
        3,
    );
    let l = leader(&c);
    let gone = (1..=3).find(|&i| i != l).unwrap();
    // Cut it off, then remove it: it never learns that it was removed.
    let others: Vec<String> = (1..=3)
        .filter(|&i| i != gone)
        .map(|i| i.to_string())
        .collect();
    ok(
        &mut c,
        &format!("partition ({gone}) ({})", others.join(" ")),
    );
    ok(&mut c, &format!("remove-node {gone}"));
    ok(&mut c, "run 3s");
    assert!(c.node(gone).unwrap().is_up(), "it does not know yet");
    assert!(raft_of(&c, gone).trk.config.voters.ids().contains(&gone));
    let term = raft_of(&c, l).term;
    // It timed out and campaigned in its corner; once healed its vote requests reach members
    // that know it was removed: they refuse them, and it stops.
    assert!(raft_of(&c, gone).term > term);
    ok(&mut c, "heal");
    ok(&mut c, "run 2s");
    assert!(!c.node(gone).unwrap().is_up());
    assert!(c.events().iter().any(|e| e.kind == EventKind::Drop
        && e.explanation
            .contains(&format!("{gone} was removed from the cluster"))));
    assert_eq!(leader(&c), l, "the leader was not disturbed");
    assert_eq!(raft_of(&c, l).term, term);
    assert_safe(&c);
}

#[test]
fn a_joint_configuration_needs_both_majorities() {
    let mut c = three(5);
    let l = leader(&c);
    let (a, b) = {
        let o: Vec<NodeId> = (1..=3).filter(|&i| i != l).collect();
        (o[0], o[1])
    };
    ok(&mut c, &format!("replace {a} with 4 transition=explicit"));
    ok(&mut c, "run-until joint nodes=(1 2 3 4) max=3s");
    ok(&mut c, "run 1s");
    // Joint: the new voters (l b 4) and the old ones (l a b) must each agree.
    let mut new_voters = vec![l, b, 4];
    new_voters.sort_unstable();
    let mut old_voters = vec![l, a, b];
    old_voters.sort_unstable();
    let v = c.view();
    assert_eq!(v.config.voters, new_voters);
    assert_eq!(v.config.outgoing, old_voters);
    assert!(v.config.is_joint() && !v.config.auto_leave);
    assert_eq!(v.node(a).unwrap().membership, Membership::Outgoing);
    assert_eq!(v.node(4).unwrap().membership, Membership::Voter);
    assert!(v.node(l).unwrap().config.contains("&&"));
    // l and 4 are a majority of the new voters, but l alone is not one of the old voters.
    ok(&mut c, &format!("partition ({l} 4) ({a} {b})"));
    let before = raft_of(&c, l).raft_log.committed;
    ok(&mut c, &format!("put {l} x=2"));
    ok(&mut c, "run 2s");
    let last = raft_of(&c, l).raft_log.last_index();
    assert!(last > before);
    assert_eq!(
        raft_of(&c, 4).raft_log.last_index(),
        last,
        "4 stores the entry"
    );
    assert_eq!(
        raft_of(&c, l).raft_log.committed,
        before,
        "a majority of the new configuration alone does not commit"
    );
    assert_eq!(leader(&c), l);
    // Healing gives the old voters their majority too: the entry commits.
    ok(&mut c, "heal");
    ok(&mut c, "run 1s");
    assert!(raft_of(&c, l).raft_log.committed >= last);
    ok(&mut c, "expect value x=2 nodes=(4)");
    // The configuration stays joint until asked to leave; then a is out and stops.
    ok(&mut c, "expect joint");
    ok(&mut c, "leave-joint");
    ok(&mut c, "run 2s");
    ok(
        &mut c,
        &format!(
            "expect joint=false voters=({}) learners=()",
            ids_text(&new_voters)
        ),
    );
    assert!(!c.node(a).unwrap().is_up());
    assert_eq!(c.view().node(a).unwrap().membership, Membership::Removed);
    assert_safe(&c);
}

#[test]
fn a_replacement_leaves_the_joint_configuration_by_itself_unless_explicit() {
    for (transition, auto) in [
        ("", true),
        (" transition=implicit", true),
        (" transition=explicit", false),
    ] {
        let mut c = three(11);
        let l = leader(&c);
        let a = (1..=3).find(|&i| i != l).unwrap();
        ok(&mut c, &format!("replace {a} with 4{transition}"));
        ok(&mut c, "run 3s");
        let joint = c.view().config.is_joint();
        assert_eq!(joint, !auto, "{transition}");
        if !auto {
            ok(&mut c, "leave-joint");
            ok(&mut c, "run 2s");
        }
        let v = c.view();
        assert!(!v.config.is_joint());
        assert!(v.config.voters.contains(&4) && !v.config.voters.contains(&a));
        assert_eq!(v.node(a).unwrap().membership, Membership::Removed);
        assert_safe(&c);
    }
}

#[test]
fn replacing_the_leader_hands_over_to_the_remaining_voters() {
    let mut c = three(13);
    let l = leader(&c);
    ok(&mut c, &format!("replace {l} with 4"));
    ok(&mut c, "run 4s");
    let new = leader(&c);
    assert_ne!(new, l);
    let v = c.view();
    assert!(!v.config.is_joint());
    assert!(v.config.voters.contains(&4) && !v.config.voters.contains(&l));
    assert!(!c.node(l).unwrap().is_up());
    ok(&mut c, &format!("put {new} z=3"));
    ok(&mut c, "run 1s");
    ok(&mut c, "expect value x=1 z=3 nodes=(4)");
    assert_safe(&c);
}

#[test]
fn a_learner_never_votes_nor_counts_toward_commit() {
    let mut c = three(17);
    let l = leader(&c);
    let (a, b) = {
        let o: Vec<NodeId> = (1..=3).filter(|&i| i != l).collect();
        (o[0], o[1])
    };
    ok(&mut c, "add-learner 4");
    // As soon as the leader knows 4 as a learner, 4 has not caught up: etcd's server refuses
    // to promote it yet.
    ok(&mut c, "run-until learners=(4) max=2s");
    assert!(refused(&mut c, "promote 4").contains("in sync with leader"));
    ok(&mut c, "run 1s");
    ok(&mut c, "expect value x=1 nodes=(4)");
    let v = c.view();
    assert_eq!(v.node(4).unwrap().membership, Membership::Learner);
    assert_eq!(v.node(4).unwrap().role, crate::view::Role::Learner);
    assert_eq!(v.config.learners, vec![4]);
    // The leader and the learner store a new entry: one voter of three, no commit.
    ok(&mut c, &format!("partition ({l} 4) ({a} {b})"));
    let before = raft_of(&c, l).raft_log.committed;
    ok(&mut c, &format!("put {l} x=2"));
    ok(&mut c, "run 2s");
    let last = raft_of(&c, l).raft_log.last_index();
    assert_eq!(raft_of(&c, 4).raft_log.last_index(), last);
    assert_eq!(
        raft_of(&c, l).raft_log.committed,
        before,
        "the learner's copy does not count"
    );
    ok(&mut c, "heal");
    ok(&mut c, "run 1s");
    assert!(raft_of(&c, l).raft_log.committed >= last);
    // With the leader gone and b down, a and the learner are "two of four" nodes but one of
    // three voters: no election succeeds, and the learner never even campaigns.
    let from = c.events().len();
    ok(&mut c, &format!("crash {l}"));
    ok(&mut c, &format!("crash {b}"));
    ok(&mut c, "run 5s");
    assert_eq!(c.leader(), None);
    let evs = events_since(&c, from);
    assert!(evs
        .iter()
        .any(|e| e.node == Some(a) && e.explanation.contains("asks whether it could win")));
    assert!(
        !evs.iter().any(|e| e.node == Some(4)
            && (e.explanation.contains("4 becomes a candidate")
                || e.explanation.contains("4's election timer expired"))),
        "a learner never campaigns"
    );
    assert!(
        !evs.iter()
            .any(|e| e.explanation.contains(&format!("MsgPreVote {a}→4"))
                || e.explanation.contains(&format!("MsgVote {a}→4"))),
        "nobody asks a learner for its vote"
    );
    // Back to a full cluster, the caught-up learner is promoted and then counts.
    ok(&mut c, &format!("restart {l}"));
    ok(&mut c, &format!("restart {b}"));
    ok(&mut c, "run-until leader max=5s");
    ok(&mut c, "run 1s");
    ok(&mut c, "promote 4");
    ok(&mut c, "run 1s");
    ok(
        &mut c,
        "expect voters=(1 2 3 4) learners=() nodes=(1 2 3 4)",
    );
    assert_eq!(c.view().node(4).unwrap().membership, Membership::Voter);
    assert_safe(&c);
}

#[test]
fn mistakes_and_refusals_are_explained() {
    let mut c = three(19);
    let l = leader(&c);
    assert!(refused(&mut c, "promote 2").contains("already a voter"));
    assert!(refused(&mut c, "promote 7").contains("not a learner"));
    assert!(refused(&mut c, "remove-node 7").contains("not in the configuration"));
    assert!(refused(&mut c, "add-node 2").contains("already a voter"));
    assert!(refused(&mut c, "replace 7 with 8").contains("node 7 is not a voter"));
    assert!(refused(&mut c, "replace 1 with 2").contains("already in the configuration"));
    // etcd raft's own refusals, in its words.
    let e = refused(&mut c, "leave-joint");
    assert!(
        e.contains("not in joint state; refusing empty conf change"),
        "{e}"
    );
    ok(&mut c, "add-node 4");
    let e = refused(&mut c, "add-node 5");
    assert!(e.contains("possible unapplied conf change at index"), "{e}");
    assert!(c.node(5).is_none(), "a refused change starts nothing");
    ok(&mut c, "run 1s");
    let e = refused(&mut c, "add-learner 4");
    assert!(e.contains("already a voter"), "{e}");
    // While joint, a simple change must wait.
    let a = (1..=3).find(|&i| i != l).unwrap();
    ok(&mut c, &format!("replace {a} with 5 transition=explicit"));
    ok(&mut c, "run 1s");
    let e = refused(&mut c, "add-node 6");
    assert!(
        e.contains("must transition out of joint config first"),
        "{e}"
    );
    ok(&mut c, "leave-joint");
    ok(&mut c, "run 1s");
    // A single voter cannot be removed, and without a leader nothing can change.
    let mut one = cluster("log-level none\ncluster 1\nrun-until leader max=5s", 1);
    assert!(refused(&mut one, "remove-node 1").contains("last voter"));
    let mut none = cluster("log-level none\ncluster 3", 1);
    assert!(refused(&mut none, "add-node 4").contains("no leader"));
    assert_safe(&c);
}

#[test]
fn propose_conf_change_on_a_server_cluster_starts_the_missing_member() {
    let mut c = three(23);
    let l = leader(&c);
    // etcd's vocabulary: the change only; the cluster starts node 4 when the change applies.
    let out = c
        .execute_line(&format!("propose-conf-change {l}\nv4 l5"))
        .unwrap();
    assert!(out.is_ok(), "{}", out.text);
    assert!(c.node(4).is_none());
    ok(&mut c, "run 3s");
    let v = c.view();
    assert_eq!(v.config.voters, vec![1, 2, 3, 4]);
    assert_eq!(v.config.learners, vec![5]);
    ok(&mut c, "expect value x=1 nodes=(4 5)");
    assert_safe(&c);
}

#[test]
fn membership_survives_a_crash_and_restart_of_a_new_node() {
    let mut c = three(29);
    ok(&mut c, "add-node 4");
    ok(&mut c, "run 2s");
    ok(&mut c, "crash 4");
    ok(&mut c, "put 1 y=5");
    ok(&mut c, "run 1s");
    ok(&mut c, "restart 4");
    ok(&mut c, "run 2s");
    // It restarted from its disk: the snapshot it received, with the configuration in it.
    ok(&mut c, "expect voters=(1 2 3 4) nodes=(4)");
    ok(&mut c, "expect value x=1 y=5 nodes=(4)");
    assert_safe(&c);
}

/// The checker counts a commit against the voters of the leader's configuration: here the
/// leader commits on the acknowledgement of a follower that crashed after acknowledging an
/// entry it never persisted (it sent before persisting, by hand), so only two of five voters
/// still store it.
#[test]
fn a_commit_on_a_minority_of_the_configuration_is_a_violation() {
    let t = Script::run(
        "log-level none
add-nodes 5 voters=(1,2,3,4,5) index=2
campaign 1
stabilize
propose 1 x
process-ready 1
deliver-msgs 2
send 2
deliver-msgs 1
process-ready 1
crash 2
deliver-msgs 3
process-ready 3
deliver-msgs 1
checker
",
        0,
    )
    .unwrap();
    let v = t
        .cluster
        .checker()
        .violations()
        .iter()
        .find(|v| v.property == Property::CommitQuorum)
        .unwrap_or_else(|| panic!("{:?}\n{}", t.cluster.checker().violations(), t.rewritten));
    assert!(
        v.message
            .contains("of the voters (1 2 3 4 5) only (1 3) store it"),
        "{}",
        v.message
    );
    assert!(v.nodes.contains(&2), "{v}");
}

#[test]
fn the_configuration_clauses_read_the_cluster_or_each_node() {
    let mut c = three(31);
    ok(&mut c, "expect voters=(1 2 3) joint=false learners=()");
    let out = c.execute_line("expect voters=(1 2)").unwrap();
    match out.outcome {
        Outcome::ExpectationFailed(e) => {
            assert!(e.contains("has voters=(1 2 3), want (1 2)"), "{e}")
        }
        o => panic!("{o:?}"),
    }
    ok(&mut c, "add-learner 4");
    // Right away only the leader may know; each node's own view catches up when it applies.
    ok(&mut c, "run-until learners=(4) nodes=(1 2 3 4) max=3s");
}

/// etcd's membership transcripts replay byte for byte on the cluster (the harness's rules:
/// nothing stops), and the checker, counting every commit against the leader's configuration
/// of the moment, joint ones included, finds nothing wrong in them.
#[test]
fn etcd_membership_transcripts_replay_and_satisfy_the_checker() {
    use raft::interaction::conformance::{list_dir, transcript_dir, transcript_name};
    let dir = transcript_dir();
    if !dir.is_dir() {
        eprintln!("SKIPPED: no etcd transcripts at {}", dir.display());
        return;
    }
    let mut seen = 0;
    for path in list_dir(&dir).unwrap() {
        let name = transcript_name(&path);
        if !name.starts_with("confchange") && name != "campaign_learner_must_vote" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let t = Script::run(&text, 0).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(t.rewritten == text, "{name} differs");
        assert!(
            t.cluster.checker().is_safe(),
            "{name}: {:?}",
            t.cluster.checker().violations()
        );
        assert!(!t.cluster.membership().server_rules);
        seen += 1;
    }
    assert_eq!(seen, 11);
}

/// The membership scenarios of the page's library run as written (the library's own test
/// runs every scenario; this one keeps the membership ones honest from this side too).
#[test]
fn the_membership_scenarios_pass_as_written() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../static/scenarios");
    let mut seen = 0;
    for name in [
        "16-add-node.txt",
        "17-remove-leader.txt",
        "18-replace-through-joint.txt",
        "19-learner-promotion.txt",
    ] {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(text.starts_with("# title: "), "{name}");
        assert!(
            text.lines()
                .nth(1)
                .is_some_and(|l| l.starts_with("# summary: ")),
            "{name}"
        );
        let t = Script::run(&text, 0).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(t.passed(), "{name}:\n{}", t.report());
        assert_eq!(t.rewritten, text, "{name} is not its own transcript");
        assert_safe(&t.cluster);
        seen += 1;
    }
    assert_eq!(seen, 4);
}
