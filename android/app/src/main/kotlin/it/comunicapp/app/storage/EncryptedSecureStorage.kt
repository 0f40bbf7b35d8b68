package it.comunicapp.app.storage

import it.comunicapp.core.ffi.SecureStorage
import it.comunicapp.core.ffi.SecureStorageException
import java.io.File
import java.security.GeneralSecurityException
import java.util.Base64
import java.util.Properties
import javax.crypto.Cipher
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/** Where the AES key comes from: the Android Keystore in the app, a JCA key in the tests. */
fun interface KeyProvider {
    fun key(): SecretKey
}

/**
 * The core's secrets (its tokens) encrypted with AES-GCM under a key that never leaves its
 * provider, in one file of the app's private storage that the data extraction rules keep out of
 * backups and device transfers. Each value has its own random IV, and the entry's name is bound
 * to it as associated data, so a value moved under another name fails to decrypt. Nothing of a
 * value or a key reaches a log or an exception message.
 */
class EncryptedSecureStorage(private val file: File, private val keys: KeyProvider) : SecureStorage {
    @Synchronized
    override fun get(key: String): String? {
        val sealed = load().getProperty(key) ?: return null
        return guarded("read") {
            val bytes = Base64.getDecoder().decode(sealed)
            require(bytes.size > IV_BYTES) { "entry too short" }
            val cipher = Cipher.getInstance(TRANSFORMATION)
            cipher.init(Cipher.DECRYPT_MODE, keys.key(), GCMParameterSpec(TAG_BITS, bytes, 0, IV_BYTES))
            cipher.updateAAD(key.toByteArray(Charsets.UTF_8))
            String(cipher.doFinal(bytes, IV_BYTES, bytes.size - IV_BYTES), Charsets.UTF_8)
        }
    }

    @Synchronized
    override fun set(key: String, value: String) {
        val sealed = guarded("write") {
            // The provider picks a fresh random IV (the Android Keystore insists on doing so).
            val cipher = Cipher.getInstance(TRANSFORMATION)
            cipher.init(Cipher.ENCRYPT_MODE, keys.key())
            val iv = cipher.iv
            check(iv.size == IV_BYTES) { "unexpected IV size" }
            cipher.updateAAD(key.toByteArray(Charsets.UTF_8))
            Base64.getEncoder().encodeToString(iv + cipher.doFinal(value.toByteArray(Charsets.UTF_8)))
        }
        val entries = load()
        entries.setProperty(key, sealed)
        store(entries)
    }

    @Synchronized
    override fun delete(key: String) {
        val entries = load()
        if (entries.remove(key) != null) store(entries)
    }

    private fun load(): Properties = Properties().also { entries ->
        if (file.exists()) guarded("read") { file.inputStream().use(entries::load) }
    }

    /** Written beside the file and renamed over it, so a crash leaves the old file or the new. */
    private fun store(entries: Properties) = guarded("write") {
        file.parentFile?.mkdirs()
        val scratch = File(file.path + ".new")
        scratch.outputStream().use { entries.store(it, null) }
        if (!scratch.renameTo(file)) {
            file.delete()
            check(scratch.renameTo(file)) { "rename failed" }
        }
    }

    /** The core sees "unavailable" and a reason that names the operation, never the data. */
    private fun <T> guarded(operation: String, block: () -> T): T = try {
        block()
    } catch (e: GeneralSecurityException) {
        throw SecureStorageException.Unavailable("cannot $operation the secure storage (${e.javaClass.simpleName})")
    } catch (e: java.io.IOException) {
        throw SecureStorageException.Unavailable("cannot $operation the secure storage (${e.javaClass.simpleName})")
    } catch (e: IllegalArgumentException) {
        throw SecureStorageException.Unavailable("cannot $operation the secure storage (corrupt entry)")
    } catch (e: IllegalStateException) {
        throw SecureStorageException.Unavailable("cannot $operation the secure storage (${e.javaClass.simpleName})")
    }

    private companion object {
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val IV_BYTES = 12
        const val TAG_BITS = 128
    }
}
