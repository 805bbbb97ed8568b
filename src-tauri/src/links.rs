//! `orgdesk://` links: parsed strictly here, then handed to the UI.
//!
//! A link arrives as the command-line argument of a new process (the OS
//! starts the app with the URL; the single-instance plugin forwards a second
//! launch's arguments to the running one) or, while running, from the
//! deep-link plugin. Every link goes through [`parse`]: one it does not know
//! is refused with a message for the person and never acted on. Links wait
//! here until the UI subscribes with a channel, so a link that started the
//! app is not lost.
//!
//! To add a kind of link (the account screens: `verify/<token>`,
//! `reset/<token>`, `auth/callback`): add a variant to [`Link`], a branch to
//! [`parse`], cases to the tests below, and its handling in the UI
//! (ui/src/lib/links.ts); the exhaustive matches point at every other place.

use std::sync::Mutex;

use orgdesk_client::core::validate;
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager};
use tauri_plugin_deep_link::DeepLinkExt;

use crate::desk::Desk;

pub const SCHEME: &str = "orgdesk";
/// Longer arguments are refused unread.
const MAX_LINK_LEN: usize = 2048;
/// Invitation tokens are 43 characters of base64url; anything much longer is not one.
const MAX_TOKEN_LEN: usize = 200;

/// A link Orgdesk acts on. Serialized for the UI as `{kind: "invite", token}`
/// or `{kind: "org", slug, screen}`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Link {
    /// `orgdesk://invite/<token>`: the accept flow of an invitation.
    Invite { token: String },
    /// `orgdesk://o/<slug>` (the org's members) and `orgdesk://o/<slug>/<screen>`.
    Org { slug: String, screen: Option<OrgScreen> },
    /// `orgdesk://verify/<token>`: confirm the signed-in account's address.
    Verify { token: String },
    /// `orgdesk://reset/<token>`: choose a new password.
    Reset { token: String },
    /// `orgdesk://email-change/<token>`: confirm a new address.
    EmailChange { token: String },
    /// `orgdesk://auth/callback?code=…` (or `?error=…&error_description=…`):
    /// the identity provider round trip came back.
    AuthCallback { code: Option<String>, error: Option<String> },
}

/// The screens of an org that a link can open (the UI's `ScreenId`s).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrgScreen {
    Members,
    Invitations,
    Roles,
    Settings,
    ApiKeys,
    Webhooks,
    Teams,
    Customers,
    Audit,
}

impl OrgScreen {
    pub const ALL: [OrgScreen; 9] = [
        OrgScreen::Members,
        OrgScreen::Invitations,
        OrgScreen::Roles,
        OrgScreen::Settings,
        OrgScreen::ApiKeys,
        OrgScreen::Webhooks,
        OrgScreen::Teams,
        OrgScreen::Customers,
        OrgScreen::Audit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgScreen::Members => "members",
            OrgScreen::Invitations => "invitations",
            OrgScreen::Roles => "roles",
            OrgScreen::Settings => "settings",
            OrgScreen::ApiKeys => "api-keys",
            OrgScreen::Webhooks => "webhooks",
            OrgScreen::Teams => "teams",
            OrgScreen::Customers => "customers",
            OrgScreen::Audit => "audit",
        }
    }

    pub fn from_name(name: &str) -> Option<OrgScreen> {
        OrgScreen::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// What the UI is told about one incoming link.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum LinkEvent {
    /// A link to act on.
    Open { link: Link },
    /// A link that was not acted on, and why (for the person to read).
    Refused { message: String },
}

/// Why a link was refused: a sentence for the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused(pub String);

fn refuse<T>(why: &str) -> Result<T, Refused> {
    Err(Refused(format!(
        "Orgdesk did not open this link: {why}. It opens invitation links (orgdesk://invite/…), links to an \
         organization or one of its screens (orgdesk://o/<slug>/members, invitations, roles, settings or audit), \
         the links of its emails (verify, reset, email-change) and the answer of a sign-in (orgdesk://auth/callback)."
    )))
}

