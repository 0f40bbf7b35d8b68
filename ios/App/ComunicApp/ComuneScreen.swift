import ComunicAppCore
import SwiftUI

/// "Scegli il tuo comune": a searchable list; the search is the core's.
struct ComuneScreen: View {
    @Bindable var model: ComuneViewModel

    var body: some View {
        List {
            Section {
                ForEach(model.results, id: \.id) { comune in
                    Button {
                        model.choose(comune)
                    } label: {
                        VStack(alignment: .leading, spacing: 2) {
                            Text(verbatim: comune.name).font(.body)
                            Text(verbatim: comune.provincia).font(.footnote).foregroundStyle(.secondary)
                        }
                    }
                    .accessibilityElement(children: .combine)
                }
            } header: {
                Text("comune_intro").textCase(nil)
            }
            if model.showsNoResults {
                Text(verbatim: L("comune_nessun_risultato", model.query))
                    .foregroundStyle(.secondary)
            }
            if let error = model.error {
                ErrorCard(error: error, retry: nil)
            }
        }
        .searchable(text: $model.query, prompt: Text("comune_cerca"))
        .navigationTitle(Text("comune_title"))
    }
}
