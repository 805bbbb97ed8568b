//! Sign in with OpenID Connect (issue 10 item 4), for the desktop app as
//! RFC 8252 asks: the app opens the system browser at the provider's
//! authorization URL this server builds; the provider comes back to the
//! server's callback; the server checks the ID token, finds or creates the
//! account, and hands the app a one-time code through the app's redirect
//! (`orgdesk://auth/callback` or a loopback port), which the app exchanges
//! with its own PKCE verifier for a session. The browser never sees a
//! session token.
//!
//! Nothing secret is at rest: a flow is stored by its `state`'s SHA-256,
//! and the server's PKCE verifier and the nonce are derived from the state,
//! which only the browser's round trip carries. Discovery and the provider's
//! keys are fetched when first needed and kept in memory; the keys are
//! fetched again when a token names a key they lack.

use std::fmt;
use std::sync::Arc;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use orgdesk_core::api::{
    InvitationStatus, OidcFlowStarted, OidcProvider, OidcTokenRequest, SessionGrant, StartOidcFlow,
};
use orgdesk_core::{validate, ErrorCode};
use rand::RngCore;
use reqwest::Url;
use serde::{Deserialize, Deserializer};
use sha2::{Digest, Sha256};
use tokio::sync::RwLock;

use crate::accounts::{insert_user, open_session, NewUser};
use crate::auth::{hash_password, hash_token, ClientMeta};
use crate::db::Constraint;
use crate::error::{field, ApiError, ApiResult};
use crate::rate_limit::{self, Window};
use crate::state::AppState;
use crate::store;
use crate::time::{now_ms, HOUR, MINUTE};

/// How long a flow waits for the provider's callback.
pub const FLOW_LIFETIME_MS: i64 = 10 * MINUTE;
/// How long the app has to redeem its one-time code.
pub const CODE_LIFETIME_MS: i64 = 2 * MINUTE;
/// The app's custom-scheme redirect.
pub const APP_REDIRECT: &str = "orgdesk://auth/callback";
/// The redirect of a flow the server's invitation page started: the
/// callback shows a page instead of handing out a code.
pub const PAGE_REDIRECT: &str = "page:invitation";
/// What the server asks every provider for.
const SCOPE: &str = "openid email profile";
/// Signature algorithms an ID token may use (never `none`, never a shared secret).
const ALGORITHMS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// One provider as the operator configured it:
/// `id=corp,issuer=https://idp.example.com,client-id=…,client-secret=…,name=Corp SSO`,
/// optionally `email-verified-claim=xms_edov` (see [`ProviderConfig::address_confirmed`]).
#[derive(Clone, PartialEq, Eq)]
pub struct ProviderConfig {
    pub id: String,
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// The boolean claim by which this provider says it confirmed the
    /// address: `email_verified` (OpenID Connect Core §5.1) unless the
    /// operator names another one.
    pub email_verified_claim: String,
}

/// The claim OpenID Connect defines for a confirmed address.
pub const EMAIL_VERIFIED: &str = "email_verified";

impl fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("email_verified_claim", &self.email_verified_claim)
            .finish()
    }
}

impl ProviderConfig {
    /// Reads one `--oidc-provider` value.
    pub fn parse(spec: &str) -> Result<ProviderConfig, String> {
        let (mut id, mut name, mut issuer, mut client_id, mut client_secret) = (None, None, None, None, None);
        let mut email_verified_claim = None;
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').ok_or_else(|| format!("`{part}` is not key=value"))?;
            let value = Some(value.trim().to_owned());
            match key.trim() {
                "id" => id = value,
                "name" => name = value,
                "issuer" => issuer = value,
                "client-id" => client_id = value,
                "client-secret" => client_secret = value,
                "email-verified-claim" => email_verified_claim = value,
                other => {
                    return Err(format!(
                        "unknown key `{other}`; the keys are id, issuer, client-id, client-secret, name and \
                         email-verified-claim"
                    ))
                }
            }
        }
        let need =
            |v: Option<String>, key: &str| v.filter(|v| !v.is_empty()).ok_or_else(|| format!("`{key}=` is missing"));
        let id = need(id, "id")?;
        if id.len() > 32 || !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            return Err(format!("the id `{id}` must be 1 to 32 characters of a-z, 0-9 and -"));
        }
        let issuer = need(issuer, "issuer")?;
        check_endpoint(&issuer).map_err(|e| format!("issuer: {e}"))?;
        let email_verified_claim = email_verified_claim.unwrap_or_else(|| EMAIL_VERIFIED.to_owned());
        if email_verified_claim.is_empty()
            || email_verified_claim.len() > 64
            || !email_verified_claim.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
        {
            return Err(format!(
                "email-verified-claim `{email_verified_claim}` must be a claim name of 1 to 64 characters \
                 (letters, digits, _ - . :)"
            ));
        }
        Ok(ProviderConfig {
            email_verified_claim,
            name: name.filter(|n| !n.is_empty()).unwrap_or_else(|| id.clone()),
            id,
            issuer,
            client_id: need(client_id, "client-id")?,
            client_secret: need(client_secret, "client-secret")?,
        })
    }
}

