# Sourced by the scripts in this folder (not run directly): finds Python 3.11, creates a virtual
# environment when it is missing, and installs a requirements file only when it (or a file it
# includes with -r) changed since the last install, remembered in a stamp file inside the venv.

find_python311() {
  local candidate
  for candidate in "${PYTHON:-}" python3.11 python3 python; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  echo "error: Python 3.11 is needed (the Lambda runtime's version); install it or set PYTHON=/path/to/python3.11" >&2
  return 1
}

# The requirements file and every file it includes with -r, recursively (paths relative to it).
requirement_files() {
  local file=$1 dir included
  echo "$file"
  dir=$(dirname "$file")
  sed -nE 's/^[[:space:]]*-r[[:space:]]+([^[:space:]#]+).*/\1/p' "$file" | while read -r included; do
    requirement_files "$dir/$included"
  done
}

requirements_hash() {
  requirement_files "$1" | xargs cat | sha256sum | cut -d' ' -f1
}

# ensure_venv VENV_DIR REQUIREMENTS [ALSO_GOOD_ENOUGH...]
# Installs REQUIREMENTS into VENV_DIR unless its stamp is current, or the stamp of a file that
# includes it (e.g. requirements-dev.txt includes requirements-local.txt) is current.
ensure_venv() {
  local venv=$1 requirements=$2 wanted candidate
  shift 2
  if [ ! -x "$venv/bin/python" ]; then
    echo "creating $venv with $(find_python311)" >&2
    "$(find_python311)" -m venv "$venv"
  fi
  for candidate in "$requirements" "$@"; do
    wanted=$(requirements_hash "$candidate")
    if [ -f "$venv/.installed-$(basename "$candidate").sha256" ] &&
      [ "$(cat "$venv/.installed-$(basename "$candidate").sha256")" = "$wanted" ]; then
      return 0
    fi
  done
  echo "installing $requirements into $venv (it changed since the last install)" >&2
  wanted=$(requirements_hash "$requirements")
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  echo "$wanted" >"$venv/.installed-$(basename "$requirements").sha256"
}
