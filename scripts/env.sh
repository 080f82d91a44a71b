# Sourced by the other scripts: puts the project's tools on PATH and points the browser tests at
# Debian's Chromium. Trunk runs offline and finds wasm-bindgen and wasm-opt here.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$root/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
export TRUNK_OFFLINE=true
