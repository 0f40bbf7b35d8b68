package it.comunicapp.ui

import java.nio.file.Path
import javax.xml.parsers.DocumentBuilderFactory
import org.w3c.dom.Element

/**
 * The labels as the app fills them, read from the same generated strings.xml the Android build
 * packages (values/ Italian, values-en/ English), so a test sees the parent's words.
 */
enum class Lang(val folder: String) { IT("values"), EN("values-en") }

object TestLabels {
    private val resDir: Path
        get() = Path.of(
            System.getProperty("comunicapp.stringsDir")?.takeIf { it.isNotBlank() }
                ?: error("comunicapp.stringsDir not set: run scripts/android-ui-test.sh"),
        )

    private val cache = mutableMapOf<Lang, Map<String, String>>()

    fun strings(lang: Lang): Map<String, String> = cache.getOrPut(lang) {
        val file = resDir.resolve(lang.folder).resolve("strings.xml").toFile()
        val document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file)
        val nodes = document.getElementsByTagName("string")
        (0 until nodes.length).associate { index ->
            val element = nodes.item(index) as Element
            element.getAttribute("name") to unescape(element.textContent)
        }
    }

    fun of(lang: Lang): Labels {
        val strings = strings(lang)
        return Labels { key -> strings[key] ?: error("no string '$key' in ${lang.folder}/strings.xml") }
    }

    /** What Android's resource compiler does with the escapes aapt2 accepts in a string. */
    private fun unescape(text: String): String {
        val out = StringBuilder(text.length)
        var i = 0
        while (i < text.length) {
            val c = text[i]
            if (c == '\\' && i + 1 < text.length) {
                when (val next = text[i + 1]) {
                    'n' -> out.append('\n')
                    't' -> out.append('\t')
                    else -> out.append(next)
                }
                i += 2
            } else {
                out.append(c)
                i++
            }
        }
        return out.toString()
    }
}
