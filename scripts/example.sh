#!/usr/bin/env bash
# `npm run example`: install what is missing, build the npm packages, run the example agent on Node, Deno and Bun.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx -y pnpm@12.21.0 -r --workspace-concurrency=1 run build >/dev/null
exec node scripts/example.mjs