/// The link `raw` names, or why it is refused. Strict: the scheme, one
/// known path shape, no fragment, user, port or empty segment, no query but
/// the sign-in answer's (`auth/callback?code=…`); a single trailing slash is
/// allowed.
pub fn parse(raw: &str) -> Result<Link, Refused> {
    if raw.len() > MAX_LINK_LEN {
        return refuse("it is too long");
    }
    let prefix = format!("{SCHEME}://");
    let Some(rest) = raw.get(..prefix.len()).filter(|p| p.eq_ignore_ascii_case(&prefix)).map(|_| &raw[prefix.len()..])
    else {
        return refuse("it is not an orgdesk:// link");
    };
    if rest.contains('#') {
        return refuse("Orgdesk links have no fragment");
    }
    let (rest, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    let path_only = rest.strip_suffix('/').unwrap_or(rest);
    if path_only == "auth/callback" {
        return auth_callback(query.unwrap_or_default());
    }
    if query.is_some() {
        return refuse("Orgdesk links have no query");
    }
    let path = rest.strip_suffix('/').unwrap_or(rest);
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["invite", token] => {
            let ok = !token.is_empty()
                && token.len() <= MAX_TOKEN_LEN
                && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !ok {
                return refuse("its invitation token is not one Orgdesk sends");
            }
            Ok(Link::Invite { token: (*token).to_owned() })
        }
        ["verify", token] => Ok(Link::Verify { token: link_token(token)? }),
        ["reset", token] => Ok(Link::Reset { token: link_token(token)? }),
        ["email-change", token] => Ok(Link::EmailChange { token: link_token(token)? }),
        ["o", slug] => Ok(Link::Org { slug: org_slug(slug)?, screen: None }),
        ["o", slug, screen] => {
            let slug = org_slug(slug)?;
            match OrgScreen::from_name(screen) {
                Some(screen) => Ok(Link::Org { slug, screen: Some(screen) }),
                None => refuse("it names a screen Orgdesk does not have"),
            }
        }
        _ => refuse("Orgdesk does not know where it points"),
    }
}

/// The token of an emailed link: base64url, as the server makes them.
fn link_token(token: &str) -> Result<String, Refused> {
    let ok = (20..=MAX_TOKEN_LEN).contains(&token.len())
        && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(token.to_owned())
    } else {
        refuse("its token is not one Orgdesk sends")
    }
}

/// The query of `orgdesk://auth/callback`: `code`, or `error` (with an
/// optional `error_description`), and nothing else.
fn auth_callback(query: &str) -> Result<Link, Refused> {
    let mut code = None;
    let mut error = None;
    let mut description = None;
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let slot = match key.as_ref() {
            "code" => &mut code,
            "error" => &mut error,
            "error_description" => &mut description,
            _ => return refuse("its sign-in answer has a part Orgdesk does not expect"),
        };
        if slot.replace(value.into_owned()).is_some() {
            return refuse("its sign-in answer repeats a part");
        }
    }
    match (code, error) {
        (Some(code), None) => Ok(Link::AuthCallback { code: Some(link_token(&code)?), error: None }),
        (None, Some(error)) => {
            let message = description.unwrap_or(error);
            Ok(Link::AuthCallback { code: None, error: Some(message.chars().take(300).collect()) })
        }
        _ => refuse("its sign-in answer has neither a code nor an error"),
    }
}

fn org_slug(slug: &str) -> Result<String, Refused> {
    match validate::slug(slug) {
        Ok(valid) if valid == slug => Ok(valid),
        _ => refuse("the organization in it is not a valid slug"),
    }
}

/// The link of an org's screen, as "Copy link to this screen" copies it.
pub fn org_link(slug: &str, screen: Option<OrgScreen>) -> String {
    match screen {
        Some(screen) => format!("{SCHEME}://o/{slug}/{}", screen.as_str()),
        None => format!("{SCHEME}://o/{slug}"),
    }
}

/// Links received, waiting for the UI or handed to it as they come.
#[derive(Default)]
pub struct Links {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    pending: Vec<LinkEvent>,
    subscriber: Option<Channel<LinkEvent>>,
}

