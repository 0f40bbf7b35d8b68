package it.comunicapp.ui

import androidx.compose.foundation.layout.BoxWithConstraints
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.material3.SnackbarHostState
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier

/**
 * The whole app over an [AppController]: the frame, the screen on top of the stack and the
 * presenters' states. The Android activity sets this as its content; the UI tests drive it.
 */
@Composable
fun ComunicAppUi(controller: AppController, labels: Labels, platform: PlatformActions, modifier: Modifier = Modifier) {
    val state by controller.state.collectAsState()
    val snackbar = remember { SnackbarHostState() }
    LaunchedEffect(state.message) {
        state.message?.let {
            snackbar.showSnackbar(it)
            controller.onMessageShown()
        }
    }
    BoxWithConstraints(modifier.fillMaxSize()) {
        val wide = maxWidth >= TwoPaneMinWidth
        val screen = state.screen
        val profile = state.profile
        val title = when (screen) {
            Screen.Comuni -> labels.comuneTitle
            Screen.Login -> labels.loginTitle
            Screen.Home -> state.tab.label(labels)
            is Screen.Ricarica -> labels.ricaricaTitle
            is Screen.Esito -> labels.esitoTitle
            is Screen.Avviso -> labels.avvisoTitle
        }
        AppFrame(
            labels = labels,
            wide = wide,
            title = title,
            tab = if (screen == Screen.Home) state.tab else null,
            onTab = controller::onTab,
            onBack = if (state.stack.size > 1) ({ controller.onBack() }) else null,
            profiles = if (screen == Screen.Home) state.profilesBar else null,
            onProfileMenu = controller::onProfileMenu,
            onSwitchProfile = controller::onSwitchProfile,
            onAddProfile = controller::onAddProfile,
            snackbar = snackbar,
        ) {
            when (screen) {
                Screen.Comuni -> ComuneScreen(state.comune, labels, controller::onComuneQuery, controller::onChooseComune)
                Screen.Login -> LoginScreen(
                    state.login ?: LoginState(profile?.comuneName.orEmpty()), labels,
                    onAccedi = controller::onAccedi,
                    onCambiaComune = { controller.onBack() || run { controller.onAddProfile(); true } },
                )
                Screen.Home -> if (profile != null) HomeTab(state.tab, profile, labels, wide, controller, platform)
                is Screen.Ricarica -> {
                    val ricarica by screen.presenter.state.collectAsState()
                    RicaricaScreen(ricarica, labels, screen.presenter::onEvent)
                }
                is Screen.Esito -> {
                    val esito by screen.presenter.state.collectAsState()
                    EsitoScreen(
                        esito, labels,
                        onReopenCheckout = platform::openInBrowser,
                        onRetry = { controller.onBack(); controller.onNuovaRicarica() },
                        onSaldo = { controller.onTab(Tab.SALDO) },
                    )
                }
                is Screen.Avviso -> AvvisoScreen(
                    screen.avviso, labels,
                    onCopy = { platform.copyToClipboard(labels.avvisoCodice, it) },
                    onShare = { platform.share(labels.avvisoCondividi, screen.avviso.shareText) },
                )
            }
        }
    }
}

@Composable
private fun HomeTab(tab: Tab, profile: OpenProfile, labels: Labels, wide: Boolean, controller: AppController, platform: PlatformActions) {
    when (tab) {
        Tab.SALDO -> {
            val saldo by profile.saldo.state.collectAsState()
            SaldoScreen(saldo, labels, wide, profile.saldo::onEvent, onRicarica = controller::onNuovaRicarica)
        }
        Tab.PAGAMENTI -> {
            val pagamenti by profile.pagamenti.state.collectAsState()
            PagamentiScreen(
                pagamenti, labels, wide, profile.pagamenti::onEvent,
                onAvviso = { if (wide) profile.pagamenti.onEvent(PagamentiEvent.SelectAvviso(it.id)) else controller.showAvviso(AvvisoUi.of(it)) },
                onRicarica = { controller.showEsito(it.localId) },
                onNuovaRicarica = controller::onNuovaRicarica,
                detail = { avviso ->
                    val ui = remember(avviso) { AvvisoUi.of(avviso) }
                    AvvisoScreen(
                        ui, labels,
                        onCopy = { platform.copyToClipboard(labels.avvisoCodice, it) },
                        onShare = { platform.share(labels.avvisoCondividi, ui.shareText) },
                    )
                },
            )
        }
        Tab.CONTATTI -> {
            val contatti by profile.contatti.state.collectAsState()
            ContattiScreen(contatti, labels, onOpenUri = platform::openUri)
        }
    }
}
