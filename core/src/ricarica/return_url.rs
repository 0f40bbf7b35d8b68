//! The pagoPA checkout return URLs: made by the core for one top-up, bound to it by an
//! unguessable `state`, and checked when the browser (or anyone else) delivers one back.
//!
//! pagoPA appends nothing to a return URL, and anyone can open one, so a URL proves only that a
//! browser went somewhere: it names the top-up, never its outcome. The `state` follows the
//! selector/verifier pattern: `<local id>.<128-bit secret>`. The local id finds the stored top-up
//! without comparing secrets against every row; the secret is then compared in constant time.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};
use url::Url;

use crate::api::check_url;
use crate::api::dto::ReturnUrls;

use super::ReturnOutcome;

/// Where the checkout sends the browser back, chosen by configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReturnUrlStyle {
    /// An https App Link / Universal Link, e.g. `https://app.comunicapp.it/pagopa/return/`;
    /// the outcome is the last path segment. Development builds may use a loopback http base.
    AppLink { base: Url },
    /// A custom scheme: `it.comunicapp://pagopa/return/{outcome}`.
    CustomScheme { scheme: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReturnUrlError {
    #[error("Indirizzo di ritorno dal pagamento non valido")]
    Malformed,
    /// Not one of the URLs this app hands to the checkout.
    #[error("Indirizzo di ritorno non riconosciuto")]
    Foreign,
    /// Our form, but no top-up of ours carries this `state`.
    #[error("Indirizzo di ritorno non corrispondente ad alcuna ricarica")]
    Forged,
    /// A genuine URL of a top-up that is no longer waiting for the browser.
    #[error("Il ritorno da questo pagamento è già stato gestito")]
    Replayed { local_id: String },
    /// The configured App Link base is not https (nor loopback http in development).
    #[error("Indirizzo di ritorno configurato non valido")]
    BadConfiguration,
}

impl ReturnUrlError {
    pub fn message_key(&self) -> &'static str {
        match self {
            ReturnUrlError::Malformed => "ricarica.ritorno_non_valido",
            ReturnUrlError::Foreign => "ricarica.ritorno_sconosciuto",
            ReturnUrlError::Forged => "ricarica.ritorno_contraffatto",
            ReturnUrlError::Replayed { .. } => "ricarica.ritorno_gia_gestito",
            ReturnUrlError::BadConfiguration => "ricarica.ritorno_configurazione",
        }
    }
}

const OUTCOMES: [(ReturnOutcome, &str); 4] = [
    (ReturnOutcome::Ok, "ok"),
    (ReturnOutcome::Cancel, "cancel"),
    (ReturnOutcome::Error, "error"),
    (ReturnOutcome::Waiting, "waiting"),
];

/// 16 random bytes: the 128 bits the checkout cannot guess.
const VERIFIER_BYTES: usize = 16;

impl ReturnUrlStyle {
    pub const APP_LINK_BASE: &'static str = "https://app.comunicapp.it/pagopa/return/";
    pub const APP_SCHEME: &'static str = "it.comunicapp";

    /// The release App Link form.
    pub fn app_link() -> ReturnUrlStyle {
        ReturnUrlStyle::AppLink {
            // A constant of this file, covered by the tests: no input can make it fail.
            base: Url::parse(Self::APP_LINK_BASE).expect("APP_LINK_BASE is a URL"),
        }
    }

    pub fn custom_scheme() -> ReturnUrlStyle {
        ReturnUrlStyle::CustomScheme {
            scheme: Self::APP_SCHEME.to_owned(),
        }
    }

