package it.comunicapp.ui

/**
 * What the screens ask of the phone, each a platform idiom behind one call: Custom Tabs for the
 * login and the pagoPA checkout (never a WebView), the dialer, the mail app, the clipboard, the
 * share sheet. The Android shell implements it; the tests record the calls.
 */
interface PlatformActions {
    /** Opens an https page of the portal or of pagoPA in the system browser (Custom Tab). */
    fun openInBrowser(url: String)

    /** `tel:` and `mailto:` URIs from the core. */
    fun openUri(uri: String)

    fun copyToClipboard(label: String, text: String)

    fun share(title: String, text: String)
}
