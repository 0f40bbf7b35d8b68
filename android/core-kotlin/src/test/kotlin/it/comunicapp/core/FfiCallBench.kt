package it.comunicapp.core

import it.comunicapp.core.ffi.parseAmount
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import java.io.File
import kotlin.test.assertEquals

/**
 * `make bench`'s JVM row: one small call across JNA (`parseAmount("20,50")`), median of batches,
 * written where `comunicapp.bench.out` says. Skipped in `make test`: timings are never asserted.
 */
class FfiCallBench {
    @Test
    fun `una chiamata piccola attraverso JNA`() {
        val out = System.getProperty("comunicapp.bench.out")
        assumeTrue(!out.isNullOrBlank(), "only under make bench")
        repeat(20_000) { parseAmount("20,50") }
        val batch = 10_000
        val perCall = (1..15).map {
            val start = System.nanoTime()
            repeat(batch) { assertEquals(2050L, parseAmount("20,50").cents) }
            (System.nanoTime() - start) / batch
        }.sorted()
        File(out).writeText("{\"ns_per_call\": ${perCall[perCall.size / 2]}}\n")
    }
}
