//! The view's own queries (quorums, cut-off nodes, entry lookup) and its JSON form, on the
//! fixed cluster picture the page's component tests draw.

#[path = "../../../tests/fixtures/demo_view.rs"]
mod demo_view;

use cluster::view::*;
use demo_view::demo_view;

#[test]
fn demo_is_a_consistent_five_node_cluster() {
    let v = demo_view();
    assert_eq!(v.nodes.len(), 5);
    let leaders: Vec<_> = v.nodes.iter().filter(|n| n.role == Role::Leader).collect();
    assert_eq!(leaders.len(), 1);
    assert_eq!(v.leader, Some(leaders[0].id));
    for n in &v.nodes {
        assert!(n.applied <= n.commit, "node {}: applied > commit", n.id);
        assert!(n.commit <= n.last_index(), "node {}: commit > last", n.id);
        assert!(n.stable_index <= n.last_index(), "node {}", n.id);
        // Log indexes are contiguous and start right after the snapshot.
        for (i, e) in n.log.iter().enumerate() {
            assert_eq!(e.index, n.snapshot_index + 1 + i as u64, "node {}", n.id);
        }
        for c in &n.conflicts {
            assert!(
                n.entry(*c).is_some(),
                "node {}: conflict {c} not in log",
                n.id
            );
        }
    }
    for m in &v.messages {
        assert!(m.sent_at <= m.arrives_at);
        assert!(v.node(m.from).is_some() && v.node(m.to).is_some());
    }
    assert_eq!(v.links.len(), 5 * 4);
    assert!(v.is_cut_off(5));
    assert!(!v.is_cut_off(2));
}

#[test]
fn cut_off_counts_the_voters_of_the_configuration() {
    let mut v = demo_view();
    // Node 5 is cut off from everyone; with 5 voters that loses it the majority.
    assert!(v.is_cut_off(5));
    // Were 1..4 learners and 5 the only voter, 5 would be a majority on its own.
    v.config = ConfigView {
        voters: vec![5],
        learners: vec![1, 2, 3, 4],
        ..ConfigView::default()
    };
    assert!(!v.is_cut_off(5));
    assert!(
        v.is_cut_off(1),
        "a learner that cannot reach the voters is cut off"
    );
    // Joint: node 1 reaches the new voters (1 2) but not the old ones (3 4 5) in majority.
    v.config = ConfigView {
        voters: vec![1, 2],
        outgoing: vec![3, 4, 5],
        ..ConfigView::default()
    };
    assert!(v.is_cut_off(5));
}

#[test]
fn entry_lookup_respects_the_snapshot() {
    let v = demo_view();
    let n3 = v.node(3).expect("node 3");
    assert!(n3.entry(3).is_none(), "compacted into the snapshot");
    assert_eq!(n3.entry(4).map(|e| e.term), Some(2));
    assert!(n3.entry(6).is_none());
    assert_eq!(n3.last_index(), 5);
}

#[test]
fn views_round_trip_through_json() {
    let v = demo_view();
    let text = serde_json::to_string(&v).expect("serialize");
    assert!(
        text.contains("\"match\":7"),
        "Progress.Match keeps etcd's name"
    );
    let back: ClusterView = serde_json::from_str(&text).expect("deserialize");
    assert_eq!(back, v);
}
