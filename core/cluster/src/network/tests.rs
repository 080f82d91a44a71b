//! The network's promises: delivery order, faults, partitions and links, each drawn from the
//! seed alone.

use super::*;
use raft::raftpb::MessageType;
use rand_core::SeedableRng;

fn rng() -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(7)
}

fn msg(from: NodeId, to: NodeId) -> Message {
    Message {
        msg_type: MessageType::MsgHeartbeat,
        from,
        to,
        term: 1,
        ..Default::default()
    }
}

/// The delivery order kept beside the messages always lists exactly the messages in flight
/// that are not held, by arrival time then id: checked against a scan of every message
/// after each of many random sends, holds, releases, duplicates, drops, cuts, heals and
/// deliveries.
#[test]
fn the_delivery_order_always_matches_a_scan_of_the_messages_in_flight() {
    for seed in 0..50u64 {
        let mut r = ChaCha8Rng::seed_from_u64(seed);
        let mut net = Network::new();
        net.set_default_link(LinkConfig {
            duplicate_rate: 0.2,
            reorder_rate: 0.2,
            ..LinkConfig::with_latency(Latency::uniform(0, 40).unwrap())
        })
        .unwrap();
        let mut now = 0;
        for step in 0..400 {
            let ids: Vec<MessageId> = net.in_flight().map(|m| m.id).collect();
            let pick = |r: &mut ChaCha8Rng| {
                (!ids.is_empty()).then(|| ids[random_between(r, 0, ids.len() as u64 - 1) as usize])
            };
            let (a, b) = (random_between(&mut r, 1, 3), random_between(&mut r, 1, 3));
            match random_between(&mut r, 0, 9) {
                0..=3 if a != b => {
                    let _ = net.send(msg(a, b), now, &mut r);
                }
                4 => {
                    if let Some(id) = pick(&mut r) {
                        net.hold(id).unwrap();
                    }
                }
                5 => {
                    if let Some(id) = pick(&mut r) {
                        net.release(id).unwrap();
                    }
                }
                6 => {
                    if let Some(id) = pick(&mut r) {
                        net.duplicate(id).unwrap();
                        net.drop_message(id).unwrap();
                    }
                }
                7 if a != b => {
                    net.cut(a, b).unwrap();
                    net.heal();
                }
                8 => {
                    net.release_all();
                }
                _ => {
                    now += random_between(&mut r, 0, 15);
                    let first = net.first_due(now);
                    let taken = net.take_due(now);
                    assert_eq!(first, taken.first().map(|m| m.id));
                }
            }
            let mut scan: Vec<(Millis, MessageId)> = net
                .in_flight()
                .filter(|m| !m.held)
                .map(|m| (m.arrives_at, m.id))
                .collect();
            scan.sort_unstable();
            let due: Vec<MessageId> = scan
                .iter()
                .filter(|(at, _)| *at <= now)
                .map(|&(_, id)| id)
                .collect();
            assert_eq!(net.due(now), due, "seed {seed} step {step}");
            assert_eq!(net.next_arrival(), scan.first().map(|&(at, _)| at));
        }
    }
}

fn app(from: NodeId, to: NodeId, index: u64) -> Message {
    Message {
        msg_type: MessageType::MsgApp,
        from,
        to,
        term: 1,
        index,
        ..Default::default()
    }
}

#[test]
fn a_message_arrives_after_the_link_latency() {
    let mut net = Network::new();
    let mut r = rng();
    let out = net.send(msg(1, 2), 100, &mut r).unwrap();
    assert_eq!(
        out,
        SendOutcome {
            queued: vec![1],
            dropped: None
        }
    );
    assert_eq!(net.next_arrival(), Some(100 + DEFAULT_LATENCY));
    assert!(net.due(100 + DEFAULT_LATENCY - 1).is_empty());
    let got = net.take_due(100 + DEFAULT_LATENCY);
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].sent_at, got[0].arrives_at), (100, 110));
    assert!(net.is_empty());
    assert_eq!(
        net.stats(),
        NetworkStats {
            sent: 1,
            dropped: 0,
            duplicated: 0,
            delivered: 1
        }
    );
}

