//! The commands of the interaction language (etcd's `interaction_env_handler*.go`): argument
//! parsing and dispatch to [`InteractionEnv`].

use super::datadriven::{CmdArg, TestData};
use super::env::{raft_config_stub, InteractionEnv, Recipient, LEVEL_NAMES};
use crate::gofmt::{go_quote, parse_go_bool, parse_go_int, parse_go_uint};
use crate::raftpb::confchange::conf_changes_from_string;
use crate::raftpb::{ConfChange, ConfChangeTransition, ConfChangeV2, MessageType, Snapshot};
use crate::state::ReadOnlyOption;

/// A command's failure, printed as its text. etcd's harness distinguishes errors of the nodes
/// (printed) from malformed commands (the Go test fails); here both are printed.
type CmdResult = Result<(), String>;

fn err<T: ToString>(e: T) -> String {
    e.to_string()
}

fn first_as_int(d: &TestData) -> Result<i64, String> {
    let a = d
        .cmd_args
        .first()
        .ok_or_else(|| format!("{}: missing node argument", d.cmd))?;
    parse_go_int(&a.key)
}

/// The 0-based index of the node named by the first argument.
fn first_as_node_idx(d: &TestData) -> Result<usize, String> {
    let n = first_as_int(d)?;
    if n < 1 {
        return Err(format!("invalid node id {}", n));
    }
    Ok(n as usize - 1)
}

/// The 0-based indexes of the nodes named by the bare (value-less) arguments.
fn node_idxs(d: &TestData) -> Result<Vec<usize>, String> {
    let mut out = Vec::new();
    for a in d.cmd_args.iter().filter(|a| a.vals.is_empty()) {
        let n = parse_go_int(&a.key)?;
        if n < 1 {
            return Err(format!("invalid node id {}", n));
        }
        out.push(n as usize - 1);
    }
    Ok(out)
}

/// The first value of the first argument named `key` (datadriven's `ScanArgs` with one
/// destination).
fn scan_arg<'a>(d: &'a TestData, key: &str) -> Result<&'a str, String> {
    let a = d
        .arg(key)
        .ok_or_else(|| format!("missing argument: {}", key))?;
    if a.vals.len() != 1 {
        return Err(format!(
            "{}: got 1 destinations, but {} values",
            key,
            a.vals.len()
        ));
    }
    Ok(&a.vals[0])
}

fn scan_u64(a: &CmdArg, i: usize) -> Result<u64, String> {
    parse_go_uint(&a.vals[i])
}

impl InteractionEnv {
    /// Runs one command and returns its output, as etcd's `InteractionEnv.Handle`: the log
    /// lines and command output produced meanwhile, the error text if it failed, or `ok` when
    /// nothing was printed.
    pub fn handle(&mut self, d: &TestData) -> String {
        self.output.reset();
        let res = self.dispatch(d);
        if let Err(e) = res {
            // Errors are shown even when the level silences everything else.
            if self.output.quiet() {
                return e;
            }
            self.output.write_str(&e);
        }
        let out = self.output.contents();
        if out.is_empty() {
            "ok".to_string()
        } else {
            out
        }
    }

