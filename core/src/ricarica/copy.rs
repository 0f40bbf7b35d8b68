//! The Italian words of the ricarica screens, as the ente's instruction sheet writes them: the
//! Italian half of [`crate::copy::Text`], and what the tests and the demo compare with.
//!
//! Kept in the core so that the Android and iOS apps cannot drift apart from each other or from
//! the portal the parents already know.

use crate::copy::Lang;
use crate::money::Amount;

pub const RICARICA_PERSONALIZZATA: &str = "Ricarica personalizzata";
pub const RICARICA: &str = "Ricarica";
pub const MAIL_CORRETTA: &str = "✓ Procedi! Mail corretta. Puoi procedere al pagamento.";
pub const MAIL_ATTUALE: &str = "Mail attuale:";
pub const MODIFICA_MAIL: &str = "Per modificare la mail clicca qui";
pub const SERVIZIO: &str = "Servizio:";
pub const SCEGLI_MODALITA: &str = "Scegli la modalità di pagamento";
pub const PAGAMENTO_ONLINE: &str = "Pagamento OnLine";
pub const GENERA_AVVISO: &str = "Genera avviso pagamento";
pub const RIEPILOGO_PAGAMENTO: &str = "Riepilogo Pagamento";
pub const INDIETRO: &str = "INDIETRO";
pub const PROSEGUI: &str = "PROSEGUI";
pub const NOTA_COMMISSIONE: &str = "Si avvisano gli utenti che al pagamento è applicata una \
     commissione che varia in base al canale di pagamento abilitato prescelto";
pub const PAGAMENTO_RICEVUTO: &str = "Pagamento ricevuto: la ricarica sarà registrata entro 24 ore";
pub const PAGAMENTO_ANNULLATO: &str = "Pagamento annullato: nessun addebito è stato effettuato";
pub const PAGAMENTO_NON_RIUSCITO: &str = "Pagamento non riuscito: puoi riprovare";
pub const PAGAMENTO_IN_VERIFICA: &str = "Pagamento in corso di verifica con pagoPA";
pub const RICARICA_REGISTRATA: &str = "Ricarica registrata";
pub const RICHIESTA_IN_CORSO: &str = "Richiesta di ricarica in corso";
pub const COMPLETA_IN_PAGOPA: &str =
    "Completa il pagamento su pagoPA e attendi di essere riportato nell'app";
pub const PAGAMENTO_IN_ATTESA_DI_ESITO: &str =
    "Pagamento preso in carico: l'esito arriverà a breve";
pub const PAGAMENTO_SCADUTO: &str =
    "Sessione di pagamento scaduta: nessun addebito è stato effettuato";
pub const MAIL_NON_VALIDA: &str = "La mail indicata non è valida: modificala per procedere";
pub const AVVISO_GENERATO: &str =
    "Avviso generato: lo trovi in Pagamenti > Avvisi Pagamento da Pagare";

/// "Ricarica da 10 euro"; a preset with cents reads "Ricarica da 12,50 euro".
pub fn ricarica_da(amount: Amount) -> String {
    Lang::It.ricarica_da(amount.cents())
}

/// "Totale Pagamento: € 0,01".
pub fn totale_pagamento(total: Amount) -> String {
    Lang::It.totale_pagamento(total.cents())
}

/// The sheet's "entro 24 ore" with the ente's own registration delay.
pub fn pagamento_ricevuto(registration_delay_hours: u32) -> String {
    Lang::It.pagamento_ricevuto(registration_delay_hours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_sheet_strings_from_amounts() {
        assert_eq!(
            ricarica_da(Amount::from_cents(1_000)),
            "Ricarica da 10 euro"
        );
        assert_eq!(
            ricarica_da(Amount::from_cents(10_000)),
            "Ricarica da 100 euro"
        );
        assert_eq!(
            ricarica_da(Amount::from_cents(1_250)),
            "Ricarica da 12,50 euro"
        );
        assert_eq!(
            ricarica_da(Amount::from_cents(150_000)),
            "Ricarica da 1.500 euro"
        );
        assert_eq!(
            totale_pagamento(Amount::from_cents(1)),
            "Totale Pagamento: € 0,01"
        );
        assert_eq!(
            totale_pagamento(Amount::from_cents(123_450)),
            "Totale Pagamento: € 1.234,50"
        );
        assert_eq!(pagamento_ricevuto(24), PAGAMENTO_RICEVUTO);
        assert_eq!(
            NOTA_COMMISSIONE,
            "Si avvisano gli utenti che al pagamento è applicata una commissione che varia in \
             base al canale di pagamento abilitato prescelto"
        );
    }
}
