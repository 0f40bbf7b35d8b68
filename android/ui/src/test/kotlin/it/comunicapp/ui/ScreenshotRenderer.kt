package it.comunicapp.ui

import androidx.compose.ui.ImageComposeScene
import androidx.compose.ui.unit.Density
import org.jetbrains.skia.EncodedImageFormat
import org.junit.jupiter.api.Test
import java.nio.file.Files
import java.nio.file.Path
import kotlin.test.assertTrue

/**
 * Renders every shot to PNG, headless (Skia's software rasterizer, no display): phone and
 * tablet, Italian and English, light and dark, plus the phone at 200 % font scale.
 * Not a test: scripts/android-screenshots.sh runs it with -Dtest=ScreenshotRenderer.
 */
class ScreenshotRenderer {
    private class Device(val name: String, val widthDp: Int, val heightDp: Int, val density: Float, val fontScale: Float = 1f)

    private val phone = Device("telefono", 412, 915, 2f)
    private val tablet = Device("tablet", 1280, 800, 1.25f)
    private val phoneLargeText = Device("telefono-testo200", 412, 915, 2f, fontScale = 2f)

    private val outDir: Path = Path.of(
        System.getProperty("comunicapp.screenshotsDir")?.takeIf { it.isNotBlank() } ?: "build/screenshots/android",
    )

    @Test
    fun `render every screen`() {
        Files.createDirectories(outDir)
        val only = System.getProperty("shots")?.takeIf { it.isNotBlank() }?.let { Regex(it) }
        var written = 0
        for (shot in shots) {
            if (only != null && !only.containsMatchIn(shot.name)) continue
            for (lang in Lang.entries) {
                val samples = Samples(lang)
                val labels = TestLabels.of(lang)
                for (device in listOf(phone, tablet)) {
                    for (dark in listOf(false, true)) {
                        render(shot, samples, labels, device, dark, outDir.resolve("${shot.name}-${lang.name.lowercase()}-${device.name}-${if (dark) "scuro" else "chiaro"}.png"))
                        written++
                    }
                }
                if (lang == Lang.IT) {
                    render(shot, samples, labels, phoneLargeText, false, outDir.resolve("${shot.name}-it-${phoneLargeText.name}-chiaro.png"))
                    written++
                }
            }
        }
        println("screenshots: $written PNG files in $outDir")
        assertTrue(written > 0)
    }

    private fun render(shot: Shot, samples: Samples, labels: Labels, device: Device, dark: Boolean, file: Path) {
        val wide = device.widthDp >= TwoPaneMinWidth.value
        val scene = ImageComposeScene(
            width = (device.widthDp * device.density).toInt(),
            height = (device.heightDp * device.density).toInt(),
            density = Density(device.density, device.fontScale),
        ) {
            ComunicAppTheme(dark = dark) { shot.content(samples, labels, wide) }
        }
        try {
            // A first frame runs the effects; the second draws what they settled, at a fixed time
            // so spinners and the same state always give the same picture.
            // A few frames up to 1.2 s let effects run and menus finish their entrance animation;
            // the fixed times give the same picture for the same state.
            for (frame in 0 until 6) scene.render(frame * 200_000_000L)
            val image = scene.render(1_200_000_000L)
            val png = checkNotNull(image.encodeToData(EncodedImageFormat.PNG)) { "PNG encoding failed for $file" }
            Files.write(file, png.bytes)
        } finally {
            scene.close()
        }
    }
}
