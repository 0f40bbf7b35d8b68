use super::*;
use crate::catalog::EnteConfig;

fn ente() -> EnteConfig {
    EnteConfig::valenza_example()
}

fn service(code: &str) -> Service {
    ente()
        .service(code)
        .cloned()
        .expect("service of the Valenza example")
}

fn email() -> Email {
    Email::parse("mario.rossi@gmail.com").expect("valid e-mail")
}

fn euro(units: i64) -> Amount {
    Amount::from_cents(units * 100)
}

fn step(state: &RicaricaState, event: RicaricaEvent) -> RicaricaState {
    match state.apply(event.clone()) {
        Ok(next) => next,
        Err(error) => panic!("{event:?} refused in {:?}: {error}", state.step()),
    }
}

fn add(state: &RicaricaState, choice: AmountChoice, child: &str, code: &str) -> RicaricaState {
    let with_amount = step(state, RicaricaEvent::ChooseAmount { choice });
    step(
        &with_amount,
        RicaricaEvent::AddItem {
            child_id: child.into(),
            service: service(code),
        },
    )
}

/// Through the riepilogo with one item per (child, service, euro) and the given mode.
fn riepilogo(items: &[(&str, &str, i64)], mode: PaymentMode) -> RicaricaState {
    let mut state = RicaricaState::new();
    for (child, code, units) in items {
        state = add(&state, AmountChoice::Preset(euro(*units)), child, code);
    }
    let state = step(
        &state,
        RicaricaEvent::ConfirmCart {
            payer_email: email(),
        },
    );
    let state = step(&state, RicaricaEvent::ConfirmEmail);
    step(&state, RicaricaEvent::ChooseMode { mode })
}

fn proceed(state: &RicaricaState) -> RicaricaState {
    step(
        state,
        RicaricaEvent::Proceed {
            idempotency_key: "k-7f3a9c".into(),
        },
    )
}

fn checkout_url() -> Url {
    Url::parse("https://checkout.pagopa.it/c/abc123").expect("url")
}

fn in_checkout() -> RicaricaState {
    let submitting = proceed(&riepilogo(
        &[("bimbo-1", "refezione", 20)],
        PaymentMode::Online,
    ));
    step(
        &submitting,
        RicaricaEvent::CheckoutCreated {
            ricarica_id: "R-1".into(),
            checkout_url: checkout_url(),
        },
    )
}

fn status(status: PortalStatus) -> RicaricaEvent {
    RicaricaEvent::StatusReported { status }
}

/// Persisting and reloading must give back the very same state, at every step.
fn assert_persists(state: &RicaricaState) {
    let json = serde_json::to_string(state).expect("serialise");
    let back: RicaricaState = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(&back, state, "{json}");
}

#[test]
fn ricarica_online_20_euro_refezione_registrata() {
    let start = RicaricaState::new();
    let composing = add(
        &start,
        AmountChoice::Preset(euro(20)),
        "bimbo-1",
        "refezione",
    );
    let checking = step(
        &composing,
        RicaricaEvent::ConfirmCart {
            payer_email: email(),
        },
    );
    let choosing = step(&checking, RicaricaEvent::ConfirmEmail);
    let summary = step(
        &choosing,
        RicaricaEvent::ChooseMode {
            mode: PaymentMode::Online,
        },
    );
    assert_eq!(
        copy::totale_pagamento(summary.total()),
        "Totale Pagamento: € 20,00"
    );
    let submitting = proceed(&summary);
    assert_eq!(
        submitting.submission().map(|s| s.idempotency_key.as_str()),
        Some("k-7f3a9c")
    );
    assert!(submitting.needs_settling());
    let checkout = step(
        &submitting,
        RicaricaEvent::CheckoutCreated {
            ricarica_id: "R-1".into(),
            checkout_url: checkout_url(),
        },
    );
    let returned = step(
        &checkout,
        RicaricaEvent::BrowserReturned {
            outcome: ReturnOutcome::Ok,
        },
    );
    let paid = step(&returned, status(PortalStatus::Paid));
    assert_eq!(paid.step(), RicaricaStep::PaidAwaitingRegistration);
    assert!(paid.needs_settling());
    let registered = step(&paid, status(PortalStatus::Registered));
    assert_eq!(registered.step(), RicaricaStep::Registered);
    assert!(registered.is_final() && !registered.needs_settling());
    assert_eq!(registered.total(), euro(20));
    for state in [
        &start,
        &composing,
        &checking,
        &choosing,
        &summary,
        &submitting,
        &checkout,
        &returned,
        &paid,
        &registered,
    ] {
        assert_persists(state);
    }
}

