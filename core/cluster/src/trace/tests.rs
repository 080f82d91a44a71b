//! The trace against the event log: every arrow and mark it records must be what the events
//! say happened, at the events they name.

use super::project::{ArrowFate, SpaceTimeAsk, SpaceTimeView};
use super::*;
use crate::cluster::Cluster;
use crate::command::Command;
use crate::timetravel::Timeline;

fn traced(lines: &[&str], seed: u64) -> Cluster {
    let mut c = Cluster::new(seed);
    c.set_trace(true);
    run(&mut c, lines);
    c
}

fn run(c: &mut Cluster, lines: &[&str]) {
    for l in lines {
        let cmd = Command::parse(l).unwrap_or_else(|e| panic!("{l}: {e}"));
        let out = c.execute(cmd);
        assert!(out.is_ok(), "{l}: {}", out.text);
    }
}

fn event(c: &Cluster, i: u64) -> &crate::event::Event {
    c.event_log().get(i).expect("the event is kept")
}

#[test]
fn every_arrow_starts_and_ends_at_the_events_that_sent_and_delivered_it() {
    let c = traced(&["cluster 3", "put 1 x=1", "run 3s"], 7);
    let t = c.trace();
    assert!(t.messages().len() > 20, "an election and heartbeats");
    let mut delivered = 0;
    for m in t.messages() {
        assert!(m.id > 0, "nothing was lost");
        let sent = event(&c, m.sent.event);
        assert_eq!(sent.at, m.sent.at);
        assert_eq!(sent.node, Some(m.head.from), "{m:?} sent by {sent}");
        if let Some((end, fate)) = m.end {
            assert_eq!(fate, Fate::Delivered);
            let e = event(&c, end.event);
            assert_eq!(e.kind, EventKind::Deliver, "{e}");
            assert_eq!(e.node, Some(m.head.to));
            assert_eq!(e.at, end.at);
            assert!(end.at >= m.sent.at + 10, "10 ms links");
            delivered += 1;
        } else {
            assert!(c.network().get(m.id).is_some(), "still in flight: {m:?}");
        }
    }
    assert!(delivered > 20);
    let votes = t
        .messages()
        .iter()
        .filter(|m| m.head.msg_type == raft::raftpb::MessageType::MsgVote)
        .count();
    assert!(votes >= 2, "a candidate asked both others");
}

#[test]
fn the_leader_and_its_voters_leave_marks_on_their_lanes() {
    let c = traced(&["cluster 3", "run 3s"], 3);
    let leader = c.view().leader.expect("a leader after 3 s");
    let t = c.trace();
    let became = t
        .marks()
        .iter()
        .find(|m| {
            m.node == leader
                && matches!(
                    m.kind,
                    MarkKind::Role {
                        role: StateType::StateLeader,
                        ..
                    }
                )
        })
        .expect("a leader mark");
    assert!(t.marks().iter().any(|m| m.node == leader
        && m.at.event < became.at.event
        && matches!(
            m.kind,
            MarkKind::Role {
                role: StateType::StateCandidate,
                ..
            }
        )));
    let voters = t
        .marks()
        .iter()
        .filter(|m| matches!(m.kind, MarkKind::Vote { to, .. } if to == leader))
        .count();
    assert!(voters >= 2, "it voted for itself and got a vote");
    // Commits and applies follow the leader's empty entry (index 2).
    let on_leader = |k: MarkKind| t.marks().iter().any(|m| m.node == leader && m.kind == k);
    assert!(on_leader(MarkKind::Commit(2)));
    assert!(on_leader(MarkKind::Apply(2)));
}

