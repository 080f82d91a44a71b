#!/usr/bin/env bash
# Our core side by side with tikv's raft-rs 0.7 on the same in-memory workload (3 voters,
# 64-byte entries proposed B at a time, pumped through Ready/advance; see
# ../shared/bench/raftrs-baseline/README.md and bench/src/main.rs, which mirrors it).
#
# Copies the raft-rs baseline (a standalone Cargo project outside this repository, read-only)
# into a temporary directory, builds it and our `core-baseline` with the same stock release
# settings, runs the two in turn ROUNDS times (alternating which goes first, since the machine
# may be busy), then prints per batch size the median entries/s and peak RSS of each and the
# ratio core/raft-rs (of the medians, and the median of each round's ratio). Not part of
# scripts/test.sh.
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
# The log keeps them prefixed with the round, so that each round's pair can be compared too.
log="$work/runs.log"
for ((r = 1; r <= rounds; r++)); do
  printf '==> round %d/%d\n' "$r" "$rounds"
  if ((r % 2)); then order=("$theirs" "$ours"); else order=("$ours" "$theirs"); fi
  for prog in "${order[@]}"; do
    "$prog" "${flags[@]}" | while IFS= read -r line; do
      printf '%s\n' "$line"
      printf '%d %s\n' "$r" "$line" >>"$log"
    done
  done
done

# Median of the numbers on stdin.
median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# field NAME BATCH KEY: "round value" for each KEY= value of NAME's lines for that batch size,
# digits only (peak_rss_kib may read "123(process-wide)" when VmHWM could not be reset).
field() {
  awk -v name="$1" -v batch="batch=$2" -v key="$3=" '$2 == name && $4 == batch {
    for (i = 5; i <= NF; i++) if (index($i, key) == 1) { v = substr($i, length(key) + 1); sub(/[^0-9.].*/, "", v); print $1, v }
  }' "$log"
}
values() { field "$@" | cut -d' ' -f2; }
# Ratio core/raft-rs of each round's entries/s for batch size $1: both ran back to back, so
# their ratio shifts less with the machine's load than either figure does.
round_ratios() {
  join <(field core "$1" entries_per_sec | sort) <(field raft-rs "$1" entries_per_sec | sort) |
    awk '{ print $2 / $3 }'
}

printf '\n==> summary: medians of %d rounds\n' "$rounds"
printf '%-7s %13s %13s %7s %13s %13s %13s\n' batch 'core e/s' 'raft-rs e/s' ratio \
  'round ratio' 'core RSS KiB' 'raft-rs KiB'
for b in $(awk '{ sub(/^batch=/, "", $4); print $4 }' "$log" | sort -nu); do
  ce="$(values core "$b" entries_per_sec | median)"
  re="$(values raft-rs "$b" entries_per_sec | median)"
  ck="$(values core "$b" peak_rss_kib | median)"
  rk="$(values raft-rs "$b" peak_rss_kib | median)"
  ratio="$(awk -v c="$ce" -v r="$re" 'BEGIN { printf "%.2f", c / r }')"
  paired="$(round_ratios "$b" | median)"
  printf '%-7s %13.0f %13.0f %7s %13.2f %13.0f %13.0f\n' "$b" "$ce" "$re" "$ratio" "$paired" "$ck" "$rk"
done
printf 'ratio: core/raft-rs of the median entries/s; round ratio: median of the rounds'"'"' ratios.\n'
printf 'runs in %s\n' "$log"
