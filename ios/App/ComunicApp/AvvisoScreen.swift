import ComunicAppCore
import SwiftUI

/// "Avviso di pagamento": the codice avviso in groups of 4 with copy, CF ente, importo, scadenza,
/// CBILL, the QR code drawn from the core's matrix, where to pay, and share.
struct AvvisoScreen: View {
    let model: AvvisoViewModel
    let close: () -> Void

    var body: some View {
        List {
            Section {
                if let qr = model.qr {
                    QRCodeView(drawing: qr)
                        .frame(maxWidth: 280)
                        .frame(maxWidth: .infinity)
                        .accessibilityLabel(Text("avviso_qr"))
                } else if let error = model.qrError {
                    ErrorMessage(error: error).foregroundStyle(.secondary)
                }
            }
            Section {
                if let description = model.avviso.description {
                    Text(verbatim: description).font(.headline)
                }
                VStack(alignment: .leading, spacing: 4) {
                    Text("avviso_codice").foregroundStyle(.secondary)
                    Text(verbatim: model.avviso.noticeNumberDisplay)
                        .font(.title2.monospacedDigit())
                        .textSelection(.enabled)
                }
                .accessibilityElement(children: .combine)
                Button {
                    model.copyNoticeNumber()
                } label: {
                    if model.copied {
                        Label("avviso_copiato", systemImage: "checkmark")
                    } else {
                        Label("avviso_copia", systemImage: "doc.on.doc")
                    }
                }
                Field(label: "avviso_cf_ente", value: model.avviso.fiscalCode)
                Field(label: "avviso_importo", value: model.avviso.amountDisplay)
                Field(label: "avviso_scadenza", value: model.avviso.dueDateLabel)
                Field(label: "avviso_cbill", value: model.avviso.cbillCode)
            }
            Section {
                ForEach(model.avviso.whereToPay, id: \.self) { place in
                    Label { Text(verbatim: place) } icon: { Image(systemName: "mappin.and.ellipse") }
                }
            } header: {
                Text("avviso_dove_pagare")
            } footer: {
                Text("avviso_in_pagamenti")
            }
        }
        .navigationTitle(Text("avviso_title"))
        .navigationBarTitleDisplayMode(.inline)
        .toolbar {
            ToolbarItem(placement: .primaryAction) {
                ShareLink(item: model.avviso.shareText) {
                    Label("avviso_condividi", systemImage: "square.and.arrow.up")
                }
            }
            ToolbarItem(placement: .cancellationAction) {
                Button("azione_chiudi", action: close)
            }
        }
    }
}

/// The core's QR matrix drawn module by module: dark on white whatever the appearance, since
/// scanners expect it, with the quiet zone the drawing already counts.
struct QRCodeView: View {
    let drawing: QrDrawing

    var body: some View {
        Canvas { context, size in
            let module = min(size.width, size.height) / CGFloat(drawing.side)
            context.fill(Path(CGRect(origin: .zero, size: size)), with: .color(.white))
            for cell in drawing.dark {
                let rect = CGRect(x: CGFloat(cell.column) * module, y: CGFloat(cell.row) * module,
                                  width: module, height: module)
                context.fill(Path(rect), with: .color(.black))
            }
        }
        .aspectRatio(1, contentMode: .fit)
    }
}
