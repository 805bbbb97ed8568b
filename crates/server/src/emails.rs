//! The text of every email: a plain-text part and an HTML part saying the
//! same, built from one list of blocks so the two never drift apart. Names
//! are escaped in HTML; links are shown in full in both.

use chrono::TimeZone;

use crate::outbox::Email;
use crate::routes::pages::escape;

pub enum Block {
    Para(String),
    /// A prominent link: its label, and the URL shown in full too.
    Button {
        label: String,
        url: String,
    },
    /// Small print under a rule.
    Note(String),
}

/// An email to `to` from these blocks. `logo_org_id` shows that org's logo
/// at the top (attached inline by the mailer when the org has one).
pub fn compose(to: &str, subject: String, heading: &str, blocks: &[Block], logo_org_id: Option<&str>) -> Email {
    let mut text = format!("{heading}\n\n");
    let mut html = String::from(
        "<!doctype html><html><body style=\"font:15px/1.5 system-ui,sans-serif;color:#1d2330;max-width:34rem\">",
    );
    if logo_org_id.is_some() {
        html.push_str("<img src=\"cid:logo\" alt=\"\" width=\"48\" height=\"48\" style=\"border-radius:8px\">");
    }
    html.push_str(&format!("<h1 style=\"font-size:20px\">{}</h1>", escape(heading)));
    for block in blocks {
        match block {
            Block::Para(p) => {
                text.push_str(&format!("{p}\n\n"));
                html.push_str(&format!("<p>{}</p>", escape(p)));
            }
            Block::Button { label, url } => {
                text.push_str(&format!("{label}:\n{url}\n\n"));
                html.push_str(&format!(
                    "<p><a href=\"{u}\" style=\"display:inline-block;background:#2f5bea;color:#fff;padding:8px 16px;\
border-radius:6px;text-decoration:none\">{l}</a></p><p style=\"font-size:12px;color:#5b6475\">{u}</p>",
                    u = escape(url),
                    l = escape(label)
                ));
            }
            Block::Note(n) => {
                text.push_str(&format!("-- \n{n}\n"));
                html.push_str(&format!("<hr><p style=\"font-size:12px;color:#5b6475\">{}</p>", escape(n)));
            }
        }
    }
    html.push_str("</body></html>");
    Email { to: to.to_owned(), subject, body: text, html: Some(html), logo_org_id: logo_org_id.map(str::to_owned) }
}

/// "4 December 2026 at 14:05 (Europe/Berlin)": an absolute time in the
/// reader's organization's zone, not a duration that is wrong by the time
/// the email is read.
pub fn long_time(at_ms: i64, timezone: &str) -> String {
    let tz: chrono_tz::Tz = timezone.parse().unwrap_or(chrono_tz::UTC);
    match tz.timestamp_millis_opt(at_ms).single() {
        Some(t) => format!("{} at {} ({})", t.format("%-d %B %Y"), t.format("%H:%M"), tz.name()),
        None => "(unknown)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_absolute_in_the_orgs_zone() {
        // 2026-12-04T13:05:00Z
        let at = 1_796_389_500_000;
        assert_eq!(long_time(at, "Europe/Berlin"), "4 December 2026 at 14:05 (Europe/Berlin)");
        assert_eq!(long_time(at, "America/New_York"), "4 December 2026 at 08:05 (America/New_York)");
        assert_eq!(long_time(at, "Mars/Base"), "4 December 2026 at 13:05 (UTC)");
    }

    #[test]
    fn both_parts_say_the_same_and_html_is_escaped() {
        let email = compose(
            "a@example.com",
            "Hi".into(),
            "Join <Acme>",
            &[
                Block::Para("Ada & co".into()),
                Block::Button { label: "Open".into(), url: "https://x/y?a=1&b=2".into() },
            ],
            None,
        );
        assert!(email.body.contains("Join <Acme>") && email.body.contains("https://x/y?a=1&b=2"));
        let html = email.html.unwrap();
        assert!(html.contains("Join &lt;Acme&gt;") && html.contains("Ada &amp; co") && !html.contains("<Acme>"));
        assert!(html.contains("https://x/y?a=1&amp;b=2"));
    }
}