#[test]
fn lost_messages_say_where_and_why() {
    let mut c = traced(&["cluster 3", "run 3s"], 5);
    let leader = c.view().leader.expect("a leader");
    let other = if leader == 1 { 2 } else { 1 };
    // A heartbeat in flight, dropped by hand.
    run(&mut c, &["run 95ms"]);
    let id = c
        .network()
        .in_flight()
        .next()
        .map(|m| m.id)
        .expect("something in flight");
    run(&mut c, &[&format!("drop-msg {id}")]);
    let m = c.trace().message(id).expect("traced");
    assert_eq!(m.end.map(|(_, f)| f), Some(Fate::Lost(LossCause::ByHand)));
    assert_eq!(
        event(&c, m.end.unwrap().0.event).kind,
        EventKind::Drop,
        "the drop is its own event"
    );
    // Cut off, a follower's link loses what the leader sends it.
    let before = c.trace().messages().len();
    run(
        &mut c,
        &[&format!("cut {leader}-{other}"), "run 500ms", "heal"],
    );
    let lost_at_send = c.trace().messages()[before..]
        .iter()
        .filter(|m| m.head.to == other && m.head.from == leader)
        .filter(|m| m.end.map(|(_, f)| f) == Some(Fate::Lost(LossCause::Cut)))
        .count();
    assert!(lost_at_send >= 4, "heartbeats every 100 ms: {lost_at_send}");
    let span = c
        .trace()
        .cuts()
        .iter()
        .find(|s| s.node == other)
        .expect("the follower was cut off");
    assert_eq!(span.unreachable, vec![leader]);
    let healed = span.to.expect("healed");
    assert!(healed.at >= span.from.at + 500);
    // A crash loses what is on the way to the node.
    run(&mut c, &["run 95ms"]);
    let to_other: Vec<u64> = c
        .network()
        .in_flight()
        .filter(|m| m.msg.to == other)
        .map(|m| m.id)
        .collect();
    run(&mut c, &[&format!("crash {other}")]);
    for id in to_other {
        let m = c.trace().message(id).unwrap();
        assert_eq!(m.end.map(|(_, f)| f), Some(Fate::Lost(LossCause::NodeDown)));
    }
    assert!(c
        .trace()
        .marks()
        .iter()
        .any(|m| m.node == other && m.kind == MarkKind::Crash));
}

#[test]
fn a_ready_stepped_by_hand_is_one_bracket_with_each_step_stamped() {
    let mut c = traced(&["cluster 3", "run 3s"], 9);
    let leader = c.view().leader.expect("a leader");
    let f = if leader == 1 { 2 } else { 1 };
    run(&mut c, &[&format!("manual {f}"), "run 150ms"]);
    for step in ["ready", "persist", "send", "apply", "advance"] {
        let line = format!("{step} {f}");
        let cmd = Command::parse(&line).unwrap();
        // A step with nothing to do is refused; the bracket stamps only those done.
        let _ = c.execute(cmd);
    }
    let r = *c
        .trace()
        .readys()
        .iter()
        .rev()
        .find(|r| r.node == f)
        .unwrap();
    let advanced = r.advanced.expect("advanced");
    assert!(r.taken.event < advanced.event);
    for s in [r.persisted, r.sent, r.applied].into_iter().flatten() {
        assert!(r.taken.event < s.event && s.event < advanced.event);
    }
    assert!(r.contents.messages > 0 || r.contents.hard_state);
    // The node keeps that Ready whole, and its history lists it first.
    let last = c.nodes()[&f].last_ready.as_deref().expect("kept");
    assert_eq!(ReadyContents::of(&last.ready), r.contents);
    let t = Timeline::new(c);
    let h = t.ready_history(f);
    assert!(h.last.is_some());
    assert_eq!(h.recent[0].taken_ms, r.taken.at);
    assert!(h.recent[0].steps.contains("Advance"), "{:?}", h.recent[0]);
}

#[test]
fn tracing_changes_nothing_of_the_run() {
    let lines = [
        "cluster 5",
        "load every=50ms",
        "run 2s",
        "partition (1 2) (3 4 5)",
        "run 1s",
        "heal",
        "crash 3",
        "run 1s",
        "restart 3",
        "run 1s",
    ];
    let on = traced(&lines, 11);
    let mut off = Cluster::new(11);
    run(&mut off, &lines);
    assert_eq!(on.history_hash(), off.history_hash());
    assert!(!off.trace().is_on() && off.trace().messages().is_empty());
}

