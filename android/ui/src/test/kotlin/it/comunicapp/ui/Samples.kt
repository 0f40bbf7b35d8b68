package it.comunicapp.ui

import it.comunicapp.core.ffi.AvvisoDetails
import it.comunicapp.core.ffi.AvvisoView
import it.comunicapp.core.ffi.CheckoutLaunch
import it.comunicapp.core.ffi.ChildOptions
import it.comunicapp.core.ffi.ChildSaldo
import it.comunicapp.core.ffi.ComuneInfo
import it.comunicapp.core.ffi.ContattiView
import it.comunicapp.core.ffi.DraftItem
import it.comunicapp.core.ffi.DraftView
import it.comunicapp.core.ffi.FeeView
import it.comunicapp.core.ffi.Freshness
import it.comunicapp.core.ffi.ItemView
import it.comunicapp.core.ffi.MovementKind
import it.comunicapp.core.ffi.MovementView
import it.comunicapp.core.ffi.PagamentiView
import it.comunicapp.core.ffi.PaymentMode
import it.comunicapp.core.ffi.PhoneContact
import it.comunicapp.core.ffi.PresetView
import it.comunicapp.core.ffi.ProfileInfo
import it.comunicapp.core.ffi.ReceiptView
import it.comunicapp.core.ffi.RicaricaOptions
import it.comunicapp.core.ffi.RicaricaStep
import it.comunicapp.core.ffi.RicaricaView
import it.comunicapp.core.ffi.Riepilogo
import it.comunicapp.core.ffi.RiepilogoLine
import it.comunicapp.core.ffi.SaldoView
import it.comunicapp.core.ffi.ServiceOption
import it.comunicapp.core.ffi.ServiceSaldo
import java.time.Instant

/**
 * Every state of every screen, as the core words it in each language (texts copied from
 * core/src/copy.rs and the sandbox's seed). The same samples feed the UI tests and the
 * screenshots, so a state is looked at before it ships. Amounts here are the core's strings:
 * the app never formats money.
 */
class Samples(val lang: Lang) {
    private fun tr(it: String, en: String) = if (lang == Lang.IT) it else en

    private val fetched: Instant = Instant.parse("2026-12-02T08:14:00Z")
    private val freshness = Freshness(
        fetchedAt = fetched,
        label = tr("Dati aggiornati al 02/12/2026 alle 09:14", "Updated 2 Dec 2026 at 09:14"),
        stale = false,
        lastRefreshFailed = false,
    )
    private val offlineFreshness = freshness.copy(stale = true, lastRefreshFailed = true)
    private val never = Freshness(fetchedAt = null, label = tr("Dati non ancora scaricati", "Not downloaded yet"), stale = true, lastRefreshFailed = false)

    private fun movement(id: String, kind: MovementKind, cents: Long, itAmount: String, enAmount: String, itDate: String, enDate: String, itText: String, enText: String) =
        MovementView(id, kind, cents, tr(itAmount, enAmount), fetched, tr(itDate, enDate), tr(itText, enText))

    private val refezioneLabel = tr("Refezione buono pasto", "School meals")
    private val scuolabusLabel = tr("Scuolabus", "School bus")
    private val nidoLabel = tr("Asilo nido", "Nursery")

