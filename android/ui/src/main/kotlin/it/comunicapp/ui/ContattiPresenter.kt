package it.comunicapp.ui

import it.comunicapp.core.ffi.ApiException
import it.comunicapp.core.ffi.ComunicApp
import it.comunicapp.core.ffi.ContattiView
import it.comunicapp.core.saldoUpdates
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch

/** Contatti: the ente's office from the cache; [view] is null until the first sync brought it. */
data class ContattiState(val view: ContattiView?, val error: ShownError? = null)

class ContattiPresenter(private val app: ComunicApp, private val scope: CoroutineScope) {
    private val mutableState = MutableStateFlow(read())
    val state: StateFlow<ContattiState> = mutableState.asStateFlow()

    private fun read(): ContattiState = try {
        ContattiState(app.contatti())
    } catch (e: ApiException) {
        ContattiState(null, e.shown())
    }

    /** The office arrives with a sync, and every sync publishes a Saldo: read it again then. */
    fun start(): Job = scope.launch {
        app.saldoUpdates().collect { mutableState.value = read() }
    }
}
