#!/bin/sh
# After install and after removal of the .deb/.rpm: refresh the desktop
# database, so `xdg-mime query default x-scheme-handler/orgdesk` (and with it
# xdg-open and mail clients) finds Orgdesk's .desktop entry at once, and
# forgets it once removed. dpkg's desktop-file-utils trigger does the same
# where that package is installed; this covers systems without it.
if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database -q /usr/share/applications || true
fi
exit 0