impl ProviderConfig {
    /// Whether the provider confirmed the address, by its configured claim.
    /// Microsoft Entra ID never sends `email_verified`; with the optional
    /// claim `xms_edov` ("email domain owner verified") turned on in the
    /// app registration and `email-verified-claim=xms_edov` here, its
    /// sign-ins link by address like any other provider's. A claim that is
    /// absent or not true means "not confirmed".
    pub fn address_confirmed(&self, email_verified: bool, other: &serde_json::Map<String, serde_json::Value>) -> bool {
        if self.email_verified_claim == EMAIL_VERIFIED {
            return email_verified;
        }
        match other.get(&self.email_verified_claim) {
            Some(serde_json::Value::Bool(b)) => *b,
            Some(serde_json::Value::String(s)) => s.eq_ignore_ascii_case("true"),
            _ => false,
        }
    }
}

/// A provider's URLs must be https, except on this machine (tests, the demo).
fn check_endpoint(url: &str) -> Result<Url, String> {
    let parsed = Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if is_loopback(&parsed) => Ok(parsed),
        _ => Err(format!("`{url}` must be https:// (plain http:// only on 127.0.0.1, [::1] or localhost)")),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host_str() {
        Some("localhost") => true,
        Some(host) => host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

/// The fields of a discovery document the server uses.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
pub struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Vec<String>,
}

struct Provider {
    config: ProviderConfig,
    discovery: RwLock<Option<Arc<Discovery>>>,
    keys: RwLock<Option<Arc<JwkSet>>>,
}

/// The configured providers with their cached discovery documents and keys.
pub struct Oidc {
    providers: Vec<Provider>,
    http: reqwest::Client,
}

impl Oidc {
    pub fn new(configs: Vec<ProviderConfig>) -> Oidc {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        let providers = configs
            .into_iter()
            .map(|config| Provider { config, discovery: RwLock::new(None), keys: RwLock::new(None) })
            .collect();
        Oidc { providers, http }
    }

    /// Uses this discovery document for the provider instead of fetching
    /// one (tests that need no provider process).
    pub async fn preset_discovery(&self, id: &str, discovery: Discovery) -> ApiResult<()> {
        *self.get(id)?.discovery.write().await = Some(Arc::new(discovery));
        Ok(())
    }

    pub fn list(&self) -> Vec<OidcProvider> {
        self.providers.iter().map(|p| OidcProvider { id: p.config.id.clone(), name: p.config.name.clone() }).collect()
    }

    fn get(&self, id: &str) -> ApiResult<&Provider> {
        self.providers.iter().find(|p| p.config.id == id).ok_or_else(|| ApiError::not_found("sign-in provider"))
    }

    fn unreachable(provider: &Provider, what: &str, e: impl fmt::Display) -> ApiError {
        tracing::warn!(provider = provider.config.id, error = %e, "{what} failed");
        ApiError::new(
            ErrorCode::Unavailable,
            format!("{} did not answer as expected ({what}); try again later.", provider.config.name),
        )
        .with_retry_after(30)
    }

    async fn discovery(&self, provider: &Provider) -> ApiResult<Arc<Discovery>> {
        if let Some(d) = provider.discovery.read().await.clone() {
            return Ok(d);
        }
        let url = format!("{}/.well-known/openid-configuration", provider.config.issuer.trim_end_matches('/'));
        let fetched: Discovery = self.get_json(&url).await.map_err(|e| Self::unreachable(provider, "discovery", e))?;
        // OpenID Connect Discovery §4.3: the document names the issuer it was fetched for.
        if fetched.issuer.trim_end_matches('/') != provider.config.issuer.trim_end_matches('/') {
            return Err(Self::unreachable(provider, "discovery", format!("it names the issuer {}", fetched.issuer)));
        }
        let userinfo = fetched.userinfo_endpoint.iter();
        for endpoint in
            [&fetched.authorization_endpoint, &fetched.token_endpoint, &fetched.jwks_uri].into_iter().chain(userinfo)
        {
            check_endpoint(endpoint).map_err(|e| Self::unreachable(provider, "discovery", e))?;
        }
        let fetched = Arc::new(fetched);
        *provider.discovery.write().await = Some(fetched.clone());
        Ok(fetched)
    }

    async fn keys(&self, provider: &Provider, discovery: &Discovery, refresh: bool) -> ApiResult<Arc<JwkSet>> {
        if !refresh {
            if let Some(k) = provider.keys.read().await.clone() {
                return Ok(k);
            }
        }
        let keys: JwkSet =
            self.get_json(&discovery.jwks_uri).await.map_err(|e| Self::unreachable(provider, "its keys", e))?;
        let keys = Arc::new(keys);
        *provider.keys.write().await = Some(keys.clone());
        Ok(keys)
    }

    async fn userinfo(&self, provider: &Provider, endpoint: &str, access_token: &str) -> ApiResult<UserInfo> {
        let fetch = async {
            let response = self.http.get(endpoint).bearer_auth(access_token).send().await.map_err(|e| e.to_string())?;
            if !response.status().is_success() {
                return Err(format!("{endpoint} answered {}", response.status()));
            }
            response.json::<UserInfo>().await.map_err(|e| format!("{endpoint}: {e}"))
        };
        fetch.await.map_err(|e| Self::unreachable(provider, "userinfo", e))
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, String> {
        let response = self.http.get(url).send().await.map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("{url} answered {}", response.status()));
        }
        response.json().await.map_err(|e| format!("{url}: {e}"))
    }
}

fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn sha256_b64(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(text.as_bytes()))
}

/// The server's PKCE verifier for a flow (RFC 7636: 43 unreserved characters).
pub fn verifier_for(state: &str) -> String {
    sha256_b64(&format!("pkce:{state}"))
}

