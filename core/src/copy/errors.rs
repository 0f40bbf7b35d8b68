//! The English message of every error code the core gives the apps. The Italian one is the
//! error's own `Display`, next to the error where its parameters are.

/// Every code an error of the core can carry (`message_key`), so that a test can check each has
/// its English text and the README table lists them all.
pub const ERROR_CODES: &[&str] = &[
    "errore.offline",
    "errore.connessione_interrotta",
    "errore.timeout",
    "errore.server",
    "errore.risposta_non_valida",
    "errore.non_autorizzato",
    "errore.sessione_scaduta",
    "errore.accesso_richiesto",
    "errore.pagamento_in_corso",
    "errore.pagamento_duplicato",
    "errore.dati_non_validi",
    "errore.non_trovato",
    "errore.troppe_richieste",
    "errore.richiesta_duplicata",
    "errore.portale",
    "errore.indirizzo_non_consentito",
    "errore.accesso_non_corrispondente",
    "errore.accesso_non_riuscito",
    "errore.archivio_sicuro",
    "errore.archivio_locale",
    "errore.versione_archivio",
    "errore.dati_locali",
    "errore.indirizzo_non_valido",
    "errore.comunicazione",
    "catalogo.nome_vuoto",
    "catalogo.codice_fiscale_non_valido",
    "catalogo.cbill_vuoto",
    "catalogo.nessun_servizio",
    "catalogo.codice_servizio_vuoto",
    "catalogo.nome_servizio_vuoto",
    "catalogo.servizio_ripetuto",
    "catalogo.minimo_non_positivo",
    "catalogo.minimo_sopra_massimo",
    "catalogo.nessun_importo_predefinito",
    "catalogo.importo_predefinito_fuori_limiti",
    "catalogo.importo_predefinito_ripetuto",
    "catalogo.email_supporto_non_valida",
    "email.vuota",
    "email.manca_chiocciola",
    "email.nome_non_valido",
    "email.dominio_non_valido",
    "email.troppo_lunga",
    "email.carattere_non_valido",
    "importo.vuoto",
    "importo.zero",
    "importo.negativo",
    "importo.troppi_decimali",
    "importo.esponente",
    "importo.carattere_non_valido",
    "importo.cifre_non_ascii",
    "importo.separatori_ambigui",
    "importo.virgole_multiple",
    "importo.migliaia_non_valide",
    "importo.non_valido",
    "importo.troppo_grande",
    "importo.sotto_minimo",
    "importo.sopra_massimo",
    "pagopa.avviso.lunghezza",
    "pagopa.avviso.solo_cifre",
    "pagopa.avviso.aux_digit",
    "pagopa.avviso.cifre_controllo",
    "pagopa.cf_ente.lunghezza",
    "pagopa.cf_ente.solo_cifre",
    "pagopa.qr.prefisso",
    "pagopa.qr.versione",
    "pagopa.qr.campi",
    "pagopa.importo.cifre",
    "pagopa.importo.zero",
    "pagopa.importo.fuori_limiti",
    "pagopa.datamatrix.prefisso",
    "pagopa.datamatrix.lunghezza",
    "pagopa.datamatrix.conto",
    "pagopa.rf.formato",
    "pagopa.rf.controllo",
    "ricarica.ritorno_non_valido",
    "ricarica.ritorno_sconosciuto",
    "ricarica.ritorno_contraffatto",
    "ricarica.ritorno_gia_gestito",
    "ricarica.ritorno_configurazione",
    "ricarica.non_confermata",
    "ricarica.non_trovata",
    "ricarica.aggiornata_altrove",
    "ricarica.alunno_sconosciuto",
    "ricarica.catalogo_mancante",
    "ricarica.servizio_non_attivo",
    "ricarica.dati_locali",
    "ricarica.passaggio_non_consentito",
    "ricarica.importo_mancante",
    "ricarica.carrello_vuoto",
    "ricarica.carrello_pieno",
    "ricarica.ricarica_ripetuta",
    "ricarica.ricarica_non_presente",
    "ricarica.dato_mancante",
    "pagopa.qr.non_disegnabile",
];

