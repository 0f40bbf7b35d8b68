package it.comunicapp.app

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import it.comunicapp.core.Money

/** One balance line as the core hands it over; the screen formats nothing itself. */
data class SaldoRow(val id: String, val child: String, val service: String, val balance: Money) {
    companion object {
        /** Placeholder until the core's session exposes balances; amounts still go through the core. */
        fun placeholder() = listOf(
            SaldoRow("1", "Giulia", "Refezione buono pasto", Money(2050)),
            SaldoRow("2", "Marco", "Scuolabus", Money(-340)),
        )
    }
}

@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun SaldoScreen(rows: List<SaldoRow>, onRicarica: () -> Unit = {}) {
    Scaffold(topBar = { TopAppBar(title = { Text(stringResource(R.string.saldo_title)) }) }) { padding ->
        Column(Modifier.fillMaxSize().padding(padding).padding(16.dp)) {
            if (rows.isEmpty()) {
                Text(stringResource(R.string.saldo_empty))
            }
            LazyColumn(Modifier.weight(1f)) {
                items(rows, key = { it.id }) { row ->
                    Column(Modifier.padding(vertical = 8.dp)) {
                        Text(row.child, style = MaterialTheme.typography.titleMedium)
                        Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.SpaceBetween) {
                            Text(row.service)
                            Text(row.balance.display)
                        }
                    }
                    HorizontalDivider()
                }
            }
            Button(onClick = onRicarica, modifier = Modifier.fillMaxWidth()) {
                Text(stringResource(R.string.ricarica))
            }
        }
    }
}
