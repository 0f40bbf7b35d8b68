//! The ente's configuration: its services, top-up presets and limits, pagoPA codes, support office.
//!
//! It comes from the portal, so it is validated once on the way in ([`EnteConfig::new`], also used
//! by `Deserialize`): every `EnteConfig` the rest of the core sees has sane limits and presets.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::api::dto;
use crate::email::Email;
use crate::money::{Amount, AmountLimits};

pub const DEFAULT_REGISTRATION_DELAY_HOURS: u32 = 24;
pub const DEFAULT_LOW_CREDIT_MEALS: u32 = 3;

/// "Ricarica da 10 euro, 20 euro, 50 euro, 100 euro" of the instruction sheet.
pub fn default_presets() -> Vec<Amount> {
    [1_000, 2_000, 5_000, 10_000]
        .into_iter()
        .map(Amount::from_cents)
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// Credit consumed by use (meals, rides): the balance can run low or negative.
    PrepaidCredit,
    /// A retta charged per period.
    Fee,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// Stable code, e.g. `refezione`, `scuolabus`.
    pub code: String,
    /// Italian label of the service dropdown.
    pub label: String,
    pub kind: ServiceKind,
    /// Bounds of a "Ricarica personalizzata".
    pub custom_limits: AmountLimits,
    #[serde(default = "default_presets")]
    pub presets: Vec<Amount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportOffice {
    pub name: String,
    pub phones: Vec<String>,
    pub email: String,
    /// Opening hours as the office writes them.
    pub hours: String,
}

/// The unvalidated shape of an ente's configuration, as the portal sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnteConfigDraft {
    pub name: String,
    pub fiscal_code: String,
    pub cbill_code: String,
    pub services: Vec<Service>,
    pub support: SupportOffice,
    #[serde(default = "default_registration_delay_hours")]
    pub registration_delay_hours: u32,
    #[serde(default = "default_low_credit_meals")]
    pub low_credit_meals: u32,
}

/// A validated ente configuration. Read-only: build a new one from an [`EnteConfigDraft`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "EnteConfigDraft", into = "EnteConfigDraft")]
pub struct EnteConfig {
    config: EnteConfigDraft,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("Il nome dell'ente è vuoto")]
    EmptyName,
    #[error("Il codice fiscale dell'ente deve avere 11 cifre")]
    InvalidFiscalCode,
    #[error("Il codice CBILL dell'ente è vuoto")]
    EmptyCbillCode,
    #[error("L'ente non ha servizi configurati")]
    NoServices,
    #[error("Un servizio ha il codice vuoto")]
    EmptyServiceCode,
    #[error("Il servizio {code} non ha un nome")]
    EmptyServiceLabel { code: String },
    #[error("Il servizio {code} compare più volte")]
    DuplicateService { code: String },
    #[error("Il servizio {code} ha un minimo di ricarica non positivo")]
    NonPositiveMinimum { code: String },
    #[error("Il servizio {code} ha un minimo di ricarica superiore al massimo")]
    MinimumAboveMaximum { code: String },
    #[error("Il servizio {code} non ha importi predefiniti")]
    NoPresets { code: String },
    #[error("Il servizio {code} ha un importo predefinito di {preset} fuori dai limiti")]
    PresetOutsideLimits { code: String, preset: Amount },
    #[error("Il servizio {code} ha l'importo predefinito {preset} ripetuto")]
    DuplicatePreset { code: String, preset: Amount },
    #[error("L'indirizzo e-mail dell'ufficio di supporto non è valido")]
    InvalidSupportEmail,
}

