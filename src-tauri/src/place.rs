//! Where the app was and how it behaves: the last screen shown, so a restart
//! opens it again (the last org is in the account book, per account:
//! `remember_org`), whether closing the window keeps the app in the
//! tray, and whether native notifications are on. A small JSON file in the profile; an unreadable one is as good as none.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use orgdesk_client::{Code, UiError};
use serde::{Deserialize, Serialize};

/// The UI's screens (`ScreenId` in ui/src/lib/state.svelte.ts).
pub const SCREENS: [&str; 7] = ["members", "invitations", "roles", "settings", "audit", "across", "my-invitations"];

#[derive(Clone, Default, Serialize, Deserialize)]
struct Saved {
    screen: Option<String>,
    #[serde(default)]
    keep_in_tray: bool,
    /// Native notifications; `None` (never set) is on.
    #[serde(default)]
    notifications: Option<bool>,
}

pub struct Place {
    path: PathBuf,
    saved: Mutex<Saved>,
}

impl Place {
    pub fn open(path: PathBuf) -> Place {
        let saved: Saved =
            std::fs::read(&path).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default();
        let screen = saved.screen.clone().filter(|s| SCREENS.contains(&s.as_str()));
        Place { path, saved: Mutex::new(Saved { screen, ..saved }) }
    }

    pub fn screen(&self) -> Option<String> {
        self.lock().screen.clone()
    }

    pub fn set_screen(&self, screen: &str) -> Result<(), UiError> {
        if !SCREENS.contains(&screen) {
            return Err(UiError {
                code: Code::ValidationFailed,
                message: format!("There is no screen called {screen:?}."),
            });
        }
        if self.screen().as_deref() == Some(screen) {
            return Ok(());
        }
        self.change(|saved| saved.screen = Some(screen.to_owned()))
    }

    pub fn keep_in_tray(&self) -> bool {
        self.lock().keep_in_tray
    }

    pub fn set_keep_in_tray(&self, on: bool) -> Result<(), UiError> {
        self.change(|saved| saved.keep_in_tray = on)
    }

    /// Native notifications (on unless turned off).
    pub fn notifications(&self) -> bool {
        self.lock().notifications.unwrap_or(true)
    }

    pub fn set_notifications(&self, on: bool) -> Result<(), UiError> {
        self.change(|saved| saved.notifications = Some(on))
    }

    fn lock(&self) -> MutexGuard<'_, Saved> {
        self.saved.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes the edited settings (to a temporary file, then renamed over).
    fn change(&self, edit: impl FnOnce(&mut Saved)) -> Result<(), UiError> {
        let mut saved = self.lock();
        let mut next = saved.clone();
        edit(&mut next);
        let bytes = serde_json::to_vec(&next).expect("serialize");
        let temporary = self.path.with_extension("json.tmp");
        std::fs::write(&temporary, bytes).and_then(|()| std::fs::rename(&temporary, &self.path)).map_err(|e| {
            UiError { code: Code::Storage, message: format!("The app's settings could not be saved: {e}") }
        })?;
        *saved = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("orgdesk-place-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("place.json")
    }

    #[test]
    fn the_last_screen_and_the_tray_setting_survive_a_restart() {
        let path = temp_file("restart");
        let _ = std::fs::remove_file(&path);
        assert_eq!(Place::open(path.clone()).screen(), None);
        Place::open(path.clone()).set_screen("roles").unwrap();
        assert_eq!(Place::open(path.clone()).screen().as_deref(), Some("roles"));
        Place::open(path.clone()).set_screen("my-invitations").unwrap();
        assert_eq!(Place::open(path.clone()).screen().as_deref(), Some("my-invitations"));
        assert!(!Place::open(path.clone()).keep_in_tray(), "off by default");
        Place::open(path.clone()).set_keep_in_tray(true).unwrap();
        let place = Place::open(path.clone());
        assert!(place.keep_in_tray());
        assert_eq!(place.screen().as_deref(), Some("my-invitations"), "one setting leaves the other");
        assert!(place.notifications(), "notifications are on by default");
        place.set_notifications(false).unwrap();
        let place = Place::open(path.clone());
        assert!(!place.notifications(), "turned off, they stay off");
        assert!(place.keep_in_tray());
    }

    #[test]
    fn unknown_screens_and_bad_files_are_ignored() {
        let path = temp_file("bad");
        let place = Place::open(path.clone());
        assert!(place.set_screen("billing").is_err());
        std::fs::write(&path, br#"{"screen":"billing"}"#).unwrap();
        assert_eq!(Place::open(path.clone()).screen(), None);
        std::fs::write(&path, b"not json").unwrap();
        assert_eq!(Place::open(path).screen(), None);
    }
}
