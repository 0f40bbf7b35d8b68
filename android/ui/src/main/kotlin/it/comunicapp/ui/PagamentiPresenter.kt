package it.comunicapp.ui

import it.comunicapp.core.ffi.ApiException
import it.comunicapp.core.ffi.ComunicApp
import it.comunicapp.core.ffi.PagamentiView
import it.comunicapp.core.pagamentiUpdates
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

data class PagamentiState(
    val view: PagamentiView?,
    val refreshing: Boolean = false,
    val error: ShownError? = null,
    /** The avviso open beside the list on a tablet. */
    val selectedAvvisoId: String? = null,
)

sealed interface PagamentiEvent {
    data object Refresh : PagamentiEvent
    data class SelectAvviso(val id: String?) : PagamentiEvent
}

/** Pagamenti over the core: the cached view at once, then every change the core publishes. */
class PagamentiPresenter(private val app: ComunicApp, private val scope: CoroutineScope) {
    private val mutableState = MutableStateFlow(
        try {
            PagamentiState(view = app.pagamenti())
        } catch (e: ApiException) {
            PagamentiState(view = null, error = e.shown())
        },
    )
    val state: StateFlow<PagamentiState> = mutableState.asStateFlow()

    fun start(): Job = scope.launch {
        app.pagamentiUpdates().collect { view -> mutableState.update { it.copy(view = view) } }
    }

    fun onEvent(event: PagamentiEvent) {
        when (event) {
            PagamentiEvent.Refresh -> scope.launch { refresh() }
            is PagamentiEvent.SelectAvviso -> mutableState.update { it.copy(selectedAvvisoId = event.id) }
        }
    }

    private suspend fun refresh() {
        if (mutableState.value.refreshing) return
        mutableState.update { it.copy(refreshing = true, error = null) }
        val error = app.refreshShown()
        mutableState.update { it.copy(refreshing = false, error = error) }
    }
}
