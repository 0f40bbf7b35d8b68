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
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.FloatingActionButton
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.VerticalDivider
import androidx.compose.material3.pulltorefresh.PullToRefreshBox
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.unit.dp
import it.comunicapp.core.ffi.ChildSaldo
import it.comunicapp.core.ffi.MovementView
import it.comunicapp.core.ffi.SaldoView
import it.comunicapp.core.ffi.ServiceSaldo

/**
 * Saldo, the home screen: a card per child and service. It decides nothing: red because the core
 * says `inDebt`, the warning because it says `lowCredit`, every amount and date as the core
 * wrote it. From [TwoPaneMinWidth] the cards sit beside the selected one's movements.
 */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun SaldoScreen(
    state: SaldoState,
    labels: Labels,
    wide: Boolean,
    onEvent: (SaldoEvent) -> Unit,
    onRicarica: () -> Unit,
    modifier: Modifier = Modifier,
) {
    Box(modifier.fillMaxSize()) {
        PullToRefreshBox(
            // Before anything is cached the Loading below says it: one spinner, not two.
            isRefreshing = state.refreshing && !state.neverFetched,
            onRefresh = { onEvent(SaldoEvent.Refresh) },
            modifier = Modifier.fillMaxSize().semantics { contentDescription = labels.saldoAggiorna },
        ) {
            val view = state.view
            when {
                state.neverFetched && state.error != null ->
                    Column(Modifier.padding(16.dp)) {
                        ErrorCard(labels, state.error, onRetry = { onEvent(SaldoEvent.Refresh) }, Modifier.testTag(Tags.ERROR_CARD))
                    }
                state.neverFetched -> Loading(labels, Modifier.testTag(Tags.LOADING))
                view != null && wide -> SaldoTwoPane(state, view, labels, onEvent)
                view != null -> SaldoList(state, view, labels, onEvent, Modifier.fillMaxSize())
            }
        }
        if (!state.neverFetched) {
            AddRicaricaButton(labels, onRicarica, Modifier.align(Alignment.BottomEnd).padding(16.dp))
        }
    }
}

@Composable
fun AddRicaricaButton(labels: Labels, onClick: () -> Unit, modifier: Modifier = Modifier) {
    FloatingActionButton(
        onClick = onClick,
        modifier = modifier.testTag(Tags.ADD_RICARICA).semantics { contentDescription = labels.a11yAggiungiRicarica },
    ) {
        Text("+", style = MaterialTheme.typography.headlineMedium)
    }
}

@Composable
private fun SaldoHeader(state: SaldoState, view: SaldoView, labels: Labels) {
    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
        if (view.freshness.lastRefreshFailed) {
            OfflineBanner(labels, view.freshness.label, Modifier.testTag(Tags.OFFLINE_BANNER))
        } else {
            Text(view.freshness.label, style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant)
        }
        // A connection error is the banner's business; any other (an expired login) is shown.
        val error = state.error
        if (error != null && error.kind != ShownError.Kind.CONNECTION) {
            ErrorCard(labels, error, onRetry = null, Modifier.testTag(Tags.ERROR_CARD))
        }
        view.schoolYear?.let {
            Text(labels.saldoAnnoScolastico(it), style = MaterialTheme.typography.bodyMedium)
        }
    }
}

@Composable
private fun SaldoList(state: SaldoState, view: SaldoView, labels: Labels, onEvent: (SaldoEvent) -> Unit, modifier: Modifier) {
    LazyColumn(
        modifier,
        contentPadding = PaddingValues(start = 16.dp, end = 16.dp, top = 12.dp, bottom = 96.dp),
        verticalArrangement = Arrangement.spacedBy(12.dp),
    ) {
        item { SaldoHeader(state, view, labels) }
        if (view.children.all { it.services.isEmpty() }) {
            item { EmptyState(labels.saldoEmpty, labels.saldoEmptyDetail) }
        }
        for (child in view.children) {
            if (child.services.isEmpty()) continue
            item(key = "child-${child.childId}") { ChildHeader(child) }
            items(child.services, key = { "${child.childId}-${it.serviceCode}" }) { service ->
                val key = ServiceKey(child.childId, service.serviceCode)
                val expanded = state.selected == key
                ServiceCard(
                    child, service, labels, selected = expanded,
                    onClick = { onEvent(SaldoEvent.Select(if (expanded) null else key)) },
                ) {
                    if (expanded) Movements(service.movements, labels)
                }
            }
        }
    }
}

