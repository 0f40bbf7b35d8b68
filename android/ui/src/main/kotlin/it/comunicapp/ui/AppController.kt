package it.comunicapp.ui

import it.comunicapp.core.ffi.ApiException
import it.comunicapp.core.ffi.AppOptions
import it.comunicapp.core.ffi.ComuneInfo
import it.comunicapp.core.ffi.ComunicApp
import it.comunicapp.core.ffi.Destination
import it.comunicapp.core.ffi.PaymentMode
import it.comunicapp.core.ffi.ProfileInfo
import it.comunicapp.core.ffi.RicaricaView
import it.comunicapp.core.ffi.SecureStorage
import it.comunicapp.core.ffi.listProfiles
import it.comunicapp.core.ffi.searchComuni
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** What the app is built with: where its files live, its secret storage, the core's options. */
class AppEnvironment(
    val dataDir: String,
    val storage: SecureStorage,
    val options: AppOptions,
    val platform: PlatformActions,
)

/** One open profile: the core's handle and the presenters of its tabs, alive with [scope]. */
class OpenProfile(val comuneId: String, val comuneName: String, val app: ComunicApp, parent: CoroutineScope) {
    val scope = CoroutineScope(parent.coroutineContext + SupervisorJob(parent.coroutineContext[Job]))
    val saldo = SaldoPresenter(app, scope)
    val pagamenti = PagamentiPresenter(app, scope)
    val contatti = ContattiPresenter(app, scope)

    fun close() {
        scope.cancel()
        app.close()
    }
}

/** The screens above the tabs, in the order they were opened. */
sealed interface Screen {
    data object Comuni : Screen
    data object Login : Screen
    data object Home : Screen
    /** [watcher] waits for PROSEGUI; it ends with the screen. */
    data class Ricarica(val presenter: RicaricaPresenter, val watcher: Job) : Screen
    data class Esito(val presenter: EsitoPresenter) : Screen
    data class Avviso(val avviso: AvvisoUi) : Screen
}

data class AppState(
    val stack: List<Screen> = listOf(Screen.Comuni),
    val tab: Tab = Tab.SALDO,
    val profile: OpenProfile? = null,
    val profiles: List<ProfileInfo> = emptyList(),
    val profileMenuOpen: Boolean = false,
    val comune: ComuneState = ComuneState("", emptyList()),
    val login: LoginState? = null,
    /** A message for the snackbar (a refused return link, a failed logout). */
    val message: String? = null,
) {
    val screen: Screen get() = stack.last()
    val profilesBar: ProfilesBar? get() = profile?.let { ProfilesBar(profiles, it.profileIdOrNull(profiles), profileMenuOpen) }
}

private fun OpenProfile.profileIdOrNull(profiles: List<ProfileInfo>): String? =
    profiles.firstOrNull { it.comuneId == comuneId }?.profileId

/**
 * Navigation and profiles: which screen is on top, which profile is open, and the links the
 * system hands the app (the login's redirect, the checkout's return). Rules about those links
 * are the core's: a return URL goes to `handleReturnUrl` whatever it looks like.
 */
class AppController(private val env: AppEnvironment, private val scope: CoroutineScope) {
    private val mutableState = MutableStateFlow(AppState())
    val state: StateFlow<AppState> = mutableState.asStateFlow()

    private val profile: OpenProfile? get() = state.value.profile

    /** At every start: the first signed-in profile opens on Saldo, else "Scelta del comune". */
    fun start() {
        val profiles = readProfiles()
        val signedIn = profiles.firstOrNull { it.loggedIn }
        if (signedIn != null) {
            open(signedIn.comuneId, signedIn.comuneName)
            mutableState.update { it.copy(stack = listOf(Screen.Home)) }
        } else {
            onComuneQuery("")
        }
    }

    private fun readProfiles(): List<ProfileInfo> {
        val profiles = try {
            listProfiles(env.dataDir, env.storage)
        } catch (e: ApiException) {
            mutableState.update { it.copy(message = e.shown().message) }
            emptyList()
        }
        mutableState.update { it.copy(profiles = profiles) }
        return profiles
    }

