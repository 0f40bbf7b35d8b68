package it.comunicapp.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.onAllNodesWithText
import androidx.compose.ui.test.onNodeWithContentDescription
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.runComposeUiTest
import androidx.compose.ui.unit.dp
import androidx.compose.foundation.layout.requiredSize
import androidx.compose.ui.Modifier
import androidx.compose.foundation.layout.Box
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals

@OptIn(ExperimentalTestApi::class)
class SaldoScreenTest {
    private val it = Samples(Lang.IT)
    private val labels = TestLabels.of(Lang.IT)

    @Test
    fun `saldo dalla cache mostra ogni figlio, il debito in rosso da saldare e il credito basso`() = runComposeUiTest {
        setContent { ComunicAppTheme(dark = false) { SaldoScreen(it.saldoCached, labels, wide = false, onEvent = {}, onRicarica = {}) } }
        onNodeWithText("Giulia").assertIsDisplayed()
        onNodeWithText("€ 23,40").assertIsDisplayed()
        onNodeWithText("Pasti rimanenti: 5").assertIsDisplayed()
        onNodeWithText("Costo del pasto: € 4,60").assertIsDisplayed()
        onNodeWithText("Dati aggiornati al 02/12/2026 alle 09:14").assertIsDisplayed()
        onNodeWithText("Credito basso").assertExists()
        onNodeWithText("-€ 350,00").assertExists()
        onNodeWithText("da saldare").assertExists()
        onNodeWithTag(Tags.OFFLINE_BANNER).assertDoesNotExist()
        onNodeWithContentDescription("Giulia, Refezione buono pasto: saldo € 23,40").assertExists()
    }

    @Test
    fun `senza rete il saldo resta con la fascia offline e la data dei dati`() = runComposeUiTest {
        setContent { SaldoScreen(it.saldoOffline, labels, wide = false, onEvent = {}, onRicarica = {}) }
        onNodeWithTag(Tags.OFFLINE_BANNER).assertIsDisplayed()
        onNodeWithText("Nessuna connessione: stai vedendo gli ultimi dati salvati.").assertIsDisplayed()
        onNodeWithText("€ 23,40").assertIsDisplayed()
        // The connection error is the banner's: no error card on top of the cached data.
        onNodeWithTag(Tags.ERROR_CARD).assertDoesNotExist()
    }

    @Test
    fun `primo avvio senza dati mostra il caricamento`() = runComposeUiTest {
        setContent { SaldoScreen(it.saldoLoading, labels, wide = false, onEvent = {}, onRicarica = {}) }
        onNodeWithTag(Tags.LOADING).assertIsDisplayed()
        onNodeWithTag(Tags.ADD_RICARICA).assertDoesNotExist()
    }

    @Test
    fun `errore senza dati offre riprova che aggiorna`() = runComposeUiTest {
        val events = mutableListOf<SaldoEvent>()
        setContent { SaldoScreen(it.saldoError, labels, wide = false, onEvent = { e -> events += e }, onRicarica = {}) }
        onNodeWithTag(Tags.ERROR_CARD).assertIsDisplayed()
        onNodeWithText("Nessuna connessione: controlla la rete e riprova").assertIsDisplayed()
        onNodeWithText("Riprova").performClick()
        assertEquals(listOf<SaldoEvent>(SaldoEvent.Refresh), events)
    }

    @Test
    fun `nessun servizio attivo`() = runComposeUiTest {
        setContent { SaldoScreen(it.saldoEmpty, labels, wide = false, onEvent = {}, onRicarica = {}) }
        onNodeWithText("Nessun servizio attivo").assertIsDisplayed()
    }

    @Test
    fun `il più apre la ricarica`() = runComposeUiTest {
        var opened = 0
        setContent { SaldoScreen(it.saldoCached, labels, wide = false, onEvent = {}, onRicarica = { opened++ }) }
        onNodeWithContentDescription("Aggiungi una ricarica").performClick()
        assertEquals(1, opened)
    }

    @Test
    fun `toccare una scheda la seleziona e sul telefono mostra i movimenti`() = runComposeUiTest {
        val events = mutableListOf<SaldoEvent>()
        setContent { SaldoScreen(it.saldoSelected, labels, wide = false, onEvent = { e -> events += e }, onRicarica = {}) }
        onNodeWithText("Movimenti").assertExists()
        onNodeWithText("Ricarica online pagoPA").assertExists()
        onNodeWithText("Scuolabus").performClick()
        assertEquals(listOf<SaldoEvent>(SaldoEvent.Select(ServiceKey("c-giulia", "scuolabus"))), events)
    }

    @Test
    fun `sul tablet elenco e dettaglio affiancati`() = runComposeUiTest {
        setContent {
            Box(Modifier.requiredSize(1000.dp, 700.dp)) {
                SaldoScreen(it.saldoSelected, labels, wide = true, onEvent = {}, onRicarica = {})
            }
        }
        onNodeWithText("Bambini").assertIsDisplayed()
        onNodeWithTag(Tags.DETAIL_PANE).assertIsDisplayed()
        onNodeWithText("Ricarica online pagoPA").assertIsDisplayed()
        // Giulia's name in the list and again as the detail's heading.
        assertEquals(2, onAllNodesWithText("Giulia").fetchSemanticsNodes().size)
    }

    @Test
    fun `in inglese le parole sono inglesi`() = runComposeUiTest {
        val en = Samples(Lang.EN)
        setContent { SaldoScreen(en.saldoOffline, TestLabels.of(Lang.EN), wide = false, onEvent = {}, onRicarica = {}) }
        onNodeWithText("€23.40").assertIsDisplayed()
        onNodeWithText("Meals left: 5", substring = true).assertExists()
    }
}
