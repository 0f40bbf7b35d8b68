package it.comunicapp.ui

import it.comunicapp.core.ffi.ApiException
import it.comunicapp.core.ffi.ComunicApp

/**
 * An error as a screen shows it: the core's text in the app's language, whether "Riprova" makes
 * sense, and what kind of trouble it is, so that a screen with cached data shows the offline
 * banner instead of an error card, and an expired session sends the parent to Accedi.
 */
data class ShownError(val message: String, val retryable: Boolean, val kind: Kind, val code: String) {
    enum class Kind { CONNECTION, SESSION, INPUT, OTHER }
}

/** The one place the bindings' error cases become what a screen shows; nothing is parsed. */
fun ApiException.shown(): ShownError = when (this) {
    is ApiException.InvalidInput -> ShownError(detail, retryable, ShownError.Kind.INPUT, code)
    is ApiException.Offline -> ShownError(detail, retryable, ShownError.Kind.CONNECTION, code)
    is ApiException.Timeout -> ShownError(detail, retryable, ShownError.Kind.CONNECTION, code)
    is ApiException.SessionExpired -> ShownError(detail, retryable, ShownError.Kind.SESSION, code)
    is ApiException.NotLoggedIn -> ShownError(detail, retryable, ShownError.Kind.SESSION, code)
    is ApiException.Login -> ShownError(detail, retryable, ShownError.Kind.SESSION, code)
    is ApiException.PaymentInProgress -> ShownError(detail, retryable, ShownError.Kind.OTHER, code)
    is ApiException.PaymentDuplicated -> ShownError(detail, retryable, ShownError.Kind.OTHER, code)
    is ApiException.NotFound -> ShownError(detail, retryable, ShownError.Kind.OTHER, code)
    is ApiException.Server -> ShownError(detail, retryable, ShownError.Kind.CONNECTION, code)
    is ApiException.Contract -> ShownError(detail, retryable, ShownError.Kind.OTHER, code)
    is ApiException.Portal -> ShownError(detail, retryable, ShownError.Kind.OTHER, code)
    is ApiException.Storage -> ShownError(detail, retryable, ShownError.Kind.OTHER, code)
    is ApiException.RicaricaNotConfirmed -> ShownError(detail, retryable, ShownError.Kind.CONNECTION, code)
    is ApiException.ReturnUrlRejected -> ShownError(detail, retryable, ShownError.Kind.OTHER, code)
    is ApiException.SecureStorage -> ShownError(detail, retryable, ShownError.Kind.OTHER, code)
}

/** Pull to refresh and "Riprova" of every live screen: the new view comes through the screen's
 * subscription; what is left to show is the error, if any. */
suspend fun ComunicApp.refreshShown(): ShownError? = try {
    refresh()
    null
} catch (e: ApiException) {
    e.shown()
}
