//! A reader and rewriter for the "datadriven" test-file format of
//! `github.com/cockroachdb/datadriven` (v1.0.2), the format etcd's interaction transcripts use.
//!
//! A file is a sequence of directives separated by blank lines and `#` comments:
//!
//! ```text
//! # a comment
//! command arg key=value list=(a, b)
//! optional input lines
//! ----
//! expected output, up to the first blank line
//! ```
//!
//! Output that itself contains blank lines is written between doubled separators
//! (`----` `----` ... `----` `----`). [`rewrite`] reproduces datadriven's `-rewrite` mode byte for
//! byte, which is what makes "the transcript is identical" a plain string comparison.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One argument of a directive: `key`, `key=value` or `key=(v1, v2, ...)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CmdArg {
    pub key: String,
    /// Empty for a bare `key`; one element for `key=value` (possibly the empty string for `key=`).
    pub vals: Vec<String>,
}

impl fmt::Display for CmdArg {
    /// datadriven's `CmdArg.String()`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.vals.len() {
            0 => f.write_str(&self.key),
            1 => write!(f, "{}={}", self.key, self.vals[0]),
            _ => write!(f, "{}=({})", self.key, self.vals.join(", ")),
        }
    }
}

/// One directive of a datadriven file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestData {
    /// 1-based line number of the directive's (first) line.
    pub line: usize,
    pub cmd: String,
    pub cmd_args: Vec<CmdArg>,
    /// The lines between the directive and the `----` separator, trimmed of surrounding whitespace.
    pub input: String,
    /// The expected output as written in the file; every line ends with `\n`.
    pub expected: String,
}

impl TestData {
    /// The first argument with this key.
    pub fn arg(&self, key: &str) -> Option<&CmdArg> {
        self.cmd_args.iter().find(|a| a.key == key)
    }
}

/// A malformed file: where, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in bytes) within that line.
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ParseError {}

/// Parses a directive line into its command and arguments (datadriven's `ParseLine`). On error,
/// returns the 1-based column within the trimmed line and a message.
pub(crate) fn parse_line(line: &str) -> Result<(String, Vec<CmdArg>), (usize, String)> {
    let orig = line.trim();
    if orig.is_empty() {
        return Ok((String::new(), Vec::new()));
    }
    // `rest` is the unparsed tail of `orig`; errors point at its first byte.
    let mut rest = orig;
    let fail = |rest: &str| {
        let column = orig.len() - rest.len() + 1;
        Err((
            column,
            format!("cannot parse directive at column {}: {}", column, orig),
        ))
    };
    // Splits `rest` at the first of `chars`, returning the prefix.
    fn until<'a>(rest: &mut &'a str, chars: &[char]) -> &'a str {
        let idx = rest.find(chars).unwrap_or(rest.len());
        let (head, tail) = rest.split_at(idx);
        *rest = tail;
        head
    }

    let cmd = until(&mut rest, &[' ']);
    if cmd.is_empty() {
        return fail(rest);
    }
    rest = rest.trim();

    let mut args = Vec::new();
    while !rest.is_empty() {
        let key = until(&mut rest, &[' ', '=']);
        if key.is_empty() {
            return fail(rest);
        }
        let mut arg = CmdArg {
            key: key.to_string(),
            vals: Vec::new(),
        };
        if let Some(after_eq) = rest.strip_prefix('=') {
            rest = after_eq;
            if rest.is_empty() || rest.starts_with(' ') {
                arg.vals.push(String::new());
            } else if !rest.starts_with('(') {
                arg.vals.push(until(&mut rest, &[' ']).to_string());
            } else {
                // A parenthesised list: split at top-level commas, respecting nested parens, and
                // skip the spaces that follow a comma.
                let bytes = rest.as_bytes();
                let mut nest = 1;
                let mut pos = 1;
                let mut start = 1;
                let end = loop {
                    let Some(c) = rest[pos..].chars().next() else {
                        return fail(rest);
                    };
                    let i = pos;
                    pos += c.len_utf8();
                    match c {
                        ',' if nest == 1 => {
                            arg.vals.push(rest[start..i].to_string());
                            while pos < bytes.len() && bytes[pos] == b' ' {
                                pos += 1;
                            }
                            start = pos;
                        }
                        '(' => nest += 1,
                        ')' => {
                            nest -= 1;
                            if nest == 0 {
                                break i;
                            }
                        }
                        _ => {}
                    }
                };
                arg.vals.push(rest[start..end].to_string());
                rest = rest[end + 1..].trim();
            }
        }
        args.push(arg);
        rest = rest.trim();
    }
    Ok((cmd.to_string(), args))
}

