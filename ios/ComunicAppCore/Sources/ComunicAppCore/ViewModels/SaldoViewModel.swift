import Observation
import ComunicAppFFI

/// One child's service on Saldo, for the iPad's split view and the "+" of a card.
public struct ServiceSelection: Hashable, Sendable {
    public let childId: String
    public let serviceCode: String

    public init(childId: String, serviceCode: String) {
        self.childId = childId
        self.serviceCode = serviceCode
    }
}

/// What a live screen is showing, from the core's freshness and the last refresh.
public enum LivePhase<View: Equatable>: Equatable {
    /// Nothing downloaded yet and the first refresh under way.
    case loading
    /// Nothing downloaded and the refresh failed: the error with "Riprova".
    case failed(ScreenError)
    /// Downloaded, and nothing in it ("Nessun servizio attivo").
    case empty(View)
    case loaded(View)
}

/// Saldo, the home screen: drawn from the cache at once, then redrawn after every change the core
/// makes (refresh, registration, resume). Balances, debt, meals left, low credit, "Dati aggiornati
/// al …" and the offline flag all come worded from the core.
@Observable @MainActor
public final class SaldoViewModel {
    public private(set) var view: SaldoView?
    public private(set) var isRefreshing = false
    /// The last refresh's error; the cached data stays on screen under it.
    public private(set) var error: ScreenError?
    /// The card shown beside the list on iPad.
    public var selection: ServiceSelection?

    private let app: ComunicApp
    private let onRicarica: @MainActor (ServiceSelection?) -> Void

    public init(app: ComunicApp, onRicarica: @escaping @MainActor (ServiceSelection?) -> Void = { _ in }) {
        self.app = app
        self.onRicarica = onRicarica
    }

    public var phase: LivePhase<SaldoView> {
        guard let view else { return .loading }
        if view.freshness.fetchedAt == nil {
            if let error, !isRefreshing { return .failed(error) }
            return .loading
        }
        return view.children.allSatisfy(\.services.isEmpty) ? .empty(view) : .loaded(view)
    }

    /// The offline banner: the last refresh failed, what shows is the cache.
    public var showsOfflineBanner: Bool { view?.freshness.lastRefreshFailed == true }

    public var selectedChild: ChildSaldo? {
        view?.children.first { $0.childId == selection?.childId }
    }

    public var selectedService: ServiceSaldo? {
        selectedChild?.services.first { $0.serviceCode == selection?.serviceCode }
    }

    /// Runs as long as the screen does (`.task`): the core's task ends with it. A stale cache is
    /// refreshed once, behind the cached view already on screen.
    public func start() async {
        var first = true
        for await saldo in app.saldoUpdates() {
            view = saldo
            if first {
                first = false
                if saldo.freshness.stale {
                    Task { await self.refresh() }
                }
            }
        }
    }

    /// Pull to refresh and "Riprova"; the new view arrives through the subscription.
    public func refresh() async {
        guard !isRefreshing else { return }
        isRefreshing = true
        defer { isRefreshing = false }
        error = await app.refreshForScreen()
    }

    public func dismissError() {
        error = nil
    }

    /// The "+" of the toolbar (nil) or of one card.
    public func ricarica(_ selection: ServiceSelection? = nil) {
        onRicarica(selection)
    }
}
