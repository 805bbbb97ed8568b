//! The HTTP client of the `/v1` API: one typed method per operation (in
//! `endpoints`), over a transport that adds the session token, timeouts,
//! retries for idempotent requests, conditional requests and problem+json
//! mapping.

mod endpoints;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use orgdesk_core::Problem;
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, ETAG, IF_NONE_MATCH, RETRY_AFTER};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::sensitive::Sensitive;

/// A larger answer than this is refused rather than buffered.
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct ApiOptions {
    /// Whole-request timeout.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Extra attempts for idempotent requests after a connection failure,
    /// a timeout or a 502/503/504.
    pub retries: u32,
    /// First pause between attempts; doubles each time.
    pub backoff: Duration,
    pub user_agent: String,
}

impl Default for ApiOptions {
    fn default() -> Self {
        ApiOptions {
            timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(5),
            retries: 2,
            backoff: Duration::from_millis(250),
            user_agent: concat!("orgdesk-client/", env!("CARGO_PKG_VERSION")).into(),
        }
    }
}

/// The answer to a conditional GET.
#[derive(Clone, Debug)]
pub enum Fetched<T> {
    Fresh {
        value: T,
        etag: Option<String>,
    },
    /// 304: what was cached under the sent ETag is still current.
    NotModified,
}

/// Requests sent and response body bytes received, for progress and benchmarks.
#[derive(Debug, Default)]
pub struct Meter {
    requests: AtomicU64,
    bytes: AtomicU64,
}

impl Meter {
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

#[derive(Clone)]
pub struct Api {
    base: Url,
    http: reqwest::Client,
    /// For the event stream: no whole-request timeout (it never ends).
    stream_http: reqwest::Client,
    token: Option<Sensitive<String>>,
    options: ApiOptions,
    meter: Arc<Meter>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api").field("base", &self.base.as_str()).field("signed_in", &self.token.is_some()).finish()
    }
}

/// Checks a server URL and returns it normalized (no trailing slash).
/// Plain http:// is allowed only to this machine.
pub fn parse_server_url(input: &str) -> Result<Url> {
    let url = Url::parse(input.trim()).map_err(|e| Error::InsecureUrl(format!("\"{input}\" is not a URL: {e}")))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(Error::InsecureUrl(format!("\"{input}\" names no host."))),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(Error::InsecureUrl(format!(
                "{input} uses plain http://; use https:// (http is allowed only for this machine)."
            )))
        }
        other => {
            return Err(Error::InsecureUrl(format!("{input}: the scheme {other}:// is not supported; use https://.")))
        }
    }
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() {
        return Err(Error::InsecureUrl(format!("{input}: a server URL carries no credentials or query.")));
    }
    let mut url = url;
    let path = url.path().trim_end_matches('/').to_owned();
    url.set_path(&path);
    Ok(url)
}

/// One request to send, possibly several times.
pub(crate) struct Call<'a> {
    method: Method,
    segments: Vec<&'a str>,
    query: Option<String>,
    body: Option<(Vec<u8>, &'static str)>,
    headers: HeaderMap,
    /// Safe to send again: GET, or a POST carrying an Idempotency-Key.
    idempotent: bool,
}

