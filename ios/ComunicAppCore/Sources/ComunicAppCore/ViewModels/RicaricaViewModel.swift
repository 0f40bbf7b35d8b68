import Observation
import ComunicAppFFI

/// "Per modificare la mail clicca qui": the dialog's typed address and the core's refusal of it.
public struct EmailChange: Equatable, Sendable {
    public var typed: String
    public var error: ScreenError?

    public init(typed: String, error: ScreenError? = nil) {
        self.typed = typed
        self.error = error
    }
}

/// Ricarica, the steps before PROSEGUI: amount, child and service, e-mail check, mode, Riepilogo.
/// The draft is the core's, stored at every tap, so it survives the app being killed; this keeps
/// only what the screen is doing with it (the typed amount, the pickers, the open dialog). Every
/// rule — amount syntax, service limits, the 5-item cart, the e-mail, which step follows — is
/// the core's: a refused tap comes back as the core's error and changes nothing.
@Observable @MainActor
public final class RicaricaViewModel {
    public private(set) var options: RicaricaOptions?
    public private(set) var draft: DraftView?
    public private(set) var riepilogo: Riepilogo?
    /// The last refused tap or failed load, worded by the core.
    public private(set) var error: ScreenError?
    public private(set) var isWorking = false
    /// After PROSEGUI: the top-up, in checkout or with its avviso.
    public private(set) var submitted: RicaricaView?

    /// "Ricarica personalizzata" as typed; the core checks it at every change.
    public var customText = "" {
        didSet { if customText != oldValue { typed(customText) } }
    }
    /// The core's objection to what is typed ("Usa al massimo due decimali"), nil when it is fine.
    public private(set) var customError: ScreenError?
    public var selectedChildId: String?
    public var selectedServiceCode: String?
    public var emailChange: EmailChange?

    private let app: ComunicApp
    private let childIds: [String]
    private let onSubmitted: @MainActor (RicaricaView) -> Void
    /// The taps, one after the other in the order made: the core must see "2", "20", "20,5" in
    /// that order, whatever order its answers would come back in.
    @ObservationIgnored private var tail: Task<Void, Never>?

    public init(app: ComunicApp, childIds: [String], preselected: ServiceSelection? = nil,
                onSubmitted: @escaping @MainActor (RicaricaView) -> Void = { _ in }) {
        self.app = app
        self.childIds = childIds
        self.onSubmitted = onSubmitted
        selectedChildId = preselected?.childId ?? childIds.first
        selectedServiceCode = preselected?.serviceCode
    }

    // MARK: What the screen shows

    public var step: RicaricaStep? { draft?.step }

    public var selectedChild: ChildOptions? {
        options?.children.first { $0.childId == selectedChildId }
    }

    public var selectedService: ServiceOption? {
        selectedChild?.services.first { $0.code == selectedServiceCode } ?? selectedChild?.services.first
    }

    /// "Ricarica da 10 / 20 / 50 / 100 euro", the ente's presets for the service in the picker.
    public var presets: [PresetView] {
        selectedService?.presets ?? options?.children.first?.services.first?.presets ?? []
    }

    /// The address the e-mail check is about: the draft's once confirmed, the portal's before.
    public var payerEmail: String? { draft?.payerEmail ?? options?.payerEmail }

    public func childName(_ childId: String) -> String {
        options?.children.first { $0.childId == childId }?.name ?? childId
    }

    // MARK: Taps

    /// The options for the chosen children and the stored draft, as the app left it.
    public func load() async {
        await serial {
            do {
                self.options = try await self.app.ricaricaOptions(childIds: self.childIds)
                if self.selectedServiceCode == nil {
                    self.selectedServiceCode = self.selectedChild?.services.first?.code
                }
                let draft = try await self.app.ricaricaDraft()
                self.draft = draft
                self.riepilogo = draft.step == .riepilogo ? try await self.app.riepilogo() : nil
                self.error = nil
            } catch {
                self.error = ScreenError(error)
            }
        }
    }

