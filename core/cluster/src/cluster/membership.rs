//! Membership changes at run time (Raft thesis chapter 4, the paper's §6): nodes join, learn,
//! get promoted, leave, or are replaced through a joint configuration, while the cluster runs.
//!
//! Raft itself only needs the configuration change entry: every node switches configuration
//! when it *applies* that entry (`Node::apply` feeds it to `RawNode::apply_conf_change`), and
//! the leader starts replicating to a new peer right then. What happens around it is etcd's
//! server, and the playground follows it:
//!
//! - **A new member starts empty**: no disk, no log, no configuration. It cannot campaign (it
//!   is in no configuration it knows of) and waits for the leader, which finds its log empty,
//!   backs up to the start of its own log, finds it compacted into a snapshot and sends that:
//!   the new node catches up by snapshot, learning the data and the configuration at once.
//! - **A removed member stops** (clusters made with `cluster N`, which model etcd servers):
//!   a node that applies its own removal stops ten ticks later (etcd's server waits a moment
//!   so the leader's last messages go out), and a member that knows a node was removed
//!   refuses its messages, which tells that node to stop at once (etcd's transport answers a
//!   removed member with "410 Gone"). Otherwise a removed follower that never learned of its
//!   removal would time out, campaign with ever higher terms and disrupt the cluster. Its id is
//!   never reused. Clusters made with etcd's `add-nodes` keep the harness's behaviour (nothing
//!   stops), so etcd's transcripts replay unchanged.
//! - **A change goes through the leader**, one at a time: etcd raft refuses a second change
//!   while one is not applied yet, and a simple change while the configuration is joint. The
//!   friendly commands surface its refusal text.

use super::state::members;
use super::text::conf_change_v2_text;
use super::*;
use crate::command::{ConfigSet, MembershipChange};
use crate::view::{ConfigView, Membership};
use raft::raftpb::{ConfChangeSingle, ConfChangeTransition, ConfChangeType};
use raft::tracker;

fn config_of(cs: &ConfState) -> tracker::Config {
    use raft::quorum::{JointConfig, MajorityConfig};
    let set = |v: &[u64]| MajorityConfig(v.iter().copied().collect());
    tracker::Config {
        voters: JointConfig::new(set(&cs.voters), set(&cs.voters_outgoing)),
        auto_leave: cs.auto_leave,
        learners: cs.learners.iter().copied().collect(),
        learners_next: cs.learners_next.iter().copied().collect(),
    }
}

fn config_view(cfg: &tracker::Config, source: NodeId) -> ConfigView {
    ConfigView {
        voters: cfg.voters[0].slice(),
        outgoing: cfg.voters[1].slice(),
        learners: cfg.learners.iter().copied().collect(),
        learners_next: cfg.learners_next.iter().copied().collect(),
        auto_leave: cfg.auto_leave,
        source,
        text: cfg.to_string(),
        pending_index: 0,
        pending: None,
    }
}

/// Whether a `voters=`, `outgoing=`, `learners=` or `joint` clause holds for `cfg`.
pub(super) fn check_config_clause(
    cfg: &tracker::Config,
    clause: &Clause,
    whose: &str,
) -> Result<(), String> {
    match clause {
        Clause::Config { set, ids } => {
            let have: Vec<NodeId> = match set {
                ConfigSet::Voters => cfg.voters[0].slice(),
                ConfigSet::Outgoing => cfg.voters[1].slice(),
                ConfigSet::Learners => cfg.learners.iter().copied().collect(),
            };
            if &have != ids {
                return Err(format!(
                    "{whose} has {}=({}), want ({}): {cfg}",
                    set.name(),
                    ids_text(&have),
                    ids_text(ids)
                ));
            }
        }
        Clause::Joint(want) if cfg.is_joint() != *want => {
            return Err(if *want {
                format!("{whose} is not joint: {cfg}")
            } else {
                format!("{whose} is joint: {cfg}")
            });
        }
        _ => {}
    }
    Ok(())
}

fn transition_words(t: ConfChangeTransition) -> &'static str {
    match t {
        ConfChangeTransition::ConfChangeTransitionAuto
        | ConfChangeTransition::ConfChangeTransitionJointImplicit => {
            "left automatically once it is committed"
        }
        ConfChangeTransition::ConfChangeTransitionJointExplicit => {
            "left only when asked with leave-joint"
        }
    }
}