#[test]
fn a_perfect_network_draws_no_randomness() {
    let mut net = Network::new();
    let mut r = rng();
    for i in 0..10 {
        net.send(app(1, 2, i), i, &mut r).unwrap();
    }
    assert_eq!(r.next_u64(), rng().next_u64());
}

#[test]
fn due_messages_come_in_arrival_then_id_order() {
    let mut net = Network::new();
    let mut r = rng();
    net.set_link(1, 2, LinkConfig::with_latency(Latency::fixed(50)))
        .unwrap();
    net.send(app(1, 2, 1), 0, &mut r).unwrap(); // id 1 arrives at 50
    net.send(app(1, 3, 2), 0, &mut r).unwrap(); // id 2 arrives at 10
    net.send(app(3, 1, 3), 40, &mut r).unwrap(); // id 3 arrives at 50
    net.send(app(2, 1, 4), 0, &mut r).unwrap(); // id 4 arrives at 10
    assert_eq!(net.due(100), vec![2, 4, 1, 3]);
    assert_eq!(
        net.first_due(100),
        Some(2),
        "the first of them, without the sort"
    );
    let order: Vec<MessageId> = net.take_due(100).iter().map(|m| m.id).collect();
    assert_eq!(order, vec![2, 4, 1, 3]);
}

#[test]
fn uniform_latency_stays_in_range_and_is_reproducible() {
    let cfg = LinkConfig {
        latency: Latency::uniform(20, 80).unwrap(),
        ..LinkConfig::default()
    };
    let run = || {
        let mut net = Network::new();
        net.set_default_link(cfg.clone()).unwrap();
        let mut r = rng();
        for i in 0..200 {
            net.send(app(1, 2, i), 0, &mut r).unwrap();
        }
        net.in_flight().map(|m| m.arrives_at).collect::<Vec<_>>()
    };
    let a = run();
    assert!(a.iter().all(|&t| (20..=80).contains(&t)));
    assert!(
        a.contains(&20) && a.contains(&80),
        "both bounds are reachable"
    );
    assert_eq!(a, run());
}

#[test]
fn drop_rate_one_loses_everything_and_zero_nothing() {
    let mut net = Network::new();
    let mut r = rng();
    net.set_link(
        1,
        2,
        LinkConfig {
            drop_rate: 1.0,
            ..LinkConfig::default()
        },
    )
    .unwrap();
    let out = net.send(msg(1, 2), 0, &mut r).unwrap();
    assert_eq!(out.dropped, Some(DropReason::Random));
    assert!(out.queued.is_empty());
    // The reverse direction keeps the default config.
    assert_eq!(net.send(msg(2, 1), 0, &mut r).unwrap().dropped, None);
    assert_eq!(net.stats().dropped, 1);
    assert_eq!(net.stats().sent, 2);
}

#[test]
fn random_drop_rate_is_roughly_honoured() {
    let mut net = Network::new();
    let mut r = rng();
    net.set_default_link(LinkConfig {
        drop_rate: 0.3,
        ..LinkConfig::default()
    })
    .unwrap();
    for i in 0..2000 {
        net.send(app(1, 2, i), 0, &mut r).unwrap();
    }
    let dropped = net.stats().dropped;
    assert!(
        (450..750).contains(&dropped),
        "dropped {dropped} of 2000 at 30%"
    );
}

