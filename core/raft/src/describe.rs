//! Text descriptions of Raft's data, byte-identical to etcd raft's `Describe*` functions and
//! `String()` methods (v3.7.0). The interaction transcripts print these, so every space counts.
//!
//! Also here: Go's `%q` quoting (entry payloads are printed with it) and the protobuf encoding of
//! conf changes that etcd stores in `EntryConfChange`/`EntryConfChangeV2` entries (the describer
//! decodes it; entry sizes, which drive flow control, depend on it).

use crate::raftpb::{
    ConfChange, ConfChangeSingle, ConfChangeTransition, ConfChangeType, ConfChangeV2, ConfState,
    Entry, EntryType, HardState, Message, Snapshot,
};
use crate::rawnode::Ready;
use crate::state::{ReadState, SoftState};
use crate::util::{LOCAL_APPEND_THREAD, LOCAL_APPLY_THREAD};
use std::fmt::Write;

/// Formats entry payloads; `None` means Go's `%q` (etcd's default formatter).
pub type EntryFormatter<'a> = Option<&'a dyn Fn(&[u8]) -> String>;

/// etcd's `DescribeHardState`.
pub fn describe_hard_state(hs: &HardState) -> String {
    let mut s = format!("Term:{}", hs.term);
    if hs.vote != 0 {
        let _ = write!(s, " Vote:{}", hs.vote);
    }
    let _ = write!(s, " Commit:{}", hs.commit);
    s
}

/// etcd's `DescribeSoftState`.
pub fn describe_soft_state(ss: &SoftState) -> String {
    format!("Lead:{} State:{}", ss.lead, ss.raft_state)
}

/// Go's `%v` of a `[]uint64`: `[1 2 3]`.
pub fn go_slice<T: std::fmt::Display>(v: &[T]) -> String {
    let items: Vec<String> = v.iter().map(|x| x.to_string()).collect();
    format!("[{}]", items.join(" "))
}

/// etcd's `DescribeConfState`.
pub fn describe_conf_state(cs: &ConfState) -> String {
    format!(
        "Voters:{} VotersOutgoing:{} Learners:{} LearnersNext:{} AutoLeave:{}",
        go_slice(&cs.voters),
        go_slice(&cs.voters_outgoing),
        go_slice(&cs.learners),
        go_slice(&cs.learners_next),
        cs.auto_leave
    )
}

/// etcd's `DescribeSnapshot`.
pub fn describe_snapshot(snap: &Snapshot) -> String {
    let m = &snap.metadata;
    format!(
        "Index:{} Term:{} ConfState:{}",
        m.index,
        m.term,
        describe_conf_state(&m.conf_state)
    )
}

/// Go's `%v` of a `[]ReadState`: `[{index [bytes as decimals]} ...]`.
fn describe_read_states(rs: &[ReadState]) -> String {
    let items: Vec<String> = rs
        .iter()
        .map(|r| format!("{{{} {}}}", r.index, go_slice(&r.request_ctx)))
        .collect();
    format!("[{}]", items.join(" "))
}

/// etcd's `DescribeReady`.
pub fn describe_ready(rd: &Ready, f: EntryFormatter<'_>) -> String {
    let mut buf = String::new();
    if let Some(ss) = &rd.soft_state {
        buf.push_str(&describe_soft_state(ss));
        buf.push('\n');
    }
    if !rd.hard_state.is_empty() {
        let _ = writeln!(buf, "HardState {}", describe_hard_state(&rd.hard_state));
    }
    if !rd.read_states.is_empty() {
        let _ = writeln!(buf, "ReadStates {}", describe_read_states(&rd.read_states));
    }
    if !rd.entries.is_empty() {
        buf.push_str("Entries:\n");
        buf.push_str(&describe_entries(&rd.entries, f));
    }
    if !rd.snapshot.is_empty() {
        let _ = writeln!(buf, "Snapshot {}", describe_snapshot(&rd.snapshot));
    }
    if !rd.committed_entries.is_empty() {
        buf.push_str("CommittedEntries:\n");
        buf.push_str(&describe_entries(&rd.committed_entries, f));
    }
    if !rd.messages.is_empty() {
        buf.push_str("Messages:\n");
        for m in &rd.messages {
            buf.push_str(&describe_message(m, f));
            buf.push('\n');
        }
    }
    if buf.is_empty() {
        "<empty Ready>".to_string()
    } else {
        format!("Ready MustSync={}:\n{}", rd.must_sync, buf)
    }
}

/// etcd's `describeTarget`: a node id in hex, or the name of a special target.
pub fn describe_target(id: u64) -> String {
    match id {
        0 => "None".to_string(),
        LOCAL_APPEND_THREAD => "AppendThread".to_string(),
        LOCAL_APPLY_THREAD => "ApplyThread".to_string(),
        _ => format!("{:x}", id),
    }
}

/// etcd's `DescribeMessage`.
pub fn describe_message(m: &Message, f: EntryFormatter<'_>) -> String {
    describe_message_with_indent("", m, f)
}

