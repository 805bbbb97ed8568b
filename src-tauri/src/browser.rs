//! Opening a URL in the person's browser (RFC 8252: sign-in pages of an
//! identity provider belong in the system browser, not in the app's web
//! view). `ORGDESK_BROWSER` names another command to run with the URL as its
//! one argument; the end-to-end run uses it to drive the provider's pages.

use std::process::{Command, Stdio};

use orgdesk_client::{Code, UiError};

pub fn open(url: &str) -> Result<(), UiError> {
    let mut command = match std::env::var_os("ORGDESK_BROWSER") {
        Some(program) => Command::new(program),
        None if cfg!(target_os = "macos") => Command::new("open"),
        None if cfg!(target_os = "windows") => {
            let mut c = Command::new("rundll32");
            c.arg("url.dll,FileProtocolHandler");
            c
        }
        None => Command::new("xdg-open"),
    };
    command.arg(url).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    match command.spawn() {
        Ok(_) => Ok(()),
        Err(e) => Err(UiError {
            code: Code::NoBrowser,
            message: format!("The browser could not be opened ({e}); open this address yourself: {url}"),
        }),
    }
}
