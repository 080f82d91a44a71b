#!/usr/bin/env bash
# Brings this machine to a state where the playground builds, serves and tests.
# Idempotent: every step checks first and skips what is already present, so a second run takes
# seconds. It installs only from the package registries (crates.io, Debian, npm) and never lets a
# tool download a browser or a prebuilt binary of its own.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

TRUNK_VERSION="0.21.14"
step() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

need_cmd() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is missing. $2"
}

need_cmd cargo "Install Rust stable with rustup (https://rustup.rs), then run this script again."
need_cmd rustup "Install Rust with rustup so the wasm32 target can be added."
need_cmd node "Install Node.js 20 or newer (Debian: apt-get install nodejs npm), then run this script again."
need_cmd npm "Install npm (Debian: apt-get install npm), then run this script again."

export PATH="$HOME/.cargo/bin:$PATH"

# 1. The wasm target.
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "wasm32-unknown-unknown target: present"
else
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. trunk, exactly the version this project is built with (0.22 needs a newer rustc).
if command -v trunk >/dev/null 2>&1 && trunk --version 2>/dev/null | grep -q "trunk ${TRUNK_VERSION}\$"; then
  step "trunk ${TRUNK_VERSION}: present"
else
  step "installing trunk ${TRUNK_VERSION} from crates.io (about 9 minutes on 2 cores)"
  cargo install trunk --version "${TRUNK_VERSION}" --locked
fi

# 3. wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock: the CLI and the library
#    must agree byte for byte on the generated glue.
wbg_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
[ -n "$wbg_version" ] || die "could not read the wasm-bindgen version from Cargo.lock"
if command -v wasm-bindgen >/dev/null 2>&1 && [ "$(wasm-bindgen --version | awk '{print $2}')" = "$wbg_version" ] \
   && command -v wasm-bindgen-test-runner >/dev/null 2>&1; then
  step "wasm-bindgen-cli ${wbg_version}: present"
else
  step "installing wasm-bindgen-cli ${wbg_version} from crates.io (about 2 minutes)"
  # Not --locked: a dependency its lock file pins is no longer on the registry.
  cargo install wasm-bindgen-cli --version "${wbg_version}" --force
fi

# 4. Debian's Chromium and its driver, for the wasm tests and the end-to-end tests.
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  step "chromium and chromedriver: present"
else
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    die "Chromium is missing and this script cannot install it (needs root and apt-get).
Install Debian's packages by hand:  sudo apt-get update && sudo apt-get install -y chromium chromium-driver"
  fi
  step "installing Debian's chromium and chromium-driver"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
fi

# 5. npm tools from the committed lock file: wasm-opt (binaryen) and playwright-core.
#    playwright-core never downloads a browser; the tests point it at /usr/bin/chromium.
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
stamp="node_modules/.setup-stamp"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ] && [ -x node_modules/.bin/wasm-opt ]; then
  step "npm packages (package-lock.json): present"
else
  step "installing npm packages from package-lock.json"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > "$stamp"
fi

step "done"
