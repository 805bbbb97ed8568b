//! Signed updates (tauri-plugin-updater). The app asks the update URL for a
//! manifest (`latest.json`) at start and every 24 hours; a newer version is
//! shown to the person with its release notes, and installed when they ask:
//! the package is downloaded, its minisign signature checked against the
//! public key built into the app (`plugins.updater.pubkey` of the Tauri
//! config), and then handed to `dpkg -i` / `rpm -U` through pkexec (or sudo)
//! when this copy was installed from a .deb or .rpm.
//!
//! Off unless both are there: a public key built in (scripts/package.sh
//! takes it from `ORGDESK_UPDATE_PUBKEY`) and an update URL — built in too
//! (`ORGDESK_UPDATE_URL` at package time, `plugins.updater.endpoints`) or,
//! at run time, the `ORGDESK_UPDATE_URL` environment variable, which wins.
//! The URL must be https (plain http only to this machine); the download
//! address a manifest names is held to the same rule. The signature must
//! name the version the manifest announces (`requireSignedVersion`), so a
//! forged manifest cannot pass an older signed package off as newer.

use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_updater::{Error as UpdaterError, Update, UpdaterExt};
use url::Url;

/// How often the app asks again after the check at start.
const CHECK_EVERY: Duration = Duration::from_secs(24 * 60 * 60);
/// A check or download that hangs longer than this is a failed one.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10 * 60);
pub const URL_ENV: &str = "ORGDESK_UPDATE_URL";

/// What the updater is doing, as the UI shows it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum UpdateStatus {
    /// Updates are not looked for, and why (no update URL or key built in, a bad URL).
    Off { reason: String },
    /// Looking at the update URL.
    Checking,
    /// The newest version offered is not newer than this one.
    UpToDate { version: String },
    /// A newer version is offered (not yet downloaded or verified).
    Available { version: String, notes: Option<String>, date: Option<String> },
    /// Downloading, verifying and installing `version`.
    Installing { version: String },
    /// `version` is installed; it runs from the next start.
    Installed { version: String },
    /// `version` was downloaded and its signature checked, but this copy of
    /// Orgdesk was not installed from a package, so it cannot replace itself.
    Verified { version: String, message: String },
    /// The last check or install failed: a sentence for the person.
    Failed { message: String, version: Option<String> },
}

impl UpdateStatus {
    /// One line for "Copy diagnostics".
    pub fn summary(&self) -> String {
        match self {
            UpdateStatus::Off { reason } => format!("off: {reason}"),
            UpdateStatus::Checking => "checking".into(),
            UpdateStatus::UpToDate { version } => format!("up to date ({version})"),
            UpdateStatus::Available { version, .. } => format!("{version} available"),
            UpdateStatus::Installing { version } => format!("installing {version}"),
            UpdateStatus::Installed { version } => format!("{version} installed, runs from the next start"),
            UpdateStatus::Verified { version, .. } => format!("{version} downloaded and verified, not installed"),
            UpdateStatus::Failed { message, .. } => format!("failed: {message}"),
        }
    }
}

/// Where updates come from, once the configuration was found usable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub endpoints: Vec<Url>,
}

/// The update source from the built-in config (`pubkey`, `endpoints`) and
/// the run-time override, or why updates are off.
pub fn source(pubkey: &str, built_in: &[String], env_url: Option<&str>) -> Result<Source, String> {
    if pubkey.trim().is_empty() {
        return Err("This build of Orgdesk has no update key built in, so it does not look for updates.".into());
    }
    let urls: Vec<String> = match env_url.map(str::trim).filter(|u| !u.is_empty()) {
        Some(url) => vec![url.to_owned()],
        None => built_in.to_vec(),
    };
    if urls.is_empty() {
        return Err(format!("No update URL is configured ({URL_ENV}), so Orgdesk does not look for updates."));
    }
    let endpoints = urls.iter().map(|u| checked_url(u)).collect::<Result<Vec<_>, _>>()?;
    Ok(Source { endpoints })
}

/// `raw` as a URL updates may come from: https, or plain http to this machine.
pub fn checked_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw.trim()).map_err(|e| format!("The update URL “{raw}” is not a URL ({e})."))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(format!("The update URL “{raw}” names no host.")),
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err(format!("The update URL “{raw}” must use https:// (plain http is allowed only to this machine).")),
    }
}

/// A sentence for the person about a failed check.
pub fn check_failed(error: &UpdaterError) -> String {
    match error {
        UpdaterError::Reqwest(_) | UpdaterError::Network(_) | UpdaterError::ReleaseNotFound => {
            format!("Orgdesk could not reach its update server ({error}). It tries again tomorrow.")
        }
        UpdaterError::Serialization(e) => format!("The update server’s answer is not an update manifest: {e}."),
        UpdaterError::TargetNotFound(_) | UpdaterError::TargetsNotFound(_) => {
            format!("The update server offers no package for this installation ({error}).")
        }
        other => format!("Looking for updates failed: {other}."),
    }
}

