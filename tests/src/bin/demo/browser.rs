//! What the parent's browser does in the demo, done by a plain HTTP client that never follows a
//! redirect: it submits the sandbox's login and checkout forms and reports where it was sent.
//! In `--interactive` mode a person's browser lands on [`ReturnPage`] instead.

use std::sync::Arc;

use axum::extract::{OriginalUri, State};
use axum::response::Html;
use axum::Router;
use comunicapp_core::sync::Session;
use comunicapp_sandbox::DemoCredentials;
use reqwest::{redirect, Client, StatusCode};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use url::Url;

use crate::error::{unexpected, DemoError};

pub struct FormBrowser {
    http: Client,
}

impl FormBrowser {
    pub fn new() -> Result<FormBrowser, DemoError> {
        Ok(FormBrowser {
            http: Client::builder()
                .redirect(redirect::Policy::none())
                .build()?,
        })
    }

    /// The PKCE round trip: the core's authorize URL, the login form, the redirect back.
    pub async fn log_in(
        &self,
        session: &Session,
        credentials: &DemoCredentials,
    ) -> Result<Url, DemoError> {
        let authorize = session.login_start()?;
        let page = self.http.get(authorize.clone()).send().await?;
        if page.status() != StatusCode::OK {
            return Err(unexpected(format!(
                "pagina di accesso: HTTP {}",
                page.status()
            )));
        }
        let html = page.text().await?;
        let action = form_action(&html, "id=\"login\"")
            .ok_or_else(|| unexpected("pagina di accesso senza modulo"))?;
        // The form carries the authorize parameters as hidden fields; sending the URL's own
        // query pairs is what those fields hold.
        let mut fields: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
        fields.push(("username".into(), credentials.username.clone()));
        fields.push(("password".into(), credentials.password.clone()));
        let answer = self
            .http
            .post(resolve(&authorize, &action)?)
            .form(&fields)
            .send()
            .await?;
        let callback = redirect_target(&answer)?;
        session.login_complete(callback.as_str()).await?;
        Ok(callback)
    }

    /// Opens the checkout page, presses the button with `button_id` (`pay`, `cancel`, …) and
    /// answers where pagoPA sends the browser back, plus the total the page showed.
    pub async fn press(&self, checkout: &Url, button_id: &str) -> Result<Pressed, DemoError> {
        let page = self.http.get(checkout.clone()).send().await?;
        if page.status() != StatusCode::OK {
            return Err(unexpected(format!(
                "pagina di pagamento: HTTP {}",
                page.status()
            )));
        }
        let html = page.text().await?;
        let total = element_text(&html, "id=\"total\"").unwrap_or_default();
        let action = form_action(&html, &format!("id=\"{button_id}\""))
            .ok_or_else(|| unexpected(format!("nessun pulsante {button_id} nella pagina")))?;
        let answer = self.http.post(resolve(checkout, &action)?).send().await?;
        Ok(Pressed {
            return_url: redirect_target(&answer)?,
            total_shown: total,
        })
    }
}

pub struct Pressed {
    pub return_url: Url,
    pub total_shown: String,
}

fn resolve(page: &Url, action: &str) -> Result<Url, DemoError> {
    page.join(action)
        .map_err(|e| unexpected(format!("azione del modulo non valida: {e}")))
}

fn redirect_target(answer: &reqwest::Response) -> Result<Url, DemoError> {
    if !answer.status().is_redirection() {
        return Err(unexpected(format!(
            "atteso un reindirizzamento, ricevuto HTTP {}",
            answer.status()
        )));
    }
    let location = answer
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| unexpected("reindirizzamento senza Location"))?;
    Url::parse(location).map_err(|e| unexpected(format!("Location non valida: {e}")))
}

/// The `action` of the form that contains the element marked by `marker`.
fn form_action(html: &str, marker: &str) -> Option<String> {
    let at = html.find(marker)?;
    let form_start = html[..at].rfind("<form")?;
    let form = &html[form_start..at];
    let value_start = form.find("action=\"")? + "action=\"".len();
    let value_len = form[value_start..].find('"')?;
    Some(form[value_start..value_start + value_len].replace("&amp;", "&"))
}

/// The text inside the element marked by `marker` (no nested tags).
fn element_text(html: &str, marker: &str) -> Option<String> {
    let at = html.find(marker)?;
    let open_end = at + html[at..].find('>')? + 1;
    let close = open_end + html[open_end..].find('<')?;
    Some(html[open_end..close].trim().to_string())
}

/// Where a person's browser lands after the checkout in `--interactive` mode; each URL it is
/// sent to is handed to the demo as the app's URL handler would be.
pub struct ReturnPage {
    base: Url,
    arrivals: mpsc::UnboundedReceiver<Url>,
    task: tokio::task::JoinHandle<()>,
}

impl ReturnPage {
    pub async fn start() -> Result<ReturnPage, DemoError> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let base = Url::parse(&format!("http://127.0.0.1:{port}/"))
            .map_err(|e| unexpected(e.to_string()))?;
        let (sender, arrivals) = mpsc::unbounded_channel();
        let origin = Arc::new((base.clone(), sender));
        let app = Router::new()
            .fallback(
                |State(origin): State<Arc<(Url, mpsc::UnboundedSender<Url>)>>,
                 OriginalUri(uri): OriginalUri| async move {
                    let (base, sender) = origin.as_ref();
                    if let Ok(url) = base.join(&uri.to_string()) {
                        if url.path() != "/favicon.ico" {
                            let _ = sender.send(url);
                        }
                    }
                    Html("<!doctype html><html lang=\"it\"><head><meta charset=\"utf-8\"><title>ComunicApp</title></head>\
                          <body><h1>Ritorno all'app</h1><p>Torna al terminale: la demo verifica l'esito con il portale.</p></body></html>")
                },
            )
            .with_state(origin);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(ReturnPage {
            base,
            arrivals,
            task,
        })
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The next URL the person's browser was sent to here.
    pub async fn next_arrival(&mut self) -> Option<Url> {
        self.arrivals.recv().await
    }
}

impl Drop for ReturnPage {
    fn drop(&mut self) {
        self.task.abort();
    }
}
