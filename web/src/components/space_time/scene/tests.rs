use super::*;
use cluster::network::MessageHead;
use cluster::trace::project::ReadyBracketView;
use cluster::trace::{Mark, MarkKind, ReadyContents, ReadySpan, Stamp};
use raft::raftpb::MessageType;
use raft::state::StateType;

fn head(to: u64) -> MessageHead {
    MessageHead {
        from: 1,
        to,
        msg_type: MessageType::MsgApp,
        term: 2,
        log_term: 2,
        index: 4,
        commit: 3,
        entries: 1,
        reject: false,
    }
}

fn arrow(id: u64, to: u64, fate: ArrowFate, end_ms: Option<u64>) -> ArrowView {
    ArrowView {
        id,
        head: head(to),
        sent_ms: 100,
        send_event: 10,
        end_ms,
        end_event: end_ms.map(|_| 20),
        fate,
        copy_of: None,
        reordered: false,
    }
}

fn view() -> SpaceTimeView {
    let stamp = |event, at| Stamp { event, at };
    SpaceTimeView {
        from_ms: 0,
        to_ms: 1000,
        cursor_ms: 500,
        lanes: vec![1, 2, 3],
        arrows: vec![
            arrow(7, 2, ArrowFate::Delivered, Some(200)),
            arrow(8, 3, ArrowFate::Lost("link cut"), Some(150)),
            arrow(9, 3, ArrowFate::InFlight { arrives_ms: 900 }, None),
        ],
        marks: vec![
            Mark {
                node: 1,
                at: stamp(30, 300),
                kind: MarkKind::Role {
                    role: StateType::StateLeader,
                    term: 2,
                },
            },
            Mark {
                node: 3,
                at: stamp(31, 310),
                kind: MarkKind::Commit(4),
            },
            Mark {
                node: 3,
                at: stamp(32, 320),
                kind: MarkKind::Commit(5),
            },
        ],
        readys: vec![ReadyBracketView {
            span: ReadySpan {
                node: 2,
                taken: stamp(21, 200),
                contents: ReadyContents::default(),
                persisted: None,
                synced: None,
                sent: None,
                applied: None,
                advanced: Some(stamp(25, 203)),
                handed_out: false,
                abandoned: None,
            },
        }],
        ..SpaceTimeView::default()
    }
}

const FRAME: Frame = Frame {
    from_ms: 0,
    to_ms: 1000,
    width: 1030.0,
    lane_h: LANE_H,
};

fn geometry(s: &Shape) -> Vec<i64> {
    s.geometry.iter().map(|(_, v)| *v).collect()
}

fn keyed<'a>(s: &'a Scene, key: &str) -> &'a Shape {
    s.timed
        .iter()
        .find(|x| x.key.as_deref() == Some(key))
        .unwrap_or_else(|| panic!("no {key}"))
}

#[test]
fn arrows_run_in_time_units_from_send_to_end_between_the_lanes() {
    let s = scene(&view(), None, FRAME, Some(7));
    assert_eq!(s.height, 3.0 * LANE_H + AXIS_H);
    // Delivered: 100 ms → 200 ms (16 units a millisecond), lane 1 (y 13) to lane 2 (y 39).
    let a = keyed(&s, "a7-10-2");
    assert_eq!(geometry(a), [1600, 13, 3200, 39]);
    assert!(a.class.contains("selected") && a.class.contains("msg-append"));
    assert_eq!(a.number("data-end"), Some(20));
    // Lost on the way: it ends where it was lost, short of lane 3, under a cross.
    assert_eq!(geometry(keyed(&s, "a8-10-3")), [1600, 13, 2400, 57]);
    assert!(keyed(&s, "xa8-10-3")
        .d
        .as_deref()
        .unwrap()
        .starts_with("M2336 53L2464 61"));
    // In flight at 500 ms, due at 900: half way, and no end attribute.
    let f = keyed(&s, "a9-10-3");
    assert_eq!(geometry(f), [1600, 13, 8000, 39]);
    assert!(!f.data.iter().any(|(k, _)| *k == "data-end"));
    // The mark's dot is in time, its label in pixels beside it.
    assert_eq!(geometry(keyed(&s, "m30-1-role")), [4800, 13, 4800, 13]);
    assert!(s
        .fixed
        .iter()
        .any(|x| x.text.as_deref() == Some("leader t2") && geometry(x) == [335, 7]));
    // Settled Readys and unlabelled dots are one path per lane (and kind).
    assert_eq!(
        keyed(&s, "readys-2").d.as_deref(),
        Some("M3200 43h48v5h-48z")
    );
    assert_eq!(keyed(&s, "readys-2").number("data-node"), Some(2));
    assert_eq!(
        keyed(&s, "dots-3-commit").d.as_deref(),
        Some("M4960 65h0M5120 65h0")
    );
    assert_eq!(FRAME.view_box(96), "0 0 16000 96");
}

