package it.comunicapp.ui

import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.requiredSize
import androidx.compose.ui.Modifier
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.onNodeWithContentDescription
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performTextReplacement
import androidx.compose.ui.test.runComposeUiTest
import androidx.compose.ui.unit.dp
import androidx.compose.runtime.getValue
import androidx.compose.runtime.setValue
import it.comunicapp.core.ffi.ComuneInfo
import it.comunicapp.core.ffi.ProfileInfo
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** Avviso, Pagamenti, Contatti, Scelta del comune, Accedi and the profile switcher. */
@OptIn(ExperimentalTestApi::class)
class OtherScreensTest {
    private val s = Samples(Lang.IT)
    private val labels = TestLabels.of(Lang.IT)

    @Test
    fun `avviso con codice a gruppi di quattro, qr, cbill, dove pagare, copia e condividi`() = runComposeUiTest {
        val copied = mutableListOf<String>()
        var shared = 0
        setContent { AvvisoScreen(s.avviso, labels, onCopy = { copied += it }, onShare = { shared++ }) }
        onNodeWithText("3222 0115 1398 5741 81").assertIsDisplayed()
        onNodeWithText("€ 350,00").assertIsDisplayed()
        onNodeWithText("15/12/2026").assertIsDisplayed()
        onNodeWithText("00123456789").assertIsDisplayed()
        onNodeWithText("A1B2C").assertExists()
        onNodeWithContentDescription("Codice QR dell'avviso di pagamento").assertExists()
        onNodeWithText("Tabaccherie Sisal, Lottomatica").assertExists()
        onNodeWithText("Copia codice avviso").performClick()
        onNodeWithText("Condividi avviso").performScrollTo().performClick()
        assertEquals(listOf("322201151398574181"), copied)
        assertEquals(1, shared)
    }

    @Test
    fun `il qr e la matrice del core`() {
        val qr = checkNotNull(s.avviso.qr)
        assertTrue(qr.size.toInt() >= 21, "a QR code has at least 21 modules a side: ${qr.size}")
        assertEquals(qr.size.toInt() * qr.size.toInt(), qr.modules.size)
    }

    @Test
    fun `pagamenti con avvisi, ricariche in corso, storico e ricevute`() = runComposeUiTest {
        val avvisi = mutableListOf<String>()
        val ricariche = mutableListOf<String>()
        var nuova = 0
        setContent {
            PagamentiScreen(
                s.pagamenti, labels, wide = false, onEvent = {},
                onAvviso = { avvisi += it.id }, onRicarica = { ricariche += it.localId }, onNuovaRicarica = { nuova++ },
                detail = {},
            )
        }
        onNodeWithText("Avvisi Pagamento da Pagare").assertIsDisplayed()
        onNodeWithText("Retta asilo nido novembre 2026 - Sofia Rossi").performClick()
        onNodeWithText("Ricariche in corso").assertIsDisplayed()
        onNodeWithText("Pagamento ricevuto: la ricarica sarà registrata entro 24 ore").performClick()
        onNodeWithText("Storico").performScrollTo().assertIsDisplayed()
        onNodeWithText("Pagamento annullato: nessun addebito è stato effettuato").performScrollTo().assertIsDisplayed()
        onNodeWithText("Ricarica Refezione buono pasto - Giulia").performScrollTo().assertIsDisplayed()
        onNodeWithContentDescription("Aggiungi una ricarica").performClick()
        assertEquals(listOf("a-1"), avvisi)
        assertEquals(listOf("r-1"), ricariche)
        assertEquals(1, nuova)
    }

    @Test
    fun `pagamenti vuoto e offline`() = runComposeUiTest {
        var state by androidx.compose.runtime.mutableStateOf(s.pagamentiEmpty)
        setContent { PagamentiScreen(state, labels, false, {}, {}, {}, {}, {}) }
        onNodeWithText("Nessun avviso da pagare").assertIsDisplayed()
        onNodeWithText("Nessuna ricarica in corso").assertIsDisplayed()
        onNodeWithText("Nessun pagamento effettuato").assertIsDisplayed()
        state = s.pagamentiOffline
        onNodeWithTag(Tags.OFFLINE_BANNER).assertIsDisplayed()
    }

