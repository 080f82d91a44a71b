//! `expect` and `run-until` conditions as scripts write them: `leader=1`, `committed>=5`,
//! `state=StateLeader`, `value x=5 y`, `voters=(1 2 3)`, `nodes=(1 2)`.

use raft::interaction::datadriven::CmdArg;
use raft::state::StateType;

use crate::command::{Clause, CmpOp, Condition, ConfigSet, Field};

use super::args::{parse_bool, parse_id, parse_id_list, ArgError};

fn state_from_name(s: &str) -> Option<StateType> {
    Some(match s {
        "StateFollower" | "follower" => StateType::StateFollower,
        "StateCandidate" | "candidate" => StateType::StateCandidate,
        "StateLeader" | "leader" => StateType::StateLeader,
        "StatePreCandidate" | "pre-candidate" | "precandidate" => StateType::StatePreCandidate,
        _ => return None,
    })
}

impl Condition {
    /// Reads the clauses among `args`, skipping the keys in `reserved` (a command's own
    /// options, such as `run-until`'s `max=`).
    pub(super) fn parse(args: &[CmdArg], reserved: &[&str]) -> Result<Condition, ArgError> {
        let mut clauses = Vec::new();
        let mut nodes = None;
        let mut values = false;
        for (i, a) in args.iter().enumerate() {
            let err = |m: String| ArgError::at(i, m);
            if reserved.contains(&a.key.as_str()) {
                continue;
            }
            if a.key == "nodes" {
                nodes = Some(parse_id_list(&a.vals).map_err(err)?);
                continue;
            }
            if values {
                match a.vals.as_slice() {
                    [] => clauses.push(Clause::Value {
                        key: a.key.clone(),
                        value: None,
                    }),
                    [v] => clauses.push(Clause::Value {
                        key: a.key.clone(),
                        value: Some(v.clone()),
                    }),
                    _ => return Err(err(format!("{a}: one value per key"))),
                }
                continue;
            }
            match (a.key.as_str(), a.vals.as_slice()) {
                ("leader", []) => clauses.push(Clause::Leader(None)),
                ("leader", [v]) if v == "none" => clauses.push(Clause::NoLeader),
                ("leader", [v]) => clauses.push(Clause::Leader(Some(parse_id(v).map_err(err)?))),
                ("safe", []) => clauses.push(Clause::Safe),
                ("violation", []) | ("unsafe", []) => clauses.push(Clause::Violation),
                ("value", []) => values = true,
                ("voters", _) | ("outgoing", _) | ("learners", _) if !a.vals.is_empty() => {
                    let set = match a.key.as_str() {
                        "voters" => ConfigSet::Voters,
                        "outgoing" => ConfigSet::Outgoing,
                        _ => ConfigSet::Learners,
                    };
                    let mut ids = parse_id_list(&a.vals).map_err(err)?;
                    ids.sort_unstable();
                    ids.dedup();
                    clauses.push(Clause::Config { set, ids });
                }
                ("joint", []) => clauses.push(Clause::Joint(true)),
                ("joint", [v]) => clauses.push(Clause::Joint(parse_bool(v).map_err(err)?)),
                ("state", [v]) => clauses.push(Clause::State(
                    state_from_name(v).ok_or_else(|| err(format!("unknown state {v}")))?,
                )),
                _ => clauses.push(parse_comparison(&a.to_string()).map_err(err)?),
            }
        }
        if clauses.is_empty() {
            return Err(ArgError::new(
                "nothing to check: use e.g. leader=1, term=2, committed>=5, state=StateLeader, value x=5, safe",
            ));
        }
        Ok(Condition { clauses, nodes })
    }
}

/// `committed>=5` and friends (the datadriven reader has already split at the first `=`, so
/// the argument is rebuilt as text first).
fn parse_comparison(s: &str) -> Result<Clause, String> {
    let pos = s
        .find(['=', '!', '<', '>'])
        .ok_or_else(|| format!("cannot read condition {s:?}: want e.g. committed>=5"))?;
    let (name, rest) = s.split_at(pos);
    let field = Field::from_name(name).ok_or_else(|| {
        format!("unknown field {name:?}: want term, committed, applied, vote, lead, last-index, stable-index or append-queue")
    })?;
    let (op, num) = [
        CmpOp::Ge,
        CmpOp::Le,
        CmpOp::Ne,
        CmpOp::Eq,
        CmpOp::Gt,
        CmpOp::Lt,
    ]
    .into_iter()
    .find_map(|op| rest.strip_prefix(op.symbol()).map(|n| (op, n)))
    .ok_or_else(|| format!("cannot read condition {s:?}"))?;
    let value = num
        .parse::<u64>()
        .map_err(|_| format!("{s}: {num:?} is not a number"))?;
    Ok(Clause::Compare { field, op, value })
}