/// The nonce the ID token must carry for a flow.
pub fn nonce_for(state: &str) -> String {
    sha256_b64(&format!("nonce:{state}"))
}

/// The S256 challenge of a PKCE verifier.
pub fn challenge_of(verifier: &str) -> String {
    sha256_b64(verifier)
}

fn callback_url(state: &AppState) -> String {
    format!("{}/v1/auth/oidc/callback", state.public_url)
}

/// `orgdesk://auth/callback`, or a loopback redirect (RFC 8252 §7.3: an IP
/// literal, any port, any path).
fn check_app_redirect(uri: &str) -> Result<(), String> {
    if uri == APP_REDIRECT {
        return Ok(());
    }
    let bad = || format!("Use {APP_REDIRECT} or a loopback address such as http://127.0.0.1:<port>/callback.");
    let url = Url::parse(uri).map_err(|_| bad())?;
    let ip_literal = matches!(url.host_str(), Some(h) if h != "localhost");
    if url.scheme() != "http"
        || !ip_literal
        || !is_loopback(&url)
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
        || uri.len() > 2000
    {
        return Err(bad());
    }
    Ok(())
}

fn check_pkce_value(value: &str, min: usize) -> bool {
    (min..=128).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// `POST /v1/auth/oidc/{provider}/flows`.
pub async fn start(
    state: &AppState,
    provider_id: &str,
    req: StartOidcFlow,
    meta: &ClientMeta,
) -> ApiResult<OidcFlowStarted> {
    check_app_redirect(&req.redirect_uri).map_err(field("redirect_uri"))?;
    if req.code_challenge.len() != 43 || !check_pkce_value(&req.code_challenge, 43) {
        return Err(ApiError::invalid(
            "code_challenge",
            "Send base64url(SHA-256(code_verifier)) without padding: 43 characters (S256).",
        ));
    }
    let provider = state.oidc.get(provider_id)?;
    let invitation_hash = match req.invitation.as_deref().filter(|t| !t.is_empty()) {
        Some(token) => {
            let preview = crate::invitations::preview(state, token).await?;
            match preview.status {
                InvitationStatus::Pending => {}
                InvitationStatus::Expired => {
                    return Err(ApiError::new(
                        ErrorCode::InvitationExpired,
                        "This invitation expired; ask the organization for a new one.",
                    ))
                }
                _ => {
                    return Err(ApiError::new(
                        ErrorCode::InvitationNotPending,
                        "This invitation was already accepted, declined or cancelled.",
                    ))
                }
            }
            Some(hash_token(token))
        }
        None => None,
    };
    let authorize_url =
        begin(state, provider, &req.code_challenge, &req.redirect_uri, invitation_hash.as_deref(), meta).await?;
    Ok(OidcFlowStarted { authorize_url })
}

/// A flow from the server's invitation page: answers the provider's URL.
pub async fn start_for_invitation(
    state: &AppState,
    provider_id: &str,
    invitation_token: &str,
    meta: &ClientMeta,
) -> ApiResult<String> {
    let provider = state.oidc.get(provider_id)?;
    begin(state, provider, "", PAGE_REDIRECT, Some(&hash_token(invitation_token)), meta).await
}

/// The origins the browser is sent to when it starts a flow (for the
/// invitation page's `form-action`).
pub async fn authorization_origins(state: &AppState) -> Vec<String> {
    let mut out = Vec::new();
    for provider in &state.oidc.providers {
        // The page must not wait long for a provider that is down.
        let discovery = tokio::time::timeout(std::time::Duration::from_secs(2), state.oidc.discovery(provider)).await;
        let url = match discovery {
            Ok(Ok(d)) => d.authorization_endpoint.clone(),
            _ => provider.config.issuer.clone(),
        };
        if let Ok(url) = Url::parse(&url) {
            out.push(url.origin().ascii_serialization());
        }
    }
    out
}

async fn begin(
    state: &AppState,
    provider: &Provider,
    app_challenge: &str,
    app_redirect: &str,
    invitation_hash: Option<&str>,
    meta: &ClientMeta,
) -> ApiResult<String> {
    let discovery = state.oidc.discovery(provider).await?;
    let ip = meta.ip.as_deref().unwrap_or("unknown");
    let window = Window::new(format!("oidc:flows:ip:{ip}"), state.limits.oidc_flows_per_ip, HOUR);
    let flow_state = random_secret();
    let now = now_ms();
    let flow = store::oidc::NewFlow {
        state_hash: &hash_token(&flow_state),
        provider: &provider.config.id,
        app_challenge,
        app_redirect,
        invitation_hash,
        created_at: now,
        expires_at: now + FLOW_LIFETIME_MS,
    };
    let mut tx = state.db.write().await?;
    rate_limit::take(tx.conn(), &[window], 1, "sign-ins started from this network").await?.keep();
    store::oidc::insert_flow(tx.conn(), &flow).await?;
    tx.commit().await?;
    let mut url =
        Url::parse(&discovery.authorization_endpoint).map_err(|e| Oidc::unreachable(provider, "discovery", e))?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &provider.config.client_id)
        .append_pair("redirect_uri", &callback_url(state))
        .append_pair("scope", SCOPE)
        .append_pair("state", &flow_state)
        .append_pair("nonce", &nonce_for(&flow_state))
        .append_pair("code_challenge", &challenge_of(&verifier_for(&flow_state)))
        .append_pair("code_challenge_method", "S256");
    Ok(url.into())
}

