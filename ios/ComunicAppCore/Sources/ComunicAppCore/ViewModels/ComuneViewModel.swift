import Observation
import ComunicAppFFI

/// "Scelta del comune": the list filtered as the parent types. The search (word starts, provincia,
/// no case or accents) is the core's; the screen keeps only what is typed.
@Observable @MainActor
public final class ComuneViewModel {
    public var query = "" {
        didSet { search() }
    }
    public private(set) var results: [ComuneInfo] = []
    public private(set) var error: ScreenError?

    private let development: Bool
    private let onChosen: @MainActor (ComuneInfo) -> Void

    public init(development: Bool, onChosen: @escaping @MainActor (ComuneInfo) -> Void) {
        self.development = development
        self.onChosen = onChosen
        search()
    }

    /// "Nessun comune trovato per «…»" shows when something is typed and nothing matches.
    public var showsNoResults: Bool {
        error == nil && results.isEmpty && !query.isEmpty
    }

    public func choose(_ comune: ComuneInfo) {
        onChosen(comune)
    }

    private func search() {
        do {
            results = try searchComuni(query: query, development: development)
            error = nil
        } catch {
            results = []
            self.error = ScreenError(error)
        }
    }
}
