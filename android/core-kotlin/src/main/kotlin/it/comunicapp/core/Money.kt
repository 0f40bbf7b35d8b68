package it.comunicapp.core

import it.comunicapp.core.ffi.ApiException
import it.comunicapp.core.ffi.ParsedAmount
import it.comunicapp.core.ffi.formatCents
import it.comunicapp.core.ffi.parseAmount

/**
 * An amount of euro as the core hands it over: integer cents. Parsing, limits and the it-IT text
 * all come from the core, so the app cannot format or round money its own way.
 */
@JvmInline
value class Money(val cents: Long) {
    /** The core's it-IT text, e.g. "€ 1.000,00". */
    val display: String get() = formatCents(cents)

    override fun toString(): String = display

    companion object {
        /** Reads what a parent typed ("20", "20,50", "€ 1.000,00"). */
        @Throws(ApiException::class)
        fun parse(text: String): Money = parseAmount(text).money
    }
}

val ParsedAmount.money: Money get() = Money(cents)
