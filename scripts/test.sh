#!/usr/bin/env bash
# Runs every test of the project, after setup: formatting, lints, native tests (core, cluster,
# conformance), wasm tests in headless Chromium, a release build of the page, and the end-to-end
# browser tests against that build. Stops at the first failing stage and exits non-zero.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/setup.sh" || exit 1
# shellcheck source=scripts/env.sh
source "$here/env.sh"
cd "$root"

passed=0
failed=0
stage() {
  local name="$1"
  shift
  printf '\n==> %s\n' "$name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    printf '==> %s: ok (%ss)\n' "$name" $((SECONDS - start))
  else
    failed=$((failed + 1))
    printf '==> %s: FAILED (%ss)\n' "$name" $((SECONDS - start))
    printf '\nstages: %d passed, %d failed\n' "$passed" "$failed"
    exit 1
  fi
}

stage "format (cargo fmt --check)" cargo fmt --all -- --check
stage "lints (cargo clippy -D warnings)" cargo clippy --workspace --all-targets --locked -- -D warnings
stage "native tests (cargo test --workspace)" cargo test --workspace --locked
stage "wasm tests (wasm-bindgen-test, headless Chromium)" \
  cargo test -p web -p wasm-tests --target wasm32-unknown-unknown --locked --tests
stage "release build (trunk)" trunk build --release --offline --locked
stage "end-to-end tests (Playwright + Chromium)" node --test tests/e2e/

printf '\nstages: %d passed, %d failed\n' "$passed" "$failed"
