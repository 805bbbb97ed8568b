# Sourced by scripts that drive the real app: runs a node script under Xvfb,
# inside a private D-Bus session with an unlocked gnome-keyring of its own, so
# a login keyring left by other runs (with another password) cannot block the
# run on an unlock prompt.
run_headless() {
  local script="$1"
  local keyring
  keyring="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib-keyring.sh"
  xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" \
    dbus-run-session -- bash -c '
      set -euo pipefail
      export XDG_DATA_HOME="$(mktemp -d)"
      trap '"'"'rm -rf "$XDG_DATA_HOME"'"'"' EXIT
      source "$2"
      start_unlocked_keyring headless-keyring
      node "$1"
    ' run_headless "$script" "$keyring"
}