/// The provider's answer at `GET /v1/auth/oidc/callback`.
#[derive(Debug, Default, Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// What the callback answers the browser.
pub enum Callback {
    /// 302 to the app's redirect (with `code`, or `error` and `error_description`).
    Redirect(String),
    /// A page: its status, title and message.
    Page(u16, String, String),
}

/// Why a round trip ended without a sign-in: the `error` the app's
/// redirect carries, and a sentence for the person.
#[derive(Debug)]
pub struct Refusal {
    pub error: &'static str,
    pub message: String,
}

fn refuse(error: &'static str, message: impl Into<String>) -> Refusal {
    Refusal { error, message: message.into() }
}

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Refusal {
        let error = match e.code {
            ErrorCode::Unavailable => "temporarily_unavailable",
            ErrorCode::Internal => "server_error",
            _ => "server_error",
        };
        refuse(error, e.detail)
    }
}

/// `GET /v1/auth/oidc/callback`: uses the flow (once), finishes the round
/// trip with the provider and answers where the browser goes.
pub async fn callback(state: &AppState, query: CallbackQuery, meta: &ClientMeta) -> Callback {
    let restart = "Start signing in again from Orgdesk (or from the invitation page).";
    let Some(flow_state) = query.state.as_deref().filter(|s| !s.is_empty() && s.len() <= 200) else {
        return Callback::Page(400, "Sign-in failed".into(), format!("The provider's answer has no state. {restart}"));
    };
    let flow = match store::oidc::consume_flow(&state.db.pool, &hash_token(flow_state), now_ms()).await {
        Ok(Some(flow)) => flow,
        Ok(None) => {
            return Callback::Page(
                400,
                "This sign-in cannot be completed".into(),
                format!(
                "This sign-in was completed already, expired (after 10 minutes), or was not started here. {restart}"
            ),
            )
        }
        Err(e) => {
            let e = ApiError::from(e);
            return Callback::Page(e.status().as_u16(), "Sign-in failed".into(), e.detail);
        }
    };
    let signed_in = finish(state, &flow, flow_state, &query, meta).await;
    let invitation = match (&signed_in, &flow.invitation_hash) {
        (Ok(user_id), Some(hash)) => Some(crate::invitations::accept_signed_in(state, hash, user_id, meta).await),
        _ => None,
    };
    if flow.app_redirect == PAGE_REDIRECT {
        return match (signed_in, invitation) {
            (Err(r), _) => Callback::Page(403, "Sign-in refused".into(), r.message),
            (Ok(_), Some(Ok((_, org)))) => Callback::Page(
                200,
                format!("You joined {org}"),
                format!(
                    "You are a member of {org} now. Open Orgdesk and sign in with the same provider to get started."
                ),
            ),
            (Ok(_), Some(Err(e))) => {
                Callback::Page(e.status().as_u16(), "The invitation was not accepted".into(), e.detail)
            }
            (Ok(_), None) => {
                Callback::Page(200, "Signed in".into(), "Open Orgdesk and sign in with the same provider.".into())
            }
        };
    }
    let mut target = match Url::parse(&flow.app_redirect) {
        Ok(url) => url,
        Err(_) => return Callback::Page(400, "Sign-in failed".into(), restart.into()),
    };
    match signed_in {
        Ok(user_id) => match issue_code(state, &user_id, &flow).await {
            Ok(code) => {
                let mut pairs = target.query_pairs_mut();
                pairs.append_pair("code", &code);
                if let Some(Err(e)) = &invitation {
                    pairs.append_pair("invitation_error", e.code.as_str());
                }
            }
            Err(e) => {
                let r = Refusal::from(e);
                target.query_pairs_mut().append_pair("error", r.error).append_pair("error_description", &r.message);
            }
        },
        Err(r) => {
            target.query_pairs_mut().append_pair("error", r.error).append_pair("error_description", &r.message);
        }
    }
    Callback::Redirect(target.into())
}

async fn issue_code(state: &AppState, user_id: &str, flow: &store::oidc::FlowRow) -> ApiResult<String> {
    let code = format!("odc_{}", random_secret());
    let now = now_ms();
    let row = store::oidc::NewCode {
        code_hash: &hash_token(&code),
        user_id,
        provider: &flow.provider,
        app_challenge: &flow.app_challenge,
        created_at: now,
        expires_at: now + CODE_LIFETIME_MS,
    };
    store::oidc::insert_code(&state.db.pool, &row).await?;
    Ok(code)
}

#[derive(Deserialize)]
struct TokenAnswer {
    id_token: Option<String>,
    access_token: Option<String>,
    error: Option<String>,
}

