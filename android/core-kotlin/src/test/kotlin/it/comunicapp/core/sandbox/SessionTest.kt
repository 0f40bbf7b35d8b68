package it.comunicapp.core.sandbox

import it.comunicapp.core.ffi.ApiException
import it.comunicapp.core.ffi.ComunicApp
import it.comunicapp.core.ffi.listComuni
import it.comunicapp.core.ffi.qrMatrix
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.math.BigDecimal
import java.nio.file.Files
import java.nio.file.Path
import java.text.DecimalFormat
import java.text.DecimalFormatSymbols
import java.util.Locale
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The session API (login, Saldo, Pagamenti, refresh, logout) through the generated bindings,
 * against the real sandbox portal over HTTP on 127.0.0.1. Each test has its own data folder and
 * storage, so they do not depend on each other's order.
 */
class SessionTest {
    private val storage = InMemorySecureStorage()

    @TempDir
    lateinit var tempDir: Path

    /** A fresh app data folder; JUnit deletes them all after the test. */
    private fun dataDir(): Path = Files.createTempDirectory(tempDir, "data")

    private fun loggedInApp(): ComunicApp = runBlocking { Sandbox.loggedIn(dataDir(), storage) }

    @Test
    fun `la sandbox si sceglie solo nelle build di sviluppo`() {
        val development = listComuni(true)
        assertTrue(development.any { it.id == Sandbox.COMUNE_ID && it.sandbox }, "$development")
        val production = listComuni(false)
        assertTrue(production.isNotEmpty())
        assertTrue(production.none { it.sandbox || it.id == Sandbox.COMUNE_ID }, "$production")
    }

    @Test
    fun `saldo prima di ogni aggiornamento risponde subito e vuoto`() {
        Sandbox.open(dataDir(), storage).use { app ->
            assertFalse(app.isLoggedIn())
            val saldo = app.saldo()
            assertTrue(saldo.children.isEmpty())
            assertNull(saldo.freshness.fetchedAt)
            assertTrue(saldo.freshness.stale)
            assertEquals("Dati non ancora scaricati", saldo.freshness.label)
            assertTrue(app.pagamenti().avvisiDaPagare.isEmpty())
        }
    }

    @Test
    fun `login dal browser salva il token nell'archivio sicuro`() {
        Sandbox.open(dataDir(), storage).use { app ->
            val authorize = app.loginStart()
            assertTrue(authorize.startsWith(Sandbox.url), authorize)
            val query = Browser.queryOf(authorize)
            assertEquals("S256", query["code_challenge_method"])
            val callback = Browser.login(authorize)
            assertEquals(query["state"], Browser.queryOf(callback)["state"])
            assertNotNull(Browser.queryOf(callback)["code"])
            assertTrue(storage.keys().isNotEmpty(), "the pending login is kept in the secure storage")

            runBlocking { app.loginComplete(callback) }
            assertTrue(app.isLoggedIn())
            val tokens = storage.keys().filter { it.endsWith(".tokens") }
            assertEquals(1, tokens.size, "${storage.keys()}")
            assertTrue(storage.get(tokens.single())!!.isNotBlank())
        }
    }

    @Test
    fun `saldo dopo l'aggiornamento mostra tre figli in centesimi`() {
        loggedInApp().use { app ->
            val report = runBlocking { app.refresh() }
            assertTrue(report.updated.isNotEmpty(), "$report")
            val saldo = app.saldo()
            assertNotNull(saldo.freshness.fetchedAt)
            assertFalse(saldo.freshness.stale)
            assertTrue(saldo.freshness.label.startsWith("Dati aggiornati al "), saldo.freshness.label)
            assertEquals(listOf("Giulia", "Luca", "Sofia"), saldo.children.map { it.name }.sorted())

            val services = saldo.children.flatMap { it.services }
            assertTrue(services.isNotEmpty())
            for (service in services) {
                val cents: Long = service.balanceCents
                assertEquals(italianEuro(cents), service.balanceDisplay)
                assertEquals(cents < 0, service.inDebt, "${service.serviceCode}: $cents")
                service.mealPriceCents?.let { assertEquals(italianEuro(it), service.mealPriceDisplay) }
            }
            assertEquals(1, services.count { it.inDebt }, services.joinToString { "${it.serviceCode}=${it.balanceCents}" })
        }
    }

