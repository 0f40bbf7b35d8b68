package it.comunicapp.core

import it.comunicapp.core.ffi.ApiException
import it.comunicapp.core.ffi.ComunicApp
import it.comunicapp.core.ffi.PagamentiListener
import it.comunicapp.core.ffi.PagamentiView
import it.comunicapp.core.ffi.RicaricaListener
import it.comunicapp.core.ffi.RicaricaView
import it.comunicapp.core.ffi.SaldoListener
import it.comunicapp.core.ffi.SaldoView
import it.comunicapp.core.ffi.TaskHandle
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow

/**
 * The Saldo screen as it changes: the cached view at once, then one after every refresh, return
 * URL, registration, resume or logout, so a screen never asks again nor polls.
 *
 * Conflated because a screen only ever draws the newest state: a collector that falls behind
 * (a paused lifecycle, a slow frame) skips the views in between instead of queueing them, and the
 * core, which hands a view over and moves on, is never held up by it. The core task lives exactly
 * as long as the collection: cancelling the collector's scope cancels and frees its handle.
 */
fun ComunicApp.saldoUpdates(): Flow<SaldoView> = subscription { send ->
    subscribeSaldo(object : SaldoListener {
        override fun onUpdate(view: SaldoView) = send(view)
    })
}

/** The Pagamenti screen as it changes; conflated and tied to the collection like [saldoUpdates]. */
fun ComunicApp.pagamentiUpdates(): Flow<PagamentiView> = subscription { send ->
    subscribePagamenti(object : PagamentiListener {
        override fun onUpdate(view: PagamentiView) = send(view)
    })
}

/**
 * One top-up as it settles, for the esito screen: after the return URL the core keeps asking the
 * portal by itself, so the screen only collects until the step it waits for arrives.
 * Conflated and tied to the collection like [saldoUpdates].
 *
 * An unknown [localId] fails the collection with [ApiException.NotFound], when it starts: the
 * flow is cold, so nothing is subscribed before someone collects.
 */
fun ComunicApp.ricaricaUpdates(localId: String): Flow<RicaricaView> = subscription { send ->
    subscribeRicarica(localId, object : RicaricaListener {
        override fun onUpdate(view: RicaricaView) = send(view)
    })
}

/**
 * The listener runs on a core thread, so it only offers the view to the channel: trySend never
 * blocks on a conflated channel, and fails quietly once the collector is gone.
 */
private fun <V> subscription(subscribe: (send: (V) -> Unit) -> TaskHandle): Flow<V> =
    callbackFlow {
        val handle = subscribe { view -> trySend(view) }
        awaitClose {
            // cancel() stops the core task now; close() frees the Rust object without waiting
            // for the garbage collector (whose cleaner would also cancel it, but late).
            handle.cancel()
            handle.close()
        }
    }.buffer(Channel.CONFLATED)
