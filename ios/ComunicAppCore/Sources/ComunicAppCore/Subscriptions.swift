import ComunicAppFFI

// The screens' subscriptions as AsyncStreams: a view model writes `for await view in …` and the
// core task lives exactly as long as that loop. Each stream keeps only the newest view: a screen
// draws the latest state, so a consumer that falls behind (a view off screen, a busy main actor)
// skips the views in between instead of queueing them, and the core, which hands a view over and
// moves on, is never held up by it.

extension ComunicApp {
    /// The Saldo screen as it changes: the cached view at once, then one after every refresh,
    /// return URL, registration, resume or logout, so the screen never asks again nor polls.
    public func saldoUpdates() -> AsyncStream<SaldoView> {
        subscription { subscribeSaldo(listener: SaldoForwarder($0)) }
    }

    /// The Pagamenti screen as it changes, like `saldoUpdates()`.
    public func pagamentiUpdates() -> AsyncStream<PagamentiView> {
        subscription { subscribePagamenti(listener: PagamentiForwarder($0)) }
    }

    /// One top-up as it settles, for the esito screen: after the return URL the core keeps asking
    /// the portal by itself, so the screen only waits for the step it shows. Throws
    /// `ApiError.NotFound` at once for an unknown `localId`, before any stream exists.
    public func ricaricaUpdates(localId: String) throws -> AsyncStream<RicaricaView> {
        try subscription { try subscribeRicarica(localId: localId, listener: RicaricaForwarder($0)) }
    }

    /// The stream ends the core task when its consumer goes: a cancelled `Task`, a loop left with
    /// `break`, or the stream itself released.
    private func subscription<View: Sendable>(
        _ subscribe: (AsyncStream<View>.Continuation) throws -> TaskHandle
    ) rethrows -> AsyncStream<View> {
        let (stream, continuation) = AsyncStream.makeStream(of: View.self, bufferingPolicy: .bufferingNewest(1))
        let handle = try subscribe(continuation)
        continuation.onTermination = { _ in handle.cancel() }
        return stream
    }
}

// The listeners run on a core thread and only hand the view to the stream: `yield` never blocks,
// and does nothing once the consumer is gone. Sendable is checked, not assumed: their one stored
// property, the continuation, is itself Sendable.

private final class SaldoForwarder: SaldoListener {
    private let continuation: AsyncStream<SaldoView>.Continuation

    init(_ continuation: AsyncStream<SaldoView>.Continuation) {
        self.continuation = continuation
    }

    func onUpdate(view: SaldoView) {
        continuation.yield(view)
    }
}

private final class PagamentiForwarder: PagamentiListener {
    private let continuation: AsyncStream<PagamentiView>.Continuation

    init(_ continuation: AsyncStream<PagamentiView>.Continuation) {
        self.continuation = continuation
    }

    func onUpdate(view: PagamentiView) {
        continuation.yield(view)
    }
}

private final class RicaricaForwarder: RicaricaListener {
    private let continuation: AsyncStream<RicaricaView>.Continuation

    init(_ continuation: AsyncStream<RicaricaView>.Continuation) {
        self.continuation = continuation
    }

    func onUpdate(view: RicaricaView) {
        continuation.yield(view)
    }
}
