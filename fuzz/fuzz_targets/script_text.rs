//! Arbitrary bytes as script text: what a share link, an imported file or a pasted script can
//! hold. Parsing must refuse bad text with a place a person can find (line and column from 1),
//! and a script that parses must run without a panic. The mutations here reach the tokenizer
//! and the datadriven framing (`----`, input lines, blank lines) that the structured target
//! never writes badly.
#![no_main]

use cluster::cluster::Cluster;
use cluster::script::Script;
use libfuzzer_sys::fuzz_target;

/// Events one run may cause: as in `core/cluster/tests/fuzz_scripts.rs`, so that `run 1h` on
/// nine nodes costs milliseconds, not seconds, and the fuzzer keeps exploring.
const EVENT_BUDGET: u64 = 20_000;

fuzz_target!(|data: &[u8]| {
    // The page and the command-line runner only ever hand the parser a `str`.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Script::parse(text) {
        Err(e) => assert!(
            e.line >= 1 && e.column >= 1,
            "an error without a place: {e:?}"
        ),
        Ok(script) => {
            let mut cluster = Cluster::new(0);
            cluster.set_event_limit(Some(EVENT_BUDGET));
            script.run_on(cluster);
        }
    }
});
