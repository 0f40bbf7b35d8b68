import Observation
import ComunicAppFFI

/// One dark module of the avviso's QR code, counted in modules from the top left of the drawing
/// (quiet zone included).
public struct QrModule: Hashable, Sendable {
    public let row: Int
    public let column: Int

    public init(row: Int, column: Int) {
        self.row = row
        self.column = column
    }
}

/// The QR code as a Canvas draws it: `side` × `side` modules, the dark ones listed.
public struct QrDrawing: Equatable, Sendable {
    /// The quiet zone of 4 modules around the code that scanners need.
    public static let quietZone = 4
    public let side: Int
    public let dark: [QrModule]

    init(_ matrix: QrMatrix) {
        let size = Int(matrix.size)
        side = size + 2 * Self.quietZone
        dark = matrix.modules.indices.compactMap { index in
            matrix.modules[index]
                ? QrModule(row: index / size + Self.quietZone, column: index % size + Self.quietZone)
                : nil
        }
    }
}

/// The avviso as the screen shows it, from a just-issued top-up or from Pagamenti.
public struct AvvisoContent: Equatable, Sendable {
    public let noticeNumber: String
    /// "3222 0115 1398 5741 81"
    public let noticeNumberDisplay: String
    public let fiscalCode: String
    public let amountDisplay: String
    public let dueDateLabel: String
    public let description: String?
    public let qrPayload: String
    public let cbillCode: String
    public let whereToPay: [String]
    /// What "Condividi avviso" sends: every field, labelled, in the app's language (the core's).
    public let shareText: String

    public init(_ avviso: AvvisoDetails, description: String? = nil) {
        noticeNumber = avviso.noticeNumber
        noticeNumberDisplay = avviso.noticeNumberDisplay
        fiscalCode = avviso.fiscalCode
        amountDisplay = avviso.amountDisplay
        dueDateLabel = avviso.dueDateLabel
        self.description = description
        qrPayload = avviso.qrPayload
        cbillCode = avviso.cbillCode
        whereToPay = avviso.whereToPay
        shareText = avviso.shareText
    }

    public init(_ avviso: AvvisoView) {
        noticeNumber = avviso.noticeNumber
        noticeNumberDisplay = avviso.noticeNumberDisplay
        fiscalCode = avviso.fiscalCode
        amountDisplay = avviso.amountDisplay
        dueDateLabel = avviso.dueDateLabel
        description = avviso.description
        qrPayload = avviso.qrPayload
        cbillCode = avviso.cbillCode
        whereToPay = avviso.whereToPay
        shareText = avviso.shareText
    }
}

/// Avviso: the codice avviso in groups of 4 with copy, CF ente, importo, scadenza, CBILL, where
/// to pay, and the QR code drawn from the core's matrix (no QR library in the app).
@Observable @MainActor
public final class AvvisoViewModel {
    public let avviso: AvvisoContent
    public private(set) var qr: QrDrawing?
    public private(set) var qrError: ScreenError?
    /// "Codice avviso copiato", until the next copy or the screen goes.
    public private(set) var copied = false

    private let pasteboard: Pasteboard

    public init(avviso: AvvisoContent, pasteboard: Pasteboard) {
        self.avviso = avviso
        self.pasteboard = pasteboard
        do {
            qr = QrDrawing(try qrMatrix(payload: avviso.qrPayload))
        } catch {
            qrError = ScreenError(error)
        }
    }

    /// The 18 digits without spaces: what home banking and the tobacconist's terminal take.
    public func copyNoticeNumber() {
        pasteboard.copy(avviso.noticeNumber)
        copied = true
    }
}
