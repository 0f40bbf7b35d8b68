package it.comunicapp.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.ui.Alignment
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.widthIn
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import it.comunicapp.core.ffi.ComuneInfo

/** "Scelta del comune": the core's search over the bundled list, as the parent types. */
data class ComuneState(val query: String, val results: List<ComuneInfo>, val error: ShownError? = null)

@Composable
fun ComuneScreen(
    state: ComuneState,
    labels: Labels,
    onQuery: (String) -> Unit,
    onChoose: (ComuneInfo) -> Unit,
    modifier: Modifier = Modifier,
) {
    // A readable width on a tablet, like the other single-column screens.
    Box(modifier.fillMaxSize(), contentAlignment = Alignment.TopCenter) {
    LazyColumn(Modifier.widthIn(max = 640.dp).fillMaxSize(), contentPadding = PaddingValues(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
        item {
            Text(labels.comuneIntro, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.padding(bottom = 8.dp))
            OutlinedTextField(
                value = state.query,
                onValueChange = onQuery,
                label = { Text(labels.comuneCerca) },
                singleLine = true,
                modifier = Modifier.fillMaxWidth().testTag(Tags.COMUNE_SEARCH),
            )
            state.error?.let { ErrorCard(labels, it, onRetry = null, Modifier.padding(top = 8.dp)) }
        }
        if (state.results.isEmpty() && state.query.isNotBlank()) {
            item { EmptyState(labels.comuneNessunRisultato(state.query), null) }
        }
        items(state.results, key = { it.id }) { comune ->
            ListItem(
                headlineContent = { Text(comune.name) },
                supportingContent = { Text(comune.provincia) },
                modifier = Modifier.fillMaxWidth().clickable { onChoose(comune) },
            )
            HorizontalDivider()
        }
    }
    }
}

/** Accedi: the portal's login opens in a Custom Tab and comes back through the app's link. */
data class LoginState(
    val comuneName: String,
    /** The Custom Tab is open: the next link the app receives is the login's redirect. */
    val waitingForBrowser: Boolean = false,
    val completing: Boolean = false,
    val error: ShownError? = null,
)

@Composable
fun LoginScreen(
    state: LoginState,
    labels: Labels,
    onAccedi: () -> Unit,
    onCambiaComune: () -> Unit,
    modifier: Modifier = Modifier,
) {
    ReadableColumn(modifier, spacing = 16.dp, padding = 24.dp) {
        // "Portale Genitori" is the top bar's title; here the comune the parent chose.
        Text(state.comuneName, style = MaterialTheme.typography.headlineMedium, color = MaterialTheme.colorScheme.primary)
        Text(labels.loginIntro(state.comuneName), style = MaterialTheme.typography.bodyLarge)
        state.error?.let { ErrorCard(labels, it, onRetry = null, Modifier.testTag(Tags.ERROR_CARD)) }
        if (state.completing) {
            CircularProgressIndicator()
            Text(labels.loginInCorso)
        } else {
            Button(onClick = onAccedi, modifier = Modifier.fillMaxWidth()) { Text(labels.accedi) }
            Text(labels.loginBrowserNota, style = MaterialTheme.typography.bodySmall)
        }
        TextButton(onClick = onCambiaComune) { Text(labels.comuneCambia) }
    }
}