    val giuliaRefezione = ServiceSaldo(
        serviceCode = "refezione", serviceLabel = refezioneLabel,
        balanceCents = 2_340, balanceDisplay = tr("€ 23,40", "€23.40"), inDebt = false,
        mealPriceCents = 460, mealPriceDisplay = tr("€ 4,60", "€4.60"), mealsRemaining = 5u, lowCredit = false,
        movements = listOf(
            movement("m1", MovementKind.MEAL, -460, "-€ 4,60", "-€4.60", "01/12/2026", "1 Dec 2026", "Pasto", "Meal"),
            movement("m2", MovementKind.TOP_UP, 2_000, "€ 20,00", "€20.00", "28/11/2026", "28 Nov 2026", "Ricarica online pagoPA", "pagoPA online top-up"),
            movement("m3", MovementKind.MEAL, -460, "-€ 4,60", "-€4.60", "27/11/2026", "27 Nov 2026", "Pasto", "Meal"),
        ),
    )
    private val giuliaScuolabus = ServiceSaldo(
        serviceCode = "scuolabus", serviceLabel = scuolabusLabel,
        balanceCents = 1_200, balanceDisplay = tr("€ 12,00", "€12.00"), inDebt = false,
        mealPriceCents = null, mealPriceDisplay = null, mealsRemaining = null, lowCredit = false, movements = emptyList(),
    )
    private val lucaRefezione = ServiceSaldo(
        serviceCode = "refezione", serviceLabel = refezioneLabel,
        balanceCents = 420, balanceDisplay = tr("€ 4,20", "€4.20"), inDebt = false,
        mealPriceCents = 420, mealPriceDisplay = tr("€ 4,20", "€4.20"), mealsRemaining = 1u, lowCredit = true, movements = emptyList(),
    )
    private val sofiaNido = ServiceSaldo(
        serviceCode = "asilo_nido", serviceLabel = nidoLabel,
        balanceCents = -35_000, balanceDisplay = tr("-€ 350,00", "-€350.00"), inDebt = true,
        mealPriceCents = null, mealPriceDisplay = null, mealsRemaining = null, lowCredit = true, movements = emptyList(),
    )

    val saldoView = SaldoView(
        schoolYear = "2026/2027",
        children = listOf(
            ChildSaldo("c-giulia", "Giulia", tr("Scuola primaria \"G. Carducci\"", "Scuola primaria \"G. Carducci\""), "3ª A", listOf(giuliaRefezione, giuliaScuolabus)),
            ChildSaldo("c-luca", "Luca", "Scuola primaria \"G. Carducci\"", "1ª B", listOf(lucaRefezione)),
            ChildSaldo("c-sofia", "Sofia", "Asilo Nido \"Arcobaleno\"", tr("Lattanti", "Lattanti"), listOf(sofiaNido)),
        ),
        freshness = freshness,
    )

    val saldoCached = SaldoState(view = saldoView)
    val saldoLoading = SaldoState(view = SaldoView(null, emptyList(), never), refreshing = true)
    val saldoOffline = SaldoState(
        view = saldoView.copy(freshness = offlineFreshness),
        error = ShownError(tr("Nessuna connessione: controlla la rete e riprova", "No connection: check your network and try again"), true, ShownError.Kind.CONNECTION, "errore.offline"),
    )
    val saldoError = SaldoState(
        view = SaldoView(null, emptyList(), never),
        error = ShownError(tr("Nessuna connessione: controlla la rete e riprova", "No connection: check your network and try again"), true, ShownError.Kind.CONNECTION, "errore.offline"),
    )
    val saldoEmpty = SaldoState(view = SaldoView("2026/2027", emptyList(), freshness))
    val saldoSelected = saldoCached.copy(selected = ServiceKey("c-giulia", "refezione"))

    // --- Ricarica -------------------------------------------------------------------------

    private fun presets() = listOf(1_000L to "10", 2_000L to "20", 5_000L to "50", 10_000L to "100").map { (cents, euro) ->
        PresetView(cents, tr("Ricarica da $euro euro", "Top up €$euro"))
    }

    private fun serviceOption(code: String, label: String, itLimits: String, enLimits: String, min: Long, max: Long) =
        ServiceOption(code, label, presets(), min, max, tr(itLimits, enLimits))

    val options = RicaricaOptions(
        children = listOf(
            ChildOptions("c-giulia", "Giulia", listOf(
                serviceOption("refezione", refezioneLabel, "da € 5,00 a € 300,00", "from €5.00 to €300.00", 500, 30_000),
                serviceOption("scuolabus", scuolabusLabel, "da € 5,00 a € 200,00", "from €5.00 to €200.00", 500, 20_000),
            )),
            ChildOptions("c-luca", "Luca", listOf(
                serviceOption("refezione", refezioneLabel, "da € 5,00 a € 300,00", "from €5.00 to €300.00", 500, 30_000),
            )),
        ),
        payerEmail = "mario.rossi@example.it",
        emailOk = true,
        emailMessage = tr("✓ Procedi! Mail corretta. Puoi procedere al pagamento.", "✓ Go ahead! Your e-mail is correct. You can proceed to payment."),
        changeEmailLabel = tr("Per modificare la mail clicca qui", "To change your e-mail, tap here"),
        commissionNote = tr(
            "Si avvisano gli utenti che al pagamento è applicata una commissione che varia in base al canale di pagamento abilitato prescelto",
            "Please note that a fee is charged on the payment, depending on the payment channel you choose",
        ),
        maxItems = 5u,
    )

