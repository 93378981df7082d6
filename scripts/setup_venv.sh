#!/usr/bin/env bash
# Creates .venv from the tested pins (requirements.txt: every extra, the package editable), for the tests and the app.
#
#     bash scripts/setup_venv.sh
#
# uv installs the ~170 pinned packages in about 20 s where pip takes about 80 s on 2 cores: it links files from its
# cache, and byte-compiles on every core. Compiled here, not on first import: where PYTHONDONTWRITEBYTECODE is set
# (as on our machines) nothing imported would ever be cached, and every Python process would compile torch,
# transformers and pandas again (12 s to import the stack the tests use, against 5 s compiled).
# uv does not read pip's configuration, so the local wheel folders pip is set to look in (find-links: on our machines
# the CPU build of torch, which a plain install would replace by a multi-GB CUDA build) are passed on to it.
# Where uv cannot be installed or fails, pip does the same install.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv

# Every folder pip's settings (files or PIP_FIND_LINKS) name as find-links, where it exists on this machine.
find_links() {
  .venv/bin/pip config list 2>/dev/null | sed -n "s/^.*find-links='\(.*\)'$/\1/p" | tr ' ' '\n' | sort -u |
    while read -r folder; do
      folder=${folder#file://}
      [ -n "$folder" ] && [ -d "$folder" ] && printf -- '--find-links\n%s\n' "$folder"
    done
}

if .venv/bin/pip install -q uv 2>/dev/null; then
  mapfile -t links < <(find_links)
  if .venv/bin/uv pip install -q --compile-bytecode --python .venv/bin/python "${links[@]}" -r requirements.txt; then
    exit 0
  fi
  echo "uv could not install requirements.txt: installing with pip" >&2
fi
.venv/bin/pip install -q -r requirements.txt
