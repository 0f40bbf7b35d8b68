package it.comunicapp.core.sandbox

import it.comunicapp.core.ffi.ApiException
import it.comunicapp.core.ffi.ComunicApp
import it.comunicapp.core.ffi.DraftAction
import it.comunicapp.core.ffi.PaymentMode
import it.comunicapp.core.ffi.RicaricaStep
import it.comunicapp.core.ffi.SaldoListener
import it.comunicapp.core.ffi.SaldoView
import it.comunicapp.core.pagamentiUpdates
import it.comunicapp.core.ricaricaUpdates
import it.comunicapp.core.saldoUpdates
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.withTimeoutOrNull
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Files
import java.nio.file.Path
import java.util.Collections
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import kotlin.test.fail

/**
 * The screens' subscriptions through the Kotlin layer's Flows and the raw listeners, against the
 * real sandbox portal. The esito story tops up Sofia's refezione, which no other story touches,
 * so its exact balance check is not moved by the others sharing the sandbox.
 */
class SubscriptionTest {
    private val storage = InMemorySecureStorage()

    @TempDir
    lateinit var tempDir: Path

    private fun dataDir(): Path = Files.createTempDirectory(tempDir, "data")

    private fun readyApp(): ComunicApp = runBlocking {
        Sandbox.loggedIn(dataDir(), storage).also { it.refresh() }
    }

    private fun childId(app: ComunicApp, name: String): String =
        app.saldo().children.single { it.name == name }.childId

    private fun balanceIn(view: SaldoView, childId: String, service: String): Long =
        view.children.single { it.childId == childId }.services.single { it.serviceCode == service }.balanceCents

    /** The first view that satisfies [predicate], or a failure naming the last one seen. */
    private suspend fun <T> Flow<T>.awaitView(what: String, timeoutMillis: Long = 20_000, predicate: (T) -> Boolean): T {
        var seen = 0
        var last: T? = null
        return withTimeoutOrNull(timeoutMillis) {
            first { view ->
                seen++
                last = view
                predicate(view)
            }
        } ?: fail("$what: not within $timeoutMillis ms ($seen views seen, the last: $last)")
    }

    /** Checks [condition] every 50 ms for up to [timeoutMillis]; true as soon as it holds. */
    private suspend fun eventually(timeoutMillis: Long = 5_000, condition: () -> Boolean): Boolean {
        val deadline = System.nanoTime() + timeoutMillis * 1_000_000
        while (!condition()) {
            if (System.nanoTime() > deadline) return false
            delay(50)
        }
        return true
    }

    @Test
    fun `la schermata esito vede la ricarica registrata senza altre chiamate`(): Unit = runBlocking {
        readyApp().use { app ->
            val sofia = childId(app, "Sofia")
            val before = balanceIn(app.saldo(), sofia, "refezione")

            val email = app.ricaricaOptions(listOf(sofia)).payerEmail
            app.ricaricaDraftApply(DraftAction.ChoosePreset(2_000))
            app.ricaricaDraftApply(DraftAction.AddItem(sofia, "refezione"))
            app.ricaricaDraftApply(DraftAction.ConfirmCart(email))
            app.ricaricaDraftApply(DraftAction.ConfirmEmail)
            assertEquals(RicaricaStep.RIEPILOGO, app.ricaricaDraftApply(DraftAction.ChooseMode(PaymentMode.ONLINE)).step)
            val submitted = app.submit()
            val checkout = assertNotNull(submitted.checkout)
            val returned = app.handleReturnUrl(Checkout.press(checkout.checkoutUrl, "pay"))
            assertEquals(RicaricaStep.PAID_AWAITING_REGISTRATION, returned.step)

            // From here the screen only listens: the core follows the top-up by itself.
            val steps = Collections.synchronizedList(mutableListOf<RicaricaStep>())
            val registered = app.ricaricaUpdates(submitted.localId).awaitView("the registration") { view ->
                steps += view.step
                view.step == RicaricaStep.REGISTERED
            }
            assertEquals(RicaricaStep.PAID_AWAITING_REGISTRATION, steps.first(), "$steps")
            assertEquals(submitted.localId, registered.localId)
            assertTrue(registered.settled)

            val saldo = app.saldoUpdates().awaitView("the new balance", timeoutMillis = 10_000) {
                balanceIn(it, sofia, "refezione") != before
            }
            assertEquals(before + 2_000, balanceIn(saldo, sofia, "refezione"))

            val pagamenti = app.pagamentiUpdates().awaitView("the top-up in the storico", timeoutMillis = 10_000) { view ->
                view.storico.any { it.localId == submitted.localId }
            }
            assertEquals(RicaricaStep.REGISTERED, pagamenti.storico.single { it.localId == submitted.localId }.step)
            assertTrue(pagamenti.ricaricheInCorso.none { it.localId == submitted.localId }, "${pagamenti.ricaricheInCorso}")
        }
    }