#[test]
fn duplicates_get_their_own_id_and_latency() {
    let mut net = Network::new();
    let mut r = rng();
    let cfg = LinkConfig {
        latency: Latency::uniform(1, 1000).unwrap(),
        duplicate_rate: 1.0,
        ..Default::default()
    };
    net.set_link(1, 2, cfg).unwrap();
    let out = net.send(app(1, 2, 9), 0, &mut r).unwrap();
    assert_eq!(out.queued, vec![1, 2]);
    let copy = net.get(2).unwrap();
    assert_eq!(copy.copy_of, Some(1));
    assert_eq!(copy.msg, net.get(1).unwrap().msg);
    assert_ne!(
        copy.arrives_at,
        net.get(1).unwrap().arrives_at,
        "independent latency draws"
    );
    assert_eq!(net.stats().duplicated, 1);
}

#[test]
fn reordering_lets_later_messages_overtake() {
    let mut net = Network::new();
    let mut r = rng();
    let cfg = LinkConfig {
        latency: Latency::fixed(10),
        reorder_rate: 1.0,
        reorder_delay: Latency::fixed(100),
        ..Default::default()
    };
    net.set_link(1, 2, cfg).unwrap();
    net.send(app(1, 2, 1), 0, &mut r).unwrap();
    net.set_link(1, 2, LinkConfig::with_latency(Latency::fixed(10)))
        .unwrap();
    net.send(app(1, 2, 2), 5, &mut r).unwrap();
    let got = net.take_due(1000);
    assert_eq!(
        got.iter().map(|m| m.msg.index).collect::<Vec<_>>(),
        vec![2, 1]
    );
    assert!(got[1].reordered && !got[0].reordered);
    assert_eq!(got[1].arrives_at, 110);
}

#[test]
fn self_addressed_and_local_messages_are_refused() {
    let mut net = Network::new();
    let mut r = rng();
    assert_eq!(
        net.send(msg(1, 1), 0, &mut r),
        Err(NetworkError::Loopback { node: 1 })
    );
    let local = Message {
        msg_type: MessageType::MsgStorageAppend,
        from: 1,
        to: u64::MAX,
        ..Default::default()
    };
    assert!(matches!(
        net.send(local, 0, &mut r),
        Err(NetworkError::LocalMessage { .. })
    ));
    assert!(net.is_empty());
    assert_eq!(net.stats().sent, 0);
    assert!(net.cut(3, 3).is_err());
    assert!(net.set_link(2, 2, LinkConfig::default()).is_err());
}

