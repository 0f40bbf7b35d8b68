package it.comunicapp.ui

import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/** The phone's side of [PlatformActions] in the tests: every call recorded, the browser a queue. */
class RecordingPlatform : PlatformActions {
    val browser = LinkedBlockingQueue<String>()
    val uris = CopyOnWriteArrayList<String>()
    val clipboard = CopyOnWriteArrayList<String>()
    val shared = CopyOnWriteArrayList<String>()

    override fun openInBrowser(url: String) {
        browser.add(url)
    }

    override fun openUri(uri: String) {
        uris.add(uri)
    }

    override fun copyToClipboard(label: String, text: String) {
        clipboard.add(text)
    }

    override fun share(title: String, text: String) {
        shared.add(text)
    }

    /** The next page the app opened in the system browser. */
    fun nextBrowserUrl(timeoutSeconds: Long = 20): String =
        browser.poll(timeoutSeconds, TimeUnit.SECONDS) ?: error("the app opened no browser page within $timeoutSeconds s")
}
