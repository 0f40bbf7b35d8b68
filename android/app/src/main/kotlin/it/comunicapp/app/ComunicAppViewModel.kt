package it.comunicapp.app

import android.app.Activity
import android.app.Application
import androidx.lifecycle.AndroidViewModel
import it.comunicapp.ui.AppController
import it.comunicapp.ui.PlatformActions
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel

/**
 * Keeps the app's controller (the open profile, its presenters and subscriptions) across
 * rotations and other configuration changes; the core's tasks end with it.
 */
class ComunicAppViewModel(application: Application) : AndroidViewModel(application) {
    val platform = ForwardingPlatform()
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Main.immediate)
    val controller = AppController(Environment.app(application, platform), scope).also { it.start() }

    override fun onCleared() {
        controller.close()
        scope.cancel()
    }
}

/** Custom Tabs and the share sheet need the activity on screen now; the view model outlives it. */
class ForwardingPlatform : PlatformActions {
    private var target: AndroidPlatform? = null
    private var owner: Activity? = null

    fun attach(activity: Activity) {
        owner = activity
        target = AndroidPlatform(activity)
    }

    fun detach(activity: Activity) {
        if (owner === activity) {
            owner = null
            target = null
        }
    }

    override fun openInBrowser(url: String) { target?.openInBrowser(url) }
    override fun openUri(uri: String) { target?.openUri(uri) }
    override fun copyToClipboard(label: String, text: String) { target?.copyToClipboard(label, text) }
    override fun share(title: String, text: String) { target?.share(title, text) }
}
