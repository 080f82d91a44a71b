//! Membership changes as etcd's raftpb defines them: the types, their protobuf encoding (the
//! payload of `EntryConfChange`/`EntryConfChangeV2` entries, whose size drives flow control)
//! and their text forms (`v1 l2 r3 u4` in transcripts, the proto text in log lines).

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use super::wire::{put_bytes, put_tag, put_varint, read_fields, Field};
use crate::gofmt::{go_quote, parse_go_uint};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConfChangeTransition {
    #[default]
    ConfChangeTransitionAuto = 0,
    ConfChangeTransitionJointImplicit = 1,
    ConfChangeTransitionJointExplicit = 2,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConfChangeType {
    #[default]
    ConfChangeAddNode = 0,
    ConfChangeRemoveNode = 1,
    ConfChangeUpdateNode = 2,
    ConfChangeAddLearnerNode = 3,
}

/// A single membership change (the v1 API).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConfChange {
    pub id: u64,
    pub change_type: ConfChangeType,
    pub node_id: u64,
    pub context: Vec<u8>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConfChangeSingle {
    pub change_type: ConfChangeType,
    pub node_id: u64,
}

/// A set of membership changes applied together, possibly through a joint configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConfChangeV2 {
    pub transition: ConfChangeTransition,
    pub changes: Vec<ConfChangeSingle>,
    pub context: Vec<u8>,
}

impl ConfChangeV2 {
    /// Whether the change leaves a joint configuration: an automatic change with no changes (the
    /// context does not matter). etcd's `ConfChangeV2.LeaveJoint`.
    pub(crate) fn leave_joint(&self) -> bool {
        self.transition == ConfChangeTransition::ConfChangeTransitionAuto && self.changes.is_empty()
    }

    /// Whether the change enters a joint configuration, and if so whether it leaves it
    /// automatically (etcd's `ConfChangeV2.EnterJoint`).
    pub(crate) fn enter_joint(&self) -> Option<bool> {
        if self.transition != ConfChangeTransition::ConfChangeTransitionAuto
            || self.changes.len() > 1
        {
            let auto_leave = match self.transition {
                ConfChangeTransition::ConfChangeTransitionAuto
                | ConfChangeTransition::ConfChangeTransitionJointImplicit => true,
                ConfChangeTransition::ConfChangeTransitionJointExplicit => false,
            };
            return Some(auto_leave);
        }
        None
    }
}

/// etcd's `ConfChange.AsV2`: one change, automatic transition, same context.
pub fn conf_change_as_v2(cc: &ConfChange) -> ConfChangeV2 {
    ConfChangeV2 {
        transition: ConfChangeTransition::ConfChangeTransitionAuto,
        changes: vec![ConfChangeSingle {
            change_type: cc.change_type,
            node_id: cc.node_id,
        }],
        context: cc.context.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// Text forms.

/// The name etcd prints for a conf change type.
pub(crate) fn conf_change_type_name(t: ConfChangeType) -> &'static str {
    match t {
        ConfChangeType::ConfChangeAddNode => "ConfChangeAddNode",
        ConfChangeType::ConfChangeRemoveNode => "ConfChangeRemoveNode",
        ConfChangeType::ConfChangeUpdateNode => "ConfChangeUpdateNode",
        ConfChangeType::ConfChangeAddLearnerNode => "ConfChangeAddLearnerNode",
    }
}

/// The name etcd prints for a conf change transition.
pub(crate) fn conf_change_transition_name(t: ConfChangeTransition) -> &'static str {
    match t {
        ConfChangeTransition::ConfChangeTransitionAuto => "ConfChangeTransitionAuto",
        ConfChangeTransition::ConfChangeTransitionJointImplicit => {
            "ConfChangeTransitionJointImplicit"
        }
        ConfChangeTransition::ConfChangeTransitionJointExplicit => {
            "ConfChangeTransitionJointExplicit"
        }
    }
}

/// etcd's `DescribeConfChange` for a v2 change.
pub fn describe_conf_change_v2(cc: &ConfChangeV2) -> String {
    let mut b = format!("transition:{}", conf_change_transition_name(cc.transition));
    for c in &cc.changes {
        let _ = write!(
            b,
            " changes:{{type:{} node_id:{}}}",
            conf_change_type_name(c.change_type),
            c.node_id
        );
    }
    if !cc.context.is_empty() {
        let _ = write!(b, " context:{}", go_quote(&cc.context));
    }
    b
}

