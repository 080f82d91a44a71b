//! The layout the code is to keep (`docs/architecture.md`), checked so that it cannot drift:
//!
//! - no non-test source file in `core/cluster` is above 1,000 lines, none in `web/` above 800
//!   (test files, named `tests.rs` or `*_tests.rs` or under a `tests/` folder, may be longer);
//! - each crate's modules import each other in at most one circle, and in `core/cluster` no
//!   circle goes through the `cluster` module (the hub that every concern extends).
//!
//! A circle is a set of modules each of which reaches every other by its imports: none of them
//! can be read, tested or moved without the others. The import graph is read from the source
//! text, the way a person reads it: `use` lines, `crate::`/`super::`/`self::` paths, and
//! `child::item` paths to a module's own children. Test modules do not count. The scanner is
//! deliberately small (no parser), so it errs on the side of seeing an import: a path in code
//! that names a module is an edge, even where a `use` would not be needed.
//!
//! Each crate and each rule is its own test, so a failure says which crate broke which rule.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The workspace's root, from this crate's manifest (`core/cluster`).
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The source folder of a crate of the workspace.
fn src_of(krate: &str) -> PathBuf {
    workspace().join(match krate {
        "cluster" => "core/cluster/src",
        "raft" => "core/raft/src",
        "web" => "web/src",
        other => panic!("no crate {other} in the workspace"),
    })
}

/// A file as people name it: its path in the workspace.
fn shown(file: &Path) -> String {
    let root = workspace();
    file.strip_prefix(&root)
        .unwrap_or(file)
        .display()
        .to_string()
}

// ---- files -----------------------------------------------------------------------------------

/// Every `.rs` file below `root`, in path order.
fn rust_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The file's path below `root`, without `.rs`, as its components.
fn components(root: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(root).unwrap_or(file).with_extension("");
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect()
}

/// Tests may be long: a file named `tests.rs` or `*_tests.rs`, or under a `tests/` folder.
fn is_test_file(parts: &[String]) -> bool {
    let Some((name, dirs)) = parts.split_last() else {
        return false;
    };
    name == "tests" || name.ends_with("_tests") || dirs.iter().any(|d| d == "tests")
}

