#!/usr/bin/env bash
# Coverage-guided fuzzing of the script language (libFuzzer through cargo-fuzz); see
# docs/fuzzing.md.
#
#   scripts/fuzz.sh [TARGET] [SECONDS] [LIBFUZZER ARGS...]
#
# TARGET is script_structured (default) or script_text; SECONDS defaults to 60. The corpus
# grows in fuzz/corpus/TARGET and carries over to the next run; a crashing input lands in
# fuzz/artifacts/TARGET, with the command that replays it printed at the end.
#
# Stable Rust is enough. cargo-fuzz's default sanitizer, AddressSanitizer, is switched on with
# `-Zsanitizer=address`, which a stable rustc refuses ("the option `Z` is only accepted on the
# nightly compiler"). The coverage instrumentation uses only stable flags (-Cpasses=sancov-module,
# -Cllvm-args=...), so with `--sanitizer none` stable builds and fuzzes as it is. Little is lost
# by it: the project has no `unsafe`, so Rust's own checks catch what ASan would in its code.
# `-a` keeps debug assertions and overflow checks on, as in `cargo test`: an overflow in index
# arithmetic is a crash here, not a silent wrap.
# FUZZ_SANITIZER=address brings ASan back anyway (for a dependency's `unsafe`): RUSTC_BOOTSTRAP=1
# lets stable rustc take the -Z flag, and the stable toolchain ships the ASan runtime it links.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

CARGO_FUZZ_VERSION="0.13.2"
target="${1:-script_structured}"
seconds="${2:-60}"
shift $(($# < 2 ? $# : 2))
sanitizer="${FUZZ_SANITIZER:-none}"

step() { printf '[fuzz] %s\n' "$*"; }
die() { printf '[fuzz] ERROR: %s\n' "$*" >&2; exit 1; }

# libfuzzer-sys compiles libFuzzer's C++ sources with the system compiler.
command -v c++ >/dev/null 2>&1 || die "libFuzzer needs a C++ compiler: apt-get install g++"

if cargo fuzz --version 2>/dev/null | grep -qx "cargo-fuzz ${CARGO_FUZZ_VERSION}"; then
  step "cargo-fuzz ${CARGO_FUZZ_VERSION}: present"
else
  step "installing cargo-fuzz ${CARGO_FUZZ_VERSION} from crates.io (about 3 minutes on 2 cores)"
  cargo install cargo-fuzz --version "${CARGO_FUZZ_VERSION}" --locked
fi

build=(--sanitizer "$sanitizer" --debug-assertions)
if [ "$sanitizer" != none ]; then
  export RUSTC_BOOTSTRAP=1
  # Its own build directory: switching sanitizers would otherwise rebuild everything each time.
  build+=(--target-dir "$root/fuzz/target/$sanitizer")
fi

cd "$root/fuzz"
mkdir -p "corpus/$target"
corpora=("corpus/$target")
# From raw bytes libFuzzer never spells a command's name (10 minutes from an empty corpus found
# none): the built-in scenarios give it whole scripts to mutate. Read-only, as a second corpus:
# new inputs go to the first.
if [ "$target" = script_text ]; then
  corpora+=("$root/static/scenarios")
fi
# libFuzzer grows its length limit slowly (48 bytes after 10 minutes: a handful of commands).
# Full-length inputs from the start ran 9x fewer executions in 10 minutes yet reached more
# (cov 8250, ft 37434 against 8067, 29822): the deep states need long scripts. LIBFUZZER ARGS
# come after these and override them.
limits=()
if [ "$target" = script_structured ]; then
  limits=(-len_control=0 -max_len=1024)
fi
step "fuzzing $target for ${seconds}s (sanitizer: $sanitizer)"
# A unit slower than 60 s is reported as a hang, as fuzz_scripts.rs's watchdog does.
exec cargo fuzz run "${build[@]}" "$target" "${corpora[@]}" -- \
  -max_total_time="$seconds" -timeout=60 -print_final_stats=1 "${limits[@]}" "$@"
