import ComunicAppCore
import SwiftUI

/// A text of the String Catalog with its placeholders filled ({1} → %1$@ in the catalog).
func L(_ key: String.LocalizationValue, _ arguments: String...) -> String {
    String(format: String(localized: key), arguments: arguments)
}

/// The core's message of an error, or the catalog's generic one when the core gave none.
struct ErrorMessage: View {
    let error: ScreenError

    var body: some View {
        if error.detail.isEmpty {
            Text("errore_generico")
        } else {
            Text(verbatim: error.detail)
        }
    }
}

/// An error under the content it concerns, with "Riprova" when trying again can help.
struct ErrorCard: View {
    let error: ScreenError
    let retry: (() async -> Void)?

    var body: some View {
        VStack(alignment: .leading, spacing: 8) {
            Label("errore_titolo", systemImage: "exclamationmark.triangle")
                .font(.headline)
            ErrorMessage(error: error)
                .font(.body)
            if error.retryable, let retry {
                Button("azione_riprova") { Task { await retry() } }
                    .buttonStyle(.bordered)
            }
        }
        .frame(maxWidth: .infinity, alignment: .leading)
        .padding()
        .background(.orange.opacity(0.15), in: RoundedRectangle(cornerRadius: 12))
        .accessibilityElement(children: .contain)
    }
}

/// "Nessuna connessione: stai vedendo gli ultimi dati salvati." and the data's age.
struct OfflineBanner: View {
    let freshness: Freshness

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Label("saldo_offline", systemImage: "wifi.slash")
                .font(.subheadline.weight(.semibold))
            Text(verbatim: freshness.label)
                .font(.footnote)
        }
        .frame(maxWidth: .infinity, alignment: .leading)
        .padding(12)
        .background(.yellow.opacity(0.25))
        .accessibilityElement(children: .combine)
    }
}

/// A label and a value side by side, one under the other at the accessibility text sizes, so
/// nothing is cut at 200 %.
struct AdaptiveRow<Label: View, Value: View>: View {
    @Environment(\.dynamicTypeSize) private var typeSize
    @ViewBuilder let label: Label
    @ViewBuilder let value: Value

    var body: some View {
        if typeSize.isAccessibilitySize {
            VStack(alignment: .leading, spacing: 4) {
                label
                value
            }
        } else {
            HStack(alignment: .firstTextBaseline) {
                label
                Spacer(minLength: 12)
                value.multilineTextAlignment(.trailing)
            }
        }
    }
}

/// A field of the avviso or the Riepilogo: its catalog label and the core's value.
struct Field: View {
    let label: LocalizedStringKey
    let value: String

    var body: some View {
        AdaptiveRow {
            Text(label).foregroundStyle(.secondary)
        } value: {
            Text(verbatim: value).monospacedDigit()
        }
        .accessibilityElement(children: .combine)
    }
}