    @Test
    fun `pagamenti sul tablet apre l'avviso accanto all'elenco`() = runComposeUiTest {
        setContent {
            Box(Modifier.requiredSize(1100.dp, 760.dp)) {
                PagamentiScreen(s.pagamentiSelected, labels, true, {}, {}, {}, {}, detail = { AvvisoScreen(AvvisoUi.of(it), labels, {}, {}) })
            }
        }
        onNodeWithTag(Tags.DETAIL_PANE).assertIsDisplayed()
        onNodeWithText("3222 0115 1398 5741 81").assertIsDisplayed()
    }

    @Test
    fun `contatti chiama e scrive con gli indirizzi del core`() = runComposeUiTest {
        val opened = mutableListOf<String>()
        setContent { ContattiScreen(s.contatti, labels, onOpenUri = { opened += it }) }
        onNodeWithText("Ufficio Servizi Educativi").assertIsDisplayed()
        onNodeWithText("dalle ore 8,30 alle ore 13,30").assertIsDisplayed()
        onNodeWithContentDescription("Chiama il numero 0131 949244").performClick()
        onNodeWithContentDescription("Scrivi a servizi.educativi@comune.valenza.al.it").performClick()
        assertEquals(listOf("tel:+390131949244", "mailto:servizi.educativi@comune.valenza.al.it"), opened)
    }

    @Test
    fun `contatti prima della prima sincronizzazione`() = runComposeUiTest {
        setContent { ContattiScreen(s.contattiLoading, labels, onOpenUri = {}) }
        onNodeWithTag(Tags.LOADING).assertIsDisplayed()
    }

    @Test
    fun `scelta del comune cerca mentre si scrive e sceglie`() = runComposeUiTest {
        val queries = mutableListOf<String>()
        val chosen = mutableListOf<ComuneInfo>()
        setContent { ComuneScreen(s.comuneSearch, labels, onQuery = { queries += it }, onChoose = { chosen += it }) }
        onNodeWithText("Valenza").assertIsDisplayed()
        onNodeWithTag(Tags.COMUNE_SEARCH).performTextReplacement("valenzano")
        onNodeWithText("Valenzano").performClick()
        assertEquals("valenzano", queries.first())
        assertEquals(listOf("valenzano"), chosen.map { it.id })
    }

    @Test
    fun `nessun comune trovato`() = runComposeUiTest {
        setContent { ComuneScreen(s.comuneNone, labels, {}, {}) }
        onNodeWithText("Nessun comune trovato per «zzz»").assertIsDisplayed()
    }

    @Test
    fun `accedi, accesso in corso, errore`() = runComposeUiTest {
        var state by androidx.compose.runtime.mutableStateOf(s.login)
        var accedi = 0
        setContent { LoginScreen(state, labels, onAccedi = { accedi++ }, onCambiaComune = {}) }
        onNodeWithText("Accedi con le credenziali del Portale Genitori di Valenza.").assertIsDisplayed()
        onNodeWithText("Accedi").performClick()
        assertEquals(1, accedi)
        state = s.loginCompleting
        onNodeWithText("Accesso in corso…").assertIsDisplayed()
        onNodeWithText("Accedi").assertDoesNotExist()
        state = s.loginError
        onNodeWithTag(Tags.ERROR_CARD).assertIsDisplayed()
    }

    @Test
    fun `due profili nella barra in alto`() = runComposeUiTest {
        var bar by androidx.compose.runtime.mutableStateOf(s.profiles)
        val switched = mutableListOf<ProfileInfo>()
        var added = 0
        setContent {
            AppFrame(
                labels, wide = false, title = "Saldo", tab = Tab.SALDO, onTab = {}, onBack = null, profiles = bar,
                onProfileMenu = { bar = bar.copy(menuOpen = it) }, onSwitchProfile = { switched += it }, onAddProfile = { added++ },
            ) {}
        }
        onNodeWithContentDescription("Profilo attivo: Mario Rossi · Valenza").performClick()
        onNodeWithText("Mario Rossi · Alessandria").performClick()
        onNodeWithText("Aggiungi profilo").performClick()
        assertEquals(listOf("p-alessandria"), switched.map { it.profileId })
        assertEquals(1, added)
    }
}