/// A change ready to propose.
struct Proposal {
    changes: Vec<ConfChangeSingle>,
    /// Propose as etcd's server proposes single changes: a v1 `ConfChange`.
    v1: bool,
    transition: ConfChangeTransition,
    /// A node to start, empty, once the leader accepted the change.
    start: Option<NodeId>,
    words: String,
}

fn single(change_type: ConfChangeType, node_id: NodeId) -> ConfChangeSingle {
    ConfChangeSingle {
        change_type,
        node_id,
    }
}

impl Cluster {
    /// The cluster's membership bookkeeping.
    pub fn membership(&self) -> &MembershipState {
        &self.membership
    }

    /// The configuration the cluster runs under and whose it is: the leader's; without a
    /// leader, that of the running node that applied the most; failing that, the newest any
    /// node applied.
    pub fn configuration(&self) -> Option<(NodeId, tracker::Config)> {
        if let Some(l) = self.leader() {
            if let Some(raw) = self.nodes.get(&l).and_then(Node::raw) {
                return Some((l, raw.raft.trk.config.clone()));
            }
        }
        let best = self
            .nodes
            .iter()
            .filter_map(|(&id, n)| n.raw().map(|r| (id, &r.raft)))
            .filter(|(_, r)| !r.trk.config.voters.ids().is_empty())
            .max_by_key(|(id, r)| (r.raft_log.applied, std::cmp::Reverse(*id)));
        if let Some((id, r)) = best {
            return Some((id, r.trk.config.clone()));
        }
        self.membership
            .latest
            .as_ref()
            .map(|(_, cs)| (NONE, config_of(cs)))
    }

    /// The configuration for the page, with the leader's pending change.
    pub(super) fn config_view(&self) -> ConfigView {
        let Some((source, cfg)) = self.configuration() else {
            return ConfigView::default();
        };
        let mut v = config_view(&cfg, source);
        if let Some(raw) = self.nodes.get(&source).and_then(Node::raw) {
            let r = &raw.raft;
            if r.state == StateType::StateLeader && r.pending_conf_index > r.raft_log.applied {
                let i = r.pending_conf_index;
                if let Some(e) = self.nodes[&source]
                    .entry(i)
                    .filter(|e| e.entry_type != EntryType::EntryNormal)
                {
                    v.pending_index = i;
                    v.pending = Some(conf_change_text(&e));
                }
            }
        }
        v
    }

    /// Node `id`'s place in the configuration `cv`.
    pub(super) fn membership_of(&self, id: NodeId, cv: &ConfigView) -> Membership {
        if self.membership.removed.contains_key(&id) {
            Membership::Removed
        } else if cv.voters.contains(&id) {
            Membership::Voter
        } else if cv.outgoing.contains(&id) {
            Membership::Outgoing
        } else if cv.learners.contains(&id) {
            Membership::Learner
        } else {
            Membership::Joining
        }
    }

    /// Records the configuration a node starts with (a bootstrap snapshot).
    pub(super) fn observe_bootstrap(&mut self, index: u64, cs: &ConfState) {
        self.membership.observe(index, cs);
    }

    // ---- the friendly commands -------------------------------------------------------------

