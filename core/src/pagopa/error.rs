//! Everything that can be wrong with a pagoPA code a parent typed or scanned.

/// Why a notice number, fiscal code, QR code, Data Matrix or RF reference was refused.
///
/// `Display` is the Italian message shown to the parent; [`PagopaError::message_key`] is the
/// stable key the apps use for their own string tables.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PagopaError {
    #[error("Il codice avviso deve avere 18 cifre")]
    WrongLength { found: usize },

    #[error("Il codice avviso può contenere solo cifre")]
    NotDigits,

    #[error("Il codice avviso deve iniziare con 0, 1, 2 o 3")]
    UnknownAuxDigit { aux_digit: u8 },

    /// The last two digits do not match the rest: almost always a typo.
    #[error("Il codice avviso non è valido: controlla di averlo scritto correttamente")]
    WrongCheckDigits { expected: u8, found: u8 },

    #[error("Il codice fiscale dell'ente deve avere 11 cifre")]
    FiscalCodeLength { found: usize },

    #[error("Il codice fiscale dell'ente può contenere solo cifre")]
    FiscalCodeNotDigits,

    #[error("Questo codice QR non è un avviso pagoPA")]
    QrPrefix,

    #[error("Questa versione del codice QR pagoPA non è supportata")]
    QrVersion,

    #[error("Il codice QR pagoPA è incompleto o contiene dati in più")]
    QrFieldCount { found: usize },

    #[error("L'importo nel codice non è valido")]
    AmountDigits,

    #[error("L'importo dell'avviso deve essere maggiore di zero")]
    ZeroAmount,

    /// Raised when building a payload: the amount does not fit the field pagoPA or Poste give it.
    #[error("L'importo è fuori dai limiti consentiti per un avviso pagoPA")]
    AmountOutOfRange { cents: i64 },

    #[error("Questo codice non è un bollettino postale pagoPA")]
    DataMatrixPrefix,

    #[error("Il codice del bollettino postale è incompleto")]
    DataMatrixLength { found: usize },

    #[error("Il numero di conto corrente postale deve avere al massimo 12 cifre")]
    PosteAccount,

    #[error(
        "Il riferimento RF deve iniziare con RF, seguito da 2 cifre di controllo e da 1 a 21 \
         lettere o cifre"
    )]
    RfFormat,

    #[error("Il riferimento RF non è valido: controlla di averlo scritto correttamente")]
    RfCheck,

    /// The payload does not fit a QR code (cannot happen for a valid pagoPA payload).
    #[error("Il codice QR non può essere disegnato")]
    QrNotDrawable,
}

impl PagopaError {
    /// Stable identifier of the message, independent of its wording.
    pub fn message_key(&self) -> &'static str {
        match self {
            PagopaError::WrongLength { .. } => "pagopa.avviso.lunghezza",
            PagopaError::NotDigits => "pagopa.avviso.solo_cifre",
            PagopaError::UnknownAuxDigit { .. } => "pagopa.avviso.aux_digit",
            PagopaError::WrongCheckDigits { .. } => "pagopa.avviso.cifre_controllo",
            PagopaError::FiscalCodeLength { .. } => "pagopa.cf_ente.lunghezza",
            PagopaError::FiscalCodeNotDigits => "pagopa.cf_ente.solo_cifre",
            PagopaError::QrPrefix => "pagopa.qr.prefisso",
            PagopaError::QrVersion => "pagopa.qr.versione",
            PagopaError::QrFieldCount { .. } => "pagopa.qr.campi",
            PagopaError::AmountDigits => "pagopa.importo.cifre",
            PagopaError::ZeroAmount => "pagopa.importo.zero",
            PagopaError::AmountOutOfRange { .. } => "pagopa.importo.fuori_limiti",
            PagopaError::DataMatrixPrefix => "pagopa.datamatrix.prefisso",
            PagopaError::DataMatrixLength { .. } => "pagopa.datamatrix.lunghezza",
            PagopaError::PosteAccount => "pagopa.datamatrix.conto",
            PagopaError::RfFormat => "pagopa.rf.formato",
            PagopaError::RfCheck => "pagopa.rf.controllo",
            PagopaError::QrNotDrawable => "pagopa.qr.non_disegnabile",
        }
    }
}
