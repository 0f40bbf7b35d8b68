package it.comunicapp.core.sandbox

import it.comunicapp.core.ffi.ApiException
import it.comunicapp.core.ffi.ComunicApp
import it.comunicapp.core.ffi.DraftAction
import it.comunicapp.core.ffi.PaymentMode
import it.comunicapp.core.ffi.RicaricaStep
import it.comunicapp.core.ffi.RicaricaView
import it.comunicapp.core.ffi.parsePaymentQr
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Files
import java.nio.file.Path
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The parent's top-up stories through the generated bindings, against the real sandbox portal and
 * its pagoPA checkout over HTTP on 127.0.0.1. Each story tops up a different child or service, so
 * the balances one story checks are not moved by another sharing the same sandbox.
 */
class RicaricaTest {
    private val storage = InMemorySecureStorage()

    @TempDir
    lateinit var tempDir: Path

    private fun dataDir(): Path = Files.createTempDirectory(tempDir, "data")

    /** Logged in and refreshed: the catalog and the children are in the cache. */
    private fun readyApp(dataDir: Path = dataDir()): ComunicApp = runBlocking {
        Sandbox.loggedIn(dataDir, storage).also { it.refresh() }
    }

    private fun childId(app: ComunicApp, name: String): String =
        app.saldo().children.single { it.name == name }.childId

    private fun balance(app: ComunicApp, childId: String, service: String): Long =
        app.saldo().children.single { it.childId == childId }.services.single { it.serviceCode == service }.balanceCents

    /** Composes a one-item draft up to the Riepilogo, as the parent taps through the screens. */
    private suspend fun composeToRiepilogo(app: ComunicApp, childId: String, service: String, cents: Long, mode: PaymentMode) {
        val email = app.ricaricaOptions(listOf(childId)).payerEmail
        app.ricaricaDraftApply(DraftAction.ChoosePreset(cents))
        app.ricaricaDraftApply(DraftAction.AddItem(childId, service))
        assertEquals(RicaricaStep.CHECKING_EMAIL, app.ricaricaDraftApply(DraftAction.ConfirmCart(email)).step)
        assertEquals(RicaricaStep.CHOOSING_MODE, app.ricaricaDraftApply(DraftAction.ConfirmEmail).step)
        assertEquals(RicaricaStep.RIEPILOGO, app.ricaricaDraftApply(DraftAction.ChooseMode(mode)).step)
    }

    /** Starts of the app (resume_pending) until the portal registers `localId`, within 20 s. */
    private suspend fun untilRegistered(app: ComunicApp, localId: String): RicaricaView {
        val deadline = System.nanoTime() + 20_000_000_000L
        while (true) {
            val view = app.resumePending().singleOrNull { it.localId == localId }
                ?: app.ricariche().single { it.localId == localId }
            if (view.step != RicaricaStep.PAID_AWAITING_REGISTRATION || System.nanoTime() > deadline) return view
            delay(250)
        }
    }

    private fun stepOf(app: ComunicApp, localId: String): RicaricaStep =
        app.ricariche().single { it.localId == localId }.step

