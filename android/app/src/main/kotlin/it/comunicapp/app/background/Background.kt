package it.comunicapp.app.background

import android.content.Context
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.ExistingWorkPolicy
import androidx.work.NetworkType
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import it.comunicapp.app.Environment
import it.comunicapp.app.androidLabels
import it.comunicapp.core.ffi.ApiException
import it.comunicapp.core.ffi.ComunicApp
import it.comunicapp.core.ffi.listProfiles
import java.util.concurrent.TimeUnit

/**
 * WorkManager's side of the core's background entry point: every signed-in profile refreshes,
 * settles its unfinished top-ups and hands back the notifications to post, each only once (the
 * core records what it announced). The budget keeps the run inside WorkManager's window.
 */
class BackgroundWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val context = applicationContext
        val storage = Environment.secureStorage(context)
        val profiles = try {
            listProfiles(Environment.dataDir(context), storage).filter { it.loggedIn }
        } catch (e: ApiException) {
            return Result.retry()
        }
        val labels = androidLabels(context)
        Notifications.createChannels(context, labels)
        var complete = true
        for (profile in profiles) {
            try {
                ComunicApp.open(Environment.dataDir(context), profile.comuneId, storage, Environment.options(context)).use { app ->
                    val report = app.runBackground(BUDGET_MILLIS.toULong())
                    report.notifications.forEach { Notifications.post(context, it) }
                    complete = complete && report.completed
                }
            } catch (e: ApiException) {
                // Offline or logged out: the next run tries again; nothing is half-written.
                complete = false
            }
        }
        return if (complete) Result.success() else Result.retry()
    }

    private companion object {
        // WorkManager stops a worker after 10 minutes; the core needs far less.
        const val BUDGET_MILLIS = 25_000L
    }
}

object Background {
    private const val PERIODIC = "comunicapp.background"
    private const val AFTER_PAYMENT = "comunicapp.after-payment"

    private val online = Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build()

    /** Every hour while the app is installed, when there is a network. */
    fun schedule(context: Context) {
        val request = PeriodicWorkRequestBuilder<BackgroundWorker>(1, TimeUnit.HOURS).setConstraints(online).build()
        WorkManager.getInstance(context).enqueueUniquePeriodicWork(PERIODIC, ExistingPeriodicWorkPolicy.KEEP, request)
    }

    /** Soon after a checkout's return, so a registration is announced even with the app closed. */
    fun afterPayment(context: Context) {
        val request = OneTimeWorkRequestBuilder<BackgroundWorker>()
            .setConstraints(online)
            .setInitialDelay(2, TimeUnit.MINUTES)
            .build()
        WorkManager.getInstance(context).enqueueUniqueWork(AFTER_PAYMENT, ExistingWorkPolicy.REPLACE, request)
    }
}
