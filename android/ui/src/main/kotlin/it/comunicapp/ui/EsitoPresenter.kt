package it.comunicapp.ui

import it.comunicapp.core.ffi.ApiException
import it.comunicapp.core.ffi.ComunicApp
import it.comunicapp.core.ffi.RicaricaView
import it.comunicapp.core.ricaricaUpdates
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** One line of "Nuovo saldo": the core's balance after the registration, and whose it is. */
data class NewBalance(val childName: String, val serviceLabel: String, val balanceDisplay: String)

data class EsitoState(
    val ricarica: RicaricaView? = null,
    val newBalances: List<NewBalance> = emptyList(),
    val error: ShownError? = null,
)

/**
 * The esito screen follows one top-up live: after the return URL (or at the next start) the core
 * asks the portal by itself and publishes every step, up to registered, with each item's new
 * balance (`balanceAfterDisplay`, none before the registration) and whose it is.
 */
class EsitoPresenter(private val app: ComunicApp, val localId: String, private val scope: CoroutineScope) {
    private val mutableState = MutableStateFlow(EsitoState())
    val state: StateFlow<EsitoState> = mutableState.asStateFlow()

    fun start(): Job = scope.launch {
        try {
            app.ricaricaUpdates(localId).collect { view ->
                mutableState.update { it.copy(ricarica = view, newBalances = balances(view), error = null) }
            }
        } catch (e: ApiException) {
            mutableState.update { it.copy(error = e.shown()) }
        }
    }

    private fun balances(ricarica: RicaricaView): List<NewBalance> =
        ricarica.items.mapNotNull { item ->
            val balance = item.balanceAfterDisplay ?: return@mapNotNull null
            NewBalance(item.childName ?: item.childId, item.serviceLabel, balance)
        }
}
