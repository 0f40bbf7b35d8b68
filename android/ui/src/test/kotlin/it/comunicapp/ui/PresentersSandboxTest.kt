package it.comunicapp.ui

import it.comunicapp.core.ffi.ComunicApp
import it.comunicapp.core.ffi.PaymentMode
import it.comunicapp.core.ffi.RicaricaStep
import it.comunicapp.core.sandbox.Checkout
import it.comunicapp.core.sandbox.InMemorySecureStorage
import it.comunicapp.core.sandbox.Sandbox
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeoutOrNull
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Files
import java.nio.file.Path
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.test.fail

/**
 * The view models over the real core and the sandbox portal: what each screen's state becomes
 * after the parent's taps, with every rule left to the core.
 */
class PresentersSandboxTest {
    private val storage = InMemorySecureStorage()
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    @TempDir
    lateinit var tempDir: Path

    @AfterEach
    fun stop() = scope.cancel()

    private fun dataDir(): Path = Files.createTempDirectory(tempDir, "data")

    private fun readyApp(dataDir: Path = dataDir()): ComunicApp = runBlocking {
        Sandbox.loggedIn(dataDir, storage).also { it.refresh() }
    }

    private suspend fun <T> StateFlow<T>.await(what: String, timeoutMillis: Long = 20_000, predicate: (T) -> Boolean): T =
        withTimeoutOrNull(timeoutMillis) { first(predicate) } ?: fail("$what: not within $timeoutMillis ms; last state: $value")

    @Test
    fun `saldo dalla cache subito, poi aggiornato dal portale`(): Unit = runBlocking {
        val dataDir = dataDir()
        Sandbox.loggedIn(dataDir, storage).use { app ->
            val saldo = SaldoPresenter(app, scope)
            assertTrue(saldo.state.value.neverFetched, "nothing cached before the first refresh")
            saldo.start()
            val fresh = saldo.state.await("children after the refresh") { !it.refreshing && it.view?.children?.isNotEmpty() == true }
            assertNull(fresh.error)
            assertFalse(fresh.view!!.freshness.lastRefreshFailed)
            assertEquals(setOf("Giulia", "Luca", "Sofia"), fresh.view!!.children.map { it.name }.toSet())
        }
    }

    @Test
    fun `senza rete il saldo resta quello salvato con la fascia offline`(): Unit = runBlocking {
        val dataDir = dataDir()
        readyApp(dataDir).close()
        ComunicApp.open(dataDir.toString(), Sandbox.COMUNE_ID, storage, Sandbox.options(Sandbox.closedPortUrl())).use { app ->
            val saldo = SaldoPresenter(app, scope)
            // The first frame's state: the cache, read with no request.
            assertFalse(saldo.state.value.neverFetched)
            saldo.start()
            val offline = saldo.state.await("the failed refresh") { !it.refreshing && it.error != null }
            assertEquals(ShownError.Kind.CONNECTION, offline.error!!.kind)
            assertTrue(offline.error!!.retryable)
            val banner = saldo.state.await("the offline banner") { it.view?.freshness?.lastRefreshFailed == true }
            assertEquals(3, banner.view!!.children.size)
        }
    }

    @Test
    fun `ricarica personalizzata controllata dal core mentre si scrive`(): Unit = runBlocking {
        readyApp().use { app ->
            val children = app.saldo().children.map { it.childId }
            val ricarica = RicaricaPresenter(app, children, scope)
            ricarica.start()
            ricarica.state.await("the options") { !it.loading }
            ricarica.onEvent(RicaricaEvent.CustomTextChanged("1,000.00"))
            val refused = ricarica.state.await("the core's error") { it.customError != null }
            assertTrue(refused.customError!!.isNotBlank())
            assertNull(refused.draft!!.pendingAmountCents)
            ricarica.onEvent(RicaricaEvent.CustomTextChanged("25,50"))
            val accepted = ricarica.state.await("the amount") { it.draft?.pendingAmountCents == 2_550L }
            assertNull(accepted.customError)
            assertEquals("€ 25,50", accepted.draft!!.pendingAmountDisplay)
        }
    }

