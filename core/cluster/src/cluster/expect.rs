//! Evaluating `expect` and `run-until` conditions against the cluster.

use raft::state::{StateType, NONE};
use raft::storage::Storage;

use crate::command::{Clause, CmpOp, Condition, Field};
use crate::network::NodeId;

use super::{membership, Cluster};

impl Cluster {
    // ---- conditions ------------------------------------------------------------------------

    /// Whether a condition holds now; if not, why.
    pub fn evaluate(&self, c: &Condition) -> Result<(), String> {
        let mut scope: Option<Vec<NodeId>> = c.nodes.clone();
        for clause in &c.clauses {
            match clause {
                Clause::Leader(Some(id)) => {
                    let n = self
                        .nodes
                        .get(id)
                        .ok_or_else(|| format!("node {id} does not exist"))?;
                    let r = &n
                        .raw()
                        .ok_or_else(|| format!("node {id} is down, not the leader"))?
                        .raft;
                    if r.state != StateType::StateLeader {
                        return Err(format!(
                            "node {id} is {} at term {} (lead {}), not the leader",
                            r.state, r.term, r.lead
                        ));
                    }
                    scope.get_or_insert_with(|| vec![*id]);
                }
                Clause::Leader(None) => {
                    let l = self
                        .leader()
                        .ok_or_else(|| format!("no node is leader ({})", self.states_text()))?;
                    scope.get_or_insert_with(|| vec![l]);
                }
                Clause::NoLeader => {
                    if let Some(l) = self.leader() {
                        return Err(format!("node {l} is leader"));
                    }
                }
                Clause::Safe => {
                    if let Some(v) = self.checker.first_violation() {
                        return Err(v.to_string());
                    }
                }
                Clause::Violation if self.checker.is_safe() => {
                    return Err("the checker found no violation".into());
                }
                Clause::Config { .. } | Clause::Joint(_) if c.nodes.is_none() => {
                    let (source, cfg) = self
                        .configuration()
                        .ok_or("no node knows a configuration")?;
                    let whose = if source == NONE {
                        "the configuration".to_string()
                    } else {
                        format!("the configuration of {source}")
                    };
                    membership::check_config_clause(&cfg, clause, &whose)?;
                }
                _ => {}
            }
        }
        let scope = scope.unwrap_or_else(|| {
            self.nodes
                .iter()
                .filter(|(_, n)| n.is_up())
                .map(|(&id, _)| id)
                .collect()
        });
        for clause in &c.clauses {
            for &id in &scope {
                let n = self
                    .nodes
                    .get(&id)
                    .ok_or_else(|| format!("node {id} does not exist"))?;
                match clause {
                    Clause::Compare { field, op, value } => {
                        let raw = n.raw().ok_or_else(|| format!("node {id} is down"))?;
                        let r = &raw.raft;
                        let v = match field {
                            Field::Term => r.term,
                            Field::Commit => r.raft_log.committed,
                            Field::Applied => r.raft_log.applied,
                            Field::Vote => r.vote,
                            Field::Lead => r.lead,
                            Field::LastIndex => r.raft_log.last_index(),
                            Field::StableIndex => raw.store().last_index().unwrap_or(0),
                            Field::AppendQueue => n.workers.append.len() as u64,
                        };
                        if !op.holds(v, *value) {
                            return Err(format!(
                                "node {id}: {} is {v}, want {}{value}",
                                field.name(),
                                if *op == CmpOp::Eq { "" } else { op.symbol() }
                            ));
                        }
                    }
                    Clause::Config { .. } | Clause::Joint(_) if c.nodes.is_some() => {
                        let r = &n.raw().ok_or_else(|| format!("node {id} is down"))?.raft;
                        membership::check_config_clause(
                            &r.trk.config,
                            clause,
                            &format!("node {id}'s configuration"),
                        )?;
                    }
                    Clause::State(s) => {
                        let st = n.state().ok_or_else(|| format!("node {id} is down"))?;
                        if st != *s {
                            return Err(format!("node {id} is {st}, want {s}"));
                        }
                    }
                    Clause::Value { key, value } => {
                        if !n.is_up() {
                            return Err(format!("node {id} is down"));
                        }
                        let got = n.kv.get(key);
                        if got != value.as_deref() {
                            let show = |v: Option<&str>| {
                                v.map_or("absent".to_string(), |v| format!("{v:?}"))
                            };
                            return Err(format!(
                                "node {id}: {key} is {}, want {}",
                                show(got),
                                show(value.as_deref())
                            ));
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    pub(super) fn states_text(&self) -> String {
        self.nodes
            .iter()
            .map(|(id, n)| match n.raw() {
                Some(r) => format!("{id} is {} at term {}", r.raft.state, r.raft.term),
                None => format!("{id} is down"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}