#[test]
fn avviso_scuolabus_pagato_in_tabaccheria() {
    let submitting = proceed(&riepilogo(
        &[("bimbo-2", "scuolabus", 50)],
        PaymentMode::Avviso,
    ));
    let issued = step(
        &submitting,
        RicaricaEvent::NoticeIssued {
            ricarica_id: "R-2".into(),
            notice_number: "322201151398574181".into(),
        },
    );
    assert_eq!(issued.step(), RicaricaStep::AvvisoIssued);
    assert!(issued.needs_settling());
    assert_persists(&issued);
    let still_unpaid = step(&issued, status(PortalStatus::InProgress));
    assert_eq!(still_unpaid, issued);
    let paid = step(&issued, status(PortalStatus::Paid));
    let registered = step(&paid, status(PortalStatus::Registered));
    assert_eq!(registered.step(), RicaricaStep::Registered);
    // A tobacconist's payment may reach the portal already registered.
    assert_eq!(
        step(&issued, status(PortalStatus::Registered)).step(),
        RicaricaStep::Registered
    );
}

#[test]
fn app_chiusa_durante_il_pagamento_non_perde_la_ricarica() {
    // The browser never came back: the stored state still knows the top-up and the portal
    // settles it.
    let checkout = in_checkout();
    let json = serde_json::to_string(&checkout).expect("serialise");
    let reloaded: RicaricaState = serde_json::from_str(&json).expect("deserialise");
    assert!(reloaded.needs_settling());
    let paid = step(&reloaded, status(PortalStatus::Paid));
    assert_eq!(paid.step(), RicaricaStep::PaidAwaitingRegistration);
}

#[test]
fn the_portal_outranks_the_return_url() {
    // A cancel return URL proves nothing; the portal says it was paid.
    let returned = step(
        &in_checkout(),
        RicaricaEvent::BrowserReturned {
            outcome: ReturnOutcome::Cancel,
        },
    );
    assert_eq!(
        step(&returned, status(PortalStatus::Paid)).step(),
        RicaricaStep::PaidAwaitingRegistration
    );
    for (reported, settled) in [
        (PortalStatus::Cancelled, RicaricaStep::Cancelled),
        (PortalStatus::Failed, RicaricaStep::Failed),
        (PortalStatus::Expired, RicaricaStep::Expired),
        (PortalStatus::InProgress, RicaricaStep::Returned),
    ] {
        assert_eq!(step(&returned, status(reported)).step(), settled);
    }
}

#[test]
fn indietro_goes_back_step_by_step_keeping_the_cart() {
    let summary = riepilogo(&[("bimbo-1", "scuolabus", 10)], PaymentMode::Avviso);
    let choosing = step(&summary, RicaricaEvent::Back);
    assert_eq!(choosing.step(), RicaricaStep::ChoosingMode);
    let online = step(
        &choosing,
        RicaricaEvent::ChooseMode {
            mode: PaymentMode::Online,
        },
    );
    match &online {
        RicaricaState::Riepilogo { order } => assert_eq!(order.mode, PaymentMode::Online),
        other => panic!("unexpected {other:?}"),
    }
    let checking = step(&choosing, RicaricaEvent::Back);
    assert_eq!(checking.step(), RicaricaStep::CheckingEmail);
    let composing = step(&checking, RicaricaEvent::Back);
    assert_eq!(composing.step(), RicaricaStep::Composing);
    assert_eq!(composing.cart().len(), 1);
    assert_eq!(composing.total(), euro(10));
}

