package it.comunicapp.core

import it.comunicapp.core.ffi.formatCents
import org.junit.jupiter.api.Test
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** Proves the tests exercise the library cargo built, not a stale or system copy. */
class NativeLibraryTest {
    @Test
    fun `la libreria caricata via JNA e quella appena compilata`() {
        val libDir = System.getProperty("jna.library.path")
        val expected = File(libDir, "libcomunicapp_ffi.so").canonicalFile
        assertTrue(expected.isFile, "missing $expected")

        assertEquals("€ 0,01", formatCents(1))

        // The kernel's view of this process: which file is really mapped.
        val mapped = File("/proc/self/maps").readLines()
            .map { it.substringAfterLast(' ') }
            .filter { it.endsWith("libcomunicapp_ffi.so") }
            .toSet()
        assertEquals(setOf(expected.path), mapped)
    }
}
