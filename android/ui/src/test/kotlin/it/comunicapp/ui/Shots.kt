package it.comunicapp.ui

import androidx.compose.runtime.Composable

/** One screen in one state, drawn in the app's frame, for the screenshots. */
class Shot(
    val name: String,
    val content: @Composable (s: Samples, labels: Labels, wide: Boolean) -> Unit,
)

private val noop: (Any?) -> Unit = {}

@Composable
private fun Framed(
    labels: Labels,
    wide: Boolean,
    title: String,
    tab: Tab? = null,
    back: Boolean = false,
    profiles: ProfilesBar? = null,
    content: @Composable () -> Unit,
) {
    AppFrame(
        labels = labels, wide = wide, title = title, tab = tab, onTab = noop,
        onBack = if (back) ({}) else null, profiles = profiles,
        onProfileMenu = noop, onSwitchProfile = noop, onAddProfile = {},
    ) { content() }
}

@Composable
private fun Saldo(s: Samples, l: Labels, wide: Boolean, state: SaldoState, profiles: ProfilesBar = s.profiles) =
    Framed(l, wide, l.tabSaldo, Tab.SALDO, profiles = profiles) { SaldoScreen(state, l, wide, onEvent = noop, onRicarica = {}) }

@Composable
private fun Ricarica(s: Samples, l: Labels, wide: Boolean, state: RicaricaState) =
    Framed(l, wide, l.ricaricaTitle, back = true) { RicaricaScreen(state, l, onEvent = noop) }

@Composable
private fun Esito(l: Labels, wide: Boolean, state: EsitoState) =
    Framed(l, wide, l.esitoTitle, back = true) { EsitoScreen(state, l, onReopenCheckout = noop, onRetry = {}, onSaldo = {}) }

@Composable
private fun Pagamenti(s: Samples, l: Labels, wide: Boolean, state: PagamentiState) =
    Framed(l, wide, l.tabPagamenti, Tab.PAGAMENTI, profiles = s.profiles) {
        PagamentiScreen(
            state, l, wide, onEvent = noop, onAvviso = noop, onRicarica = noop, onNuovaRicarica = {},
            detail = { AvvisoScreen(AvvisoUi.of(it), l, onCopy = noop, onShare = {}) },
        )
    }

/** Every screen in every state the issue lists; each is drawn phone and tablet, it and en, light and dark. */
val shots: List<Shot> = listOf(
    Shot("01-comune") { s, l, w -> Framed(l, w, l.comuneTitle) { ComuneScreen(s.comuneSearch, l, noop, noop) } },
    Shot("01-comune-nessun-risultato") { s, l, w -> Framed(l, w, l.comuneTitle) { ComuneScreen(s.comuneNone, l, noop, noop) } },
    Shot("01-accedi") { s, l, w -> Framed(l, w, l.loginTitle, back = true) { LoginScreen(s.login, l, {}, {}) } },
    Shot("01-accedi-in-corso") { s, l, w -> Framed(l, w, l.loginTitle, back = true) { LoginScreen(s.loginCompleting, l, {}, {}) } },
    Shot("01-accedi-errore") { s, l, w -> Framed(l, w, l.loginTitle, back = true) { LoginScreen(s.loginError, l, {}, {}) } },
    Shot("01-profili") { s, l, w -> Saldo(s, l, w, s.saldoCached, s.profiles.copy(menuOpen = true)) },
    Shot("02-saldo") { s, l, w -> Saldo(s, l, w, s.saldoCached) },
    Shot("02-saldo-dettaglio") { s, l, w -> Saldo(s, l, w, s.saldoSelected) },
    Shot("02-saldo-offline") { s, l, w -> Saldo(s, l, w, s.saldoOffline) },
    Shot("02-saldo-caricamento") { s, l, w -> Saldo(s, l, w, s.saldoLoading) },
    Shot("02-saldo-errore") { s, l, w -> Saldo(s, l, w, s.saldoError) },
    Shot("02-saldo-vuoto") { s, l, w -> Saldo(s, l, w, s.saldoEmpty) },
    Shot("03-ricarica-caricamento") { s, l, w -> Ricarica(s, l, w, s.ricaricaLoading) },
    Shot("03-ricarica-importo") { s, l, w -> Ricarica(s, l, w, s.ricaricaComposing) },
    Shot("03-ricarica-servizio") { s, l, w -> Ricarica(s, l, w, s.ricaricaAmountChosen.copy(serviceMenuOpen = true)) },
    Shot("03-ricarica-carrello") { s, l, w -> Ricarica(s, l, w, s.ricaricaCart) },
    Shot("03-ricarica-personalizzata-errore") { s, l, w -> Ricarica(s, l, w, s.ricaricaCustomError) },
    Shot("03-ricarica-mail") { s, l, w -> Ricarica(s, l, w, s.ricaricaEmail) },
    Shot("03-ricarica-mail-non-valida") { s, l, w -> Ricarica(s, l, w, s.ricaricaEmailInvalid) },
    Shot("03-ricarica-mail-modifica") { s, l, w -> Ricarica(s, l, w, s.ricaricaEmailDialog) },
    Shot("03-ricarica-riepilogo") { s, l, w -> Ricarica(s, l, w, s.ricaricaRiepilogo) },
    Shot("04-esito-checkout") { s, l, w -> Esito(l, w, s.esitoInCheckout) },
    Shot("04-esito-in-attesa") { s, l, w -> Esito(l, w, s.esitoWaiting) },
    Shot("04-esito-pagato") { s, l, w -> Esito(l, w, s.esitoPaid) },
    Shot("04-esito-registrato") { s, l, w -> Esito(l, w, s.esitoRegistered) },
    Shot("04-esito-annullato") { s, l, w -> Esito(l, w, s.esitoCancelled) },
    Shot("04-esito-non-riuscito") { s, l, w -> Esito(l, w, s.esitoFailed) },
    Shot("04-esito-scaduto") { s, l, w -> Esito(l, w, s.esitoExpired) },
    Shot("05-avviso") { s, l, w -> Framed(l, w, l.avvisoTitle, back = true) { AvvisoScreen(s.avviso, l, noop, {}) } },
    Shot("05-avviso-da-ricarica") { s, l, w -> Framed(l, w, l.avvisoTitle, back = true) { AvvisoScreen(s.avvisoFromRicarica, l, noop, {}) } },
    Shot("06-pagamenti") { s, l, w -> Pagamenti(s, l, w, s.pagamenti) },
    Shot("06-pagamenti-avviso-scelto") { s, l, w -> Pagamenti(s, l, w, s.pagamentiSelected) },
    Shot("06-pagamenti-vuoto") { s, l, w -> Pagamenti(s, l, w, s.pagamentiEmpty) },
    Shot("06-pagamenti-offline") { s, l, w -> Pagamenti(s, l, w, s.pagamentiOffline) },
    Shot("07-contatti") { s, l, w -> Framed(l, w, l.tabContatti, Tab.CONTATTI, profiles = s.profiles) { ContattiScreen(s.contatti, l, noop) } },
    Shot("07-contatti-caricamento") { s, l, w -> Framed(l, w, l.tabContatti, Tab.CONTATTI, profiles = s.profiles) { ContattiScreen(s.contattiLoading, l, noop) } },
)
