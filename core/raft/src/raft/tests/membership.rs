//! Conf changes as the state machine sees them (etcd's raft_test.go): one pending change at a
//! time, removed leaders, leaving a joint configuration automatically.

use super::harness::*;
use crate::logger::{BufferLogger, Level};
use crate::raft::*;
use crate::raftpb::{ConfChangeSingle, ConfChangeTransition, ConfChangeType};
use std::rc::Rc;

use MessageType::*;
use StateType::*;

#[test]
fn step_config_sets_pending_conf_index_and_refuses_a_second_one() {
    let mut r = new_test_raft(1, 10, 1, storage_with_peers(&[1, 2]));
    r.become_candidate();
    r.become_leader();
    let index = r.raft_log.last_index();
    let cc = Message {
        entries: vec![Entry {
            entry_type: EntryType::EntryConfChange,
            ..Default::default()
        }],
        ..msg(1, 1, MsgProp)
    };
    r.step(cc.clone()).unwrap();
    assert_eq!(r.raft_log.last_index(), index + 1);
    assert_eq!(r.pending_conf_index, index + 1);
    // A second one while the first is unapplied becomes an empty normal entry.
    r.step(cc).unwrap();
    let last = r.raft_log.all_entries().pop().unwrap();
    assert_eq!(last.entry_type, EntryType::EntryNormal);
    assert_eq!(r.pending_conf_index, index + 1);
}

fn remove(id: u64) -> ConfChangeV2 {
    ConfChangeV2 {
        changes: vec![ConfChangeSingle {
            change_type: ConfChangeType::ConfChangeRemoveNode,
            node_id: id,
        }],
        ..Default::default()
    }
}

#[test]
fn removed_leader_steps_down_only_when_configured() {
    for step_down in [false, true] {
        let c = Config {
            step_down_on_removal: step_down,
            ..test_config(1, 10, 1)
        };
        let mut r = Raft::new(&c, storage_with_peers(&[1, 2, 3])).unwrap();
        r.become_candidate();
        r.become_leader();
        let cs = r.apply_conf_change(&remove(1)).unwrap();
        assert_eq!(cs.voters, vec![2, 3]);
        let want = if step_down {
            StateFollower
        } else {
            StateLeader
        };
        assert_eq!(r.state, want, "step_down_on_removal={}", step_down);
        assert!(!r.promotable());
        // A removed leader takes no proposals.
        if !step_down {
            assert_eq!(r.step(prop(1, 1, b"x")), Err(Error::ProposalDropped));
        }
    }
}

#[test]
fn auto_leave_joint_config_once_applied() {
    let logger = Rc::new(BufferLogger::new(Some(Level::Info)));
    let c = Config {
        logger: Some(logger.clone()),
        ..test_config(1, 10, 1)
    };
    let mut r = Raft::new(&c, storage_with_peers(&[1])).unwrap();
    r.become_candidate();
    r.become_leader();
    next_ents(&mut r);
    let cc = ConfChangeV2 {
        transition: ConfChangeTransition::ConfChangeTransitionJointImplicit,
        changes: vec![ConfChangeSingle {
            change_type: ConfChangeType::ConfChangeAddNode,
            node_id: 2,
        }],
        ..Default::default()
    };
    r.apply_conf_change(&cc).unwrap();
    assert!(r.trk.config.auto_leave);
    logger.take();
    let last = r.raft_log.last_index();
    r.applied_to(r.raft_log.committed, 0);
    // An empty conf change entry that leaves the joint configuration was proposed.
    assert_eq!(r.raft_log.last_index(), last + 1);
    let e = r.raft_log.all_entries().pop().unwrap();
    assert_eq!(
        (e.entry_type, e.data.is_empty()),
        (EntryType::EntryConfChangeV2, true)
    );
    assert_eq!(
            logger.take(),
            vec!["INFO initiating automatic transition out of joint configuration voters=(1 2)&&(1) autoleave"]
        );
    // A conf change that is not a leave is refused while joint, with etcd's message.
    let data = crate::raftpb::confchange::marshal_conf_change_v2(&remove(2));
    let m = Message {
        entries: vec![Entry {
            entry_type: EntryType::EntryConfChangeV2,
            data: data.into(),
            ..Default::default()
        }],
        ..msg(1, 1, MsgProp)
    };
    r.step(m).unwrap();
    let lines = logger.take();
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0].starts_with("INFO 1 ignoring conf change "),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].ends_with("possible unapplied conf change at index 2 (applied to 1)"),
        "{}",
        lines[0]
    );
}

#[test]
fn cannot_campaign_with_unapplied_conf_change() {
    let logger = Rc::new(BufferLogger::new(Some(Level::Warn)));
    let mut s = storage_with_peers(&[1, 2]);
    s.append(&[Entry {
        term: 1,
        index: 1,
        entry_type: EntryType::EntryConfChangeV2,
        ..Default::default()
    }])
    .unwrap();
    s.set_hard_state(HardState {
        term: 1,
        vote: 0,
        commit: 1,
    });
    let c = Config {
        logger: Some(logger.clone()),
        ..test_config(1, 10, 1)
    };
    let mut r = Raft::new(&c, s).unwrap();
    r.step(hup(1)).unwrap();
    assert_eq!(r.state, StateFollower);
    assert_eq!(
            logger.take(),
            vec!["WARN 1 cannot campaign at term 1 since there are still pending configuration changes to apply"]
        );
    r.applied_to(1, 0);
    r.step(hup(1)).unwrap();
    assert_eq!(r.state, StateCandidate);
}
