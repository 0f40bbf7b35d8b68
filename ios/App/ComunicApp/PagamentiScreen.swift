import ComunicAppCore
import SwiftUI

/// Pagamenti: "Avvisi Pagamento da Pagare", "Ricariche in corso", "Storico" and the receipts, live;
/// "+" starts a ricarica, as from Saldo.
struct PagamentiScreen: View {
    let model: PagamentiViewModel

    var body: some View {
        content
            .navigationTitle(Text("pagamenti_title"))
            .toolbar {
                ToolbarItem(placement: .primaryAction) {
                    Button { model.newRicarica() } label: { Image(systemName: "plus") }
                        .accessibilityLabel(Text("a11y_aggiungi_ricarica"))
                }
            }
            .task { await model.start() }
    }

    @ViewBuilder private var content: some View {
        switch model.phase {
        case .loading:
            ProgressView { Text("caricamento") }
        case let .failed(error):
            ErrorCard(error: error) { await model.refresh() }
                .padding()
        case let .empty(view), let .loaded(view):
            List {
                if model.showsOfflineBanner {
                    OfflineBanner(freshness: view.freshness).listRowInsets(EdgeInsets())
                }
                if let error = model.error, !model.showsOfflineBanner {
                    ErrorCard(error: error) { await model.refresh() }
                }
                Section {
                    if view.avvisiDaPagare.isEmpty {
                        Text("pagamenti_avvisi_empty").foregroundStyle(.secondary)
                    }
                    ForEach(view.avvisiDaPagare, id: \.id) { avviso in
                        Button { model.open(avviso) } label: { AvvisoRow(avviso: avviso) }
                    }
                } header: {
                    Text("pagamenti_avvisi_da_pagare")
                }
                Section {
                    if view.ricaricheInCorso.isEmpty {
                        Text("pagamenti_ricariche_in_corso_empty").foregroundStyle(.secondary)
                    }
                    ForEach(view.ricaricheInCorso, id: \.localId) { ricarica in
                        Button { model.open(ricarica) } label: { RicaricaRow(ricarica: ricarica) }
                    }
                } header: {
                    Text("pagamenti_ricariche_in_corso")
                }
                Section {
                    if view.storico.isEmpty && view.receipts.isEmpty {
                        Text("pagamenti_storico_empty").foregroundStyle(.secondary)
                    }
                    ForEach(view.storico, id: \.localId) { ricarica in
                        Button { model.open(ricarica) } label: { RicaricaRow(ricarica: ricarica) }
                    }
                    ForEach(view.receipts, id: \.id) { receipt in
                        ReceiptRow(receipt: receipt)
                    }
                } header: {
                    Text("pagamenti_storico")
                }
                Text(verbatim: view.freshness.label).font(.footnote).foregroundStyle(.secondary)
            }
            .refreshable { await model.refresh() }
        }
    }
}

struct AvvisoRow: View {
    let avviso: AvvisoView

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            AdaptiveRow {
                Text(verbatim: avviso.description).font(.headline)
            } value: {
                Text(verbatim: avviso.amountDisplay).monospacedDigit()
            }
            Text(verbatim: avviso.noticeNumberDisplay).font(.footnote.monospacedDigit())
            Text(verbatim: L("avviso_scadenza") + ": " + avviso.dueDateLabel).font(.footnote).foregroundStyle(.secondary)
        }
        .accessibilityElement(children: .combine)
    }
}

struct RicaricaRow: View {
    let ricarica: RicaricaView

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Text(verbatim: ricarica.summary).font(.subheadline.weight(.semibold))
            AdaptiveRow {
                Text(verbatim: ricarica.message)
            } value: {
                Text(verbatim: ricarica.totalDisplay).monospacedDigit()
            }
            Text(verbatim: ricarica.createdLabel).font(.footnote).foregroundStyle(.secondary)
        }
        .accessibilityElement(children: .combine)
    }
}

struct ReceiptRow: View {
    let receipt: ReceiptView

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Label("ricevuta", systemImage: "doc.text")
                .font(.footnote)
                .foregroundStyle(.secondary)
            AdaptiveRow {
                Text(verbatim: receipt.description)
            } value: {
                Text(verbatim: receipt.amountDisplay).monospacedDigit()
            }
            Text(verbatim: receipt.paidAtLabel).font(.footnote).foregroundStyle(.secondary)
        }
        .accessibilityElement(children: .combine)
    }
}