impl<'a> Call<'a> {
    fn new(method: Method, segments: &[&'a str]) -> Call<'a> {
        let idempotent = method == Method::GET;
        Call { method, segments: segments.to_vec(), query: None, body: None, headers: HeaderMap::new(), idempotent }
    }

    /// The path for logs: the token in `/v1/invitations/{token}/…` and
    /// `/v1/partner-requests/{token}/…` is hidden.
    fn log_path(&self) -> String {
        let mut parts: Vec<&str> = self.segments.clone();
        if parts.len() > 2 && parts[0] == "v1" && (parts[1] == "invitations" || parts[1] == "partner-requests") {
            parts[2] = "<token>";
        }
        format!("/{}", parts.join("/"))
    }

    fn get(segments: &[&'a str]) -> Call<'a> {
        Call::new(Method::GET, segments)
    }

    fn query<Q: Serialize>(mut self, q: &Q) -> Result<Call<'a>> {
        let text =
            serde_urlencoded::to_string(q).map_err(|e| Error::BadResponse(format!("cannot encode the query: {e}")))?;
        self.query = (!text.is_empty()).then_some(text);
        Ok(self)
    }

    fn json<B: Serialize>(mut self, body: &B) -> Result<Call<'a>> {
        let bytes =
            serde_json::to_vec(body).map_err(|e| Error::BadResponse(format!("cannot encode the request: {e}")))?;
        self.body = Some((bytes, "application/json"));
        Ok(self)
    }

    fn header(mut self, name: &'static str, value: &str) -> Result<Call<'a>> {
        let value =
            HeaderValue::from_str(value).map_err(|_| Error::BadResponse(format!("{name} cannot carry {value:?}")))?;
        self.headers.insert(name, value);
        Ok(self)
    }

    fn if_none_match(self, etag: Option<&str>) -> Result<Call<'a>> {
        match etag {
            Some(tag) => self.header(IF_NONE_MATCH.as_str(), tag),
            None => Ok(self),
        }
    }

    /// A versioned resource's ETag is `"<version>.<hash>"`; If-Match compares
    /// only the version, so the version alone in quotes is a valid If-Match.
    fn if_match(self, version: Option<i64>) -> Result<Call<'a>> {
        match version {
            Some(v) => self.header("if-match", &format!("\"{v}\"")),
            None => Ok(self),
        }
    }
}

/// A successful answer, body still raw.
struct Answer {
    status: StatusCode,
    etag: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
}

impl Api {
    pub fn new(server_url: &str, options: ApiOptions) -> Result<Api> {
        let base = parse_server_url(server_url)?;
        let http = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout)
            .user_agent(options.user_agent.clone())
            // A redirect could carry the bearer token elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::BadResponse(format!("cannot build the HTTP client: {e}")))?;
        let stream_http = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .user_agent(options.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::BadResponse(format!("cannot build the HTTP client: {e}")))?;
        Ok(Api { base, http, stream_http, token: None, options, meter: Default::default() })
    }

    /// The same server and counters, sending this session token.
    pub fn with_token(&self, token: Sensitive<String>) -> Api {
        Api { token: Some(token), ..self.clone() }
    }

    /// The same server without a session token.
    pub fn without_token(&self) -> Api {
        Api { token: None, ..self.clone() }
    }