    private val emptyDraft = DraftView(RicaricaStep.COMPOSING, null, null, emptyList(), 0, tr("Totale Pagamento: € 0,00", "Payment total: €0.00"), null, null, true)
    private val item = DraftItem("c-giulia", "refezione", refezioneLabel, 2_000, tr("€ 20,00", "€20.00"))
    private val draftWithItem = DraftView(
        RicaricaStep.COMPOSING, 2_000, tr("€ 20,00", "€20.00"), listOf(item), 2_000,
        tr("Totale Pagamento: € 20,00", "Payment total: €20.00"), null, null, true,
    )

    val ricaricaLoading = RicaricaState()
    val ricaricaComposing = RicaricaState(options = options, draft = emptyDraft)
    val ricaricaAmountChosen = RicaricaState(options = options, draft = emptyDraft.copy(pendingAmountCents = 2_000, pendingAmountDisplay = tr("€ 20,00", "€20.00")))
    val ricaricaCart = RicaricaState(options = options, draft = draftWithItem)
    val ricaricaCustomError = RicaricaState(
        options = options, draft = emptyDraft, customText = "1,000.00",
        customError = tr("Usa un solo separatore decimale, es. 20,50", "Use one decimal separator, e.g. 20,50"),
    )
    val ricaricaEmail = RicaricaState(options = options, draft = draftWithItem.copy(step = RicaricaStep.CHECKING_EMAIL, payerEmail = "mario.rossi@example.it"))
    val ricaricaEmailInvalid = RicaricaState(
        options = options.copy(emailOk = false, payerEmail = "mario.rossi@", emailMessage = tr("La mail indicata non è valida: modificala per procedere", "This e-mail address is not valid: change it to proceed")),
        draft = draftWithItem.copy(step = RicaricaStep.CHECKING_EMAIL, payerEmail = "mario.rossi@"),
    )
    val ricaricaEmailDialog = ricaricaEmailInvalid.copy(
        emailDialog = EmailDialogState("mario.rossi@", error = tr("La parte dopo la @ non è valida", "The part after the @ is not valid")),
    )
    val riepilogo = Riepilogo(
        title = tr("Riepilogo Pagamento", "Payment summary"),
        dateLabel = tr("02/12/2026", "2 Dec 2026"),
        lines = listOf(RiepilogoLine("5439", refezioneLabel, "c-giulia", "Giulia", 2_000, tr("€ 20,00", "€20.00"))),
        totalCents = 2_000,
        totalLabel = tr("Totale Pagamento: € 20,00", "Payment total: €20.00"),
        mode = PaymentMode.ONLINE,
        modeLabel = tr("Pagamento OnLine", "Pay online"),
        commissionNote = options.commissionNote,
        fee = FeeView(100, tr("€ 1,00", "€1.00"), tr("Stima del portale: la commissione esatta dipende dal canale scelto su pagoPA", "The portal's estimate: the exact fee depends on the channel you choose on pagoPA")),
        backLabel = tr("INDIETRO", "BACK"),
        proceedLabel = tr("PROSEGUI", "CONTINUE"),
    )
    val ricaricaRiepilogo = RicaricaState(
        options = options,
        draft = draftWithItem.copy(step = RicaricaStep.RIEPILOGO, payerEmail = "mario.rossi@example.it", mode = PaymentMode.ONLINE),
        riepilogo = riepilogo,
    )

    // --- Esito ------------------------------------------------------------------------------

