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
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp

/** Contatti: the ente's office; a tap dials a `tel:` or writes to a `mailto:` the core built. */
@Composable
fun ContattiScreen(state: ContattiState, labels: Labels, onOpenUri: (String) -> Unit, modifier: Modifier = Modifier) {
    ReadableColumn(modifier) {
        val view = state.view
        state.error?.let { ErrorCard(labels, it, onRetry = null, Modifier.testTag(Tags.ERROR_CARD)) }
        if (view == null) {
            if (state.error == null) Loading(labels, Modifier.testTag(Tags.LOADING))
            return@ReadableColumn
        }
        Text(labels.contattiIntro, style = MaterialTheme.typography.bodyLarge)
        Card(Modifier.fillMaxWidth()) {
            Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                Text(view.officeName, style = MaterialTheme.typography.titleLarge)
                Text(view.enteName, style = MaterialTheme.typography.bodyMedium)
            }
        }
        SectionTitle(labels.contattiTelefono)
        for (phone in view.phones) {
            Button(
                onClick = { onOpenUri(phone.uri) },
                modifier = Modifier.fillMaxWidth().semantics { contentDescription = labels.contattiChiamaNumero(phone.display) },
            ) { Text("${labels.contattiChiama} ${phone.display}") }
        }
        SectionTitle(labels.contattiEmail)
        OutlinedButton(
            onClick = { onOpenUri(view.emailUri) },
            modifier = Modifier.fillMaxWidth().semantics { contentDescription = labels.contattiScriviA(view.email) },
        ) { Text(view.email) }
        SectionTitle(labels.contattiOrari)
        Text(view.hours, style = MaterialTheme.typography.bodyLarge)
    }
}
