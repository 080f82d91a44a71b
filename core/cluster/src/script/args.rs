//! Reading a directive's arguments: node ids, numbers, booleans, lists, each within its limit,
//! with errors that name the argument to blame ([`ArgError`]) and, placed in the script, the
//! line and column ([`ScriptError`]).

use raft::interaction::datadriven::{self, CmdArg, TestData};
use raft::interaction::parse_go_bool;
use raft::raftpb::ConfChangeTransition;

use crate::limits;
use crate::network::NodeId;

/// A script that cannot run: where, and why. It is the datadriven reader's own error (line,
/// column, message), so a malformed directive and a command that does not parse are one type.
pub type ScriptError = datadriven::ParseError;

/// A command that does not parse: which argument (for the column) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgError {
    /// Index into the directive's arguments, when one argument is to blame.
    pub arg: Option<usize>,
    pub message: String,
}

impl ArgError {
    pub(super) fn new(message: impl Into<String>) -> Self {
        ArgError {
            arg: None,
            message: message.into(),
        }
    }

    pub(super) fn at(arg: usize, message: impl Into<String>) -> Self {
        ArgError {
            arg: Some(arg),
            message: message.into(),
        }
    }

    /// Places the error in the script: the line of the directive and the column of the
    /// argument (found again in the source line), or of the command.
    pub(super) fn locate(self, text: &str, d: &TestData) -> ScriptError {
        let line_text = text.lines().nth(d.line.saturating_sub(1)).unwrap_or("");
        let indent = line_text.len() - line_text.trim_start().len();
        let mut column = indent + 1;
        if let Some(i) = self.arg {
            // Find the i-th argument's key after the command name, in order.
            let mut pos = indent + d.cmd.len();
            for (j, a) in d.cmd_args.iter().enumerate() {
                let Some(found) = line_text
                    .get(pos..)
                    .and_then(|rest| rest.find(a.key.as_str()))
                else {
                    break;
                };
                pos += found;
                if j == i {
                    column = pos + 1;
                    break;
                }
                pos += a.key.len();
            }
        }
        ScriptError {
            line: d.line,
            column,
            message: self.message,
        }
    }
}

pub(super) fn parse_id(s: &str) -> Result<NodeId, String> {
    match s.parse::<u64>() {
        Ok(0) => Err("node ids start at 1".into()),
        Ok(n) => check_id(n),
        Err(_) => Err(format!("invalid node id {s:?}")),
    }
}

/// A node id within [`limits::MAX_NODE_ID`].
pub(super) fn check_id(n: u64) -> Result<NodeId, String> {
    if n > limits::MAX_NODE_ID {
        return Err(format!(
            "node id {n} is over the limit of {} (ids run from 1 to {})",
            limits::MAX_NODE_ID,
            limits::MAX_NODE_ID
        ));
    }
    Ok(n)
}

pub(super) fn parse_u64(s: &str) -> Result<u64, String> {
    s.parse::<u64>()
        .map_err(|_| format!("invalid number {s:?}"))
}

/// A boolean as etcd's harness reads one (Go's `strconv.ParseBool`: `true`, `t`, `1`, `FALSE`,
/// ...), so etcd's transcripts and our scripts accept the same words; the error is ours.
pub(super) fn parse_bool(s: &str) -> Result<bool, String> {
    parse_go_bool(s).map_err(|_| format!("invalid boolean {s:?}"))
}

/// `read-only=lease-based|safe`: whether reads are served from the leader's lease.
pub(super) fn parse_lease_reads(v: &str) -> Result<bool, String> {
    match v {
        "lease-based" => Ok(true),
        "safe" => Ok(false),
        _ => Err(format!("invalid read-only option {v:?}")),
    }
}

/// `(1 2 3)`, `(1, 2, 3)` or `1,2,3` as ids: the reader hands over the list's items, each of
/// which may still hold spaces.
pub(super) fn parse_id_list(vals: &[String]) -> Result<Vec<NodeId>, String> {
    let mut out = Vec::new();
    for v in vals {
        for tok in v
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
        {
            out.push(parse_id(tok)?);
        }
    }
    Ok(out)
}

pub(super) fn one_val(a: &CmdArg, i: usize) -> Result<&str, ArgError> {
    match a.vals.as_slice() {
        [v] => Ok(v),
        _ => Err(ArgError::at(
            i,
            format!("{}: want exactly one value", a.key),
        )),
    }
}

/// The bare arguments as node ids.
pub(super) fn bare_ids(d: &TestData) -> Result<Vec<NodeId>, ArgError> {
    let mut out = Vec::new();
    for (i, a) in d.cmd_args.iter().enumerate() {
        if a.vals.is_empty() {
            out.push(parse_id(&a.key).map_err(|e| ArgError::at(i, e))?);
        }
    }
    Ok(out)
}

/// The first argument as a node id.
pub(super) fn first_id(d: &TestData) -> Result<NodeId, ArgError> {
    let a = d
        .cmd_args
        .first()
        .ok_or_else(|| ArgError::new(format!("{}: missing node id", d.cmd)))?;
    if !a.vals.is_empty() {
        return Err(ArgError::at(0, format!("{}: want a node id first", d.cmd)));
    }
    parse_id(&a.key).map_err(|e| ArgError::at(0, e))
}

/// Exactly one node id, nothing else.
pub(super) fn only_id(d: &TestData) -> Result<NodeId, ArgError> {
    let id = first_id(d)?;
    if d.cmd_args.len() > 1 {
        return Err(ArgError::at(
            1,
            format!("{}: unexpected argument {}", d.cmd, d.cmd_args[1]),
        ));
    }
    Ok(id)
}

pub(super) fn no_args(d: &TestData) -> Result<(), ArgError> {
    match d.cmd_args.first() {
        None => Ok(()),
        Some(a) => Err(ArgError::at(
            0,
            format!("{}: unexpected argument {a}", d.cmd),
        )),
    }
}

pub(super) fn named<'a>(d: &'a TestData, key: &str) -> Option<(usize, &'a CmdArg)> {
    d.cmd_args.iter().enumerate().find(|(_, a)| a.key == key)
}

pub(super) fn parse_transition(v: &str) -> Result<ConfChangeTransition, String> {
    match v {
        "auto" => Ok(ConfChangeTransition::ConfChangeTransitionAuto),
        "implicit" => Ok(ConfChangeTransition::ConfChangeTransitionJointImplicit),
        "explicit" => Ok(ConfChangeTransition::ConfChangeTransitionJointExplicit),
        _ => Err(format!(
            "unknown transition {v}: want auto, explicit or implicit"
        )),
    }
}