impl CatalogError {
    pub fn message_key(&self) -> &'static str {
        match self {
            CatalogError::EmptyName => "catalogo.nome_vuoto",
            CatalogError::InvalidFiscalCode => "catalogo.codice_fiscale_non_valido",
            CatalogError::EmptyCbillCode => "catalogo.cbill_vuoto",
            CatalogError::NoServices => "catalogo.nessun_servizio",
            CatalogError::EmptyServiceCode => "catalogo.codice_servizio_vuoto",
            CatalogError::EmptyServiceLabel { .. } => "catalogo.nome_servizio_vuoto",
            CatalogError::DuplicateService { .. } => "catalogo.servizio_ripetuto",
            CatalogError::NonPositiveMinimum { .. } => "catalogo.minimo_non_positivo",
            CatalogError::MinimumAboveMaximum { .. } => "catalogo.minimo_sopra_massimo",
            CatalogError::NoPresets { .. } => "catalogo.nessun_importo_predefinito",
            CatalogError::PresetOutsideLimits { .. } => "catalogo.importo_predefinito_fuori_limiti",
            CatalogError::DuplicatePreset { .. } => "catalogo.importo_predefinito_ripetuto",
            CatalogError::InvalidSupportEmail => "catalogo.email_supporto_non_valida",
        }
    }
}

impl EnteConfig {
    pub fn new(draft: EnteConfigDraft) -> Result<EnteConfig, CatalogError> {
        if draft.name.trim().is_empty() {
            return Err(CatalogError::EmptyName);
        }
        if !is_ente_fiscal_code(&draft.fiscal_code) {
            return Err(CatalogError::InvalidFiscalCode);
        }
        if draft.cbill_code.trim().is_empty() {
            return Err(CatalogError::EmptyCbillCode);
        }
        if draft.services.is_empty() {
            return Err(CatalogError::NoServices);
        }
        let mut codes = HashSet::new();
        for service in &draft.services {
            validate_service(service)?;
            if !codes.insert(service.code.as_str()) {
                return Err(CatalogError::DuplicateService {
                    code: service.code.clone(),
                });
            }
        }
        Email::parse(&draft.support.email).map_err(|_| CatalogError::InvalidSupportEmail)?;
        Ok(EnteConfig { config: draft })
    }

    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// The ente's codice fiscale: exactly 11 ASCII digits.
    pub fn fiscal_code(&self) -> &str {
        &self.config.fiscal_code
    }

    pub fn cbill_code(&self) -> &str {
        &self.config.cbill_code
    }

    pub fn services(&self) -> &[Service] {
        &self.config.services
    }

    pub fn service(&self, code: &str) -> Option<&Service> {
        self.config.services.iter().find(|s| s.code == code)
    }

    pub fn support(&self) -> &SupportOffice {
        &self.config.support
    }

    pub fn registration_delay_hours(&self) -> u32 {
        self.config.registration_delay_hours
    }

    pub fn registration_delay(&self) -> chrono::TimeDelta {
        chrono::TimeDelta::hours(i64::from(self.config.registration_delay_hours))
    }

    pub fn low_credit_meals(&self) -> u32 {
        self.config.low_credit_meals
    }

    /// The Comune di Valenza as its instruction sheet describes it, for the demo and the tests.
    pub fn valenza_example() -> EnteConfig {
        let prepaid = AmountLimits {
            min: Amount::from_cents(500),
            max: Amount::from_cents(50_000),
        };
        let fee = AmountLimits {
            min: Amount::from_cents(500),
            max: Amount::from_cents(200_000),
        };
        let service = |code: &str, label: &str, kind, custom_limits| Service {
            code: code.into(),
            label: label.into(),
            kind,
            custom_limits,
            presets: default_presets(),
        };
        let draft = EnteConfigDraft {
            name: "Comune di Valenza".into(),
            // The sheet prints neither code: these are well-formed stand-ins for the demo.
            fiscal_code: "00000000201".into(),
            cbill_code: "AVLNZ".into(),
            services: vec![
                service(
                    "refezione",
                    "Refezione buono pasto",
                    ServiceKind::PrepaidCredit,
                    prepaid,
                ),
                service(
                    "refezione_retta",
                    "Refezione retta annuale",
                    ServiceKind::Fee,
                    fee,
                ),
                service(
                    "scuolabus",
                    "Scuolabus",
                    ServiceKind::PrepaidCredit,
                    prepaid,
                ),
                service("asilo_nido", "Asilo nido", ServiceKind::Fee, fee),
                service("pre_post_scuola", "Pre/post scuola", ServiceKind::Fee, fee),
            ],
            support: SupportOffice {
                name: "Ufficio Servizi Educativi".into(),
                phones: vec!["0131/949244".into(), "0131/949227".into()],
                email: "servizi.educativi@comune.valenza.al.it".into(),
                hours: "dalle ore 8,30 alle ore 13,30".into(),
            },
            registration_delay_hours: DEFAULT_REGISTRATION_DELAY_HOURS,
            low_credit_meals: DEFAULT_LOW_CREDIT_MEALS,
        };
        // Fixed data, checked by `valenza_example_is_valid`: no input reaches it, and an example
        // that did not validate must never be handed out as a validated configuration.
        #[allow(clippy::expect_used)]
        EnteConfig::new(draft).expect("the Valenza example is valid")
    }
}

