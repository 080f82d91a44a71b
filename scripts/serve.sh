#!/usr/bin/env bash
# Builds the playground (release, offline) and serves it on http://127.0.0.1:8080.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/setup.sh"
# shellcheck source=scripts/env.sh
source "$here/env.sh"
cd "$root"

port="${PORT:-8080}"
echo "Raft Playground: building, then serving at http://127.0.0.1:${port}/"
exec trunk serve --release --offline --locked --address 127.0.0.1 --port "$port" --no-autoreload
