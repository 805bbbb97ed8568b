//! Signing in with the company's identity provider, the RFC 8252 way: the
//! app asks the server to start a flow with its own PKCE challenge, opens
//! the system browser at the answer, and gets back `orgdesk://auth/callback?code=…`,
//! a one-time code that only this app's verifier can redeem. The verifier
//! stays in memory, in this process, for the one flow in progress.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use orgdesk_core::api::{OidcProvider, OidcTokenRequest, StartOidcFlow};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::accounts::Accounts;
use crate::api::Api;
use crate::error::{Error, Result};
use crate::sensitive::Sensitive;
use crate::session::Session;

/// Where the server sends the browser back to: the app's own scheme.
pub const REDIRECT_URI: &str = "orgdesk://auth/callback";
/// The server's flows last 10 minutes; a code arriving later is not ours.
const FLOW_LIFETIME: Duration = Duration::from_secs(10 * 60);

/// The flow in progress: its server and PKCE verifier.
pub(crate) struct PendingFlow {
    server_url: String,
    verifier: Sensitive<String>,
    started: Instant,
}

#[derive(Default)]
pub(crate) struct ProviderFlows {
    pending: Mutex<Option<PendingFlow>>,
}

/// A PKCE verifier (256 random bits, hex) and its S256 challenge.
fn pkce() -> (Sensitive<String>, String) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let verifier: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (Sensitive::new(verifier), challenge)
}

impl Accounts {
    /// The providers `server_url` offers, for the sign-in screen's buttons.
    pub async fn auth_providers(&self, server_url: &str) -> Result<Vec<OidcProvider>> {
        Api::new(server_url, self.shared.options.api.clone())?.auth_providers().await
    }

    /// Starts a flow and answers the URL to open in the system browser. A
    /// flow started before is forgotten: only the newest can finish.
    pub async fn start_provider_sign_in(
        &self,
        server_url: &str,
        provider: &str,
        invitation: Option<&str>,
    ) -> Result<String> {
        let api = Api::new(server_url, self.shared.options.api.clone())?;
        let (verifier, challenge) = pkce();
        let req = StartOidcFlow {
            redirect_uri: REDIRECT_URI.into(),
            code_challenge: challenge,
            invitation: invitation.map(str::to_owned),
        };
        let started = api.start_oidc_flow(provider, &req).await?;
        let flow = PendingFlow { server_url: api.server_url().to_owned(), verifier, started: Instant::now() };
        *self.provider_flows.pending.lock().unwrap_or_else(|p| p.into_inner()) = Some(flow);
        Ok(started.authorize_url)
    }

    /// Redeems the code of `orgdesk://auth/callback?code=…` with the pending
    /// flow's verifier; the session lands in the keychain like a password sign-in.
    pub async fn finish_provider_sign_in(&self, code: &str) -> Result<std::sync::Arc<Session>> {
        let flow = self.provider_flows.pending.lock().unwrap_or_else(|p| p.into_inner()).take();
        let Some(flow) = flow.filter(|f| f.started.elapsed() < FLOW_LIFETIME) else {
            return Err(Error::Invalid(
                "This sign-in link does not belong to a sign-in started in this app (or it is older than 10 minutes); start again.".into(),
            ));
        };
        let api = Api::new(&flow.server_url, self.shared.options.api.clone())?;
        let req = OidcTokenRequest {
            code: code.to_owned(),
            code_verifier: flow.verifier.expose().to_owned(),
            device_name: Some(self.shared.options.device_name.clone()),
        };
        let grant = api.oidc_token(&req).await?;
        self.adopt(api, grant).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_s256_of_the_verifier() {
        let (verifier, challenge) = pkce();
        assert_eq!(verifier.expose().len(), 64);
        assert_eq!(challenge.len(), 43, "base64url of 32 bytes, unpadded");
        assert_eq!(challenge, URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose().as_bytes())));
        assert_ne!(pkce().0.expose(), verifier.expose(), "fresh each time");
    }
}
