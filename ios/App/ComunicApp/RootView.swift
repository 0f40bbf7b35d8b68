import ComunicAppCore
import SwiftUI

/// Scelta del comune, Accedi or the tabs, as the root view model says; the profile menu on top.
struct RootView: View {
    let model: RootViewModel

    var body: some View {
        Group {
            switch model.screen {
            case let .comune(comune):
                NavigationStack {
                    ComuneScreen(model: comune)
                        .toolbar { ProfilesMenu(root: model) }
                }
            case let .login(login):
                NavigationStack {
                    LoginScreen(model: login, changeComune: model.chooseComune)
                        .toolbar { ProfilesMenu(root: model) }
                }
            case let .home(home):
                HomeScreen(model: home, root: model)
            }
        }
        .onChange(of: model.profiles.activeProfileId) { _, profileId in
            AppShell.shared.remember(profileId: profileId)
        }
        .alert(
            Text("errore_titolo"),
            isPresented: Binding(get: { model.profiles.error != nil }, set: { if !$0 { model.profiles.dismissError() } })
        ) {
            Button("azione_ok") { model.profiles.dismissError() }
        } message: {
            if let error = model.profiles.error { ErrorMessage(error: error) }
        }
    }
}

/// "Profili": switch, add, remove (with its confirmation).
struct ProfilesMenu: View {
    @Bindable var root: RootViewModel

    var body: some View {
        Menu {
            ForEach(root.profiles.profiles, id: \.profileId) { profile in
                Button {
                    root.switchTo(comuneId: profile.comuneId)
                } label: {
                    if profile.profileId == root.profiles.activeProfileId {
                        Label(profile.comuneName, systemImage: "checkmark")
                    } else {
                        Text(verbatim: profile.comuneName)
                    }
                }
            }
            Divider()
            Button("profilo_aggiungi", systemImage: "plus") { root.chooseComune() }
            if let active = root.profiles.activeProfile {
                Button("profilo_rimuovi", systemImage: "trash", role: .destructive) {
                    root.profiles.askRemoval(active)
                }
            }
        } label: {
            Label("profilo_cambia", systemImage: "person.crop.circle")
        }
        .accessibilityLabel(Text(verbatim: L("profilo_attivo", root.profiles.activeProfile?.comuneName ?? "")))
        .confirmationDialog(
            Text(verbatim: L("profilo_rimuovi_conferma_titolo", root.profiles.removalCandidate?.comuneName ?? "")),
            isPresented: Binding(get: { root.profiles.removalCandidate != nil },
                                 set: { if !$0 { root.profiles.cancelRemoval() } }),
            titleVisibility: .visible
        ) {
            Button("profilo_rimuovi_conferma", role: .destructive) {
                Task { await root.confirmRemoval() }
            }
            Button("azione_annulla", role: .cancel) { root.profiles.cancelRemoval() }
        } message: {
            Text("profilo_rimuovi_conferma_testo")
        }
    }
}