    @Test
    fun `ricarica da 20 euro refezione online pagata`(): Unit = runBlocking {
        readyApp().use { app ->
            val giulia = childId(app, "Giulia")
            val before = balance(app, giulia, "refezione")

            val options = app.ricaricaOptions(listOf(giulia))
            val refezione = options.children.single().services.single { it.code == "refezione" }
            assertEquals(listOf(1_000L, 2_000L, 5_000L, 10_000L), refezione.presets.map { it.amountCents })
            assertEquals(
                listOf("Ricarica da 10 euro", "Ricarica da 20 euro", "Ricarica da 50 euro", "Ricarica da 100 euro"),
                refezione.presets.map { it.label },
            )
            assertTrue(options.emailOk, options.emailMessage)

            composeToRiepilogo(app, giulia, "refezione", 2_000, PaymentMode.ONLINE)
            val riepilogo = app.riepilogo()
            assertEquals("Totale Pagamento: € 20,00", riepilogo.totalLabel)
            assertEquals(2_000L, riepilogo.totalCents)
            assertEquals(options.commissionNote, riepilogo.commissionNote)
            assertTrue(
                riepilogo.commissionNote.contains("commissione che varia in base al canale di pagamento"),
                riepilogo.commissionNote,
            )

            val submitted = app.submit()
            assertEquals(RicaricaStep.IN_CHECKOUT, submitted.step)
            val checkout = assertNotNull(submitted.checkout)
            assertNull(submitted.avviso)

            val back = Checkout.press(checkout.checkoutUrl, "pay")
            assertEquals(checkout.returnOkUrl, back, "pagoPA appends nothing to the return URL")
            val returned = app.handleReturnUrl(back)
            assertEquals(submitted.localId, returned.localId)
            assertTrue(
                returned.step in setOf(RicaricaStep.PAID_AWAITING_REGISTRATION, RicaricaStep.REGISTERED),
                "${returned.step}",
            )
            if (returned.step == RicaricaStep.PAID_AWAITING_REGISTRATION) {
                assertEquals("Pagamento ricevuto: la ricarica sarà registrata entro 24 ore", returned.message)
            }

            // poll_until_settled stops at the payment's outcome; the registration (up to 24 h on
            // a real portal, 2 s in the sandbox) is what resume_pending finds at a later start.
            val polled = app.pollUntilSettled(submitted.localId, 20uL)
            assertTrue(
                polled.step in setOf(RicaricaStep.PAID_AWAITING_REGISTRATION, RicaricaStep.REGISTERED),
                "${polled.step}",
            )
            val settled = untilRegistered(app, submitted.localId)
            assertEquals(RicaricaStep.REGISTERED, settled.step)
            assertTrue(settled.settled)
            assertTrue(app.pendingRicariche().none { it.localId == submitted.localId })

            app.refresh()
            assertEquals(before + 2_000, balance(app, giulia, "refezione"))
        }
    }

    @Test
    fun `avviso scuolabus`(): Unit = runBlocking {
        readyApp().use { app ->
            val giulia = childId(app, "Giulia")
            composeToRiepilogo(app, giulia, "scuolabus", 5_000, PaymentMode.AVVISO)
            val view = app.submit()
            assertEquals(RicaricaStep.AVVISO_ISSUED, view.step)
            assertNull(view.checkout)
            val avviso = assertNotNull(view.avviso)

            assertTrue(Regex("[0-9]{18}").matches(avviso.noticeNumber), avviso.noticeNumber)
            assertEquals(avviso.noticeNumber.chunked(4).joinToString(" "), avviso.noticeNumberDisplay)
            assertEquals(5_000L, avviso.amountCents)
            assertEquals("€ 50,00", avviso.amountDisplay)
            assertEquals(
                "PAGOPA|002|${avviso.noticeNumber}|${avviso.fiscalCode}|${avviso.amountCents}",
                avviso.qrPayload,
            )
            val scanned = parsePaymentQr(avviso.qrPayload)
            assertEquals(avviso.noticeNumber, scanned.noticeNumber)
            assertEquals(avviso.fiscalCode, scanned.fiscalCode)
            assertEquals(avviso.amountCents, scanned.amountCents)
            assertTrue(avviso.whereToPay.isNotEmpty())
            assertTrue(avviso.whereToPay.all { it.isNotBlank() }, "${avviso.whereToPay}")

            app.refresh()
            assertTrue(
                app.pagamenti().avvisiDaPagare.any { it.noticeNumber == avviso.noticeNumber },
                "${app.pagamenti().avvisiDaPagare}",
            )

            // Paid at the tobacconist, so the sandbox's "Avvisi da pagare" is as the other tests expect.
            Checkout.payAvvisoElsewhere(avviso.noticeNumber)
            app.refresh()
            assertTrue(app.pagamenti().avvisiDaPagare.none { it.noticeNumber == avviso.noticeNumber })
        }
    }

