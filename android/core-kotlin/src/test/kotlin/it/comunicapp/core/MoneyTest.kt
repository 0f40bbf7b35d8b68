package it.comunicapp.core

import it.comunicapp.core.ffi.ApiException
import it.comunicapp.core.ffi.formatCents
import it.comunicapp.core.ffi.parseAmount
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import kotlin.test.assertEquals
import kotlin.test.assertFalse

class MoneyTest {
    @Test
    fun `importo con simbolo euro e virgola`() {
        val parsed = parseAmount("€ 20,50")
        assertEquals(2050L, parsed.cents)
        assertEquals("€ 20,50", parsed.display)
        assertEquals(Money(2050), Money.parse("€ 20,50"))
    }

    @Test
    fun `importo in formato inglese rifiutato con chiave`() {
        val error = assertThrows<ApiException.InvalidInput> { parseAmount("1,000.00") }
        assertEquals("amount", error.field)
        // The code is what the app branches on and logs: a stable identifier, not prose.
        assert(error.code.isNotBlank() && !error.code.contains(' ')) { "code: '${error.code}'" }
        // The text the app shows as it is, in the app's language.
        assert(error.detail.isNotBlank())
        // Typing the same text again cannot help: the app must not offer "Riprova".
        assertFalse(error.retryable)
        assertThrows<ApiException.InvalidInput> { Money.parse("1,000.00") }
    }

    @Test
    fun `formattazione italiana con migliaia`() {
        assertEquals("€ 1.000,00", formatCents(100_000))
        assertEquals("€ 1.000,00", Money(100_000).display)
        assertEquals("€ 0,01", Money(1).toString())
    }
}
