package it.comunicapp.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.widthIn
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.DropdownMenu
import androidx.compose.material3.DropdownMenuItem
import androidx.compose.material3.FilterChip
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedCard
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import it.comunicapp.core.ffi.PaymentMode
import it.comunicapp.core.ffi.RicaricaStep
import it.comunicapp.core.ffi.Riepilogo

/**
 * "Effettua una ricarica", the instruction sheet's steps: the amount (presets or "Ricarica
 * personalizzata"), the service menu for one or more children, the e-mail check with the two
 * modes, and the Riepilogo with INDIETRO / PROSEGUI. The step is the core's ([RicaricaState.draft]).
 */
@Composable
fun RicaricaScreen(state: RicaricaState, labels: Labels, onEvent: (RicaricaEvent) -> Unit, modifier: Modifier = Modifier) {
    Box(modifier.fillMaxSize()) {
        val draft = state.draft
        if (state.loading) {
            if (state.error != null) {
                Column(Modifier.padding(16.dp)) {
                    ErrorCard(labels, state.error, onRetry = { onEvent(RicaricaEvent.Retry) }, Modifier.testTag(Tags.ERROR_CARD))
                }
            } else {
                Loading(labels, Modifier.testTag(Tags.LOADING))
            }
            return@Box
        }
        checkNotNull(draft)
        ReadableColumn {
            if (state.busy) LinearProgressIndicator(Modifier.fillMaxWidth())
            state.error?.let { ErrorCard(labels, it, onRetry = null, Modifier.testTag(Tags.ERROR_CARD)) }
            when (draft.step) {
                RicaricaStep.COMPOSING -> Composing(state, labels, onEvent)
                RicaricaStep.CHECKING_EMAIL, RicaricaStep.CHOOSING_MODE -> EmailAndMode(state, labels, onEvent)
                RicaricaStep.RIEPILOGO -> state.riepilogo?.let { RiepilogoContent(it, labels, state.busy, onEvent) }
                else -> Text(draft.totalLabel, style = MaterialTheme.typography.titleMedium)
            }
        }
        state.emailDialog?.let { EmailDialog(it, labels, onEvent) }
    }
}