fn describe_message_with_indent(indent: &str, m: &Message, f: EntryFormatter<'_>) -> String {
    let mut buf = format!(
        "{}{}->{} {} Term:{} Log:{}/{}",
        indent,
        describe_target(m.from),
        describe_target(m.to),
        m.msg_type,
        m.term,
        m.log_term,
        m.index
    );
    if m.reject {
        let _ = write!(buf, " Rejected (Hint: {})", m.reject_hint);
    }
    if m.commit != 0 {
        let _ = write!(buf, " Commit:{}", m.commit);
    }
    if m.vote != 0 {
        let _ = write!(buf, " Vote:{}", m.vote);
    }
    if m.entries.len() == 1 {
        let _ = write!(buf, " Entries:[{}]", describe_entry(&m.entries[0], f));
    } else if m.entries.len() > 1 {
        buf.push_str(" Entries:[");
        for e in &m.entries {
            let _ = write!(buf, "\n{}  {}", indent, describe_entry(e, f));
        }
        let _ = write!(buf, "\n{}]", indent);
    }
    if let Some(s) = &m.snapshot {
        if !s.is_empty() {
            let _ = write!(buf, "\n{}  Snapshot: {}", indent, describe_snapshot(s));
        }
    }
    if !m.responses.is_empty() {
        buf.push_str(" Responses:[");
        for r in &m.responses {
            buf.push('\n');
            buf.push_str(&describe_message_with_indent(
                &format!("{}  ", indent),
                r,
                f,
            ));
        }
        let _ = write!(buf, "\n{}]", indent);
    }
    buf
}

/// The name etcd prints for an entry type.
pub fn entry_type_name(t: EntryType) -> &'static str {
    match t {
        EntryType::EntryNormal => "EntryNormal",
        EntryType::EntryConfChange => "EntryConfChange",
        EntryType::EntryConfChangeV2 => "EntryConfChangeV2",
    }
}

/// The name etcd prints for a conf change type.
pub fn conf_change_type_name(t: ConfChangeType) -> &'static str {
    match t {
        ConfChangeType::ConfChangeAddNode => "ConfChangeAddNode",
        ConfChangeType::ConfChangeRemoveNode => "ConfChangeRemoveNode",
        ConfChangeType::ConfChangeUpdateNode => "ConfChangeUpdateNode",
        ConfChangeType::ConfChangeAddLearnerNode => "ConfChangeAddLearnerNode",
    }
}

/// The name etcd prints for a conf change transition.
pub fn conf_change_transition_name(t: ConfChangeTransition) -> &'static str {
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

/// etcd's `DescribeEntry`.
pub fn describe_entry(e: &Entry, f: EntryFormatter<'_>) -> String {
    let formatted = match e.entry_type {
        EntryType::EntryNormal => match f {
            Some(f) => f(&e.data),
            None => go_quote(&e.data),
        },
        EntryType::EntryConfChange => match unmarshal_conf_change(&e.data) {
            Ok(cc) => conf_changes_to_string(&conf_change_as_v2(&cc).changes),
            Err(err) => err,
        },
        EntryType::EntryConfChangeV2 => match unmarshal_conf_change_v2(&e.data) {
            Ok(cc) => conf_changes_to_string(&cc.changes),
            Err(err) => err,
        },
    };
    let sep = if formatted.is_empty() { "" } else { " " };
    format!(
        "{}/{} {}{}{}",
        e.term,
        e.index,
        entry_type_name(e.entry_type),
        sep,
        formatted
    )
}

/// etcd's `DescribeEntries`: one described entry per line.
pub fn describe_entries(ents: &[Entry], f: EntryFormatter<'_>) -> String {
    let mut buf = String::new();
    for e in ents {
        buf.push_str(&describe_entry(e, f));
        buf.push('\n');
    }
    buf
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

/// `strconv.ParseUint(s, 10, 64)` with Go's error texts.
pub fn parse_go_uint(s: &str) -> Result<u64, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "strconv.ParseUint: parsing {}: invalid syntax",
            go_quote(s.as_bytes())
        ));
    }
    s.parse::<u64>().map_err(|_| {
        format!(
            "strconv.ParseUint: parsing {}: value out of range",
            go_quote(s.as_bytes())
        )
    })
}

// ---------------------------------------------------------------------------------------------
// Conf changes on the wire. etcd's raftpb messages are proto2 with explicit field presence; the
// encoders below emit the fields etcd's callers set (type and node id always; ids, contexts only
// when non-empty; a v2 change always carries its transition), so entry sizes match etcd's.

fn put_varint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

fn put_tag(buf: &mut Vec<u8>, field: u64, wire: u64) {
    put_varint(buf, (field << 3) | wire);
}

fn put_bytes(buf: &mut Vec<u8>, field: u64, b: &[u8]) {
    put_tag(buf, field, 2);
    put_varint(buf, b.len() as u64);
    buf.extend_from_slice(b);
}

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

/// A minimal protobuf reader: (field number, value) pairs of varint and length-delimited fields.
enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

fn read_fields(mut b: &[u8]) -> Result<Vec<(u64, Field<'_>)>, String> {
    fn varint(b: &mut &[u8]) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = b.split_first().ok_or("proto: unexpected end of data")?;
            *b = rest;
            v |= ((byte & 0x7f) as u64) << shift;
            if byte < 0x80 {
                return Ok(v);
            }
        }
        Err("proto: integer overflow".to_string())
    }
    let mut out = Vec::new();
    while !b.is_empty() {
        let key = varint(&mut b)?;
        let (field, wire) = (key >> 3, key & 7);
        match wire {
            0 => out.push((field, Field::Varint(varint(&mut b)?))),
            2 => {
                let n = varint(&mut b)? as usize;
                if n > b.len() {
                    return Err("proto: unexpected end of data".to_string());
                }
                out.push((field, Field::Bytes(&b[..n])));
                b = &b[n..];
            }
            1 if b.len() >= 8 => b = &b[8..],
            5 if b.len() >= 4 => b = &b[4..],
            _ => {
                return Err(format!(
                    "proto: cannot parse invalid wire-format data (wire type {})",
                    wire
                ))
            }
        }
    }
    Ok(out)
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

// ---------------------------------------------------------------------------------------------
// Go's `%q` for byte strings (`strconv.Quote`): printable runes verbatim, the C escapes, `\xNN`
// for control bytes and invalid UTF-8, `\uNNNN`/`\UNNNNNNNN` for other non-printable runes.

