import ComunicAppCore
import SwiftUI
import UserNotifications

/// The three tabs of a logged-in profile; Ricarica as a sheet, the esito and the avviso over them.
struct HomeScreen: View {
    @Bindable var model: HomeViewModel
    let root: RootViewModel

    var body: some View {
        TabView(selection: $model.tab) {
            SaldoScreen(model: model.saldo, root: root)
                .tabItem { Label("tab_saldo", systemImage: "eurosign.circle") }
                .tag(HomeViewModel.Tab.saldo)
            NavigationStack {
                PagamentiScreen(model: model.pagamenti)
                    .toolbar { ProfilesMenu(root: root) }
            }
            .tabItem { Label("tab_pagamenti", systemImage: "list.bullet.rectangle") }
            .tag(HomeViewModel.Tab.pagamenti)
            NavigationStack {
                ContattiScreen(model: model.contatti)
            }
            .tabItem { Label("tab_contatti", systemImage: "phone") }
            .tag(HomeViewModel.Tab.contatti)
        }
        .task {
            // The notifications the background refresh posts need the parent's consent once.
            _ = try? await UNUserNotificationCenter.current().requestAuthorization(options: [.alert, .sound, .badge])
            await model.start()
        }
        .sheet(item: Binding(get: { model.ricarica.map(Presented.init) }, set: { if $0 == nil { model.closeRicarica() } })) { sheet in
            NavigationStack { RicaricaScreen(model: sheet.model, close: model.closeRicarica) }
        }
        .sheet(item: Binding(get: { model.esito.map(Presented.init) }, set: { if $0 == nil { model.closeEsito() } })) { sheet in
            NavigationStack {
                EsitoScreen(model: sheet.model, close: model.closeEsito) { model.retry(sheet.model) }
            }
        }
        .sheet(item: Binding(get: { model.avviso.map(Presented.init) }, set: { if $0 == nil { model.closeAvviso() } })) { sheet in
            NavigationStack { AvvisoScreen(model: sheet.model, close: model.closeAvviso) }
        }
        .alert(
            Text("errore_titolo"),
            isPresented: Binding(get: { model.error != nil }, set: { if !$0 { model.dismissError() } })
        ) {
            Button("azione_ok") { model.dismissError() }
        } message: {
            if let error = model.error { ErrorMessage(error: error) }
        }
    }
}

/// A view model shown in a sheet: identified by the object, so a new one is a new sheet.
struct Presented<Model: AnyObject>: Identifiable {
    let model: Model
    var id: ObjectIdentifier { ObjectIdentifier(model) }
}
