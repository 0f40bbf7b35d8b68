package it.comunicapp.app

import android.content.Context
import android.content.pm.ApplicationInfo
import it.comunicapp.app.storage.EncryptedSecureStorage
import it.comunicapp.app.storage.KeystoreKeys
import it.comunicapp.core.ffi.AppOptions
import it.comunicapp.core.ffi.Language
import it.comunicapp.core.ffi.SecureStorage
import it.comunicapp.ui.AppEnvironment
import it.comunicapp.ui.PlatformActions
import java.io.File
import java.util.Locale

/**
 * What the activity and the background worker open the core with. Everything lives under
 * noBackupFilesDir, which Android never backs up nor moves to a new device (the data
 * extraction rules say the same for the rest): the cache is rebuilt from the portal, and the
 * tokens are useless without this device's Keystore key anyway.
 */
object Environment {
    fun dataDir(context: Context): String = File(context.noBackupFilesDir, "comunicapp").apply { mkdirs() }.path

    @Volatile
    private var storage: SecureStorage? = null

    /** One storage per process: the activity and the worker share its lock and its file. */
    fun secureStorage(context: Context): SecureStorage = storage ?: synchronized(this) {
        storage ?: EncryptedSecureStorage(File(context.noBackupFilesDir, "secure/secrets.properties"), KeystoreKeys())
            .also { storage = it }
    }

    /** A debuggable build is a development build: the sandbox comune and plain HTTP to it. */
    fun options(context: Context): AppOptions {
        val development = context.applicationInfo.flags and ApplicationInfo.FLAG_DEBUGGABLE != 0
        return AppOptions(
            development = development,
            // The host's loopback as the Android emulator sees it (make sandbox).
            sandboxUrl = if (development) "http://10.0.2.2:8787" else null,
            redirectUri = null,
            // Development builds have no verified App Link domain: the custom scheme returns.
            customSchemeReturns = development,
            returnUrlBase = null,
            language = language(),
        )
    }

    /** The same choice Android makes between values-en/ and values/ (Italian). */
    fun language(): Language = if (Locale.getDefault().language == "en") Language.ENGLISH else Language.ITALIAN

    fun app(context: Context, platform: PlatformActions) =
        AppEnvironment(dataDir(context), secureStorage(context), options(context), platform)
}
