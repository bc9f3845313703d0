#!/usr/bin/env bash
# Installs the SpiceDB release that deploy/ pins (deploy/spicedb.version, the one place that names
# it) and spicedb-validate (scripts/spicedb-validate: SpiceDB's own check of zed validation files)
# from their Go modules into a cache dir, skipping what is already built there. Prints where they
# are as shell assignments, so that
#
#   eval "$(scripts/spicedb.sh)"     # sets SPICEDB_BIN and SPICEDB_VALIDATE_BIN
#
# prepares a shell for the tests that run real SpiceDB. Progress goes to stderr.
#
# The cache dir is ${TENANTGATE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantgate}/spicedb-VERSION.
# Needs the go command (1.21 or newer, to switch toolchains) and the Go module proxy: Go modules
# and the Go toolchain are all it downloads. A cold build takes about 8 minutes on 2 cores; with
# Go's module and build caches warm, under a minute.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=$(tr -d '[:space:]' <"$root/deploy/spicedb.version")
if [[ ! $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "spicedb.sh: deploy/spicedb.version holds '$version', not a version like v1.57.1" >&2
  exit 2
fi
tools=${TENANTGATE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantgate}
dir="$tools/spicedb-$version"
mkdir -p "$dir"

# SpiceDB v1.57 needs Go 1.26.9 or newer, and machines here have 1.26.8: the go command fetches
# this toolchain from the module proxy (about 76 MB, once per machine).
export GOTOOLCHAIN=go1.27.3
# The build never needs VCS stamping, and a go.mod of the caller's must not leak in.
export GOFLAGS=-buildvcs=false
unset GOWORK

module=github.com/authzed/spicedb
spicedb="$dir/spicedb"
validate="$dir/spicedb-validate"
validate_source="$root/scripts/spicedb-validate/main.go"
validate_stamp="$dir/spicedb-validate.sha256"
validate_sum=$(sha256sum "$validate_source" | cut -d' ' -f1)

build_spicedb() {
  local tmp
  tmp=$(mktemp -d "$dir/.build-XXXXXX")
  # `go install pkg@version` refuses a module whose go.mod has a replace directive (some SpiceDB
  # releases do); then build inside a copy of the module, where its replace directives apply.
  if ! GOBIN="$tmp" go install "$module/cmd/spicedb@$version" 2>"$tmp/install.log"; then
    if ! grep -q "replace directives" "$tmp/install.log"; then
      cat "$tmp/install.log" >&2
      rm -rf "$tmp"
      return 1
    fi
    echo "spicedb.sh: $module@$version has replace directives; building inside the module" >&2
    local moddir
    moddir=$(go mod download -json "$module@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
    cp -R "$moddir" "$tmp/src"
    chmod -R u+w "$tmp/src"
    (cd "$tmp/src" && go build -o "$tmp/spicedb" ./cmd/spicedb)
  fi
  mv "$tmp/spicedb" "$spicedb"
  rm -rf "$tmp"
}

build_validate() {
  local tmp
  tmp=$(mktemp -d "$dir/.build-XXXXXX")
  # A module of one file that requires the pinned SpiceDB: its build list is SpiceDB's own, so
  # the packages compiled for the spicedb binary are reused from Go's build cache.
  cp "$validate_source" "$tmp/main.go"
  (
    cd "$tmp"
    go mod init tenantgate.local/spicedb-validate >/dev/null 2>&1
    go mod edit -require="$module@$version"
    # Carry over SpiceDB's own replace directives, if it has any.
    gomod=$(go mod download -json "$module@$version" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')
    awk '/^replace \(/ { block = 1 } block { print } block && /^\)/ { block = 0; next } /^replace [^(]/ { print }' \
      "$gomod" >>go.mod
    go mod tidy >/dev/null 2>&1 || go mod tidy
    go build -o spicedb-validate .
  )
  mv "$tmp/spicedb-validate" "$validate"
  echo "$validate_sum" >"$validate_stamp"
  rm -rf "$tmp"
}

if [ -x "$spicedb" ]; then
  echo "spicedb.sh: SpiceDB $version already built: $spicedb" >&2
else
  echo "spicedb.sh: building SpiceDB $version (go install $module/cmd/spicedb@$version)…" >&2
  start=$SECONDS
  build_spicedb
  echo "spicedb.sh: built SpiceDB $version in $((SECONDS - start)) s" >&2
fi

if [ -x "$validate" ] && [ "$(cat "$validate_stamp" 2>/dev/null)" = "$validate_sum" ]; then
  echo "spicedb.sh: spicedb-validate already built: $validate" >&2
else
  echo "spicedb.sh: building spicedb-validate against $module@$version…" >&2
  start=$SECONDS
  build_validate
  echo "spicedb.sh: built spicedb-validate in $((SECONDS - start)) s" >&2
fi

printf 'SPICEDB_BIN=%q\n' "$spicedb"
printf 'SPICEDB_VALIDATE_BIN=%q\n' "$validate"
