//! Every text the core writes for a parent, in the language the app opened the core with:
//! Italian first (the words of the ente's instruction sheet), English second.
//!
//! Amounts and dates follow the language too: `€ 1.000,50` and `27/11/2026` in Italian,
//! `€1,000.50` and `27 Nov 2026` in English. Times are always Europe/Rome: the school, the
//! canteen and the portal are there, whatever the phone's zone.

mod errors;

use chrono::{DateTime, NaiveDate, Utc};

pub use errors::{english_error, ERROR_CODES};

use crate::ricarica::copy as sheet;
use crate::sync::rome_time;

/// The worded fields of an avviso, as its screen shows them, for [`Lang::avviso_share_text`].
#[derive(Debug, Clone, Copy)]
pub struct AvvisoToShare<'a> {
    pub description: Option<&'a str>,
    pub notice_number_display: &'a str,
    pub fiscal_code: &'a str,
    pub amount_display: &'a str,
    pub due_date_label: &'a str,
    pub cbill_code: &'a str,
}

/// The language of the texts the core produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    It,
    En,
}

/// A fixed sentence of the screens; [`Lang::text`] gives it in either language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    RicaricaPersonalizzata,
    MailCorretta,
    MailNonValida,
    ModificaMail,
    PagamentoOnline,
    GeneraAvviso,
    RiepilogoPagamento,
    Indietro,
    Prosegui,
    NotaCommissione,
    PagamentoAnnullato,
    PagamentoNonRiuscito,
    PagamentoInVerifica,
    RicaricaRegistrata,
    RichiestaInCorso,
    CompletaInPagopa,
    PagamentoInAttesaDiEsito,
    PagamentoScaduto,
    AvvisoGenerato,
    DatiNonScaricati,
    ErroreGenerico,
}

