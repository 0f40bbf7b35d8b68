//! Opening the app on one comune: the comune picked from the bundled list, its profile's session
//! and the ricarica engine, set up for a release or a development build.

use std::path::Path;
use std::sync::Arc;

use url::Url;

use crate::api::Error;
use crate::auth::SecureStore;
use crate::comuni::ComuniList;
use crate::ricarica::{ReturnUrlStyle, RicaricaConfig, RicaricaEngine};
use crate::sync::{Session, SessionOptions};

/// How the app was built and where the development sandbox runs.
#[derive(Debug, Clone, Default)]
pub struct AppConfig {
    /// Development build: the sandbox comune is selectable and plain HTTP to loopback allowed.
    pub development: bool,
    /// Where the sandbox runs (e.g. `http://10.0.2.2:8787` from the Android emulator).
    pub sandbox_url: Option<String>,
    /// The OAuth redirect URI registered for this build; the app's claimed scheme by default.
    pub redirect_uri: Option<String>,
    /// pagoPA return URLs in the custom-scheme form instead of the App Link / Universal Link one.
    pub custom_scheme_returns: bool,
    /// Base of the App Link return URLs when not the production one (development builds).
    pub return_url_base: Option<String>,
}

pub struct App {
    pub session: Arc<Session>,
    pub engine: RicaricaEngine,
}

impl App {
    /// Opens the profile of `comune_id` from `data_dir`. No network: the cached Saldo is there at
    /// once.
    pub fn open(
        data_dir: &Path,
        comune_id: &str,
        secure_store: Arc<dyn SecureStore>,
        config: AppConfig,
    ) -> Result<App, Error> {
        let mut list = ComuniList::bundled()?;
        if let Some(sandbox_url) = &config.sandbox_url {
            list.set_sandbox_url(Url::parse(sandbox_url)?)?;
        }
        let comune = list
            .selectable(config.development)
            .into_iter()
            .find(|c| c.id == comune_id)
            .ok_or_else(|| Error::invalid("comune", "comune non disponibile"))?
            .clone();
        let mut session_options = if config.development {
            SessionOptions::development()
        } else {
            SessionOptions::default()
        };
        if let Some(redirect_uri) = config.redirect_uri {
            session_options.redirect_uri = redirect_uri;
        }
        let session = Arc::new(Session::open(
            data_dir,
            &comune,
            secure_store,
            session_options,
        )?);
        let return_urls = match (config.custom_scheme_returns, config.return_url_base) {
            (true, _) => ReturnUrlStyle::custom_scheme(),
            (false, Some(base)) => ReturnUrlStyle::AppLink {
                base: Url::parse(&base)?,
            },
            (false, None) => ReturnUrlStyle::app_link(),
        };
        let config = RicaricaConfig {
            return_urls,
            ..RicaricaConfig::default()
        };
        // The only failure left is a return URL form this build may not use (plain HTTP in
        // a release build).
        let engine = RicaricaEngine::new(Arc::clone(&session), config)
            .map_err(|e| Error::invalid("return_url", e.to_string()))?;
        Ok(App { session, engine })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::MemorySecureStore;

    fn open(comune_id: &str, config: AppConfig) -> Result<App, Error> {
        let dir = std::env::temp_dir().join(format!(
            "comunicapp-app-{}-{}",
            std::process::id(),
            comune_id
        ));
        App::open(&dir, comune_id, Arc::new(MemorySecureStore::new()), config)
    }

    #[test]
    fn the_sandbox_opens_only_in_development_builds() {
        let sandbox = |development| AppConfig {
            development,
            sandbox_url: Some("http://127.0.0.1:8787/".to_owned()),
            ..AppConfig::default()
        };
        assert!(open("sandbox", sandbox(true)).is_ok());
        assert!(matches!(
            open("sandbox", sandbox(false)),
            Err(Error::InvalidInput { field, .. }) if field == "comune"
        ));
    }

    #[test]
    fn a_release_build_refuses_plain_http_return_urls() {
        let config = AppConfig {
            return_url_base: Some("http://app.comunicapp.it/pagopa/return/".to_owned()),
            ..AppConfig::default()
        };
        assert!(matches!(
            open("valenza", config),
            Err(Error::InvalidInput { field, .. }) if field == "return_url"
        ));
    }
}
