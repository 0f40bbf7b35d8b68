"""Tests of scripts/copy.py: `python3 -m unittest discover -s tests/copy` (run by `make test-copy`).

Each test copies copy/app.toml into a temporary tree, runs the script on it with --root, and
proves that --check fails for what it must catch and passes on fresh output.
"""

import json
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ElementTree
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "copy.py"
SOURCE = "copy/app.toml"
ANDROID_IT = "android/app/src/main/res/values/strings.xml"
ANDROID_EN = "android/app/src/main/res/values-en/strings.xml"
IOS_CATALOG = "ios/App/ComunicApp/Localizable.xcstrings"
GENERATED = (ANDROID_IT, ANDROID_EN, IOS_CATALOG)

# Keys the app's current screens use (R.string.*); they must keep existing.
KEPT_KEYS = (
    "app_name", "saldo_title", "ricarica", "saldo_empty", "pagamento_online", "genera_avviso",
    "ricarica_personalizzata", "indietro",
)


def run(root, *args):
    return subprocess.run(
        [sys.executable, "-B", str(SCRIPT), "--root", str(root), *args],
        capture_output=True, text=True, check=False,
    )


def android_unescape(raw):
    """What Android shows for a <string>'s text, from aapt's escaping rules."""
    out, i = [], 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


