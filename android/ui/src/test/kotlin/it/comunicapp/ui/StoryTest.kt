package it.comunicapp.ui

import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsNodeInteractionsProvider
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.onNodeWithContentDescription
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.runComposeUiTest
import it.comunicapp.core.sandbox.Browser
import it.comunicapp.core.sandbox.Checkout
import it.comunicapp.core.sandbox.InMemorySecureStorage
import it.comunicapp.core.sandbox.Sandbox
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Path
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * A parent's whole story through the app's UI, against the real core and the sandbox portal:
 * the comune, Accedi in the browser, Saldo, "Ricarica da 20 euro", the service, PROSEGUI, the
 * pagoPA checkout played over HTTP as Custom Tabs would, the return link handed to the app, and
 * the esito going to "Ricarica registrata" on screen with the new balance.
 */
@OptIn(ExperimentalTestApi::class)
class StoryTest {
    @TempDir
    lateinit var dataDir: Path

    private fun ComposeUiTest.waitForText(text: String, timeoutMillis: Long = 20_000, substring: Boolean = false) =
        waitUntil("«$text» on screen", timeoutMillis) {
            onAllNodes(hasText(text, substring = substring)).fetchSemanticsNodes().isNotEmpty()
        }

    private fun ComposeUiTest.waitUntil(what: String, timeoutMillis: Long, condition: () -> Boolean) {
        try {
            waitUntil(timeoutMillis = timeoutMillis, condition = condition)
        } catch (e: Throwable) {
            throw AssertionError("$what: not within $timeoutMillis ms", e)
        }
    }

    @Test
    fun `ricarica da 20 euro online dal saldo fino a registrata`() = runComposeUiTest {
        val platform = RecordingPlatform()
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        val labels = TestLabels.of(Lang.IT)
        val controller = AppController(
            AppEnvironment(dataDir.toString(), InMemorySecureStorage(), Sandbox.options(), platform),
            scope,
        )
        try {
            controller.start()
            setContent { ComunicAppTheme(dark = false) { ComunicAppUi(controller, labels, platform) } }

            // Scelta del comune, then Accedi in the system browser.
            onNodeWithTag(Tags.COMUNE_SEARCH).performTextInput("sandbox")
            waitForText("Sandbox (sviluppo)")
            onNodeWithText("Sandbox (sviluppo)").performClick()
            waitForText("Accedi con le credenziali", substring = true)
            onNode(hasText("Accedi") and hasClickAction()).performClick()
            val redirect = Browser.login(platform.nextBrowserUrl())
            controller.onIncomingUrl(redirect)

            // Saldo from the first refresh.
            waitForText("Giulia")
            val giuliaSaldo = controller.state.value.profile!!.saldo.state.value.view!!.children.single { it.name == "Giulia" }
            val before = giuliaSaldo.services.single { it.serviceCode == "refezione" }.let { Before(giuliaSaldo.childId, it.serviceLabel, it.balanceCents) }
            onNodeWithContentDescription("Aggiungi una ricarica").performClick()

            // Ricarica da 20 euro, the service menu, Ricarica.
            waitForText("Ricarica da 20 euro")
            onNodeWithText("Ricarica da 20 euro").performClick()
            waitUntil("the service menu enabled", 10_000) {
                controller.ricarica()?.state?.value?.draft?.pendingAmountCents == 2_000L
            }
            onNodeWithTag(Tags.SERVICE_MENU).performClick()
            // The menu names each child as the ente's catalog does ("Giulia Rossi").
            val giulia = controller.ricarica()!!.state.value.options!!.children.single { it.childId == before.childId }
            onNodeWithContentDescription("Aggiungi ${before.serviceLabel} per ${giulia.name}").performClick()
            waitForText("Totale Pagamento: € 20,00")
            onNodeWithText("Ricarica").performClick()

            // The e-mail check and the mode on one page, then the Riepilogo.
            waitForText("✓ Procedi! Mail corretta. Puoi procedere al pagamento.")
            onNodeWithText("Pagamento OnLine").performClick()
            waitForText("PROSEGUI")
            onNodeWithText("Riepilogo Pagamento").assertExists()
            onNodeWithText("Totale Pagamento: € 20,00").assertExists()
            onNodeWithText("PROSEGUI").performClick()

            // PROSEGUI opened the checkout in the browser; the parent pays, pagoPA sends them back.
            val checkoutUrl = platform.nextBrowserUrl()
            waitForText("Esito del pagamento")
            val back = Checkout.press(checkoutUrl, "pay")
            controller.onIncomingUrl(back)

            waitForText("Ricarica registrata", timeoutMillis = 30_000)
            // The core refreshes the Saldo after the registration: the new balance, exactly +20.
            fun refezione() = controller.state.value.profile!!.saldo.state.value.view!!
                .children.single { it.name == "Giulia" }.services.single { it.serviceCode == "refezione" }
            waitUntil("the Saldo with the new balance", 20_000) { refezione().balanceCents != before.balanceCents }
            val after = refezione()
            assertEquals(before.balanceCents + 2_000, after.balanceCents)
            // The core's new balance on the esito: the same as the Saldo's.
            waitForText("Nuovo saldo: ${after.balanceDisplay}")
            val esito = (controller.state.value.screen as Screen.Esito).presenter.state.value
            assertEquals(after.balanceCents, esito.ricarica!!.items.single().balanceAfterCents)
            onNodeWithText("Torna al saldo").performClick()
            waitForText(after.balanceDisplay)
            assertTrue(platform.browser.isEmpty(), "no other page opened: ${platform.browser}")
        } finally {
            controller.close()
            scope.cancel()
        }
    }
}

private data class Before(val childId: String, val serviceLabel: String, val balanceCents: Long)

/** The Ricarica presenter on top of the stack, if any. */
fun AppController.ricarica(): RicaricaPresenter? = (state.value.screen as? Screen.Ricarica)?.presenter
