//! `orgdesk://invite/<token>` links. They arrive as a command-line argument
//! (the OS starts the app with the URL) or, while running, from the
//! deep-link plugin. Tokens wait here until the UI subscribes with a
//! channel, so a link that started the app is not lost.

use std::sync::Mutex;

use tauri::ipc::Channel;
use tauri::{AppHandle, Manager};
use tauri_plugin_deep_link::DeepLinkExt;

use crate::desk::Desk;

#[derive(Default)]
pub struct InviteLinks {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    pending: Vec<String>,
    subscriber: Option<Channel<String>>,
}

impl InviteLinks {
    pub fn receive(&self, token: String) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        match &inner.subscriber {
            Some(channel) if channel.send(token.clone()).is_ok() => {}
            _ => inner.pending.push(token),
        }
    }

    pub fn subscribe(&self, channel: Channel<String>) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        for token in inner.pending.drain(..) {
            let _ = channel.send(token);
        }
        inner.subscriber = Some(channel);
    }
}

/// The token of an `orgdesk://invite/<token>` URL.
pub fn invite_token(url: &str) -> Option<String> {
    let rest = url.strip_prefix("orgdesk://invite/")?;
    let token = rest.split(['?', '#', '/']).next()?.trim();
    (!token.is_empty() && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .then(|| token.to_owned())
}

pub fn listen(app: &AppHandle) {
    let desk = app.state::<Desk>();
    for arg in std::env::args().skip(1) {
        if let Some(token) = invite_token(&arg) {
            desk.invite_links.receive(token);
        }
    }
    let handle = app.clone();
    app.deep_link().on_open_url(move |event| {
        for url in event.urls() {
            if let Some(token) = invite_token(url.as_str()) {
                handle.state::<Desk>().invite_links.receive(token);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::invite_token;

    #[test]
    fn takes_the_token_of_an_invite_link() {
        assert_eq!(invite_token("orgdesk://invite/abc_DEF-123").as_deref(), Some("abc_DEF-123"));
        assert_eq!(invite_token("orgdesk://invite/abc?x=1").as_deref(), Some("abc"));
    }

    #[test]
    fn refuses_other_links_and_odd_tokens() {
        assert_eq!(invite_token("orgdesk://settings"), None);
        assert_eq!(invite_token("https://example.com/invite/abc"), None);
        assert_eq!(invite_token("orgdesk://invite/"), None);
        assert_eq!(invite_token("orgdesk://invite/a%20b"), None);
    }
}