/// A sentence for the person about a failed download or install of `version`.
pub fn install_failed(version: &str, error: &UpdaterError) -> String {
    match error {
        UpdaterError::Minisign(_)
        | UpdaterError::Base64(_)
        | UpdaterError::SignatureUtf8(_)
        | UpdaterError::SignedVersionMismatch { .. }
        | UpdaterError::MissingSignedVersion => format!(
            "Orgdesk {version} was refused: its signature does not match Orgdesk’s update key, so it may not come \
             from Orgdesk’s publisher. Nothing was installed."
        ),
        UpdaterError::Reqwest(_) | UpdaterError::Network(_) => {
            format!("Orgdesk {version} could not be downloaded ({error}). Nothing was installed.")
        }
        UpdaterError::AuthenticationFailed => {
            format!("Installing Orgdesk {version} needs an administrator’s password, which was not given.")
        }
        UpdaterError::PackageInstallFailed | UpdaterError::DebInstallFailed | UpdaterError::Io(_) => format!(
            "The package manager could not install Orgdesk {version} ({error}). Install it with your package \
             manager (apt, dnf) instead."
        ),
        UpdaterError::InvalidUpdaterFormat => format!(
            "The download for Orgdesk {version} is not the kind of package this copy was installed from \
             (.deb or .rpm). Nothing was installed."
        ),
        other => format!("Installing Orgdesk {version} failed: {other}."),
    }
}

/// The app's updater: its source (or why it is off), what it last found,
/// and the UI's channel.
pub struct Updates {
    source: Result<Source, String>,
    inner: Mutex<Inner>,
    /// Only one check or install runs at a time.
    busy: tokio::sync::Mutex<()>,
}

struct Inner {
    status: UpdateStatus,
    update: Option<Update>,
    subscriber: Option<Channel<UpdateStatus>>,
}

