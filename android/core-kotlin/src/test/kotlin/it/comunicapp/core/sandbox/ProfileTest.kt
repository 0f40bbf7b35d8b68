package it.comunicapp.core.sandbox

import it.comunicapp.core.ffi.listProfiles
import it.comunicapp.core.ffi.removeProfile
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.nio.file.Files
import java.nio.file.Path
import kotlin.io.path.isRegularFile
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * The profile chooser and "Rimuovi profilo", with the app closed: what a data folder holds is read
 * and removed without opening a comune. One sandbox gives one comune, so one profile.
 */
class ProfileTest {
    private val storage = InMemorySecureStorage()

    @TempDir
    lateinit var tempDir: Path

    private fun filesIn(dir: Path): List<Path> = Files.walk(dir).use { paths -> paths.filter { it.isRegularFile() }.toList() }

    @Test
    fun `il profilo della sandbox si elenca e si rimuove senza lasciare nulla`() {
        val dataDir = Files.createTempDirectory(tempDir, "data")
        runBlocking { Sandbox.loggedIn(dataDir, storage).use { it.refresh() } }

        val profiles = listProfiles(dataDir.toString(), storage)
        val profile = profiles.singleOrNull() ?: throw AssertionError("$profiles")
        assertEquals(Sandbox.COMUNE_ID, profile.comuneId)
        assertTrue(profile.comuneName.isNotBlank(), "$profile")
        assertTrue(profile.parentName?.contains("Maria") == true, "$profile")
        assertTrue(profile.loggedIn, "$profile")

        removeProfile(dataDir.toString(), profile.profileId, storage)
        assertEquals(emptyList(), listProfiles(dataDir.toString(), storage))
        assertEquals(emptyList(), filesIn(dataDir))
        assertEquals(emptyList(), storage.keys().filter { it.startsWith("comunicapp.") }, "the tokens go with the profile")
    }
}