fn read(file: &Path) -> String {
    fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// The crate's non-test files above `max` lines, each with its length.
fn long_files(krate: &str, max: usize) -> Vec<String> {
    let root = src_of(krate);
    rust_files(&root)
        .into_iter()
        .filter(|f| !is_test_file(&components(&root, f)))
        .filter_map(|f| {
            let n = read(&f).lines().count();
            (n > max).then(|| format!("{}: {n} lines", shown(&f)))
        })
        .collect()
}

fn assert_files_at_most(krate: &str, max: usize) {
    let long = long_files(krate, max);
    assert!(
        long.is_empty(),
        "{krate}: non-test files above {max} lines (split them by concern, or move their \
         inline tests to a tests.rs beside them):\n  {}",
        long.join("\n  ")
    );
}

// ---- source text -----------------------------------------------------------------------------

/// The code of a Rust file without its comments, and with the contents of string and character
/// literals blanked out (their quotes stay), so that neither is read as a path or a brace.
fn code_only(src: &str) -> String {
    let n = src.len();
    let mut out = String::with_capacity(n);
    let mut i = 0;
    while i < n {
        let one = i + src[i..].chars().next().map_or(1, char::len_utf8);
        // `src[i..keep]` is code (a literal's opening), `src[keep..blank]` is hidden, and
        // `src[blank..end]` is code again (its closing). Every bound is at an ASCII quote,
        // slash or newline, or the end.
        let (keep, blank, end) = literal_or_comment(src, i)
            .map_or((one, one, one), |(k, b, e)| (k.min(n), b.min(n), e.min(n)));
        out.push_str(&src[i..keep]);
        out.extend(
            src[keep..blank]
                .chars()
                .map(|c| if c == '\n' { c } else { ' ' }),
        );
        out.push_str(&src[blank..end]);
        i = end;
    }
    out
}

/// The comment or literal that starts at byte `i`, if any, as (end of its opening, start of
/// its closing, its end): a line or (nested) block comment, a string, a raw or byte string, a
/// character literal. A lifetime is none of them.
fn literal_or_comment(src: &str, i: usize) -> Option<(usize, usize, usize)> {
    let b = src.as_bytes();
    let at = |k: usize| b.get(k).copied();
    let find = |from: usize, what: &str| src.get(from..)?.find(what).map(|n| from + n);
    let after_ident = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
    match (b[i], at(i + 1)) {
        (b'/', Some(b'/')) => {
            let end = find(i, "\n").unwrap_or(b.len());
            Some((i, end, end))
        }
        (b'/', Some(b'*')) => {
            let (mut depth, mut k) = (1, i + 2);
            while k < b.len() && depth > 0 {
                match (b[k], at(k + 1)) {
                    (b'/', Some(b'*')) => (depth, k) = (depth + 1, k + 2),
                    (b'*', Some(b'/')) => (depth, k) = (depth - 1, k + 2),
                    _ => k += 1,
                }
            }
            Some((i, k, k))
        }
        (b'r', _) | (b'b', Some(b'r')) if !after_ident => {
            // r"..", r#".."#, br"..": ends at the quote followed by as many hashes.
            let k = i + if b[i] == b'b' { 2 } else { 1 };
            let hashes = b[k..].iter().take_while(|&&h| h == b'#').count();
            if at(k + hashes) != Some(b'"') {
                return None;
            }
            let open = k + hashes + 1;
            let close = format!("\"{}", "#".repeat(hashes));
            let closing = find(open, &close).unwrap_or(b.len());
            Some((open, closing, closing + close.len()))
        }
        (b'"', _) => {
            let mut k = i + 1;
            while k < b.len() && b[k] != b'"' {
                k += if b[k] == b'\\' { 2 } else { 1 };
            }
            Some((i + 1, k, k + 1))
        }
        (b'\'', Some(b'\\')) => {
            // '\n', '\'', '\u{7f}': the escaped character, then up to the closing quote.
            let closing = find(i + 3, "'")?;
            Some((i + 1, closing, closing + 1))
        }
        (b'\'', Some(_)) => {
            let len = src[i + 1..].chars().next()?.len_utf8();
            (at(i + 1 + len) == Some(b'\'')).then_some((i + 1, i + 1 + len, i + 2 + len))
        }
        _ => None,
    }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Where the word `word` stands in `code` as a word of its own.
fn word_positions<'a>(code: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    code.match_indices(word).map(|(i, _)| i).filter(move |&i| {
        let before = code[..i].chars().next_back();
        let after = code[i + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// `code` without its inline test modules (`#[cfg(test)] mod name { ... }`).
fn without_test_modules(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        let mut after = rest[at + "#[cfg(test)]".len()..].trim_start();
        // Other attributes of the same module (`#[allow(..)]`).
        while let Some(attr) = after.strip_prefix("#[") {
            after = attr.find(']').map_or("", |n| attr[n + 1..].trim_start());
        }
        let after = after
            .strip_prefix("pub(crate)")
            .or_else(|| after.strip_prefix("pub(super)"))
            .or_else(|| after.strip_prefix("pub"))
            .unwrap_or(after)
            .trim_start();
        let body = after.strip_prefix("mod").and_then(|m| {
            let m = m.trim_start();
            let name_len = m.find(|c: char| !is_ident(c)).unwrap_or(m.len());
            m[name_len..].trim_start().strip_prefix('{')
        });
        let Some(body) = body else {
            // A test module in its own file, or a test-only item: not a block to skip here.
            let skip = at + "#[cfg(test)]".len();
            out.push_str(&rest[..skip]);
            rest = &rest[skip..];
            continue;
        };
        out.push_str(&rest[..at]);
        let mut depth = 1;
        let mut end = body.len();
        for (i, c) in body.char_indices() {
            depth += match c {
                '{' => 1,
                '}' => -1,
                _ => 0,
            };
            if depth == 0 {
                end = i + 1;
                break;
            }
        }
        rest = &body[end..];
    }
    out.push_str(rest);
    out
}

// ---- the import graph ------------------------------------------------------------------------

/// A crate's modules (`a::b`; the crate root is ""), each with its file and non-test code.
struct Crate {
    modules: BTreeMap<String, (PathBuf, String)>,
}

impl Crate {
    fn read(root: &Path) -> Crate {
        let mut modules = BTreeMap::new();
        for file in rust_files(root) {
            let mut parts = components(root, &file);
            if is_test_file(&parts) || parts.first().is_some_and(|p| p == "bin") {
                continue;
            }
            if parts
                .last()
                .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
            {
                parts.pop();
            }
            let code = without_test_modules(&code_only(&read(&file)));
            // A crate with both lib.rs and main.rs: one root, with the code of both.
            let entry = modules
                .entry(parts.join("::"))
                .or_insert_with(|| (file, String::new()));
            entry.1.push_str(&code);
        }
        Crate { modules }
    }

    fn is_module(&self, name: &str) -> bool {
        self.modules.contains_key(name)
    }

    /// The module a path written in module `cur` lands in: the longest prefix of the path
    /// that names a module of the crate, or `None` for a path into another crate.
    fn resolve(&self, cur: &str, path: &str) -> Option<String> {
        let mut parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
        let mut base: Vec<&str> = if cur.is_empty() {
            Vec::new()
        } else {
            cur.split("::").collect()
        };
        match parts.first().copied() {
            Some("crate") => {
                base.clear();
                parts.remove(0);
            }
            Some("super") => {
                while parts.first() == Some(&"super") {
                    base.pop();
                    parts.remove(0);
                }
            }
            Some("self") => {
                parts.remove(0);
            }
            Some(first) => {
                let child = base.iter().chain([&first]).copied().collect::<Vec<_>>();
                if !self.is_module(&child.join("::")) {
                    return None;
                }
            }
            None => return None,
        }
        (0..=parts.len()).rev().find_map(|i| {
            let name = base
                .iter()
                .chain(&parts[..i])
                .copied()
                .collect::<Vec<_>>()
                .join("::");
            self.is_module(&name).then_some(name)
        })
    }

    /// The modules each module imports.
    fn edges(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut edges = BTreeMap::new();
        for (name, (_, code)) in &self.modules {
            let mut to = BTreeSet::new();
            for path in use_paths(code).into_iter().chain(anchored_paths(code)) {
                to.extend(self.resolve(name, &path));
            }
            for child in child_paths(code) {
                let child = if name.is_empty() {
                    child
                } else {
                    format!("{name}::{child}")
                };
                if self.is_module(&child) {
                    to.insert(child);
                }
            }
            to.remove(name);
            edges.insert(name.clone(), to);
        }
        edges
    }
}

/// The paths of every `use` declaration, with groups expanded: `use crate::a::{b, c::d};` is
/// `crate::a::b` and `crate::a::c::d`.
fn use_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for at in word_positions(code, "use") {
        let rest = &code[at + 3..];
        if !rest.starts_with(char::is_whitespace) {
            continue;
        }
        let Some(end) = rest.find(';') else { continue };
        // `x as y` names x; then the tree is read without its spaces.
        let tree: String = rest[..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .split(" as ")
            .enumerate()
            .map(|(i, part)| {
                if i == 0 {
                    part
                } else {
                    part.trim_start_matches(is_ident)
                }
            })
            .collect::<String>()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        expand_use_tree(&tree, &mut out);
    }
    out
}

fn expand_use_tree(tree: &str, out: &mut Vec<String>) {
    let Some((prefix, inner)) = tree
        .split_once("::{")
        .and_then(|(p, rest)| Some((p, rest.strip_suffix('}')?)))
    else {
        out.push(tree.to_string());
        return;
    };
    let mut depth = 0;
    let mut item = String::new();
    for c in inner.chars().chain([',']) {
        match c {
            ',' if depth == 0 => {
                match item.as_str() {
                    "" => {}
                    "self" => out.push(prefix.to_string()),
                    _ => expand_use_tree(&format!("{prefix}::{item}"), out),
                }
                item.clear();
                continue;
            }
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        item.push(c);
    }
}

/// Paths that start at `crate`, `super` or `self`, anywhere in the code: `crate::units::x`.
fn anchored_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for anchor in ["crate", "super", "self"] {
        // Not after `::`: the second `super` of `super::super::x` is part of the first path.
        for at in word_positions(code, anchor).filter(|&at| !code[..at].ends_with(':')) {
            let mut end = at + anchor.len();
            while let Some(seg) = code[end..].strip_prefix("::") {
                let len = seg.find(|c: char| !is_ident(c)).unwrap_or(seg.len());
                if len == 0 {
                    break;
                }
                end += 2 + len;
            }
            if end > at + anchor.len() {
                out.push(code[at..end].to_string());
            }
        }
    }
    out
}

/// The first names of relative paths (`name::item`, not itself after `::`): a module's own
/// children, when a module of that name exists.
fn child_paths(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut prev = None;
    for (i, c) in code.char_indices() {
        let starts_word = is_ident(c) && !prev.is_some_and(|p| is_ident(p) || p == ':');
        prev = Some(c);
        if !starts_word {
            continue;
        }
        let len = code[i..]
            .find(|c: char| !is_ident(c))
            .unwrap_or(code.len() - i);
        let after = &code[i + len..];
        if after
            .strip_prefix("::")
            .and_then(|a| a.chars().next())
            .is_some_and(is_ident)
        {
            out.insert(code[i..i + len].to_string());
        }
    }
    out
}

/// The strongly connected components of more than one module (Tarjan's algorithm): the import
/// circles, each sorted, in the order found.
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.edges.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w.to_string());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.out.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    walk.out
}