class CopyTest(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="copy-test-"))
        self.addCleanup(shutil.rmtree, self.tmp)
        (self.tmp / "copy").mkdir()
        shutil.copy(REPO / SOURCE, self.tmp / SOURCE)

    def generate(self):
        result = run(self.tmp)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def append_source(self, text):
        with open(self.tmp / SOURCE, "a", encoding="utf-8") as f:
            f.write("\n" + text)

    def assert_check_fails(self, *expected):
        result = run(self.tmp, "--check")
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        for needle in expected:
            self.assertIn(needle, result.stderr)
        return result

    def snapshot(self):
        return {p: (self.tmp / p).read_bytes() for p in GENERATED if (self.tmp / p).exists()}

    # --- passes on fresh output ----------------------------------------------------------------

    def test_check_passes_on_fresh_output(self):
        self.generate()
        result = run(self.tmp, "--check")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("up to date", result.stdout)

    def test_output_is_byte_identical_run_to_run(self):
        self.generate()
        first = self.snapshot()
        for path in GENERATED:
            (self.tmp / path).unlink()
        self.generate()
        self.assertEqual(self.snapshot(), first)

    def test_the_repository_files_are_fresh(self):
        result = run(REPO, "--check")
        self.assertEqual(result.returncode, 0, result.stderr)

    # --- fails on stale or missing generated files, and writes nothing --------------------------

    def test_check_fails_on_a_stale_file_and_names_it(self):
        self.generate()
        stale = self.tmp / ANDROID_EN
        stale.write_text(stale.read_text(encoding="utf-8").replace("Balance", "Credit"), encoding="utf-8")
        before = self.snapshot()
        result = self.assert_check_fails(ANDROID_EN, "make copy")
        self.assertNotIn(ANDROID_IT, result.stderr)
        self.assertEqual(self.snapshot(), before, "--check must write nothing")

    def test_check_fails_when_the_source_changed_but_not_the_output(self):
        self.generate()
        source = self.tmp / SOURCE
        text = source.read_text(encoding="utf-8")
        source.write_text(text.replace('en = "Custom top-up"', 'en = "Your own amount"'), encoding="utf-8")
        self.assert_check_fails(ANDROID_EN, IOS_CATALOG)

    def test_check_fails_on_a_missing_file_and_writes_nothing(self):
        result = self.assert_check_fails(IOS_CATALOG, ANDROID_IT)
        self.assertIn("missing", result.stderr)
        self.assertEqual(self.snapshot(), {})

    # --- fails on a wrong source ---------------------------------------------------------------

    def test_check_fails_on_a_key_missing_en(self):
        self.generate()
        self.append_source('[solo_italiano]\nit = "Solo in italiano"\ncomment = "test"\n')
        self.assert_check_fails("[solo_italiano]", "misses `en`")

    def test_check_fails_on_a_key_missing_it(self):
        self.generate()
        self.append_source('[only_english]\nen = "English only"\ncomment = "test"\n')
        self.assert_check_fails("[only_english]", "misses `it`")

    def test_check_fails_on_a_placeholder_mismatch(self):
        self.generate()
        self.append_source('[pasti]\nit = "Pasti rimanenti: {1}"\nen = "Meals left: {2}"\ncomment = "test"\n')
        self.assert_check_fails("[pasti]", "placeholders differ", "it has {1}", "en has {2}")

    def test_check_fails_on_a_placeholder_missing_in_one_language(self):
        self.generate()
        self.append_source('[pasti]\nit = "Pasti rimanenti: {1}"\nen = "Meals left"\ncomment = "test"\n')
        self.assert_check_fails("[pasti]", "en has none")

    def test_check_fails_on_a_named_placeholder(self):
        self.generate()
        self.append_source('[pasti]\nit = "Pasti: {pasti}"\nen = "Meals: {pasti}"\ncomment = "test"\n')
        self.assert_check_fails("[pasti]", "not a placeholder")

    def test_check_fails_on_an_empty_text(self):
        self.generate()
        self.append_source('[vuoto]\nit = " "\nen = "Empty"\ncomment = "test"\n')
        self.assert_check_fails("[vuoto]", "`it` is empty")

    def test_check_fails_on_an_invalid_key_name(self):
        self.generate()
        self.append_source('[Saldo-Titolo]\nit = "Saldo"\nen = "Balance"\ncomment = "test"\n')
        self.assert_check_fails("[Saldo-Titolo]", "invalid key name")

    def test_check_fails_on_a_java_keyword_key(self):
        self.generate()
        self.append_source('[new]\nit = "Nuovo"\nen = "New"\ncomment = "test"\n')
        self.assert_check_fails("[new]", "invalid key name")

    def test_check_fails_on_an_unknown_field(self):
        self.generate()
        self.append_source('[chiudi_x]\nit = "Chiudi"\nen = "Close"\nfr = "Fermer"\ncomment = "test"\n')
        self.assert_check_fails("[chiudi_x]", "unknown field `fr`")

    def test_check_fails_on_invalid_toml(self):
        self.generate()
        self.append_source('[rotto\nit = "x"\n')
        self.assert_check_fails("not valid TOML")

    def test_write_refuses_a_wrong_source_and_writes_nothing(self):
        self.append_source('[solo_italiano]\nit = "Solo in italiano"\ncomment = "test"\n')
        result = run(self.tmp)
        self.assertEqual(result.returncode, 1)
        self.assertIn("nothing written", result.stderr)
        self.assertEqual(self.snapshot(), {})

    # --- what is generated ---------------------------------------------------------------------

    def test_android_escaping_and_placeholders(self):
        tricky = {
            "t_apostrofo": ("Scegli l'importo", "Choose the amount"),
            "t_virgolette": ('Premi "Ricarica"', 'Tap "Top up"'),
            "t_chiocciola": ("@comune", "@town"),
            "t_domanda": ("?attr", "?attr"),
            "t_xml": ("Pagamenti > Avvisi & <altro>", "Payments > Notices & <more>"),
            "t_a_capo": ("Riga uno\nriga due", "Line one\nline two"),
            "t_backslash": ("a\\b", "a\\b"),
            "t_percento": ("100% sicuro", "100% safe"),
            "t_percento_formato": ("{1}% di {2}", "{1}% of {2}"),
        }
        self.append_source("".join(
            f"[{key}]\nit = {json.dumps(it)}\nen = {json.dumps(en)}\ncomment = \"test\"\n\n"
            for key, (it, en) in tricky.items()
        ))
        self.generate()
        for lang, path in (("it", ANDROID_IT), ("en", ANDROID_EN)):
            text = (self.tmp / path).read_text(encoding="utf-8")
            self.assertIn("generated by make copy from copy/app.toml", text.splitlines()[1])
            root = ElementTree.fromstring(text.encode("utf-8"))
            strings = {e.get("name"): e for e in root.iter("string")}
            for key, (it, en) in tricky.items():
                raw = strings[key].text
                self.assertNotIn("'", raw.replace("\\'", ""), key)
                self.assertNotIn('"', raw.replace('\\"', ""), key)
                self.assertNotIn("\n", raw, key)
                expected = it if lang == "it" else en
                if "{" in expected:
                    expected = expected.replace("%", "%%")
                    expected = re.sub(r"\{(\d)\}", r"%\1$s", expected)
                self.assertEqual(android_unescape(raw), expected, key)
            self.assertTrue(strings["t_chiocciola"].text.startswith("\\@"))
            self.assertTrue(strings["t_domanda"].text.startswith("\\?"))
            self.assertIn("&amp;", text)
            self.assertIn("&lt;", text)
            # formatted="false" only on a % without placeholders.
            flagged = {k for k, e in strings.items() if e.get("formatted") == "false"}
            self.assertEqual(flagged, {"t_percento"})
            self.assertEqual(strings["t_percento_formato"].text, "%1$s%% di %2$s" if lang == "it" else "%1$s%% of %2$s")

    def test_ios_catalog_shape(self):
        self.generate()
        raw = (self.tmp / IOS_CATALOG).read_text(encoding="utf-8")
        self.assertTrue(raw.endswith("}\n"))
        catalog = json.loads(raw)
        self.assertEqual(catalog["sourceLanguage"], "it")
        self.assertEqual(catalog["version"], "1.0")
        keys = list(catalog["strings"])
        self.assertEqual(keys, sorted(keys))
        for key, entry in catalog["strings"].items():
            self.assertEqual(entry["extractionState"], "manual", key)
            self.assertTrue(entry["comment"], key)
            self.assertEqual(set(entry["localizations"]), {"it", "en"}, key)
            for unit in entry["localizations"].values():
                self.assertEqual(unit["stringUnit"]["state"], "translated", key)
                self.assertTrue(unit["stringUnit"]["value"], key)
        pasti = catalog["strings"]["saldo_pasti_rimanenti"]["localizations"]
        self.assertEqual(pasti["it"]["stringUnit"]["value"], "Pasti rimanenti: %1$@")
        self.assertEqual(pasti["en"]["stringUnit"]["value"], "Meals left: %1$@")
        # Xcode's own layout: 2 spaces, " : ", non-ASCII as is.
        self.assertIn('\n  "sourceLanguage" : "it",\n', raw)
        self.assertIn("✓ Procedi!", raw)

    def test_every_key_reaches_all_three_files(self):
        self.generate()
        catalog = json.loads((self.tmp / IOS_CATALOG).read_text(encoding="utf-8"))
        names = []
        for path in (ANDROID_IT, ANDROID_EN):
            root = ElementTree.parse(self.tmp / path).getroot()
            names.append([e.get("name") for e in root.iter("string")])
        self.assertEqual(names[0], names[1])
        self.assertEqual(sorted(names[0]), sorted(catalog["strings"]))
        self.assertEqual(len(names[0]), len(set(names[0])))

    # --- the repository's copy -----------------------------------------------------------------

    def test_keys_the_screens_use_exist(self):
        self.generate()
        root = ElementTree.parse(self.tmp / ANDROID_IT).getroot()
        names = {e.get("name") for e in root.iter("string")}
        used = set(KEPT_KEYS)
        for folder in ("android/app/src", "android/ui"):
            for source in (REPO / folder).rglob("*.kt") if (REPO / folder).is_dir() else ():
                used |= set(re.findall(r"\bR\.string\.(\w+)", source.read_text(encoding="utf-8")))
        self.assertEqual(sorted(used - names), [], "keys used by the Android sources but not in copy/app.toml")

    def test_sheet_wording_is_verbatim(self):
        self.generate()
        root = ElementTree.parse(self.tmp / ANDROID_IT).getroot()
        italian = {e.get("name"): android_unescape(e.text) for e in root.iter("string")}
        sheet = (REPO.parent / "shared/reference/istruzioni-ricariche-valenza.md")
        if not sheet.is_file():
            self.skipTest("the instruction sheet is not beside this checkout")
        text = sheet.read_text(encoding="utf-8")
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [Clicca qui](#) -> Clicca qui
        text = re.sub(r"\s+", " ", text.replace("**", ""))
        for key in ("email_corretta", "email_modifica", "modalita_title", "pagamento_online",
                    "genera_avviso", "riepilogo_title", "indietro", "prosegui", "nota_commissione",
                    "pagamenti_avvisi_da_pagare", "avviso_dove_tabaccherie", "contatti_ufficio"):
            self.assertIn(italian[key].lower(), text.lower(), key)


if __name__ == "__main__":
    unittest.main()