impl EnteConfig {
    /// The portal's `GET /api/v1/ente` answer, validated. Services of a kind added after this
    /// app was built are left out rather than failing the whole catalog: the parent can still
    /// top up everything this app understands.
    pub fn from_portal(wire: dto::EnteDocument) -> Result<EnteConfig, CatalogError> {
        let services = wire
            .services
            .into_iter()
            .filter_map(|service| {
                let kind = match service.kind {
                    dto::ServiceKind::PrepaidCredit => ServiceKind::PrepaidCredit,
                    dto::ServiceKind::Fee => ServiceKind::Fee,
                    dto::ServiceKind::Unknown => return None,
                };
                Some(Service {
                    code: service.code,
                    label: service.label,
                    kind,
                    custom_limits: AmountLimits {
                        min: Amount::from_cents(service.min_cents),
                        max: Amount::from_cents(service.max_cents),
                    },
                    presets: service
                        .presets_cents
                        .into_iter()
                        .map(Amount::from_cents)
                        .collect(),
                })
            })
            .collect();
        let office = wire.support_office;
        EnteConfig::new(EnteConfigDraft {
            name: wire.name,
            fiscal_code: wire.fiscal_code,
            cbill_code: wire.cbill_code,
            services,
            support: SupportOffice {
                name: office.name,
                phones: office.phones,
                email: office.email,
                hours: office.hours,
            },
            registration_delay_hours: wire.registration_delay_hours,
            low_credit_meals: wire.low_credit_meals,
        })
    }
}

fn validate_service(service: &Service) -> Result<(), CatalogError> {
    let code = || service.code.clone();
    if service.code.trim().is_empty() {
        return Err(CatalogError::EmptyServiceCode);
    }
    if service.label.trim().is_empty() {
        return Err(CatalogError::EmptyServiceLabel { code: code() });
    }
    let limits = service.custom_limits;
    if !limits.min.is_positive() {
        return Err(CatalogError::NonPositiveMinimum { code: code() });
    }
    if limits.min > limits.max {
        return Err(CatalogError::MinimumAboveMaximum { code: code() });
    }
    if service.presets.is_empty() {
        return Err(CatalogError::NoPresets { code: code() });
    }
    let mut seen = HashSet::new();
    for &preset in &service.presets {
        if !limits.contains(preset) {
            return Err(CatalogError::PresetOutsideLimits {
                code: code(),
                preset,
            });
        }
        if !seen.insert(preset) {
            return Err(CatalogError::DuplicatePreset {
                code: code(),
                preset,
            });
        }
    }
    Ok(())
}

/// pagoPA checks an ente's codice fiscale for 11 digits and nothing more; neither do we.
fn is_ente_fiscal_code(text: &str) -> bool {
    text.len() == 11 && text.bytes().all(|b| b.is_ascii_digit())
}

fn default_registration_delay_hours() -> u32 {
    DEFAULT_REGISTRATION_DELAY_HOURS
}

