import ComunicAppCore
import SwiftUI

/// The top-up screens before PROSEGUI, render-only: every text and amount comes from the core's
/// views, every tap goes back to the core as a `DraftAction`. The draft is stored by the core, so
/// this view keeps no state of its own but the text being typed. (`RicaricaView` is the core's
/// record of a top-up, hence the `Screen` names here.)
struct RicaricaScreen: View {
    let options: RicaricaOptions
    let draft: DraftView
    let riepilogo: Riepilogo?
    let onAction: (DraftAction) -> Void
    let onChangeEmail: () -> Void
    let onProsegui: () -> Void

    @State private var customText = ""

    var body: some View {
        List {
            switch draft.step {
            case .composing:
                composing
            case .checkingEmail:
                Section {
                    Text(options.emailMessage)
                    Text(draft.payerEmail ?? options.payerEmail).font(.headline)
                    Button(options.changeEmailLabel, action: onChangeEmail)
                    Button("Ricarica") { onAction(.confirmEmail) }.disabled(!options.emailOk)
                    backButton
                }
            case .choosingMode:
                Section {
                    Text(draft.totalLabel).font(.headline)
                    Button("Pagamento OnLine") { onAction(.chooseMode(mode: .online)) }
                    Button("Genera avviso pagamento") { onAction(.chooseMode(mode: .avviso)) }
                    backButton
                }
            case .riepilogo:
                if let riepilogo { riepilogoSection(riepilogo) }
            default:
                Text(draft.totalLabel)
            }
        }
        .navigationTitle("Ricarica")
    }

    @ViewBuilder private var composing: some View {
        // The ente's presets are the same for every service; the first one's are shown.
        Section {
            ForEach(options.children.first?.services.first?.presets ?? [], id: \.amountCents) { preset in
                Button(preset.label) { onAction(.choosePreset(cents: preset.amountCents)) }
            }
            TextField("Ricarica personalizzata", text: $customText)
                .keyboardType(.decimalPad)
            Button("Ricarica personalizzata") { onAction(.chooseCustom(text: customText)) }
                .disabled(customText.isEmpty)
            if let pending = draft.pendingAmountDisplay {
                Text(pending).font(.headline).monospacedDigit()
            }
        }
        ForEach(options.children, id: \.childId) { child in
            Section(child.name) {
                ForEach(child.services, id: \.code) { service in
                    HStack {
                        VStack(alignment: .leading) {
                            Text(service.label)
                            Text(service.limitsDisplay).font(.caption)
                        }
                        Spacer()
                        Button {
                            onAction(.addItem(childId: child.childId, serviceCode: service.code))
                        } label: {
                            Image(systemName: "plus.circle")
                        }
                        .disabled(!draft.canAddItem || draft.pendingAmountCents == nil)
                    }
                }
            }
        }
        Section {
            ForEach(draft.items, id: \.self) { item in
                HStack {
                    Text("\(childName(item.childId)) · \(item.serviceLabel)")
                    Spacer()
                    Text(item.amountDisplay).monospacedDigit()
                    Button {
                        onAction(.removeItem(childId: item.childId, serviceCode: item.serviceCode))
                    } label: {
                        Image(systemName: "minus.circle")
                    }
                }
            }
            Text(draft.totalLabel).font(.headline)
            Button("Ricarica") { onAction(.confirmCart(payerEmail: options.payerEmail)) }
                .disabled(draft.items.isEmpty)
        }
    }

    private func riepilogoSection(_ riepilogo: Riepilogo) -> some View {
        Section(riepilogo.title) {
            Text(riepilogo.dateLabel)
            ForEach(riepilogo.lines, id: \.self) { line in
                VStack(alignment: .leading) {
                    Text("\(line.code) · \(line.serviceLabel)")
                    HStack {
                        Text(line.childName)
                        Spacer()
                        Text(line.amountDisplay).monospacedDigit()
                    }
                }
            }
            Text(riepilogo.totalLabel).font(.headline)
            Text(riepilogo.modeLabel)
            if let fee = riepilogo.fee {
                Text("\(fee.note) \(fee.feeDisplay)")
            }
            Text(riepilogo.commissionNote).font(.footnote)
            HStack {
                Button(riepilogo.backLabel) { onAction(.back) }
                Spacer()
                Button(riepilogo.proceedLabel, action: onProsegui).buttonStyle(.borderedProminent)
            }
        }
    }

    private var backButton: some View {
        Button(riepilogo?.backLabel ?? "INDIETRO") { onAction(.back) }
    }

    private func childName(_ childId: String) -> String {
        options.children.first { $0.childId == childId }?.name ?? childId
    }
}

/// After PROSEGUI: the core's message for the top-up ("Pagamento ricevuto: …", "Ricarica
/// registrata", …) and, for an avviso, everything needed to pay it elsewhere.
struct RicaricaEsitoScreen: View {
    let ricarica: RicaricaView

    var body: some View {
        List {
            Section {
                Text(ricarica.message).font(.headline)
                Text(ricarica.totalDisplay).monospacedDigit()
                Text(ricarica.createdLabel).font(.caption)
            }
            if let avviso = ricarica.avviso {
                Section {
                    Text(avviso.noticeNumberDisplay).font(.title2).monospacedDigit()
                    Text(avviso.fiscalCode)
                    Text(avviso.amountDisplay).font(.headline)
                    Text(avviso.dueDateLabel)
                    Text("CBILL \(avviso.cbillCode)")
                    ForEach(avviso.whereToPay, id: \.self) { place in
                        Text(place)
                    }
                }
            }
        }
    }
}
