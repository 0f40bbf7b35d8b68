import ComunicAppCore
import SwiftUI

/// "Portale Genitori — Accedi": the login opens in the system browser.
struct LoginScreen: View {
    let model: LoginViewModel
    let changeComune: () -> Void

    var body: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: 20) {
                Text(verbatim: L("login_intro", model.comune.name))
                    .font(.title3)
                Text("login_browser_nota")
                    .foregroundStyle(.secondary)
                switch model.phase {
                case .inProgress:
                    ProgressView { Text("login_in_corso") }
                case .cancelled:
                    Text("login_annullato").foregroundStyle(.secondary)
                case let .failed(error):
                    ErrorCard(error: error, retry: nil)
                case .idle, .loggedIn:
                    EmptyView()
                }
                Button {
                    Task { await model.login() }
                } label: {
                    Text("accedi").frame(maxWidth: .infinity)
                }
                .buttonStyle(.borderedProminent)
                .controlSize(.large)
                .disabled(model.phase == .inProgress)
                Button("comune_cambia", action: changeComune)
            }
            .padding()
        }
        .navigationTitle(Text("login_title"))
    }
}
