#!/usr/bin/env bash
# Runs the benchmarks and prints their figures:
#   1. cargo bench -p raft     commit throughput of a 3-node in-memory cluster (entries/s)
#   2. cargo bench -p cluster  the virtual cluster's speed: virtual seconds simulated per wall
#                              second, 5 nodes under 200 client ops per virtual second
#   3. the same workload compiled to wasm (release profile, as the page ships it) and run in
#      headless Chromium, timed with performance.now()
#   4. the page (scripts/bench-page.mjs): time to interactive, frame times, gzipped size
#   5. our core side by side with raft-rs (scripts/bench-raftrs.sh), when its baseline is there
# then a summary: native v/s, wasm v/s and their ratio. Optimized builds: expect several
# minutes on a 2-core machine the first time. Honours CARGO_TARGET_DIR.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/env.sh
source "$here/env.sh"
cd "$root"

logs="$(mktemp -d "${TMPDIR:-/tmp}/raft-bench.XXXXXX")"
failed=0

step() {
  local name="$1" log="$2"
  shift 2
  printf '\n==> %s\n' "$name"
  local start=$SECONDS
  if "$@" 2>&1 | tee "$log"; then
    printf '==> %s: done (%ss)\n' "$name" $((SECONDS - start))
  else
    printf '==> %s: FAILED (%ss)\n' "$name" $((SECONDS - start))
    failed=1
  fi
}

step "cargo bench -p raft" "$logs/raft.log" cargo bench -p raft --bench commit_throughput
step "cargo bench -p cluster" "$logs/cluster.log" cargo bench -p cluster --bench simulate
# The browser suite's default 20 s limit is for debug test runs; the measurement gets more.
step "wasm (release) in headless Chromium" "$logs/wasm.log" \
  env WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}" \
  cargo test --release -p wasm-tests --target wasm32-unknown-unknown --test browser -- \
  --nocapture simulator_speed

# "simulate native: 12.345 virtual s per wall s (...)" -> 12.345
figure() {
  sed -n "s/.*$1: \([0-9.]*\) virtual s per wall s.*/\1/p" "$2" | tail -n 1
}
native="$(figure 'simulate native' "$logs/cluster.log")"
wasm="$(figure 'simulate wasm (optimized)' "$logs/wasm.log")"
native_line="$(grep -h 'simulate native:' "$logs/cluster.log" | tail -n 1)"
wasm_line="$(grep -h 'simulate wasm (optimized):' "$logs/wasm.log" | tail -n 1)"

# The page: time to interactive, frame times with 7 nodes and ~100 messages, bundle size.
step "page (release build in headless Chromium)" "$logs/page.log" \
  bash -c 'trunk build --release --offline --locked >/dev/null 2>&1 && node scripts/bench-page.mjs'

# Our core side by side with tikv's raft-rs on the baseline's workload (it needs the baseline
# project, and crates.io or a warm cargo cache for raft-rs's crates).
baseline="${RAFTRS_BASELINE:-$root/../shared/bench/raftrs-baseline}"
if [[ -f "$baseline/Cargo.toml" ]]; then
  step "core vs raft-rs (scripts/bench-raftrs.sh)" "$logs/raftrs.log" bash scripts/bench-raftrs.sh
else
  printf '\n==> core vs raft-rs: SKIPPED, no raft-rs baseline at %s (set RAFTRS_BASELINE)\n' "$baseline"
fi

printf '\n==> summary\n'
# Criterion prints each benchmark's name, then `time:` and `thrpt:` lines.
printf 'raft commit throughput (entries/s, criterion [low mean high]):\n'
awk '/^commit_throughput\//{name=$1} /thrpt:/{sub(/^ */, ""); print "  " name "  " $0}' \
  "$logs/raft.log"
printf 'cluster simulation, criterion (Kelem/s = virtual s per wall s):\n'
awk '/^simulate\//{name=$1} /thrpt:/{sub(/^ */, ""); print "  " name "  " $0}' \
  "$logs/cluster.log"
printf '  %s\n' "${native_line:-simulate native: missing}" "${wasm_line:-simulate wasm: missing}"
printf 'native: %s virtual s per wall s\n' "${native:-?}"
printf 'wasm:   %s virtual s per wall s\n' "${wasm:-?}"
if [[ -n "$native" && -n "$wasm" ]]; then
  awk -v n="$native" -v w="$wasm" \
    'BEGIN { if (w > 0) printf "ratio:  native is %.2fx wasm (wasm runs at %.0f%% of native speed)\n", n / w, 100 * w / n }'
else
  failed=1
fi
grep -E '^  ' "$logs/page.log" | sed 's/^  /page: /'
if [[ -f "$logs/raftrs.log" ]]; then
  sed -n '/==> summary: medians/,$p' "$logs/raftrs.log" | sed 's/^/core vs raft-rs: /'
fi
printf 'logs in %s\n' "$logs"
exit "$failed"
