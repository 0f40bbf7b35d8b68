import Foundation
import ComunicAppCore

/// What a test saw on a stream while waiting for one view: the view, if it came in time, and
/// every view before it, for the failure message.
struct StreamWait<T> {
    let match: T?
    let seen: [T]
}

/// The first view of `stream` that satisfies `predicate`, waiting at most `seconds`. The stream is
/// consumed, so it ends (and its core task with it) when this returns.
func firstView<T: Sendable>(
    of stream: AsyncStream<T>, within seconds: Double, where predicate: @escaping @Sendable (T) -> Bool
) async -> StreamWait<T> {
    let seen = Recorder<T>()
    let match = await withTaskGroup(of: T?.self) { group -> T? in
        group.addTask {
            for await view in stream {
                seen.append(view)
                if predicate(view) { return view }
            }
            return nil
        }
        group.addTask {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
    return StreamWait(match: match, seen: seen.all)
}

/// Checks `condition` every 50 ms for up to `seconds`; true as soon as it holds.
func eventually(within seconds: Double = 5, _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while try !condition() {
        if Date() > deadline { return false }
        try? await Task.sleep(nanoseconds: 50_000_000)
    }
    return true
}

/// A list that core threads and test tasks append to and read from at once.
final class Recorder<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []

    func append(_ item: T) {
        lock.lock(); defer { lock.unlock() }
        items.append(item)
    }

    var all: [T] {
        lock.lock(); defer { lock.unlock() }
        return items
    }

    var count: Int { all.count }
    var last: T? { all.last }
}

/// A flag one task raises and another polls.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false

    func raise() {
        lock.lock(); defer { lock.unlock() }
        raised = true
    }

    var isRaised: Bool {
        lock.lock(); defer { lock.unlock() }
        return raised
    }
}

/// The refezione (or any) balance of one child in a Saldo view; nil when the cache lacks it.
func balance(in view: SaldoView, child: String, service: String) -> Int64? {
    view.children.first { $0.childId == child }?.services.first { $0.serviceCode == service }?.balanceCents
}

/// The id of the one child called `name` in the cache.
func childId(_ app: ComunicApp, named name: String) throws -> String {
    let matching = try app.saldo().children.filter { $0.name == name }
    guard matching.count == 1 else { throw SandboxError.browser("no single child named \(name)") }
    return matching[0].childId
}
