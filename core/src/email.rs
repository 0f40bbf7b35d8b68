//! The payer's e-mail address: validated once, masked whenever it could reach a log.
//!
//! pagoPA sends the receipt to this address, so a typo costs the parent the receipt: we ask for
//! a domain with at least one dot and refuse display names and IP literals, which no parent means
//! to type into this field.

use std::fmt;

use email_address::{EmailAddress, Options};
use serde::{Deserialize, Serialize};

/// A syntactically valid e-mail address. `Debug` prints it masked so that a stray `{:?}` in a
/// log line cannot leak it; the full text is only reachable through [`Email::as_str`].
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Inserisci un indirizzo e-mail")]
    Empty,
    #[error("Manca la @ nell'indirizzo e-mail")]
    MissingAt,
    #[error("La parte prima della @ non è valida")]
    InvalidLocalPart,
    #[error("Il dominio dopo la @ non è valido (es. nome@gmail.com)")]
    InvalidDomain,
    #[error("L'indirizzo e-mail è troppo lungo")]
    TooLong,
    #[error("L'indirizzo e-mail contiene caratteri non validi")]
    InvalidCharacter,
}

impl EmailError {
    pub fn message_key(&self) -> &'static str {
        match self {
            EmailError::Empty => "email.vuota",
            EmailError::MissingAt => "email.manca_chiocciola",
            EmailError::InvalidLocalPart => "email.nome_non_valido",
            EmailError::InvalidDomain => "email.dominio_non_valido",
            EmailError::TooLong => "email.troppo_lunga",
            EmailError::InvalidCharacter => "email.carattere_non_valido",
        }
    }
}

impl Email {
    /// Surrounding whitespace is dropped (copy-paste brings it); the domain is lower-cased
    /// because it is case-insensitive, the local part is kept as typed because it may not be.
    pub fn parse(text: &str) -> Result<Email, EmailError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        // Invisible and direction-changing characters make the address read differently from
        // what is stored; pagoPA would send the receipt to the stored one.
        if trimmed.chars().any(is_invisible) {
            return Err(EmailError::InvalidCharacter);
        }
        let options = Options::default()
            .with_required_tld()
            .without_domain_literal()
            .without_display_text();
        let parsed = EmailAddress::parse_with_options(trimmed, options).map_err(map_error)?;
        let domain = parsed.domain().to_lowercase();
        // RFC 5322 allows `?`, `/`, `{`… in a domain atom; no mail host has them (RFC 1123
        // labels: letters, digits, inner hyphens). A top-level domain is never all digits.
        let labels: Vec<&str> = domain.split('.').collect();
        if labels
            .iter()
            .any(|label| !label.chars().all(|c| c.is_alphanumeric() || c == '-'))
        {
            return Err(EmailError::InvalidCharacter);
        }
        if labels
            .last()
            .is_none_or(|tld| tld.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(EmailError::InvalidDomain);
        }
        Ok(Email(format!("{}@{domain}", parsed.local_part())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0
            .rsplit_once('@')
            .map(|(_, domain)| domain)
            .unwrap_or("")
    }
}

/// `m••••••@gmail.com`: the first character, always six bullets (so the length leaks nothing),
/// then the domain.
pub fn mask_for_log(email: &Email) -> String {
    let first = email.0.chars().next().unwrap_or('•');
    format!("{first}••••••@{}", email.domain())
}

/// Controls and format characters (zero-width, bidi overrides, soft hyphen, BOM).
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}')
}

fn map_error(error: email_address::Error) -> EmailError {
    use email_address::Error as E;
    match error {
        E::MissingSeparator => EmailError::MissingAt,
        E::LocalPartEmpty | E::UnbalancedQuotes | E::InvalidComment => EmailError::InvalidLocalPart,
        E::LocalPartTooLong | E::DomainTooLong | E::SubDomainTooLong => EmailError::TooLong,
        E::DomainEmpty
        | E::SubDomainEmpty
        | E::DomainTooFew
        | E::DomainInvalidSeparator
        | E::InvalidIPAddress
        | E::UnsupportedDomainLiteral => EmailError::InvalidDomain,
        E::InvalidCharacter
        | E::UnsupportedDisplayName
        | E::MissingDisplayName
        | E::MissingEndBracket => EmailError::InvalidCharacter,
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;

    fn try_from(text: String) -> Result<Email, EmailError> {
        Email::parse(&text)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Email").field(&mask_for_log(self)).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        for (typed, stored) in [
            ("mario.rossi@gmail.com", "mario.rossi@gmail.com"),
            (
                "  m.rossi+scuola@Comune.Valenza.AL.it ",
                "m.rossi+scuola@comune.valenza.al.it",
            ),
            ("Anna@libero.it", "Anna@libero.it"),
            ("x@pec.it", "x@pec.it"),
        ] {
            assert_eq!(
                Email::parse(typed).map(|e| e.as_str().to_owned()),
                Ok(stored.into())
            );
        }
    }

    #[test]
    fn rejects_with_a_typed_error() {
        let table = [
            ("", EmailError::Empty),
            ("   ", EmailError::Empty),
            ("mario.rossi.gmail.com", EmailError::MissingAt),
            ("@gmail.com", EmailError::InvalidLocalPart),
            ("mario@", EmailError::InvalidDomain),
            ("mario@gmail", EmailError::InvalidDomain),
            ("mario@gmail..com", EmailError::InvalidDomain),
            ("mario@[127.0.0.1]", EmailError::InvalidDomain),
            (
                "Mario Rossi <mario@gmail.com>",
                EmailError::InvalidCharacter,
            ),
            ("mario rossi@gmail.com", EmailError::InvalidCharacter),
        ];
        for (typed, expected) in table {
            assert_eq!(
                Email::parse(typed),
                Err(expected.clone()),
                "input {typed:?}"
            );
            assert!(expected.message_key().starts_with("email."));
        }
        let long_local = format!("{}@gmail.com", "a".repeat(65));
        assert_eq!(Email::parse(&long_local), Err(EmailError::TooLong));
    }

    #[test]
    fn masks_with_six_bullets_whatever_the_length() {
        let long = Email::parse("mario.rossi.1980@gmail.com").expect("valid");
        assert_eq!(mask_for_log(&long), "m••••••@gmail.com");
        let short = Email::parse("a@libero.it").expect("valid");
        assert_eq!(mask_for_log(&short), "a••••••@libero.it");
        let accented = Email::parse("élodie@gmail.com").expect("valid");
        assert_eq!(mask_for_log(&accented), "é••••••@gmail.com");
    }

    #[test]
    fn debug_never_shows_the_address() {
        let email = Email::parse("mario.rossi@gmail.com").expect("valid");
        let printed = format!("{email:?}");
        assert!(!printed.contains("mario.rossi"), "{printed}");
        assert!(printed.contains("m••••••@gmail.com"));
    }

    #[test]
    fn serde_validates_on_the_way_in() {
        let email: Email = serde_json::from_str("\"mario@gmail.com\"").expect("valid");
        assert_eq!(
            serde_json::to_string(&email).expect("ser"),
            "\"mario@gmail.com\""
        );
        assert!(serde_json::from_str::<Email>("\"not-an-email\"").is_err());
    }
}