#[test]
fn changing_the_email_keeps_the_new_address() {
    let composing = add(
        &RicaricaState::new(),
        AmountChoice::Preset(euro(10)),
        "b",
        "scuolabus",
    );
    let checking = step(
        &composing,
        RicaricaEvent::ConfirmCart {
            payer_email: email(),
        },
    );
    let new_email = Email::parse("anna.rossi@libero.it").expect("valid");
    let changed = step(
        &checking,
        RicaricaEvent::ChangeEmail {
            payer_email: new_email.clone(),
        },
    );
    let summary = step(
        &step(&changed, RicaricaEvent::ConfirmEmail),
        RicaricaEvent::ChooseMode {
            mode: PaymentMode::Online,
        },
    );
    match summary {
        RicaricaState::Riepilogo { order } => assert_eq!(order.payer_email, new_email),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn several_children_in_one_cart_up_to_five() {
    let mut state = RicaricaState::new();
    for child in 1..=5 {
        state = add(
            &state,
            AmountChoice::Custom(Amount::from_cents(1_050)),
            &format!("bimbo-{child}"),
            "refezione",
        );
    }
    assert_eq!(state.cart().len(), 5);
    assert_eq!(state.total(), Amount::from_cents(5_250));
    let sixth = step(
        &state,
        RicaricaEvent::ChooseAmount {
            choice: AmountChoice::Preset(euro(10)),
        },
    );
    let refused = sixth.apply(RicaricaEvent::AddItem {
        child_id: "bimbo-6".into(),
        service: service("refezione"),
    });
    assert_eq!(refused, Err(TransitionError::CartFull));
    assert_eq!(sixth.cart().len(), 5);
    // Removing one makes room again.
    let removed = step(
        &sixth,
        RicaricaEvent::RemoveItem {
            child_id: "bimbo-3".into(),
            service_code: "refezione".into(),
        },
    );
    let added = step(
        &removed,
        RicaricaEvent::AddItem {
            child_id: "bimbo-6".into(),
            service: service("refezione"),
        },
    );
    assert_eq!(added.cart().len(), 5);
}

#[test]
fn the_same_child_and_service_cannot_be_in_one_cart_twice() {
    let state = add(
        &RicaricaState::new(),
        AmountChoice::Preset(euro(10)),
        "bimbo-1",
        "scuolabus",
    );
    let again = step(
        &state,
        RicaricaEvent::ChooseAmount {
            choice: AmountChoice::Preset(euro(20)),
        },
    );
    assert_eq!(
        again.apply(RicaricaEvent::AddItem {
            child_id: "bimbo-1".into(),
            service: service("scuolabus"),
        }),
        Err(TransitionError::DuplicateItem {
            child_id: "bimbo-1".into(),
            service_code: "scuolabus".into(),
        })
    );
    // The same child for another service is a different notice, and fine.
    let other = step(
        &again,
        RicaricaEvent::AddItem {
            child_id: "bimbo-1".into(),
            service: service("refezione"),
        },
    );
    assert_eq!(other.cart().len(), 2);
}

#[test]
fn custom_amounts_respect_the_service_limits() {
    let with_amount = step(
        &RicaricaState::new(),
        RicaricaEvent::ChooseAmount {
            choice: AmountChoice::Custom(Amount::from_cents(499)),
        },
    );
    let refused = with_amount.apply(RicaricaEvent::AddItem {
        child_id: "bimbo-1".into(),
        service: service("scuolabus"),
    });
    assert_eq!(
        refused,
        Err(TransitionError::Amount(AmountError::BelowMinimum {
            min: euro(5)
        }))
    );
    assert_eq!(
        refused.map_err(|e| e.message_key()),
        Err("importo.sotto_minimo")
    );
}

#[test]
fn a_stored_cart_is_validated_when_loaded() {
    let item = |child: &str| {
        format!(r#"{{"child_id":"{child}","service_code":"scuolabus","amount":1000}}"#)
    };
    let six = (1..=6)
        .map(|n| item(&format!("c{n}")))
        .collect::<Vec<_>>()
        .join(",");
    assert!(serde_json::from_str::<Cart>(&format!("[{six}]")).is_err());
    let twice = format!("[{},{}]", item("c1"), item("c1"));
    assert!(serde_json::from_str::<Cart>(&twice).is_err());
    let negative = r#"[{"child_id":"c1","service_code":"scuolabus","amount":-5}]"#;
    assert!(serde_json::from_str::<Cart>(negative).is_err());
    let fine = format!("[{},{}]", item("c1"), item("c2"));
    assert_eq!(serde_json::from_str::<Cart>(&fine).expect("valid").len(), 2);
}

#[test]
fn illegal_transitions_are_refused_and_change_nothing() {
    use RicaricaEvent as E;
    let created = E::CheckoutCreated {
        ricarica_id: "R".into(),
        checkout_url: checkout_url(),
    };
    let notice = E::NoticeIssued {
        ricarica_id: "R".into(),
        notice_number: "322201151398574181".into(),
    };
    let online_submitting = proceed(&riepilogo(&[("b", "scuolabus", 10)], PaymentMode::Online));
    let avviso_submitting = proceed(&riepilogo(&[("b", "scuolabus", 10)], PaymentMode::Avviso));
    let paid = step(&in_checkout(), status(PortalStatus::Paid));
    let registered = step(&paid, status(PortalStatus::Registered));
    let checking = step(
        &add(
            &RicaricaState::new(),
            AmountChoice::Preset(euro(10)),
            "b",
            "scuolabus",
        ),
        E::ConfirmCart {
            payer_email: email(),
        },
    );
    let cases: Vec<(RicaricaState, RicaricaEvent)> = vec![
        (RicaricaState::new(), E::Back),
        (RicaricaState::new(), E::ConfirmEmail),
        (
            RicaricaState::new(),
            E::Proceed {
                idempotency_key: "k".into(),
            },
        ),
        (RicaricaState::new(), created.clone()),
        (RicaricaState::new(), status(PortalStatus::Paid)),
        (
            checking.clone(),
            E::ChooseMode {
                mode: PaymentMode::Online,
            },
        ),
        (
            checking.clone(),
            E::Proceed {
                idempotency_key: "k".into(),
            },
        ),
        (
            checking,
            E::ChooseAmount {
                choice: AmountChoice::Preset(euro(10)),
            },
        ),
        (
            riepilogo(&[("b", "scuolabus", 10)], PaymentMode::Online),
            created.clone(),
        ),
        (
            riepilogo(&[("b", "scuolabus", 10)], PaymentMode::Online),
            E::ConfirmEmail,
        ),
        (online_submitting.clone(), notice.clone()),
        (online_submitting.clone(), E::Back),
        (
            online_submitting.clone(),
            E::BrowserReturned {
                outcome: ReturnOutcome::Ok,
            },
        ),
        (avviso_submitting.clone(), created.clone()),
        (
            avviso_submitting,
            E::BrowserReturned {
                outcome: ReturnOutcome::Ok,
            },
        ),
        (in_checkout(), E::Back),
        (
            in_checkout(),
            E::Proceed {
                idempotency_key: "k2".into(),
            },
        ),
        (in_checkout(), created.clone()),
        (
            paid.clone(),
            E::BrowserReturned {
                outcome: ReturnOutcome::Ok,
            },
        ),
        (paid.clone(), status(PortalStatus::Cancelled)),
        (paid.clone(), status(PortalStatus::Expired)),
        (registered.clone(), status(PortalStatus::Paid)),
        (registered.clone(), E::Back),
        (registered, E::SubmissionRejected { reason: "x".into() }),
    ];
    for (state, event) in cases {
        let before = state.clone();
        let name = event.name();
        let result = state.apply(event);
        assert_eq!(
            result,
            Err(TransitionError::IllegalTransition {
                step: state.step(),
                event: name
            }),
            "{name} in {:?}",
            state.step()
        );
        assert_eq!(state, before);
    }
}

#[test]
fn flow_errors_are_typed() {
    let empty = RicaricaState::new();
    assert_eq!(
        empty.apply(RicaricaEvent::ConfirmCart {
            payer_email: email()
        }),
        Err(TransitionError::EmptyCart)
    );
    assert_eq!(
        empty.apply(RicaricaEvent::AddItem {
            child_id: "b".into(),
            service: service("scuolabus"),
        }),
        Err(TransitionError::NoAmountChosen)
    );
    assert_eq!(
        empty.apply(RicaricaEvent::ChooseAmount {
            choice: AmountChoice::Custom(Amount::zero()),
        }),
        Err(TransitionError::Amount(AmountError::Zero))
    );
    assert_eq!(
        empty.apply(RicaricaEvent::RemoveItem {
            child_id: "b".into(),
            service_code: "scuolabus".into(),
        }),
        Err(TransitionError::ItemNotInCart)
    );
    let summary = riepilogo(&[("b", "scuolabus", 10)], PaymentMode::Online);
    assert_eq!(
        summary.apply(RicaricaEvent::Proceed {
            idempotency_key: " ".into()
        }),
        Err(TransitionError::EmptyField {
            field: "idempotency_key"
        })
    );
    let rejected = step(
        &proceed(&summary),
        RicaricaEvent::SubmissionRejected {
            reason: "notice_unpayable".into(),
        },
    );
    match rejected {
        RicaricaState::Failed {
            ricarica_id,
            reason,
            ..
        } => {
            assert_eq!(ricarica_id, None);
            assert_eq!(reason, "notice_unpayable");
        }
        other => panic!("unexpected {other:?}"),
    }
    let keys: std::collections::HashSet<&str> = [
        TransitionError::IllegalTransition {
            step: RicaricaStep::Composing,
            event: "back",
        },
        TransitionError::NoAmountChosen,
        TransitionError::EmptyCart,
        TransitionError::CartFull,
        TransitionError::DuplicateItem {
            child_id: "b".into(),
            service_code: "s".into(),
        },
        TransitionError::ItemNotInCart,
        TransitionError::EmptyField { field: "x" },
    ]
    .iter()
    .map(TransitionError::message_key)
    .collect();
    assert_eq!(keys.len(), 7);
}

#[test]
fn a_top_up_found_settled_after_a_lost_create_answer_goes_straight_to_its_outcome() {
    let submitting = proceed(&riepilogo(
        &[("bimbo-1", "refezione", 20)],
        PaymentMode::Online,
    ));
    for (portal, expected) in [
        (PortalStatus::Expired, RicaricaStep::Expired),
        (PortalStatus::Cancelled, RicaricaStep::Cancelled),
        (PortalStatus::Failed, RicaricaStep::Failed),
        (PortalStatus::Paid, RicaricaStep::PaidAwaitingRegistration),
    ] {
        let next = step(
            &submitting,
            RicaricaEvent::Reconciled {
                ricarica_id: "rc-9".into(),
                status: portal,
            },
        );
        assert_eq!(next.step(), expected);
        assert_persists(&next);
    }
    // Still open on the portal: the checkout URL is needed, so this is not the way.
    assert!(matches!(
        submitting.apply(RicaricaEvent::Reconciled {
            ricarica_id: "rc-9".into(),
            status: PortalStatus::InProgress,
        }),
        Err(TransitionError::IllegalTransition { .. })
    ));
    assert!(matches!(
        submitting.apply(RicaricaEvent::Reconciled {
            ricarica_id: " ".into(),
            status: PortalStatus::Expired,
        }),
        Err(TransitionError::EmptyField { .. })
    ));
    assert!(matches!(
        in_checkout().apply(RicaricaEvent::Reconciled {
            ricarica_id: "rc-9".into(),
            status: PortalStatus::Expired,
        }),
        Err(TransitionError::IllegalTransition { .. })
    ));
}
