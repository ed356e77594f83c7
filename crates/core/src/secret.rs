//! A secret value that never prints itself.

use std::fmt;

/// A secret string (client secret, access token, refresh token, private key).
///
/// `Debug` and `Display` print `[redacted]`; the raw value is only reachable
/// through [`Secret::expose`], so a secret cannot end up in a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw value. Call only where the secret must leave the process
    /// (an HTTP request, the keychain, the clipboard).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A short form that lets a person tell secrets apart without revealing
    /// them: the length and the last four characters.
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() <= 8 {
            return "••••".to_string();
        }
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("••••{tail}")
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let secret = Secret::new("00Dxx0000001gPL!AQ4AQFakeToken");
        assert_eq!(format!("{secret:?}"), "Secret([redacted])");
        assert_eq!(format!("{secret}"), "[redacted]");
        assert_eq!(secret.expose(), "00Dxx0000001gPL!AQ4AQFakeToken");
    }

    #[test]
    fn masked_shows_only_the_tail_of_long_secrets() {
        assert_eq!(Secret::new("abcdefghijkl").masked(), "••••ijkl");
        assert_eq!(Secret::new("short").masked(), "••••");
    }
}
