"""Asks the top-level window named argv[1] to close, as a window manager does
when its close button is clicked: a WM_PROTOCOLS client message carrying
WM_DELETE_WINDOW (GTK turns it into delete-event, Tauri into CloseRequested).
Under Xvfb there is no window manager to send it. Exit 1 when no window has
that name."""

import sys

from Xlib import X, display, protocol


def mapped_named(window, name, found):
    """Every mapped window of that name, depth first (GTK also keeps an
    unmapped client-leader window, and the tray may map one of its own)."""
    try:
        if window.get_wm_name() == name and window.get_attributes().map_state == X.IsViewable:
            found.append(window)
        children = window.query_tree().children
    except Exception:
        return found
    for child in children:
        mapped_named(child, name, found)
    return found


def find(root, name):
    """The app's main window: the largest mapped window of that name."""
    def area(window):
        geometry = window.get_geometry()
        return geometry.width * geometry.height
    windows = mapped_named(root, name, [])
    return max(windows, key=area) if windows else None


def main():
    screen = display.Display()
    window = find(screen.screen().root, sys.argv[1])
    if window is None:
        print(f"no window named {sys.argv[1]!r}", file=sys.stderr)
        sys.exit(1)
    protocols = screen.intern_atom("WM_PROTOCOLS")
    delete = screen.intern_atom("WM_DELETE_WINDOW")
    message = protocol.event.ClientMessage(window=window, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0]))
    window.send_event(message, event_mask=X.NoEventMask)
    screen.flush()


main()