/// Splits text into lines the way Go's `bufio.ScanLines` does: at `\n`, dropping one trailing
/// `\r`, with a final unterminated line counted and an empty tail after the last `\n` not.
fn scan_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.split('\n').collect();
    if lines.last() == Some(&"") {
        lines.pop();
    }
    lines
        .into_iter()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect()
}

/// What the reader found next.
enum Item {
    Directive(TestData),
    /// A `subtest` directive: it has neither input nor output.
    Subtest,
}

/// datadriven's `testDataReader`: walks the lines and, when rewriting, echoes every line it
/// consumes except separators and expected output.
struct Reader<'a> {
    lines: Vec<&'a str>,
    /// Number of lines consumed; also the 1-based number of the last line consumed.
    pos: usize,
    out: Option<String>,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str, rewrite: bool) -> Self {
        Reader {
            lines: scan_lines(text),
            pos: 0,
            out: if rewrite { Some(String::new()) } else { None },
        }
    }

    fn scan(&mut self) -> Option<&'a str> {
        let l = self.lines.get(self.pos).copied()?;
        self.pos += 1;
        Some(l)
    }

    fn emit(&mut self, s: &str) {
        if let Some(out) = &mut self.out {
            out.push_str(s);
            out.push('\n');
        }
    }

    fn next(&mut self) -> Result<Option<Item>, ParseError> {
        while let Some(raw) = self.scan() {
            self.emit(raw);
            let first_line = self.pos;
            let mut line = raw.trim().to_string();
            if line.starts_with('#') {
                continue;
            }
            // A trailing backslash continues the directive on the next line.
            while line.ends_with('\\') {
                let Some(next) = self.scan() else { break };
                self.emit(next);
                line.pop();
                line.push(' ');
                line.push_str(next.trim());
            }
            let (cmd, cmd_args) = parse_line(&line).map_err(|(column, message)| {
                let indent = raw.len() - raw.trim_start().len();
                ParseError {
                    line: first_line,
                    column: column + indent,
                    message,
                }
            })?;
            if cmd.is_empty() {
                continue;
            }
            if cmd == "subtest" {
                return Ok(Some(Item::Subtest));
            }
            let mut input = String::new();
            let mut separator = false;
            while let Some(l) = self.scan() {
                if l == "----" {
                    separator = true;
                    break;
                }
                self.emit(l);
                input.push_str(l);
                input.push('\n');
            }
            let expected = if separator {
                self.read_expected()?
            } else {
                String::new()
            };
            return Ok(Some(Item::Directive(TestData {
                line: first_line,
                cmd,
                cmd_args,
                input: input.trim().to_string(),
                expected,
            })));
        }
        Ok(None)
    }

    fn read_expected(&mut self) -> Result<String, ParseError> {
        let mut buf = String::new();
        let mut line = self.scan().unwrap_or("");
        if line == "----" {
            // Doubled separator: the output runs to the next `----` `----` pair and may contain
            // blank lines; the blank line after the closing pair belongs to the directive.
            while let Some(l) = self.scan() {
                line = l;
                if line == "----" {
                    if let Some(line2) = self.scan() {
                        if line2 == "----" {
                            if let Some(after) = self.scan() {
                                if !after.is_empty() {
                                    return Err(ParseError {
                                        line: self.pos,
                                        column: 1,
                                        message: "non-blank line after end of double ---- separator section"
                                            .to_string(),
                                    });
                                }
                            }
                            break;
                        }
                        buf.push_str(line);
                        buf.push('\n');
                        buf.push_str(line2);
                        buf.push('\n');
                        continue;
                    }
                }
                buf.push_str(line);
                buf.push('\n');
            }
        } else {
            // Single separator: the output ends at the first blank line, which is consumed.
            loop {
                if line.trim().is_empty() {
                    break;
                }
                buf.push_str(line);
                buf.push('\n');
                match self.scan() {
                    Some(l) => line = l,
                    None => break,
                }
            }
        }
        Ok(buf)
    }
}

/// Parses a whole datadriven file into its directives (`subtest` markers are skipped).
pub fn parse(text: &str) -> Result<Vec<TestData>, ParseError> {
    let mut r = Reader::new(text, false);
    let mut out = Vec::new();
    while let Some(item) = r.next()? {
        if let Item::Directive(d) = item {
            out.push(d);
        }
    }
    Ok(out)
}

