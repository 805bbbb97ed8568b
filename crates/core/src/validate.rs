//! Input validation shared by server and client. Every function answers a
//! message a person can act on, never just "invalid".

use std::str::FromStr;

use crate::permissions::{is_app_permission, BuiltinRole, Permission};

pub type Invalid = String;

pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 1024;
pub const SLUG_MIN: usize = 3;
pub const SLUG_MAX: usize = 48;
pub const NAME_MAX: usize = 100;

/// Trims an email and checks its shape. The stored form keeps the case; the
/// comparison form is [`email_key`].
pub fn email(raw: &str) -> Result<String, Invalid> {
    let email = raw.trim();
    if email.is_empty() {
        return Err("Enter an email address.".into());
    }
    if email.len() > 254 {
        return Err("An email address can be at most 254 characters long.".into());
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return Err(format!("\"{email}\" is not an email address: it has no @."));
    };
    let bad_char =
        |c: char| c.is_whitespace() || c.is_control() || c == '@' || c == ',' || c == ';' || c == '<' || c == '>';
    if local.is_empty() || local.len() > 64 || local.chars().any(bad_char) {
        return Err(format!("\"{email}\" is not an email address: the part before @ is not valid."));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return Err(format!("\"{email}\" is not an email address: the domain after @ is not valid."));
    }
    Ok(email.to_owned())
}

/// The comparison key of an email, the one place addresses are normalised:
/// Unicode NFKC (so the Kelvin sign and fullwidth letters become the letters
/// they look like), then full case folding (`ß` → `ss`), then NFKC again
/// because folding can leave a string unnormalised. Two addresses are the
/// same account, invitation or member exactly when their keys are equal.
pub fn email_key(email: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let composed: String = email.trim().nfkc().collect();
    caseless::default_case_fold_str(&composed).nfkc().collect()
}

pub fn person_name(raw: &str) -> Result<String, Invalid> {
    display_name(raw, "a name")
}

pub fn org_name(raw: &str) -> Result<String, Invalid> {
    display_name(raw, "an organization name")
}

fn display_name(raw: &str, what: &str) -> Result<String, Invalid> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(format!("Enter {what}."));
    }
    if name.chars().count() > NAME_MAX {
        return Err(format!("Shorten {what} to at most {NAME_MAX} characters."));
    }
    if name.chars().any(|c| c.is_control() || is_direction_override(c)) {
        return Err(format!("Remove control and text-direction characters from {what}."));
    }
    if name.chars().any(is_invisible) {
        return Err(format!(
            "Remove invisible characters (zero-width spaces and joiners, word joiners, byte-order marks) from {what}."
        ));
    }
    Ok(name.to_owned())
}

/// Bidirectional overrides and isolates, which can make a name display as
/// something else.
fn is_direction_override(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// Characters that render as nothing (Unicode's default-ignorable code
/// points outside the direction marks handled above), which let two names
/// that look the same differ, or hide text.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{206A}'..='\u{206F}'
        | '\u{3164}' | '\u{FEFF}' | '\u{FFA0}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}')
}

pub fn password(raw: &str) -> Result<(), Invalid> {
    let n = raw.chars().count();
    if n < PASSWORD_MIN_CHARS {
        return Err(format!("Choose a password of at least {PASSWORD_MIN_CHARS} characters."));
    }
    if n > PASSWORD_MAX_CHARS {
        return Err(format!("A password can be at most {PASSWORD_MAX_CHARS} characters long."));
    }
    Ok(())
}

/// Lowercase Latin letters, digits and hyphens, 3–48 characters, no hyphen at
/// either end.
pub fn slug(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.len() < SLUG_MIN || s.len() > SLUG_MAX {
        return Err(format!("A slug must be {SLUG_MIN} to {SLUG_MAX} characters long; \"{s}\" has {}.", s.len()));
    }
    if !s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return Err(format!("Use only lowercase letters a–z, digits and hyphens in the slug \"{s}\"."));
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Err(format!("The slug \"{s}\" cannot start or end with a hyphen."));
    }
    if is_id_shaped(s) {
        return Err(format!(
            "The slug \"{s}\" looks like an organization id; choose one that is not 8-4-4-4-12 hexadecimal digits."
        ));
    }
    Ok(s.to_owned())
}

