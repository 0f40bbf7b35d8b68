//! The core's log, for support: `tracing` events kept in memory, each line masked on its way in.
//!
//! Masking happens once, here, on the formatted line, so no call site can forget it: e-mail
//! addresses, notice numbers, personal fiscal codes, anything shaped like a token or secret, and
//! the names the core was told are personal (the children and the parent of the open profile).
//! The app hands [`support_log`] to support ("Invia diagnostica"); nothing is written to disk.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::{Mutex, MutexGuard, Once, OnceLock};

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::prelude::*;

/// Enough for the last few sessions' problems, little enough for a support e-mail.
const KEPT_LINES: usize = 500;

struct Log {
    lines: VecDeque<String>,
    /// Personal words to mask wherever they appear (names from the account).
    personal: Vec<String>,
    /// Secrets the core holds (tokens, PKCE verifier, login state), masked whatever their shape.
    secrets: VecDeque<String>,
}

/// The newest secrets kept for masking: a few logins' and refreshes' worth.
const KEPT_SECRETS: usize = 64;

fn log() -> MutexGuard<'static, Log> {
    static LOG: OnceLock<Mutex<Log>> = OnceLock::new();
    LOG.get_or_init(|| {
        Mutex::new(Log {
            lines: VecDeque::new(),
            personal: Vec::new(),
            secrets: VecDeque::new(),
        })
    })
    .lock()
    .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Installs the core's subscriber once per process; an app (or test) that already installed
/// its own keeps it, and then only `support_log` stays empty.
pub fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let layer = tracing_subscriber::fmt::layer()
            .with_writer(MemoryWriter)
            .with_ansi(false)
            .with_target(true)
            .without_time()
            .with_filter(tracing_subscriber::filter::LevelFilter::INFO);
        let _already_installed = tracing_subscriber::registry().with(layer).try_init();
    });
}

/// Names that must never appear in the log (a profile's children and parent), from now on.
pub fn add_personal_words<'a>(words: impl IntoIterator<Item = &'a str>) {
    let mut log = log();
    for word in words {
        let word = word.trim();
        if word.chars().count() >= 3 && !log.personal.iter().any(|w| w == word) {
            log.personal.push(word.to_owned());
        }
    }
    // Longest first, so "Maria Rossi" is masked before "Maria".
    log.personal.sort_by_key(|w| std::cmp::Reverse(w.len()));
}

/// A secret value (a token, a verifier, a state) that must never appear in the log.
pub fn add_secret(secret: &str) {
    if secret.len() < 8 {
        return;
    }
    let mut log = log();
    if log.secrets.iter().any(|s| s == secret) {
        return;
    }
    if log.secrets.len() == KEPT_SECRETS {
        log.secrets.pop_front();
    }
    log.secrets.push_back(secret.to_owned());
}

/// The kept lines, oldest first, already masked.
pub fn support_log() -> String {
    let log = log();
    let mut text = String::new();
    for line in &log.lines {
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// Logs an error as it leaves the core for an app: the one place every failure passes.
pub fn record_error(code: &str, error: &dyn std::error::Error) {
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    tracing::warn!(target: "comunicapp::errors", key = code, "{chain}");
}

struct MemoryWriter;

struct LineBuffer(Vec<u8>);

impl<'a> MakeWriter<'a> for MemoryWriter {
    type Writer = LineBuffer;

    fn make_writer(&'a self) -> Self::Writer {
        LineBuffer(Vec::new())
    }
}

impl Write for LineBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LineBuffer {
    /// One event is formatted into one buffer: it becomes one masked line.
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.0);
        let mut log = log();
        let mut masked = text.trim_end().to_owned();
        for secret in &log.secrets {
            masked = masked.replace(secret.as_str(), "[segreto]");
        }
        let masked = mask_with(&masked, &log.personal);
        if log.lines.len() == KEPT_LINES {
            log.lines.pop_front();
        }
        log.lines.push_back(masked);
    }
}

/// Names after which the next word is a credential (`Bearer x`, `code=x`, `"state": "x"`).
const CREDENTIAL_NAMES: &[&str] = &[
    "bearer",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "code",
    "code_verifier",
    "state",
    "secret",
    "password",
];

/// `text` with every personal or secret value replaced.
pub fn mask(text: &str) -> String {
    let (personal, secrets) = {
        let log = log();
        (log.personal.clone(), log.secrets.clone())
    };
    let mut text = text.to_owned();
    for secret in &secrets {
        text = text.replace(secret.as_str(), "[segreto]");
    }
    mask_with(&text, &personal)
}

fn mask_with(text: &str, personal: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    // After `Bearer` or `token=`-like names the next word is a credential, whatever its shape.
    let mut credential_next = false;
    let flush = |word: &mut String, out: &mut String, credential_next: &mut bool| {
        if word.is_empty() {
            return;
        }
        if *credential_next {
            out.push_str("[segreto]");
        } else {
            out.push_str(&mask_word(word));
        }
        let lower = word.to_ascii_lowercase();
        let name = lower.trim_end_matches('=');
        *credential_next = CREDENTIAL_NAMES.contains(&name);
        word.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() || matches!(c, '@' | '.' | '_' | '-' | '+' | '%' | '~') {
            word.push(c);
        } else if c == '=' && !word.is_empty() && !word.ends_with('=') {
            // `name=value`: the name decides whether the value is a credential.
            word.push(c);
            flush(&mut word, &mut out, &mut credential_next);
        } else {
            flush(&mut word, &mut out, &mut credential_next);
            if !c.is_whitespace() && !matches!(c, ':' | '"' | '\'') {
                credential_next = false;
            }
            out.push(c);
        }
    }
    flush(&mut word, &mut out, &mut credential_next);
    for name in personal {
        out = replace_ignoring_case(&out, name, "[nome]");
    }
    out
}

