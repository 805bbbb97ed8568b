//! Where the app was: the last screen shown, so a restart opens it again.
//! (The last org is in the account book, per account: `remember_org`.) A
//! small JSON file in the profile; an unreadable one is as good as none.

use std::path::PathBuf;
use std::sync::Mutex;

use orgdesk_client::{Code, UiError};
use serde::{Deserialize, Serialize};

/// The UI's screens (`ScreenId` in ui/src/lib/state.svelte.ts).
pub const SCREENS: [&str; 7] = ["members", "invitations", "roles", "settings", "audit", "across", "my-invitations"];

#[derive(Default, Serialize, Deserialize)]
struct Saved {
    screen: Option<String>,
}

pub struct Place {
    path: PathBuf,
    screen: Mutex<Option<String>>,
}

impl Place {
    pub fn open(path: PathBuf) -> Place {
        let saved: Saved =
            std::fs::read(&path).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default();
        let screen = saved.screen.filter(|s| SCREENS.contains(&s.as_str()));
        Place { path, screen: Mutex::new(screen) }
    }

    pub fn screen(&self) -> Option<String> {
        self.screen.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set_screen(&self, screen: &str) -> Result<(), UiError> {
        if !SCREENS.contains(&screen) {
            return Err(UiError {
                code: Code::ValidationFailed,
                message: format!("There is no screen called {screen:?}."),
            });
        }
        let mut current = self.screen.lock().unwrap_or_else(|p| p.into_inner());
        if current.as_deref() == Some(screen) {
            return Ok(());
        }
        let bytes = serde_json::to_vec(&Saved { screen: Some(screen.to_owned()) }).expect("serialize");
        let temporary = self.path.with_extension("json.tmp");
        std::fs::write(&temporary, bytes).and_then(|()| std::fs::rename(&temporary, &self.path)).map_err(|e| {
            UiError { code: Code::Storage, message: format!("The last screen could not be saved: {e}") }
        })?;
        *current = Some(screen.to_owned());
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
    fn the_last_screen_survives_a_restart() {
        let path = temp_file("restart");
        let _ = std::fs::remove_file(&path);
        assert_eq!(Place::open(path.clone()).screen(), None);
        Place::open(path.clone()).set_screen("roles").unwrap();
        assert_eq!(Place::open(path.clone()).screen().as_deref(), Some("roles"));
        Place::open(path.clone()).set_screen("my-invitations").unwrap();
        assert_eq!(Place::open(path.clone()).screen().as_deref(), Some("my-invitations"));
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