/// Exchanges the provider's code, checks the ID token and finds (or creates)
/// the account. Answers its id.
async fn finish(
    state: &AppState,
    flow: &store::oidc::FlowRow,
    flow_state: &str,
    query: &CallbackQuery,
    meta: &ClientMeta,
) -> Result<String, Refusal> {
    if let Some(error) = &query.error {
        let detail: String = query.error_description.as_deref().unwrap_or("").chars().take(300).collect();
        let error = if error == "access_denied" { "access_denied" } else { "provider_error" };
        return Err(refuse(
            error,
            format!("The provider did not sign you in: {detail}").trim_end_matches(": ").to_owned(),
        ));
    }
    let Some(code) = query.code.as_deref().filter(|c| !c.is_empty()) else {
        return Err(refuse("provider_error", "The provider's answer has no code."));
    };
    let provider = state
        .oidc
        .get(&flow.provider)
        .map_err(|_| refuse("provider_error", "This provider is no longer configured on this server."))?;
    let discovery = state.oidc.discovery(provider).await?;
    let mut form = vec![
        ("grant_type", "authorization_code".to_owned()),
        ("code", code.to_owned()),
        ("redirect_uri", callback_url(state)),
        ("code_verifier", verifier_for(flow_state)),
    ];
    let mut request = state.oidc.http.post(&discovery.token_endpoint);
    let methods = &discovery.token_endpoint_auth_methods_supported;
    if methods.is_empty() || methods.iter().any(|m| m == "client_secret_basic") {
        // RFC 6749 §2.3.1: both are form-encoded before Basic's base64.
        let credentials =
            format!("{}:{}", form_encode(&provider.config.client_id), form_encode(&provider.config.client_secret));
        request = request.header("authorization", format!("Basic {}", STANDARD.encode(credentials)));
    } else {
        form.push(("client_id", provider.config.client_id.clone()));
        form.push(("client_secret", provider.config.client_secret.clone()));
    }
    let body: String = form.iter().map(|(k, v)| format!("{k}={}", form_encode(v))).collect::<Vec<_>>().join("&");
    let response = request
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| Refusal::from(Oidc::unreachable(provider, "the code exchange", e)))?;
    let status = response.status();
    let answer: TokenAnswer =
        response.json().await.map_err(|e| Refusal::from(Oidc::unreachable(provider, "the code exchange", e)))?;
    let id_token = match (status.is_success(), answer.id_token) {
        (true, Some(t)) => t,
        _ => {
            tracing::warn!(provider = provider.config.id, %status, error = ?answer.error, "the code exchange was refused");
            return Err(refuse(
                "provider_error",
                format!("{} refused the sign-in code ({}).", provider.config.name, answer.error.unwrap_or_default()),
            ));
        }
    };
    let nonce = nonce_for(flow_state);
    let mut keys = state.oidc.keys(provider, &discovery, false).await?;
    let mut checked = verify_id_token(&id_token, &keys, &discovery.issuer, &provider.config.client_id, &nonce);
    if matches!(checked, Err(IdTokenError::UnknownKey)) {
        keys = state.oidc.keys(provider, &discovery, true).await?;
        checked = verify_id_token(&id_token, &keys, &discovery.issuer, &provider.config.client_id, &nonce);
    }
    let mut claims = checked.map_err(|e| {
        tracing::warn!(provider = provider.config.id, error = ?e, "an ID token was refused");
        refuse("invalid_id_token", format!("{}'s answer did not pass the checks ({e}).", provider.config.name))
    })?;
    // A strict provider leaves the email to userinfo (OpenID Connect Core
    // §5.4); its answer counts only for the ID token's subject (§5.3.2).
    if let (None, Some(endpoint), Some(access_token)) =
        (&claims.email, &discovery.userinfo_endpoint, &answer.access_token)
    {
        let info = state.oidc.userinfo(provider, endpoint, access_token).await?;
        if info.sub != claims.sub {
            return Err(refuse(
                "invalid_id_token",
                format!("{}'s userinfo is for another subject.", provider.config.name),
            ));
        }
        claims.email = info.email;
        claims.email_verified = provider.config.address_confirmed(info.email_verified, &info.other);
        claims.name = claims.name.or(info.name);
    } else {
        claims.email_verified = provider.config.address_confirmed(claims.email_verified, &claims.other);
    }
    let mut outcome = resolve_account(state, &provider.config, &claims, meta).await;
    if let Err(Resolve::Race) = outcome {
        // Another sign-in of the same person linked or created the account
        // first: this one signs in to it.
        outcome = resolve_account(state, &provider.config, &claims, meta).await;
    }
    match outcome {
        Ok(id) => Ok(id),
        Err(Resolve::Refused(r)) => Err(r),
        Err(Resolve::Race) => {
            Err(refuse("temporarily_unavailable", "Another sign-in is linking this account; try again."))
        }
    }
}

/// `application/x-www-form-urlencoded` for one value.
fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

enum Resolve {
    Refused(Refusal),
    /// A unique key decided a race; try once more.
    Race,
}

impl From<ApiError> for Resolve {
    fn from(e: ApiError) -> Resolve {
        if e.code == ErrorCode::EmailTaken {
            return Resolve::Race;
        }
        Resolve::Refused(e.into())
    }
}

impl From<store::Error> for Resolve {
    fn from(e: store::Error) -> Resolve {
        match crate::db::violation(&e) {
            Some(Constraint::OidcLink | Constraint::UserEmail) => Resolve::Race,
            _ => Resolve::Refused(ApiError::from(e).into()),
        }
    }
}

