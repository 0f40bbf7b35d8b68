package it.comunicapp.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.widthIn
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import it.comunicapp.core.ffi.RicaricaStep

/** The title above the core's sentence: which of the sheet's outcomes the core's step is. */
fun esitoTitle(step: RicaricaStep, labels: Labels): String? = when (step) {
    RicaricaStep.PAID_AWAITING_REGISTRATION -> labels.esitoPagatoTitle
    RicaricaStep.REGISTERED -> labels.esitoRegistratoTitle
    RicaricaStep.CANCELLED -> labels.esitoAnnullatoTitle
    RicaricaStep.FAILED, RicaricaStep.EXPIRED -> labels.esitoNonRiuscitoTitle
    RicaricaStep.RETURNED -> labels.esitoInAttesaTitle
    RicaricaStep.AVVISO_ISSUED -> labels.avvisoTitle
    // Before an outcome the core's sentence ("Completa il pagamento su pagoPA…") is the title.
    else -> null
}

/**
 * Esito del pagamento: the top-up as the core follows it. The sentence under the title is the
 * core's ("Pagamento ricevuto: la ricarica sarà registrata entro 24 ore"); the screen only picks
 * the title and the buttons that fit the step.
 */
@Composable
fun EsitoScreen(
    state: EsitoState,
    labels: Labels,
    onReopenCheckout: (String) -> Unit,
    onRetry: () -> Unit,
    onSaldo: () -> Unit,
    modifier: Modifier = Modifier,
) {
    val ricarica = state.ricarica
    ReadableColumn(modifier, spacing = 12.dp) {
        state.error?.let { ErrorCard(labels, it, onRetry = null, Modifier.testTag(Tags.ERROR_CARD)) }
        if (ricarica == null) {
            if (state.error == null) Loading(labels, Modifier.testTag(Tags.LOADING))
            return@ReadableColumn
        }
        val step = ricarica.step
        val tone = when (step) {
            RicaricaStep.REGISTERED, RicaricaStep.PAID_AWAITING_REGISTRATION -> MaterialTheme.colorScheme.primaryContainer
            RicaricaStep.CANCELLED, RicaricaStep.FAILED, RicaricaStep.EXPIRED -> MaterialTheme.colorScheme.errorContainer
            else -> MaterialTheme.colorScheme.surfaceVariant
        }
        Card(colors = CardDefaults.cardColors(containerColor = tone), modifier = Modifier.fillMaxWidth()) {
            Column(
                Modifier.padding(20.dp).semantics(mergeDescendants = true) { liveRegion = LiveRegionMode.Polite },
                verticalArrangement = Arrangement.spacedBy(8.dp),
            ) {
                val title = esitoTitle(step, labels)
                if (title != null) {
                    Text(title, style = MaterialTheme.typography.headlineSmall, modifier = Modifier.semantics { heading() })
                }
                // "Ricarica registrata" is both the title and the core's whole sentence: once.
                when {
                    title == null -> Text(ricarica.message, style = MaterialTheme.typography.titleLarge, modifier = Modifier.semantics { heading() })
                    ricarica.message != title -> Text(ricarica.message, style = MaterialTheme.typography.bodyLarge)
                }
                Text(ricarica.totalDisplay, style = MaterialTheme.typography.titleLarge)
                Text(ricarica.createdLabel, style = MaterialTheme.typography.bodySmall, color = Color.Unspecified)
            }
        }
        when (step) {
            RicaricaStep.SUBMITTING, RicaricaStep.IN_CHECKOUT, RicaricaStep.RETURNED, RicaricaStep.PAID_AWAITING_REGISTRATION ->
                if (step == RicaricaStep.RETURNED) Text(labels.esitoInAttesaNota) else CircularProgressIndicator()
            else -> {}
        }
        if (step == RicaricaStep.REGISTERED) {
            for (balance in state.newBalances) {
                Text("${balance.childName} · ${balance.serviceLabel}", style = MaterialTheme.typography.titleMedium)
                Text(labels.esitoNuovoSaldo(balance.balanceDisplay), style = MaterialTheme.typography.titleLarge)
            }
        }
        val checkout = ricarica.checkout
        if (step == RicaricaStep.IN_CHECKOUT && checkout != null) {
            Button(onClick = { onReopenCheckout(checkout.checkoutUrl) }, modifier = Modifier.fillMaxWidth()) { Text(labels.checkoutRiapri) }
        }
        if (step == RicaricaStep.CANCELLED || step == RicaricaStep.FAILED || step == RicaricaStep.EXPIRED) {
            Button(onClick = onRetry, modifier = Modifier.fillMaxWidth()) { Text(labels.esitoRiprova) }
        }
        OutlinedButton(onClick = onSaldo, modifier = Modifier.fillMaxWidth()) { Text(labels.esitoTornaAlSaldo) }
    }
}
