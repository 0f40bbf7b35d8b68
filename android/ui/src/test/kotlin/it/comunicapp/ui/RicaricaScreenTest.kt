package it.comunicapp.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.assertIsNotEnabled
import androidx.compose.ui.test.onNodeWithContentDescription
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.performTextReplacement
import androidx.compose.ui.test.runComposeUiTest
import it.comunicapp.core.ffi.PaymentMode
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals

/** Each step of the Ricarica screen, and the events its taps send. */
@OptIn(ExperimentalTestApi::class)
class RicaricaScreenTest {
    private val s = Samples(Lang.IT)
    private val labels = TestLabels.of(Lang.IT)

    private fun events(block: (MutableList<RicaricaEvent>) -> Unit): List<RicaricaEvent> = mutableListOf<RicaricaEvent>().also(block)

    @Test
    fun `in attesa delle opzioni mostra il caricamento`() = runComposeUiTest {
        setContent { RicaricaScreen(s.ricaricaLoading, labels, onEvent = {}) }
        onNodeWithTag(Tags.LOADING).assertIsDisplayed()
    }

    @Test
    fun `opzioni non scaricate mostrano l'errore con riprova`() = runComposeUiTest {
        val got = events { sink ->
            setContent {
                RicaricaScreen(
                    s.ricaricaLoading.copy(error = ShownError("I servizi dell'ente non sono ancora scaricati: connettiti e riprova", true, ShownError.Kind.CONNECTION, "ricarica.catalogo_mancante")),
                    labels, onEvent = { sink += it },
                )
            }
            onNodeWithText("Riprova").performClick()
        }
        assertEquals(listOf<RicaricaEvent>(RicaricaEvent.Retry), got)
    }

    @Test
    fun `gli importi predefiniti dell'ente e la ricarica personalizzata`() = runComposeUiTest {
        val got = events { sink ->
            setContent { RicaricaScreen(s.ricaricaComposing, labels, onEvent = { sink += it }) }
            for (label in listOf("Ricarica da 10 euro", "Ricarica da 20 euro", "Ricarica da 50 euro", "Ricarica da 100 euro")) {
                onNodeWithText(label).assertIsDisplayed()
            }
            // No amount yet: the service menu and Ricarica wait for one.
            onNodeWithTag(Tags.SERVICE_MENU).assertIsNotEnabled()
            onNodeWithText("Ricarica").assertIsNotEnabled()
            onNodeWithText("Ricarica da 50 euro").performClick()
            onNodeWithTag(Tags.CUSTOM_AMOUNT).performTextInput("25")
        }
        assertEquals(listOf(RicaricaEvent.ChoosePreset(5_000), RicaricaEvent.CustomTextChanged("25")), got)
    }

    @Test
    fun `l'errore del core sotto l'importo personalizzato`() = runComposeUiTest {
        setContent { RicaricaScreen(s.ricaricaCustomError, labels, onEvent = {}) }
        onNodeWithText("Usa un solo separatore decimale, es. 20,50").assertIsDisplayed()
    }

    @Test
    fun `il menu dei servizi elenca ogni bambino e servizio`() = runComposeUiTest {
        val got = events { sink ->
            setContent { RicaricaScreen(s.ricaricaAmountChosen.copy(serviceMenuOpen = true), labels, onEvent = { sink += it }) }
            onNodeWithText("Luca · Refezione buono pasto", substring = true).assertExists()
            onNodeWithContentDescription("Aggiungi Scuolabus per Giulia").performClick()
        }
        assertEquals(listOf<RicaricaEvent>(RicaricaEvent.AddItem("c-giulia", "scuolabus")), got)
    }

    @Test
    fun `il carrello mostra voce, totale e si conferma con Ricarica`() = runComposeUiTest {
        val got = events { sink ->
            setContent { RicaricaScreen(s.ricaricaCart, labels, onEvent = { sink += it }) }
            onNodeWithText("Giulia · Refezione buono pasto").assertIsDisplayed()
            onNodeWithText("Totale Pagamento: € 20,00").assertIsDisplayed()
            onNodeWithText("Aggiungi un altro bambino").assertIsDisplayed()
            onNodeWithContentDescription("Rimuovi Giulia · Refezione buono pasto").performClick()
            onNodeWithText("Ricarica").assertIsEnabled().performClick()
        }
        assertEquals(listOf(RicaricaEvent.RemoveItem("c-giulia", "refezione"), RicaricaEvent.ConfirmCart), got)
    }

    @Test
    fun `la verifica della mail e le due modalita`() = runComposeUiTest {
        val got = events { sink ->
            setContent { RicaricaScreen(s.ricaricaEmail, labels, onEvent = { sink += it }) }
            onNodeWithText("✓ Procedi! Mail corretta. Puoi procedere al pagamento.").assertIsDisplayed()
            onNodeWithText("Mail attuale: mario.rossi@example.it").assertIsDisplayed()
            onNodeWithText("Scegli La Modalità Di Pagamento").assertIsDisplayed()
            onNodeWithText("Genera avviso pagamento").performClick()
            onNodeWithText("Per modificare la mail clicca qui").performClick()
            onNodeWithText("INDIETRO").performClick()
        }
        assertEquals(
            listOf(RicaricaEvent.ChooseMode(PaymentMode.AVVISO), RicaricaEvent.OpenEmailDialog, RicaricaEvent.Back),
            got,
        )
    }

    @Test
    fun `con una mail non valida le modalita non si possono scegliere`() = runComposeUiTest {
        setContent { RicaricaScreen(s.ricaricaEmailInvalid, labels, onEvent = {}) }
        onNodeWithText("La mail indicata non è valida: modificala per procedere").assertIsDisplayed()
        onNodeWithText("Pagamento OnLine").assertIsNotEnabled()
        onNodeWithText("Genera avviso pagamento").assertIsNotEnabled()
    }

    @Test
    fun `la finestra per modificare la mail`() = runComposeUiTest {
        val got = events { sink ->
            setContent { RicaricaScreen(s.ricaricaEmailDialog, labels, onEvent = { sink += it }) }
            onNodeWithText("Modifica la mail").assertIsDisplayed()
            onNodeWithText("La parte dopo la @ non è valida").assertIsDisplayed()
            onNodeWithTag(Tags.EMAIL_FIELD).performTextReplacement("mario.rossi@example.it")
            onNodeWithText("Salva").performClick()
        }
        // The sample's text stays as it is (no presenter here), so the field may echo it back
        // after the replacement: what matters is what was typed first and that Salva followed.
        assertEquals(RicaricaEvent.EmailTextChanged("mario.rossi@example.it"), got.first())
        assertEquals(RicaricaEvent.SaveEmail, got.last())
    }

    @Test
    fun `il riepilogo con data, codice, totale, commissione e PROSEGUI`() = runComposeUiTest {
        val got = events { sink ->
            setContent { RicaricaScreen(s.ricaricaRiepilogo, labels, onEvent = { sink += it }) }
            onNodeWithText("Riepilogo Pagamento").assertIsDisplayed()
            onNodeWithText("02/12/2026").assertIsDisplayed()
            onNodeWithText("5439").assertIsDisplayed()
            onNodeWithText("Totale Pagamento: € 20,00").assertExists()
            onNodeWithText("€ 1,00").assertExists()
            onNodeWithText("commissione che varia in base al canale di pagamento", substring = true).assertExists()
            onNodeWithText("INDIETRO").performClick()
            onNodeWithText("PROSEGUI").performClick()
        }
        assertEquals(listOf(RicaricaEvent.Back, RicaricaEvent.Prosegui), got)
    }
}
