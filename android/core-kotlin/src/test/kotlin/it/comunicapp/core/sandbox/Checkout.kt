package it.comunicapp.core.sandbox

import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration

/**
 * Plays the payer in the sandbox's pagoPA checkout with the platform's HTTP client, as Custom Tabs
 * would: opens the checkout page, presses one of its buttons, and hands back where the checkout
 * sends the browser. Redirects are never followed: the return URL belongs to the app.
 */
object Checkout {
    private val client: HttpClient = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5))
        .build()

    /** The Location of the checkout's 303 after pressing `button` ("pay", "cancel", "fail"). */
    fun press(checkoutUrl: String, button: String = "pay"): String {
        val page = client.send(
            HttpRequest.newBuilder(URI(checkoutUrl)).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString(),
        )
        check(page.statusCode() == 200) { "checkout page: HTTP ${page.statusCode()}: ${page.body()}" }
        val action = Regex("""<form method="post" action="([^"]+)"><button id="${Regex.escape(button)}"""")
            .find(page.body())?.groupValues?.get(1)
            ?: error("no '$button' button in the checkout page: ${page.body()}")
        val answer = client.send(
            HttpRequest.newBuilder(URI(checkoutUrl).resolve(action))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString(),
        )
        check(answer.statusCode() == 303) { "checkout '$button': expected 303, got HTTP ${answer.statusCode()}: ${answer.body()}" }
        return answer.headers().firstValue("Location").orElseThrow()
    }

    /** A payment made at a tobacconist: the sandbox's admin door, on only in test runs. */
    fun payAvvisoElsewhere(noticeNumber: String) {
        val answer = client.send(
            HttpRequest.newBuilder(URI("${Sandbox.url}/admin/avvisi/${URLEncoder.encode(noticeNumber, Charsets.UTF_8)}/pay"))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString(),
        )
        check(answer.statusCode() == 200) { "pay avviso: HTTP ${answer.statusCode()}: ${answer.body()}" }
    }
}
