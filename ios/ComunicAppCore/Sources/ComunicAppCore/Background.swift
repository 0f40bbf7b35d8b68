import ComunicAppFFI

/// What BGAppRefreshTask runs: the core refreshes, settles unfinished top-ups and says which
/// notifications to post, each event once; the app only posts them.
public enum BackgroundRefresh {
    /// iOS gives a refresh task about 30 s; the core stops cleanly within the budget.
    public static let budgetMillis: UInt64 = 25_000

    @discardableResult
    public static func run(
        app: ComunicApp, poster: NotificationPoster, budgetMillis: UInt64 = budgetMillis
    ) async throws -> BackgroundReport {
        let report = try await app.runBackground(budgetMillis: budgetMillis)
        for notification in report.notifications {
            try await poster.post(notification)
        }
        return report
    }
}

/// A notification's destination as the strings a UNNotificationContent's userInfo can carry, and
/// back when the parent taps it.
extension Destination {
    public var userInfo: [String: String] {
        switch self {
        case let .saldo(childId, serviceCode):
            return ["destination": "saldo", "childId": childId, "serviceCode": serviceCode]
        case let .ricarica(localId):
            return ["destination": "ricarica", "localId": localId]
        case let .avviso(avvisoId):
            return ["destination": "avviso", "avvisoId": avvisoId]
        case .pagamenti:
            return ["destination": "pagamenti"]
        }
    }

    /// Nil for a userInfo this app did not write (an old or foreign notification).
    public init?(userInfo: [AnyHashable: Any]) {
        func value(_ key: String) -> String? { userInfo[key] as? String }
        switch value("destination") {
        case "saldo":
            guard let child = value("childId"), let service = value("serviceCode") else { return nil }
            self = .saldo(childId: child, serviceCode: service)
        case "ricarica":
            guard let localId = value("localId") else { return nil }
            self = .ricarica(localId: localId)
        case "avviso":
            guard let avvisoId = value("avvisoId") else { return nil }
            self = .avviso(avvisoId: avvisoId)
        case "pagamenti":
            self = .pagamenti
        default:
            return nil
        }
    }
}
