import Observation
import ComunicAppFFI

/// Pagamenti: "Avvisi Pagamento da Pagare", "Ricariche in corso", "Storico" and the receipts, live
/// like Saldo. A tap opens the avviso or the top-up's esito; "+" starts a ricarica.
@Observable @MainActor
public final class PagamentiViewModel {
    public private(set) var view: PagamentiView?
    public private(set) var isRefreshing = false
    public private(set) var error: ScreenError?

    private let app: ComunicApp
    private let onAvviso: @MainActor (AvvisoView) -> Void
    private let onRicarica: @MainActor (RicaricaView) -> Void
    private let onNewRicarica: @MainActor () -> Void

    public init(app: ComunicApp,
                onAvviso: @escaping @MainActor (AvvisoView) -> Void = { _ in },
                onRicarica: @escaping @MainActor (RicaricaView) -> Void = { _ in },
                onNewRicarica: @escaping @MainActor () -> Void = {}) {
        self.app = app
        self.onAvviso = onAvviso
        self.onRicarica = onRicarica
        self.onNewRicarica = onNewRicarica
    }

    public var phase: LivePhase<PagamentiView> {
        guard let view else { return .loading }
        if view.freshness.fetchedAt == nil {
            if let error, !isRefreshing { return .failed(error) }
            return .loading
        }
        let nothing = view.avvisiDaPagare.isEmpty && view.ricaricheInCorso.isEmpty
            && view.storico.isEmpty && view.receipts.isEmpty
        return nothing ? .empty(view) : .loaded(view)
    }

    public var showsOfflineBanner: Bool { view?.freshness.lastRefreshFailed == true }

    public func start() async {
        var first = true
        for await pagamenti in app.pagamentiUpdates() {
            view = pagamenti
            if first {
                first = false
                if pagamenti.freshness.stale {
                    Task { await self.refresh() }
                }
            }
        }
    }

    public func refresh() async {
        guard !isRefreshing else { return }
        isRefreshing = true
        defer { isRefreshing = false }
        error = await app.refreshForScreen()
    }

    public func dismissError() {
        error = nil
    }

    public func open(_ avviso: AvvisoView) {
        onAvviso(avviso)
    }

    public func open(_ ricarica: RicaricaView) {
        onRicarica(ricarica)
    }

    public func newRicarica() {
        onNewRicarica()
    }
}