impl Links {
    /// Parses `raw` and hands the UI the link or the refusal. Logs the kind
    /// only: a link can hold an invitation token.
    pub fn receive(&self, raw: &str) {
        let event = match parse(raw) {
            Ok(link) => {
                match &link {
                    Link::Invite { .. } => tracing::info!("received an invitation link"),
                    Link::Org { slug, screen } => {
                        tracing::info!(slug, screen = screen.map(OrgScreen::as_str), "received an org link")
                    }
                    Link::Verify { .. } => tracing::info!("received an address verification link"),
                    Link::Reset { .. } => tracing::info!("received a password reset link"),
                    Link::EmailChange { .. } => tracing::info!("received an address change link"),
                    Link::AuthCallback { error, .. } => {
                        tracing::info!(refused = error.is_some(), "received the identity provider's answer")
                    }
                }
                LinkEvent::Open { link }
            }
            Err(Refused(message)) => {
                tracing::warn!(length = raw.len(), "refused a link Orgdesk does not open");
                LinkEvent::Refused { message }
            }
        };
        self.deliver(event);
    }

    pub fn deliver(&self, event: LinkEvent) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        match &inner.subscriber {
            Some(channel) if channel.send(event.clone()).is_ok() => {}
            _ => inner.pending.push(event),
        }
    }

    pub fn subscribe(&self, channel: Channel<LinkEvent>) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        for event in inner.pending.drain(..) {
            let _ = channel.send(event);
        }
        inner.subscriber = Some(channel);
    }
}

/// Whether a command-line argument is meant as a link (and so must be
/// parsed, and refused if unknown) rather than some other argument.
pub fn looks_like_link(arg: &str) -> bool {
    arg.get(..SCHEME.len() + 1).is_some_and(|p| p.eq_ignore_ascii_case(&format!("{SCHEME}:")))
}

/// Takes the links of this process's own arguments and, from now on, those
/// the deep-link plugin reports (a second launch's, through single-instance).
pub fn listen(app: &AppHandle) {
    let desk = app.state::<Desk>();
    for arg in std::env::args().skip(1).filter(|a| looks_like_link(a)) {
        desk.links.receive(&arg);
    }
    let handle = app.clone();
    app.deep_link().on_open_url(move |event| {
        for url in event.urls() {
            handle.state::<Desk>().links.receive(url.as_str());
        }
    });
}

