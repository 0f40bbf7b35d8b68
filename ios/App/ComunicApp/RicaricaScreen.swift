import ComunicAppCore
import SwiftUI

/// "Effettua una ricarica": each step of the core's draft in the sheet's own words — amount and
/// service, the e-mail check, the mode, the Riepilogo with INDIETRO / PROSEGUI. Every text of an
/// amount comes from the core; every tap goes to the view model.
struct RicaricaScreen: View {
    @Bindable var model: RicaricaViewModel
    let close: () -> Void

    var body: some View {
        Form {
            if let error = model.error {
                ErrorCard(error: error, retry: nil)
            }
            switch model.step {
            case .none:
                ProgressView { Text("caricamento") }
            case .composing?:
                composing
            case .checkingEmail?:
                checkingEmail
            case .choosingMode?:
                choosingMode
            case .riepilogo?:
                if let riepilogo = model.riepilogo { RiepilogoSection(riepilogo: riepilogo, model: model) }
            case .some:
                ProgressView()
            }
        }
        .navigationTitle(Text("ricarica_title"))
        .navigationBarTitleDisplayMode(.inline)
        .toolbar {
            ToolbarItem(placement: .cancellationAction) {
                Button("azione_chiudi", action: close)
            }
        }
        .task { await model.load() }
        .sheet(isPresented: Binding(get: { model.emailChange != nil }, set: { if !$0 { model.cancelEmailChange() } })) {
            NavigationStack { EmailChangeSheet(model: model) }
        }
    }

    // MARK: Amount, child, service

    @ViewBuilder private var composing: some View {
        Section {
            ForEach(model.presets, id: \.amountCents) { preset in
                Button {
                    Task { await model.choosePreset(preset) }
                } label: {
                    AdaptiveRow {
                        Text(verbatim: preset.label)
                    } value: {
                        if model.draft?.pendingAmountCents == preset.amountCents && model.customText.isEmpty {
                            Image(systemName: "checkmark").accessibilityHidden(true)
                        }
                    }
                }
                .accessibilityAddTraits(model.draft?.pendingAmountCents == preset.amountCents ? .isSelected : [])
            }
        } header: {
            Text("ricarica_importi_title")
        }
        Section {
            TextField(text: $model.customText, prompt: Text("ricarica_personalizzata_hint")) {
                Text("ricarica_personalizzata")
            }
            .keyboardType(.decimalPad)
            if let error = model.customError {
                ErrorMessage(error: error).font(.footnote).foregroundStyle(.red)
            } else if !model.customText.isEmpty, let pending = model.draft?.pendingAmountDisplay {
                Text(verbatim: pending).font(.headline).monospacedDigit()
            }
        } header: {
            Text("ricarica_personalizzata")
        }
        Section {
            Picker(selection: $model.selectedChildId) {
                ForEach(model.options?.children ?? [], id: \.childId) { child in
                    Text(verbatim: child.name).tag(Optional(child.childId))
                }
            } label: {
                Text("ricarica_bambino")
            }
            Picker(selection: $model.selectedServiceCode) {
                ForEach(model.selectedChild?.services ?? [], id: \.code) { service in
                    Text(verbatim: service.label).tag(Optional(service.code))
                }
            } label: {
                Text("ricarica_servizio")
            }
            if let service = model.selectedService {
                Text(verbatim: service.limitsDisplay).font(.footnote).foregroundStyle(.secondary)
                if model.draft?.canAddItem == true, model.draft?.pendingAmountCents != nil,
                   let child = model.selectedChild {
                    Button {
                        Task { await model.addSelected() }
                    } label: {
                        Label(L("ricarica_aggiungi_voce", service.label, child.name), systemImage: "plus.circle")
                    }
                }
            }
        } header: {
            Text("ricarica_bambino_scegli")
        }
        if let draft = model.draft, !draft.items.isEmpty {
            Section {
                ForEach(draft.items, id: \.self) { item in
                    AdaptiveRow {
                        VStack(alignment: .leading) {
                            Text(verbatim: model.childName(item.childId))
                            Text(verbatim: item.serviceLabel).font(.footnote).foregroundStyle(.secondary)
                        }
                    } value: {
                        Text(verbatim: item.amountDisplay).monospacedDigit()
                    }
                    .accessibilityElement(children: .combine)
                    .swipeActions {
                        Button(role: .destructive) {
                            Task { await model.remove(item) }
                        } label: {
                            Label(L("ricarica_rimuovi_voce", item.serviceLabel), systemImage: "minus.circle")
                        }
                    }
                }
                if !draft.canAddItem {
                    Text(verbatim: L("ricarica_massimo_voci", model.options.map { "\($0.maxItems)" } ?? "")).font(.footnote)
                }
            } header: {
                Text("ricarica_aggiungi_bambino")
            }
        }
        Section {
            if let draft = model.draft {
                Text(verbatim: draft.totalLabel).font(.headline).monospacedDigit()
            }
            Button {
                Task { await model.ricarica() }
            } label: {
                Text("ricarica").frame(maxWidth: .infinity)
            }
            .buttonStyle(.borderedProminent)
        }
    }

