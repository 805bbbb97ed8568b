//! A value that must not leak: `Debug` prints `<redacted>` and serializing it
//! fails, so a token cannot slip into a log line, a JSON file or the UI.

use serde::{Serialize, Serializer};

#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Sensitive<T> {
        Sensitive(value)
    }

    /// The secret itself; every call site is a place the secret goes.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> std::fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> Serialize for Sensitive<T> {
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("a sensitive value cannot be serialized"))
    }
}

#[cfg(test)]
mod tests {
    use super::Sensitive;

    #[test]
    fn never_shows_its_value() {
        let s = Sensitive::new("ods_secret".to_owned());
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert!(serde_json::to_string(&s).is_err());
        assert_eq!(s.expose(), "ods_secret");
    }
}
