//! An interpreter of etcd raft's interaction-test language (`rafttest.InteractionEnv`): a small
//! group of `RawNode`s driven by text commands (`add-nodes`, `campaign`, `stabilize`, ...),
//! printing exactly what etcd's harness prints. etcd's transcripts are therefore executable
//! specifications of this crate: [`run_transcript`] re-runs one and returns the file as this
//! implementation would write it.
//!
//! The same interpreter drives the playground's scripted scenarios.

pub mod conformance;
pub mod datadriven;
mod env;
mod handlers;
mod storage_threads;

pub use env::{Output, LEVEL_NAMES};

pub use crate::gofmt::parse_go_bool;
use datadriven::{rewrite, ParseError};
use env::InteractionEnv;

/// Runs a whole transcript in a fresh environment and returns it rewritten with this
/// implementation's outputs; the transcript passes iff the result equals `text`.
pub fn run_transcript(text: &str) -> Result<String, ParseError> {
    let mut env = InteractionEnv::new();
    rewrite(text, |d| env.handle(d))
}

#[cfg(test)]
mod tests {
    use super::datadriven::parse;
    use super::*;
    use crate::storage::Storage;

    fn cmd(env: &mut InteractionEnv, line: &str) -> String {
        let text = format!("{}\n----\n", line);
        let d = parse(&text).unwrap().remove(0);
        env.handle(&d)
    }

    fn cmd_with_input(env: &mut InteractionEnv, line: &str, input: &str) -> String {
        let text = format!("{}\n{}\n----\n", line, input);
        let d = parse(&text).unwrap().remove(0);
        env.handle(&d)
    }

    #[test]
    fn errors_and_empty_output() {
        let mut env = InteractionEnv::new();
        assert_eq!(cmd(&mut env, "frobnicate 1"), "unknown command");
        assert_eq!(
            cmd(&mut env, "log-level loud"),
            "log levels must be either of [DEBUG INFO WARN ERROR FATAL NONE]"
        );
        assert_eq!(cmd(&mut env, "log-level iNfO"), "ok");
        assert_eq!(
            cmd(&mut env, "add-nodes 1 voters=(1) index=1"),
            "index must be specified as > 1 due to bootstrap"
        );
        assert_eq!(
            cmd(&mut env, "add-nodes 1 async-storage-writes=yes"),
            "strconv.ParseBool: parsing \"yes\": invalid syntax"
        );
        assert_eq!(cmd(&mut env, "deliver-msgs 1"), "no messages\n");
        assert_eq!(
            cmd(&mut env, "campaign 4"),
            "node 4 does not exist (there are 0 nodes)"
        );
    }

    #[test]
    fn quiet_level_shows_only_errors() {
        let mut env = InteractionEnv::new();
        assert_eq!(cmd(&mut env, "log-level none"), "ok");
        assert_eq!(cmd(&mut env, "add-nodes 2 voters=(1,2) index=3"), "ok");
        assert_eq!(
            cmd(&mut env, "campaign 7"),
            "node 7 does not exist (there are 2 nodes)"
        );
        assert_eq!(cmd(&mut env, "raft-state"), "ok");
    }

    #[test]
    fn single_node_election_end_to_end() {
        let mut env = InteractionEnv::new();
        let out = cmd(&mut env, "add-nodes 1 voters=(1) index=2");
        assert!(
            out.starts_with("INFO 1 switched to configuration voters=(1)\n"),
            "{}",
            out
        );
        assert_eq!(cmd(&mut env, "log-level none"), "ok");
        assert_eq!(cmd(&mut env, "campaign 1"), "ok");
        assert_eq!(cmd(&mut env, "stabilize"), "ok");
        assert_eq!(cmd(&mut env, "log-level info"), "ok");
        assert_eq!(
            cmd(&mut env, "raft-state"),
            "1: StateLeader (Voter) Term:1 Lead:1\n"
        );
        assert_eq!(cmd(&mut env, "propose 1 hello"), "ok");
        let out = cmd(&mut env, "stabilize");
        assert_eq!(
            out,
            "> 1 handling Ready\n  Ready MustSync=true:\n  Entries:\n  1/4 EntryNormal \"hello\"\n\
             > 1 handling Ready\n  Ready MustSync=false:\n  HardState Term:1 Vote:1 Commit:4\n  \
             CommittedEntries:\n  1/4 EntryNormal \"hello\"\n"
        );
        assert_eq!(
            cmd(&mut env, "raft-log 1"),
            "1/3 EntryNormal \"\"\n1/4 EntryNormal \"hello\"\n"
        );
        // The state machine appends payloads; the latest snapshot is what send-snapshot ships.
        assert_eq!(
            env.nodes[0].storage().history.last().unwrap().data,
            b"hello"
        );
        assert_eq!(
            cmd(&mut env, "status 1"),
            "1: StateReplicate match=4 next=5\n"
        );
        assert_eq!(
            cmd(&mut env, "compact 1 4"),
            "log is empty: first index=5, last index=4"
        );
        assert_eq!(
            cmd(&mut env, "process-append-thread 1"),
            "no append work to perform"
        );
    }