    /// The normalized server URL, without a trailing slash.
    pub fn server_url(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    pub fn meter(&self) -> &Arc<Meter> {
        &self.meter
    }

    pub fn is_signed_in(&self) -> bool {
        self.token.is_some()
    }

    fn url(&self, call: &Call<'_>) -> Result<Url> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|_| Error::InsecureUrl("this server URL cannot have a path".into()))?
            .pop_if_empty()
            .extend(&call.segments);
        url.set_query(call.query.as_deref());
        Ok(url)
    }

    async fn send(&self, call: Call<'_>) -> Result<Answer> {
        let url = self.url(&call)?;
        let attempts = if call.idempotent { self.options.retries + 1 } else { 1 };
        let mut pause = self.options.backoff;
        let mut attempt = 1;
        loop {
            let outcome = self.attempt(&call, url.clone()).await;
            let retryable = match &outcome {
                Err(Error::Offline { .. }) => true,
                Err(Error::Api { problem, .. }) => matches!(problem.status, 502..=504),
                _ => false,
            };
            if !retryable || attempt >= attempts {
                return outcome;
            }
            tracing::debug!(path = %call.log_path(), attempt, "retrying after a transient failure");
            tokio::time::sleep(pause).await;
            pause *= 2;
            attempt += 1;
        }
    }

    async fn attempt(&self, call: &Call<'_>, url: Url) -> Result<Answer> {
        let path = call.log_path();
        let mut req = self.http.request(call.method.clone(), url).headers(call.headers.clone());
        if let Some(token) = &self.token {
            req = req.bearer_auth(token.expose());
        }
        if let Some((body, content_type)) = &call.body {
            req = req.header(CONTENT_TYPE, *content_type).body(body.clone());
        }
        self.meter.requests.fetch_add(1, Ordering::Relaxed);
        let mut resp = req.send().await.map_err(|e| self.offline(&e))?;
        let status = resp.status();
        let header = |name| resp.headers().get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_owned);
        let etag = header(ETAG);
        let content_type = header(CONTENT_TYPE);
        let retry_after = header(RETRY_AFTER).and_then(|s| s.trim().parse().ok());
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.offline(&e))? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(Error::BadResponse(format!("the answer to {path} is larger than {MAX_BODY_BYTES} bytes")));
            }
            body.extend_from_slice(&chunk);
        }
        self.meter.bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
        tracing::debug!(method = %call.method, path, status = status.as_u16(), bytes = body.len(), "api");
        if status.is_success() || status == StatusCode::NOT_MODIFIED {
            return Ok(Answer { status, etag, content_type, body });
        }
        Err(self.problem(status, &body, retry_after))
    }

    fn offline(&self, e: &reqwest::Error) -> Error {
        // Not reqwest's Display: it names the URL, and some paths carry an
        // invitation token.
        let reason = if e.is_timeout() {
            "timed out".to_owned()
        } else if e.is_connect() {
            "connection failed".to_owned()
        } else {
            std::error::Error::source(e).map_or_else(|| "the request failed".to_owned(), |s| s.to_string())
        };
        Error::Offline { server: self.server_url().to_owned(), reason }
    }

    fn problem(&self, status: StatusCode, body: &[u8], retry_after: Option<u64>) -> Error {
        let problem = match serde_json::from_slice::<Problem>(body) {
            Ok(problem) => problem,
            // A code this build does not know (a newer server), or a proxy's
            // page: keep the status's meaning. Never a reason to drop the
            // session, which needs the server's own `unauthenticated`.
            Err(_) => match fallback_problem(status, body) {
                Some(problem) => problem,
                None => return Error::BadResponse(format!("HTTP {} without problem details", status.as_u16())),
            },
        };
        if status == StatusCode::UNAUTHORIZED
            && self.token.is_some()
            && problem.code == orgdesk_core::ErrorCode::Unauthenticated
            && problem.type_uri != FALLBACK_TYPE
        {
            return Error::SessionRevoked;
        }
        Error::Api { problem: Box::new(problem), retry_after }
    }

    /// Opens `GET /v1/events` (Server-Sent Events), resuming after
    /// `last_event_id`; the answer's body is read with [`EventStream::chunk`].
    pub async fn open_events(&self, last_event_id: Option<&str>) -> Result<EventStream> {
        let call = Call::get(&["v1", "events"]).header("accept", "text/event-stream")?;
        let call = match last_event_id {
            Some(id) => call.header("last-event-id", id)?,
            None => call,
        };
        let mut req = self.stream_http.get(self.url(&call)?).headers(call.headers.clone());
        if let Some(token) = &self.token {
            req = req.bearer_auth(token.expose());
        }
        self.meter.requests.fetch_add(1, Ordering::Relaxed);
        let mut resp = req.send().await.map_err(|e| self.offline(&e))?;
        let status = resp.status();
        if !status.is_success() {
            let mut body = Vec::new();
            while let Some(chunk) = resp.chunk().await.map_err(|e| self.offline(&e))? {
                body.extend_from_slice(&chunk);
                if body.len() > 64 * 1024 {
                    break;
                }
            }
            return Err(self.problem(status, &body, None));
        }
        let event_stream = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.trim_start().starts_with("text/event-stream"));
        if !event_stream {
            return Err(Error::BadResponse("the event stream is not text/event-stream".into()));
        }
        tracing::debug!(path = "/v1/events", resumed = last_event_id.is_some(), "event stream open");
        Ok(EventStream { resp, api: self.without_token() })
    }

    async fn json<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T> {
        let answer = self.send(call).await?;
        decode(&answer.body)
    }

    async fn no_content(&self, call: Call<'_>) -> Result<()> {
        self.send(call).await.map(|_| ())
    }

    async fn conditional<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<Fetched<T>> {
        let answer = self.send(call).await?;
        if answer.status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        Ok(Fetched::Fresh { value: decode(&answer.body)?, etag: answer.etag })
    }
}