    /// Rejects a base the checkout must not send a browser to.
    pub fn validate(&self, allow_loopback_http: bool) -> Result<(), ReturnUrlError> {
        match self {
            ReturnUrlStyle::AppLink { base } => {
                check_url(base, allow_loopback_http)
                    .map_err(|_| ReturnUrlError::BadConfiguration)?;
                if base.query().is_some() || base.fragment().is_some() {
                    return Err(ReturnUrlError::BadConfiguration);
                }
                Ok(())
            }
            ReturnUrlStyle::CustomScheme { scheme } => {
                let valid = !scheme.is_empty()
                    && scheme.starts_with(|c: char| c.is_ascii_lowercase())
                    && scheme
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c))
                    && !matches!(scheme.as_str(), "http" | "https" | "file" | "javascript");
                if valid {
                    Ok(())
                } else {
                    Err(ReturnUrlError::BadConfiguration)
                }
            }
        }
    }

    fn bare_url(&self, segment: &str) -> Result<Url, ReturnUrlError> {
        let text = match self {
            ReturnUrlStyle::AppLink { base } => {
                let mut base = base.clone();
                if !base.path().ends_with('/') {
                    let path = format!("{}/", base.path());
                    base.set_path(&path);
                }
                return base
                    .join(segment)
                    .map_err(|_| ReturnUrlError::BadConfiguration);
            }
            ReturnUrlStyle::CustomScheme { scheme } => {
                format!("{scheme}://pagopa/return/{segment}")
            }
        };
        Url::parse(&text).map_err(|_| ReturnUrlError::BadConfiguration)
    }

    /// The four URLs handed to the checkout for the top-up whose state is `state`.
    pub(crate) fn urls(&self, state: &str) -> Result<ReturnUrls, ReturnUrlError> {
        let with_state = |segment: &str| -> Result<Url, ReturnUrlError> {
            let mut url = self.bare_url(segment)?;
            url.query_pairs_mut().append_pair("state", state);
            Ok(url)
        };
        Ok(ReturnUrls {
            ok: with_state("ok")?,
            cancel: with_state("cancel")?,
            error: with_state("error")?,
            waiting: with_state("waiting")?,
        })
    }

    /// The outcome and the `state` of a URL of our form; nothing about whose it is yet.
    pub(crate) fn parse(&self, text: &str) -> Result<(ReturnOutcome, ReturnState), ReturnUrlError> {
        let url = Url::parse(text.trim()).map_err(|_| ReturnUrlError::Malformed)?;
        if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
            return Err(ReturnUrlError::Foreign);
        }
        let mut outcome = None;
        for (candidate, segment) in OUTCOMES {
            let expected = self.bare_url(segment)?;
            let same_place = url.scheme() == expected.scheme()
                && url.host_str() == expected.host_str()
                && url.port_or_known_default() == expected.port_or_known_default()
                && url.path() == expected.path();
            if same_place {
                outcome = Some(candidate);
            }
        }
        let outcome = outcome.ok_or(ReturnUrlError::Foreign)?;
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let [(name, value)] = pairs.as_slice() else {
            return Err(ReturnUrlError::Malformed);
        };
        if name != "state" {
            return Err(ReturnUrlError::Malformed);
        }
        Ok((outcome, ReturnState::parse(value)?))
    }
}

/// The `state` of one top-up's return URLs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReturnState {
    pub local_id: String,
    pub verifier: String,
}