#[test]
fn bad_configs_are_refused_with_a_clear_error() {
    let mut net = Network::new();
    let err = net
        .set_default_link(LinkConfig {
            drop_rate: 1.5,
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "drop rate must be between 0 and 1, got 1.5"
    );
    assert!(net
        .set_link(
            1,
            2,
            LinkConfig {
                duplicate_rate: -0.1,
                ..Default::default()
            }
        )
        .is_err());
    assert!(net
        .set_link(
            1,
            2,
            LinkConfig {
                reorder_rate: f64::NAN,
                ..Default::default()
            }
        )
        .is_err());
    let err = Latency::uniform(80, 20).unwrap_err();
    assert_eq!(err, NetworkError::InvalidLatency { min: 80, max: 20 });
    let inverted = LinkConfig {
        latency: Latency { min: 5, max: 1 },
        ..Default::default()
    };
    assert!(net.set_link(1, 2, inverted).is_err());
    assert_eq!(
        net.default_link(),
        &LinkConfig::default(),
        "refused configs change nothing"
    );
    assert_eq!(net.link_overrides().count(), 0);
}

#[test]
fn a_symmetric_partition_cuts_between_groups_only() {
    let mut net = Network::new();
    let mut r = rng();
    net.partition(&[vec![1, 2], vec![3, 4, 5]]).unwrap();
    assert!(net.is_cut(1, 3) && net.is_cut(3, 1) && net.is_cut(2, 5));
    assert!(!net.is_cut(1, 2) && !net.is_cut(4, 5));
    assert!(
        !net.is_cut(1, 6),
        "a node outside every group keeps its links"
    );
    assert_eq!(
        net.send(msg(1, 3), 0, &mut r).unwrap().dropped,
        Some(DropReason::Cut)
    );
    assert_eq!(net.send(msg(1, 2), 0, &mut r).unwrap().dropped, None);
    net.heal();
    assert_eq!(net.cuts().count(), 0);
    assert_eq!(net.send(msg(1, 3), 0, &mut r).unwrap().dropped, None);
}

#[test]
fn a_new_partition_replaces_the_old_one() {
    let mut net = Network::new();
    net.partition(&[vec![1], vec![2, 3]]).unwrap();
    net.partition(&[vec![1, 2], vec![3]]).unwrap();
    assert!(!net.is_cut(1, 2));
    assert!(net.is_cut(1, 3) && net.is_cut(2, 3));
    assert_eq!(
        net.partition(&[vec![1, 2], vec![2, 3]]),
        Err(NetworkError::NodeInTwoGroups { node: 2 })
    );
}

#[test]
fn one_way_cuts_leave_the_other_direction_open() {
    let mut net = Network::new();
    let mut r = rng();
    net.cut_one_way(1, 2).unwrap();
    assert_eq!(
        net.send(msg(1, 2), 0, &mut r).unwrap().dropped,
        Some(DropReason::Cut)
    );
    assert_eq!(net.send(msg(2, 1), 0, &mut r).unwrap().dropped, None);
    net.cut(2, 3).unwrap();
    net.heal_link(3, 2);
    assert!(!net.is_cut(2, 3) && !net.is_cut(3, 2) && net.is_cut(1, 2));
}

#[test]
fn cutting_a_link_loses_the_messages_on_it() {
    let mut net = Network::new();
    let mut r = rng();
    net.send(app(1, 2, 1), 0, &mut r).unwrap();
    net.send(app(2, 1, 2), 0, &mut r).unwrap();
    net.send(app(1, 3, 3), 0, &mut r).unwrap();
    net.hold(1).unwrap();
    let lost = net.cut_one_way(1, 2).unwrap();
    assert_eq!(
        lost.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![1],
        "held messages are lost too"
    );
    let lost = net.partition(&[vec![1], vec![2, 3]]).unwrap();
    assert_eq!(lost.iter().map(|m| m.id).collect::<Vec<_>>(), vec![2, 3]);
    assert!(net.is_empty());
    assert_eq!(net.stats().dropped, 3);
}

#[test]
fn held_messages_wait_until_released() {
    let mut net = Network::new();
    let mut r = rng();
    net.send(app(1, 2, 1), 0, &mut r).unwrap();
    net.send(app(1, 2, 2), 5, &mut r).unwrap();
    net.hold(1).unwrap();
    assert_eq!(net.next_arrival(), Some(15));
    assert_eq!(
        net.take_due(100).iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![2]
    );
    assert_eq!(net.next_arrival(), None);
    assert!(net.get(1).unwrap().held);
    net.release(1).unwrap();
    assert_eq!(net.next_arrival(), Some(10), "late but due at once");
    assert_eq!(net.due(100), vec![1]);
    net.hold(1).unwrap();
    assert_eq!(net.release_all(), 1);
    assert_eq!(net.hold(42), Err(NetworkError::UnknownMessage(42)));
    assert_eq!(net.release(42), Err(NetworkError::UnknownMessage(42)));
}

#[test]
fn deliver_now_ignores_schedule_and_hold() {
    let mut net = Network::new();
    let mut r = rng();
    net.set_default_link(LinkConfig::with_latency(Latency::fixed(1000)))
        .unwrap();
    net.send(app(1, 2, 1), 0, &mut r).unwrap();
    net.send(app(1, 2, 2), 0, &mut r).unwrap();
    net.hold(2).unwrap();
    assert_eq!(net.deliver_now(2).unwrap().msg.index, 2);
    assert_eq!(net.deliver_now(2), Err(NetworkError::UnknownMessage(2)));
    assert_eq!(net.stats().delivered, 1);
    assert_eq!(net.len(), 1);
}

#[test]
fn manual_drop_and_duplicate() {
    let mut net = Network::new();
    let mut r = rng();
    net.send(app(1, 2, 1), 0, &mut r).unwrap();
    net.send(app(3, 2, 2), 0, &mut r).unwrap();
    let copy = net.duplicate(1).unwrap();
    assert_eq!(copy, 3);
    assert_eq!(
        net.get(3).unwrap().arrives_at,
        net.get(1).unwrap().arrives_at
    );
    assert_eq!(net.due(10), vec![1, 2, 3]);
    assert_eq!(net.drop_message(1).unwrap().id, 1);
    assert_eq!(net.drop_message(1), Err(NetworkError::UnknownMessage(1)));
    assert_eq!(net.duplicate(99), Err(NetworkError::UnknownMessage(99)));
    assert_eq!(
        net.stats(),
        NetworkStats {
            sent: 2,
            dropped: 1,
            duplicated: 1,
            delivered: 0
        }
    );
    let lost = net.drop_involving(3);
    assert_eq!(lost.iter().map(|m| m.id).collect::<Vec<_>>(), vec![2]);
    assert_eq!(net.len(), 1);
}

#[test]
fn take_to_delivers_one_recipient_in_send_order() {
    let mut net = Network::new();
    let mut r = rng();
    net.set_link(1, 2, LinkConfig::with_latency(Latency::fixed(90)))
        .unwrap();
    net.send(app(1, 2, 1), 0, &mut r).unwrap();
    net.send(app(3, 2, 2), 0, &mut r).unwrap();
    net.send(app(2, 3, 3), 0, &mut r).unwrap();
    net.send(app(3, 2, 4), 0, &mut r).unwrap();
    net.hold(4).unwrap();
    let got: Vec<u64> = net.take_to(2).iter().map(|m| m.msg.index).collect();
    assert_eq!(got, vec![1, 2]);
    assert_eq!(net.len(), 2);
}

#[test]
fn reset_link_restores_the_default() {
    let mut net = Network::new();
    net.set_link(1, 2, LinkConfig::with_latency(Latency::fixed(3)))
        .unwrap();
    assert_eq!(net.link(1, 2).latency, Latency::fixed(3));
    assert_eq!(net.link(2, 1).latency, Latency::fixed(DEFAULT_LATENCY));
    assert!(net.reset_link(1, 2));
    assert!(!net.reset_link(1, 2));
    assert_eq!(net.link(1, 2), net.default_link());
}

#[test]
fn the_whole_network_round_trips_through_json() {
    let mut net = Network::new();
    let mut r = rng();
    net.set_link(
        1,
        2,
        LinkConfig {
            drop_rate: 0.25,
            ..Default::default()
        },
    )
    .unwrap();
    net.cut_one_way(3, 1).unwrap();
    net.send(app(2, 3, 1), 0, &mut r).unwrap();
    let json = serde_json::to_string(&net).unwrap();
    let back: Network = serde_json::from_str(&json).unwrap();
    assert_eq!(back, net);
}

#[test]
fn random_helpers_are_exact_at_the_edges() {
    let mut r = rng();
    assert!(!random_chance(&mut r, 0.0));
    assert!(random_chance(&mut r, 1.0));
    assert!(!random_chance(&mut r, f64::NAN));
    assert_eq!(random_between(&mut r, 5, 5), 5);
    assert_eq!(random_between(&mut r, 9, 3), 9);
    assert_eq!(r.next_u64(), rng().next_u64(), "none of the above drew");
    let mut seen = [false; 3];
    for _ in 0..100 {
        seen[(random_between(&mut r, 10, 12) - 10) as usize] = true;
    }
    assert_eq!(seen, [true; 3]);
    let _ = random_between(&mut r, 0, u64::MAX);
}

#[test]
fn latency_prints_in_script_syntax() {
    assert_eq!(Latency::fixed(20).to_string(), "20ms");
    assert_eq!(Latency::uniform(20, 80).unwrap().to_string(), "20..80ms");
}