/// A second launch's arguments, forwarded by the single-instance plugin. Its
/// `deep-link` feature has given the deep-link plugin (and so [`listen`])
/// a link that is the only argument and a URL; any other argument that looks
/// like a link is taken here, so that it is refused aloud, not dropped.
pub fn from_second_launch(app: &AppHandle, args: &[String]) {
    let by_plugin = args.len() == 2 && tauri::Url::parse(&args[1]).is_ok();
    if by_plugin {
        return;
    }
    if let Some(desk) = app.try_state::<Desk>() {
        for arg in args.iter().skip(1).filter(|a| looks_like_link(a)) {
            desk.links.receive(arg);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(slug: &str, screen: Option<OrgScreen>) -> Result<Link, Refused> {
        Ok(Link::Org { slug: slug.into(), screen })
    }

    #[test]
    fn invite_links() {
        assert_eq!(parse("orgdesk://invite/abc_DEF-123"), Ok(Link::Invite { token: "abc_DEF-123".into() }));
        assert_eq!(parse("orgdesk://invite/abc/"), Ok(Link::Invite { token: "abc".into() }));
        assert_eq!(parse("ORGDESK://invite/abc"), Ok(Link::Invite { token: "abc".into() }));
    }

    #[test]
    fn org_links_with_and_without_a_screen() {
        assert_eq!(parse("orgdesk://o/northwind"), org("northwind", None));
        assert_eq!(parse("orgdesk://o/northwind/"), org("northwind", None));
        for screen in OrgScreen::ALL {
            let link = format!("orgdesk://o/acme-42/{}", screen.as_str());
            assert_eq!(parse(&link), org("acme-42", Some(screen)));
            assert_eq!(org_link("acme-42", Some(screen)), link, "what is copied parses back");
        }
        assert_eq!(parse(&org_link("northwind", None)), org("northwind", None));
    }

    const TOKEN: &str = "vt_AbCdEfGhIjKlMnOpQrStUv-_0123";

    #[test]
    fn account_links_from_emails() {
        assert_eq!(parse(&format!("orgdesk://verify/{TOKEN}")), Ok(Link::Verify { token: TOKEN.into() }));
        assert_eq!(parse(&format!("orgdesk://reset/{TOKEN}/")), Ok(Link::Reset { token: TOKEN.into() }));
        assert_eq!(parse(&format!("orgdesk://email-change/{TOKEN}")), Ok(Link::EmailChange { token: TOKEN.into() }));
        for bad in ["orgdesk://verify/short", "orgdesk://reset/has%20space-but-long-enough", "orgdesk://verify/"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse(&format!("orgdesk://reset/{TOKEN}?x=1")).is_err(), "no query but the sign-in answer's");
    }

    #[test]
    fn the_sign_in_answer_takes_a_code_or_an_error_and_nothing_else() {
        assert_eq!(
            parse(&format!("orgdesk://auth/callback?code={TOKEN}")),
            Ok(Link::AuthCallback { code: Some(TOKEN.into()), error: None })
        );
        assert_eq!(
            parse("orgdesk://auth/callback?error=access_denied&error_description=The+provider+did+not+confirm+it"),
            Ok(Link::AuthCallback { code: None, error: Some("The provider did not confirm it".into()) })
        );
        for bad in [
            "orgdesk://auth/callback",
            "orgdesk://auth/callback?state=x",
            &format!("orgdesk://auth/callback?code={TOKEN}&code={TOKEN}"),
            &format!("orgdesk://auth/callback?code={TOKEN}&error=x"),
            "orgdesk://auth/callback?code=a%20b",
            &format!("orgdesk://auth/callback?code={TOKEN}#frag"),
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn refuses_everything_else_with_a_message() {
        for raw in [
            "",
            "orgdesk:",
            "orgdesk://",
            "orgdesk:///",
            "orgdesk:invite/abc",
            "https://example.com/invite/abc",
            "orgdesks://invite/abc",
            "orgdesk://settings",
            "orgdesk://invite/",
            "orgdesk://invite",
            "orgdesk://invite/a%20b",
            "orgdesk://invite/a b",
            "orgdesk://invite/abc?x=1",
            "orgdesk://invite/abc#frag",
            "orgdesk://invite/abc/def",
            "orgdesk://invite//abc",
            "orgdesk://user@invite/abc",
            "orgdesk://invite:80/abc",
            "orgdesk://o/",
            "orgdesk://o//members",
            "orgdesk://o/Northwind",
            "orgdesk://o/north_wind",
            "orgdesk://o/-northwind",
            "orgdesk://o/ab",
            "orgdesk://o/northwind/people",
            "orgdesk://o/northwind/Members",
            "orgdesk://o/northwind/members/extra",
            "orgdesk://o/northwind/members?tab=1",
            "orgdesk://o/northwind//",
            "orgdesk://o/../invite/abc",
            "orgdesk://o/0f8fad5b-d9cb-469f-a165-70867728950e",
            "orgdesk://O/northwind",
            "orgdesk://verify/abc",
            "orgdesk://reset/abc",
            "orgdesk://auth/callback",
            "orgdesk://o/nörthwind",
            " orgdesk://o/northwind",
            "orgdesk://o/northwind\n",
        ] {
            let refused = parse(raw).expect_err(raw);
            assert!(refused.0.starts_with("Orgdesk did not open this link"), "{raw}: {}", refused.0);
        }
        let long = format!("orgdesk://invite/{}", "a".repeat(MAX_TOKEN_LEN + 1));
        assert!(parse(&long).is_err());
        assert!(parse(&format!("orgdesk://o/{}", "a".repeat(MAX_LINK_LEN))).is_err());
    }

    #[test]
    fn a_refusal_never_repeats_the_link() {
        let Refused(message) = parse("orgdesk://invite/secret-token?x").unwrap_err();
        assert!(!message.contains("secret-token"));
    }

    #[test]
    fn which_arguments_are_links() {
        assert!(looks_like_link("orgdesk://o/northwind"));
        assert!(looks_like_link("Orgdesk:whatever"));
        assert!(!looks_like_link("--verbose"));
        assert!(!looks_like_link("orgdes"));
    }

    #[test]
    fn serialized_for_the_ui() {
        let open = LinkEvent::Open { link: Link::Org { slug: "northwind".into(), screen: Some(OrgScreen::Audit) } };
        assert_eq!(
            serde_json::to_value(open).unwrap(),
            serde_json::json!({"event": "open", "link": {"kind": "org", "slug": "northwind", "screen": "audit"}})
        );
        let invite = LinkEvent::Open { link: Link::Invite { token: "t".into() } };
        assert_eq!(
            serde_json::to_value(invite).unwrap(),
            serde_json::json!({"event": "open", "link": {"kind": "invite", "token": "t"}})
        );
    }
}