    private fun open(comuneId: String, comuneName: String): Boolean {
        profile?.close()
        val app = try {
            ComunicApp.open(env.dataDir, comuneId, env.storage, env.options)
        } catch (e: ApiException) {
            mutableState.update { it.copy(profile = null, message = e.shown().message) }
            return false
        }
        val opened = OpenProfile(comuneId, comuneName, app, scope)
        mutableState.update { it.copy(profile = opened, tab = Tab.SALDO, profileMenuOpen = false) }
        opened.saldo.start()
        opened.pagamenti.start()
        opened.contatti.start()
        // A checkout left without coming back is settled with the portal now, never lost.
        opened.scope.launch {
            try {
                app.resumePending()
            } catch (_: ApiException) {
                // Offline: the next start or the background work settles it.
            }
        }
        return true
    }

    fun onComuneQuery(query: String) {
        val comune = try {
            ComuneState(query, searchComuni(query, env.options.development))
        } catch (e: ApiException) {
            ComuneState(query, emptyList(), e.shown())
        }
        mutableState.update { it.copy(comune = comune) }
    }

    fun onChooseComune(comune: ComuneInfo) {
        if (!open(comune.id, comune.name)) return
        val app = profile?.app ?: return
        val loggedIn = try { app.isLoggedIn() } catch (_: ApiException) { false }
        mutableState.update {
            if (loggedIn) it.copy(stack = listOf(Screen.Home))
            else it.copy(stack = it.stack + Screen.Login, login = LoginState(comune.name))
        }
    }

    /** Accedi: the portal's login page in the system browser. */
    fun onAccedi() {
        val app = profile?.app ?: return
        try {
            val url = app.loginStart()
            mutableState.update { it.copy(login = it.login?.copy(waitingForBrowser = true, error = null)) }
            env.platform.openInBrowser(url)
        } catch (e: ApiException) {
            mutableState.update { it.copy(login = it.login?.copy(error = e.shown())) }
        }
    }

    /**
     * A link the system handed the app (App Link or custom scheme). While a login waits for its
     * browser, it is the login's redirect; otherwise it is a checkout's return, for the core to
     * match to its top-up or refuse.
     */
    fun onIncomingUrl(url: String): Job = scope.launch {
        val app = profile?.app ?: return@launch
        if (state.value.login?.waitingForBrowser == true) {
            completeLogin(app, url)
        } else {
            try {
                val view = app.handleReturnUrl(url)
                showEsito(view.localId)
            } catch (e: ApiException) {
                mutableState.update { it.copy(message = e.shown().message) }
            }
        }
    }

    private suspend fun completeLogin(app: ComunicApp, url: String) {
        mutableState.update { it.copy(login = it.login?.copy(waitingForBrowser = false, completing = true)) }
        try {
            app.loginComplete(url)
            readProfiles()
            mutableState.update { it.copy(stack = listOf(Screen.Home), login = null, tab = Tab.SALDO) }
            profile?.saldo?.onEvent(SaldoEvent.Refresh)
        } catch (e: ApiException) {
            mutableState.update { it.copy(login = it.login?.copy(completing = false, error = e.shown())) }
        }
    }

    /** Back from the browser without a link (tab closed): the core settles what is pending. */
    fun onResume() {
        val opened = profile ?: return
        if (state.value.login?.waitingForBrowser == true) {
            mutableState.update { it.copy(login = it.login?.copy(waitingForBrowser = false)) }
        }
        opened.scope.launch {
            try {
                opened.app.resumePending()
            } catch (_: ApiException) {
            }
        }
    }

    fun onTab(tab: Tab) {
        state.value.stack.forEach { if (it is Screen.Ricarica) it.watcher.cancel() }
        mutableState.update { it.copy(tab = tab, stack = listOf(Screen.Home)) }
    }

    fun onProfileMenu(open: Boolean) = mutableState.update { it.copy(profileMenuOpen = open) }

