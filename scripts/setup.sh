#!/usr/bin/env bash
# Everything a fresh machine with Node 20 and npm needs: pnpm (via npx), the workspace with Deno and Bun
# as pinned devDependencies, and Node 22/24 for the matrix. Safe to run again: it only fills what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/deno ] || [ ! -x node_modules/.bin/bun ] || [ pnpm-lock.yaml -nt node_modules/.modules.yaml ]; then
  npx -y pnpm@12.21.0 install --frozen-lockfile
fi
bash scripts/provision-runtimes.sh
