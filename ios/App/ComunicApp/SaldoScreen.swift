import ComunicAppCore
import SwiftUI

/// Saldo: the children and their services in the sidebar (beside the card on iPad, a stack on
/// iPhone), drawn from the cache at once, pull to refresh, "+" to top up.
struct SaldoScreen: View {
    @Bindable var model: SaldoViewModel
    let root: RootViewModel

    var body: some View {
        NavigationSplitView {
            list
                .navigationTitle(Text("saldo_title"))
                .toolbar {
                    ToolbarItem(placement: .primaryAction) {
                        Button { model.ricarica() } label: { Image(systemName: "plus") }
                            .accessibilityLabel(Text("a11y_aggiungi_ricarica"))
                    }
                    ToolbarItem(placement: .topBarLeading) { ProfilesMenu(root: root) }
                }
        } detail: {
            if let child = model.selectedChild, let service = model.selectedService {
                ServiceDetail(child: child, service: service) {
                    model.ricarica(ServiceSelection(childId: child.childId, serviceCode: service.serviceCode))
                }
            } else {
                Text("saldo_nessuna_selezione")
                    .foregroundStyle(.secondary)
                    .padding()
            }
        }
        .task { await model.start() }
    }

    @ViewBuilder private var list: some View {
        switch model.phase {
        case .loading:
            ProgressView { Text("caricamento") }
        case let .failed(error):
            VStack(spacing: 12) {
                ErrorCard(error: error) { await model.refresh() }
                if error.requiresLogin {
                    Button("accedi") { root.loginAgain() }.buttonStyle(.borderedProminent)
                }
            }
            .padding()
        case let .empty(view):
            VStack(spacing: 12) {
                Text("saldo_empty").font(.headline)
                Text("saldo_empty_detail").foregroundStyle(.secondary)
                Text(verbatim: view.freshness.label).font(.footnote)
            }
            .multilineTextAlignment(.center)
            .padding()
            .refreshable { await model.refresh() }
        case let .loaded(view):
            List(selection: $model.selection) {
                if model.showsOfflineBanner {
                    OfflineBanner(freshness: view.freshness)
                        .listRowInsets(EdgeInsets())
                }
                if let error = model.error, !model.showsOfflineBanner {
                    ErrorCard(error: error) { await model.refresh() }
                    if error.requiresLogin {
                        Button("accedi") { root.loginAgain() }
                    }
                }
                if let year = view.schoolYear {
                    Text(verbatim: L("saldo_anno_scolastico", year)).font(.footnote).foregroundStyle(.secondary)
                }
                ForEach(view.children, id: \.childId) { child in
                    Section {
                        ForEach(child.services, id: \.serviceCode) { service in
                            ServiceCard(child: child, service: service) {
                                model.ricarica(ServiceSelection(childId: child.childId, serviceCode: service.serviceCode))
                            }
                            .tag(ServiceSelection(childId: child.childId, serviceCode: service.serviceCode))
                        }
                    } header: {
                        VStack(alignment: .leading) {
                            Text(verbatim: child.name).font(.headline)
                            Text(verbatim: "\(child.school) · \(child.className)").font(.footnote)
                        }
                        .textCase(nil)
                    }
                }
                Text(verbatim: view.freshness.label)
                    .font(.footnote)
                    .foregroundStyle(.secondary)
            }
            .refreshable { await model.refresh() }
        }
    }
}

/// One child's service: the balance (red and "da saldare" when in debt), meals left, low credit.
struct ServiceCard: View {
    let child: ChildSaldo
    let service: ServiceSaldo
    let ricarica: () -> Void

    var body: some View {
        VStack(alignment: .leading, spacing: 6) {
            AdaptiveRow {
                Text(verbatim: service.serviceLabel).font(.headline)
            } value: {
                Text(verbatim: service.balanceDisplay)
                    .font(.title3.weight(.semibold))
                    .monospacedDigit()
                    .foregroundStyle(service.inDebt ? Color.red : Color.primary)
            }
            if service.inDebt {
                Text("saldo_da_saldare").font(.subheadline).foregroundStyle(.red)
            }
            if let meals = service.mealsRemaining {
                Text(verbatim: L("saldo_pasti_rimanenti", "\(meals)")).font(.subheadline)
            }
            if let price = service.mealPriceDisplay {
                Text(verbatim: L("saldo_costo_pasto", price)).font(.footnote).foregroundStyle(.secondary)
            }
            if service.lowCredit {
                Label("saldo_credito_basso", systemImage: "exclamationmark.circle")
                    .font(.subheadline.weight(.semibold))
                    .foregroundStyle(.orange)
            }
        }
        .padding(.vertical, 4)
        .accessibilityElement(children: .combine)
        .accessibilityLabel(Text(verbatim: L("saldo_card", child.name, service.serviceLabel, service.balanceDisplay)))
        .accessibilityAction(named: Text("a11y_aggiungi_ricarica"), ricarica)
        .swipeActions {
            Button(action: ricarica) { Label("ricarica", systemImage: "plus") }
                .tint(.accentColor)
        }
    }
}

/// The card beside the list on iPad (or pushed on iPhone), with its movements.
struct ServiceDetail: View {
    let child: ChildSaldo
    let service: ServiceSaldo
    let ricarica: () -> Void

    var body: some View {
        List {
            Section {
                ServiceCard(child: child, service: service, ricarica: ricarica)
                if service.lowCredit {
                    Text("saldo_credito_basso_detail").font(.footnote)
                }
                Button(action: ricarica) {
                    Label("ricarica", systemImage: "plus.circle.fill")
                }
                .accessibilityLabel(Text("a11y_aggiungi_ricarica"))
            }
            Section {
                if service.movements.isEmpty {
                    Text("movimenti_empty").foregroundStyle(.secondary)
                }
                ForEach(service.movements, id: \.id) { movement in
                    MovementRow(movement: movement)
                }
            } header: {
                Text("movimenti_title")
            }
        }
        .navigationTitle(Text(verbatim: "\(child.name) · \(service.serviceLabel)"))
    }
}

struct MovementRow: View {
    let movement: MovementView

    var body: some View {
        AdaptiveRow {
            VStack(alignment: .leading, spacing: 2) {
                Text(verbatim: movement.description)
                Text(verbatim: movement.dateLabel).font(.footnote).foregroundStyle(.secondary)
            }
        } value: {
            Text(verbatim: movement.amountDisplay).monospacedDigit()
        }
        .accessibilityElement(children: .combine)
    }
}
