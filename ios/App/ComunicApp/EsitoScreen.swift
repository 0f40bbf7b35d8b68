import ComunicAppCore
import SwiftUI

/// "Esito del pagamento": the top-up followed live — pagoPA open, payment received and awaiting
/// registration, registered with the new balance, cancelled, failed, expired. The sentence under
/// the title is the core's.
struct EsitoScreen: View {
    let model: EsitoViewModel
    let close: () -> Void
    let retry: () -> Void

    var body: some View {
        List {
            Section {
                Label {
                    Text(title).font(.title3.weight(.semibold))
                } icon: {
                    symbol.foregroundStyle(tint)
                }
                Text(verbatim: model.ricarica.message)
                Field(label: "totale_pagamento", value: model.ricarica.totalDisplay)
                Text(verbatim: model.ricarica.createdLabel).font(.footnote).foregroundStyle(.secondary)
            }
            .accessibilityElement(children: .combine)
            switch model.phase {
            case .inCheckout:
                Section {
                    if model.isInBrowser {
                        ProgressView { Text("checkout_apertura") }
                    } else {
                        Button("checkout_riapri") { Task { await model.openCheckout() } }
                    }
                } footer: {
                    Text("esito_in_attesa_nota")
                }
            case .verifying, .paidAwaitingRegistration:
                Section {
                    ProgressView()
                } footer: {
                    Text("esito_in_attesa_nota")
                }
            case .registered:
                Section {
                    ForEach(Array(model.balances.enumerated()), id: \.offset) { _, balance in
                        VStack(alignment: .leading, spacing: 2) {
                            Text(verbatim: "\(balance.childName) · \(balance.serviceLabel)")
                            Text(verbatim: L("esito_nuovo_saldo", balance.balanceDisplay))
                                .font(.headline)
                                .monospacedDigit()
                                .foregroundStyle(balance.inDebt ? Color.red : Color.primary)
                        }
                        .accessibilityElement(children: .combine)
                    }
                }
            case .cancelled, .failed, .expired:
                Section {
                    Button("esito_riprova", action: retry)
                    Button("esito_torna_al_saldo", action: close)
                }
            case .avvisoIssued:
                if let avviso = model.ricarica.avviso {
                    Section {
                        Field(label: "avviso_codice", value: avviso.noticeNumberDisplay)
                        Field(label: "avviso_importo", value: avviso.amountDisplay)
                        Field(label: "avviso_scadenza", value: avviso.dueDateLabel)
                    } footer: {
                        Text("avviso_in_pagamenti")
                    }
                }
            }
            if let error = model.error {
                ErrorCard(error: error, retry: nil)
            }
        }
        .navigationTitle(Text("esito_title"))
        .navigationBarTitleDisplayMode(.inline)
        .toolbar {
            ToolbarItem(placement: .confirmationAction) {
                Button("azione_chiudi", action: close)
            }
        }
        .task { await model.start() }
    }

    private var title: LocalizedStringKey {
        switch model.phase {
        case .inCheckout: return "checkout_apertura"
        case .verifying: return "esito_in_attesa_title"
        case .paidAwaitingRegistration: return "esito_pagato_title"
        case .registered: return "esito_registrato_title"
        case .cancelled: return "esito_annullato_title"
        case .failed, .expired: return "esito_non_riuscito_title"
        case .avvisoIssued: return "avviso_title"
        }
    }

    private var symbol: Image {
        switch model.phase {
        case .inCheckout, .verifying: return Image(systemName: "hourglass")
        case .paidAwaitingRegistration: return Image(systemName: "checkmark.circle")
        case .registered: return Image(systemName: "checkmark.seal.fill")
        case .cancelled: return Image(systemName: "xmark.circle")
        case .failed, .expired: return Image(systemName: "exclamationmark.octagon")
        case .avvisoIssued: return Image(systemName: "doc.text")
        }
    }

    private var tint: Color {
        switch model.phase {
        case .registered, .paidAwaitingRegistration: return .green
        case .cancelled, .failed, .expired: return .red
        case .inCheckout, .verifying, .avvisoIssued: return .accentColor
        }
    }
}