fn default_low_credit_meals() -> u32 {
    DEFAULT_LOW_CREDIT_MEALS
}

impl TryFrom<EnteConfigDraft> for EnteConfig {
    type Error = CatalogError;

    fn try_from(draft: EnteConfigDraft) -> Result<EnteConfig, CatalogError> {
        EnteConfig::new(draft)
    }
}

impl From<EnteConfig> for EnteConfigDraft {
    fn from(config: EnteConfig) -> EnteConfigDraft {
        config.config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valenza_draft() -> EnteConfigDraft {
        EnteConfig::valenza_example().into()
    }

    fn rejected(edit: impl FnOnce(&mut EnteConfigDraft)) -> Result<EnteConfig, CatalogError> {
        let mut draft = valenza_draft();
        edit(&mut draft);
        EnteConfig::new(draft)
    }

    #[test]
    fn valenza_example_is_valid() {
        let draft = valenza_draft();
        let config = EnteConfig::new(draft).expect("the example must validate");
        assert_eq!(config.services().len(), 5);
        assert_eq!(config.support().name, "Ufficio Servizi Educativi");
        assert_eq!(config.support().phones, ["0131/949244", "0131/949227"]);
        assert_eq!(config.registration_delay(), chrono::TimeDelta::hours(24));
        assert_eq!(config.low_credit_meals(), 3);
        let meals = config.service("refezione").expect("service");
        assert_eq!(meals.kind, ServiceKind::PrepaidCredit);
        assert_eq!(meals.presets, default_presets());
        assert!(config.service("piscina").is_none());
    }

    #[test]
    fn defaults_fill_what_the_portal_leaves_out() {
        let json = r#"{
            "name": "Comune di Prova", "fiscal_code": "12345678901", "cbill_code": "ABCDE",
            "services": [{"code": "scuolabus", "label": "Scuolabus", "kind": "prepaid_credit",
                          "custom_limits": {"min": 100, "max": 30000}}],
            "support": {"name": "Ufficio", "phones": [], "email": "u@comune.it", "hours": "9-12"}
        }"#;
        let config: EnteConfig = serde_json::from_str(json).expect("valid config");
        assert_eq!(config.registration_delay_hours(), 24);
        assert_eq!(config.low_credit_meals(), 3);
        let presets = &config.services()[0].presets;
        assert_eq!(
            presets.iter().map(Amount::cents).collect::<Vec<_>>(),
            [1000, 2000, 5000, 10000]
        );
    }