    #[test]
    fn async_storage_threads_hold_back_durability_until_processed() {
        let mut env = InteractionEnv::new();
        cmd(&mut env, "log-level none");
        cmd(
            &mut env,
            "add-nodes 1 voters=(1) index=2 async-storage-writes=true",
        );
        cmd(&mut env, "campaign 1");
        cmd(&mut env, "log-level info");
        // The vote for itself waits in the append thread's queue: the node stays candidate
        // until the thread wrote the new term and vote and the response was delivered.
        let out = cmd(&mut env, "process-ready 1");
        assert!(
            out.contains("1->AppendThread MsgStorageAppend Term:1 Log:0/0 Commit:2 Vote:1 Responses:[\n  1->1 MsgVoteResp Term:1 Log:0/0\n]"),
            "{}",
            out
        );
        assert_eq!(
            cmd(&mut env, "raft-state"),
            "1: StateCandidate (Voter) Term:1 Lead:0\n"
        );
        assert_eq!(
            env.nodes[0].storage().mem.initial_state().unwrap().0.term,
            0
        );
        assert_eq!(
            cmd(&mut env, "process-apply-thread 1"),
            "no apply work to perform"
        );
        assert_eq!(
            cmd(&mut env, "process-append-thread 1"),
            "Processing:\n1->AppendThread MsgStorageAppend Term:1 Log:0/0 Commit:2 Vote:1\n\
             Responses:\n1->1 MsgVoteResp Term:1 Log:0/0\n"
        );
        assert_eq!(
            env.nodes[0].storage().mem.initial_state().unwrap().0.term,
            1
        );
        cmd(&mut env, "deliver-msgs 1");
        assert_eq!(
            cmd(&mut env, "raft-state"),
            "1: StateLeader (Voter) Term:1 Lead:1\n"
        );
        // Stabilize works off both threads; the empty entry of the new term ends up stored
        // and applied.
        cmd(&mut env, "log-level none");
        assert_eq!(cmd(&mut env, "stabilize"), "ok");
        cmd(&mut env, "log-level info");
        assert_eq!(
            cmd(&mut env, "process-append-thread 1"),
            "no append work to perform"
        );
        assert_eq!(env.nodes[0].storage().mem.last_index().unwrap(), 3);
        assert_eq!(env.nodes[0].raw_node.raft.raft_log.applied, 3);
    }

    #[test]
    fn snapshot_from_a_node_at_term_0_is_handled_like_etcd() {
        // A node that never saw an election sends its snapshot with term 0, which etcd steps
        // as a local message: the follower takes the sender as leader and answers with its
        // log position, at term 0 as well.
        let mut env = InteractionEnv::new();
        cmd(&mut env, "log-level none");
        cmd(&mut env, "add-nodes 3 voters=(1,2,3) index=10");
        cmd(&mut env, "log-level info");
        cmd(&mut env, "send-snapshot 1 2");
        let out = cmd(&mut env, "stabilize");
        assert!(
            out.contains("  INFO 2 [commit: 10] ignored snapshot [index: 10, term: 1]\n"),
            "{}",
            out
        );
        assert!(
            out.ends_with("> 1 receiving messages\n  2->1 MsgAppResp Term:0 Log:0/10\n"),
            "{}",
            out
        );
        assert!(!out.contains("cannot step"), "{}", out);
        assert_eq!(
            cmd(&mut env, "raft-state"),
            "1: StateFollower (Voter) Term:0 Lead:0\n\
             2: StateFollower (Voter) Term:0 Lead:1\n\
             3: StateFollower (Voter) Term:0 Lead:0\n"
        );

        // A newer snapshot is installed.
        let mut env = InteractionEnv::new();
        cmd(&mut env, "log-level none");
        cmd(&mut env, "add-nodes 1 voters=(1,2) index=10");
        cmd(&mut env, "add-nodes 1 voters=(1,2) index=5");
        cmd(&mut env, "send-snapshot 1 2");
        cmd(&mut env, "stabilize");
        cmd(&mut env, "log-level info");
        assert_eq!(
            cmd(&mut env, "raft-log 2"),
            "log is empty: first index=11, last index=10"
        );
        assert_eq!(env.nodes[1].raw_node.raft.raft_log.committed, 10);
        assert_eq!(env.nodes[1].raw_node.raft.lead, 1);
    }

