package it.comunicapp.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.runComposeUiTest
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals

/** Every esito the core can publish, with the title and the buttons that fit it. */
@OptIn(ExperimentalTestApi::class)
class EsitoScreenTest {
    private val s = Samples(Lang.IT)
    private val labels = TestLabels.of(Lang.IT)

    @Test
    fun `prima della prima vista il caricamento`() = runComposeUiTest {
        setContent { EsitoScreen(EsitoState(), labels, {}, {}, {}) }
        onNodeWithTag(Tags.LOADING).assertIsDisplayed()
    }

    @Test
    fun `in checkout si puo riaprire pagoPA`() = runComposeUiTest {
        val reopened = mutableListOf<String>()
        setContent { EsitoScreen(s.esitoInCheckout, labels, { reopened += it }, {}, {}) }
        onNodeWithText("Completa il pagamento su pagoPA e attendi di essere riportato nell'app").assertIsDisplayed()
        onNodeWithText("Riapri pagoPA").performClick()
        assertEquals(listOf("https://checkout.pagopa.it/c/abc"), reopened)
    }

    @Test
    fun `tornato dal checkout senza esito`() = runComposeUiTest {
        setContent { EsitoScreen(s.esitoWaiting, labels, {}, {}, {}) }
        onNodeWithText("Pagamento in verifica").assertIsDisplayed()
        onNodeWithText("Puoi chiudere l'app: verificheremo l'esito e ti avviseremo.").assertIsDisplayed()
    }

    @Test
    fun `pagato in attesa di registrazione`() = runComposeUiTest {
        setContent { EsitoScreen(s.esitoPaid, labels, {}, {}, {}) }
        onNodeWithText("Pagamento ricevuto").assertIsDisplayed()
        onNodeWithText("Pagamento ricevuto: la ricarica sarà registrata entro 24 ore").assertIsDisplayed()
        onNodeWithText("Riprova il pagamento").assertDoesNotExist()
    }

    @Test
    fun `registrata con il nuovo saldo`() = runComposeUiTest {
        var saldo = 0
        setContent { EsitoScreen(s.esitoRegistered, labels, {}, {}, { saldo++ }) }
        onNodeWithText("Ricarica registrata").assertExists()
        onNodeWithText("Nuovo saldo: € 43,40").assertIsDisplayed()
        onNodeWithText("Torna al saldo").performClick()
        assertEquals(1, saldo)
    }

    @Test
    fun `annullato, non riuscito e scaduto offrono di riprovare`() {
        for ((state, title) in listOf(
            s.esitoCancelled to "Pagamento annullato",
            s.esitoFailed to "Pagamento non riuscito",
            s.esitoExpired to "Pagamento non riuscito",
        )) {
            runComposeUiTest {
                var retried = 0
                setContent { EsitoScreen(state, labels, {}, { retried++ }, {}) }
                onNodeWithText(title).assertIsDisplayed()
                onNodeWithText(state.ricarica!!.message).assertIsDisplayed()
                onNodeWithText("Riprova il pagamento").performClick()
                assertEquals(1, retried, title)
            }
        }
    }
}