    private val checkout = CheckoutLaunch(
        "https://checkout.pagopa.it/c/abc", "https://app.comunicapp.it/pagopa/return/ok?s=x",
        "https://app.comunicapp.it/pagopa/return/cancel?s=x", "https://app.comunicapp.it/pagopa/return/error?s=x",
        "https://app.comunicapp.it/pagopa/return/waiting?s=x",
    )

    private fun ricarica(step: RicaricaStep, itMessage: String, enMessage: String, settled: Boolean = false) = RicaricaView(
        localId = "r-1", portalId = "5439", step = step, mode = PaymentMode.ONLINE,
        items = listOf(
            ItemView(
                "c-giulia", "refezione", 2_000, tr("€ 20,00", "€20.00"), null,
                balanceAfterCents = if (step == RicaricaStep.REGISTERED) 4_340 else null,
                balanceAfterDisplay = if (step == RicaricaStep.REGISTERED) tr("€ 43,40", "€43.40") else null,
                childName = "Giulia", serviceLabel = refezioneLabel,
            ),
        ),
        totalCents = 2_000, totalDisplay = tr("€ 20,00", "€20.00"),
        message = tr(itMessage, enMessage),
        checkout = if (step == RicaricaStep.IN_CHECKOUT) checkout else null,
        avviso = null, provisionalOutcome = null, settled = settled,
        createdAt = fetched, createdLabel = tr("02/12/2026", "2 Dec 2026"), errorKey = null,
        summary = "Giulia · $refezioneLabel",
    )

    val esitoInCheckout = EsitoState(ricarica(RicaricaStep.IN_CHECKOUT, "Completa il pagamento su pagoPA e attendi di essere riportato nell'app", "Complete the payment on pagoPA and wait to be taken back to the app"))
    val esitoWaiting = EsitoState(ricarica(RicaricaStep.RETURNED, "Pagamento preso in carico: l'esito arriverà a breve", "Payment taken in charge: the outcome will arrive shortly"))
    val esitoPaid = EsitoState(ricarica(RicaricaStep.PAID_AWAITING_REGISTRATION, "Pagamento ricevuto: la ricarica sarà registrata entro 24 ore", "Payment received: the top-up will be registered within 24 hours"))
    val esitoRegistered = EsitoState(
        ricarica(RicaricaStep.REGISTERED, "Ricarica registrata", "Top-up registered", settled = true),
        newBalances = listOf(NewBalance("Giulia", refezioneLabel, tr("€ 43,40", "€43.40"))),
    )
    val esitoCancelled = EsitoState(ricarica(RicaricaStep.CANCELLED, "Pagamento annullato: nessun addebito è stato effettuato", "Payment cancelled: nothing was charged", settled = true))
    val esitoFailed = EsitoState(ricarica(RicaricaStep.FAILED, "Pagamento non riuscito: puoi riprovare", "The payment did not go through: you can try again", settled = true))
    val esitoExpired = EsitoState(ricarica(RicaricaStep.EXPIRED, "Sessione di pagamento scaduta: nessun addebito è stato effettuato", "The payment session expired: nothing was charged", settled = true))

    // --- Avviso and Pagamenti -----------------------------------------------------------------