    /// Checks a change against the leader's configuration and says what to propose.
    fn plan(&self, m: MembershipChange, cfg: &tracker::Config) -> Result<Proposal, String> {
        use ConfChangeType::*;
        let is_voter = |id: NodeId| cfg.voters.ids().contains(&id);
        let is_learner = |id: NodeId| cfg.learners.contains(&id);
        let removed = |id: NodeId| -> Result<(), String> {
            match self.membership.removed.get(&id) {
                Some(i) => Err(format!(
                    "node {id} was removed from the cluster (at index {i}); etcd never reuses a removed member's id: add a node with a new id"
                )),
                None => Ok(()),
            }
        };
        // A node that exists and is not a member is waiting to join: propose again, do not
        // start it twice.
        let start = |id: NodeId| (!self.nodes.contains_key(&id)).then_some(id);
        let simple = |changes, start, words: String| Proposal {
            changes,
            v1: true,
            transition: ConfChangeTransition::ConfChangeTransitionAuto,
            start,
            words,
        };
        Ok(match m {
            MembershipChange::AddNode(id) | MembershipChange::AddLearner(id) => {
                let learner = matches!(m, MembershipChange::AddLearner(_));
                removed(id)?;
                if is_voter(id) {
                    return Err(format!("node {id} is already a voter ({cfg})"));
                }
                if is_learner(id) {
                    return Err(if learner {
                        format!("node {id} is already a learner ({cfg})")
                    } else {
                        format!("node {id} is a learner: make it a voter with promote {id}")
                    });
                }
                let (t, what) = if learner {
                    (ConfChangeAddLearnerNode, "a learner")
                } else {
                    (ConfChangeAddNode, "a voter")
                };
                simple(
                    vec![single(t, id)],
                    start(id),
                    format!("adding {id} as {what}"),
                )
            }
            MembershipChange::Promote(id) => {
                if !is_learner(id) {
                    return Err(if is_voter(id) {
                        format!("node {id} is already a voter ({cfg})")
                    } else {
                        format!("node {id} is not a learner ({cfg}): add it first with add-learner {id}")
                    });
                }
                simple(
                    vec![single(ConfChangeAddNode, id)],
                    None,
                    format!("promoting learner {id} to voter"),
                )
            }
            MembershipChange::Remove(id) => {
                if let Some(i) = self.membership.removed.get(&id) {
                    return Err(format!("node {id} was already removed (at index {i})"));
                }
                if !is_voter(id) && !is_learner(id) {
                    return Err(format!("node {id} is not in the configuration ({cfg})"));
                }
                if !cfg.is_joint() && cfg.voters[0].len() == 1 && cfg.voters[0].contains(&id) {
                    return Err(format!(
                        "cannot remove {id}: it is the last voter, and a configuration needs at least one"
                    ));
                }
                simple(
                    vec![single(ConfChangeRemoveNode, id)],
                    None,
                    format!("removing {id}"),
                )
            }
            MembershipChange::Replace {
                old,
                new,
                transition,
            } => {
                if !cfg.voters[0].contains(&old) {
                    return Err(format!("node {old} is not a voter ({cfg})"));
                }
                removed(new)?;
                if is_voter(new) || is_learner(new) {
                    return Err(format!(
                        "node {new} is already in the configuration ({cfg})"
                    ));
                }
                Proposal {
                    changes: vec![
                        single(ConfChangeRemoveNode, old),
                        single(ConfChangeAddNode, new),
                    ],
                    v1: false,
                    transition,
                    start: start(new),
                    words: format!(
                        "replacing {old} with {new} through a joint configuration, {}",
                        transition_words(transition)
                    ),
                }
            }
            MembershipChange::LeaveJoint => Proposal {
                changes: Vec::new(),
                v1: false,
                transition: ConfChangeTransition::ConfChangeTransitionAuto,
                start: None,
                words: "leaving the joint configuration".to_string(),
            },
        })
    }