    public func choosePreset(_ preset: PresetView) async {
        customText = ""
        await apply(.choosePreset(cents: preset.amountCents))
    }

    /// "Aggiungi …": the chosen amount for the child and service in the pickers.
    public func addSelected() async {
        guard let child = selectedChildId, let service = selectedService?.code else { return }
        await apply(.addItem(childId: child, serviceCode: service))
    }

    public func remove(_ item: DraftItem) async {
        await apply(.removeItem(childId: item.childId, serviceCode: item.serviceCode))
    }

    /// "Ricarica": an amount still unassigned goes to the pickers' child and service first, as on
    /// the portal (amount, Ricarica, then the service); then the e-mail check.
    public func ricarica() async {
        if draft?.pendingAmountCents != nil {
            await addSelected()
            guard error == nil else { return }
        }
        guard let email = options?.payerEmail else { return }
        await apply(.confirmCart(payerEmail: email))
    }

    /// "✓ Procedi!"
    public func confirmEmail() async {
        await apply(.confirmEmail)
    }

    public func openEmailChange() {
        emailChange = EmailChange(typed: payerEmail ?? "")
    }

    public func cancelEmailChange() {
        emailChange = nil
    }

    /// "Salva": the core updates the address on the portal and in the draft, or says why not.
    public func saveEmail() async {
        guard let typed = emailChange?.typed else { return }
        await serial {
            do {
                self.draft = try await self.app.ricaricaDraftApply(action: .changeEmail(payerEmail: typed))
                self.options = try await self.app.ricaricaOptions(childIds: self.childIds)
                self.emailChange = nil
                self.error = nil
            } catch {
                self.emailChange?.error = ScreenError(error)
            }
        }
    }

    /// "Pagamento OnLine" or "Genera avviso pagamento"; the Riepilogo follows.
    public func chooseMode(_ mode: PaymentMode) async {
        await apply(.chooseMode(mode: mode))
    }

    /// INDIETRO.
    public func back() async {
        await apply(.back)
    }

    /// The parent gives up: the next ricarica starts empty.
    public func discard() async {
        customText = ""
        await apply(.discard)
    }

    /// PROSEGUI: the core stores the top-up, then creates it on the portal.
    public func prosegui() async {
        await serial {
            self.isWorking = true
            defer { self.isWorking = false }
            do {
                let view = try await self.app.submit()
                self.submitted = view
                self.error = nil
                self.onSubmitted(view)
            } catch {
                self.error = ScreenError(error)
            }
        }
    }

    public func dismissError() {
        error = nil
    }

    /// Waits for every tap made so far to be answered (what is typed is sent in the background).
    public func settle() async {
        await tail?.value
    }

    // MARK: Plumbing

    private func typed(_ text: String) {
        guard !text.isEmpty else {
            customError = nil
            return
        }
        // Queued now, not from a later task, so that `settle()` and the next tap come after it.
        enqueue {
            do {
                self.draft = try await self.app.ricaricaDraftApply(action: .chooseCustom(text: text))
                self.customError = nil
            } catch {
                // Only the answer to the latest text counts: an older one is already stale.
                if self.customText == text { self.customError = ScreenError(error) }
            }
        }
    }

    private func apply(_ action: DraftAction) async {
        await serial {
            do {
                let draft = try await self.app.ricaricaDraftApply(action: action)
                self.draft = draft
                self.riepilogo = draft.step == .riepilogo ? try await self.app.riepilogo() : nil
                self.error = nil
            } catch {
                self.error = ScreenError(error)
            }
        }
    }

    /// Runs `work` after every earlier tap has been answered.
    private func serial(_ work: @escaping @MainActor () async -> Void) async {
        await enqueue(work).value
    }

    @discardableResult
    private func enqueue(_ work: @escaping @MainActor () async -> Void) -> Task<Void, Never> {
        let previous = tail
        let next = Task { @MainActor in
            await previous?.value
            await work()
        }
        tail = next
        return next
    }
}