@Composable
private fun SaldoTwoPane(state: SaldoState, view: SaldoView, labels: Labels, onEvent: (SaldoEvent) -> Unit) {
    Row(Modifier.fillMaxSize()) {
        Column(Modifier.width(360.dp).fillMaxHeight()) {
            LazyColumn(
                contentPadding = PaddingValues(start = 16.dp, end = 16.dp, top = 12.dp, bottom = 96.dp),
                verticalArrangement = Arrangement.spacedBy(12.dp),
            ) {
                item { SaldoHeader(state, view, labels) }
                item { SectionTitle(labels.saldoBambini) }
                if (view.children.all { it.services.isEmpty() }) {
                    item { EmptyState(labels.saldoEmpty, labels.saldoEmptyDetail) }
                }
                for (child in view.children) {
                    if (child.services.isEmpty()) continue
                    item(key = "child-${child.childId}") { ChildHeader(child) }
                    items(child.services, key = { "${child.childId}-${it.serviceCode}" }) { service ->
                        val key = ServiceKey(child.childId, service.serviceCode)
                        ServiceCard(child, service, labels, selected = state.selected == key, onClick = { onEvent(SaldoEvent.Select(key)) }) {}
                    }
                }
            }
        }
        VerticalDivider()
        val selected = state.selected?.let { key ->
            view.children.firstOrNull { it.childId == key.childId }?.let { child ->
                child.services.firstOrNull { it.serviceCode == key.serviceCode }?.let { child to it }
            }
        }
        Box(Modifier.weight(1f).fillMaxHeight().testTag(Tags.DETAIL_PANE)) {
            if (selected == null) {
                EmptyState(labels.saldoNessunaSelezione, null, Modifier.align(Alignment.Center))
            } else {
                val (child, service) = selected
                LazyColumn(contentPadding = PaddingValues(24.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                    item {
                        Text(child.name, style = MaterialTheme.typography.headlineSmall)
                        Text(service.serviceLabel, style = MaterialTheme.typography.titleMedium)
                        Balance(service, labels, Modifier.padding(vertical = 8.dp))
                        ServiceFacts(service, labels)
                    }
                    item { Movements(service.movements, labels) }
                }
            }
        }
    }
}

@Composable
private fun ChildHeader(child: ChildSaldo) {
    Column(Modifier.padding(top = 8.dp)) {
        Text(child.name, style = MaterialTheme.typography.titleLarge)
        Text(
            listOf(child.className, child.school).filter { it.isNotBlank() }.joinToString(" · "),
            style = MaterialTheme.typography.bodyMedium,
            color = MaterialTheme.colorScheme.onSurfaceVariant,
        )
    }
}

@Composable
private fun ServiceCard(
    child: ChildSaldo,
    service: ServiceSaldo,
    labels: Labels,
    selected: Boolean,
    onClick: () -> Unit,
    extra: @Composable () -> Unit,
) {
    val colors = if (selected) {
        CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.secondaryContainer)
    } else {
        CardDefaults.cardColors()
    }
    Card(
        colors = colors,
        modifier = Modifier.fillMaxWidth().clickable(onClick = onClick),
    ) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
            Column(
                Modifier.semantics(mergeDescendants = true) {
                    contentDescription = labels.saldoCard(child.name, service.serviceLabel, service.balanceDisplay)
                },
                verticalArrangement = Arrangement.spacedBy(6.dp),
            ) {
                Text(service.serviceLabel, style = MaterialTheme.typography.titleMedium)
                Balance(service, labels)
                ServiceFacts(service, labels)
            }
            extra()
        }
    }
}

@Composable
private fun Balance(service: ServiceSaldo, labels: Labels, modifier: Modifier = Modifier) {
    val color = if (service.inDebt) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface
    Row(modifier, verticalAlignment = Alignment.Bottom, horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        Text(service.balanceDisplay, style = MaterialTheme.typography.headlineMedium, fontWeight = FontWeight.SemiBold, color = color)
        if (service.inDebt) {
            Text(labels.saldoDaSaldare, style = MaterialTheme.typography.titleMedium, color = color, modifier = Modifier.padding(bottom = 3.dp))
        }
    }
}

@Composable
private fun ServiceFacts(service: ServiceSaldo, labels: Labels) {
    service.mealsRemaining?.let { Text(labels.saldoPastiRimanenti(it.toString()), style = MaterialTheme.typography.bodyMedium) }
    service.mealPriceDisplay?.let { Text(labels.saldoCostoPasto(it), style = MaterialTheme.typography.bodyMedium) }
    if (service.lowCredit && !service.inDebt) {
        Surface(
            color = MaterialTheme.colorScheme.tertiaryContainer,
            contentColor = MaterialTheme.colorScheme.onTertiaryContainer,
            shape = MaterialTheme.shapes.small,
        ) {
            Column(Modifier.padding(horizontal = 10.dp, vertical = 6.dp)) {
                Text(labels.saldoCreditoBasso, style = MaterialTheme.typography.labelLarge)
                Text(labels.saldoCreditoBassoDetail, style = MaterialTheme.typography.bodySmall)
            }
        }
    }
}

@Composable
fun Movements(movements: List<MovementView>, labels: Labels) {
    Column(Modifier.fillMaxWidth()) {
        SectionTitle(labels.movimentiTitle)
        if (movements.isEmpty()) {
            Text(labels.movimentiEmpty, style = MaterialTheme.typography.bodyMedium)
        }
        movements.forEachIndexed { index, movement ->
            if (index > 0) HorizontalDivider()
            Row(
                Modifier.fillMaxWidth().padding(vertical = 8.dp).semantics(mergeDescendants = true) {},
                horizontalArrangement = Arrangement.spacedBy(12.dp),
            ) {
                Column(Modifier.weight(1f)) {
                    Text(movement.description, style = MaterialTheme.typography.bodyMedium)
                    Text(movement.dateLabel, style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant)
                }
                Text(
                    movement.amountDisplay,
                    style = MaterialTheme.typography.bodyLarge,
                    color = MaterialTheme.colorScheme.onSurface,
                    textAlign = TextAlign.End,
                )
            }
        }
    }
}