/// An open event stream's body.
pub struct EventStream {
    resp: reqwest::Response,
    /// For the error's server name (no token).
    api: Api,
}

impl EventStream {
    /// The next bytes; `None` when the server ended the stream.
    pub async fn chunk(&mut self) -> Result<Option<bytes::Bytes>> {
        let chunk = self.resp.chunk().await.map_err(|e| self.api.offline(&e))?;
        if let Some(c) = &chunk {
            self.api.meter.bytes.fetch_add(c.len() as u64, Ordering::Relaxed);
        }
        Ok(chunk)
    }
}

const FALLBACK_TYPE: &str = "about:blank";

/// Problem details for an error answer this client cannot read as such,
/// from its status alone; the server's `detail` is kept when present.
fn fallback_problem(status: StatusCode, body: &[u8]) -> Option<Problem> {
    use orgdesk_core::ErrorCode as C;
    let code = match status.as_u16() {
        400 | 422 => C::ValidationFailed,
        401 => C::Unauthenticated,
        403 => C::Forbidden,
        404 => C::NotFound,
        412 => C::PreconditionFailed,
        413 => C::PayloadTooLarge,
        415 => C::UnsupportedMediaType,
        429 => C::RateLimited,
        503 => C::Unavailable,
        500..=599 => C::Internal,
        _ => return None,
    };
    let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let text = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let title = status.canonical_reason().unwrap_or("Error").to_owned();
    Some(Problem {
        type_uri: FALLBACK_TYPE.into(),
        detail: text("detail").unwrap_or_else(|| format!("The server answered HTTP {}: {title}.", status.as_u16())),
        title,
        status: status.as_u16(),
        code,
        errors: Vec::new(),
        request_id: text("request_id"),
    })
}

fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| Error::BadResponse(format!("unreadable JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::parse_server_url;

    #[test]
    fn logged_paths_hide_link_tokens() {
        let path = |segments: &[&str]| super::Call::new(reqwest::Method::POST, segments).log_path();
        assert_eq!(path(&["v1", "invitations", "odi_secret", "accept"]), "/v1/invitations/<token>/accept");
        assert_eq!(path(&["v1", "partner-requests", "odp_secret", "accept"]), "/v1/partner-requests/<token>/accept");
        assert_eq!(path(&["v1", "orgs", "acme", "partner-access"]), "/v1/orgs/acme/partner-access");
    }

    #[test]
    fn plain_http_only_to_this_machine() {
        assert!(parse_server_url("https://orgdesk.example.com/").is_ok());
        assert!(parse_server_url("http://127.0.0.1:8799").is_ok());
        assert!(parse_server_url("http://localhost:8799").is_ok());
        assert!(parse_server_url("http://[::1]:8799").is_ok());
        assert!(parse_server_url("http://orgdesk.example.com").is_err());
        assert!(parse_server_url("http://10.0.0.1").is_err());
        assert!(parse_server_url("ftp://127.0.0.1").is_err());
        assert!(parse_server_url("not a url").is_err());
        assert!(parse_server_url("https://user:pw@example.com").is_err());
    }

    #[test]
    fn trailing_slash_is_dropped() {
        let url = parse_server_url("https://example.com/orgdesk/").unwrap();
        assert_eq!(url.as_str(), "https://example.com/orgdesk");
    }
}
