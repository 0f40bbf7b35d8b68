import ComunicAppCore
import SwiftUI

/// One balance line as the core hands it over; the view formats nothing itself.
struct SaldoRow: Identifiable {
    let id: String
    let child: String
    let service: String
    let balance: Money
}

extension SaldoRow {
    /// Placeholder until the core's session exposes balances; amounts still go through the core.
    static var placeholder: [SaldoRow] {
        [
            SaldoRow(id: "1", child: "Giulia", service: "Refezione buono pasto",
                     balance: Money(cents: 2050)),
            SaldoRow(id: "2", child: "Marco", service: "Scuolabus",
                     balance: Money(cents: -340)),
        ]
    }
}

struct SaldoView: View {
    let rows: [SaldoRow]

    var body: some View {
        List(rows) { row in
            VStack(alignment: .leading, spacing: 4) {
                Text(row.child).font(.headline)
                HStack {
                    Text(row.service)
                    Spacer()
                    Text(row.balance.display).monospacedDigit()
                }
            }
        }
        .overlay {
            if rows.isEmpty { Text("Nessun servizio attivo") }
        }
        .navigationTitle("Saldo")
        .toolbar {
            Button("Ricarica") {}
        }
    }
}

#Preview {
    NavigationStack { SaldoView(rows: SaldoRow.placeholder) }
}
