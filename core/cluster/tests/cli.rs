//! The `raft-script` binary as a shell user runs it.

#![cfg(not(target_arch = "wasm32"))]

use std::io::Read;
use std::process::{Command, Stdio};

/// `raft-script long.txt | head` closes the pipe early: the program ends with SIGPIPE's
/// status, not a panic.
#[test]
fn a_reader_that_stops_early_ends_the_program_quietly() {
    let dir = std::env::temp_dir().join(format!("raft-script-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("long.txt");
    // Far more output than a pipe buffers (64 KB here, about 360 KB of transcript), so the
    // writer is still writing when the reader goes.
    let text = format!("cluster 3\n{}", "log-level info\n".repeat(15_000));
    std::fs::write(&script, text).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_raft-script"))
        .arg(&script)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The read end is dropped here.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(&first, b"cluster 3\n----\nI");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(141), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}
