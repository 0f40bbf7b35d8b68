package it.comunicapp.app

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import it.comunicapp.core.ffi.AvvisoDetails
import it.comunicapp.core.ffi.DraftAction
import it.comunicapp.core.ffi.DraftView
import it.comunicapp.core.ffi.PaymentMode
import it.comunicapp.core.ffi.RicaricaOptions
import it.comunicapp.core.ffi.RicaricaStep
import it.comunicapp.core.ffi.RicaricaView
import it.comunicapp.core.ffi.Riepilogo

/**
 * The top-up screens before PROSEGUI, render-only: every text and amount comes from the core's
 * views, every tap goes back to the core as a [DraftAction]. The draft is stored by the core, so
 * this screen keeps no state of its own but the text being typed.
 */
@Composable
fun RicaricaScreen(
    options: RicaricaOptions,
    draft: DraftView,
    riepilogo: Riepilogo?,
    onAction: (DraftAction) -> Unit,
    onChangeEmail: () -> Unit,
    onProsegui: () -> Unit,
) {
    Column(Modifier.fillMaxSize().verticalScroll(rememberScrollState()).padding(16.dp)) {
        when (draft.step) {
            RicaricaStep.COMPOSING -> Composing(options, draft, onAction)
            RicaricaStep.CHECKING_EMAIL -> {
                Text(options.emailMessage)
                Text(draft.payerEmail ?: options.payerEmail, style = MaterialTheme.typography.titleMedium)
                TextButton(onClick = onChangeEmail) { Text(options.changeEmailLabel) }
                Button(onClick = { onAction(DraftAction.ConfirmEmail) }, enabled = options.emailOk) {
                    Text(stringResource(R.string.ricarica))
                }
                BackButton(riepilogo, onAction)
            }
            RicaricaStep.CHOOSING_MODE -> {
                Text(draft.totalLabel, style = MaterialTheme.typography.titleMedium)
                Button(onClick = { onAction(DraftAction.ChooseMode(PaymentMode.ONLINE)) }, Modifier.fillMaxWidth()) {
                    Text(stringResource(R.string.pagamento_online))
                }
                OutlinedButton(onClick = { onAction(DraftAction.ChooseMode(PaymentMode.AVVISO)) }, Modifier.fillMaxWidth()) {
                    Text(stringResource(R.string.genera_avviso))
                }
                BackButton(riepilogo, onAction)
            }
            RicaricaStep.RIEPILOGO -> if (riepilogo != null) RiepilogoContent(riepilogo, onAction, onProsegui)
            else -> Text(draft.totalLabel)
        }
    }
}

@Composable
private fun Composing(options: RicaricaOptions, draft: DraftView, onAction: (DraftAction) -> Unit) {
    var customText by rememberSaveable { mutableStateOf("") }
    // The ente's presets are the same for every service; the first one's are shown.
    val presets = options.children.firstOrNull()?.services?.firstOrNull()?.presets.orEmpty()
    for (preset in presets) {
        OutlinedButton(onClick = { onAction(DraftAction.ChoosePreset(preset.amountCents)) }, Modifier.fillMaxWidth()) {
            Text(preset.label)
        }
    }
    OutlinedTextField(
        value = customText,
        onValueChange = { customText = it },
        label = { Text(stringResource(R.string.ricarica_personalizzata)) },
        modifier = Modifier.fillMaxWidth(),
    )
    OutlinedButton(onClick = { onAction(DraftAction.ChooseCustom(customText)) }, enabled = customText.isNotBlank()) {
        Text(stringResource(R.string.ricarica_personalizzata))
    }
    draft.pendingAmountDisplay?.let { Text(it, style = MaterialTheme.typography.titleMedium) }

    for (child in options.children) {
        Text(child.name, style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 12.dp))
        for (service in child.services) {
            Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.SpaceBetween) {
                Column(Modifier.weight(1f)) {
                    Text(service.label)
                    Text(service.limitsDisplay, style = MaterialTheme.typography.bodySmall)
                }
                TextButton(
                    onClick = { onAction(DraftAction.AddItem(child.childId, service.code)) },
                    enabled = draft.canAddItem && draft.pendingAmountCents != null,
                ) { Text("+") }
            }
        }
    }

    HorizontalDivider(Modifier.padding(vertical = 8.dp))
    for (item in draft.items) {
        val childName = options.children.firstOrNull { it.childId == item.childId }?.name ?: item.childId
        Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.SpaceBetween) {
            Text("$childName · ${item.serviceLabel}", Modifier.weight(1f))
            Text(item.amountDisplay)
            TextButton(onClick = { onAction(DraftAction.RemoveItem(item.childId, item.serviceCode)) }) { Text("×") }
        }
    }
    Text(draft.totalLabel, style = MaterialTheme.typography.titleMedium)
    Button(
        onClick = { onAction(DraftAction.ConfirmCart(options.payerEmail)) },
        enabled = draft.items.isNotEmpty(),
        modifier = Modifier.fillMaxWidth(),
    ) { Text(stringResource(R.string.ricarica)) }
}

