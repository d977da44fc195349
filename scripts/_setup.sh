# Shared by scripts/run.sh and scripts/test.sh: a local virtual environment with OneRoof
# installed. Needs only Python 3.11+ on the machine.
find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
      echo "$candidate"; return 0
    fi
  done
  echo "OneRoof needs Python 3.11 or newer; none was found." >&2
  return 1
}

setup_venv() {  # $1: the extras to install, e.g. "" or "[test]"
  local extras="$1" py stamp want
  py=$(find_python)
  if [ ! -x .venv/bin/python ]; then
    echo "==> Creating .venv with $py"
    "$py" -m venv .venv
  fi
  stamp=.venv/.oneroof-installed
  want="$(cat pyproject.toml | sha256sum | cut -c1-16)$extras"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "==> Installing OneRoof and its dependencies into .venv"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".$extras"
    echo "$want" > "$stamp"
  fi
  .venv/bin/oneroof compile_translations >/dev/null
}