    #[test]
    fn stabilize_level_is_restored_and_indentation_nests() {
        let mut env = InteractionEnv::new();
        cmd(&mut env, "log-level none");
        cmd(&mut env, "add-nodes 2 voters=(1,2) index=2");
        cmd(&mut env, "log-level debug");
        cmd(&mut env, "campaign 1");
        assert_eq!(cmd(&mut env, "stabilize log-level=none"), "ok");
        assert_eq!(env.output.level(), 0);
        assert_eq!(
            cmd(&mut env, "raft-state"),
            "1: StateLeader (Voter) Term:1 Lead:1\n2: StateFollower (Voter) Term:1 Lead:1\n"
        );
        let out = cmd(&mut env, "process-ready 1 2");
        assert_eq!(
            out,
            "> 1 handling Ready\n  <empty Ready>\n> 2 handling Ready\n  <empty Ready>\n"
        );
    }

    #[test]
    fn conf_change_arguments() {
        let mut env = InteractionEnv::new();
        cmd(&mut env, "log-level none");
        cmd(&mut env, "add-nodes 1 voters=(1) index=2");
        assert_eq!(
            cmd_with_input(&mut env, "propose-conf-change 1 v1=true", "v2 v3"),
            "v1 conf change can only have one operation and no transition"
        );
        assert_eq!(
            cmd_with_input(&mut env, "propose-conf-change 1 transition=sideways", "v2"),
            "unknown transition sideways"
        );
        assert_eq!(
            cmd_with_input(&mut env, "propose-conf-change 1 speed=1", "v2"),
            "unknown command speed"
        );
        assert_eq!(
            cmd_with_input(&mut env, "propose-conf-change 1", "x2"),
            "unknown input: x2"
        );
        // A follower without leader drops proposals.
        assert_eq!(
            cmd_with_input(&mut env, "propose-conf-change 1", "v2"),
            "raft proposal dropped"
        );
    }

    #[test]
    fn run_transcript_rewrites_outputs() {
        let text = "# comment\nlog-level none\n----\nwrong\n\nadd-nodes 1 voters=(1) index=2\n----\nok\n\nbogus\n----\n";
        let out = run_transcript(text).unwrap();
        assert_eq!(out, "# comment\nlog-level none\n----\nok\n\nadd-nodes 1 voters=(1) index=2\n----\nok\n\nbogus\n----\nunknown command\n");
        assert_eq!(run_transcript(&out).unwrap(), out);
        assert!(run_transcript("x a=(\n----\n").is_err());
    }

    #[test]
    fn output_indentation_and_quiet() {
        let o = Output::default();
        o.write_str("a\n");
        o.with_indent(|| {
            o.write_str("b\n");
            o.with_indent(|| o.write_str("c\nd"));
        });
        assert_eq!(o.contents(), "a\n  b\n    c\n    d\n");
        o.set_level(5);
        o.write_str("hidden");
        crate::logger::Logger::error(&o, format_args!("also hidden"));
        assert_eq!(o.contents(), "a\n  b\n    c\n    d\n");
        o.set_level(1);
        crate::logger::Logger::debug(&o, format_args!("hidden"));
        crate::logger::Logger::warn(&o, format_args!("x {}", 1));
        assert!(o.contents().ends_with("WARN x 1\n"));
        o.reset();
        assert_eq!(o.contents(), "");
    }
}
