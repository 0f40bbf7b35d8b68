package it.comunicapp.core

import it.comunicapp.core.ffi.ApiException
import it.comunicapp.core.ffi.parseNoticeNumber
import it.comunicapp.core.ffi.parsePaymentQr
import it.comunicapp.core.ffi.qrMatrix
import it.comunicapp.core.ffi.validateRfReference
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

class PagopaTest {
    @Test
    fun `codice avviso valido mostrato a gruppi di quattro`() {
        val nav = parseNoticeNumber("322201151398574181")
        assertEquals("322201151398574181", nav.digits)
        assertEquals(3.toUByte(), nav.auxDigit)
        assertEquals("3222 0115 1398 5741 81", nav.formatted)
    }

    @Test
    fun `codice avviso con cifre di controllo errate rifiutato`() {
        val error = assertThrows<ApiException.InvalidInput> { parseNoticeNumber("302012387654312384") }
        assertEquals("notice_number", error.field)
    }

    @Test
    fun `qr pagopa letto in centesimi`() {
        val notice = parsePaymentQr("PAGOPA|002|322201151398574181|00000000201|1500")
        assertEquals(1500L, notice.amountCents)
        assertEquals("322201151398574181", notice.noticeNumber)
        assertEquals("00000000201", notice.fiscalCode)
        assertEquals(Money(1500), Money(notice.amountCents))
    }

    @Test
    fun `qr di un testo che non e un avviso rifiutato`() {
        for (payload in listOf("", "PAGOPA|002|12345|abc|-1")) {
            val error = assertThrows<ApiException.InvalidInput>(payload) { qrMatrix(payload) }
            assertTrue(error.code.isNotBlank())
            assertFalse(error.retryable)
        }
    }

    @Test
    fun `riferimento RF verificato`() {
        assertTrue(validateRfReference("RF45w9"))
        assertFalse(validateRfReference("RF46w9"))
    }
}