impl Text {
    fn pair(self) -> (&'static str, &'static str) {
        use Text::*;
        match self {
            RicaricaPersonalizzata => (sheet::RICARICA_PERSONALIZZATA, "Custom top-up"),
            MailCorretta => (
                sheet::MAIL_CORRETTA,
                "✓ Go ahead! Your e-mail is correct. You can proceed to payment.",
            ),
            MailNonValida => (
                sheet::MAIL_NON_VALIDA,
                "This e-mail address is not valid: change it to proceed",
            ),
            ModificaMail => (sheet::MODIFICA_MAIL, "To change your e-mail, tap here"),
            PagamentoOnline => (sheet::PAGAMENTO_ONLINE, "Pay online"),
            GeneraAvviso => (sheet::GENERA_AVVISO, "Create a payment notice"),
            RiepilogoPagamento => (sheet::RIEPILOGO_PAGAMENTO, "Payment summary"),
            Indietro => (sheet::INDIETRO, "BACK"),
            Prosegui => (sheet::PROSEGUI, "CONTINUE"),
            NotaCommissione => (
                sheet::NOTA_COMMISSIONE,
                "Please note that a fee is charged on the payment, depending on the payment \
                 channel you choose",
            ),
            PagamentoAnnullato => (
                sheet::PAGAMENTO_ANNULLATO,
                "Payment cancelled: nothing was charged",
            ),
            PagamentoNonRiuscito => (
                sheet::PAGAMENTO_NON_RIUSCITO,
                "The payment did not go through: you can try again",
            ),
            PagamentoInVerifica => (
                sheet::PAGAMENTO_IN_VERIFICA,
                "Checking the payment with pagoPA",
            ),
            RicaricaRegistrata => (sheet::RICARICA_REGISTRATA, "Top-up registered"),
            RichiestaInCorso => (sheet::RICHIESTA_IN_CORSO, "Sending the top-up request"),
            CompletaInPagopa => (
                sheet::COMPLETA_IN_PAGOPA,
                "Complete the payment on pagoPA and wait to be taken back to the app",
            ),
            PagamentoInAttesaDiEsito => (
                sheet::PAGAMENTO_IN_ATTESA_DI_ESITO,
                "Payment taken in charge: the outcome will arrive shortly",
            ),
            PagamentoScaduto => (
                sheet::PAGAMENTO_SCADUTO,
                "The payment session expired: nothing was charged",
            ),
            AvvisoGenerato => (
                sheet::AVVISO_GENERATO,
                "Payment notice created: find it in Payments > Notices to pay",
            ),
            DatiNonScaricati => ("Dati non ancora scaricati", "Not downloaded yet"),
            ErroreGenerico => (
                "Si è verificato un errore: riprova",
                "Something went wrong: please try again",
            ),
        }
    }
}

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl Lang {
    pub fn text(self, text: Text) -> &'static str {
        let (it, en) = text.pair();
        match self {
            Lang::It => it,
            Lang::En => en,
        }
    }

    /// Signed cents: `€ 1.000,50` / `-€ 5,00` in Italian, `€1,000.50` / `-€5.00` in English.
    pub fn amount(self, cents: i64) -> String {
        let (thousands, decimal, space) = match self {
            Lang::It => ('.', ',', " "),
            Lang::En => (',', '.', ""),
        };
        // unsigned_abs keeps i64::MIN formattable.
        let magnitude = cents.unsigned_abs();
        let euros = (magnitude / 100).to_string();
        let mut grouped = String::with_capacity(euros.len() + euros.len() / 3);
        for (index, digit) in euros.chars().enumerate() {
            if index > 0 && (euros.len() - index) % 3 == 0 {
                grouped.push(thousands);
            }
            grouped.push(digit);
        }
        let sign = if cents < 0 { "-" } else { "" };
        format!("{sign}€{space}{grouped}{decimal}{:02}", magnitude % 100)
    }

    /// A calendar date: `27/11/2026` / `27 Nov 2026`.
    pub fn date(self, date: NaiveDate) -> String {
        match self {
            Lang::It => date.format("%d/%m/%Y").to_string(),
            Lang::En => {
                let month =
                    MONTHS_EN[date.format("%m").to_string().parse::<usize>().unwrap_or(1) - 1];
                format!("{} {month} {}", date.format("%-d"), date.format("%Y"))
            }
        }
    }

    /// The date of an instant, in Europe/Rome.
    pub fn date_of(self, at: DateTime<Utc>) -> String {
        self.date(rome_time(at).date_naive())
    }

    /// "Dati aggiornati al 28/11/2026 alle 09:14" / "Updated 28 Nov 2026 at 09:14".
    pub fn updated_at(self, at: DateTime<Utc>) -> String {
        let time = rome_time(at).format("%H:%M");
        match self {
            Lang::It => format!("Dati aggiornati al {} alle {time}", self.date_of(at)),
            Lang::En => format!("Updated {} at {time}", self.date_of(at)),
        }
    }

    /// "Ricarica da 10 euro" / "Top up €10"; a preset with cents keeps them.
    pub fn ricarica_da(self, cents: i64) -> String {
        let formatted = self.amount(cents);
        match self {
            Lang::It => {
                let number = formatted.trim_start_matches("€ ");
                let number = number.strip_suffix(",00").unwrap_or(number);
                format!("Ricarica da {number} euro")
            }
            Lang::En => format!(
                "Top up {}",
                formatted.strip_suffix(".00").unwrap_or(&formatted)
            ),
        }
    }

    /// "Totale Pagamento: € 0,01".
    pub fn totale_pagamento(self, cents: i64) -> String {
        match self {
            Lang::It => format!("Totale Pagamento: {}", self.amount(cents)),
            Lang::En => format!("Payment total: {}", self.amount(cents)),
        }
    }

    /// The sheet's "entro 24 ore" with the ente's own registration delay.
    pub fn pagamento_ricevuto(self, registration_delay_hours: u32) -> String {
        match self {
            Lang::It => format!(
                "Pagamento ricevuto: la ricarica sarà registrata entro \
                 {registration_delay_hours} ore"
            ),
            Lang::En => format!(
                "Payment received: the top-up will be registered within \
                 {registration_delay_hours} hours"
            ),
        }
    }

    /// The range of a "Ricarica personalizzata": "da € 5,00 a € 500,00".
    pub fn limits(self, min_cents: i64, max_cents: i64) -> String {
        let (min, max) = (self.amount(min_cents), self.amount(max_cents));
        match self {
            Lang::It => format!("da {min} a {max}"),
            Lang::En => format!("from {min} to {max}"),
        }
    }

    /// The service's name: the ente's own label in Italian; in English the usual name of the
    /// services every comune has, and the ente's label for any other.
    pub fn service_label<'a>(self, code: &str, ente_label: &'a str) -> std::borrow::Cow<'a, str> {
        let english = match code {
            "refezione" => "School meals",
            "refezione_retta" => "School meals (yearly fee)",
            "scuolabus" => "School bus",
            "asilo_nido" => "Nursery",
            "pre_scuola" => "Before-school care",
            "post_scuola" => "After-school care",
            _ => ente_label,
        };
        match self {
            Lang::It => ente_label.into(),
            Lang::En => english.into(),
        }
    }

    /// Where an avviso can be paid, as the instruction sheet lists the places.
    pub fn where_to_pay(self) -> Vec<String> {
        let places: [&str; 4] = match self {
            Lang::It => [
                "Agenzie della banca",
                "Home banking del PSP (servizio CBILL o pagoPA)",
                "Sportelli ATM abilitati dalle banche",
                "Tabaccherie Sisal, Lottomatica",
            ],
            Lang::En => [
                "Bank branches",
                "Your bank's home banking (CBILL or pagoPA service)",
                "ATMs enabled by the banks",
                "Sisal and Lottomatica tobacconists",
            ],
        };
        places.map(str::to_owned).to_vec()
    }

    /// The text an app shares for an avviso (a message, a note, another phone): every field a
    /// bank or a tobacconist asks for, labelled, one per line, so neither app composes it.
    pub fn avviso_share_text(self, avviso: &AvvisoToShare<'_>) -> String {
        let labels = match self {
            Lang::It => [
                "Avviso di pagamento pagoPA",
                "Codice avviso",
                "Codice fiscale ente",
                "Importo",
                "Scadenza",
                "Codice CBILL",
            ],
            Lang::En => [
                "pagoPA payment notice",
                "Notice code",
                "Payee tax code",
                "Amount",
                "Due date",
                "CBILL code",
            ],
        };
        let mut lines = vec![match avviso.description {
            Some(d) if !d.trim().is_empty() => format!("{}: {}", labels[0], d.trim()),
            _ => labels[0].to_owned(),
        }];
        let fields = [
            avviso.notice_number_display,
            avviso.fiscal_code,
            avviso.amount_display,
            avviso.due_date_label,
            avviso.cbill_code,
        ];
        for (label, value) in labels[1..].iter().zip(fields) {
            if !value.is_empty() {
                lines.push(format!("{label}: {value}"));
            }
        }
        lines.join("\n")
    }

    /// The message of an error for the parent: the Italian `Display` of the error, or the English
    /// text of its stable code.
    pub fn error_message(self, code: &str, italian: &str) -> String {
        match self {
            Lang::It => italian.to_owned(),
            Lang::En => english_error(code)
                .unwrap_or(self.text(Text::ErroreGenerico))
                .to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_avviso_carries_every_field_a_bank_asks_for() {
        let avviso = AvvisoToShare {
            description: Some("Ricarica mensa"),
            notice_number_display: "3222 0115 1398 5741 81",
            fiscal_code: "00123456789",
            amount_display: "€ 50,00",
            due_date_label: "28/12/2026",
            cbill_code: "AB12C",
        };
        assert_eq!(
            Lang::It.avviso_share_text(&avviso),
            "Avviso di pagamento pagoPA: Ricarica mensa\nCodice avviso: 3222 0115 1398 5741 81\n\
             Codice fiscale ente: 00123456789\nImporto: € 50,00\nScadenza: 28/12/2026\n\
             Codice CBILL: AB12C"
        );
        let english = Lang::En.avviso_share_text(&AvvisoToShare {
            description: None,
            cbill_code: "",
            ..avviso
        });
        assert!(english.starts_with("pagoPA payment notice\nNotice code: 3222"));
        assert!(
            !english.contains("CBILL"),
            "an empty field is left out: {english}"
        );
    }

    #[test]
    fn amounts_follow_the_language() {
        assert_eq!(Lang::It.amount(1), "€ 0,01");
        assert_eq!(Lang::It.amount(100_050), "€ 1.000,50");
        assert_eq!(Lang::It.amount(-820), "-€ 8,20");
        assert_eq!(Lang::En.amount(1), "€0.01");
        assert_eq!(Lang::En.amount(100_050), "€1,000.50");
        assert_eq!(Lang::En.amount(-820), "-€8.20");
        assert_eq!(Lang::En.amount(i64::MIN), "-€92,233,720,368,547,758.08");
        for cents in [-123_456_789, -1, 0, 5, 99, 100, 123_456] {
            assert_eq!(Lang::It.amount(cents), crate::money::format_cents(cents));
        }
    }

    #[test]
    fn dates_and_times_follow_the_language_in_rome_time() {
        let at: DateTime<Utc> = "2026-11-28T08:14:00Z".parse().unwrap();
        assert_eq!(
            Lang::It.updated_at(at),
            "Dati aggiornati al 28/11/2026 alle 09:14"
        );
        assert_eq!(Lang::En.updated_at(at), "Updated 28 Nov 2026 at 09:14");
        let day = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        assert_eq!(Lang::It.date(day), "05/03/2026");
        assert_eq!(Lang::En.date(day), "5 Mar 2026");
    }

    #[test]
    fn sheet_sentences_are_the_sheets_words() {
        assert_eq!(Lang::It.ricarica_da(1_000), "Ricarica da 10 euro");
        assert_eq!(Lang::It.ricarica_da(1_250), "Ricarica da 12,50 euro");
        assert_eq!(Lang::En.ricarica_da(1_000), "Top up €10");
        assert_eq!(Lang::En.ricarica_da(1_250), "Top up €12.50");
        assert_eq!(Lang::It.totale_pagamento(1), "Totale Pagamento: € 0,01");
        assert_eq!(
            Lang::It.pagamento_ricevuto(24),
            "Pagamento ricevuto: la ricarica sarà registrata entro 24 ore"
        );
        assert_eq!(
            Lang::It.text(Text::MailCorretta),
            "✓ Procedi! Mail corretta. Puoi procedere al pagamento."
        );
    }

    /// A code added to a `message_key` without its English text (or its row in the README's
    /// table, which lists `ERROR_CODES`) fails here.
    #[test]
    fn every_code_the_errors_give_is_listed() {
        let sources = [
            include_str!("api/error.rs"),
            include_str!("catalog.rs"),
            include_str!("email.rs"),
            include_str!("money.rs"),
            include_str!("pagopa/error.rs"),
            include_str!("ricarica/return_url.rs"),
            include_str!("ricarica/error.rs"),
            include_str!("ricarica.rs"),
        ];
        let mut found = 0;
        for source in sources {
            let start = source.find("fn message_key").expect("a message_key fn");
            let body = &source[start..];
            let body = &body[..body.find("\n    }\n").expect("its end")];
            for literal in body.split('"').skip(1).step_by(2) {
                if literal.contains('.') {
                    found += 1;
                    assert!(
                        ERROR_CODES.contains(&literal),
                        "{literal} not in ERROR_CODES"
                    );
                }
            }
        }
        assert!(found > 80, "only {found} codes found");
    }

    #[test]
    fn every_text_differs_between_the_languages() {
        use Text::*;
        for text in [
            RicaricaPersonalizzata,
            MailCorretta,
            MailNonValida,
            ModificaMail,
            PagamentoOnline,
            GeneraAvviso,
            RiepilogoPagamento,
            Indietro,
            Prosegui,
            NotaCommissione,
            PagamentoAnnullato,
            PagamentoNonRiuscito,
            PagamentoInVerifica,
            RicaricaRegistrata,
            RichiestaInCorso,
            CompletaInPagopa,
            PagamentoInAttesaDiEsito,
            PagamentoScaduto,
            AvvisoGenerato,
            DatiNonScaricati,
            ErroreGenerico,
        ] {
            assert_ne!(Lang::It.text(text), Lang::En.text(text), "{text:?}");
        }
    }
}
