package it.comunicapp.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
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
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalDensity
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.unit.dp

/** Width from which a screen shows its list and the detail side by side (tablets, landscape). */
val TwoPaneMinWidth = 600.dp

/** Test tags the UI tests find nodes by when a text alone is ambiguous. */
object Tags {
    const val OFFLINE_BANNER = "offline_banner"
    const val ERROR_CARD = "error_card"
    const val LOADING = "loading"
    const val ADD_RICARICA = "add_ricarica"
    const val CUSTOM_AMOUNT = "custom_amount"
    const val SERVICE_MENU = "service_menu"
    const val EMAIL_FIELD = "email_field"
    const val QR = "qr"
    const val DETAIL_PANE = "detail_pane"
    const val COMUNE_SEARCH = "comune_search"
    const val PROFILE_MENU = "profile_menu"
}

@Composable
fun SectionTitle(text: String, modifier: Modifier = Modifier) {
    Text(
        text,
        style = MaterialTheme.typography.titleMedium,
        color = MaterialTheme.colorScheme.primary,
        modifier = modifier.padding(top = 16.dp, bottom = 8.dp).semantics { heading() },
    )
}

/** The last refresh failed: what is on screen is the cache, dated by the core's label. */
@Composable
fun OfflineBanner(labels: Labels, freshnessLabel: String, modifier: Modifier = Modifier) {
    Surface(
        color = MaterialTheme.colorScheme.tertiaryContainer,
        contentColor = MaterialTheme.colorScheme.onTertiaryContainer,
        shape = MaterialTheme.shapes.medium,
        modifier = modifier.fillMaxWidth().semantics(mergeDescendants = true) {},
    ) {
        Column(Modifier.padding(12.dp)) {
            Text(labels.saldoOffline, style = MaterialTheme.typography.bodyMedium)
            Text(freshnessLabel, style = MaterialTheme.typography.bodySmall)
        }
    }
}

@Composable
fun ErrorCard(labels: Labels, error: ShownError, onRetry: (() -> Unit)?, modifier: Modifier = Modifier) {
    Card(
        colors = CardDefaults.cardColors(
            containerColor = MaterialTheme.colorScheme.errorContainer,
            contentColor = MaterialTheme.colorScheme.onErrorContainer,
        ),
        modifier = modifier.fillMaxWidth(),
    ) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            Text(labels.erroreTitolo, style = MaterialTheme.typography.titleMedium)
            Text(error.message.ifBlank { labels.erroreGenerico })
            if (error.retryable && onRetry != null) {
                Button(onClick = onRetry) { Text(labels.riprova) }
            }
        }
    }
}

@Composable
fun Loading(labels: Labels, modifier: Modifier = Modifier) {
    Box(modifier.fillMaxSize().padding(32.dp), contentAlignment = Alignment.Center) {
        Column(horizontalAlignment = Alignment.CenterHorizontally, verticalArrangement = Arrangement.spacedBy(12.dp)) {
            CircularProgressIndicator()
            Text(labels.caricamento)
        }
    }
}

@Composable
fun EmptyState(title: String, detail: String?, modifier: Modifier = Modifier) {
    Column(
        modifier.fillMaxWidth().padding(32.dp),
        horizontalAlignment = Alignment.CenterHorizontally,
        verticalArrangement = Arrangement.spacedBy(8.dp),
    ) {
        Text(title, style = MaterialTheme.typography.titleMedium, textAlign = TextAlign.Center)
        if (detail != null) Text(detail, style = MaterialTheme.typography.bodyMedium, textAlign = TextAlign.Center)
    }
}

/**
 * A scrolling column of a readable width: the full width on a phone, centred and at most 640 dp
 * on a tablet, where lines as wide as the screen are hard to read.
 */
@Composable
fun ReadableColumn(
    modifier: Modifier = Modifier,
    spacing: androidx.compose.ui.unit.Dp = 8.dp,
    padding: androidx.compose.ui.unit.Dp = 16.dp,
    content: @Composable androidx.compose.foundation.layout.ColumnScope.() -> Unit,
) {
    Box(modifier.fillMaxSize().verticalScroll(rememberScrollState()), contentAlignment = Alignment.TopCenter) {
        Column(
            Modifier.widthIn(max = 640.dp).fillMaxWidth().padding(padding),
            verticalArrangement = Arrangement.spacedBy(spacing),
            content = content,
        )
    }
}

/**
 * A label and its value on one row; at large font scales (150 % and more) the value goes under
 * its label, so neither breaks in the middle of a word.
 */
@Composable
fun LabelValue(label: String, value: String, modifier: Modifier = Modifier, strong: Boolean = false) {
    val valueStyle = if (strong) MaterialTheme.typography.titleMedium else MaterialTheme.typography.bodyLarge
    val labelStyle = MaterialTheme.typography.bodyMedium
    val labelColor = MaterialTheme.colorScheme.onSurfaceVariant
    if (LocalDensity.current.fontScale >= 1.5f) {
        Column(modifier.fillMaxWidth().padding(vertical = 4.dp).semantics(mergeDescendants = true) {}) {
            Text(label, style = labelStyle, color = labelColor)
            Text(value, style = valueStyle)
        }
    } else {
        Row(
            modifier.fillMaxWidth().padding(vertical = 4.dp).semantics(mergeDescendants = true) {},
            horizontalArrangement = Arrangement.spacedBy(12.dp),
        ) {
            Text(label, style = labelStyle, color = labelColor, modifier = Modifier.weight(1f))
            Text(value, style = valueStyle, textAlign = TextAlign.End, modifier = Modifier.weight(1.4f))
        }
    }
}