    @Test
    fun `la bozza sopravvive alla chiusura dell'app`(): Unit = runBlocking {
        val dataDir = dataDir()
        val luca = readyApp(dataDir).use { app ->
            val luca = app.saldo().children.single { it.name == "Luca" }.childId
            val ricarica = RicaricaPresenter(app, listOf(luca), scope)
            ricarica.start()
            ricarica.state.await("the options") { !it.loading }
            ricarica.onEvent(RicaricaEvent.ChoosePreset(1_000))
            ricarica.state.await("the amount") { it.draft?.pendingAmountCents == 1_000L }
            ricarica.onEvent(RicaricaEvent.AddItem(luca, "refezione"))
            ricarica.state.await("the item") { it.draft?.items?.size == 1 }
            ricarica.onEvent(RicaricaEvent.ConfirmCart)
            ricarica.state.await("the e-mail step") { it.draft?.step == RicaricaStep.CHECKING_EMAIL }
            luca
        }
        // A new process: the same files, a new core, a new presenter.
        ComunicApp.open(dataDir.toString(), Sandbox.COMUNE_ID, storage, Sandbox.options()).use { app ->
            val ricarica = RicaricaPresenter(app, listOf(luca), scope)
            ricarica.start()
            val restored = ricarica.state.await("the stored draft") { !it.loading }
            assertEquals(RicaricaStep.CHECKING_EMAIL, restored.draft!!.step)
            assertEquals(listOf(luca to "refezione"), restored.draft!!.items.map { it.childId to it.serviceCode })
            ricarica.onEvent(RicaricaEvent.Back)
            ricarica.state.await("back to composing") { it.draft?.step == RicaricaStep.COMPOSING }
            ricarica.discard()
        }
    }

    @Test
    fun `modifica della mail rifiutata e poi accettata`(): Unit = runBlocking {
        readyApp().use { app ->
            val children = app.saldo().children.map { it.childId }
            val ricarica = RicaricaPresenter(app, children, scope)
            ricarica.start()
            val ready = ricarica.state.await("the options") { !it.loading }
            val original = ready.payerEmail
            // The dialog opens from the e-mail check, after Ricarica.
            val giulia = app.saldo().children.single { it.name == "Giulia" }.childId
            ricarica.onEvent(RicaricaEvent.ChoosePreset(1_000))
            ricarica.state.await("the amount") { it.draft?.pendingAmountCents == 1_000L }
            ricarica.onEvent(RicaricaEvent.AddItem(giulia, "refezione"))
            ricarica.state.await("the item") { it.draft?.items?.size == 1 }
            ricarica.onEvent(RicaricaEvent.ConfirmCart)
            ricarica.state.await("the e-mail step") { it.draft?.step == RicaricaStep.CHECKING_EMAIL }
            ricarica.onEvent(RicaricaEvent.OpenEmailDialog)
            assertEquals(original, ricarica.state.value.emailDialog!!.text)
            ricarica.onEvent(RicaricaEvent.EmailTextChanged("mario.rossi"))
            ricarica.onEvent(RicaricaEvent.SaveEmail)
            val refused = ricarica.state.await("the core's e-mail error") { it.emailDialog?.error != null }
            assertFalse(refused.emailDialog!!.saving)
            ricarica.onEvent(RicaricaEvent.EmailTextChanged(original))
            ricarica.onEvent(RicaricaEvent.SaveEmail)
            val saved = ricarica.state.await("the dialog closed") { it.emailDialog == null }
            assertEquals(original, saved.options!!.payerEmail)
            assertEquals(original, saved.draft!!.payerEmail)
            assertNull(saved.error)
            ricarica.discard()
        }
    }