#[test]
fn a_window_keeps_the_trace_bounded() {
    let mut c = Cluster::new(1);
    c.set_trace(true);
    run(&mut c, &["cluster 3"]);
    let mut t = c.trace().clone();
    t.set_window(50);
    assert!(t.messages().len() < 100);
    let mut c = traced(&["cluster 3", "load every=20ms", "run 20s"], 2);
    let n = c.trace().messages().len();
    assert!(n < 2 * DEFAULT_TRACE_WINDOW, "{n}");
    run(&mut c, &["run 20s"]);
    assert!(c.trace().messages().len() < 2 * DEFAULT_TRACE_WINDOW);
}

#[test]
fn a_look_at_the_past_cuts_the_trace_at_the_event_shown() {
    let mut tl = Timeline::with_checkpoint_every(traced(&[], 4), 100);
    for l in ["cluster 3", "run 2s"] {
        tl.execute(Command::parse(l).unwrap());
    }
    let ask = SpaceTimeAsk {
        from_ms: 0,
        to_ms: 10_000,
        ..SpaceTimeAsk::default()
    };
    let whole = tl.space_time(&ask, false).view;
    // Halfway through a message's flight: it is in flight there.
    let m = whole
        .arrows
        .iter()
        .find(|a| a.end_event.is_some_and(|e| e > a.send_event + 1))
        .expect("a delivered message")
        .clone();
    let at = m.send_event + 1;
    tl.seek(at).unwrap();
    let past = tl.space_time(&ask, false).view;
    assert!(past.arrows.iter().all(|a| a.send_event < at));
    let same = past.arrows.iter().find(|a| a.id == m.id).unwrap();
    assert!(matches!(same.fate, ArrowFate::InFlight { .. }), "{same:?}");
    assert!(past.marks.iter().all(|k| k.at.event < at));
    assert_eq!(past.cursor_ms, tl.cluster().now());
}

#[test]
fn acting_in_the_past_keeps_the_abandoned_branch_and_finds_where_it_differs() {
    let mut tl = Timeline::with_checkpoint_every(traced(&[], 8), 100);
    for l in ["cluster 3", "run 3s"] {
        tl.execute(Command::parse(l).unwrap());
    }
    let leader = tl.view().leader.unwrap();
    let events = tl.len();
    tl.seek(events - 200).unwrap();
    let fork_ms = tl.cluster().now();
    tl.execute(Command::parse(&format!("crash {leader}")).unwrap());
    tl.execute(Command::parse("run 1s").unwrap());
    let ask = SpaceTimeAsk {
        from_ms: 0,
        to_ms: 100_000,
        ..SpaceTimeAsk::default()
    };
    let st = tl.space_time(&ask, true);
    let b = st.branch.expect("the abandoned branch");
    assert_eq!(b.forked_at, events - 200);
    assert_eq!(b.forked_at_ms, fork_ms);
    let d = b.divergence.expect("they differ");
    assert_eq!(d.at_ms, fork_ms);
    let here = d.here.expect("the present has more").1;
    assert_eq!(here, format!("{leader} crashes"));
    // Up to the fork, the two diagrams are the same: the replay that made the present
    // recorded the same trace as the run it replaced.
    let before = |v: &SpaceTimeView| -> Vec<(u64, u64)> {
        v.arrows
            .iter()
            .filter(|a| a.send_event < b.forked_at)
            .map(|a| (a.id, a.sent_ms))
            .collect()
    };
    assert!(!before(&st.view).is_empty());
    assert_eq!(before(&st.view), before(&b.view));
    let marks = |v: &SpaceTimeView| -> Vec<String> {
        v.marks
            .iter()
            .filter(|m| m.at.event < b.forked_at)
            .map(|m| m.text())
            .collect()
    };
    assert_eq!(marks(&st.view), marks(&b.view));
}