impl ReturnState {
    pub fn new(local_id: &str) -> ReturnState {
        let mut bytes = [0_u8; VERIFIER_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        ReturnState {
            local_id: local_id.to_owned(),
            verifier: URL_SAFE_NO_PAD.encode(bytes),
        }
    }

    pub fn encode(&self) -> String {
        format!("{}.{}", self.local_id, self.verifier)
    }

    fn parse(text: &str) -> Result<ReturnState, ReturnUrlError> {
        let (local_id, verifier) = text.split_once('.').ok_or(ReturnUrlError::Malformed)?;
        let id_ok = !local_id.is_empty()
            && local_id.len() <= 64
            && local_id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let verifier_ok = URL_SAFE_NO_PAD
            .decode(verifier)
            .is_ok_and(|bytes| bytes.len() == VERIFIER_BYTES);
        if !(id_ok && verifier_ok) {
            return Err(ReturnUrlError::Malformed);
        }
        Ok(ReturnState {
            local_id: local_id.to_owned(),
            verifier: verifier.to_owned(),
        })
    }

    /// Whether `stored` is this state's verifier, in time independent of where they differ:
    /// both sides are hashed first, so neither length nor content leaks through timing.
    pub fn matches(&self, stored: &str) -> bool {
        let given = Sha256::digest(self.verifier.as_bytes());
        let expected = Sha256::digest(stored.as_bytes());
        given
            .iter()
            .zip(expected.iter())
            .fold(0_u8, |diff, (a, b)| diff | (a ^ b))
            == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loopback() -> ReturnUrlStyle {
        ReturnUrlStyle::AppLink {
            base: Url::parse("http://127.0.0.1:9/pagopa/return").unwrap(),
        }
    }

    #[test]
    fn generated_urls_parse_back_to_their_outcome_and_state() {
        for style in [
            ReturnUrlStyle::app_link(),
            ReturnUrlStyle::custom_scheme(),
            loopback(),
        ] {
            let state = ReturnState::new("r0123abcd");
            let urls = style.urls(&state.encode()).unwrap();
            assert!(
                urls.ok.as_str().contains("/return/ok?state=r0123abcd."),
                "{}",
                urls.ok
            );
            for (url, outcome) in [
                (&urls.ok, ReturnOutcome::Ok),
                (&urls.cancel, ReturnOutcome::Cancel),
                (&urls.error, ReturnOutcome::Error),
                (&urls.waiting, ReturnOutcome::Waiting),
            ] {
                let (parsed, parsed_state) = style.parse(url.as_str()).unwrap();
                assert_eq!(parsed, outcome);
                assert_eq!(parsed_state, state);
                assert!(parsed_state.matches(&state.verifier));
                assert!(!parsed_state.matches(&ReturnState::new("x").verifier));
            }
        }
        assert_eq!(
            ReturnUrlStyle::custom_scheme()
                .urls("a.b")
                .unwrap()
                .cancel
                .as_str(),
            "it.comunicapp://pagopa/return/cancel?state=a.b"
        );
    }

    #[test]
    fn foreign_and_malformed_urls_are_told_apart() {
        let style = ReturnUrlStyle::app_link();
        let state = ReturnState::new("r1").encode();
        let good = format!("https://app.comunicapp.it/pagopa/return/ok?state={state}");
        assert!(style.parse(&good).is_ok());
        for foreign in [
            format!("https://evil.example/pagopa/return/ok?state={state}"),
            format!("http://app.comunicapp.it/pagopa/return/ok?state={state}"),
            format!("https://app.comunicapp.it/pagopa/return/paid?state={state}"),
            format!("https://app.comunicapp.it:8443/pagopa/return/ok?state={state}"),
            format!("https://app.comunicapp.it/pagopa/return/ok?state={state}#x"),
            format!("it.comunicapp://pagopa/return/ok?state={state}"),
        ] {
            assert_eq!(
                style.parse(&foreign),
                Err(ReturnUrlError::Foreign),
                "{foreign}"
            );
        }
        for malformed in [
            "not a url".to_owned(),
            "https://app.comunicapp.it/pagopa/return/ok".to_owned(),
            "https://app.comunicapp.it/pagopa/return/ok?state=".to_owned(),
            "https://app.comunicapp.it/pagopa/return/ok?state=r1".to_owned(),
            "https://app.comunicapp.it/pagopa/return/ok?state=R1.AAAAAAAAAAAAAAAAAAAAAA".to_owned(),
            "https://app.comunicapp.it/pagopa/return/ok?state=r1.short".to_owned(),
            format!("{good}&outcome=paid"),
            format!("https://app.comunicapp.it/pagopa/return/ok?state={state}&state={state}"),
        ] {
            assert_eq!(
                style.parse(&malformed),
                Err(ReturnUrlError::Malformed),
                "{malformed}"
            );
        }
    }

    #[test]
    fn configuration_is_checked() {
        assert!(ReturnUrlStyle::app_link().validate(false).is_ok());
        assert!(loopback().validate(true).is_ok());
        assert_eq!(
            loopback().validate(false),
            Err(ReturnUrlError::BadConfiguration)
        );
        let plain = ReturnUrlStyle::AppLink {
            base: Url::parse("http://example.com/r/").unwrap(),
        };
        assert!(plain.validate(true).is_err());
        for scheme in ["", "https", "It.App", "a b"] {
            let style = ReturnUrlStyle::CustomScheme {
                scheme: scheme.to_owned(),
            };
            assert!(style.validate(false).is_err(), "{scheme}");
        }
        assert!(ReturnUrlStyle::custom_scheme().validate(false).is_ok());
    }

    #[test]
    fn states_are_unique_and_long_enough() {
        let a = ReturnState::new("r1");
        let b = ReturnState::new("r1");
        assert_ne!(a.verifier, b.verifier);
        assert_eq!(URL_SAFE_NO_PAD.decode(&a.verifier).unwrap().len() * 8, 128);
    }
}