    fun onSwitchProfile(info: ProfileInfo) {
        mutableState.update { it.copy(profileMenuOpen = false) }
        if (info.comuneId == profile?.comuneId) return
        if (open(info.comuneId, info.comuneName)) {
            mutableState.update {
                if (info.loggedIn) it.copy(stack = listOf(Screen.Home))
                else it.copy(stack = listOf(Screen.Login), login = LoginState(info.comuneName))
            }
        }
    }

    fun onAddProfile() {
        onComuneQuery("")
        mutableState.update { it.copy(profileMenuOpen = false, stack = it.stack + Screen.Comuni) }
    }

    /** "+" on Saldo or Pagamenti: the stored draft reopens where the parent left it. */
    fun onNuovaRicarica() {
        val opened = profile ?: return
        val childIds = opened.saldo.state.value.view?.children?.map { it.childId }.orEmpty()
        val presenter = RicaricaPresenter(opened.app, childIds, opened.scope)
        presenter.start()
        // PROSEGUI: online opens the checkout and follows the esito; an avviso is shown.
        val watcher = opened.scope.launch {
            val submitted = presenter.state.first { it.submitted != null }.submitted ?: return@launch
            afterSubmit(submitted)
        }
        push(Screen.Ricarica(presenter, watcher))
    }

    private fun afterSubmit(view: RicaricaView) {
        val checkout = view.checkout
        val avviso = view.avviso
        when {
            view.mode == PaymentMode.ONLINE && checkout != null -> {
                replaceTop(esitoScreen(view.localId))
                env.platform.openInBrowser(checkout.checkoutUrl)
            }
            avviso != null -> replaceTop(Screen.Avviso(AvvisoUi.of(avviso)))
            else -> replaceTop(esitoScreen(view.localId))
        }
    }

    fun showEsito(localId: String) {
        val top = state.value.screen
        if (top is Screen.Esito && top.presenter.localId == localId) return
        val withoutFlow = state.value.stack.filterNot { it is Screen.Ricarica || it is Screen.Esito }
        mutableState.update { it.copy(stack = withoutFlow + esitoScreen(localId)) }
    }

    private fun esitoScreen(localId: String): Screen.Esito {
        val opened = checkNotNull(profile)
        return Screen.Esito(EsitoPresenter(opened.app, localId, opened.scope).also { it.start() })
    }

    fun showAvviso(avviso: AvvisoUi) = push(Screen.Avviso(avviso))

    /** A tapped notification: the screen the core named. */
    fun onDestination(destination: Destination) {
        val opened = profile ?: return
        when (destination) {
            is Destination.Saldo -> {
                onTab(Tab.SALDO)
                opened.saldo.onEvent(SaldoEvent.Select(ServiceKey(destination.childId, destination.serviceCode)))
            }
            is Destination.Ricarica -> showEsito(destination.localId)
            is Destination.Avviso -> {
                onTab(Tab.PAGAMENTI)
                opened.pagamenti.state.value.view?.avvisiDaPagare?.firstOrNull { it.id == destination.avvisoId }
                    ?.let { showAvviso(AvvisoUi.of(it)) }
            }
            Destination.Pagamenti -> onTab(Tab.PAGAMENTI)
        }
    }

    /** The system's back: false when there is nothing left to close (the app then finishes). */
    fun onBack(): Boolean {
        val stack = state.value.stack
        if (stack.size <= 1) return false
        val top = stack.last()
        if (top is Screen.Login) mutableState.update { it.copy(login = null) }
        if (top is Screen.Ricarica) top.watcher.cancel()
        mutableState.update { it.copy(stack = stack.dropLast(1)) }
        return true
    }

    fun onMessageShown() = mutableState.update { it.copy(message = null) }

    private fun push(screen: Screen) = mutableState.update { it.copy(stack = it.stack + screen) }

    private fun replaceTop(screen: Screen) = mutableState.update { it.copy(stack = it.stack.dropLast(1) + screen) }

    fun close() {
        profile?.close()
    }
}
