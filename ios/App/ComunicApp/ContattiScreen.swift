import ComunicAppCore
import SwiftUI

/// Contatti: "Per maggiori informazioni potete rivolgervi a" the ente's office; a tap dials or
/// writes.
struct ContattiScreen: View {
    let model: ContattiViewModel

    var body: some View {
        List {
            if let contatti = model.contatti {
                Section {
                    Text(verbatim: contatti.officeName).font(.headline)
                    Text(verbatim: contatti.enteName).foregroundStyle(.secondary)
                } header: {
                    Text("contatti_intro").textCase(nil)
                }
                Section {
                    ForEach(contatti.phones, id: \.uri) { phone in
                        Button { model.call(phone) } label: {
                            Label { Text(verbatim: phone.display) } icon: { Image(systemName: "phone") }
                        }
                        .accessibilityLabel(Text(verbatim: L("contatti_chiama_numero", phone.display)))
                    }
                } header: {
                    Text("contatti_telefono")
                }
                Section {
                    Button { model.write() } label: {
                        Label { Text(verbatim: contatti.email) } icon: { Image(systemName: "envelope") }
                    }
                    .accessibilityLabel(Text(verbatim: L("contatti_scrivi_a", contatti.email)))
                } header: {
                    Text("contatti_email")
                }
                Section {
                    Text(verbatim: contatti.hours)
                } header: {
                    Text("contatti_orari")
                }
            } else if model.isLoading {
                ProgressView { Text("caricamento") }
            }
            if let error = model.error {
                ErrorCard(error: error) { await model.load() }
            }
        }
        .navigationTitle(Text("contatti_title"))
        .task { await model.load() }
        .refreshable { await model.load() }
    }
}
