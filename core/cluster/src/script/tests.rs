use super::*;
use crate::command::*;
use crate::network::Latency;
use crate::units::*;
use raft::raftpb::ConfChangeTransition;

fn round_trip(line: &str) {
    let c = Command::parse(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    let printed = c.to_string();
    let again = Command::parse(&printed).unwrap_or_else(|e| panic!("{printed}: {e}"));
    assert_eq!(c, again, "{line} -> {printed}");
}

#[test]
fn every_form_prints_back_to_itself() {
    for line in [
        "cluster 5",
        "cluster 3 prevote=true checkquorum=true policy=serve-channels tick=50ms election=5 heartbeat=2 latency=20..80ms sync=5ms",
        "add-nodes 3 voters=(1,2,3) index=2 prevote=true inflight=2",
        "add-nodes 1",
        "campaign 1",
        "propose 1 prop_1",
        "propose-conf-change 1 v1=true\nv2",
        "propose-conf-change 2 transition=explicit\nr1 v4",
        "process-ready 1 2 3",
        "deliver-msgs 1 drop=(2,3) type=MsgApp",
        "stabilize 1 2 log-level=none",
        "tick-election 1",
        "tick-heartbeat 2",
        "tick 3 4",
        "raft-log 1",
        "raft-state",
        "status 1",
        "transfer-leadership from=1 to=2",
        "forget-leader 3",
        "report-unreachable 1 2",
        "compact 1 11",
        "compact 1",
        "send-snapshot 1 3",
        "set-randomized-election-timeout 1 timeout=5",
        "log-level INFO",
        "run 500ms",
        "run 2s",
        "run-until leader max=5s",
        "run-until leader=2 term=3 max=10s",
        "run-until committed>=5 nodes=(1 2 3)",
        "step",
        "step message",
        "crash 3",
        "restart 3",
        "wipe 3",
        "pause 2",
        "resume 2",
        "partition (1 2) (3 4 5)",
        "cut 1->2",
        "cut 1-2",
        "heal",
        "heal 1-2",
        "link 1->2 drop=0.3 delay=20..80ms duplicate=0.1",
        "link * delay=30ms reorder=0.25",
        "link 2-3 reset",
        "disk 3 lying",
        "disk 3 slow=50ms",
        "disk 3 ok",
        "drop-msg 7",
        "deliver-msg 8",
        "manual 1",
        "auto 1",
        "policy 2 serve-channels",
        "ready 1",
        "persist 1",
        "send 1",
        "apply 1",
        "advance 1",
        "put 1 x=5",
        "get 2 x client=3",
        "delete 1 x",
        "expect leader=1 term=2",
        "expect committed>=5 nodes=(1 2 3)",
        "expect safe",
        "expect violation",
        "expect value x=5 y",
        "expect leader=none",
        "expect state=StateFollower nodes=(2)",
        "expect term!=3 applied<4",
        "kv 1",
        "history",
        "checker",
        "events last=5",
        "stop-after events=12",
        "load every=500ms",
        "load off",
        "cluster 5 snapshot-count=100",
        "cluster 5 snapshot-count=100 catch-up-entries=10",
        "cluster 5 step-down-on-removal=true",
        "cluster 3 inflight=4 max-size-per-msg=0",
        "add-node 4",
        "add-learner 6",
        "promote 6",
        "remove-node 1",
        "replace 1 with 4",
        "replace 3 with 5 transition=explicit",
        "replace 3 with 5 transition=implicit",
        "leave-joint",
        "expect voters=(1 2 4) outgoing=(1 2 3) learners=() joint",
        "expect joint=false voters=(1 2 3) nodes=(1 2)",
    ] {
        round_trip(line);
    }
}

#[test]
fn cluster_takes_etcds_flow_control_within_its_bounds() {
    let Command::Cluster(s) = Command::parse("cluster 3 inflight=4 max-size-per-msg=2048").unwrap()
    else {
        panic!()
    };
    assert_eq!((s.inflight, s.max_size_per_msg), (4, 2048));
    // The defaults are the playground's (etcd server's), and print as nothing.
    let Command::Cluster(d) = Command::parse("cluster 3").unwrap() else {
        panic!()
    };
    assert_eq!((d.inflight, d.max_size_per_msg), (256, 1 << 20));
    assert_eq!(Command::Cluster(d).to_string(), "cluster 3");
    let limit = |line: &str| Command::parse(line).unwrap_err().to_string();
    assert!(limit("cluster 3 inflight=10001").contains("inflight 10001 is over the limit of 10000"));
    assert!(limit("cluster 3 inflight=0").contains("at least 1"));
    assert!(limit("cluster 3 max-size-per-msg=1073741825")
        .contains("max-size-per-msg 1073741825 is over the limit of 1073741824"));
    assert!(Command::parse("cluster 3 max-size-per-msg=-1").is_err());
    assert!(Command::parse("cluster 3 inflight=10000 max-size-per-msg=1073741824").is_ok());
}

#[test]
fn conditions_read_as_written() {
    let c = Command::parse("expect leader=1 term=2").unwrap();
    let Command::Expect(c) = c else { panic!() };
    assert_eq!(
        c.clauses,
        vec![
            Clause::Leader(Some(1)),
            Clause::Compare {
                field: Field::Term,
                op: CmpOp::Eq,
                value: 2
            }
        ]
    );
    let Command::Expect(c) = Command::parse("expect committed>=5 nodes=(1 2 3)").unwrap() else {
        panic!()
    };
    assert_eq!(
        c.clauses,
        vec![Clause::Compare {
            field: Field::Commit,
            op: CmpOp::Ge,
            value: 5
        }]
    );
    assert_eq!(c.nodes, Some(vec![1, 2, 3]));
    let Command::Expect(c) = Command::parse("expect value x=5 gone").unwrap() else {
        panic!()
    };
    assert_eq!(
        c.clauses,
        vec![
            Clause::Value {
                key: "x".into(),
                value: Some("5".into())
            },
            Clause::Value {
                key: "gone".into(),
                value: None
            }
        ]
    );
}

#[test]
fn membership_commands_read_as_written_and_explain_mistakes() {
    assert_eq!(
        Command::parse("replace 1 with 4 transition=explicit").unwrap(),
        Command::Membership(MembershipChange::Replace {
            old: 1,
            new: 4,
            transition: ConfChangeTransition::ConfChangeTransitionJointExplicit
        })
    );
    let Command::Expect(c) = Command::parse("expect voters=(4 2 1) learners=()").unwrap() else {
        panic!()
    };
    assert_eq!(
        c.clauses,
        vec![
            Clause::Config {
                set: ConfigSet::Voters,
                ids: vec![1, 2, 4]
            },
            Clause::Config {
                set: ConfigSet::Learners,
                ids: vec![]
            }
        ]
    );
    for (line, want) in [
        ("replace 1 4", "want e.g. replace 1 with 4"),
        ("replace 1 with", "want e.g. replace 1 with 4"),
        ("replace 2 with 2", "with itself"),
        (
            "replace 1 with 4 transition=sideways",
            "unknown transition sideways",
        ),
        ("add-node", "missing node id"),
        ("add-node 0", "node ids start at 1"),
        ("leave-joint 3", "unexpected argument"),
    ] {
        let e = Command::parse(line).unwrap_err();
        assert!(e.message.contains(want), "{line}: {e}");
    }
}

#[test]
fn durations_and_latencies() {
    assert_eq!(parse_duration("0.25s"), Ok(250));
    assert_eq!(parse_duration("2.50s"), Ok(2500));
    assert_eq!(parse_duration("0.5m"), Ok(30_000));
    assert_eq!(parse_duration("1.0ms"), Ok(1));
    assert!(parse_duration("1.5ms").is_err(), "not a whole millisecond");
    assert!(
        parse_duration("0.0001s").is_err(),
        "not a whole millisecond"
    );
    assert!(parse_duration(".s").is_err());
    assert!(parse_duration("1e3ms").is_err());
    assert!(parse_duration("99999999999999999999s").is_err(), "too long");
    assert_eq!(parse_duration("500ms"), Ok(500));
    assert_eq!(parse_duration("2s"), Ok(2000));
    assert_eq!(parse_duration("1.5s"), Ok(1500));
    assert_eq!(parse_duration("1m"), Ok(60_000));
    assert!(parse_duration("5").is_err());
    assert!(parse_duration("-1s").is_err());
    assert!(parse_duration("xs").is_err());
    assert_eq!(format_duration(2000), "2s");
    assert_eq!(format_duration(1500), "1500ms");
    assert_eq!(format_duration(0), "0ms");
    assert_eq!(parse_latency("20..80ms"), Ok(Latency { min: 20, max: 80 }));
    assert_eq!(
        parse_latency("1s..2s"),
        Ok(Latency {
            min: 1000,
            max: 2000
        })
    );
    assert!(parse_latency("80..20ms").is_err());
}

#[test]
fn rates_are_the_nearest_double_to_their_decimal() {
    // The standard library's parser is the oracle: every decimal a person would write for
    // a probability, and some long ones, give the very same bits.
    let mut texts: Vec<String> = (0..=10_000).map(|n| format!("0.{n:04}")).collect();
    texts.extend((0..=1000).map(|n| format!("{}", f64::from(n) / 1000.0)));
    texts.extend(
        [
            "0",
            "1",
            "1.0",
            ".5",
            "0.",
            "0.1",
            "0.3",
            "0.7",
            "0.05",
            "0.333333333333333",
            "0.123456789012345",
            "0.999999999999999",
            "0.1000000000000000000000000",
            "0.0000000000000000000001",
        ]
        .map(String::from),
    );
    for t in &texts {
        let want: f64 = t.parse().unwrap();
        assert_eq!(parse_rate(t).map(f64::to_bits), Ok(want.to_bits()), "{t}");
    }
    for bad in [
        "", ".", "-0.1", "+0.1", "1e-1", "0,3", "nan", "inf", "0.1.2", "1.5", "2",
    ] {
        assert!(parse_rate(bad).is_err(), "{bad:?}");
    }
    assert_eq!(
        parse_rate("2"),
        Err("rate 2 is not between 0 and 1".to_string())
    );
    // More digits than a double can take exactly are refused, not rounded twice.
    for long in ["0.12345678901234567890123", "0.9999999999999999"] {
        let e = parse_rate(long).unwrap_err();
        assert!(e.contains("more digits than can be kept exactly"), "{e}");
    }
    assert!(parse_rate(".").unwrap_err().contains("invalid rate"));
}

#[test]
fn rates_print_as_the_shortest_decimal_that_reads_back() {
    // The standard printer is the oracle: same text, and it parses back to the same bits.
    // Every rate a script or the page makes is a decimal of at most 15 digits.
    let mut rates: Vec<f64> = (0..=10_000).map(|n| f64::from(n) / 10_000.0).collect();
    rates.extend([0.123456789012345, 1e-7, 0.999999999999999, 0.05, 0.1]);
    for r in rates {
        let text = format_rate(r);
        assert_eq!(text, format!("{r}"), "{r:?}");
        assert_eq!(
            parse_rate(&text).map(f64::to_bits),
            Ok(r.to_bits()),
            "{text}"
        );
    }
    // Sums and products that need all 17 digits print close to them.
    for r in [
        0.1 + 0.2,
        1.0 / 3.0,
        13.0 * 0.001,
        std::f64::consts::PI / 4.0,
    ] {
        let text = format_rate(r);
        let back: f64 = text.parse().unwrap();
        assert!((back - r).abs() <= r * 1e-15, "{r:?} printed {text}");
    }
    // Out of range (error messages print these too).
    assert_eq!(format_rate(2.0), "2");
    assert_eq!(format_rate(-0.5), "-0.5");
    assert_eq!(format_rate(f64::NAN), "NaN");
    assert_eq!(format_rate(-0.0), "0");
    assert_eq!(format_rate(f64::INFINITY), "inf");
}

#[test]
fn errors_name_line_and_column() {
    let e = Script::parse("cluster 3\n\nrun 5x\n").unwrap_err();
    assert_eq!((e.line, e.column), (3, 5), "{e}");
    assert!(e.message.contains("invalid duration"), "{e}");
    let e = Script::parse("cluster 3\n  link 1->2 drop=2\n").unwrap_err();
    assert_eq!((e.line, e.column), (2, 13), "{e}");
    let e = Script::parse("frobnicate 3\n").unwrap_err();
    assert_eq!((e.line, e.column), (1, 1));
    assert!(
        e.message
            .contains("unknown command \"frobnicate\"; known commands: _breakpoint, add-nodes"),
        "{e}"
    );
    let e = Script::parse("cluster 3\nput 1 x=(\n").unwrap_err();
    assert_eq!(
        e.line, 2,
        "the datadriven reader's own errors keep their place: {e}"
    );
    let e = Script::parse("partition (1 2) 3\n").unwrap_err();
    assert!(e.message.contains("parentheses"), "{e}");
}

#[test]
fn a_cluster_setup_saved_before_flow_control_reads_back_with_the_playgrounds() {
    let mut json = serde_json::to_value(ClusterSetup::default()).unwrap();
    let fields = json.as_object_mut().unwrap();
    assert!(fields.remove("inflight").is_some() && fields.remove("max_size_per_msg").is_some());
    let back: ClusterSetup = serde_json::from_value(json).unwrap();
    assert_eq!(back, ClusterSetup::default());
}