    @Test
    fun `una ricarica sconosciuta non si segue`(): Unit = runBlocking {
        readyApp().use { app ->
            val error = assertThrows<ApiException.NotFound> {
                runBlocking { withTimeout(5_000) { app.ricaricaUpdates("ricarica-sconosciuta").first() } }
            }
            assertTrue(error.code.isNotBlank())
        }
    }

    @Test
    fun `chiudere la schermata ferma il lavoro del core`(): Unit = runBlocking {
        readyApp().use { app ->
            val baseline = app.liveTasks()
            val first = CompletableDeferred<SaldoView>()
            val collector = launch(Dispatchers.Default) {
                app.saldoUpdates().collect { first.complete(it) }
            }
            val view = withTimeout(5_000) { first.await() }
            assertFalse(view.children.isEmpty(), "the first view comes from the refreshed cache")
            assertEquals(baseline + 1u, app.liveTasks())

            collector.cancelAndJoin()
            eventually { app.liveTasks() == baseline }
            assertEquals(baseline, app.liveTasks())
        }
    }

    /** Takes the first view, then holds the core's call until released, as a frozen UI would. */
    private class StuckListener : SaldoListener {
        val views: MutableList<SaldoView> = Collections.synchronizedList(mutableListOf())
        val firstArrived = CountDownLatch(1)
        val release = CountDownLatch(1)

        @Volatile
        var stuck = false

        override fun onUpdate(view: SaldoView) {
            views += view
            if (firstArrived.count > 0) {
                stuck = true
                firstArrived.countDown()
                // Bounded, so a failing test cannot hang the run.
                release.await(60, TimeUnit.SECONDS)
                stuck = false
            }
        }
    }

    @Test
    fun `un ascoltatore lento non blocca il core`(): Unit = runBlocking {
        readyApp().use { app ->
            val listener = StuckListener()
            app.subscribeSaldo(listener).use { handle ->
                try {
                    assertTrue(listener.firstArrived.await(5, TimeUnit.SECONDS), "no first view")
                    // Both return while the listener still holds the core's call: that is the proof.
                    app.refresh()
                    app.refresh()
                    assertTrue(listener.stuck)
                    assertEquals(1, listener.views.size)
                } finally {
                    listener.release.countDown()
                }
                val latest = app.saldo().freshness.fetchedAt
                assertTrue(
                    eventually { listener.views.size > 1 && listener.views.last().freshness.fetchedAt == latest },
                    "after the release: ${listener.views.size} views, the last fetched at " +
                        "${listener.views.last().freshness.fetchedAt}, the cache at $latest",
                )
                assertFalse(handle.isFinished())
            }
        }
    }

    @Test
    fun `chi non legge il flusso riceve solo la vista piu recente`(): Unit = runBlocking {
        readyApp().use { app ->
            val received = Collections.synchronizedList(mutableListOf<SaldoView>())
            val gate = CompletableDeferred<Unit>()
            val collector = launch(Dispatchers.Default) {
                app.saldoUpdates().collect { view ->
                    received += view
                    if (received.size == 1) gate.await()
                }
            }
            try {
                assertTrue(eventually { received.size == 1 }, "no first view")
                repeat(3) { app.refresh() }
                assertEquals(1, received.size, "the collector has not read on")
                gate.complete(Unit)
                val latest = app.saldo().freshness.fetchedAt
                assertTrue(
                    eventually { received.size > 1 && received.last().freshness.fetchedAt == latest },
                    "after the gate: ${received.size} views, the last fetched at " +
                        "${received.last().freshness.fetchedAt}, the cache at $latest",
                )
            } finally {
                gate.complete(Unit)
                collector.cancelAndJoin()
            }
        }
    }
}