/// Quotes `data` exactly as Go's `fmt.Sprintf("%q", data)` does.
pub fn go_quote(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len() + 2);
    out.push('"');
    for chunk in data.utf8_chunks() {
        for c in chunk.valid().chars() {
            push_escaped_rune(&mut out, c);
        }
        // Go decodes an invalid sequence one byte at a time; none of the following bytes of a
        // sequence Rust groups as invalid can start a valid rune, so each becomes `\xNN`.
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{:02x}", b);
        }
    }
    out.push('"');
    out
}

fn push_escaped_rune(out: &mut String, c: char) {
    if c == '"' || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if go_is_print(c) {
        out.push(c);
        return;
    }
    match c {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        _ => {
            let r = c as u32;
            if r < 0x20 || r == 0x7f {
                let _ = write!(out, "\\x{:02x}", r);
            } else if r < 0x10000 {
                let _ = write!(out, "\\u{:04x}", r);
            } else {
                let _ = write!(out, "\\U{:08x}", r);
            }
        }
    }
}

/// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
pub fn go_is_print(c: char) -> bool {
    let r = c as u32;
    if r <= 0xff {
        return (0x20..=0x7e).contains(&r) || ((0xa1..=0xff).contains(&r) && r != 0xad);
    }
    // The tables list [lo, hi] pairs of printable ranges, minus single exceptions.
    fn in_ranges<T: Ord + Copy>(ranges: &[T], x: T) -> bool {
        let i = ranges.partition_point(|&v| v < x);
        i < ranges.len() && x >= ranges[i & !1] && x <= ranges[i | 1]
    }
    if r < 0x10000 {
        let rr = r as u16;
        return in_ranges(&IS_PRINT16, rr) && IS_NOT_PRINT16.binary_search(&rr).is_err();
    }
    if !in_ranges(&IS_PRINT32, r) {
        return false;
    }
    r >= 0x20000
        || IS_NOT_PRINT32
            .binary_search(&((r - 0x10000) as u16))
            .is_err()
}

