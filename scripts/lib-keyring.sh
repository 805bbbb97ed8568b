# Sourced inside a private D-Bus session: starts gnome-keyring's Secret
# Service unlocked with password $1, and waits until it owns its bus name.
# Without the wait, a test's first call can race it: the bus then activates
# a second, locked daemon, which asks for an unlock prompt that never comes.
start_unlocked_keyring() {
  printf %s "$1" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  local tries=0
  until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; do
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ]; then
      echo "gnome-keyring's Secret Service did not come up on the session bus within 10 s" >&2
      return 1
    fi
    sleep 0.1
  done
}
