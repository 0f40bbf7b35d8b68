package it.comunicapp.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxHeight
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.LazyListScope
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedCard
import androidx.compose.material3.Text
import androidx.compose.material3.VerticalDivider
import androidx.compose.material3.pulltorefresh.PullToRefreshBox
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import it.comunicapp.core.ffi.AvvisoView
import it.comunicapp.core.ffi.PagamentiView
import it.comunicapp.core.ffi.ReceiptView
import it.comunicapp.core.ffi.RicaricaView

/**
 * Pagamenti: "Avvisi Pagamento da Pagare", "Ricariche in corso", "Storico" and the receipts,
 * as the core lists them. On a tablet the chosen avviso opens beside the list.
 */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun PagamentiScreen(
    state: PagamentiState,
    labels: Labels,
    wide: Boolean,
    onEvent: (PagamentiEvent) -> Unit,
    onAvviso: (AvvisoView) -> Unit,
    onRicarica: (RicaricaView) -> Unit,
    onNuovaRicarica: () -> Unit,
    detail: @Composable (AvvisoView) -> Unit,
    modifier: Modifier = Modifier,
) {
    val view = state.view
    Box(modifier.fillMaxSize()) {
        PullToRefreshBox(isRefreshing = state.refreshing && view != null, onRefresh = { onEvent(PagamentiEvent.Refresh) }, modifier = Modifier.fillMaxSize()) {
            when {
                view == null -> Column(Modifier.padding(16.dp)) {
                    state.error?.let { ErrorCard(labels, it, onRetry = { onEvent(PagamentiEvent.Refresh) }, Modifier.testTag(Tags.ERROR_CARD)) }
                        ?: Loading(labels, Modifier.testTag(Tags.LOADING))
                }
                wide -> Row(Modifier.fillMaxSize()) {
                    PagamentiList(state, view, labels, Modifier.width(400.dp).fillMaxHeight(), onRicarica) { onEvent(PagamentiEvent.SelectAvviso(it.id)) }
                    VerticalDivider()
                    val selected = view.avvisiDaPagare.firstOrNull { it.id == state.selectedAvvisoId }
                    Box(Modifier.weight(1f).fillMaxHeight().testTag(Tags.DETAIL_PANE)) {
                        if (selected != null) detail(selected) else EmptyState(labels.pagamentiNessunaSelezione, null, Modifier.align(Alignment.Center))
                    }
                }
                else -> PagamentiList(state, view, labels, Modifier.fillMaxSize(), onRicarica, onAvviso)
            }
        }
        if (view != null) AddRicaricaButton(labels, onNuovaRicarica, Modifier.align(Alignment.BottomEnd).padding(16.dp))
    }
}

@Composable
private fun PagamentiList(
    state: PagamentiState,
    view: PagamentiView,
    labels: Labels,
    modifier: Modifier,
    onRicarica: (RicaricaView) -> Unit,
    onAvviso: (AvvisoView) -> Unit,
) {
    LazyColumn(
        modifier,
        contentPadding = PaddingValues(start = 16.dp, end = 16.dp, top = 8.dp, bottom = 96.dp),
        verticalArrangement = Arrangement.spacedBy(8.dp),
    ) {
        item {
            if (view.freshness.lastRefreshFailed) {
                OfflineBanner(labels, view.freshness.label, Modifier.testTag(Tags.OFFLINE_BANNER))
            } else {
                Text(view.freshness.label, style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant)
            }
            state.error?.takeIf { it.kind != ShownError.Kind.CONNECTION }?.let { ErrorCard(labels, it, onRetry = null) }
        }
        section(labels.pagamentiAvvisiDaPagare, view.avvisiDaPagare, labels.pagamentiAvvisiEmpty) { avviso ->
            val selected = avviso.id == state.selectedAvvisoId
            Card(
                colors = if (selected) CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.secondaryContainer) else CardDefaults.cardColors(),
                modifier = Modifier.fillMaxWidth().clickable { onAvviso(avviso) },
            ) {
                Row(Modifier.padding(16.dp), horizontalArrangement = Arrangement.spacedBy(12.dp)) {
                    Column(Modifier.weight(1f)) {
                        Text(avviso.description, style = MaterialTheme.typography.titleSmall)
                        avviso.childName?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
                        Text("${labels.avvisoScadenza}: ${avviso.dueDateLabel}", style = MaterialTheme.typography.bodySmall)
                    }
                    Text(avviso.amountDisplay, style = MaterialTheme.typography.titleMedium)
                }
            }
        }
        section(labels.pagamentiRicaricheInCorso, view.ricaricheInCorso, labels.pagamentiRicaricheInCorsoEmpty) { ricarica ->
            RicaricaRow(ricarica, Modifier.clickable { onRicarica(ricarica) })
        }
        section(labels.pagamentiStorico, view.storico, labels.pagamentiStoricoEmpty) { ricarica ->
            RicaricaRow(ricarica, Modifier.clickable { onRicarica(ricarica) })
        }
        if (view.receipts.isNotEmpty()) {
            item { SectionTitle(labels.pagamentiRicevute) }
            items(view.receipts, key = { "receipt-${it.id}" }) { ReceiptRow(it) }
        }
    }
}

private fun <T> LazyListScope.section(title: String, rows: List<T>, empty: String, row: @Composable (T) -> Unit) {
    item { SectionTitle(title) }
    if (rows.isEmpty()) {
        item { Text(empty, style = MaterialTheme.typography.bodyMedium, color = MaterialTheme.colorScheme.onSurfaceVariant) }
    }
    items(rows) { row(it) }
}

@Composable
private fun RicaricaRow(ricarica: RicaricaView, modifier: Modifier) {
    OutlinedCard(modifier.fillMaxWidth()) {
        Row(Modifier.padding(16.dp), horizontalArrangement = Arrangement.spacedBy(12.dp)) {
            Column(Modifier.weight(1f)) {
                Text(ricarica.summary, style = MaterialTheme.typography.titleSmall)
                Text(ricarica.message, style = MaterialTheme.typography.bodyMedium)
                Text(ricarica.createdLabel, style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant)
            }
            Text(ricarica.totalDisplay, style = MaterialTheme.typography.titleMedium)
        }
    }
}

@Composable
private fun ReceiptRow(receipt: ReceiptView) {
    OutlinedCard(Modifier.fillMaxWidth()) {
        Row(Modifier.padding(16.dp), horizontalArrangement = Arrangement.spacedBy(12.dp)) {
            Column(Modifier.weight(1f)) {
                Text(receipt.description, style = MaterialTheme.typography.bodyMedium)
                Text(receipt.paidAtLabel, style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant)
            }
            Text(receipt.amountDisplay, style = MaterialTheme.typography.titleMedium)
        }
    }
}
