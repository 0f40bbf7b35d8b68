package it.comunicapp.core.sandbox

import it.comunicapp.core.ffi.BackgroundReport
import it.comunicapp.core.ffi.ComunicApp
import it.comunicapp.core.ffi.Destination
import it.comunicapp.core.ffi.Language
import it.comunicapp.core.ffi.LocalNotification
import it.comunicapp.core.ffi.NotificationKind
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.math.BigDecimal
import java.nio.file.Files
import java.nio.file.Path
import java.text.DecimalFormat
import java.text.DecimalFormatSymbols
import java.util.Locale
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertTrue

/**
 * What WorkManager runs with the app closed: refresh, settle, and the local notifications to post,
 * against the real sandbox portal. The seeded family owes Sofia's November nursery fee, so one of
 * her services is in debt whatever the other stories do.
 */
class BackgroundTest {
    private val storage = InMemorySecureStorage()

    @TempDir
    lateinit var tempDir: Path

    private fun dataDir(): Path = Files.createTempDirectory(tempDir, "data")

    private fun loggedIn(language: Language = Language.ITALIAN, storage: InMemorySecureStorage = this.storage): ComunicApp =
        runBlocking { Sandbox.loggedIn(dataDir(), storage, language) }

    /** Every child × service of the cache in debt, as the destination its notification opens. */
    private fun inDebt(app: ComunicApp): List<Destination.Saldo> =
        app.saldo().children.flatMap { child ->
            child.services.filter { it.inDebt }.map { Destination.Saldo(child.childId, it.serviceCode) }
        }

    private fun debtNotification(report: BackgroundReport, destination: Destination): LocalNotification =
        report.notifications.singleOrNull { it.kind == NotificationKind.CREDIT_IN_DEBT && it.destination == destination }
            ?: throw AssertionError("no CreditInDebt notification for $destination in ${report.notifications}")

    private fun assertUniqueIds(report: BackgroundReport) {
        val ids = report.notifications.map { it.id }
        val numeric = report.notifications.map { it.numericId }
        assertEquals(ids.size, ids.toSet().size, "$ids")
        assertEquals(numeric.size, numeric.toSet().size, "$numeric")
    }

    @Test
    fun `il lavoro in background aggiorna e avvisa del debito una volta sola`(): Unit = runBlocking {
        loggedIn().use { app ->
            val report = app.runBackground(10_000uL)
            assertTrue(report.completed, "$report")
            assertTrue(report.refreshed, "$report")
            assertUniqueIds(report)

            val debts = inDebt(app)
            assertTrue(debts.isNotEmpty(), "the seeded family owes the nursery fee")
            val sofia = app.saldo().children.single { it.name == "Sofia" }
            assertTrue(debts.any { it.childId == sofia.childId }, "$debts")
            for (destination in debts) {
                assertItalian(app, debtNotification(report, destination), destination)
            }

            val again = app.runBackground(10_000uL)
            assertTrue(again.completed, "$again")
            val repeated = again.notifications.map { it.id }.intersect(report.notifications.map { it.id }.toSet())
            assertEquals(emptySet(), repeated, "posted twice: ${again.notifications}")
        }
    }

    @Test
    fun `in inglese le notifiche hanno i testi inglesi`(): Unit = runBlocking {
        val italian = loggedIn().use { app -> app.runBackground(10_000uL) to inDebt(app) }
        // A storage of its own: one profile's tokens per storage, as on one phone.
        loggedIn(Language.ENGLISH, InMemorySecureStorage()).use { app ->
            val report = app.runBackground(10_000uL)
            assertTrue(report.completed, "$report")
            val (italianReport, debts) = italian
            assertEquals(debts, inDebt(app))
            for (destination in debts) {
                val inItalian = debtNotification(italianReport, destination)
                val en = debtNotification(report, destination)
                assertNotEquals(inItalian.title, en.title)
                assertNotEquals(inItalian.body, en.body)
                assertTrue(en.title.isNotBlank() && en.body.isNotBlank(), "$en")
            }
        }
    }

    @Test
    fun `senza tempo il lavoro si ferma pulito e il successivo va fino in fondo`(): Unit = runBlocking {
        loggedIn().use { app ->
            val none = app.runBackground(0uL)
            assertFalse(none.completed, "$none")
            assertUniqueIds(none)

            val full = app.runBackground(10_000uL)
            assertTrue(full.completed, "$full")
            assertTrue(full.refreshed, "$full")
            val posted = none.notifications + full.notifications
            assertEquals(posted.size, posted.map { it.id }.toSet().size, "posted twice: $posted")
            for (destination in inDebt(app)) {
                assertTrue(
                    posted.any { it.kind == NotificationKind.CREDIT_IN_DEBT && it.destination == destination },
                    "no CreditInDebt notification for $destination in $posted",
                )
            }
        }
    }

    /**
     * The child named in the title, the service and its balance in the body, the amount written
     * the Italian way ("-€ 230,00", computed here, not by the core).
     */
    private fun assertItalian(app: ComunicApp, notification: LocalNotification, destination: Destination.Saldo) {
        val child = app.saldo().children.single { it.childId == destination.childId }
        val service = child.services.single { it.serviceCode == destination.serviceCode }
        assertTrue(notification.title.contains(child.name), "$notification")
        assertTrue(notification.body.contains(service.serviceLabel), "$notification")
        val magnitude = DecimalFormat("#,##0.00", DecimalFormatSymbols(Locale.ITALY))
            .format(BigDecimal.valueOf(service.balanceCents).abs().movePointLeft(2))
        val italianAmount = (if (service.balanceCents < 0) "-" else "") + "€ " + magnitude
        assertTrue(notification.body.contains(italianAmount), "$italianAmount in $notification")
    }
}
