#!/usr/bin/env bash
# Our core side by side with tikv's raft-rs 0.7 on the same in-memory workload (3 voters,
# 64-byte entries proposed B at a time, pumped through Ready/advance; see
# ../shared/bench/raftrs-baseline/README.md and bench/src/main.rs, which mirrors it).
#
# Copies the raft-rs baseline (a standalone Cargo project outside this repository, read-only)
# into a temporary directory, builds it and our `core-baseline` with the same stock release
# settings, runs the two in turn ROUNDS times (alternating which goes first, since the machine
# may be busy), then prints per batch size the median entries/s and peak RSS of each and the
# ratio core/raft-rs. Not part of scripts/test.sh.
#
# Environment:
#   RAFTRS_BASELINE  the baseline project (default: ../shared/bench/raftrs-baseline from the
#                    repository root)
#   ROUNDS           runs of each program (default 5)
#   ENTRIES          entries per batch size (default: the programs' own, 200000)
#   BATCHES          comma-separated batch sizes (default: the programs' own, 1,64)
#   CARGO_TARGET_DIR honoured; raft-rs is built under its raftrs-baseline/ subdirectory so
#                    that later runs do not rebuild it.
# The baseline's crates come from crates.io, or from cargo's cache when offline.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/env.sh
source "$here/env.sh"
cd "$root"

baseline="${RAFTRS_BASELINE:-$root/../shared/bench/raftrs-baseline}"
rounds="${ROUNDS:-5}"
target="${CARGO_TARGET_DIR:-$root/target}"

if [[ ! -f "$baseline/Cargo.toml" ]]; then
  printf '\n!!! raft-rs baseline not found at %s\n' "$baseline" >&2
  printf '!!! set RAFTRS_BASELINE to the raftrs-baseline project directory.\n\n' >&2
  exit 1
fi
if ! [[ "$rounds" =~ ^[1-9][0-9]*$ ]]; then
  printf 'ROUNDS must be a positive integer, not "%s"\n' "$rounds" >&2
  exit 2
fi

flags=()
[[ -n "${ENTRIES:-}" ]] && flags+=(--entries "$ENTRIES")
[[ -n "${BATCHES:-}" ]] && flags+=(--batches "$BATCHES")

work="$(mktemp -d "${TMPDIR:-/tmp}/raft-side.XXXXXX")"
trap 'rm -rf "$work/raftrs-baseline"' EXIT

printf '==> building raft-rs baseline (copy of %s)\n' "$baseline"
cp -r "$baseline" "$work/raftrs-baseline"
chmod -R u+w "$work/raftrs-baseline"
if ! CARGO_TARGET_DIR="$target/raftrs-baseline" \
  cargo build --release --locked --manifest-path "$work/raftrs-baseline/Cargo.toml"; then
  printf '\n!!! the raft-rs baseline did not build (its crates need crates.io or cargo'"'"'s cache)\n' >&2
  exit 1
fi
theirs="$target/raftrs-baseline/release/raftrs-baseline"

printf '==> building core-baseline (profile side-by-side)\n'
cargo build --profile side-by-side --locked -p core-baseline
ours="$target/side-by-side/core-baseline"

# Each program prints one line per batch size:
#   <name> <version> batch=B entries=N secs=S entries_per_sec=E peak_rss_kib=K compaction=C
log="$work/runs.log"
for ((r = 1; r <= rounds; r++)); do
  printf '==> round %d/%d\n' "$r" "$rounds"
  if ((r % 2)); then order=("$theirs" "$ours"); else order=("$ours" "$theirs"); fi
  for prog in "${order[@]}"; do
    "$prog" "${flags[@]}" | tee -a "$log"
  done
done

# Median of the numbers on stdin.
median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# field NAME BATCH KEY: the KEY= values of NAME's lines for that batch size, digits only
# (peak_rss_kib may read "123(process-wide)" when VmHWM could not be reset).
field() {
  awk -v name="$1" -v batch="batch=$2" -v key="$3=" '$1 == name && $3 == batch {
    for (i = 4; i <= NF; i++) if (index($i, key) == 1) { v = substr($i, length(key) + 1); sub(/[^0-9.].*/, "", v); print v }
  }' "$log"
}

printf '\n==> summary: medians of %d rounds\n' "$rounds"
printf '%-7s %14s %14s %8s %14s %14s\n' batch 'core e/s' 'raft-rs e/s' ratio 'core RSS KiB' 'raft-rs KiB'
for b in $(awk '{ sub(/^batch=/, "", $3); print $3 }' "$log" | sort -nu); do
  ce="$(field core "$b" entries_per_sec | median)"
  re="$(field raft-rs "$b" entries_per_sec | median)"
  ck="$(field core "$b" peak_rss_kib | median)"
  rk="$(field raft-rs "$b" peak_rss_kib | median)"
  ratio="$(awk -v c="$ce" -v r="$re" 'BEGIN { printf "%.2f", c / r }')"
  printf '%-7s %14.0f %14.0f %8s %14.0f %14.0f\n' "$b" "$ce" "$re" "$ratio" "$ck" "$rk"
done
printf 'ratio = core entries/s / raft-rs entries/s; runs in %s\n' "$log"