/// etcd's `DescribeConfChange` for a v1 change (described as its v2 equivalent).
pub fn describe_conf_change(cc: &ConfChange) -> String {
    describe_conf_change_v2(&conf_change_as_v2(cc))
}

/// etcd's `ConfChangesToString`: `v1 l2 r3 u4`.
pub fn conf_changes_to_string(ccs: &[ConfChangeSingle]) -> String {
    let toks: Vec<String> = ccs
        .iter()
        .map(|c| {
            let p = match c.change_type {
                ConfChangeType::ConfChangeAddNode => "v",
                ConfChangeType::ConfChangeAddLearnerNode => "l",
                ConfChangeType::ConfChangeRemoveNode => "r",
                ConfChangeType::ConfChangeUpdateNode => "u",
            };
            format!("{}{}", p, c.node_id)
        })
        .collect();
    toks.join(" ")
}

/// etcd's `ConfChangesFromString`: parses `v1 l2 r3 u4` (voter, learner, remove, update).
pub fn conf_changes_from_string(s: &str) -> Result<Vec<ConfChangeSingle>, String> {
    let mut out = Vec::new();
    let s = s.trim();
    if s.is_empty() {
        return Ok(out);
    }
    for tok in s.split(' ') {
        if tok.len() < 2 {
            return Err(format!("unknown token {}", tok));
        }
        let change_type = match tok.as_bytes()[0] {
            b'v' => ConfChangeType::ConfChangeAddNode,
            b'l' => ConfChangeType::ConfChangeAddLearnerNode,
            b'r' => ConfChangeType::ConfChangeRemoveNode,
            b'u' => ConfChangeType::ConfChangeUpdateNode,
            _ => return Err(format!("unknown input: {}", tok)),
        };
        let rest = &tok[1..];
        let node_id = parse_go_uint(rest)?;
        out.push(ConfChangeSingle {
            change_type,
            node_id,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// On the wire. etcd's raftpb messages are proto2 with explicit field presence; the encoders
// below emit the fields etcd's callers set (type and node id always; ids, contexts only when
// non-empty; a v2 change always carries its transition), so entry sizes match etcd's.

/// Encodes a v1 conf change as etcd stores it in an `EntryConfChange`.
pub fn marshal_conf_change(cc: &ConfChange) -> Vec<u8> {
    let mut buf = Vec::new();
    if cc.id != 0 {
        put_tag(&mut buf, 1, 0);
        put_varint(&mut buf, cc.id);
    }
    put_tag(&mut buf, 2, 0);
    put_varint(&mut buf, cc.change_type as u64);
    put_tag(&mut buf, 3, 0);
    put_varint(&mut buf, cc.node_id);
    if !cc.context.is_empty() {
        put_bytes(&mut buf, 4, &cc.context);
    }
    buf
}

/// Encodes a v2 conf change as etcd stores it in an `EntryConfChangeV2`.
pub fn marshal_conf_change_v2(cc: &ConfChangeV2) -> Vec<u8> {
    let mut buf = Vec::new();
    put_tag(&mut buf, 1, 0);
    put_varint(&mut buf, cc.transition as u64);
    for c in &cc.changes {
        let mut inner = Vec::new();
        put_tag(&mut inner, 1, 0);
        put_varint(&mut inner, c.change_type as u64);
        put_tag(&mut inner, 2, 0);
        put_varint(&mut inner, c.node_id);
        put_bytes(&mut buf, 2, &inner);
    }
    if !cc.context.is_empty() {
        put_bytes(&mut buf, 3, &cc.context);
    }
    buf
}

fn conf_change_type_from(v: u64) -> Result<ConfChangeType, String> {
    Ok(match v {
        0 => ConfChangeType::ConfChangeAddNode,
        1 => ConfChangeType::ConfChangeRemoveNode,
        2 => ConfChangeType::ConfChangeUpdateNode,
        3 => ConfChangeType::ConfChangeAddLearnerNode,
        _ => return Err(format!("proto: invalid ConfChangeType {}", v)),
    })
}

/// Decodes the payload of an `EntryConfChange`.
pub fn unmarshal_conf_change(data: &[u8]) -> Result<ConfChange, String> {
    let mut cc = ConfChange::default();
    for (field, v) in read_fields(data)? {
        match (field, v) {
            (1, Field::Varint(v)) => cc.id = v,
            (2, Field::Varint(v)) => cc.change_type = conf_change_type_from(v)?,
            (3, Field::Varint(v)) => cc.node_id = v,
            (4, Field::Bytes(b)) => cc.context = b.to_vec(),
            _ => {}
        }
    }
    Ok(cc)
}

/// Decodes the payload of an `EntryConfChangeV2` (empty data is the empty change that leaves a
/// joint configuration).
pub fn unmarshal_conf_change_v2(data: &[u8]) -> Result<ConfChangeV2, String> {
    let mut cc = ConfChangeV2::default();
    for (field, v) in read_fields(data)? {
        match (field, v) {
            (1, Field::Varint(v)) => {
                cc.transition = match v {
                    0 => ConfChangeTransition::ConfChangeTransitionAuto,
                    1 => ConfChangeTransition::ConfChangeTransitionJointImplicit,
                    2 => ConfChangeTransition::ConfChangeTransitionJointExplicit,
                    _ => return Err(format!("proto: invalid ConfChangeTransition {}", v)),
                }
            }
            (2, Field::Bytes(b)) => {
                let mut single = ConfChangeSingle::default();
                for (f2, v2) in read_fields(b)? {
                    match (f2, v2) {
                        (1, Field::Varint(v)) => single.change_type = conf_change_type_from(v)?,
                        (2, Field::Varint(v)) => single.node_id = v,
                        _ => {}
                    }
                }
                cc.changes.push(single);
            }
            (3, Field::Bytes(b)) => cc.context = b.to_vec(),
            _ => {}
        }
    }
    Ok(cc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::describe::describe_entry;
    use crate::raftpb::{Entry, EntryType};

    #[test]
    fn conf_change_entries_round_trip_and_describe() {
        let v1 = ConfChange {
            change_type: ConfChangeType::ConfChangeRemoveNode,
            node_id: 1,
            ..Default::default()
        };
        let data = marshal_conf_change(&v1);
        // Type and node id are present even when zero-valued, as etcd sets them explicitly.
        assert_eq!(data, vec![0x10, 0x01, 0x18, 0x01]);
        assert_eq!(unmarshal_conf_change(&data).unwrap(), v1);
        let e = Entry {
            term: 1,
            index: 4,
            entry_type: EntryType::EntryConfChange,
            data: data.into(),
        };
        assert_eq!(describe_entry(&e, None), "1/4 EntryConfChange r1");

        let v2 = ConfChangeV2 {
            transition: ConfChangeTransition::ConfChangeTransitionJointExplicit,
            changes: conf_changes_from_string("r1 v4").unwrap(),
            context: b"ctx".to_vec(),
        };
        let data = marshal_conf_change_v2(&v2);
        assert_eq!(unmarshal_conf_change_v2(&data).unwrap(), v2);
        let e = Entry {
            term: 1,
            index: 4,
            entry_type: EntryType::EntryConfChangeV2,
            data: data.into(),
        };
        assert_eq!(describe_entry(&e, None), "1/4 EntryConfChangeV2 r1 v4");
        // The empty change (auto-leave) has no data and no description.
        let e = Entry {
            term: 1,
            index: 6,
            entry_type: EntryType::EntryConfChangeV2,
            data: vec![].into(),
        };
        assert_eq!(describe_entry(&e, None), "1/6 EntryConfChangeV2");
        // The leave-joint change proposed through the API is two bytes (transition set to auto).
        assert_eq!(
            marshal_conf_change_v2(&ConfChangeV2::default()),
            vec![0x08, 0x00]
        );
        assert_eq!(
            describe_conf_change_v2(&v2),
            "transition:ConfChangeTransitionJointExplicit changes:{type:ConfChangeRemoveNode node_id:1} changes:{type:ConfChangeAddNode node_id:4} context:\"ctx\""
        );
        assert_eq!(
            describe_conf_change(&v1),
            "transition:ConfChangeTransitionAuto changes:{type:ConfChangeRemoveNode node_id:1}"
        );
        assert!(unmarshal_conf_change_v2(&[0x12, 0x05]).is_err());
    }

    #[test]
    fn conf_changes_from_string_errors() {
        assert!(conf_changes_from_string("  ").unwrap().is_empty());
        assert_eq!(
            conf_changes_from_string("v").unwrap_err(),
            "unknown token v"
        );
        assert_eq!(
            conf_changes_from_string("x1").unwrap_err(),
            "unknown input: x1"
        );
        assert_eq!(
            conf_changes_from_string("va").unwrap_err(),
            "strconv.ParseUint: parsing \"a\": invalid syntax"
        );
        assert_eq!(
            conf_changes_to_string(&conf_changes_from_string("v1 l2 r3 u4").unwrap()),
            "v1 l2 r3 u4"
        );
    }
}