/// The account a provider's subject signs in to: its link; else the account
/// holding the address the provider confirmed (linked now); else a new,
/// verified account with a personal workspace (its password is random and
/// unknown: "Forgot password?" sets one). An address the provider did not
/// confirm is never linked nor used for a new account.
async fn resolve_account(
    state: &AppState,
    provider: &ProviderConfig,
    claims: &IdClaims,
    meta: &ClientMeta,
) -> Result<String, Resolve> {
    let mut tx = state.db.write().await.map_err(Resolve::from)?;
    if let Some(user_id) = store::oidc::linked_user(tx.conn(), &provider.id, &claims.sub).await? {
        return Ok(user_id);
    }
    let email = claims.email.as_deref().unwrap_or("");
    if !claims.email_verified {
        return Err(Resolve::Refused(refuse(
            "email_not_verified",
            format!(
                "{} did not confirm the address {email}. Orgdesk links a sign-in to an account only by a \
                 confirmed address: confirm it with {0}, or sign in with your password.",
                provider.name
            ),
        )));
    }
    let Ok(email) = validate::email(email) else {
        return Err(Resolve::Refused(refuse(
            "email_missing",
            format!("{} did not share a usable email address; Orgdesk needs one.", provider.name),
        )));
    };
    let now = now_ms();
    let user_id = match store::accounts::verification_by_email_key(tx.conn(), &validate::email_key(&email)).await? {
        Some((user_id, Some(_))) => user_id,
        Some((user_id, None)) => {
            // Nobody had proved this address; the provider just did. As with
            // a claim link, the account is the address owner's now: the
            // other party's password and sessions end.
            store::accounts::reset_password(tx.conn(), &user_id, &hash_password(&random_secret()), now).await?;
            store::sessions::revoke_all(tx.conn(), &user_id, now).await?;
            user_id
        }
        None => {
            let name = claims
                .name
                .as_deref()
                .and_then(|n| validate::person_name(n).ok())
                .or_else(|| email.split('@').next().and_then(|n| validate::person_name(n).ok()))
                .unwrap_or_else(|| "Orgdesk user".to_owned());
            let new = NewUser { email: email.clone(), name, password: random_secret(), timezone: "UTC".into() };
            insert_user(tx.conn(), &new, true, meta).await?
        }
    };
    store::oidc::insert_link(tx.conn(), &provider.id, &claims.sub, &user_id, now).await?;
    tx.commit().await?;
    Ok(user_id)
}

/// `POST /v1/auth/oidc/token`: the app's one-time code and its verifier for
/// a session. The code is used up by any attempt, right or wrong.
pub async fn redeem(state: &AppState, req: OidcTokenRequest, meta: &ClientMeta) -> ApiResult<SessionGrant> {
    if !check_pkce_value(&req.code_verifier, 43) {
        return Err(ApiError::invalid(
            "code_verifier",
            "A PKCE verifier is 43 to 128 characters of A-Z a-z 0-9 - . _ ~.",
        ));
    }
    let invalid = |detail: &str| ApiError::new(ErrorCode::InvalidGrant, detail);
    if req.code.is_empty() || req.code.len() > 200 {
        return Err(invalid("This sign-in code is not valid; sign in again."));
    }
    let row = store::oidc::consume_code(&state.db.pool, &hash_token(&req.code), now_ms()).await?.ok_or_else(|| {
        invalid("This sign-in code is unknown, used already or expired (after 2 minutes); sign in again.")
    })?;
    if challenge_of(&req.code_verifier) != row.app_challenge {
        return Err(invalid(
            "The code_verifier does not match the flow's code_challenge; the code is used up: sign in again.",
        ));
    }
    let now = now_ms();
    store::oidc::record_sign_in(
        &state.db.pool,
        &row.user_id,
        &row.provider,
        now,
        meta.ip.as_deref(),
        meta.user_agent.as_deref(),
    )
    .await?;
    if let Some(ip) = meta.ip.as_deref() {
        crate::recovery::remember_source(state, &row.user_id, ip).await?;
    }
    let mut conn = state.db.pool.acquire().await?;
    open_session(&mut conn, &row.user_id, req.device_name.as_deref().unwrap_or("Orgdesk")).await
}

/// The claims of an ID token the server reads.
#[derive(Debug, Deserialize)]
pub struct IdClaims {
    pub sub: String,
    #[serde(default)]
    pub nonce: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// Some providers send "true" as a string.
    #[serde(default, deserialize_with = "lenient_bool")]
    pub email_verified: bool,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub azp: Option<String>,
    #[serde(default)]
    pub aud: serde_json::Value,
    /// Seconds since the epoch (required).
    pub exp: i64,
    /// The claims not named above (a provider's own, such as `xms_edov`).
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// The userinfo claims the server reads.
#[derive(Debug, Deserialize)]
struct UserInfo {
    sub: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    email_verified: bool,
    #[serde(default)]
    name: Option<String>,
    #[serde(flatten)]
    other: serde_json::Map<String, serde_json::Value>,
}

fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Bool(b) => b,
        serde_json::Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    })
}

/// Why an ID token was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum IdTokenError {
    Malformed,
    /// Signed with an algorithm the server does not accept.
    Algorithm,
    /// Names a key the provider's key set lacks (fetch the set again).
    UnknownKey,
    Signature,
    Expired,
    Issuer,
    Audience,
    Nonce,
    Other(String),
}

impl fmt::Display for IdTokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdTokenError::Malformed => "the ID token is malformed",
            IdTokenError::Algorithm => "the ID token's algorithm is not accepted",
            IdTokenError::UnknownKey => "the ID token's key is unknown",
            IdTokenError::Signature => "the ID token's signature is wrong",
            IdTokenError::Expired => "the ID token expired",
            IdTokenError::Issuer => "the ID token is from another issuer",
            IdTokenError::Audience => "the ID token is for another client",
            IdTokenError::Nonce => "the ID token is for another sign-in (nonce)",
            IdTokenError::Other(e) => e,
        })
    }
}

/// How far the provider's clock may be ahead of ours.
const ID_TOKEN_LEEWAY_S: i64 = 60;