    private val nav = "322201151398574181"
    private val whereToPay = if (lang == Lang.IT) {
        listOf("Agenzie della banca", "Home banking del PSP (servizio CBILL o pagoPA)", "Sportelli ATM abilitati dalle banche", "Tabaccherie Sisal, Lottomatica")
    } else {
        listOf("Bank branches", "Your bank's home banking (CBILL or pagoPA service)", "ATMs enabled by the banks", "Sisal and Lottomatica tobacconists")
    }
    val avvisoView = AvvisoView(
        id = "a-1", noticeNumber = nav, noticeNumberDisplay = "3222 0115 1398 5741 81", fiscalCode = "00123456789",
        amountCents = 35_000, amountDisplay = tr("€ 350,00", "€350.00"), dueDate = "2026-12-15",
        dueDateLabel = tr("15/12/2026", "15 Dec 2026"),
        description = tr("Retta asilo nido novembre 2026 - Sofia Rossi", "Retta asilo nido novembre 2026 - Sofia Rossi"),
        childName = "Sofia", qrPayload = "PAGOPA|002|$nav|00123456789|35000", cbillCode = "A1B2C",
        whereToPay = whereToPay,
        shareText = tr(
            "Avviso di pagamento pagoPA: Retta asilo nido novembre 2026 - Sofia Rossi\nCodice avviso: 3222 0115 1398 5741 81\nImporto: € 350,00",
            "pagoPA payment notice: Retta asilo nido novembre 2026 - Sofia Rossi\nNotice code: 3222 0115 1398 5741 81\nAmount: €350.00",
        ),
    )
    val avviso: AvvisoUi get() = AvvisoUi.of(avvisoView)
    val avvisoFromRicarica: AvvisoUi
        get() = AvvisoUi.of(
            AvvisoDetails(
                noticeNumber = nav, noticeNumberDisplay = "3222 0115 1398 5741 81", fiscalCode = "00123456789",
                amountCents = 5_000, amountDisplay = tr("€ 50,00", "€50.00"), dueDate = "2026-12-28",
                dueDateLabel = tr("28/12/2026", "28 Dec 2026"), qrPayload = "PAGOPA|002|$nav|00123456789|5000",
                cbillCode = "A1B2C", whereToPay = whereToPay, shareText = "",
            ),
        )

    val pagamentiView = PagamentiView(
        avvisiDaPagare = listOf(avvisoView),
        receipts = listOf(
            ReceiptView("rc-1", "302000000000012345", 2_000, tr("€ 20,00", "€20.00"), tr("Ricarica Refezione buono pasto - Giulia", "Ricarica Refezione buono pasto - Giulia"), fetched, tr("28/11/2026", "28 Nov 2026"), "r-0"),
        ),
        ricaricheInCorso = listOf(esitoPaid.ricarica!!),
        storico = listOf(esitoRegistered.ricarica!!.copy(localId = "r-0", createdLabel = tr("28/11/2026", "28 Nov 2026")), esitoCancelled.ricarica!!.copy(localId = "r-00", createdLabel = tr("20/11/2026", "20 Nov 2026"))),
        freshness = freshness,
    )
    val pagamenti = PagamentiState(view = pagamentiView)
    val pagamentiEmpty = PagamentiState(view = PagamentiView(emptyList(), emptyList(), emptyList(), emptyList(), freshness))
    val pagamentiOffline = PagamentiState(view = pagamentiView.copy(freshness = offlineFreshness))
    val pagamentiSelected = pagamenti.copy(selectedAvvisoId = "a-1")

    // --- Contatti, comuni, login, profiles ---------------------------------------------------------

    val contatti = ContattiState(
        ContattiView(
            enteName = "Comune di Valenza", officeName = "Ufficio Servizi Educativi",
            phones = listOf(PhoneContact("0131 949244", "tel:+390131949244"), PhoneContact("0131 949227", "tel:+390131949227")),
            email = "servizi.educativi@comune.valenza.al.it", emailUri = "mailto:servizi.educativi@comune.valenza.al.it",
            hours = "dalle ore 8,30 alle ore 13,30",
        ),
    )
    val contattiLoading = ContattiState(null)

    private val comuni = listOf(
        ComuneInfo("valenza", "Valenza", "AL", "https://www2.eticasoluzioni.com/valenzaportalegen", false),
        ComuneInfo("valenzano", "Valenzano", "BA", "https://example.invalid/valenzano", false),
    )
    val comuneSearch = ComuneState("valen", comuni)
    val comuneNone = ComuneState("zzz", emptyList())
    val login = LoginState("Valenza")
    val loginCompleting = LoginState("Valenza", completing = true)
    val loginError = LoginState(
        "Valenza",
        error = ShownError(tr("Accesso non riuscito: riprova", "Login failed: try again"), false, ShownError.Kind.SESSION, "errore.accesso_non_riuscito"),
    )

    val profiles = ProfilesBar(
        profiles = listOf(
            ProfileInfo("p-valenza", "valenza", "Valenza", "Mario Rossi", true),
            ProfileInfo("p-alessandria", "alessandria", "Alessandria", "Mario Rossi", true),
        ),
        activeProfileId = "p-valenza",
        menuOpen = false,
    )
}