/// Whether some line of `s` is empty or only spaces and tabs (datadriven's `hasBlankLine`; a
/// final line without `\n` does not count).
fn has_blank_line(s: &str) -> bool {
    s.split_inclusive('\n')
        .any(|l| l.ends_with('\n') && l[..l.len() - 1].trim_matches([' ', '\t']).is_empty())
}

/// Re-writes a whole file with each directive's expected output replaced by `handler`'s output,
/// keeping comments and blank lines: a transcript is byte-identical iff `rewrite(file) == file`.
///
/// The handler is called for the directives in order, exactly as datadriven's `RunTest` calls
/// its callback; its output gets a final newline if it lacks one.
pub fn rewrite(
    text: &str,
    mut handler: impl FnMut(&TestData) -> String,
) -> Result<String, ParseError> {
    let mut r = Reader::new(text, true);
    while let Some(item) = r.next()? {
        let Item::Directive(d) = item else { continue };
        let mut actual = handler(&d);
        if !actual.is_empty() && !actual.ends_with('\n') {
            actual.push('\n');
        }
        r.emit("----");
        if has_blank_line(&actual) {
            r.emit("----");
            if let Some(out) = &mut r.out {
                out.push_str(&actual);
            }
            r.emit("----");
            r.emit("----");
            r.emit("");
        } else {
            // `actual` ends in a newline, so this leaves the blank line that ends the directive.
            r.emit(&actual);
        }
    }
    let mut data = r.out.unwrap_or_default();
    // A file does not end in a blank line.
    if data.len() > 2 && data.ends_with("\n\n") {
        data.pop();
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        let (cmd, args) = parse_line(line).unwrap();
        std::iter::once(cmd)
            .chain(args.iter().map(|a| format!("{:?}={:?}", a.key, a.vals)))
            .collect()
    }

    #[test]
    fn parse_line_forms() {
        assert_eq!(
            args("  add-nodes 3 voters=(1,2,3) index=2 prevote=true x= y"),
            vec![
                "add-nodes",
                "\"3\"=[]",
                "\"voters\"=[\"1\", \"2\", \"3\"]",
                "\"index\"=[\"2\"]",
                "\"prevote\"=[\"true\"]",
                "\"x\"=[\"\"]",
                "\"y\"=[]",
            ]
        );
        // Spaces after commas are skipped; nested parens stay inside one value.
        assert_eq!(
            args("cmd e=(a + (b, c), d)  f=(x)"),
            vec!["cmd", "\"e\"=[\"a + (b, c)\", \"d\"]", "\"f\"=[\"x\"]"]
        );
        assert_eq!(
            args("cmd e=(a, b,c)"),
            vec!["cmd", "\"e\"=[\"a\", \"b\", \"c\"]"]
        );
        assert_eq!(
            args("cmd e=() k=v=w"),
            vec!["cmd", "\"e\"=[\"\"]", "\"k\"=[\"v=w\"]"]
        );
        assert_eq!(args("cmd é=(ü,ß)"), vec!["cmd", "\"é\"=[\"ü\", \"ß\"]"]);
        assert_eq!(parse_line("   ").unwrap(), (String::new(), vec![]));
    }

    #[test]
    fn parse_line_errors_carry_column() {
        // datadriven's own example.
        assert_eq!(
            parse_line("xx =").unwrap_err(),
            (4, "cannot parse directive at column 4: xx =".to_string())
        );
        assert_eq!(parse_line("cmd a=(1,2").unwrap_err().0, 7);
        let err = parse("ok\n----\nok\n\n  bad k=(1\n----\nx\n").unwrap_err();
        assert_eq!((err.line, err.column), (5, 9));
        assert_eq!(
            err.to_string(),
            "line 5, column 9: cannot parse directive at column 7: bad k=(1"
        );
    }

    #[test]
    fn parse_directives_and_outputs() {
        let text = "# comment\n\ncmd a b=1\ninput 1\n\ninput 2\n----\nout 1\nout 2\n\nnext\n----\n----\nx\n\ny\n----\n----\n\nlast\n----\n";
        let ds = parse(text).unwrap();
        assert_eq!(ds.len(), 3);
        assert_eq!(ds[0].line, 3);
        assert_eq!(ds[0].cmd, "cmd");
        assert_eq!(ds[0].cmd_args.len(), 2);
        assert_eq!(ds[0].input, "input 1\n\ninput 2");
        assert_eq!(ds[0].expected, "out 1\nout 2\n");
        assert_eq!(ds[1].line, 11);
        assert_eq!(ds[1].expected, "x\n\ny\n");
        assert_eq!(ds[2].expected, "");
        assert_eq!(ds[2].line, 20);
    }

    #[test]
    fn continuation_lines_join() {
        let ds = parse("cmd a=1 \\\n   b=2\n----\nok\n").unwrap();
        assert_eq!(
            ds[0]
                .cmd_args
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>(),
            vec!["a=1", "b=2"]
        );
        assert_eq!(ds[0].expected, "ok\n");
    }

    #[test]
    fn non_blank_after_double_separator_is_an_error() {
        let err = parse("a\n----\n----\nx\n----\n----\nnope\n").unwrap_err();
        assert_eq!(err.line, 7);
        assert!(err.message.contains("non-blank line"));
    }

    /// datadriven's testdata/rewrite/basic-before and -after, with its test's handler (echo the
    /// input once, or twice for `duplicate*`).
    #[test]
    fn rewrite_matches_datadriven_basic() {
        let before = "noop\n----\n\nnoop\n----\nxxx\n\nnoop\n----\n----\nxxx\n----\n----\n\nnoop\nsome input\n----\n\nnoop\nsome input\n----\nxxx\n\nduplicate\nsome input\n----\nyyy\n\nduplicate\nsome input\n----\n----\nyyy\n----\n----\n\nduplicate-with-blank\nsome input\n----\n\nduplicate-with-blank\nsome input\n----\n----\nsome\n\nexpected\n----\n----\n\nno-output\nsome input\n----\nzzz\n";
        let after = "noop\n----\n\nnoop\n----\n\nnoop\n----\n\nnoop\nsome input\n----\nsome input\n\nnoop\nsome input\n----\nsome input\n\nduplicate\nsome input\n----\nsome input\nsome input\n\nduplicate\nsome input\n----\nsome input\nsome input\n\nduplicate-with-blank\nsome input\n----\n----\nsome input\n\nsome input\n----\n----\n\nduplicate-with-blank\nsome input\n----\n----\nsome input\n\nsome input\n----\n----\n\nno-output\nsome input\n----\n";
        let handler = |d: &TestData| match d.cmd.as_str() {
            "noop" => d.input.clone(),
            "duplicate" => format!("{}\n{}", d.input, d.input),
            "duplicate-with-blank" => format!("{}\n\n{}", d.input, d.input),
            _ => String::new(),
        };
        assert_eq!(rewrite(before, handler).unwrap(), after);
        // Rewriting the result again is a fixed point.
        assert_eq!(rewrite(after, handler).unwrap(), after);
    }

    #[test]
    fn rewrite_eof_cases() {
        let eof1 = "# Case where the last directive has blank output.\nnoop\n----\n";
        assert_eq!(rewrite(eof1, |_| String::new()).unwrap(), eof1);
        let eof2 = "# c\nnoop\n----\n----\nfoo\n----\n----\n";
        assert_eq!(
            rewrite(eof2, |_| String::new()).unwrap(),
            "# c\nnoop\n----\n"
        );
    }

    #[test]
    fn rewrite_preserves_comments_blanks_and_identity() {
        let text = "# header\n\nfoo x=(1, 2)\n----\nok\n\n\n\n# between\nbar\n----\nline\nline2\n";
        let out = rewrite(text, |d| d.expected.clone()).unwrap();
        assert_eq!(out, text);
        let changed = rewrite(text, |d| {
            if d.cmd == "bar" {
                "other".into()
            } else {
                d.expected.clone()
            }
        })
        .unwrap();
        assert_eq!(
            changed,
            "# header\n\nfoo x=(1, 2)\n----\nok\n\n\n\n# between\nbar\n----\nother\n"
        );
        // CRLF input is read like LF (Go's scanner drops the \r) and written back as LF.
        assert_eq!(
            rewrite("a\r\n----\r\nok\r\n", |_| "ok".into()).unwrap(),
            "a\n----\nok\n"
        );
    }

    #[test]
    fn has_blank_line_like_go_regexp() {
        assert!(!has_blank_line("a\nb\n"));
        assert!(has_blank_line("a\n\nb\n"));
        assert!(has_blank_line("\na\n"));
        assert!(has_blank_line("a\n \t\nb"));
        assert!(!has_blank_line(""));
    }
}