/// Checks an ID token (OpenID Connect Core §3.1.3.7): signed by a key of the
/// provider's set with an asymmetric algorithm, from `issuer`, for
/// `client_id` (and, with several audiences, authorized for it), unexpired
/// (a minute's leeway), carrying `nonce`.
pub fn verify_id_token(
    token: &str,
    keys: &JwkSet,
    issuer: &str,
    client_id: &str,
    nonce: &str,
) -> Result<IdClaims, IdTokenError> {
    verify_id_token_at(token, keys, issuer, client_id, nonce, now_ms() / 1000)
}

/// [`verify_id_token`] on the clock `now` (seconds since the epoch), so a
/// test can check a real token after it expired.
pub fn verify_id_token_at(
    token: &str,
    keys: &JwkSet,
    issuer: &str,
    client_id: &str,
    nonce: &str,
    now: i64,
) -> Result<IdClaims, IdTokenError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| IdTokenError::Malformed)?;
    if !ALGORITHMS.contains(&header.alg) {
        return Err(IdTokenError::Algorithm);
    }
    let jwk = match &header.kid {
        Some(kid) => keys.find(kid),
        None if keys.keys.len() == 1 => keys.keys.first(),
        None => None,
    }
    .ok_or(IdTokenError::UnknownKey)?;
    if let Some(key_alg) = jwk.common.key_algorithm {
        if format!("{key_alg:?}") != format!("{:?}", header.alg) {
            return Err(IdTokenError::Algorithm);
        }
    }
    let key = DecodingKey::from_jwk(jwk).map_err(|e| IdTokenError::Other(format!("the provider's key: {e}")))?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[client_id]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    // `exp` is checked below, on the caller's clock.
    validation.validate_exp = false;
    let data = jsonwebtoken::decode::<IdClaims>(token, &key, &validation).map_err(|e| match e.kind() {
        ErrorKind::ExpiredSignature => IdTokenError::Expired,
        ErrorKind::InvalidIssuer => IdTokenError::Issuer,
        ErrorKind::InvalidAudience => IdTokenError::Audience,
        ErrorKind::InvalidSignature => IdTokenError::Signature,
        ErrorKind::InvalidAlgorithm => IdTokenError::Algorithm,
        _ => IdTokenError::Other(format!("the ID token: {e}")),
    })?;
    let claims = data.claims;
    if claims.exp + ID_TOKEN_LEEWAY_S < now {
        return Err(IdTokenError::Expired);
    }
    let several_audiences = claims.aud.as_array().is_some_and(|a| a.len() > 1);
    if claims.azp.as_deref().is_some_and(|azp| azp != client_id) || (several_audiences && claims.azp.is_none()) {
        return Err(IdTokenError::Audience);
    }
    if claims.nonce.as_deref() != Some(nonce) {
        return Err(IdTokenError::Nonce);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_flags_parse_and_redact() {
        let p = ProviderConfig::parse(
            "id=corp, issuer=https://idp.example.com, client-id=abc, client-secret=s3cret, name=Corp SSO",
        )
        .unwrap();
        assert_eq!(p.name, "Corp SSO");
        assert_eq!(p.issuer, "https://idp.example.com");
        assert!(!format!("{p:?}").contains("s3cret"));
        assert!(ProviderConfig::parse("id=t,issuer=http://127.0.0.1:9000,client-id=a,client-secret=b").is_ok());
        assert!(ProviderConfig::parse("id=t,issuer=http://idp.example.com,client-id=a,client-secret=b")
            .unwrap_err()
            .contains("https"));
        assert!(ProviderConfig::parse("id=Corp,issuer=https://x,client-id=a,client-secret=b").is_err());
        assert!(ProviderConfig::parse("id=c,issuer=https://x,client-id=a").unwrap_err().contains("client-secret"));
        assert!(ProviderConfig::parse("id=c,issuer=https://x,client-id=a,client-secret=b,colour=red").is_err());
        assert_eq!(p.email_verified_claim, EMAIL_VERIFIED);
        let entra =
            ProviderConfig::parse("id=e,issuer=https://x,client-id=a,client-secret=b,email-verified-claim=xms_edov")
                .unwrap();
        assert_eq!(entra.email_verified_claim, "xms_edov");
        assert!(ProviderConfig::parse("id=e,issuer=https://x,client-id=a,client-secret=b,email-verified-claim=a b")
            .unwrap_err()
            .contains("claim name"));
    }

    #[test]
    fn the_configured_claim_decides_whether_the_address_is_confirmed() {
        let standard = ProviderConfig::parse("id=g,issuer=https://x,client-id=a,client-secret=b").unwrap();
        let entra =
            ProviderConfig::parse("id=e,issuer=https://x,client-id=a,client-secret=b,email-verified-claim=xms_edov")
                .unwrap();
        let other = |v: serde_json::Value| v.as_object().unwrap().clone();
        assert!(standard.address_confirmed(true, &other(serde_json::json!({}))));
        assert!(!standard.address_confirmed(false, &other(serde_json::json!({"xms_edov": true}))));
        assert!(entra.address_confirmed(false, &other(serde_json::json!({"xms_edov": true}))));
        assert!(entra.address_confirmed(false, &other(serde_json::json!({"xms_edov": "True"}))));
        assert!(!entra.address_confirmed(true, &other(serde_json::json!({}))), "email_verified does not count for it");
        assert!(!entra.address_confirmed(false, &other(serde_json::json!({"xms_edov": 1}))));
    }

    #[test]
    fn app_redirects_are_the_scheme_or_loopback() {
        assert!(check_app_redirect("orgdesk://auth/callback").is_ok());
        assert!(check_app_redirect("http://127.0.0.1:53682/callback").is_ok());
        assert!(check_app_redirect("http://[::1]:53682/").is_ok());
        for bad in [
            "orgdesk://auth/other",
            "http://localhost:5000/cb",
            "https://evil.example/cb",
            "http://127.0.0.1.evil.example/cb",
            "http://user@127.0.0.1:1/cb",
            "http://127.0.0.1:1/cb#x",
            "javascript:alert(1)",
        ] {
            assert!(check_app_redirect(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn secrets_derive_from_the_state() {
        let state = random_secret();
        assert_eq!(state.len(), 43);
        let verifier = verifier_for(&state);
        assert!(check_pkce_value(&verifier, 43));
        assert_ne!(verifier, nonce_for(&state));
        assert_ne!(verifier, state);
        // base64url(SHA-256), as Python's hashlib computes it.
        assert_eq!(
            challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r7wlB1mWjnYFqw"),
            "YJCaR1XjnVWDnspQDMyy68TkvlQlQook75POjbr7lAI"
        );
        assert_eq!(form_encode("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9");
    }

    /// A provider's key pair (ES256) and its key set.
    struct TestKey {
        encoding: jsonwebtoken::EncodingKey,
        set: JwkSet,
    }

    fn test_key(kid: &str) -> TestKey {
        use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
        let point = pair.public_key().as_ref();
        let set = serde_json::from_value(serde_json::json!({"keys": [{
            "kty": "EC", "crv": "P-256", "kid": kid, "alg": "ES256", "use": "sig",
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]), "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
        }]}))
        .unwrap();
        TestKey { encoding: jsonwebtoken::EncodingKey::from_ec_der(pkcs8.as_ref()), set }
    }

    const ISS: &str = "https://idp.example.com";

    fn sign(key: &TestKey, kid: &str, claims: serde_json::Value) -> String {
        let mut header = jsonwebtoken::Header::new(Algorithm::ES256);
        header.kid = Some(kid.into());
        jsonwebtoken::encode(&header, &claims, &key.encoding).unwrap()
    }

    fn claims(aud: serde_json::Value, exp_in: i64, nonce: &str) -> serde_json::Value {
        let now = now_ms() / 1000;
        serde_json::json!({"iss": ISS, "sub": "s1", "aud": aud, "iat": now, "exp": now + exp_in, "nonce": nonce,
            "email": "ada@example.com", "email_verified": true})
    }

    #[test]
    fn id_tokens_are_checked() {
        let key = test_key("k1");
        let check = |t: &str| verify_id_token(t, &key.set, ISS, "orgdesk", "n1");
        let good = sign(&key, "k1", claims("orgdesk".into(), 300, "n1"));
        let ok = check(&good).unwrap();
        assert_eq!((ok.sub.as_str(), ok.email_verified), ("s1", true));

        assert_eq!(
            check(&sign(&key, "k1", claims("other-client".into(), 300, "n1"))).unwrap_err(),
            IdTokenError::Audience
        );
        assert_eq!(check(&sign(&key, "k1", claims("orgdesk".into(), -120, "n1"))).unwrap_err(), IdTokenError::Expired);
        assert_eq!(check(&sign(&key, "k1", claims("orgdesk".into(), 300, "n2"))).unwrap_err(), IdTokenError::Nonce);
        let mut other_iss = claims("orgdesk".into(), 300, "n1");
        other_iss["iss"] = "https://evil.example".into();
        assert_eq!(check(&sign(&key, "k1", other_iss)).unwrap_err(), IdTokenError::Issuer);
        // Several audiences need azp naming this client.
        let several = claims(serde_json::json!(["orgdesk", "other"]), 300, "n1");
        assert_eq!(check(&sign(&key, "k1", several.clone())).unwrap_err(), IdTokenError::Audience);
        let mut with_azp = several;
        with_azp["azp"] = "orgdesk".into();
        assert!(check(&sign(&key, "k1", with_azp)).is_ok());
        // Another key: unknown kid (the caller refetches), or a known kid with the wrong key.
        let stranger = test_key("k2");
        assert_eq!(
            check(&sign(&stranger, "k2", claims("orgdesk".into(), 300, "n1"))).unwrap_err(),
            IdTokenError::UnknownKey
        );
        assert_eq!(
            check(&sign(&stranger, "k1", claims("orgdesk".into(), 300, "n1"))).unwrap_err(),
            IdTokenError::Signature
        );
        // A shared-secret token is never accepted, whatever it claims.
        let hs = jsonwebtoken::encode(
            &jsonwebtoken::Header { kid: Some("k1".into()), ..jsonwebtoken::Header::new(Algorithm::HS256) },
            &claims("orgdesk".into(), 300, "n1"),
            &jsonwebtoken::EncodingKey::from_secret(b"guess"),
        )
        .unwrap();
        assert_eq!(check(&hs).unwrap_err(), IdTokenError::Algorithm);
        assert_eq!(check("not.a.token").unwrap_err(), IdTokenError::Malformed);
        // email_verified as a string.
        let mut stringly = claims("orgdesk".into(), 300, "n1");
        stringly["email_verified"] = "false".into();
        assert!(!check(&sign(&key, "k1", stringly)).unwrap().email_verified);
    }
}
