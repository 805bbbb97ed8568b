#!/usr/bin/env bash
# The packages, installed: builds the release .deb and .rpm (scripts/package.sh,
# in the shared cargo target directory), installs the .deb with apt-get,
# checks that it registered the orgdesk:// scheme, runs the installed app
# under Xvfb against a demo server and opens a link through xdg-open
# (tests/install.mjs), then removes the package and checks that none of its
# files is left (purged: dpkg forgets it too). Runs as root (CI does); elsewhere through sudo.
#
# Updates: the package is built with the public half of a throwaway update
# key (made by `tauri signer generate` on the first run and kept beside the
# build cache, never in the repository, so the release build stays cached).
# The update offered is the same package repacked as version 0.1.1 and
# signed with that key (`tauri signer sign --app-version 0.1.1`), and a
# signature by a second throwaway key stands for a forged one; tests/install.mjs
# serves both from a local HTTP server and has the installed app refuse the
# forgery and install the real one in place (dpkg then knows 0.1.1).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/orgdesk-target}"
export PATH="$HOME/.cargo/bin:$PATH"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
package=orgdesk

tauri() { npx --no-install tauri "$@"; }
keys="$CARGO_TARGET_DIR/orgdesk-update-test-key"
if [ ! -s "$keys/update.key.pub" ]; then
  mkdir -p "$keys"
  tauri signer generate --ci -p "" -f -w "$keys/update.key" >/dev/null
fi
updates="$(mktemp -d)"
trap 'rm -rf "$updates"' EXIT
tauri signer generate --ci -p "" -w "$updates/forger.key" >/dev/null

started=$SECONDS
mapfile -t built < <(ORGDESK_UPDATE_PUBKEY="$(cat "$keys/update.key.pub")" ORGDESK_UPDATE_URL="" scripts/package.sh)
deb="${built[0]}"; rpm="${built[1]}"
echo "built $(basename "$deb") and $(basename "$rpm") in $((SECONDS - started)) s"
rpm_header="$(head -c 4 "$rpm" | od -An -tx1 | tr -d ' ')"
[ "$rpm_header" = "edabeedb" ] || { echo "$rpm is not an RPM package" >&2; exit 1; }
cargo build --quiet -p orgdesk-server

# The update: this package as 0.1.1 (the updater takes the version from the
# manifest and checks the signature; dpkg's version shows that it installed).
dpkg-deb -R "$deb" "$updates/tree"
sed -i 's/^Version: .*/Version: 0.1.1/' "$updates/tree/DEBIAN/control"
dpkg-deb -Zgzip --root-owner-group -b "$updates/tree" "$updates/orgdesk_0.1.1_amd64.deb" >/dev/null
rm -rf "$updates/tree"
export TAURI_SIGNING_PRIVATE_KEY_PASSWORD=""
tauri signer sign -f "$keys/update.key" --app-version 0.1.1 "$updates/orgdesk_0.1.1_amd64.deb" >/dev/null
cp "$updates/orgdesk_0.1.1_amd64.deb" "$updates/forged.deb"
tauri signer sign -f "$updates/forger.key" --app-version 0.1.1 "$updates/forged.deb" >/dev/null
export ORGDESK_UPDATE_DIR="$updates"
echo "update: $(basename "$updates"/orgdesk_0.1.1_amd64.deb) signed, and a forged signature"

# A package left by an earlier, interrupted run goes first.
if dpkg -s "$package" >/dev/null 2>&1; then $SUDO apt-get purge -y -qq "$package" >/dev/null; fi
$SUDO apt-get install -y -qq --no-install-recommends "$(realpath "$deb")" >/dev/null
files="$(mktemp)"
trap 'rm -rf "$files" "$updates"; dpkg -s "$package" >/dev/null 2>&1 && $SUDO apt-get purge -y -qq "$package" >/dev/null || true' EXIT
dpkg -L "$package" >"$files"

echo "── installed: $(wc -l <"$files") paths"
[ -x /usr/bin/orgdesk ] || { echo "no /usr/bin/orgdesk" >&2; exit 1; }
desktop="$(grep -E '^/usr/share/applications/.*\.desktop$' "$files")"
grep -qx 'MimeType=x-scheme-handler/orgdesk;' "$desktop" || { echo "$desktop does not register x-scheme-handler/orgdesk" >&2; exit 1; }
grep -q '^Exec=orgdesk %u$' "$desktop" || { echo "$desktop does not pass the link to the app" >&2; exit 1; }
for size in 16x16 32x32 48x48 64x64 128x128 256x256 512x512; do
  grep -q "/usr/share/icons/hicolor/$size/apps/" "$files" || { echo "no $size icon installed" >&2; exit 1; }
done
handler="$(xdg-mime query default x-scheme-handler/orgdesk)"
[ "$handler" = "$(basename "$desktop")" ] || { echo "xdg-mime names '$handler' for orgdesk://, not $(basename "$desktop")" >&2; exit 1; }
echo "xdg-mime: x-scheme-handler/orgdesk → $handler"

# The installed app, its default profile in throwaway XDG directories.
xdg="$(mktemp -d)"
trap 'rm -rf "$xdg" "$files" "$updates"; dpkg -s "$package" >/dev/null 2>&1 && $SUDO apt-get purge -y -qq "$package" >/dev/null || true' EXIT
export XDG_CONFIG_HOME="$xdg/config" XDG_CACHE_HOME="$xdg/cache"
export ORGDESK_SERVER_BIN="$CARGO_TARGET_DIR/debug/orgdesk-server"
source scripts/lib-headless.sh
run_headless tests/install.mjs

echo "── removing the package (apt-get purge)"
$SUDO apt-get purge -y -qq "$package" >/dev/null
left=0
while read -r path; do
  # Directories the package shared with the system stay; its own files must go.
  if [ -e "$path" ] && [ ! -d "$path" ]; then echo "left behind: $path" >&2; left=1; fi
done <"$files"
[ ! -e /usr/bin/orgdesk ] || { echo "left behind: /usr/bin/orgdesk" >&2; left=1; }
[ -z "$(xdg-mime query default x-scheme-handler/orgdesk)" ] || { echo "orgdesk:// still has a handler" >&2; left=1; }
if dpkg -s "$package" >/dev/null 2>&1; then echo "dpkg still knows $package: $(dpkg-query -W -f='${Status}' "$package")" >&2; left=1; fi
[ "$left" -eq 0 ]
echo "removed: no file of the package is left, orgdesk:// has no handler"
echo "install: 1 passed, 0 failed"
