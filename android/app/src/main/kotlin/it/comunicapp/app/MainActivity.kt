package it.comunicapp.app

import android.content.Intent
import android.net.Uri
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.compose.material3.MaterialTheme

class MainActivity : ComponentActivity() {
    /**
     * The checkout's last return URL. It carries no outcome: it goes to the core, which matches it
     * to the pending top-up and asks the portal (`ComunicApp.handleReturnUrl`). The app shell does
     * not open a ComunicApp yet: wiring it here is the next step for the Android app.
     */
    private var lastReturnUrl: Uri? = null

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        lastReturnUrl = intent.returnUrl()
        setContent {
            MaterialTheme {
                SaldoScreen(rows = SaldoRow.placeholder())
            }
        }
    }

    // singleTask: the browser's return lands here rather than in a new activity.
    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        lastReturnUrl = intent.returnUrl()
    }

    private fun Intent.returnUrl(): Uri? = if (action == Intent.ACTION_VIEW) data else null
}