impl Updates {
    /// Reads the plugin's config and the environment.
    pub fn from_config<R: Runtime>(app: &AppHandle<R>) -> Updates {
        let config = app.config().plugins.0.get("updater");
        let pubkey = config.and_then(|c| c["pubkey"].as_str()).unwrap_or_default();
        let built_in: Vec<String> = config
            .and_then(|c| c["endpoints"].as_array())
            .map(|a| a.iter().filter_map(|u| u.as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        let env_url = std::env::var(URL_ENV).ok();
        let source = source(pubkey, &built_in, env_url.as_deref());
        let status = match &source {
            Ok(source) => {
                let hosts: Vec<_> = source.endpoints.iter().filter_map(|u| u.host_str().map(str::to_owned)).collect();
                tracing::info!(?hosts, "updates are on");
                UpdateStatus::Checking
            }
            Err(reason) => {
                tracing::info!(%reason, "updates are off");
                UpdateStatus::Off { reason: reason.clone() }
            }
        };
        Updates {
            source,
            inner: Mutex::new(Inner { status, update: None, subscriber: None }),
            busy: tokio::sync::Mutex::new(()),
        }
    }

    pub fn status(&self) -> UpdateStatus {
        self.lock().status.clone()
    }

    /// Sends the status now and on every change over `channel`.
    pub fn subscribe(&self, channel: Channel<UpdateStatus>) {
        let mut inner = self.lock();
        let _ = channel.send(inner.status.clone());
        inner.subscriber = Some(channel);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn set(&self, status: UpdateStatus, update: Option<Option<Update>>) {
        let mut inner = self.lock();
        inner.status = status.clone();
        if let Some(update) = update {
            inner.update = update;
        }
        if let Some(channel) = &inner.subscriber {
            let _ = channel.send(status);
        }
    }

    /// Asks the update URL now; answers what it found.
    pub async fn check<R: Runtime>(&self, app: &AppHandle<R>) -> UpdateStatus {
        let Ok(source) = &self.source else { return self.status() };
        let _busy = self.busy.lock().await;
        // Installed: this process still runs the old version, which would find the same update again.
        if let installed @ UpdateStatus::Installed { .. } = self.status() {
            return installed;
        }
        self.set(UpdateStatus::Checking, None);
        let checked = async {
            app.updater_builder().endpoints(source.endpoints.clone())?.timeout(REQUEST_TIMEOUT).build()?.check().await
        }
        .await;
        let (status, update) = match checked {
            Ok(Some(update)) => match checked_url(update.download_url.as_str()) {
                Ok(_) => {
                    tracing::info!(version = %update.version, "an update is available");
                    let status = UpdateStatus::Available {
                        version: update.version.clone(),
                        notes: update.body.clone().filter(|n| !n.trim().is_empty()),
                        date: update.date.and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok()),
                    };
                    (status, Some(update))
                }
                Err(e) => {
                    let message =
                        format!("The update server offers Orgdesk {} from an unsafe address: {e}", update.version);
                    tracing::warn!("{message}");
                    (UpdateStatus::Failed { message, version: Some(update.version) }, None)
                }
            },
            Ok(None) => (UpdateStatus::UpToDate { version: app.package_info().version.to_string() }, None),
            Err(e) => {
                tracing::warn!(error = %e, "looking for updates failed");
                (UpdateStatus::Failed { message: check_failed(&e), version: None }, None)
            }
        };
        self.set(status.clone(), Some(update));
        status
    }

    /// Downloads the update found, checks its signature and installs it
    /// (or, in a copy not installed from a package, stops after the check).
    pub async fn install(&self) -> UpdateStatus {
        let _busy = self.busy.lock().await;
        let Some(update) = self.lock().update.clone() else {
            return self.status();
        };
        let version = update.version.clone();
        self.set(UpdateStatus::Installing { version: version.clone() }, None);
        let status = match update.download(|_, _| {}, || {}).await {
            Err(e) => {
                tracing::warn!(%version, error = %e, "the update was not downloaded or not verified");
                UpdateStatus::Failed { message: install_failed(&version, &e), version: Some(version) }
            }
            Ok(bytes) if installed_from_package() => {
                tracing::info!(%version, bytes = bytes.len(), "update downloaded and verified; installing");
                let installed = tauri::async_runtime::spawn_blocking(move || update.install(bytes))
                    .await
                    .map_err(|e| UpdaterError::Io(std::io::Error::other(e.to_string())))
                    .and_then(|r| r);
                match installed {
                    Ok(()) => {
                        tracing::info!(%version, "update installed");
                        UpdateStatus::Installed { version }
                    }
                    Err(e) => {
                        tracing::warn!(%version, error = %e, "the update was not installed");
                        UpdateStatus::Failed { message: install_failed(&version, &e), version: Some(version) }
                    }
                }
            }
            Ok(bytes) => {
                tracing::info!(%version, bytes = bytes.len(), "update downloaded and verified; not a package install");
                UpdateStatus::Verified {
                    message: format!(
                        "Orgdesk {version} was downloaded and its signature checked, but this copy of Orgdesk was not \
                         installed from a .deb or .rpm package, so it cannot replace itself. Install the new package \
                         instead."
                    ),
                    version,
                }
            }
        };
        // A failed attempt keeps the update for another try; a done one forgets it.
        let forget = (!matches!(status, UpdateStatus::Failed { .. })).then_some(None);
        self.set(status.clone(), forget);
        status
    }
}

/// Whether this binary came from a .deb or .rpm (the bundler marks it), the
/// only installs the updater replaces on Linux here (no AppImage is built).
fn installed_from_package() -> bool {
    use tauri::utils::config::BundleType;
    matches!(tauri::utils::platform::bundle_type(), Some(BundleType::Deb | BundleType::Rpm))
}

/// Checks at start, then every 24 hours, for as long as the app runs.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            let status = app.state::<Updates>().check(&app).await;
            if matches!(status, UpdateStatus::Off { .. }) {
                return;
            }
            tokio::time::sleep(CHECK_EVERY).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "dW50cnVzdGVkIGNvbW1lbnQ6IG1pbmlzaWduIHB1YmxpYyBrZXkK";

    #[test]
    fn off_without_a_key_or_a_url() {
        let no_key = source("", &["https://updates.example/latest.json".into()], None).unwrap_err();
        assert!(no_key.contains("no update key"), "{no_key}");
        let no_url = source(KEY, &[], None).unwrap_err();
        assert!(no_url.contains("ORGDESK_UPDATE_URL"), "{no_url}");
        assert!(source(KEY, &[], Some("  ")).is_err(), "an empty variable is no URL");
    }

    #[test]
    fn the_environment_wins_over_the_built_in_url() {
        let built_in = ["https://updates.example/latest.json".to_owned()];
        let source = source(KEY, &built_in, Some("http://127.0.0.1:8123/latest.json")).unwrap();
        assert_eq!(source.endpoints, vec![Url::parse("http://127.0.0.1:8123/latest.json").unwrap()]);
        let built = super::source(KEY, &built_in, None).unwrap();
        assert_eq!(built.endpoints[0].host_str(), Some("updates.example"));
    }

    #[test]
    fn plain_http_only_to_this_machine() {
        for ok in ["https://updates.example/{{target}}/latest.json", "http://localhost:9/x", "http://[::1]:9/x"] {
            assert!(checked_url(ok).is_ok(), "{ok}");
        }
        for (bad, says) in [
            ("http://updates.example/latest.json", "must use https"),
            ("ftp://updates.example/latest.json", "must use https"),
            ("latest.json", "not a URL"),
        ] {
            let message = checked_url(bad).unwrap_err();
            assert!(message.contains(says), "{bad}: {message}");
        }
        assert!(source(KEY, &[], Some("http://10.0.0.1/latest.json")).is_err());
    }

    #[test]
    fn a_bad_signature_is_refused_in_words() {
        let message = install_failed("0.2.0", &UpdaterError::MissingSignedVersion);
        assert!(message.starts_with("Orgdesk 0.2.0 was refused: its signature does not match"), "{message}");
        let mismatch = UpdaterError::SignedVersionMismatch { signed: "0.1.0".into(), announced: "0.2.0".into() };
        assert!(install_failed("0.2.0", &mismatch).contains("Nothing was installed"));
    }
}