    @Test
    fun `genera avviso dal riepilogo`(): Unit = runBlocking {
        readyApp().use { app ->
            val giulia = app.saldo().children.single { it.name == "Giulia" }.childId
            val ricarica = RicaricaPresenter(app, listOf(giulia), scope)
            ricarica.start()
            ricarica.state.await("the options") { !it.loading }
            ricarica.onEvent(RicaricaEvent.ChoosePreset(1_000))
            ricarica.state.await("the amount") { it.draft?.pendingAmountCents == 1_000L }
            ricarica.onEvent(RicaricaEvent.AddItem(giulia, "scuolabus"))
            ricarica.state.await("the item") { it.draft?.items?.size == 1 }
            ricarica.onEvent(RicaricaEvent.ConfirmCart)
            ricarica.state.await("the e-mail step") { it.draft?.step == RicaricaStep.CHECKING_EMAIL }
            ricarica.onEvent(RicaricaEvent.ChooseMode(PaymentMode.AVVISO))
            val riepilogo = ricarica.state.await("the riepilogo") { it.riepilogo != null }
            assertEquals(PaymentMode.AVVISO, riepilogo.riepilogo!!.mode)
            ricarica.onEvent(RicaricaEvent.Prosegui)
            val submitted = ricarica.state.await("the avviso") { it.submitted != null }.submitted!!
            assertEquals(RicaricaStep.AVVISO_ISSUED, submitted.step)
            val avviso = AvvisoUi.of(assertNotNull(submitted.avviso))
            assertEquals(submitted.avviso!!.noticeNumber.chunked(4).joinToString(" "), avviso.noticeNumberDisplay)
            assertNotNull(avviso.qr, "the core draws the avviso's QR code")
            assertTrue(avviso.shareText.contains(avviso.noticeNumberDisplay), avviso.shareText)
            Checkout.payAvvisoElsewhere(submitted.avviso!!.noticeNumber)
        }
    }

    @Test
    fun `esito annullato nel checkout`(): Unit = runBlocking {
        readyApp().use { app ->
            val luca = app.saldo().children.single { it.name == "Luca" }.childId
            val ricarica = RicaricaPresenter(app, listOf(luca), scope)
            ricarica.start()
            ricarica.state.await("the options") { !it.loading }
            ricarica.onEvent(RicaricaEvent.ChoosePreset(5_000))
            ricarica.state.await("the amount") { it.draft?.pendingAmountCents == 5_000L }
            ricarica.onEvent(RicaricaEvent.AddItem(luca, "refezione"))
            ricarica.state.await("the item") { it.draft?.items?.size == 1 }
            ricarica.onEvent(RicaricaEvent.ConfirmCart)
            ricarica.state.await("the e-mail step") { it.draft?.step == RicaricaStep.CHECKING_EMAIL }
            ricarica.onEvent(RicaricaEvent.ChooseMode(PaymentMode.ONLINE))
            ricarica.state.await("the riepilogo") { it.riepilogo != null }
            ricarica.onEvent(RicaricaEvent.Prosegui)
            val submitted = ricarica.state.await("the checkout") { it.submitted != null }.submitted!!
            val esito = EsitoPresenter(app, submitted.localId, scope)
            esito.start()
            esito.state.await("in checkout") { it.ricarica?.step == RicaricaStep.IN_CHECKOUT }
            app.handleReturnUrl(Checkout.press(submitted.checkout!!.checkoutUrl, "cancel"))
            val cancelled = esito.state.await("cancelled") { it.ricarica?.step == RicaricaStep.CANCELLED }
            assertTrue(cancelled.ricarica!!.message.isNotBlank())
        }
    }

    @Test
    fun `pagamenti e contatti dopo la sincronizzazione`(): Unit = runBlocking {
        Sandbox.loggedIn(dataDir(), storage).use { app ->
            val contatti = ContattiPresenter(app, scope)
            assertNull(contatti.state.value.view, "no office before the first sync")
            val pagamenti = PagamentiPresenter(app, scope)
            contatti.start()
            pagamenti.start()
            pagamenti.onEvent(PagamentiEvent.Refresh)
            val office = contatti.state.await("the office") { it.view != null }.view!!
            assertTrue(office.phones.isNotEmpty() && office.phones.all { it.uri.startsWith("tel:") }, "${office.phones}")
            assertTrue(office.emailUri.startsWith("mailto:"), office.emailUri)
            val view = pagamenti.state.await("the avvisi") { !it.refreshing && it.view?.freshness?.fetchedAt != null }.view!!
            assertTrue(view.avvisiDaPagare.isNotEmpty(), "the sandbox's seed has an avviso to pay")
            assertTrue(view.avvisiDaPagare.all { AvvisoUi.of(it).qr != null })
        }
    }
}