#[test]
fn a_click_on_a_merged_path_finds_the_shape_at_its_time() {
    use super::super::tip::Target;
    let v = view();
    let lane = |kind: &str| Target::Lane {
        node: 3,
        kind: kind.into(),
    };
    // 1 px a millisecond from x = 30: x 350 is 320 ms, the second commit.
    let hit = |t: Target, x| t.on_lane(&v, FRAME, x);
    assert_eq!(
        hit(lane("commit"), 350.0),
        Some(Target::Event {
            event: 32,
            node: 3,
            mark: true
        })
    );
    assert_eq!(
        hit(lane("commit"), 342.0).map(|t| format!("{t:?}")),
        Some("Event { event: 31, node: 3, mark: true }".into())
    );
    assert_eq!(hit(lane("commit"), 400.0), None, "nothing within reach");
    let ready = Target::Lane {
        node: 2,
        kind: "ready".into(),
    };
    assert_eq!(
        hit(ready, 232.0),
        Some(Target::Event {
            event: 21,
            node: 2,
            mark: false
        })
    );
}

#[test]
fn scrolling_moves_only_the_view_box() {
    let later = Frame {
        from_ms: 200,
        to_ms: 1200,
        ..FRAME
    };
    let (a, b) = (
        scene(&view(), None, FRAME, None),
        scene(&view(), None, later, None),
    );
    assert_eq!(keyed(&a, "a7-10-2"), keyed(&b, "a7-10-2"));
    assert_eq!(later.view_box(96), "3200 0 16000 96");
    // Past a base step the numbers start again near zero.
    let far = Frame {
        from_ms: 31_000,
        to_ms: 32_000,
        ..FRAME
    };
    assert_eq!(far.view_box(96), "16000 0 16000 96");
}

#[test]
fn lanes_fill_the_room_within_bounds() {
    assert_eq!(lane_height(3.0 * 40.0 + AXIS_H, 3, 1), 40.0);
    assert_eq!(lane_height(100.0, 9, 1), LANE_H, "never below the least");
    assert_eq!(lane_height(2000.0, 3, 1), MAX_LANE_H);
    let two = lane_height(2.0 * (5.0 * 30.0 + AXIS_H) + CAPTION_H, 5, 2);
    assert_eq!(two, 30.0);
}

#[test]
fn the_axis_labels_round_times_at_a_readable_spacing() {
    let mut shapes = Vec::new();
    axis(
        &mut shapes,
        Frame {
            from_ms: 950,
            to_ms: 2050,
            width: 630.0,
            lane_h: LANE_H,
        },
        0.0,
    );
    let labels: Vec<&str> = shapes.iter().filter_map(|s| s.text.as_deref()).collect();
    assert_eq!(
        labels,
        ["1000 ms", "1200 ms", "1400 ms", "1600 ms", "1800 ms", "2000 ms"]
    );
}

#[test]
fn many_arrows_are_one_path_per_class_and_clicks_still_find_them() {
    let mut v = view();
    v.arrows = (1..=MAX_ARROW_ELEMENTS as u64 + 1)
        .map(|id| ArrowView {
            send_event: id,
            ..arrow(id, 2, ArrowFate::Delivered, Some(200))
        })
        .collect();
    let s = scene(&v, None, FRAME, Some(5));
    assert_eq!(s.hits.len(), v.arrows.len(), "every arrow can be clicked");
    let elements = s
        .timed
        .iter()
        .filter(|x| x.number("data-message").is_some())
        .count();
    assert_eq!(
        elements, 1,
        "only the selected one is an element of its own"
    );
    let bulk = keyed(&s, "arrows st-arrow msg-append delivered");
    assert_eq!(
        bulk.d.as_deref().map(|d| d.matches('M').count()),
        Some(MAX_ARROW_ELEMENTS)
    );
    // A click near one finds it: arrow 1 runs from (130, 13) to (230, 39) on the page.
    let hit = super::super::tip::nearest_arrow(&s, FRAME, 180.0, 26.0);
    assert!(
        matches!(
            hit,
            Some((super::super::tip::Target::Message { .. }, false))
        ),
        "{hit:?}"
    );
}