    /// `add-node`, `add-learner`, `promote`, `remove-node`, `replace`, `leave-joint`: the change
    /// is proposed to the leader; a new node is started empty once the leader accepted it.
    pub(super) fn membership_change(&mut self, m: MembershipChange) -> CmdResult {
        let leader = self.leader().ok_or(
            "no leader: configuration changes are proposed to the leader (wait for one, e.g. run-until leader)",
        )?;
        let (cfg, in_config, promote_check) = {
            let r = &self
                .node_ref(leader)?
                .raw()
                .ok_or_else(|| format!("node {leader} is down"))?
                .raft;
            let promote_check = match m {
                MembershipChange::Promote(id) => r.trk.progress.get(&id).map(|p| {
                    (
                        p.matched,
                        r.trk.progress.get(&leader).map_or(0, |p| p.matched),
                    )
                }),
                _ => None,
            };
            (
                r.trk.config.clone(),
                r.trk.progress.contains_key(&leader),
                promote_check,
            )
        };
        if !in_config {
            return Err(format!(
                "leader {leader} was removed from the configuration and takes no more proposals: wait for the next leader"
            )
            .into());
        }
        let p = self.plan(m, &cfg)?;
        if let (MembershipChange::Promote(id), Some((learner, lead))) = (m, promote_check) {
            // etcd's server promotes only a learner whose log is within 90% of the leader's,
            // so that the new voter does not stall commits while it catches up.
            if (learner as f64) < (lead as f64) * 0.9 {
                return Err(format!(
                    "etcdserver: can only promote a learner member which is in sync with leader (learner {id} stores entries up to {learner}, leader {leader} up to {lead})"
                )
                .into());
            }
        }
        let desc;
        let before_last;
        let res = {
            let node = self.up_node(leader)?;
            before_last = node.raw().map_or(0, |r| r.raft.raft_log.last_index());
            if p.v1 {
                let cc = ConfChange {
                    change_type: p.changes[0].change_type,
                    node_id: p.changes[0].node_id,
                    ..Default::default()
                };
                desc = conf_change_v2_text(&raft::raftpb::confchange::conf_change_as_v2(&cc));
                node.with_core(move |r| r.propose_conf_change_v1(cc))?
            } else {
                let cc = ConfChangeV2 {
                    transition: p.transition,
                    changes: p.changes.clone(),
                    context: Vec::new(),
                };
                desc = conf_change_v2_text(&cc);
                node.with_core(move |r| r.propose_conf_change(cc))?
            }
        };
        if let Err(e) = res {
            // Dropped (e.g. a leadership transfer is under way): nothing changed.
            return Err(format!("leader {leader} drops the proposal ({}): {e}", p.words).into());
        }
        let index = before_last + 1;
        let accepted = self
            .nodes
            .get(&leader)
            .and_then(|n| n.entry(index))
            .is_some_and(|e| e.entry_type != EntryType::EntryNormal);
        if !accepted {
            // etcd raft does not fail the proposal: it logs why and appends an empty entry in
            // its place. Its reason is the last part of that log line.
            let reason = self
                .sink
                .lines
                .borrow()
                .iter()
                .rev()
                .find(|l| l.text.contains(" ignoring conf change "))
                .and_then(|l| l.text.rsplit_once(": ").map(|(_, r)| r.to_string()))
                .unwrap_or_else(|| "refused".to_string());
            let text = format!(
                "leader {leader} refuses the configuration change {desc} ({}): {reason}",
                p.words
            );
            self.emit(
                EventKind::Order,
                Some(leader),
                Explanation::new(
                    format!("{text}; it appends an empty entry {index} in its place"),
                    Some(section::MEMBERSHIP),
                ),
            );
            return Err(text.into());
        }
        let mut text = format!(
            "leader {leader} proposes {desc} at index {index} ({})",
            p.words
        );
        self.write(&format!("{text}\n"));
        text.push_str(
            ": every node switches to the new configuration when it applies that entry, the leader first",
        );
        self.emit(
            EventKind::Order,
            Some(leader),
            Explanation::new(text, Some(section::MEMBERSHIP)),
        );
        if let Some(id) = p.start {
            let cfg = self.node_ref(leader)?.config.clone();
            self.start_empty_node(
                id,
                cfg,
                &format!("it becomes a member once the leader applies index {index}"),
            )?;
        }
        Ok(())
    }

    /// Starts node `id` with an empty disk, as a new etcd member joins: it knows no term, no
    /// log and no configuration. One event.
    fn start_empty_node(&mut self, id: NodeId, cfg: NodeConfig, when: &str) -> CmdResult {
        let node = Node::new(id, cfg, None, self.now)?;
        self.nodes.insert(id, node);
        if let Err(e) = self.start_node(id) {
            self.nodes.remove(&id);
            return Err(e);
        }
        let text = format!("{id} starts with an empty disk, knowing no term, no log and no configuration, so it cannot campaign; {when}, and the leader, finding its log empty, sends it a snapshot");
        self.write(&format!("{id} starts with an empty disk\n"));
        self.emit(
            EventKind::Setup,
            Some(id),
            Explanation::new(text, Some(section::MEMBERSHIP)),
        );
        Ok(())
    }

    // ---- reacting to applied changes -------------------------------------------------------