    @Test
    fun `pagamenti mostra l'avviso con il codice a gruppi di quattro`() {
        loggedInApp().use { app ->
            runBlocking { app.refresh() }
            val avvisi = app.pagamenti().avvisiDaPagare
            assertEquals(1, avvisi.size, "$avvisi")
            val avviso = avvisi.single()
            assertEquals(18, avviso.noticeNumber.length)
            assertEquals(avviso.noticeNumber.chunked(4).joinToString(" "), avviso.noticeNumberDisplay)
            assertTrue(avviso.amountCents > 0)
            assertEquals(italianEuro(avviso.amountCents), avviso.amountDisplay)
            assertTrue(avviso.qrPayload.startsWith("PAGOPA|002|${avviso.noticeNumber}|"), avviso.qrPayload)
        }
    }

    @Test
    fun `il qr dell'avviso e una matrice quadrata`() {
        loggedInApp().use { app ->
            runBlocking { app.refresh() }
            val avviso = app.pagamenti().avvisiDaPagare.first()
            val matrix = qrMatrix(avviso.qrPayload)
            val size = matrix.size.toInt()
            assertTrue(size >= 21, "the smallest QR code is 21 × 21: $size")
            assertEquals(size * size, matrix.modules.size)
            assertTrue(matrix.modules.any { it } && matrix.modules.any { !it }, "both dark and light modules")
        }
    }

    @Test
    fun `callback con state falso rifiutato e il login vero resta valido`() {
        Sandbox.open(dataDir(), storage).use { app ->
            val callback = Browser.login(app.loginStart())
            val forged = callback.replace(Regex("state=[^&]*"), "state=falso")
            val error = assertThrows<ApiException.Login> { runBlocking { app.loginComplete(forged) } }
            assertTrue(error.code.isNotBlank())
            assertFalse(app.isLoggedIn())

            runBlocking { app.loginComplete(callback) }
            assertTrue(app.isLoggedIn())
        }
    }

    @Test
    fun `logout svuota l'archivio sicuro del profilo`() {
        loggedInApp().use { app ->
            runBlocking { app.refresh() }
            assertTrue(storage.keys().isNotEmpty())
            val revoked = runBlocking { app.logout() }
            assertTrue(revoked, "the sandbox is up: the portal confirms the revocation")
            assertFalse(app.isLoggedIn())
            assertEquals(emptySet(), storage.keys().filter { it.startsWith("comunicapp.") }.toSet())
            assertTrue(app.saldo().children.isEmpty(), "logout wipes the profile's data")
        }
    }

    @Test
    fun `senza rete refresh fallisce Offline e il saldo resta dalla cache, non aggiornato`() {
        val dataDir = dataDir()
        val before = Sandbox.open(dataDir, storage).use { app ->
            runBlocking {
                app.loginComplete(Browser.login(app.loginStart()))
                app.refresh()
            }
            app.saldo()
        }
        assertFalse(before.freshness.stale)
        assertFalse(before.freshness.lastRefreshFailed)

        Sandbox.open(dataDir, storage, sandboxUrl = Sandbox.closedPortUrl()).use { app ->
            assertTrue(app.isLoggedIn())
            val error = assertThrows<ApiException.Offline> { runBlocking { app.refresh() } }
            assertTrue(error.code.isNotBlank())
            assertTrue(error.retryable, "no network is worth another try")
            val cached = app.saldo()
            assertTrue(cached.freshness.stale)
            assertTrue(cached.freshness.lastRefreshFailed)
            assertEquals(before.freshness.fetchedAt, cached.freshness.fetchedAt)
            assertEquals(
                before.children.flatMap { c -> c.services.map { c.childId to it.balanceCents } },
                cached.children.flatMap { c -> c.services.map { c.childId to it.balanceCents } },
            )
        }
    }

    /** it-IT euro text computed here, independently of the core: "-€ 1.234,50". */
    private fun italianEuro(cents: Long): String {
        val format = DecimalFormat("#,##0.00", DecimalFormatSymbols(Locale.ITALY))
        val magnitude = format.format(BigDecimal.valueOf(cents).abs().movePointLeft(2))
        return (if (cents < 0) "-" else "") + "€ " + magnitude
    }
}
