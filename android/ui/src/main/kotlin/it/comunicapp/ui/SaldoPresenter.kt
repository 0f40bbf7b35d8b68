package it.comunicapp.ui

import it.comunicapp.core.ffi.ApiException
import it.comunicapp.core.ffi.ComunicApp
import it.comunicapp.core.ffi.SaldoView
import it.comunicapp.core.saldoUpdates
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** One child's service, the unit a Saldo card and the tablet's detail pane show. */
data class ServiceKey(val childId: String, val serviceCode: String)

/**
 * Everything the Saldo screen shows. [view] is the core's (formatted amounts, flags such as
 * `inDebt` and `lowCredit`, the "Dati aggiornati al …" label); the rest is the screen's own.
 */
data class SaldoState(
    val view: SaldoView?,
    val refreshing: Boolean = false,
    val error: ShownError? = null,
    val selected: ServiceKey? = null,
) {
    /** Nothing was ever downloaded: a first refresh is what the parent waits for. */
    val neverFetched: Boolean get() = view == null || view.freshness.fetchedAt == null
}

sealed interface SaldoEvent {
    data object Refresh : SaldoEvent
    data class Select(val key: ServiceKey?) : SaldoEvent
}

/**
 * The Saldo screen over the core: the cached view at once (a synchronous read of the store, so
 * the first frame needs no request), then every view the core publishes, and a refresh that the
 * parent pulls or the app starts on resume.
 */
class SaldoPresenter(private val app: ComunicApp, private val scope: CoroutineScope) {
    private val mutableState = MutableStateFlow(initial())
    val state: StateFlow<SaldoState> = mutableState.asStateFlow()

    private fun initial(): SaldoState = try {
        SaldoState(view = app.saldo())
    } catch (e: ApiException) {
        SaldoState(view = null, error = e.shown())
    }

    /** Follows the core's Saldo until [scope] ends, and refreshes once. */
    fun start(): Job = scope.launch {
        launch { app.saldoUpdates().collect { view -> mutableState.update { it.copy(view = view) } } }
        refresh()
    }

    fun onEvent(event: SaldoEvent) {
        when (event) {
            SaldoEvent.Refresh -> scope.launch { refresh() }
            is SaldoEvent.Select -> mutableState.update { it.copy(selected = event.key) }
        }
    }

    private suspend fun refresh() {
        if (mutableState.value.refreshing) return
        mutableState.update { it.copy(refreshing = true, error = null) }
        val error = app.refreshShown()
        mutableState.update { it.copy(refreshing = false, error = error) }
    }
}