    /// After node `id` applied entries: records the configurations it switched to and, with
    /// etcd server's rules, schedules its stop if it removed itself and starts members that
    /// have no process yet.
    pub(super) fn after_membership_applied(
        &mut self,
        id: NodeId,
        was_member: bool,
        was_leader: bool,
        report: &ApplyReport,
    ) -> CmdResult {
        if report.conf_changes.is_empty() {
            return Ok(());
        }
        for (index, cs) in &report.conf_changes {
            self.membership.observe(*index, cs);
        }
        if !self.membership.server_rules {
            return Ok(());
        }
        let still_member = self
            .nodes
            .get(&id)
            .and_then(Node::raw)
            .map(|r| r.raft.trk.progress.contains_key(&id));
        if was_member && still_member == Some(false) && !self.membership.shutdowns.contains_key(&id)
        {
            let ticks = REMOVED_STOP_TICKS * self.node_ref(id)?.config.tick_interval;
            let at = self.now + ticks;
            self.membership.shutdowns.insert(id, at);
            let leading = self
                .nodes
                .get(&id)
                .and_then(Node::state)
                .is_some_and(|s| s == StateType::StateLeader);
            let mut text = format!(
                "{id} applied the configuration that removes it: like etcd's server it will stop at {at}ms"
            );
            if leading {
                text.push_str("; meanwhile it leads on without counting itself in any majority (with step-down-on-removal it would have stepped down at once)");
            } else if was_leader {
                text.push_str("; it was leading and stepped down at once (step-down-on-removal)");
            }
            self.emit(
                EventKind::Membership,
                Some(id),
                Explanation::new(text, Some(section::MEMBERSHIP)),
            );
        }
        let Some((index, cs)) = self.membership.latest.clone() else {
            return Ok(());
        };
        let cfg = self.node_ref(id)?.config.clone();
        for m in members(&cs) {
            if !self.nodes.contains_key(&m) && !self.membership.removed.contains_key(&m) {
                self.start_empty_node(
                    m,
                    cfg.clone(),
                    &format!("the configuration applied at index {index} names it but it had no process, so the playground starts one"),
                )?;
            }
        }
        Ok(())
    }

    /// etcd's transport: a member that knows `m.from` was removed refuses its message, and the
    /// removed node, told so, stops at once. True when the message was refused.
    pub(super) fn refuse_removed_sender(&mut self, m: &Message) -> bool {
        if !self.membership.server_rules {
            return false;
        }
        let Some(&at) = self.membership.removed.get(&m.from) else {
            return false;
        };
        // The recipient knows once its own configuration, switched when it applied the
        // change, leaves the sender out (ids are never reused, so that is the removal).
        let knows = self.nodes.get(&m.to).and_then(Node::raw).is_some_and(|r| {
            let t = &r.raft.trk;
            !t.config.voters.ids().is_empty() && !t.progress.contains_key(&m.from)
        });
        if !knows {
            return false;
        }
        let (from, to) = (m.from, m.to);
        let text = format!(
            "{to} refuses {}: {from} was removed from the cluster at index {at}, as {to} knows (etcd's transport answers a removed member with 410 Gone)",
            message_phrase(m)
        );
        self.emit(
            EventKind::Drop,
            Some(to),
            Explanation::new(text, Some(section::MEMBERSHIP)),
        );
        if self.nodes.get(&from).is_some_and(Node::is_up) {
            self.stop_removed(from, &format!("{to} told it that it was removed"));
        }
        true
    }

    /// A removed member's process stops, keeping its disk. One event.
    fn stop_removed(&mut self, id: NodeId, why: &str) {
        self.membership.shutdowns.remove(&id);
        if let Some(n) = self.nodes.get_mut(&id) {
            n.crash();
        }
        self.network.drop_involving(id);
        self.clients_notice_down(id);
        self.emit(
            EventKind::Membership,
            Some(id),
            Explanation::new(
                format!("{id} stops ({why}): etcd's server exits with \"{REMOVED_TEXT}\""),
                Some(section::MEMBERSHIP),
            ),
        );
    }

    /// When the next removed member is due to stop.
    pub(super) fn next_shutdown(&self) -> Option<Millis> {
        self.membership
            .shutdowns
            .iter()
            .filter(|(id, _)| self.nodes.get(id).is_some_and(Node::is_up))
            .map(|(_, &t)| t)
            .min()
    }

    /// Stops a removed member whose time has come: one event, or false if none is due.
    pub(super) fn do_due_shutdown(&mut self) -> bool {
        let now = self.now;
        let due = self
            .membership
            .shutdowns
            .iter()
            .filter(|(id, &t)| t <= now && self.nodes.get(id).is_some_and(Node::is_up))
            .map(|(&id, _)| id)
            .next();
        match due {
            Some(id) => {
                self.stop_removed(id, "it applied its own removal");
                true
            }
            None => false,
        }
    }

    /// Why node `id` may not restart, if it was removed (etcd's server refuses to start a
    /// removed member).
    pub(super) fn removed_restart_refusal(&self, id: NodeId) -> Option<String> {
        if !self.membership.server_rules {
            return None;
        }
        self.membership.removed.get(&id).map(|i| {
            format!("node {id} was removed from the cluster (at index {i}): {REMOVED_TEXT}; add a node with a new id instead")
        })
    }
}

#[cfg(test)]
mod tests;
