#!/usr/bin/env bash
# `npm test`: installs what is missing (workspace packages, Deno, Bun, Node 22/24), then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node scripts/test.mjs
