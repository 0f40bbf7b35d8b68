//! The Contatti screen: the ente's office for the parents ("Ufficio Servizi Educativi"), with
//! what a tap on a phone number or on the address opens.

use crate::api::dto::EnteDocument;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContattiView {
    pub ente_name: String,
    pub office_name: String,
    pub phones: Vec<PhoneContact>,
    pub email: String,
    /// `mailto:` URI for the platform's mail app.
    pub email_uri: String,
    /// As the office writes them ("dalle ore 8,30 alle ore 13,30").
    pub hours: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneContact {
    /// As printed: "0131/949244".
    pub display: String,
    /// `tel:+390131949244`, for the dialer.
    pub uri: String,
}

/// From the cached ente configuration; `None` before the first sync.
pub fn build_contatti(ente: Option<&EnteDocument>) -> Option<ContattiView> {
    let ente = ente?;
    let office = &ente.support_office;
    Some(ContattiView {
        ente_name: ente.name.clone(),
        office_name: office.name.clone(),
        phones: office
            .phones
            .iter()
            .filter_map(|display| {
                Some(PhoneContact {
                    uri: tel_uri(display)?,
                    display: display.clone(),
                })
            })
            .collect(),
        email: office.email.clone(),
        email_uri: format!("mailto:{}", office.email.trim()),
        hours: office.hours.clone(),
    })
}

/// An Italian number as written on a sheet ("0131/949244", "+39 0131 949227") as a dialable
/// RFC 3966 URI; `None` for text with no number in it.
fn tel_uri(display: &str) -> Option<String> {
    let digits: String = display.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 6 || digits.len() > 15 {
        return None;
    }
    let international =
        display.trim_start().starts_with('+') || display.trim_start().starts_with("00");
    Some(if international {
        format!("tel:+{}", digits.trim_start_matches("00"))
    } else {
        format!("tel:+39{digits}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_the_sheet_writes_them_become_dialable() {
        assert_eq!(tel_uri("0131/949244").as_deref(), Some("tel:+390131949244"));
        assert_eq!(
            tel_uri("+39 0131 949227").as_deref(),
            Some("tel:+390131949227")
        );
        assert_eq!(
            tel_uri("0039 0131 949227").as_deref(),
            Some("tel:+390131949227")
        );
        assert_eq!(tel_uri("dalle 8,30"), None);
    }
}