    fn dispatch(&mut self, d: &TestData) -> CmdResult {
        match d.cmd.as_str() {
            "_breakpoint" => Ok(()),
            "add-nodes" => self.handle_add_nodes(d),
            "campaign" => {
                let idx = first_as_node_idx(d)?;
                self.node_at(idx)?.raw_node.campaign().map_err(err)
            }
            "compact" => {
                let idx = first_as_node_idx(d)?;
                let a = d.cmd_args.get(1).ok_or("compact: missing index")?;
                let new_first_index = parse_go_uint(&a.key)?;
                self.compact(idx, new_first_index).map_err(err)
            }
            "deliver-msgs" => self.handle_deliver_msgs(d),
            "process-ready" => self.handle_process_ready(d),
            "process-append-thread" => {
                self.handle_storage_thread(d, "append", Self::process_append_thread)
            }
            "process-apply-thread" => {
                self.handle_storage_thread(d, "apply", Self::process_apply_thread)
            }
            "log-level" => {
                let a = d.cmd_args.first().ok_or("log-level: missing level")?;
                self.log_level(&a.key)
            }
            "raft-log" => {
                let idx = first_as_node_idx(d)?;
                self.raft_log(idx).map_err(err)
            }
            "raft-state" => {
                self.raft_state();
                Ok(())
            }
            "set-randomized-election-timeout" => {
                let idx = first_as_node_idx(d)?;
                let timeout = parse_go_int(scan_arg(d, "timeout")?)?;
                if timeout <= 0 {
                    return Err(format!("invalid timeout {}", timeout));
                }
                self.node_at(idx)?.raw_node.raft.randomized_election_timeout = timeout as usize;
                Ok(())
            }
            "stabilize" => self.handle_stabilize(d),
            "status" => {
                let idx = first_as_node_idx(d)?;
                self.status(idx).map_err(err)
            }
            "tick-election" => {
                let idx = first_as_node_idx(d)?;
                let n = self.node_at(idx)?.config.election_tick;
                self.tick(idx, n).map_err(err)
            }
            "tick-heartbeat" => {
                let idx = first_as_node_idx(d)?;
                let n = self.node_at(idx)?.config.heartbeat_tick;
                self.tick(idx, n).map_err(err)
            }
            "transfer-leadership" => {
                let from = parse_go_uint(scan_arg(d, "from")?)?;
                let to = parse_go_uint(scan_arg(d, "to")?)?;
                let n = self.nodes.len() as u64;
                if from == 0 || from > n {
                    return Err("expected valid \"from\" argument".into());
                }
                if to == 0 || to > n {
                    return Err("expected valid \"to\" argument".into());
                }
                self.nodes[from as usize - 1].raw_node.transfer_leader(to);
                Ok(())
            }
            "forget-leader" => {
                let idx = first_as_node_idx(d)?;
                // etcd's harness ignores the result; refusals show up as log lines.
                let _ = self.node_at(idx)?.raw_node.forget_leader();
                Ok(())
            }
            "send-snapshot" => {
                let idxs = node_idxs(d)?;
                if idxs.len() != 2 {
                    return Err(format!(
                        "send-snapshot: expected 2 node ids, got {}",
                        idxs.len()
                    ));
                }
                self.send_snapshot(idxs[0], idxs[1]).map_err(err)
            }
            "propose" => {
                let idx = first_as_node_idx(d)?;
                if d.cmd_args.len() != 2 || !d.cmd_args[1].vals.is_empty() {
                    let rest: Vec<String> =
                        d.cmd_args.iter().skip(1).map(|a| a.to_string()).collect();
                    return Err(format!(
                        "expected exactly one key with no vals: [{}]",
                        rest.join(" ")
                    ));
                }
                let data = d.cmd_args[1].key.as_bytes().to_vec();
                self.node_at(idx)?.raw_node.propose(data).map_err(err)
            }
            "propose-conf-change" => self.handle_propose_conf_change(d),
            "report-unreachable" => {
                let sl = node_idxs(d)?;
                if sl.len() != 2 {
                    return Err(
                        "must specify exactly two node indexes: node on which to report, and reported node".into()
                    );
                }
                let id = self.node_at(sl[1])?.config.id;
                self.node_at(sl[0])?.raw_node.report_unreachable(id);
                Ok(())
            }
            _ => Err("unknown command".into()),
        }
    }

    fn node_at(&mut self, idx: usize) -> Result<&mut super::env::Node, String> {
        let n = self.nodes.len();
        self.nodes
            .get_mut(idx)
            .ok_or_else(|| format!("node {} does not exist (there are {} nodes)", idx + 1, n))
    }

    /// Sets the output level by (case-insensitive) name.
    pub fn log_level(&mut self, name: &str) -> CmdResult {
        match LEVEL_NAMES
            .iter()
            .position(|l| l.eq_ignore_ascii_case(name))
        {
            Some(i) => {
                self.output.set_level(i);
                Ok(())
            }
            None => Err(format!(
                "log levels must be either of [{}]",
                LEVEL_NAMES.join(" ")
            )),
        }
    }

    fn handle_add_nodes(&mut self, d: &TestData) -> CmdResult {
        let n = first_as_int(d)?;
        let mut snap = Snapshot::default();
        let mut cfg = raft_config_stub();
        for a in d.cmd_args.iter().skip(1) {
            for (i, v) in a.vals.iter().enumerate() {
                match a.key.as_str() {
                    "voters" => snap.metadata.conf_state.voters.push(scan_u64(a, i)?),
                    "learners" => snap.metadata.conf_state.learners.push(scan_u64(a, i)?),
                    "inflight" => {
                        let n = parse_go_int(v)?;
                        cfg.max_inflight_msgs =
                            usize::try_from(n).map_err(|_| format!("invalid inflight {}", n))?;
                    }
                    "index" => {
                        snap.metadata.index = scan_u64(a, i)?;
                        cfg.applied = snap.metadata.index;
                    }
                    "content" => snap.data = v.as_bytes().to_vec(),
                    "async-storage-writes" => cfg.async_storage_writes = parse_go_bool(v)?,
                    "prevote" => cfg.pre_vote = parse_go_bool(v)?,
                    "checkquorum" => cfg.check_quorum = parse_go_bool(v)?,
                    "max-committed-size-per-ready" => {
                        cfg.max_committed_size_per_ready = scan_u64(a, i)?
                    }
                    "disable-conf-change-validation" => {
                        cfg.disable_conf_change_validation = parse_go_bool(v)?
                    }
                    "read-only" => {
                        cfg.read_only_option = match v.as_str() {
                            "safe" => ReadOnlyOption::ReadOnlySafe,
                            "lease-based" => ReadOnlyOption::ReadOnlyLeaseBased,
                            _ => {
                                return Err(format!(
                                    "invalid read-only option {}",
                                    go_quote(v.as_bytes())
                                ))
                            }
                        }
                    }
                    "step-down-on-removal" => cfg.step_down_on_removal = parse_go_bool(v)?,
                    // etcd's harness ignores unknown options.
                    _ => {}
                }
            }
        }
        let n = usize::try_from(n).map_err(|_| format!("invalid number of nodes {}", n))?;
        self.add_nodes(n, &cfg, snap).map_err(err)
    }