@OptIn(ExperimentalLayoutApi::class)
@Composable
private fun Composing(state: RicaricaState, labels: Labels, onEvent: (RicaricaEvent) -> Unit) {
    val draft = checkNotNull(state.draft)
    val options = checkNotNull(state.options)
    SectionTitle(labels.ricaricaImportiTitle)
    FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
        for (preset in state.presets) {
            FilterChip(
                selected = state.customText.isBlank() && draft.pendingAmountCents == preset.amountCents,
                onClick = { onEvent(RicaricaEvent.ChoosePreset(preset.amountCents)) },
                label = { Text(preset.label, Modifier.padding(vertical = 10.dp)) },
            )
        }
    }
    SectionTitle(labels.ricaricaPersonalizzata)
    OutlinedTextField(
        value = state.customText,
        onValueChange = { onEvent(RicaricaEvent.CustomTextChanged(it)) },
        // The section title above names the field; the hint shows the notation the core reads.
        placeholder = { Text(labels.ricaricaPersonalizzataHint) },
        isError = state.customError != null,
        supportingText = state.customError?.let { error -> { Text(error) } },
        singleLine = true,
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Decimal),
        modifier = Modifier.fillMaxWidth().testTag(Tags.CUSTOM_AMOUNT),
    )
    if (state.customText.isNotBlank() && state.customError == null) {
        draft.pendingAmountDisplay?.let { Text(it, style = MaterialTheme.typography.titleMedium) }
    }

    SectionTitle(if (draft.items.isEmpty()) labels.ricaricaServizio else labels.ricaricaAggiungiBambino)
    val canAdd = draft.canAddItem && draft.pendingAmountCents != null
    Box {
        OutlinedButton(
            onClick = { onEvent(RicaricaEvent.ServiceMenu(true)) },
            enabled = canAdd,
            modifier = Modifier.fillMaxWidth().testTag(Tags.SERVICE_MENU),
        ) {
            Text(labels.ricaricaServizioScegli, Modifier.weight(1f))
            Text("▾")
        }
        DropdownMenu(expanded = state.serviceMenuOpen && canAdd, onDismissRequest = { onEvent(RicaricaEvent.ServiceMenu(false)) }) {
            for (child in options.children) {
                for (service in child.services) {
                    val inCart = draft.items.any { it.childId == child.childId && it.serviceCode == service.code }
                    DropdownMenuItem(
                        text = {
                            Column {
                                Text("${child.name} · ${service.label}")
                                Text(service.limitsDisplay, style = MaterialTheme.typography.bodySmall)
                            }
                        },
                        enabled = !inCart,
                        onClick = { onEvent(RicaricaEvent.AddItem(child.childId, service.code)) },
                        modifier = Modifier.semantics { contentDescription = labels.ricaricaAggiungiVoce(service.label, child.name) },
                    )
                }
            }
        }
    }
    if (!draft.canAddItem && draft.items.isNotEmpty()) {
        Text(labels.ricaricaMassimoVoci(options.maxItems.toString()), style = MaterialTheme.typography.bodyMedium)
    }

    if (draft.items.isNotEmpty()) {
        OutlinedCard(Modifier.fillMaxWidth()) {
            Column(Modifier.padding(horizontal = 16.dp, vertical = 8.dp)) {
                draft.items.forEachIndexed { index, item ->
                    if (index > 0) HorizontalDivider()
                    val line = "${state.childName(item.childId)} · ${item.serviceLabel}"
                    Row(Modifier.fillMaxWidth(), verticalAlignment = Alignment.CenterVertically) {
                        Text(line, Modifier.weight(1f), style = MaterialTheme.typography.bodyLarge)
                        Text(item.amountDisplay, style = MaterialTheme.typography.titleMedium)
                        TextButton(
                            onClick = { onEvent(RicaricaEvent.RemoveItem(item.childId, item.serviceCode)) },
                            modifier = Modifier.semantics { contentDescription = labels.ricaricaRimuoviVoce(line) },
                        ) { Text("×", style = MaterialTheme.typography.titleLarge) }
                    }
                }
                HorizontalDivider()
                Text(draft.totalLabel, style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(vertical = 8.dp))
            }
        }
    }
    Button(
        onClick = { onEvent(RicaricaEvent.ConfirmCart) },
        enabled = draft.items.isNotEmpty() && !state.busy,
        modifier = Modifier.fillMaxWidth().padding(top = 8.dp),
    ) { Text(labels.ricarica) }
}

@Composable
private fun EmailAndMode(state: RicaricaState, labels: Labels, onEvent: (RicaricaEvent) -> Unit) {
    val draft = checkNotNull(state.draft)
    val options = checkNotNull(state.options)
    Text(draft.totalLabel, style = MaterialTheme.typography.titleLarge)
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
            Text(
                options.emailMessage,
                style = MaterialTheme.typography.titleSmall,
                color = if (options.emailOk) MaterialTheme.colorScheme.primary else MaterialTheme.colorScheme.error,
            )
            Text(labels.emailAttuale(state.payerEmail), style = MaterialTheme.typography.bodyLarge)
            TextButton(onClick = { onEvent(RicaricaEvent.OpenEmailDialog) }) { Text(options.changeEmailLabel) }
        }
    }
    SectionTitle(labels.modalitaTitle)
    ModeButton(labels.pagamentoOnline, labels.pagamentoOnlineDetail, enabled = options.emailOk && !state.busy, primary = true) {
        onEvent(RicaricaEvent.ChooseMode(PaymentMode.ONLINE))
    }
    ModeButton(labels.generaAvviso, labels.generaAvvisoDetail, enabled = options.emailOk && !state.busy, primary = false) {
        onEvent(RicaricaEvent.ChooseMode(PaymentMode.AVVISO))
    }
    OutlinedButton(onClick = { onEvent(RicaricaEvent.Back) }, enabled = !state.busy) { Text(labels.indietro) }
}