/// The English text for `code`; `None` for a code the table does not know (a portal's own).
pub fn english_error(code: &str) -> Option<&'static str> {
    Some(match code {
        "errore.offline" => "No connection: check your network and try again",
        "errore.connessione_interrotta" => "The connection to the portal dropped: try again",
        "errore.timeout" => "The portal did not answer in time: try again",
        "errore.server" => "The portal is not available right now: try again later",
        "errore.risposta_non_valida" => "The portal sent an answer the app cannot read",
        "errore.non_autorizzato" => "Access refused: please log in again",
        "errore.sessione_scaduta" => "Your session has expired: please log in again",
        "errore.accesso_richiesto" => "Log in to continue",
        "errore.pagamento_in_corso" => "A payment is already in progress: wait a few minutes",
        "errore.pagamento_duplicato" => "This notice has already been paid",
        "errore.dati_non_validi" => "Some of the data is not valid",
        "errore.non_trovato" => "Not found",
        "errore.troppe_richieste" => "Too many requests: wait a moment and try again",
        "errore.richiesta_duplicata" => "This request was already sent with other data",
        "errore.portale" => "The portal refused the request",
        "errore.indirizzo_non_consentito" => "This address is not allowed",
        "errore.accesso_non_corrispondente" => {
            "Login failed: the answer does not match the request, try again"
        }
        "errore.accesso_non_riuscito" => "Login failed: try again",
        "errore.archivio_sicuro" => "The phone's secure storage is not available",
        "errore.archivio_locale" => "The app's local storage failed",
        "errore.versione_archivio" => {
            "The saved data comes from a newer version of the app: update it"
        }
        "errore.dati_locali" => "The app's local data cannot be read",
        "errore.indirizzo_non_valido" => "Invalid address",
        "errore.comunicazione" => "Could not talk to the portal",
        "catalogo.nome_vuoto" => "The ente's name is missing",
        "catalogo.codice_fiscale_non_valido" => "The ente's fiscal code is not valid",
        "catalogo.cbill_vuoto" => "The ente's CBILL code is missing",
        "catalogo.nessun_servizio" => "The ente offers no service",
        "catalogo.codice_servizio_vuoto" => "A service has no code",
        "catalogo.nome_servizio_vuoto" => "A service has no name",
        "catalogo.servizio_ripetuto" => "A service is listed twice",
        "catalogo.minimo_non_positivo" => "A service's minimum amount is not positive",
        "catalogo.minimo_sopra_massimo" => "A service's minimum is above its maximum",
        "catalogo.nessun_importo_predefinito" => "No preset amount is configured",
        "catalogo.importo_predefinito_fuori_limiti" => "A preset amount is outside the limits",
        "catalogo.importo_predefinito_ripetuto" => "A preset amount is listed twice",
        "catalogo.email_supporto_non_valida" => "The support office's e-mail is not valid",
        "email.vuota" => "Enter an e-mail address",
        "email.manca_chiocciola" => "The e-mail address needs an @",
        "email.nome_non_valido" => "The part before the @ is not valid",
        "email.dominio_non_valido" => "The part after the @ is not valid",
        "email.troppo_lunga" => "The e-mail address is too long",
        "email.carattere_non_valido" => "The e-mail address contains a character not allowed",
        "importo.vuoto" => "Enter an amount",
        "importo.zero" => "The amount must be more than zero",
        "importo.negativo" => "The amount cannot be negative",
        "importo.troppi_decimali" => "Use at most two decimals",
        "importo.esponente" => "Write the amount in figures, e.g. 20,50",
        "importo.carattere_non_valido" => "The amount contains a character not allowed",
        "importo.cifre_non_ascii" => "Write the amount with the digits 0-9",
        "importo.separatori_ambigui" => "Use one decimal separator, e.g. 20,50",
        "importo.virgole_multiple" => "Use only one comma",
        "importo.migliaia_non_valide" => "The thousands separators are not in the right places",
        "importo.non_valido" => "This is not a valid amount",
        "importo.troppo_grande" => "The amount is too large",
        "importo.sotto_minimo" => "The amount is below this service's minimum",
        "importo.sopra_massimo" => "The amount is above this service's maximum",
        "pagopa.avviso.lunghezza" => "A notice code has 18 digits",
        "pagopa.avviso.solo_cifre" => "A notice code has digits only",
        "pagopa.avviso.aux_digit" => "A notice code starts with 0, 1, 2 or 3",
        "pagopa.avviso.cifre_controllo" => "The notice code is mistyped: check the digits",
        "pagopa.cf_ente.lunghezza" => "The ente's fiscal code has 11 digits",
        "pagopa.cf_ente.solo_cifre" => "The ente's fiscal code has digits only",
        "pagopa.qr.prefisso" => "This is not a pagoPA QR code",
        "pagopa.qr.versione" => "This pagoPA QR code version is not supported",
        "pagopa.qr.campi" => "The QR code is incomplete",
        "pagopa.importo.cifre" => "The amount in the code is not valid",
        "pagopa.importo.zero" => "The amount in the code is zero",
        "pagopa.importo.fuori_limiti" => "The amount in the code is out of range",
        "pagopa.datamatrix.prefisso" => "This is not a Poste Data Matrix code",
        "pagopa.datamatrix.lunghezza" => "The Data Matrix code is incomplete",
        "pagopa.datamatrix.conto" => "The Data Matrix code is not valid",
        "pagopa.rf.formato" => "This is not a valid RF reference",
        "pagopa.rf.controllo" => "The RF reference is mistyped: check it",
        "ricarica.ritorno_non_valido" => "This link is not a pagoPA return",
        "ricarica.ritorno_sconosciuto" => "This link belongs to no top-up in progress",
        "ricarica.ritorno_contraffatto" => "This link was not issued by the app: nothing changed",
        "ricarica.ritorno_gia_gestito" => "This payment was already handled",
        "ricarica.ritorno_configurazione" => "The app's return links are misconfigured",
        "ricarica.non_confermata" => {
            "The top-up was sent but not yet confirmed: the app will check it by itself"
        }
        "ricarica.non_trovata" => "Top-up not found",
        "ricarica.aggiornata_altrove" => "The top-up was updated meanwhile: try again",
        "ricarica.alunno_sconosciuto" => "This child is not on your account",
        "ricarica.catalogo_mancante" => {
            "The ente's services are not downloaded yet: connect and try again"
        }
        "ricarica.servizio_non_attivo" => "The child is not enrolled in this service",
        "ricarica.dati_locali" => "The app's record of this top-up cannot be read",
        "ricarica.passaggio_non_consentito" => "This step is not possible now",
        "ricarica.importo_mancante" => "Choose an amount first",
        "ricarica.carrello_vuoto" => "Add at least one child and service",
        "ricarica.carrello_pieno" => "One payment holds at most 5 top-ups",
        "ricarica.ricarica_ripetuta" => "This child and service are already in the top-up",
        "ricarica.ricarica_non_presente" => "This child and service are not in the top-up",
        "ricarica.dato_mancante" => "Some required data is missing",
        "pagopa.qr.non_disegnabile" => "The QR code cannot be drawn",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_table_lists_every_code() {
        let readme = include_str!("../../../README.md");
        for code in ERROR_CODES {
            assert!(
                readme.contains(&format!("| `{code}` |")),
                "{code} missing from README"
            );
        }
    }

    #[test]
    fn every_code_has_its_english_text_and_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for code in ERROR_CODES {
            assert!(english_error(code).is_some(), "{code} has no English text");
            assert!(seen.insert(code), "{code} listed twice");
            assert!(
                code.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_'),
                "{code}"
            );
        }
    }
}
