package it.comunicapp.ui

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.layout.widthIn
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import it.comunicapp.core.ffi.ApiException
import it.comunicapp.core.ffi.AvvisoDetails
import it.comunicapp.core.ffi.AvvisoView
import it.comunicapp.core.ffi.QrMatrix
import it.comunicapp.core.ffi.qrMatrix

/**
 * An avviso as the screen shows it, from either place the core gives one: the top-up that
 * generated it ([AvvisoDetails]) or Pagamenti's "Avvisi da pagare" ([AvvisoView]). [qr] is the
 * core's matrix of the payload; null only if the core could not draw it.
 */
data class AvvisoUi(
    val noticeNumber: String,
    val noticeNumberDisplay: String,
    val fiscalCode: String,
    val amountDisplay: String,
    val dueDateLabel: String,
    val cbillCode: String,
    val whereToPay: List<String>,
    val description: String?,
    val childName: String?,
    /** What the share sheet sends, worded by the core in the app's language. */
    val shareText: String,
    val qr: QrMatrix?,
) {
    companion object {
        private fun qrOf(payload: String): QrMatrix? = try {
            qrMatrix(payload)
        } catch (e: ApiException) {
            null
        }

        fun of(a: AvvisoDetails) = AvvisoUi(
            a.noticeNumber, a.noticeNumberDisplay, a.fiscalCode, a.amountDisplay, a.dueDateLabel,
            a.cbillCode, a.whereToPay, description = null, childName = null, shareText = a.shareText, qr = qrOf(a.qrPayload),
        )

        fun of(a: AvvisoView) = AvvisoUi(
            a.noticeNumber, a.noticeNumberDisplay, a.fiscalCode, a.amountDisplay, a.dueDateLabel,
            a.cbillCode, a.whereToPay, a.description, a.childName, shareText = a.shareText, qr = qrOf(a.qrPayload),
        )
    }
}

@Composable
fun AvvisoScreen(
    avviso: AvvisoUi,
    labels: Labels,
    onCopy: (String) -> Unit,
    onShare: () -> Unit,
    modifier: Modifier = Modifier,
) {
    ReadableColumn(modifier) {
        avviso.description?.let { Text(it, style = MaterialTheme.typography.titleMedium) }
        avviso.childName?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
        Card(Modifier.fillMaxWidth()) {
            Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                Text(labels.avvisoCodice, style = MaterialTheme.typography.labelLarge)
                Text(
                    avviso.noticeNumberDisplay,
                    style = MaterialTheme.typography.headlineSmall,
                    fontFamily = FontFamily.Monospace,
                    fontWeight = FontWeight.SemiBold,
                )
                OutlinedButton(onClick = { onCopy(avviso.noticeNumber) }) { Text(labels.avvisoCopia) }
            }
        }
        LabelValue(labels.avvisoImporto, avviso.amountDisplay, strong = true)
        LabelValue(labels.avvisoScadenza, avviso.dueDateLabel)
        LabelValue(labels.avvisoCfEnte, avviso.fiscalCode)
        LabelValue(labels.avvisoCbill, avviso.cbillCode)
        avviso.qr?.let { qr ->
            Box(Modifier.fillMaxWidth().padding(vertical = 8.dp), contentAlignment = Alignment.Center) {
                QrCode(qr, Modifier.size(220.dp).testTag(Tags.QR).semantics { contentDescription = labels.avvisoQr })
            }
        }
        SectionTitle(labels.avvisoDovePagare)
        for (place in avviso.whereToPay) {
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Text("•")
                Text(place, style = MaterialTheme.typography.bodyMedium)
            }
        }
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            Text("•")
            Text(labels.avvisoDoveEsercizi, style = MaterialTheme.typography.bodyMedium)
        }
        Text(labels.avvisoInPagamenti, style = MaterialTheme.typography.bodySmall, modifier = Modifier.padding(top = 8.dp))
        OutlinedButton(onClick = onShare, modifier = Modifier.fillMaxWidth()) { Text(labels.avvisoCondividi) }
    }
}

/** The core's modules, dark on white whatever the theme (scanners want contrast), quiet zone 4. */
@Composable
fun QrCode(qr: QrMatrix, modifier: Modifier = Modifier) {
    val size = qr.size.toInt()
    Canvas(modifier.aspectRatio(1f).background(Color.White)) {
        val module = this.size.minDimension / (size + 8)
        for (row in 0 until size) {
            for (column in 0 until size) {
                if (qr.modules[row * size + column]) {
                    drawRect(
                        Color.Black,
                        topLeft = Offset((column + 4) * module, (row + 4) * module),
                        size = Size(module, module),
                    )
                }
            }
        }
    }
}