// Go's strconv printability tables (generated there from the Unicode database): printable
// ranges as lo/hi pairs, and single non-printable runes inside those ranges (the 32-bit
// exceptions are stored minus 0x10000).
const IS_PRINT16: [u16; 412] = [
    0x0020, 0x007e, 0x00a1, 0x0377, 0x037a, 0x037f, 0x0384, 0x0556, 0x0559, 0x058a, 0x058d, 0x05c7,
    0x05d0, 0x05ea, 0x05ef, 0x05f4, 0x0606, 0x070d, 0x0710, 0x074a, 0x074d, 0x07b1, 0x07c0, 0x07fa,
    0x07fd, 0x082d, 0x0830, 0x085b, 0x085e, 0x086a, 0x0870, 0x088f, 0x0897, 0x098c, 0x098f, 0x0990,
    0x0993, 0x09b2, 0x09b6, 0x09b9, 0x09bc, 0x09c4, 0x09c7, 0x09c8, 0x09cb, 0x09ce, 0x09d7, 0x09d7,
    0x09dc, 0x09e3, 0x09e6, 0x09fe, 0x0a01, 0x0a0a, 0x0a0f, 0x0a10, 0x0a13, 0x0a39, 0x0a3c, 0x0a42,
    0x0a47, 0x0a48, 0x0a4b, 0x0a4d, 0x0a51, 0x0a51, 0x0a59, 0x0a5e, 0x0a66, 0x0a76, 0x0a81, 0x0ab9,
    0x0abc, 0x0acd, 0x0ad0, 0x0ad0, 0x0ae0, 0x0ae3, 0x0ae6, 0x0af1, 0x0af9, 0x0b0c, 0x0b0f, 0x0b10,
    0x0b13, 0x0b39, 0x0b3c, 0x0b44, 0x0b47, 0x0b48, 0x0b4b, 0x0b4d, 0x0b55, 0x0b57, 0x0b5c, 0x0b63,
    0x0b66, 0x0b77, 0x0b82, 0x0b8a, 0x0b8e, 0x0b95, 0x0b99, 0x0b9f, 0x0ba3, 0x0ba4, 0x0ba8, 0x0baa,
    0x0bae, 0x0bb9, 0x0bbe, 0x0bc2, 0x0bc6, 0x0bcd, 0x0bd0, 0x0bd0, 0x0bd7, 0x0bd7, 0x0be6, 0x0bfa,
    0x0c00, 0x0c39, 0x0c3c, 0x0c4d, 0x0c55, 0x0c5d, 0x0c60, 0x0c63, 0x0c66, 0x0c6f, 0x0c77, 0x0cb9,
    0x0cbc, 0x0ccd, 0x0cd5, 0x0cd6, 0x0cdc, 0x0ce3, 0x0ce6, 0x0cf3, 0x0d00, 0x0d4f, 0x0d54, 0x0d63,
    0x0d66, 0x0d96, 0x0d9a, 0x0dbd, 0x0dc0, 0x0dc6, 0x0dca, 0x0dca, 0x0dcf, 0x0ddf, 0x0de6, 0x0def,
    0x0df2, 0x0df4, 0x0e01, 0x0e3a, 0x0e3f, 0x0e5b, 0x0e81, 0x0ebd, 0x0ec0, 0x0ed9, 0x0edc, 0x0edf,
    0x0f00, 0x0f6c, 0x0f71, 0x0fda, 0x1000, 0x10c7, 0x10cd, 0x10cd, 0x10d0, 0x124d, 0x1250, 0x125d,
    0x1260, 0x128d, 0x1290, 0x12b5, 0x12b8, 0x12c5, 0x12c8, 0x1315, 0x1318, 0x135a, 0x135d, 0x137c,
    0x1380, 0x1399, 0x13a0, 0x13f5, 0x13f8, 0x13fd, 0x1400, 0x169c, 0x16a0, 0x16f8, 0x1700, 0x1715,
    0x171f, 0x1736, 0x1740, 0x1753, 0x1760, 0x1773, 0x1780, 0x17dd, 0x17e0, 0x17e9, 0x17f0, 0x17f9,
    0x1800, 0x1819, 0x1820, 0x1878, 0x1880, 0x18aa, 0x18b0, 0x18f5, 0x1900, 0x192b, 0x1930, 0x193b,
    0x1940, 0x1940, 0x1944, 0x196d, 0x1970, 0x1974, 0x1980, 0x19ab, 0x19b0, 0x19c9, 0x19d0, 0x19da,
    0x19de, 0x1a1b, 0x1a1e, 0x1a7c, 0x1a7f, 0x1a89, 0x1a90, 0x1a99, 0x1aa0, 0x1aad, 0x1ab0, 0x1add,
    0x1ae0, 0x1aeb, 0x1b00, 0x1bf3, 0x1bfc, 0x1c37, 0x1c3b, 0x1c49, 0x1c4d, 0x1c8a, 0x1c90, 0x1cba,
    0x1cbd, 0x1cc7, 0x1cd0, 0x1cfa, 0x1d00, 0x1f15, 0x1f18, 0x1f1d, 0x1f20, 0x1f45, 0x1f48, 0x1f4d,
    0x1f50, 0x1f7d, 0x1f80, 0x1fd3, 0x1fd6, 0x1fef, 0x1ff2, 0x1ffe, 0x2010, 0x2027, 0x2030, 0x205e,
    0x2070, 0x2071, 0x2074, 0x209c, 0x20a0, 0x20c1, 0x20d0, 0x20f0, 0x2100, 0x218b, 0x2190, 0x2429,
    0x2440, 0x244a, 0x2460, 0x2b73, 0x2b76, 0x2cf3, 0x2cf9, 0x2d27, 0x2d2d, 0x2d2d, 0x2d30, 0x2d67,
    0x2d6f, 0x2d70, 0x2d7f, 0x2d96, 0x2da0, 0x2e5d, 0x2e80, 0x2ef3, 0x2f00, 0x2fd5, 0x2ff0, 0x3096,
    0x3099, 0x30ff, 0x3105, 0x31e5, 0x31ef, 0xa48c, 0xa490, 0xa4c6, 0xa4d0, 0xa62b, 0xa640, 0xa6f7,
    0xa700, 0xa7dc, 0xa7f1, 0xa82c, 0xa830, 0xa839, 0xa840, 0xa877, 0xa880, 0xa8c5, 0xa8ce, 0xa8d9,
    0xa8e0, 0xa953, 0xa95f, 0xa97c, 0xa980, 0xa9d9, 0xa9de, 0xaa36, 0xaa40, 0xaa4d, 0xaa50, 0xaa59,
    0xaa5c, 0xaac2, 0xaadb, 0xaaf6, 0xab01, 0xab06, 0xab09, 0xab0e, 0xab11, 0xab16, 0xab20, 0xab6b,
    0xab70, 0xabed, 0xabf0, 0xabf9, 0xac00, 0xd7a3, 0xd7b0, 0xd7c6, 0xd7cb, 0xd7fb, 0xf900, 0xfa6d,
    0xfa70, 0xfad9, 0xfb00, 0xfb06, 0xfb13, 0xfb17, 0xfb1d, 0xfdcf, 0xfdf0, 0xfe19, 0xfe20, 0xfe6b,
    0xfe70, 0xfefc, 0xff01, 0xffbe, 0xffc2, 0xffc7, 0xffca, 0xffcf, 0xffd2, 0xffd7, 0xffda, 0xffdc,
    0xffe0, 0xffee, 0xfffc, 0xfffd,
];

const IS_NOT_PRINT16: [u16; 132] = [
    0x00ad, 0x038b, 0x038d, 0x03a2, 0x0530, 0x0590, 0x061c, 0x06dd, 0x083f, 0x085f, 0x08e2, 0x0984,
    0x09a9, 0x09b1, 0x09de, 0x0a04, 0x0a29, 0x0a31, 0x0a34, 0x0a37, 0x0a3d, 0x0a5d, 0x0a84, 0x0a8e,
    0x0a92, 0x0aa9, 0x0ab1, 0x0ab4, 0x0ac6, 0x0aca, 0x0b00, 0x0b04, 0x0b29, 0x0b31, 0x0b34, 0x0b5e,
    0x0b84, 0x0b91, 0x0b9b, 0x0b9d, 0x0bc9, 0x0c0d, 0x0c11, 0x0c29, 0x0c45, 0x0c49, 0x0c57, 0x0c5b,
    0x0c8d, 0x0c91, 0x0ca9, 0x0cb4, 0x0cc5, 0x0cc9, 0x0cdf, 0x0cf0, 0x0d0d, 0x0d11, 0x0d45, 0x0d49,
    0x0d80, 0x0d84, 0x0db2, 0x0dbc, 0x0dd5, 0x0dd7, 0x0e83, 0x0e85, 0x0e8b, 0x0ea4, 0x0ea6, 0x0ec5,
    0x0ec7, 0x0ecf, 0x0f48, 0x0f98, 0x0fbd, 0x0fcd, 0x10c6, 0x1249, 0x1257, 0x1259, 0x1289, 0x12b1,
    0x12bf, 0x12c1, 0x12d7, 0x1311, 0x1680, 0x176d, 0x1771, 0x180e, 0x191f, 0x1a5f, 0x1b4d, 0x1f58,
    0x1f5a, 0x1f5c, 0x1f5e, 0x1fb5, 0x1fc5, 0x1fdc, 0x1ff5, 0x208f, 0x2d26, 0x2da7, 0x2daf, 0x2db7,
    0x2dbf, 0x2dc7, 0x2dcf, 0x2dd7, 0x2ddf, 0x2e9a, 0x3000, 0x3040, 0x3130, 0x318f, 0x321f, 0xa9ce,
    0xa9ff, 0xab27, 0xab2f, 0xfb37, 0xfb3d, 0xfb3f, 0xfb42, 0xfb45, 0xfe53, 0xfe67, 0xfe75, 0xffe7,
];