    fn handle_deliver_msgs(&mut self, d: &TestData) -> CmdResult {
        let mut typ = None;
        let mut rs: Vec<Recipient> = Vec::new();
        for a in &d.cmd_args {
            if a.vals.is_empty() {
                rs.push(Recipient {
                    id: parse_go_uint(&a.key)?,
                    drop: false,
                });
            }
            for (i, v) in a.vals.iter().enumerate() {
                match a.key.as_str() {
                    "drop" => {
                        let id = scan_u64(a, i)?;
                        if rs.iter().any(|r| r.id == id) {
                            return Err(format!("can't both deliver and drop msgs to {}", id));
                        }
                        rs.push(Recipient { id, drop: true });
                    }
                    "type" => {
                        typ = Some(
                            MessageType::from_name(v)
                                .ok_or_else(|| format!("unknown message type {}", v))?,
                        );
                    }
                    _ => {}
                }
            }
        }
        if self.deliver_msgs(typ, &rs) == 0 {
            self.output.write_str("no messages\n");
        }
        Ok(())
    }

    fn handle_process_ready(&mut self, d: &TestData) -> CmdResult {
        let idxs = node_idxs(d)?;
        for &idx in &idxs {
            if idxs.len() > 1 {
                self.output
                    .write_str(&format!("> {} handling Ready\n", idx + 1));
                let out = self.output.clone();
                out.with_indent(|| self.process_ready(idx)).map_err(err)?;
            } else {
                self.process_ready(idx).map_err(err)?;
            }
        }
        Ok(())
    }

    /// Lets the append or apply thread (`what`) of each named node process one message;
    /// with several nodes each gets a header and an indented section.
    fn handle_storage_thread(
        &mut self,
        d: &TestData,
        what: &str,
        process: fn(&mut InteractionEnv, usize) -> crate::Result<()>,
    ) -> CmdResult {
        let idxs = node_idxs(d)?;
        for &idx in &idxs {
            self.node_at(idx)?;
            if idxs.len() > 1 {
                self.output
                    .write_str(&format!("> {} processing {} thread\n", idx + 1, what));
                let out = self.output.clone();
                out.with_indent(|| process(self, idx)).map_err(err)?;
            } else {
                process(self, idx).map_err(err)?;
            }
        }
        Ok(())
    }

    fn handle_stabilize(&mut self, d: &TestData) -> CmdResult {
        let idxs = node_idxs(d)?;
        let old_level = self.output.level();
        let mut res = Ok(());
        for a in &d.cmd_args {
            for v in &a.vals {
                if a.key == "log-level" {
                    if let Err(e) = self.log_level(v) {
                        res = Err(e);
                    }
                }
            }
        }
        if res.is_ok() {
            res = self.stabilize(&idxs).map_err(err);
        }
        // The level given to stabilize holds for this command only.
        self.output.set_level(old_level);
        res
    }

    fn handle_propose_conf_change(&mut self, d: &TestData) -> CmdResult {
        let idx = first_as_node_idx(d)?;
        let mut v1 = false;
        let mut transition = ConfChangeTransition::ConfChangeTransitionAuto;
        for a in d.cmd_args.iter().skip(1) {
            for v in &a.vals {
                match a.key.as_str() {
                    "v1" => v1 = parse_go_bool(v)?,
                    "transition" => {
                        transition = match v.as_str() {
                            "auto" => ConfChangeTransition::ConfChangeTransitionAuto,
                            "implicit" => ConfChangeTransition::ConfChangeTransitionJointImplicit,
                            "explicit" => ConfChangeTransition::ConfChangeTransitionJointExplicit,
                            _ => return Err(format!("unknown transition {}", v)),
                        }
                    }
                    _ => return Err(format!("unknown command {}", a.key)),
                }
            }
        }
        let ccs = conf_changes_from_string(&d.input)?;
        let node = self.node_at(idx)?;
        if v1 {
            if ccs.len() != 1 || transition != ConfChangeTransition::ConfChangeTransitionAuto {
                return Err("v1 conf change can only have one operation and no transition".into());
            }
            let cc = ConfChange {
                change_type: ccs[0].change_type,
                node_id: ccs[0].node_id,
                ..Default::default()
            };
            node.raw_node.propose_conf_change_v1(cc).map_err(err)
        } else {
            let cc = ConfChangeV2 {
                transition,
                changes: ccs,
                context: Vec::new(),
            };
            node.raw_node.propose_conf_change(cc).map_err(err)
        }
    }
}
