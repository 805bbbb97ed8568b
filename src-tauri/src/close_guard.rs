//! Closing the window while a screen holds unsaved edits asks first. The UI
//! says when it has such edits (`set_unsaved_edits`) and subscribes to close
//! requests; a close request while edits are unsaved is held and handed to
//! the UI, which asks and then closes (`close_window`) or stays. Without
//! unsaved edits, or with no UI listening (a hung web view), the window
//! closes as usual.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use tauri::ipc::Channel;
use tauri::{Manager, Window, WindowEvent};

#[derive(Default)]
pub struct CloseGuard {
    unsaved: AtomicBool,
    listener: Mutex<Option<Channel<()>>>,
    /// Set by `close_window`: the next close request goes through.
    agreed: AtomicBool,
}

impl CloseGuard {
    pub fn set_unsaved(&self, unsaved: bool) {
        self.unsaved.store(unsaved, Ordering::SeqCst);
    }

    pub fn listen(&self, channel: Channel<()>) {
        *self.listener.lock().unwrap_or_else(|p| p.into_inner()) = Some(channel);
    }

    pub fn agree_to_close(&self) {
        self.agreed.store(true, Ordering::SeqCst);
    }

    /// True when this close request must wait for the person's answer (and
    /// the UI was told to ask).
    fn hold(&self) -> bool {
        if self.agreed.load(Ordering::SeqCst) || !self.unsaved.load(Ordering::SeqCst) {
            return false;
        }
        let listener = self.listener.lock().unwrap_or_else(|p| p.into_inner());
        listener.as_ref().is_some_and(|channel| channel.send(()).is_ok())
    }
}

pub fn on_window_event(window: &Window, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event {
        if window.state::<CloseGuard>().hold() {
            api.prevent_close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closes_unless_edits_are_unsaved_and_the_ui_can_ask() {
        let guard = CloseGuard::default();
        assert!(!guard.hold(), "nothing unsaved");
        guard.set_unsaved(true);
        assert!(!guard.hold(), "no UI listening: the window must still close");
        guard.listen(Channel::new(|_| Ok(())));
        assert!(guard.hold(), "unsaved edits and a UI to ask");
        guard.agree_to_close();
        assert!(!guard.hold(), "the person agreed to drop them");
    }
}