    // MARK: E-mail check

    @ViewBuilder private var checkingEmail: some View {
        Section {
            if let options = model.options {
                Text(verbatim: options.emailMessage)
                    .foregroundStyle(options.emailOk ? Color.green : Color.red)
                    .font(.headline)
            }
            if let email = model.payerEmail {
                Text(verbatim: L("email_attuale", email))
            }
            Button("email_modifica") { model.openEmailChange() }
        } header: {
            Text(verbatim: model.draft?.totalLabel ?? "")
        }
        Section {
            Button {
                Task { await model.confirmEmail() }
            } label: {
                Text("prosegui").frame(maxWidth: .infinity)
            }
            .buttonStyle(.borderedProminent)
            .disabled(model.options?.emailOk != true)
            Button("indietro") { Task { await model.back() } }
        }
    }

    // MARK: Mode

    @ViewBuilder private var choosingMode: some View {
        Section {
            Button {
                Task { await model.chooseMode(.online) }
            } label: {
                VStack(alignment: .leading, spacing: 4) {
                    Text("pagamento_online").font(.headline)
                    Text("pagamento_online_detail").font(.footnote).foregroundStyle(.secondary)
                }
            }
            Button {
                Task { await model.chooseMode(.avviso) }
            } label: {
                VStack(alignment: .leading, spacing: 4) {
                    Text("genera_avviso").font(.headline)
                    Text("genera_avviso_detail").font(.footnote).foregroundStyle(.secondary)
                }
            }
        } header: {
            Text("modalita_title")
        } footer: {
            Text("nota_commissione")
        }
        Section {
            Button("indietro") { Task { await model.back() } }
        }
    }
}

/// "Riepilogo Pagamento": data, codice, servizio, bambino, importo, totale, the commission note
/// and the fee estimate when the portal gives one; INDIETRO / PROSEGUI.
struct RiepilogoSection: View {
    let riepilogo: Riepilogo
    let model: RicaricaViewModel

    var body: some View {
        Section {
            Field(label: "riepilogo_data", value: riepilogo.dateLabel)
            Field(label: "riepilogo_modalita", value: riepilogo.modeLabel)
        } header: {
            Text(verbatim: riepilogo.title)
        }
        ForEach(riepilogo.lines, id: \.self) { line in
            Section {
                Field(label: "riepilogo_codice", value: line.code)
                Field(label: "riepilogo_servizio", value: line.serviceLabel)
                Field(label: "riepilogo_bambino", value: line.childName)
                Field(label: "riepilogo_importo", value: line.amountDisplay)
            }
        }
        Section {
            Text(verbatim: riepilogo.totalLabel).font(.title3.weight(.semibold)).monospacedDigit()
            if let fee = riepilogo.fee {
                Field(label: "commissione_stimata", value: fee.feeDisplay)
                Text(verbatim: fee.note).font(.footnote)
            }
            Text(verbatim: riepilogo.commissionNote).font(.footnote).foregroundStyle(.secondary)
        }
        Section {
            Button {
                Task { await model.prosegui() }
            } label: {
                if model.isWorking {
                    ProgressView { Text("checkout_apertura") }.frame(maxWidth: .infinity)
                } else {
                    Text(verbatim: riepilogo.proceedLabel).frame(maxWidth: .infinity)
                }
            }
            .buttonStyle(.borderedProminent)
            .disabled(model.isWorking)
            Button {
                Task { await model.back() }
            } label: {
                Text(verbatim: riepilogo.backLabel).frame(maxWidth: .infinity)
            }
            .disabled(model.isWorking)
        }
    }
}

/// "Modifica la mail": the new address, saved on the portal by the core.
struct EmailChangeSheet: View {
    @Bindable var model: RicaricaViewModel

    var body: some View {
        Form {
            Section {
                TextField(text: Binding(get: { model.emailChange?.typed ?? "" },
                                        set: { model.emailChange?.typed = $0 })) {
                    Text("email_dialog_campo")
                }
                .keyboardType(.emailAddress)
                .textContentType(.emailAddress)
                .textInputAutocapitalization(.never)
                .autocorrectionDisabled()
                if let error = model.emailChange?.error {
                    ErrorMessage(error: error).font(.footnote).foregroundStyle(.red)
                }
            } footer: {
                Text("email_dialog_nota")
            }
        }
        .navigationTitle(Text("email_dialog_title"))
        .toolbar {
            ToolbarItem(placement: .cancellationAction) {
                Button("email_dialog_annulla") { model.cancelEmailChange() }
            }
            ToolbarItem(placement: .confirmationAction) {
                Button("email_dialog_salva") { Task { await model.saveEmail() } }
            }
        }
    }
}