    #[test]
    fn round_trips_through_json() {
        let config = EnteConfig::valenza_example();
        let json = serde_json::to_string(&config).expect("serialise");
        let back: EnteConfig = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, config);
    }

    #[test]
    fn bad_configs_are_typed_errors() {
        let code = || "scuolabus".to_string();
        let scuolabus = |d: &mut EnteConfigDraft| -> usize {
            d.services
                .iter()
                .position(|s| s.code == "scuolabus")
                .expect("present")
        };
        let cases: Vec<(Result<EnteConfig, CatalogError>, CatalogError)> = vec![
            (rejected(|d| d.name = " ".into()), CatalogError::EmptyName),
            (
                rejected(|d| d.fiscal_code = "0000000020".into()),
                CatalogError::InvalidFiscalCode,
            ),
            (
                rejected(|d| d.fiscal_code = "000000002011".into()),
                CatalogError::InvalidFiscalCode,
            ),
            (
                rejected(|d| d.fiscal_code = "0000000020A".into()),
                CatalogError::InvalidFiscalCode,
            ),
            (
                rejected(|d| d.fiscal_code = "0000000020١".into()),
                CatalogError::InvalidFiscalCode,
            ),
            (
                rejected(|d| d.cbill_code = String::new()),
                CatalogError::EmptyCbillCode,
            ),
            (rejected(|d| d.services.clear()), CatalogError::NoServices),
            (
                rejected(|d| {
                    let i = scuolabus(d);
                    d.services[i].code = String::new();
                }),
                CatalogError::EmptyServiceCode,
            ),
            (
                rejected(|d| {
                    let i = scuolabus(d);
                    d.services[i].label = String::new();
                }),
                CatalogError::EmptyServiceLabel { code: code() },
            ),
            (
                rejected(|d| {
                    let i = scuolabus(d);
                    let copy = d.services[i].clone();
                    d.services.push(copy);
                }),
                CatalogError::DuplicateService { code: code() },
            ),
            (
                rejected(|d| {
                    let i = scuolabus(d);
                    d.services[i].custom_limits.min = Amount::zero();
                }),
                CatalogError::NonPositiveMinimum { code: code() },
            ),
            (
                rejected(|d| {
                    let i = scuolabus(d);
                    d.services[i].custom_limits.max = Amount::from_cents(499);
                }),
                CatalogError::MinimumAboveMaximum { code: code() },
            ),
            (
                rejected(|d| {
                    let i = scuolabus(d);
                    d.services[i].presets.clear();
                }),
                CatalogError::NoPresets { code: code() },
            ),
            (
                rejected(|d| {
                    let i = scuolabus(d);
                    d.services[i].presets.push(Amount::from_cents(100));
                }),
                CatalogError::PresetOutsideLimits {
                    code: code(),
                    preset: Amount::from_cents(100),
                },
            ),
            (
                rejected(|d| {
                    let i = scuolabus(d);
                    d.services[i].presets.push(Amount::from_cents(2_000));
                }),
                CatalogError::DuplicatePreset {
                    code: code(),
                    preset: Amount::from_cents(2_000),
                },
            ),
            (
                rejected(|d| d.support.email = "servizi.educativi".into()),
                CatalogError::InvalidSupportEmail,
            ),
        ];
        for (result, expected) in cases {
            assert_eq!(result, Err(expected.clone()));
            assert!(expected.message_key().starts_with("catalogo."));
        }
    }

    #[test]
    fn portal_config_is_validated_and_unknown_kinds_skipped() {
        let wire_service = |code: &str, kind, min_cents| dto::ServiceInfo {
            code: code.into(),
            label: code.to_uppercase(),
            kind,
            presets_cents: vec![1_000, 2_000],
            min_cents,
            max_cents: 50_000,
        };
        let wire = |services| dto::EnteDocument {
            name: "Comune di Valenza".into(),
            fiscal_code: "80012340065".into(),
            cbill_code: "AB1C2".into(),
            services,
            support_office: dto::SupportOffice {
                name: "Ufficio".into(),
                phones: vec!["0131 949 111".into()],
                email: "servizi@comune.valenza.example.it".into(),
                hours: "lun-ven 9:00-12:30".into(),
            },
            registration_delay_hours: 48,
            low_credit_meals: 2,
        };
        let config = EnteConfig::from_portal(wire(vec![
            wire_service("refezione", dto::ServiceKind::PrepaidCredit, 1),
            wire_service("piscina", dto::ServiceKind::Unknown, 1),
        ]))
        .expect("valid portal config");
        assert_eq!(config.services().len(), 1);
        assert_eq!(config.registration_delay_hours(), 48);
        let refezione = config.service("refezione").expect("kept");
        assert_eq!(refezione.custom_limits.min, Amount::from_cents(1));
        assert_eq!(
            EnteConfig::from_portal(wire(vec![wire_service(
                "refezione",
                dto::ServiceKind::Fee,
                60_000
            )])),
            Err(CatalogError::MinimumAboveMaximum {
                code: "refezione".into()
            })
        );
    }

    #[test]
    fn deserialising_a_bad_config_fails_instead_of_panicking() {
        let mut draft = valenza_draft();
        draft.services[0].custom_limits.min = Amount::from_cents(100_000_000);
        let json = serde_json::to_string(&draft).expect("serialise draft");
        let error = serde_json::from_str::<EnteConfig>(&json).expect_err("must be rejected");
        assert!(error.to_string().contains("minimo"), "{error}");
    }
}