/// A circle for people: its modules with their files, and the imports that close it.
fn describe_circle(
    krate: &Crate,
    edges: &BTreeMap<String, BTreeSet<String>>,
    circle: &[String],
) -> String {
    let name = |m: &str| {
        if m.is_empty() {
            "(crate root)".to_string()
        } else {
            m.to_string()
        }
    };
    let mut s = circle.iter().map(|m| name(m)).collect::<Vec<_>>().join(" ");
    for m in circle {
        let inside: Vec<String> = edges[m]
            .iter()
            .filter(|t| circle.contains(t))
            .map(|t| name(t))
            .collect();
        let file = shown(&krate.modules[m].0);
        s.push_str(&format!(
            "\n    {} ({file}) imports {}",
            name(m),
            inside.join(", ")
        ));
    }
    s
}

/// Checks that `krate` has at most one import circle, and none through `forbidden`.
fn assert_import_circles(krate_name: &str, forbidden: Option<&str>) {
    let krate = Crate::read(&src_of(krate_name));
    let edges = krate.edges();
    let found = circles(&edges);
    let text = || {
        found
            .iter()
            .map(|c| format!("  {}", describe_circle(&krate, &edges, c)))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(
        found.len() <= 1,
        "{krate_name}: {} import circles, at most one is allowed:\n{}",
        found.len(),
        text()
    );
    if let Some(hub) = forbidden {
        assert!(
            !found.iter().any(|c| c.iter().any(|m| m == hub)),
            "{krate_name}: an import circle goes through `{hub}`, which only leaves may be \
             imported by:\n{}",
            text()
        );
    }
}

// ---- the rules, crate by crate ---------------------------------------------------------------

#[test]
fn cluster_files_are_at_most_1000_lines() {
    assert_files_at_most("cluster", 1000);
}

#[test]
fn web_files_are_at_most_800_lines() {
    assert_files_at_most("web", 800);
}

#[test]
fn cluster_has_at_most_one_import_circle_and_none_through_the_hub() {
    assert_import_circles("cluster", Some("cluster"));
}

#[test]
fn raft_has_at_most_one_import_circle() {
    assert_import_circles("raft", None);
}

#[test]
fn web_has_at_most_one_import_circle() {
    assert_import_circles("web", None);
}

// ---- the scanner itself ----------------------------------------------------------------------

/// The scanner on a made-up crate: what it counts as an import, and what it does not.
#[test]
fn the_scanner_reads_imports_the_way_the_rules_mean() {
    let module = |code: &str| (PathBuf::new(), without_test_modules(&code_only(code)));
    let krate = Crate {
        modules: BTreeMap::from([
            (
                "".to_string(),
                module("pub mod a; pub mod b; pub mod c; pub mod d;"),
            ),
            (
                "a".to_string(),
                module(
                    "use crate::b::{self, Thing as Other};\n\
                     // use crate::c;\n\
                     const S: &str = \"crate::c::X\";\n\
                     mod inner; fn f() { inner::g(); }\n\
                     #[cfg(test)]\nmod tests { use crate::d::D; }\n",
                ),
            ),
            (
                "a::inner".to_string(),
                module("pub fn g() { super::super::c::h() }"),
            ),
            (
                "b".to_string(),
                module("pub struct Thing; fn f(x: &'static str) {}"),
            ),
            (
                "c".to_string(),
                module("pub fn h() { let _ = '{'; crate::a::f(); }"),
            ),
            ("d".to_string(), module("use super::b::Thing;")),
        ]),
    };
    let edges = krate.edges();
    let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    // Comments, strings and test modules are not imports; children by path and `super` are.
    assert_eq!(edges["a"], set(&["a::inner", "b"]));
    assert_eq!(edges["a::inner"], set(&["c"]));
    assert_eq!(edges["c"], set(&["a"]));
    assert_eq!(edges["d"], set(&["b"]));
    assert_eq!(circles(&edges), vec![vec!["a", "a::inner", "c"]]);
}