@Composable
private fun ModeButton(title: String, detail: String, enabled: Boolean, primary: Boolean, onClick: () -> Unit) {
    val content: @Composable () -> Unit = {
        Column(Modifier.fillMaxWidth().padding(vertical = 6.dp)) {
            Text(title, style = MaterialTheme.typography.titleMedium)
            Text(detail, style = MaterialTheme.typography.bodySmall)
        }
    }
    if (primary) {
        Button(onClick = onClick, enabled = enabled, modifier = Modifier.fillMaxWidth()) { content() }
    } else {
        OutlinedButton(onClick = onClick, enabled = enabled, modifier = Modifier.fillMaxWidth()) { content() }
    }
}

@Composable
private fun RiepilogoContent(riepilogo: Riepilogo, labels: Labels, busy: Boolean, onEvent: (RicaricaEvent) -> Unit) {
    Text(riepilogo.title, style = MaterialTheme.typography.headlineSmall)
    LabelValue(labels.riepilogoData, riepilogo.dateLabel)
    for (line in riepilogo.lines) {
        OutlinedCard(Modifier.fillMaxWidth()) {
            Column(Modifier.padding(horizontal = 16.dp, vertical = 8.dp)) {
                LabelValue(labels.riepilogoCodice, line.code)
                LabelValue(labels.riepilogoServizio, line.serviceLabel)
                LabelValue(labels.riepilogoBambino, line.childName)
                LabelValue(labels.riepilogoImporto, line.amountDisplay)
            }
        }
    }
    LabelValue(labels.riepilogoModalita, riepilogo.modeLabel)
    riepilogo.fee?.let { fee ->
        LabelValue(labels.commissioneStimata, fee.feeDisplay)
        Text(fee.note, style = MaterialTheme.typography.bodySmall)
    }
    Text(riepilogo.totalLabel, style = MaterialTheme.typography.titleLarge, modifier = Modifier.padding(vertical = 8.dp))
    Text(riepilogo.commissionNote, style = MaterialTheme.typography.bodySmall)
    Row(Modifier.fillMaxWidth().padding(top = 8.dp), horizontalArrangement = Arrangement.spacedBy(12.dp)) {
        OutlinedButton(onClick = { onEvent(RicaricaEvent.Back) }, enabled = !busy, modifier = Modifier.weight(1f)) {
            Text(riepilogo.backLabel)
        }
        Button(onClick = { onEvent(RicaricaEvent.Prosegui) }, enabled = !busy, modifier = Modifier.weight(1f)) {
            Text(riepilogo.proceedLabel)
        }
    }
}

@Composable
private fun EmailDialog(dialog: EmailDialogState, labels: Labels, onEvent: (RicaricaEvent) -> Unit) {
    AlertDialog(
        onDismissRequest = { onEvent(RicaricaEvent.DismissEmailDialog) },
        title = { Text(labels.emailDialogTitle) },
        text = {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                OutlinedTextField(
                    value = dialog.text,
                    onValueChange = { onEvent(RicaricaEvent.EmailTextChanged(it)) },
                    label = { Text(labels.emailDialogCampo) },
                    isError = dialog.error != null,
                    supportingText = dialog.error?.let { error -> { Text(error) } },
                    singleLine = true,
                    keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Email),
                    modifier = Modifier.fillMaxWidth().testTag(Tags.EMAIL_FIELD),
                )
                Text(labels.emailDialogNota, style = MaterialTheme.typography.bodySmall)
            }
        },
        confirmButton = {
            TextButton(onClick = { onEvent(RicaricaEvent.SaveEmail) }, enabled = !dialog.saving) { Text(labels.emailDialogSalva) }
        },
        dismissButton = {
            TextButton(onClick = { onEvent(RicaricaEvent.DismissEmailDialog) }) { Text(labels.emailDialogAnnulla) }
        },
    )
}