@Composable
private fun RiepilogoContent(riepilogo: Riepilogo, onAction: (DraftAction) -> Unit, onProsegui: () -> Unit) {
    Text(riepilogo.title, style = MaterialTheme.typography.titleLarge)
    Text(riepilogo.dateLabel)
    for (line in riepilogo.lines) {
        Column(Modifier.padding(vertical = 4.dp)) {
            Text("${line.code} · ${line.serviceLabel}")
            Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.SpaceBetween) {
                Text(line.childName)
                Text(line.amountDisplay)
            }
        }
    }
    Text(riepilogo.totalLabel, style = MaterialTheme.typography.titleMedium)
    Text(riepilogo.modeLabel)
    riepilogo.fee?.let { Text("${it.note} ${it.feeDisplay}") }
    Text(riepilogo.commissionNote, style = MaterialTheme.typography.bodySmall)
    Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.SpaceBetween) {
        OutlinedButton(onClick = { onAction(DraftAction.Back) }) { Text(riepilogo.backLabel) }
        Button(onClick = onProsegui) { Text(riepilogo.proceedLabel) }
    }
}

/** INDIETRO: the core's own label once a riepilogo exists, the app's before. */
@Composable
private fun BackButton(riepilogo: Riepilogo?, onAction: (DraftAction) -> Unit) {
    TextButton(onClick = { onAction(DraftAction.Back) }) {
        Text(riepilogo?.backLabel ?: stringResource(R.string.indietro))
    }
}

/**
 * After PROSEGUI: the core's message for the top-up ("Pagamento ricevuto: …", "Ricarica
 * registrata", …) and, for an avviso, everything needed to pay it elsewhere.
 */
@Composable
fun RicaricaEsitoScreen(view: RicaricaView) {
    Column(Modifier.fillMaxSize().verticalScroll(rememberScrollState()).padding(16.dp)) {
        Text(view.message, style = MaterialTheme.typography.titleMedium)
        Text(view.totalDisplay)
        Text(view.createdLabel, style = MaterialTheme.typography.bodySmall)
        view.avviso?.let { AvvisoContent(it) }
    }
}

@Composable
private fun AvvisoContent(avviso: AvvisoDetails) {
    HorizontalDivider(Modifier.padding(vertical = 8.dp))
    Text(avviso.noticeNumberDisplay, style = MaterialTheme.typography.titleLarge)
    Text(avviso.fiscalCode)
    Text(avviso.amountDisplay, style = MaterialTheme.typography.titleMedium)
    Text(avviso.dueDateLabel)
    Text("CBILL ${avviso.cbillCode}")
    for (place in avviso.whereToPay) {
        Text("• $place")
    }
}
