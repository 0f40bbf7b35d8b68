package it.comunicapp.app

import android.app.Activity
import android.content.ActivityNotFoundException
import android.content.ClipData
import android.content.ClipboardManager
import android.content.Context
import android.content.Intent
import android.net.Uri
import androidx.browser.customtabs.CustomTabsIntent
import it.comunicapp.ui.PlatformActions

/**
 * The phone's side of the screens: the portal's login and the pagoPA checkout in a Custom Tab
 * (the system browser, never a WebView: the parent's credentials and card stay out of the app),
 * the dialer and the mail app for the core's `tel:` and `mailto:`, the clipboard, the share sheet.
 */
class AndroidPlatform(private val activity: Activity) : PlatformActions {
    override fun openInBrowser(url: String) {
        val uri = Uri.parse(url)
        try {
            CustomTabsIntent.Builder().setShowTitle(true).build().launchUrl(activity, uri)
        } catch (e: ActivityNotFoundException) {
            // No browser supports Custom Tabs: any browser will do.
            activity.startActivity(Intent(Intent.ACTION_VIEW, uri))
        }
    }

    override fun openUri(uri: String) {
        val parsed = Uri.parse(uri)
        val intent = when (parsed.scheme) {
            "tel" -> Intent(Intent.ACTION_DIAL, parsed)
            "mailto" -> Intent(Intent.ACTION_SENDTO, parsed)
            else -> Intent(Intent.ACTION_VIEW, parsed)
        }
        try {
            activity.startActivity(intent)
        } catch (_: ActivityNotFoundException) {
            // A tablet without a dialer: the number stays on screen to be read.
        }
    }

    override fun copyToClipboard(label: String, text: String) {
        val clipboard = activity.getSystemService(Context.CLIPBOARD_SERVICE) as ClipboardManager
        clipboard.setPrimaryClip(ClipData.newPlainText(label, text))
    }

    override fun share(title: String, text: String) {
        val send = Intent(Intent.ACTION_SEND).setType("text/plain").putExtra(Intent.EXTRA_TEXT, text)
        activity.startActivity(Intent.createChooser(send, title))
    }
}