/// Whether `s` has the shape of an id (a UUID in its hyphenated text form,
/// any case). Ids and slugs come from disjoint shapes: [`slug`] refuses this
/// one, so an org reference is an id exactly when it has this shape.
pub fn is_id_shaped(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// A slug made from a name: "Acme GmbH & Co." → "acme-gmbh-co". Padded when
/// too short, cut when too long; uniqueness is the caller's business.
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(fold_latin) {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out = out.trim_matches('-').to_owned();
    if out.len() > SLUG_MAX {
        out.truncate(SLUG_MAX);
        out = out.trim_end_matches('-').to_owned();
    }
    while out.len() < SLUG_MIN {
        if out.is_empty() {
            out.push_str("org");
        } else {
            out.push('0');
        }
    }
    out
}

fn fold_latin(c: char) -> Vec<char> {
    let folded = match c {
        'à' | 'á' | 'â' | 'ã' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Å' => "a",
        'ä' | 'Ä' | 'æ' | 'Æ' => "ae",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ø' => "o",
        'ö' | 'Ö' | 'œ' | 'Œ' => "oe",
        'ù' | 'ú' | 'û' | 'Ù' | 'Ú' | 'Û' => "u",
        'ü' | 'Ü' => "ue",
        'ß' => "ss",
        _ => return vec![c],
    };
    folded.chars().collect()
}

/// An IANA time zone name such as `Europe/Berlin` or `UTC`.
pub fn timezone(raw: &str) -> Result<String, Invalid> {
    let tz = raw.trim();
    match chrono_tz::Tz::from_str(tz) {
        Ok(parsed) => Ok(parsed.name().to_owned()),
        Err(_) => Err(format!(
            "\"{tz}\" is not an IANA time zone; use a name such as \"Europe/Berlin\", \"America/New_York\" or \"UTC\"."
        )),
    }
}

/// A BCP 47 language tag in its common shape: language, optional script,
/// optional region, optional variants (`en`, `pt-BR`, `zh-Hant-TW`, `de-CH-1901`).
/// Answers the tag with canonical case.
pub fn language(raw: &str) -> Result<String, Invalid> {
    let tag = raw.trim();
    let err =
        || format!("\"{tag}\" is not a BCP 47 language tag; use one such as \"en\", \"de-CH\" or \"zh-Hant-TW\".");
    let mut parts = tag.split('-');
    let lang = parts
        .next()
        .filter(|l| (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_alphabetic()))
        .ok_or_else(err)?;
    let mut out = lang.to_ascii_lowercase();
    let mut stage = 0; // 0: script allowed, 1: region allowed, 2: variants only
    for part in parts {
        let alpha = part.bytes().all(|b| b.is_ascii_alphabetic());
        let digit = part.bytes().all(|b| b.is_ascii_digit());
        let alnum = part.bytes().all(|b| b.is_ascii_alphanumeric());
        if stage == 0 && part.len() == 4 && alpha {
            let mut s = part.to_ascii_lowercase();
            s[..1].make_ascii_uppercase();
            out.push('-');
            out.push_str(&s);
            stage = 1;
        } else if stage <= 1 && ((part.len() == 2 && alpha) || (part.len() == 3 && digit)) {
            out.push('-');
            out.push_str(&part.to_ascii_uppercase());
            stage = 2;
        } else if alnum && ((5..=8).contains(&part.len()) || (part.len() == 4 && part.as_bytes()[0].is_ascii_digit())) {
            out.push('-');
            out.push_str(&part.to_ascii_lowercase());
            stage = 2;
        } else {
            return Err(err());
        }
    }
    Ok(out)
}

pub const INVITATION_LIFETIME_DAYS: std::ops::RangeInclusive<i64> = 1..=30;

pub fn invitation_lifetime_days(days: i64) -> Result<i64, Invalid> {
    if INVITATION_LIFETIME_DAYS.contains(&days) {
        Ok(days)
    } else {
        Err(format!("An invitation lifetime must be between 1 and 30 days; {days} is not."))
    }
}

/// A custom role key: lowercase, 2–32 characters, not a built-in role's key.
pub fn role_key(raw: &str) -> Result<String, Invalid> {
    let key = raw.trim();
    if BuiltinRole::from_key(key).is_some() {
        return Err(format!("\"{key}\" is a built-in role; choose another key for a custom role."));
    }
    let ok = (2..=32).contains(&key.len())
        && key.as_bytes()[0].is_ascii_lowercase()
        && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !ok {
        return Err(format!(
            "A role key is 2–32 characters of lowercase letters, digits, '-' and '_', starting with a letter; \"{key}\" is not."
        ));
    }
    Ok(key.to_owned())
}

/// Each permission must be in the catalog or an application permission `app:<name>`.
pub fn permission_names(names: &[String]) -> Result<Vec<String>, Invalid> {
    names
        .iter()
        .map(|n| {
            let n = n.trim();
            if Permission::parse(n).is_some() || is_app_permission(n) {
                Ok(n.to_owned())
            } else {
                Err(format!(
                    "\"{n}\" is not a permission: use one from GET /v1/permissions or an application permission \"app:<name>\"."
                ))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(email("  Ada@Example.COM ").unwrap(), "Ada@Example.COM");
        assert_eq!(email_key("Ada@Example.COM"), "ada@example.com");
        // The Kelvin sign, fullwidth letters and ß fold like every other form.
        assert_eq!(email_key("\u{212A}ate@example.com"), "kate@example.com");
        assert_eq!(email_key("\u{FF2B}ate@example.com"), "kate@example.com");
        assert_eq!(email_key("Strasse@example.com"), email_key("STRAßE@example.com"));
        for bad in ["", "ada", "ada@", "@example.com", "ada@example", "a da@example.com", "ada@-ex.com", "ada@ex..com"]
        {
            assert!(email(bad).is_err(), "{bad:?} must be rejected");
        }
    }

    #[test]
    fn names_refuse_invisible_tricks() {
        assert_eq!(org_name("  Acme  ").unwrap(), "Acme");
        assert!(org_name("\u{202E}").is_err());
        assert!(person_name("evil\u{202E}txt.exe").is_err());
        assert!(person_name("José Müller-Lüdenscheidt").is_ok());
        for invisible in ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00AD}'] {
            assert!(person_name(&format!("Ad{invisible}a")).is_err(), "{invisible:?} must be refused");
        }
    }

    #[test]
    fn slugs() {
        assert!(slug("acme-42").is_ok());
        for bad in ["ab", "Acme", "acme_co", "-acme", "acme-", &"a".repeat(49)] {
            assert!(slug(bad).is_err(), "{bad:?} must be rejected");
        }
        assert_eq!(slugify("Acme GmbH & Co."), "acme-gmbh-co");
        assert_eq!(slugify("Zürich Café"), "zuerich-cafe");
        assert_eq!(slugify("!"), "org");
        assert_eq!(slugify("A"), "a00");
        assert!(slug(&slugify(&"Long name ".repeat(20))).is_ok());
        // An org id never passes as a slug, in any case; near misses do.
        assert!(slug("0194f3a2-7b1c-7d2e-8f3a-1b2c3d4e5f60").is_err());
        assert!(is_id_shaped("0194F3A2-7B1C-7D2E-8F3A-1B2C3D4E5F60"));
        assert!(slug("0194f3a2-7b1c-7d2e-8f3a-1b2c3d4e5f6g").is_ok());
        assert!(!is_id_shaped("0194f3a27b1c-7d2e-8f3a-1b2c3d4e5f60a"));
    }

    #[test]
    fn timezones_and_languages() {
        assert_eq!(timezone("Europe/Berlin").unwrap(), "Europe/Berlin");
        assert!(timezone("Mars/Olympus").is_err());
        assert_eq!(language("pt-br").unwrap(), "pt-BR");
        assert_eq!(language("zh-hant-tw").unwrap(), "zh-Hant-TW");
        assert_eq!(language("es-419").unwrap(), "es-419");
        assert_eq!(language("de-CH-1901").unwrap(), "de-CH-1901");
        for bad in ["", "english", "en_US", "e", "en-", "en-US-x"] {
            assert!(language(bad).is_err(), "{bad:?} must be rejected");
        }
    }

    #[test]
    fn role_keys_and_permissions() {
        assert!(role_key("support-agent").is_ok());
        assert!(role_key("admin").is_err());
        assert!(role_key("A").is_err());
        assert!(permission_names(&["members:read".into(), "app:tickets".into()]).is_ok());
        assert!(permission_names(&["members:write".into()]).is_err());
    }
}
