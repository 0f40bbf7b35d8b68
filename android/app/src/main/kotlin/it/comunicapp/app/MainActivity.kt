package it.comunicapp.app

import android.Manifest
import android.content.Intent
import android.content.pm.PackageManager
import android.os.Build
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.OnBackPressedCallback
import androidx.activity.compose.setContent
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.isSystemInDarkTheme
import androidx.core.content.ContextCompat
import androidx.lifecycle.ViewModelProvider
import it.comunicapp.app.background.Background
import it.comunicapp.app.background.Notifications
import it.comunicapp.ui.ComunicAppTheme
import it.comunicapp.ui.ComunicAppUi

/**
 * The one activity. Its content is the shared UI (android/ui); here only what Android does:
 * the links the system hands over (the login's redirect and the checkout's return, by App Link
 * or custom scheme, through onNewIntent since the activity is singleTask), the back button,
 * notification taps, and the background work's schedule.
 */
class MainActivity : ComponentActivity() {
    private lateinit var model: ComunicAppViewModel

    private val askNotifications = registerForActivityResult(ActivityResultContracts.RequestPermission()) {
        // Refused: the app works the same, the parent only misses the alerts.
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        model = ViewModelProvider(this)[ComunicAppViewModel::class.java]
        model.platform.attach(this)
        val labels = androidLabels(this)
        Notifications.createChannels(this, labels)
        setContent {
            ComunicAppTheme(dark = isSystemInDarkTheme()) {
                ComunicAppUi(model.controller, labels, model.platform)
            }
        }
        onBackPressedDispatcher.addCallback(this, object : OnBackPressedCallback(true) {
            override fun handleOnBackPressed() {
                if (!model.controller.onBack()) finish()
            }
        })
        // A recreated activity already handled its intent before the configuration change.
        if (savedInstanceState == null) handle(intent)
        Background.schedule(this)
        if (Build.VERSION.SDK_INT >= 33 &&
            ContextCompat.checkSelfPermission(this, Manifest.permission.POST_NOTIFICATIONS) != PackageManager.PERMISSION_GRANTED
        ) {
            askNotifications.launch(Manifest.permission.POST_NOTIFICATIONS)
        }
    }

    // singleTask: the browser's return lands here rather than in a new activity.
    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        handle(intent)
    }

    override fun onResume() {
        super.onResume()
        // Back from a Custom Tab closed without a link: the core settles what is pending.
        model.controller.onResume()
    }

    override fun onDestroy() {
        model.platform.detach(this)
        super.onDestroy()
    }

    private fun handle(intent: Intent) {
        val link = intent.data
        if (intent.action == Intent.ACTION_VIEW && link != null) {
            // The link carries no outcome: the core decides what it is and asks the portal.
            model.controller.onIncomingUrl(link.toString())
            // After a payment the worker settles it even if the parent leaves the app now.
            Background.afterPayment(this)
        }
        Notifications.destinationOf(intent)?.let(model.controller::onDestination)
    }
}
