import Observation
import ComunicAppFFI

/// The platform pieces the screens of a profile use.
public struct Platform {
    public let browser: WebAuthenticator
    public let opener: URLOpener
    public let pasteboard: Pasteboard

    public init(browser: WebAuthenticator, opener: URLOpener, pasteboard: Pasteboard) {
        self.browser = browser
        self.opener = opener
        self.pasteboard = pasteboard
    }
}

/// A logged-in profile: the three tabs (Saldo, Pagamenti, Contatti) and the screens they open —
/// Ricarica as a sheet, the esito and the avviso over it. Also where a return URL, a notification
/// tap and the start of the app land.
@Observable @MainActor
public final class HomeViewModel {
    public enum Tab: Hashable, Sendable {
        case saldo, pagamenti, contatti
    }

    public var tab: Tab = .saldo
    public let saldo: SaldoViewModel
    public let pagamenti: PagamentiViewModel
    public let contatti: ContattiViewModel
    /// The Ricarica sheet, while it is open.
    public var ricarica: RicaricaViewModel?
    public var esito: EsitoViewModel?
    public var avviso: AvvisoViewModel?
    /// A return URL the core refused, or a failed resume.
    public private(set) var error: ScreenError?

    public let app: ComunicApp
    private let platform: Platform

    public init(app: ComunicApp, platform: Platform) {
        self.app = app
        self.platform = platform
        // The children's callbacks reach back through a weak box: the children live inside self.
        let router = Router()
        saldo = SaldoViewModel(app: app) { router.home?.startRicarica($0) }
        pagamenti = PagamentiViewModel(
            app: app,
            onAvviso: { router.home?.showAvviso(AvvisoContent($0)) },
            onRicarica: { router.home?.showEsito($0, opensCheckout: false) },
            onNewRicarica: { router.home?.startRicarica(nil) })
        contatti = ContattiViewModel(app: app, opener: platform.opener)
        router.home = self
    }

    /// At every start: the core settles what an app closed mid-payment left unfinished and keeps
    /// following it; the screens see the outcome through their subscriptions.
    public func start() async {
        do {
            _ = try await app.resumePending()
        } catch {
            self.error = ScreenError(error)
        }
    }

    /// "+" on Saldo (a card's child and service, or none) and on Pagamenti.
    public func startRicarica(_ selection: ServiceSelection?) {
        let children = (try? app.saldo().children.map(\.childId)) ?? []
        let router = Router()
        ricarica = RicaricaViewModel(app: app, childIds: children, preselected: selection) { submitted in
            router.home?.submitted(submitted)
        }
        router.home = self
    }

    public func closeRicarica() {
        ricarica = nil
    }

    /// PROSEGUI answered: online, the esito follows the checkout; avviso, its screen.
    func submitted(_ view: RicaricaView) {
        ricarica = nil
        if view.mode == .avviso, let details = view.avviso {
            showAvviso(AvvisoContent(details))
        } else {
            showEsito(view, opensCheckout: true)
        }
    }

    public func showEsito(_ view: RicaricaView, opensCheckout: Bool) {
        esito = EsitoViewModel(app: app, ricarica: view, browser: platform.browser, opensCheckout: opensCheckout)
    }

    public func showAvviso(_ content: AvvisoContent) {
        avviso = AvvisoViewModel(avviso: content, pasteboard: platform.pasteboard)
    }

    /// "Riprova il pagamento" after a cancelled or failed payment: a new ricarica for the same
    /// child and service (the old top-up stays in the Storico as it ended).
    public func retry(_ esito: EsitoViewModel) {
        let first = esito.ricarica.items.first
        self.esito = nil
        startRicarica(first.map { ServiceSelection(childId: $0.childId, serviceCode: $0.serviceCode) })
    }

    public func closeEsito() {
        esito = nil
    }

    public func closeAvviso() {
        avviso = nil
    }

    /// A pagoPA return that reached the app outside the browser session: a Universal Link
    /// (`onContinueUserActivity`) or the custom scheme (`onOpenURL`).
    public func handleIncoming(url: String) async {
        if let esito {
            await esito.handleReturn(url: url)
            return
        }
        do {
            showEsito(try await app.handleReturnUrl(url: url), opensCheckout: false)
            error = nil
        } catch {
            self.error = ScreenError(error)
        }
    }

    /// A tapped notification: the screen it names.
    public func open(_ destination: Destination) {
        switch destination {
        case let .saldo(childId, serviceCode):
            tab = .saldo
            saldo.selection = ServiceSelection(childId: childId, serviceCode: serviceCode)
        case let .ricarica(localId):
            if let view = try? app.ricariche().first(where: { $0.localId == localId }) {
                showEsito(view, opensCheckout: false)
            }
        case let .avviso(avvisoId):
            tab = .pagamenti
            if let avviso = try? app.pagamenti().avvisiDaPagare.first(where: { $0.id == avvisoId }) {
                showAvviso(AvvisoContent(avviso))
            }
        case .pagamenti:
            tab = .pagamenti
        }
    }

    public func dismissError() {
        error = nil
    }
}

@MainActor
private final class Router {
    weak var home: HomeViewModel?
}
