#!/usr/bin/env bash
# Runs the Django example's tests: a virtualenv in .venv (gitignored) with the pinned
# requirements, then pytest, which starts a real tenantgate from the repository root (Node.js 20
# and the repository's node_modules must be there). Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"

python=${PYTHON:-python3}
venv=.venv

# A virtualenv whose interpreter no longer runs (Python upgraded or removed) is rebuilt.
if [ -d "$venv" ] && ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
  rm -rf "$venv"
fi

if [ ! -x "$venv/bin/python" ]; then
  if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
    # Debian splits venv (ensurepip) out of python3: install it when we may, then try again.
    rm -rf "$venv"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "python3 -m venv failed; installing Debian's python3-venv" >&2
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    fi
    "$python" -m venv "$venv" || {
      rm -rf "$venv"
      echo "cannot create a virtualenv with $python; install its venv module (python3-venv)" >&2
      exit 1
    }
  fi
fi

"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
exec "$venv/bin/python" -m pytest "$@"