const IS_PRINT32: [u32; 566] = [
    0x010000, 0x01004d, 0x010050, 0x01005d, 0x010080, 0x0100fa, 0x010100, 0x010102, 0x010107,
    0x010133, 0x010137, 0x01019c, 0x0101a0, 0x0101a0, 0x0101d0, 0x0101fd, 0x010280, 0x01029c,
    0x0102a0, 0x0102d0, 0x0102e0, 0x0102fb, 0x010300, 0x010323, 0x01032d, 0x01034a, 0x010350,
    0x01037a, 0x010380, 0x0103c3, 0x0103c8, 0x0103d5, 0x010400, 0x01049d, 0x0104a0, 0x0104a9,
    0x0104b0, 0x0104d3, 0x0104d8, 0x0104fb, 0x010500, 0x010527, 0x010530, 0x010563, 0x01056f,
    0x0105bc, 0x0105c0, 0x0105f3, 0x010600, 0x010736, 0x010740, 0x010755, 0x010760, 0x010767,
    0x010780, 0x0107ba, 0x010800, 0x010805, 0x010808, 0x010838, 0x01083c, 0x01083c, 0x01083f,
    0x01089e, 0x0108a7, 0x0108af, 0x0108e0, 0x0108f5, 0x0108fb, 0x01091b, 0x01091f, 0x010939,
    0x01093f, 0x010959, 0x010980, 0x0109b7, 0x0109bc, 0x0109cf, 0x0109d2, 0x010a06, 0x010a0c,
    0x010a35, 0x010a38, 0x010a3a, 0x010a3f, 0x010a48, 0x010a50, 0x010a58, 0x010a60, 0x010a9f,
    0x010ac0, 0x010ae6, 0x010aeb, 0x010af6, 0x010b00, 0x010b35, 0x010b39, 0x010b55, 0x010b58,
    0x010b72, 0x010b78, 0x010b91, 0x010b99, 0x010b9c, 0x010ba9, 0x010baf, 0x010c00, 0x010c48,
    0x010c80, 0x010cb2, 0x010cc0, 0x010cf2, 0x010cfa, 0x010d27, 0x010d30, 0x010d39, 0x010d40,
    0x010d65, 0x010d69, 0x010d85, 0x010d8e, 0x010d8f, 0x010e60, 0x010ead, 0x010eb0, 0x010eb1,
    0x010ec2, 0x010ec7, 0x010ed0, 0x010ed8, 0x010efa, 0x010f27, 0x010f30, 0x010f59, 0x010f70,
    0x010f89, 0x010fb0, 0x010fcb, 0x010fe0, 0x010ff6, 0x011000, 0x01104d, 0x011052, 0x011075,
    0x01107f, 0x0110c2, 0x0110d0, 0x0110e8, 0x0110f0, 0x0110f9, 0x011100, 0x011147, 0x011150,
    0x011176, 0x011180, 0x0111f4, 0x011200, 0x011241, 0x011280, 0x0112a9, 0x0112b0, 0x0112ea,
    0x0112f0, 0x0112f9, 0x011300, 0x01130c, 0x01130f, 0x011310, 0x011313, 0x011344, 0x011347,
    0x011348, 0x01134b, 0x01134d, 0x011350, 0x011350, 0x011357, 0x011357, 0x01135d, 0x011363,
    0x011366, 0x01136c, 0x011370, 0x011374, 0x011380, 0x01138b, 0x01138e, 0x0113c2, 0x0113c5,
    0x0113d8, 0x0113e1, 0x0113e2, 0x011400, 0x011461, 0x011480, 0x0114c7, 0x0114d0, 0x0114d9,
    0x011580, 0x0115b5, 0x0115b8, 0x0115dd, 0x011600, 0x011644, 0x011650, 0x011659, 0x011660,
    0x01166c, 0x011680, 0x0116b9, 0x0116c0, 0x0116c9, 0x0116d0, 0x0116e3, 0x011700, 0x01171a,
    0x01171d, 0x01172b, 0x011730, 0x011746, 0x011800, 0x01183b, 0x0118a0, 0x0118f2, 0x0118ff,
    0x011906, 0x011909, 0x011909, 0x01190c, 0x011938, 0x01193b, 0x011946, 0x011950, 0x011959,
    0x0119a0, 0x0119a7, 0x0119aa, 0x0119d7, 0x0119da, 0x0119e4, 0x011a00, 0x011a47, 0x011a50,
    0x011aa2, 0x011ab0, 0x011af8, 0x011b00, 0x011b09, 0x011b60, 0x011b67, 0x011bc0, 0x011be1,
    0x011bf0, 0x011bf9, 0x011c00, 0x011c45, 0x011c50, 0x011c6c, 0x011c70, 0x011c8f, 0x011c92,
    0x011cb6, 0x011d00, 0x011d36, 0x011d3a, 0x011d47, 0x011d50, 0x011d59, 0x011d60, 0x011d98,
    0x011da0, 0x011da9, 0x011db0, 0x011ddb, 0x011de0, 0x011de9, 0x011ee0, 0x011ef8, 0x011f00,
    0x011f3a, 0x011f3e, 0x011f5a, 0x011fb0, 0x011fb0, 0x011fc0, 0x011ff1, 0x011fff, 0x012399,
    0x012400, 0x012474, 0x012480, 0x012543, 0x012f90, 0x012ff2, 0x013000, 0x01342f, 0x013440,
    0x013455, 0x013460, 0x0143fa, 0x014400, 0x014646, 0x016100, 0x016139, 0x016800, 0x016a38,
    0x016a40, 0x016a69, 0x016a6e, 0x016ac9, 0x016ad0, 0x016aed, 0x016af0, 0x016af5, 0x016b00,
    0x016b45, 0x016b50, 0x016b77, 0x016b7d, 0x016b8f, 0x016d40, 0x016d79, 0x016e40, 0x016e9a,
    0x016ea0, 0x016eb8, 0x016ebb, 0x016ed3, 0x016f00, 0x016f4a, 0x016f4f, 0x016f87, 0x016f8f,
    0x016f9f, 0x016fe0, 0x016fe4, 0x016ff0, 0x016ff6, 0x017000, 0x018cd5, 0x018cff, 0x018d1e,
    0x018d80, 0x018df2, 0x01aff0, 0x01b122, 0x01b132, 0x01b132, 0x01b150, 0x01b152, 0x01b155,
    0x01b155, 0x01b164, 0x01b167, 0x01b170, 0x01b2fb, 0x01bc00, 0x01bc6a, 0x01bc70, 0x01bc7c,
    0x01bc80, 0x01bc88, 0x01bc90, 0x01bc99, 0x01bc9c, 0x01bc9f, 0x01cc00, 0x01ccfc, 0x01cd00,
    0x01ceb3, 0x01ceba, 0x01ced0, 0x01cee0, 0x01cef0, 0x01cf00, 0x01cf2d, 0x01cf30, 0x01cf46,
    0x01cf50, 0x01cfc3, 0x01d000, 0x01d0f5, 0x01d100, 0x01d126, 0x01d129, 0x01d172, 0x01d17b,
    0x01d1ea, 0x01d200, 0x01d245, 0x01d2c0, 0x01d2d3, 0x01d2e0, 0x01d2f3, 0x01d300, 0x01d356,
    0x01d360, 0x01d378, 0x01d400, 0x01d49f, 0x01d4a2, 0x01d4a2, 0x01d4a5, 0x01d4a6, 0x01d4a9,
    0x01d50a, 0x01d50d, 0x01d546, 0x01d54a, 0x01d6a5, 0x01d6a8, 0x01d7cb, 0x01d7ce, 0x01da8b,
    0x01da9b, 0x01daaf, 0x01df00, 0x01df1e, 0x01df25, 0x01df2a, 0x01e000, 0x01e018, 0x01e01b,
    0x01e02a, 0x01e030, 0x01e06d, 0x01e08f, 0x01e08f, 0x01e100, 0x01e12c, 0x01e130, 0x01e13d,
    0x01e140, 0x01e149, 0x01e14e, 0x01e14f, 0x01e290, 0x01e2ae, 0x01e2c0, 0x01e2f9, 0x01e2ff,
    0x01e2ff, 0x01e4d0, 0x01e4f9, 0x01e5d0, 0x01e5fa, 0x01e5ff, 0x01e5ff, 0x01e6c0, 0x01e6f5,
    0x01e6fe, 0x01e6ff, 0x01e7e0, 0x01e8c4, 0x01e8c7, 0x01e8d6, 0x01e900, 0x01e94b, 0x01e950,
    0x01e959, 0x01e95e, 0x01e95f, 0x01ec71, 0x01ecb4, 0x01ed01, 0x01ed3d, 0x01ee00, 0x01ee24,
    0x01ee27, 0x01ee3b, 0x01ee42, 0x01ee42, 0x01ee47, 0x01ee54, 0x01ee57, 0x01ee64, 0x01ee67,
    0x01ee9b, 0x01eea1, 0x01eebb, 0x01eef0, 0x01eef1, 0x01f000, 0x01f02b, 0x01f030, 0x01f093,
    0x01f0a0, 0x01f0ae, 0x01f0b1, 0x01f0f5, 0x01f100, 0x01f1ad, 0x01f1e6, 0x01f202, 0x01f210,
    0x01f23b, 0x01f240, 0x01f248, 0x01f250, 0x01f251, 0x01f260, 0x01f265, 0x01f300, 0x01f6d8,
    0x01f6dc, 0x01f6ec, 0x01f6f0, 0x01f6fc, 0x01f700, 0x01f7d9, 0x01f7e0, 0x01f7eb, 0x01f7f0,
    0x01f7f0, 0x01f800, 0x01f80b, 0x01f810, 0x01f847, 0x01f850, 0x01f859, 0x01f860, 0x01f887,
    0x01f890, 0x01f8ad, 0x01f8b0, 0x01f8bb, 0x01f8c0, 0x01f8c1, 0x01f8d0, 0x01f8d8, 0x01f900,
    0x01fa57, 0x01fa60, 0x01fa6d, 0x01fa70, 0x01fa7c, 0x01fa80, 0x01fa8a, 0x01fa8e, 0x01fac8,
    0x01facd, 0x01fadc, 0x01fadf, 0x01faea, 0x01faef, 0x01faf8, 0x01fb00, 0x01fbfa, 0x020000,
    0x02a6df, 0x02a700, 0x02b81d, 0x02b820, 0x02cead, 0x02ceb0, 0x02ebe0, 0x02ebf0, 0x02ee5d,
    0x02f800, 0x02fa1d, 0x030000, 0x03134a, 0x031350, 0x033479, 0x0e0100, 0x0e01ef,
];