    @Test
    fun `dati sbagliati non cambiano nulla`(): Unit = runBlocking {
        readyApp().use { app ->
            val luca = childId(app, "Luca")
            app.ricaricaDraftApply(DraftAction.ChoosePreset(1_000))
            val draft = app.ricaricaDraftApply(DraftAction.AddItem(luca, "refezione"))
            val badAmount = assertThrows<ApiException.InvalidInput> {
                runBlocking { app.ricaricaDraftApply(DraftAction.ChooseCustom("1,000.00")) }
            }
            assertTrue(badAmount.code.isNotBlank())
            assertFalse(badAmount.retryable)
            assertEquals(draft, app.ricaricaDraft())

            val email = app.ricaricaOptions(listOf(luca)).payerEmail
            app.ricaricaDraftApply(DraftAction.ConfirmCart(email))
            app.ricaricaDraftApply(DraftAction.ConfirmEmail)
            app.ricaricaDraftApply(DraftAction.ChooseMode(PaymentMode.ONLINE))
            val submitted = app.submit()
            val checkout = assertNotNull(submitted.checkout)

            val forged = withForgedState(checkout.returnOkUrl)
            assertNotEquals(checkout.returnOkUrl, forged)
            val rejected = assertThrows<ApiException.ReturnUrlRejected> { runBlocking { app.handleReturnUrl(forged) } }
            assertTrue(rejected.code.isNotBlank())
            assertFalse(rejected.retryable, "a forged return URL stays forged")
            assertEquals(RicaricaStep.IN_CHECKOUT, stepOf(app, submitted.localId))

            val back = Checkout.press(checkout.checkoutUrl, "pay")
            assertEquals(checkout.returnOkUrl, back)
            val first = app.handleReturnUrl(back)
            assertNotEquals(RicaricaStep.IN_CHECKOUT, first.step)
            val stepAfterFirst = stepOf(app, submitted.localId)
            assertThrows<ApiException.ReturnUrlRejected> { runBlocking { app.handleReturnUrl(back) } }
            assertEquals(stepAfterFirst, stepOf(app, submitted.localId))
        }
    }

    @Test
    fun `la bozza sopravvive alla chiusura dell'app`() {
        val dataDir = dataDir()
        val composed = readyApp(dataDir).use { app ->
            runBlocking {
                val giulia = childId(app, "Giulia")
                val luca = childId(app, "Luca")
                val email = app.ricaricaOptions(listOf(giulia, luca)).payerEmail
                app.ricaricaDraftApply(DraftAction.ChooseCustom("12,50"))
                app.ricaricaDraftApply(DraftAction.AddItem(giulia, "refezione"))
                app.ricaricaDraftApply(DraftAction.ChoosePreset(2_000))
                app.ricaricaDraftApply(DraftAction.AddItem(luca, "refezione"))
                app.ricaricaDraftApply(DraftAction.ConfirmCart(email))
            }
        }
        assertEquals(RicaricaStep.CHECKING_EMAIL, composed.step)
        assertEquals(listOf(1_250L, 2_000L), composed.items.map { it.amountCents })
        assertEquals("Totale Pagamento: € 32,50", composed.totalLabel)

        Sandbox.open(dataDir, storage).use { reopened ->
            val restored = runBlocking { reopened.ricaricaDraft() }
            assertEquals(composed, restored)
            assertFalse(restored.items.isEmpty())
            // Still the same draft to go on with, not a copy.
            val next = runBlocking { reopened.ricaricaDraftApply(DraftAction.ConfirmEmail) }
            assertEquals(RicaricaStep.CHOOSING_MODE, next.step)
            assertEquals(composed.items, next.items)
        }
    }

    /** The return URL with its state's secret part altered: the right path, the wrong state. */
    private fun withForgedState(returnUrl: String): String {
        val state = Regex("state=([^&]*)").find(returnUrl)?.groupValues?.get(1)
            ?: error("no state in $returnUrl")
        val dot = state.indexOf('.')
        assertTrue(dot in 0 until state.length - 1, state)
        val secret = state.substring(dot + 1)
        val altered = (if (secret[0] == 'A') 'B' else 'A') + secret.substring(1)
        return returnUrl.replace("state=$state", "state=${state.substring(0, dot + 1)}$altered")
    }
}
