import Observation
import ComunicAppFFI

/// A child's service after the top-up, for "Nuovo saldo: …" on the esito screen.
public struct EsitoBalance: Equatable, Sendable {
    public let childName: String
    public let serviceLabel: String
    public let balanceDisplay: String
    public let inDebt: Bool
}

/// Checkout and esito: PROSEGUI's top-up, followed live. The checkout opens in the system browser;
/// the URL it comes back to (or that iOS hands over as a Universal Link) goes to the core, which
/// matches it and asks the portal, then keeps asking by itself until the top-up is registered.
/// The screen only shows the step and the core's message.
@Observable @MainActor
public final class EsitoViewModel {
    /// The steps as the screen groups them.
    public enum Phase: Equatable, Sendable {
        /// In pagoPA, or back without an answer yet: "Riapri pagoPA".
        case inCheckout
        /// Returned, the core is asking the portal.
        case verifying
        /// "Pagamento ricevuto: la ricarica sarà registrata entro 24 ore"
        case paidAwaitingRegistration
        case registered
        case cancelled
        case failed
        case expired
        /// "Genera avviso pagamento": the avviso to pay elsewhere.
        case avvisoIssued
    }

    public private(set) var ricarica: RicaricaView
    public private(set) var balances: [EsitoBalance] = []
    public private(set) var error: ScreenError?
    public private(set) var isInBrowser = false

    private let app: ComunicApp
    private let browser: WebAuthenticator
    /// Right after PROSEGUI the checkout opens by itself; from Pagamenti only on "Riapri pagoPA".
    @ObservationIgnored private var opensCheckout: Bool

    public init(app: ComunicApp, ricarica: RicaricaView, browser: WebAuthenticator, opensCheckout: Bool = false) {
        self.app = app
        self.ricarica = ricarica
        self.browser = browser
        self.opensCheckout = opensCheckout
    }

    public var phase: Phase {
        switch ricarica.step {
        case .composing, .checkingEmail, .choosingMode, .riepilogo, .submitting, .inCheckout:
            return .inCheckout
        case .returned:
            return .verifying
        case .paidAwaitingRegistration:
            return .paidAwaitingRegistration
        case .registered:
            return .registered
        case .cancelled:
            return .cancelled
        case .failed:
            return .failed
        case .expired:
            return .expired
        case .avvisoIssued:
            return .avvisoIssued
        }
    }

    /// The screen's `.task`: opens the checkout when just submitted, and follows the top-up.
    public func start() async {
        let opens = opensCheckout && ricarica.checkout != nil
        opensCheckout = false
        await withTaskGroup(of: Void.self) { group in
            if opens {
                group.addTask { @MainActor in await self.openCheckout() }
            }
            group.addTask { @MainActor in await self.follow() }
        }
    }

    /// Follows the top-up and the Saldo as long as the screen shows.
    public func follow() async {
        let localId = ricarica.localId
        let ricariche: AsyncStream<RicaricaView>
        do {
            ricariche = try app.ricaricaUpdates(localId: localId)
        } catch {
            self.error = ScreenError(error)
            return
        }
        for await view in ricariche {
            ricarica = view
            balances = itemBalances()
        }
    }

    /// PROSEGUI's checkout, or "Riapri pagoPA" after the browser was closed.
    public func openCheckout() async {
        guard let url = ricarica.checkout?.checkoutUrl, !isInBrowser else { return }
        isInBrowser = true
        defer { isInBrowser = false }
        do {
            guard let back = try await browser.open(url: url, callbackScheme: AppLinks.customScheme) else {
                // Closed without coming back: the core still knows the top-up and settles it at
                // the next start (resume_pending); the screen offers to reopen pagoPA.
                return
            }
            await handleReturn(url: back)
        } catch {
            self.error = ScreenError(error)
        }
    }

    /// The return URL, from the browser or from a Universal Link.
    public func handleReturn(url: String) async {
        do {
            let view = try await app.handleReturnUrl(url: url)
            if view.localId == ricarica.localId { ricarica = view }
            error = nil
        } catch {
            self.error = ScreenError(error)
        }
    }

    public func dismissError() {
        error = nil
    }

    /// The new balance is the core's (`balanceAfter…`, set only once the balances are from after
    /// the registration), never Saldo's, which may still be the old one for a moment.
    private func itemBalances() -> [EsitoBalance] {
        ricarica.items.compactMap { item in
            guard let display = item.balanceAfterDisplay, let cents = item.balanceAfterCents else { return nil }
            // Negative is debt, as the portal defines it.
            return EsitoBalance(childName: item.childName ?? "", serviceLabel: item.serviceLabel,
                                balanceDisplay: display, inDebt: cents < 0)
        }
    }
}