const IS_NOT_PRINT32: [u16; 120] = [
    0x000c, 0x0027, 0x003b, 0x003e, 0x018f, 0x039e, 0x057b, 0x058b, 0x0593, 0x0596, 0x05a2, 0x05b2,
    0x05ba, 0x0786, 0x07b1, 0x0809, 0x0836, 0x0856, 0x08f3, 0x0a04, 0x0a14, 0x0a18, 0x0e7f, 0x0eaa,
    0x10bd, 0x1135, 0x11e0, 0x1212, 0x1287, 0x1289, 0x128e, 0x129e, 0x1304, 0x1329, 0x1331, 0x1334,
    0x133a, 0x138a, 0x138f, 0x13b6, 0x13c1, 0x13c6, 0x13cb, 0x13d6, 0x145c, 0x1914, 0x1917, 0x1936,
    0x1c09, 0x1c37, 0x1ca8, 0x1d07, 0x1d0a, 0x1d3b, 0x1d3e, 0x1d66, 0x1d69, 0x1d8f, 0x1d92, 0x1f11,
    0x246f, 0x6a5f, 0x6abf, 0x6b5a, 0x6b62, 0xaff4, 0xaffc, 0xafff, 0xd455, 0xd49d, 0xd4ad, 0xd4ba,
    0xd4bc, 0xd4c4, 0xd506, 0xd515, 0xd51d, 0xd53a, 0xd53f, 0xd545, 0xd551, 0xdaa0, 0xe007, 0xe022,
    0xe025, 0xe6df, 0xe7e7, 0xe7ec, 0xe7ef, 0xe7ff, 0xee04, 0xee20, 0xee23, 0xee28, 0xee33, 0xee38,
    0xee3a, 0xee48, 0xee4a, 0xee4c, 0xee50, 0xee53, 0xee58, 0xee5a, 0xee5c, 0xee5e, 0xee60, 0xee63,
    0xee6b, 0xee73, 0xee78, 0xee7d, 0xee7f, 0xee8a, 0xeea4, 0xeeaa, 0xf0c0, 0xf0d0, 0xfac7, 0xfb93,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::StateType;

    fn ent(term: u64, index: u64, data: &[u8]) -> Entry {
        Entry {
            term,
            index,
            entry_type: EntryType::EntryNormal,
            data: data.to_vec(),
        }
    }

    #[test]
    fn go_quote_matches_go() {
        assert_eq!(go_quote(b""), r#""""#);
        assert_eq!(go_quote(b"prop_1"), r#""prop_1""#);
        assert_eq!(go_quote(b"a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(go_quote(b"\x07\x08\x0c\n\r\t\x0b"), r#""\a\b\f\n\r\t\v""#);
        assert_eq!(go_quote(b"\x00\x1f\x7f"), r#""\x00\x1f\x7f""#);
        // Invalid UTF-8: each byte on its own, lowercase hex.
        assert_eq!(go_quote(b"\xff\xe2\x82A"), r#""\xff\xe2\x82A""#);
        // Printable non-ASCII stays; U+00AD (soft hyphen), U+00A0 (nbsp) and U+200B do not.
        assert_eq!(go_quote("é€😀".as_bytes()), "\"é€😀\"");
        assert_eq!(
            go_quote("\u{ad}\u{a0}\u{200b}".as_bytes()),
            r#""\u00ad\u00a0\u200b""#
        );
        assert_eq!(
            go_quote("\u{e0001}\u{10ffff}".as_bytes()),
            r#""\U000e0001\U0010ffff""#
        );
        // A correctly encoded U+FFFD is printable.
        assert_eq!(go_quote("\u{fffd}".as_bytes()), "\"\u{fffd}\"");
    }

    #[test]
    fn go_is_print_samples() {
        assert!(go_is_print(' '));
        assert!(!go_is_print('\u{85}'));
        assert!(go_is_print('\u{3b1}'));
        assert!(!go_is_print('\u{38b}')); // unassigned inside a printable range
        assert!(!go_is_print('\u{2028}'));
        assert!(go_is_print('\u{1f600}'));
        assert!(!go_is_print('\u{1000c}')); // 32-bit exception list
        assert!(go_is_print('\u{20000}'));
        assert!(!go_is_print('\u{e000}')); // private use
    }

    #[test]
    fn describe_states() {
        assert_eq!(
            describe_hard_state(&HardState {
                term: 1,
                vote: 1,
                commit: 2
            }),
            "Term:1 Vote:1 Commit:2"
        );
        assert_eq!(
            describe_hard_state(&HardState {
                term: 3,
                vote: 0,
                commit: 11
            }),
            "Term:3 Commit:11"
        );
        assert_eq!(
            describe_soft_state(&SoftState {
                lead: 0,
                raft_state: StateType::StateCandidate
            }),
            "Lead:0 State:StateCandidate"
        );
        let snap = Snapshot {
            data: vec![],
            metadata: crate::raftpb::SnapshotMetadata {
                conf_state: ConfState {
                    voters: vec![1, 2],
                    voters_outgoing: vec![1],
                    learners: vec![],
                    learners_next: vec![],
                    auto_leave: true,
                },
                index: 4,
                term: 1,
            },
        };
        assert_eq!(
            describe_snapshot(&snap),
            "Index:4 Term:1 ConfState:Voters:[1 2] VotersOutgoing:[1] Learners:[] LearnersNext:[] AutoLeave:true"
        );
    }

    #[test]
    fn describe_messages_like_transcripts() {
        let m = Message {
            msg_type: crate::raftpb::MessageType::MsgVote,
            from: 1,
            to: 2,
            term: 1,
            log_term: 1,
            index: 2,
            ..Default::default()
        };
        assert_eq!(describe_message(&m, None), "1->2 MsgVote Term:1 Log:1/2");
        let m = Message {
            msg_type: crate::raftpb::MessageType::MsgAppResp,
            from: 3,
            to: 2,
            term: 2,
            log_term: 1,
            index: 4,
            reject: true,
            reject_hint: 3,
            ..Default::default()
        };
        assert_eq!(
            describe_message(&m, None),
            "3->2 MsgAppResp Term:2 Log:1/4 Rejected (Hint: 3)"
        );
        let cc = ConfChangeV2 {
            transition: ConfChangeTransition::ConfChangeTransitionAuto,
            changes: vec![ConfChangeSingle {
                change_type: ConfChangeType::ConfChangeAddNode,
                node_id: 3,
            }],
            context: vec![],
        };
        let m = Message {
            msg_type: crate::raftpb::MessageType::MsgApp,
            from: 2,
            to: 3,
            term: 2,
            log_term: 1,
            index: 3,
            commit: 4,
            entries: vec![
                Entry {
                    term: 1,
                    index: 4,
                    entry_type: EntryType::EntryConfChangeV2,
                    data: marshal_conf_change_v2(&cc),
                },
                ent(2, 5, b""),
            ],
            ..Default::default()
        };
        assert_eq!(
            describe_message(&m, None),
            "2->3 MsgApp Term:2 Log:1/3 Commit:4 Entries:[\n  1/4 EntryConfChangeV2 v3\n  2/5 EntryNormal \"\"\n]"
        );
        let one = Message {
            entries: vec![ent(1, 12, b"init_prop")],
            ..m.clone()
        };
        assert_eq!(
            describe_message(&one, None),
            "2->3 MsgApp Term:2 Log:1/3 Commit:4 Entries:[1/12 EntryNormal \"init_prop\"]"
        );
        let upper = |d: &[u8]| String::from_utf8_lossy(d).to_uppercase();
        assert_eq!(
            describe_message(&one, Some(&upper)),
            "2->3 MsgApp Term:2 Log:1/3 Commit:4 Entries:[1/12 EntryNormal INIT_PROP]"
        );
        // Storage messages with responses and a snapshot, as async-storage transcripts print.
        let resp = Message {
            msg_type: crate::raftpb::MessageType::MsgAppResp,
            from: LOCAL_APPEND_THREAD,
            to: 2,
            term: 1,
            index: 11,
            ..Default::default()
        };
        let app = Message {
            msg_type: crate::raftpb::MessageType::MsgStorageAppend,
            from: 3,
            to: LOCAL_APPEND_THREAD,
            term: 2,
            commit: 11,
            vote: 3,
            responses: vec![resp],
            ..Default::default()
        };
        assert_eq!(
            describe_message(&app, None),
            "3->AppendThread MsgStorageAppend Term:2 Log:0/0 Commit:11 Vote:3 Responses:[\n  AppendThread->2 MsgAppResp Term:1 Log:0/11\n]"
        );
        let snap = Message {
            msg_type: crate::raftpb::MessageType::MsgSnap,
            from: 1,
            to: 3,
            term: 1,
            snapshot: Some(Snapshot {
                data: vec![],
                metadata: crate::raftpb::SnapshotMetadata {
                    conf_state: ConfState {
                        voters: vec![1, 2, 3],
                        ..Default::default()
                    },
                    index: 11,
                    term: 1,
                },
            }),
            ..Default::default()
        };
        assert_eq!(
            describe_message(&snap, None),
            "1->3 MsgSnap Term:1 Log:0/0\n  Snapshot: Index:11 Term:1 ConfState:Voters:[1 2 3] VotersOutgoing:[] Learners:[] LearnersNext:[] AutoLeave:false"
        );
    }

    #[test]
    fn describe_ready_like_transcripts() {
        let rd = Ready {
            soft_state: Some(SoftState {
                lead: 0,
                raft_state: StateType::StateCandidate,
            }),
            hard_state: HardState {
                term: 1,
                vote: 1,
                commit: 2,
            },
            messages: vec![Message {
                msg_type: crate::raftpb::MessageType::MsgVote,
                from: 1,
                to: 2,
                term: 1,
                log_term: 1,
                index: 2,
                ..Default::default()
            }],
            must_sync: true,
            ..Default::default()
        };
        assert_eq!(
            describe_ready(&rd, None),
            "Ready MustSync=true:\nLead:0 State:StateCandidate\nHardState Term:1 Vote:1 Commit:2\nMessages:\n1->2 MsgVote Term:1 Log:1/2\n"
        );
        let rd = Ready {
            entries: vec![ent(1, 3, b"")],
            committed_entries: vec![ent(1, 3, b"")],
            read_states: vec![ReadState {
                index: 5,
                request_ctx: b"ab".to_vec(),
            }],
            ..Default::default()
        };
        assert_eq!(
            describe_ready(&rd, None),
            "Ready MustSync=false:\nReadStates [{5 [97 98]}]\nEntries:\n1/3 EntryNormal \"\"\nCommittedEntries:\n1/3 EntryNormal \"\"\n"
        );
        assert_eq!(describe_ready(&Ready::default(), None), "<empty Ready>");
    }

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
            data,
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
            data,
        };
        assert_eq!(describe_entry(&e, None), "1/4 EntryConfChangeV2 r1 v4");
        // The empty change (auto-leave) has no data and no description.
        let e = Entry {
            term: 1,
            index: 6,
            entry_type: EntryType::EntryConfChangeV2,
            data: vec![],
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
