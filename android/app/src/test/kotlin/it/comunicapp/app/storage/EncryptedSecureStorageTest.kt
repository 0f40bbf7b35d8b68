package it.comunicapp.app.storage

import it.comunicapp.core.ffi.SecureStorageException
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.util.Base64
import java.util.Properties
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The Keystore-backed storage with a JCA key in place of the Android Keystore's: same cipher,
 * same file, run on the JVM (the Keystore itself exists only on a device).
 */
class EncryptedSecureStorageTest {
    @TempDir
    lateinit var dir: File

    private val key: SecretKey = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()
    private val file get() = File(dir, "secure/secrets.properties")
    private fun storage(k: SecretKey = key) = EncryptedSecureStorage(file, { k })

    @Test
    fun `scrive, rilegge e cancella`() {
        val storage = storage()
        assertNull(storage.get("tokens/sandbox"))
        storage.set("tokens/sandbox", "refresh-token-123")
        assertEquals("refresh-token-123", storage.get("tokens/sandbox"))
        // A new instance (the app restarted) reads the same file.
        assertEquals("refresh-token-123", storage().get("tokens/sandbox"))
        storage.delete("tokens/sandbox")
        assertNull(storage().get("tokens/sandbox"))
    }

    @Test
    fun `sul disco nulla in chiaro e ogni scrittura con un IV nuovo`() {
        val storage = storage()
        storage.set("a", "segreto-molto-segreto")
        val first = file.readText()
        assertFalse(first.contains("segreto"), first)
        storage.set("a", "segreto-molto-segreto")
        assertTrue(first != file.readText(), "same value, same name: a fresh IV gives a new ciphertext")
    }

    @Test
    fun `un valore spostato sotto un altro nome non si decifra`() {
        storage().set("tokens/valenza", "t1")
        val entries = Properties().apply { file.inputStream().use(::load) }
        entries.setProperty("tokens/altro", entries.getProperty("tokens/valenza"))
        file.outputStream().use { entries.store(it, null) }
        val e = assertThrows<SecureStorageException.Unavailable> { storage().get("tokens/altro") }
        assertFalse(e.reason.contains("t1"))
        assertEquals("t1", storage().get("tokens/valenza"))
    }

    @Test
    fun `con un'altra chiave o un file rovinato l'archivio e indisponibile, senza rivelare nulla`() {
        storage().set("tokens/sandbox", "refresh-token-123")
        val other = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()
        val wrongKey = assertThrows<SecureStorageException.Unavailable> { storage(other).get("tokens/sandbox") }
        assertFalse(wrongKey.reason.contains("refresh-token"))

        val entries = Properties().apply { file.inputStream().use(::load) }
        entries.setProperty("tokens/sandbox", Base64.getEncoder().encodeToString(ByteArray(5)))
        file.outputStream().use { entries.store(it, null) }
        assertThrows<SecureStorageException.Unavailable> { storage().get("tokens/sandbox") }
    }
}
