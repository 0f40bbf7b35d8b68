package it.comunicapp.app.background

import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.os.Build
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import it.comunicapp.app.MainActivity
import it.comunicapp.core.ffi.Destination
import it.comunicapp.core.ffi.LocalNotification
import it.comunicapp.core.ffi.NotificationKind
import it.comunicapp.ui.Labels

/**
 * The core's notifications on Android's channels: credit (low or in debt) and payments (a top-up
 * registered, an avviso due). Title and text are the core's, in the app's language; a tap opens
 * the screen the core named, carried in the intent's extras.
 */
object Notifications {
    private const val CREDIT = "credito"
    private const val PAYMENTS = "pagamenti"

    private const val EXTRA_DESTINATION = "it.comunicapp.destination"
    private const val EXTRA_CHILD = "it.comunicapp.child_id"
    private const val EXTRA_SERVICE = "it.comunicapp.service_code"
    private const val EXTRA_ID = "it.comunicapp.id"

    fun createChannels(context: Context, labels: Labels) {
        if (Build.VERSION.SDK_INT < 26) return
        val manager = context.getSystemService(NotificationManager::class.java)
        manager.createNotificationChannel(
            NotificationChannel(CREDIT, labels.notificheCreditoBasso, NotificationManager.IMPORTANCE_DEFAULT)
                .apply { description = labels.notificheCreditoBassoDescrizione },
        )
        manager.createNotificationChannel(
            NotificationChannel(PAYMENTS, labels.notifichePagamenti, NotificationManager.IMPORTANCE_DEFAULT)
                .apply { description = labels.notifichePagamentiDescrizione },
        )
    }

    fun post(context: Context, notification: LocalNotification) {
        val manager = NotificationManagerCompat.from(context)
        // No permission (Android 13+ asks): nothing to post; the core will not announce it again.
        if (!manager.areNotificationsEnabled()) return
        val channel = when (notification.kind) {
            NotificationKind.CREDIT_LOW, NotificationKind.CREDIT_IN_DEBT -> CREDIT
            NotificationKind.RICARICA_REGISTERED, NotificationKind.AVVISO_DUE_SOON -> PAYMENTS
        }
        val tap = Intent(context, MainActivity::class.java)
            .addFlags(Intent.FLAG_ACTIVITY_NEW_TASK or Intent.FLAG_ACTIVITY_CLEAR_TOP)
            .also { put(it, notification.destination) }
        val pending = PendingIntent.getActivity(
            context, notification.numericId, tap, PendingIntent.FLAG_UPDATE_CURRENT or PendingIntent.FLAG_IMMUTABLE,
        )
        val built = NotificationCompat.Builder(context, channel)
            .setSmallIcon(android.R.drawable.stat_notify_more)
            .setContentTitle(notification.title)
            .setContentText(notification.body)
            .setStyle(NotificationCompat.BigTextStyle().bigText(notification.body))
            .setContentIntent(pending)
            .setAutoCancel(true)
            .build()
        try {
            manager.notify(notification.numericId, built)
        } catch (_: SecurityException) {
            // The permission was withdrawn between the check and the post.
        }
    }

    private fun put(intent: Intent, destination: Destination) {
        when (destination) {
            is Destination.Saldo -> intent.putExtra(EXTRA_DESTINATION, "saldo")
                .putExtra(EXTRA_CHILD, destination.childId).putExtra(EXTRA_SERVICE, destination.serviceCode)
            is Destination.Ricarica -> intent.putExtra(EXTRA_DESTINATION, "ricarica").putExtra(EXTRA_ID, destination.localId)
            is Destination.Avviso -> intent.putExtra(EXTRA_DESTINATION, "avviso").putExtra(EXTRA_ID, destination.avvisoId)
            Destination.Pagamenti -> intent.putExtra(EXTRA_DESTINATION, "pagamenti")
        }
    }

    /** The screen a tapped notification names, or null for any other intent. */
    fun destinationOf(intent: Intent): Destination? {
        val id = intent.getStringExtra(EXTRA_ID)
        return when (intent.getStringExtra(EXTRA_DESTINATION)) {
            "saldo" -> {
                val child = intent.getStringExtra(EXTRA_CHILD) ?: return null
                val service = intent.getStringExtra(EXTRA_SERVICE) ?: return null
                Destination.Saldo(child, service)
            }
            "ricarica" -> id?.let { Destination.Ricarica(it) }
            "avviso" -> id?.let { Destination.Avviso(it) }
            "pagamenti" -> Destination.Pagamenti
            else -> null
        }
    }
}
