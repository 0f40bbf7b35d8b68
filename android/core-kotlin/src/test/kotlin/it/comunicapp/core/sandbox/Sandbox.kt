package it.comunicapp.core.sandbox

import it.comunicapp.core.ffi.AppOptions
import it.comunicapp.core.ffi.ComunicApp
import it.comunicapp.core.ffi.Language
import it.comunicapp.core.ffi.SecureStorage
import java.net.ServerSocket
import java.net.URI
import java.net.URLDecoder
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Path
import java.time.Duration
import java.util.concurrent.ConcurrentHashMap

/**
 * The sandbox portal the tests run against: started by scripts/with-sandbox.sh, which hands its
 * address and demo credentials to Surefire as system properties. A test run without them fails
 * instead of skipping, so a broken script cannot pass as green.
 */
object Sandbox {
    private fun required(name: String): String =
        System.getProperty(name)?.takeIf { it.isNotBlank() }
            ?: error("system property $name not set: run scripts/kotlin-test.sh (it starts the sandbox)")

    val url: String get() = required("sandbox.url")
    val user: String get() = required("sandbox.user")
    val password: String get() = required("sandbox.password")

    const val COMUNE_ID = "sandbox"

    fun options(sandboxUrl: String = url, language: Language = Language.ITALIAN) = AppOptions(
        development = true,
        sandboxUrl = sandboxUrl,
        redirectUri = null,
        customSchemeReturns = false,
        returnUrlBase = null,
        language = language,
    )

    /** A loopback address nobody listens on: the port was free a moment ago and is closed now. */
    fun closedPortUrl(): String {
        val port = ServerSocket(0).use { it.localPort }
        return "http://127.0.0.1:$port"
    }

    fun open(
        dataDir: Path,
        storage: SecureStorage,
        sandboxUrl: String = url,
        language: Language = Language.ITALIAN,
    ): ComunicApp = ComunicApp.open(dataDir.toString(), COMUNE_ID, storage, options(sandboxUrl, language))

    /** The sandbox comune in `dataDir` with the demo parent logged in through the form. */
    suspend fun loggedIn(dataDir: Path, storage: SecureStorage, language: Language = Language.ITALIAN): ComunicApp {
        val app = open(dataDir, storage, language = language)
        app.loginComplete(Browser.login(app.loginStart()))
        return app
    }
}

/** What the Keystore-backed storage is in the app: here a map, so the tests can look inside. */
class InMemorySecureStorage : SecureStorage {
    private val entries = ConcurrentHashMap<String, String>()

    override fun get(key: String): String? = entries[key]
    override fun set(key: String, value: String) {
        entries[key] = value
    }
    override fun delete(key: String) {
        entries.remove(key)
    }

    fun keys(): Set<String> = entries.keys.toSortedSet()
}

/**
 * Plays the system browser of the OAuth round trip with the platform's own HTTP client: opens the
 * authorize URL, submits the login form as a parent would, and hands back the redirect the
 * browser would deliver to the app. Redirects are never followed: the app scheme is not HTTP.
 */
object Browser {
    private val client: HttpClient = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5))
        .build()

    private val formAction = Regex("""<form method="post" action="([^"]+)">""")
    private val hiddenInput = Regex("""<input type="hidden" name="([^"]+)" value="([^"]*)">""")

    /** The Location the portal answers a correct login with: redirect URI + code + state. */
    fun login(authorizeUrl: String, user: String = Sandbox.user, password: String = Sandbox.password): String {
        val page = client.send(
            HttpRequest.newBuilder(URI(authorizeUrl)).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString(),
        )
        check(page.statusCode() == 200) { "authorize page: HTTP ${page.statusCode()}: ${page.body()}" }
        val action = formAction.find(page.body())?.groupValues?.get(1)
            ?: error("no login form in the authorize page: ${page.body()}")
        val fields = hiddenInput.findAll(page.body())
            .map { it.groupValues[1] to unescapeHtml(it.groupValues[2]) }
            .toList() + listOf("username" to user, "password" to password)
        val body = fields.joinToString("&") { (name, value) -> "${encode(name)}=${encode(value)}" }
        val submitted = client.send(
            HttpRequest.newBuilder(URI(authorizeUrl).resolve(action))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString(),
        )
        check(submitted.statusCode() in 300..399) {
            "login form: expected a redirect, got HTTP ${submitted.statusCode()}: ${submitted.body()}"
        }
        return submitted.headers().firstValue("Location").orElseThrow()
    }

    /** The query parameters of a URL, decoded. */
    fun queryOf(url: String): Map<String, String> =
        (URI(url).rawQuery ?: "").split('&').filter { it.isNotEmpty() }.associate { pair ->
            val (name, value) = pair.split('=', limit = 2).let { it[0] to it.getOrElse(1) { "" } }
            URLDecoder.decode(name, Charsets.UTF_8) to URLDecoder.decode(value, Charsets.UTF_8)
        }

    private fun encode(text: String) = URLEncoder.encode(text, Charsets.UTF_8)

    private fun unescapeHtml(text: String) = text
        .replace("&quot;", "\"").replace("&#39;", "'")
        .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}