/// One run of word characters: an e-mail, a number, a token, or plain text.
fn mask_word(word: &str) -> String {
    if word.is_empty() {
        return String::new();
    }
    let trimmed = word.trim_end_matches(['.', '=', '-']);
    let tail = &word[trimmed.len()..];
    if let Some((local, domain)) = trimmed.split_once('@') {
        if !local.is_empty() && domain.contains('.') {
            let first: String = local.chars().take(1).collect();
            return format!("{first}***@***{tail}");
        }
    }
    let digits = trimmed.chars().filter(char::is_ascii_digit).count();
    if digits >= 11 && digits == trimmed.chars().count() {
        // Notice numbers (18), fiscal codes of entes (11), IUVs, card-like numbers.
        let last: String = trimmed.chars().skip(trimmed.len() - 2).collect();
        return format!("[numero …{last}]{tail}");
    }
    if is_personal_fiscal_code(trimmed) {
        return format!("[codice fiscale]{tail}");
    }
    let letters = trimmed.chars().filter(|c| c.is_ascii_alphabetic()).count();
    let uppers = trimmed.chars().filter(|c| c.is_ascii_uppercase()).count();
    let lowers = letters - uppers;
    let random_looking = (digits >= 2 && letters >= 2) || (lowers >= 2 && uppers + digits >= 4);
    if trimmed.len() >= 20 && random_looking {
        // Tokens, codes, verifiers, idempotency keys: long mixed runs.
        return format!("[segreto]{tail}");
    }
    word.to_owned()
}

/// `RSSMRA80A41L750X`: 6 letters, 2 digits, a letter, 2 digits, a letter, 3 digits, a letter.
fn is_personal_fiscal_code(word: &str) -> bool {
    let b = word.as_bytes();
    b.len() == 16
        && b.iter().enumerate().all(|(i, c)| match i {
            0..=5 | 8 | 11 | 15 => c.is_ascii_alphabetic(),
            _ => c.is_ascii_alphanumeric(),
        })
}

fn replace_ignoring_case(text: &str, needle: &str, with: &str) -> String {
    let lower_text = text.to_lowercase();
    let lower_needle = needle.to_lowercase();
    if lower_text.len() != text.len() || lower_needle.is_empty() {
        // Lowercasing changed byte lengths (rare scripts): fall back to an exact match.
        return text.replace(needle, with);
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, _) in lower_text.match_indices(&lower_needle) {
        if at < last {
            continue;
        }
        out.push_str(&text[last..at]);
        out.push_str(with);
        last = at + needle.len();
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e_mails_numbers_fiscal_codes_and_tokens_are_masked() {
        let line = "payer maria.rossi@example.it paid 322201151398574181 for RSSMRA80A41L750X \
                    with token eyJhbGciOiJIUzI1NiJ9.x_8f3kQ2Lm9Zp4Rt7Vw1 key 4f9a2c7e1b3d5f60a8c9e2d4";
        let masked = mask_with(line, &[]);
        for secret in [
            "maria.rossi@example.it",
            "322201151398574181",
            "RSSMRA80A41L750X",
            "x_8f3kQ2Lm9Zp4Rt7Vw1",
            "4f9a2c7e1b3d5f60a8c9e2d4",
        ] {
            assert!(!masked.contains(secret), "{secret} in {masked}");
        }
        assert!(masked.contains("m***@***"), "{masked}");
        assert!(masked.contains("[numero …81]"), "{masked}");
        assert!(masked.contains("paid"), "ordinary words stay: {masked}");
    }

    #[test]
    fn a_credential_is_masked_by_its_name_or_because_the_core_holds_it() {
        let masked = mask_with(
            "Authorization: Bearer abcdefghijklmnop refresh_token=qwertyuiopasdfgh \"state\": \"zxcvbnmlkjhgfd\"",
            &[],
        );
        for secret in ["abcdefghijklmnop", "qwertyuiopasdfgh", "zxcvbnmlkjhgfd"] {
            assert!(!masked.contains(secret), "{secret} in {masked}");
        }
        assert!(!mask_with("rfDuvpQVdgejMczDrQepqrNbXzUNoJltbXVhqadmcZe", &[]).contains("rfDuvp"));
        add_secret("plainlowercasesecretvalue");
        assert_eq!(mask("x plainlowercasesecretvalue y"), "x [segreto] y");
        assert_eq!(
            mask_with("PaidAwaitingRegistration", &[]),
            "PaidAwaitingRegistration"
        );
    }

    #[test]
    fn personal_names_are_masked_in_any_case() {
        let personal = vec!["Giulia".to_owned(), "Bianchi".to_owned()];
        let masked = mask_with("saldo di GIULIA bianchi: credito basso", &personal);
        assert_eq!(masked, "saldo di [nome] [nome]: credito basso");
    }

    #[test]
    fn an_error_leaving_the_core_reaches_the_support_log_masked() {
        install();
        add_personal_words(["Ottavina"]);
        let error = std::io::Error::other("Ottavina ottavina.x@example.org 322201151398574181");
        record_error("errore.archivio_locale", &error);
        let log = support_log();
        assert!(log.contains("errore.archivio_locale"), "{log}");
        assert!(!log.contains("Ottavina"), "{log}");
        assert!(!log.contains("example.org"), "{log}");
        assert!(!log.contains("322201151398574181"), "{log}");
    }
}
