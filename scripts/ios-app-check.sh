#!/usr/bin/env bash
# The iOS app's sources, checked on a machine without SwiftUI (Linux):
#   1. every .swift file under ios/App parses with tree-sitter's Swift grammar with no ERROR and
#      no MISSING node;
#   2. every String Catalog key the views use exists in ios/App/ComunicApp/Localizable.xcstrings
#      with a non-empty text in Italian and in English.
# Before checking the app it checks itself on three small samples — one that does not parse, one
# that uses a key missing from a catalog, one that is fine — and stops if it does not fail on the
# first two and pass the third, so a checker that can no longer fail cannot pass as green.
#
# A key, for this check, is a string literal without interpolation made only of a-z, 0-9 and "_"
# (the keys of copy/app.toml), wherever it appears in ios/App: Text("saldo_title"),
# Button("azione_riprova"), L("saldo_pasti_rimanenti", …), a LocalizedStringKey returned by a
# property. SF Symbol names passed as `systemName:` / `systemImage:` are not keys; any other text
# the views show comes from the core and is written Text(verbatim: …).
#
# tree-sitter and the grammar come from npm into $CACHE_DIR/tree-sitter (once; later runs reuse
# them). --ignore-scripts: both packages ship prebuilt Node addons for linux-x64, and the grammar's
# dependency tree-sitter-cli would otherwise try to download a binary at install time.
#
#   bash scripts/ios-app-check.sh [--root DIR]   (DIR: the repository to check; default this one)
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHECK_ROOT="$REPO_ROOT"
if [[ "${1:-}" == "--root" ]]; then
    CHECK_ROOT="$(cd "${2:?--root needs a folder}" && pwd)"
fi
export CACHE_DIR="${CACHE_DIR:-${HOME:+$HOME/.cache/comunicapp}}"; CACHE_DIR="${CACHE_DIR:-$REPO_ROOT/.cache}"
mkdir -p "$CACHE_DIR"

TREE_SITTER_VERSION=0.22.4       # tree-sitter-swift 0.7.1 asks for tree-sitter ^0.22.1
TREE_SITTER_SWIFT_VERSION=0.7.1
TS_DIR="$CACHE_DIR/tree-sitter"
STAMP="$TS_DIR/.installed-$TREE_SITTER_VERSION-$TREE_SITTER_SWIFT_VERSION"

command -v node >/dev/null && command -v npm >/dev/null || {
    echo "ios-app-check: needs node and npm (apt-get install nodejs npm)" >&2
    exit 1
}

source "$REPO_ROOT/scripts/cache-lock.sh"
cache_lock tree-sitter
if [[ ! -e "$STAMP" ]]; then
    rm -rf "$TS_DIR"
    mkdir -p "$TS_DIR"
    echo '{"name": "comunicapp-ios-app-check", "private": true}' > "$TS_DIR/package.json"
    npm install --prefix "$TS_DIR" --ignore-scripts --no-audit --no-fund --loglevel=error \
        "tree-sitter@$TREE_SITTER_VERSION" "tree-sitter-swift@$TREE_SITTER_SWIFT_VERSION" >/dev/null
    touch "$STAMP"
fi

CHECKER="$TS_DIR/check.js"
cat > "$CHECKER.new" <<'JS'
// node check.js ROOT CATALOG: exit 0 when every .swift under ROOT parses cleanly and uses only
// keys of CATALOG that have Italian and English texts; otherwise one line per problem, exit 1.
const fs = require('fs');
const path = require('path');
const Parser = require('tree-sitter');
const Swift = require('tree-sitter-swift');

const [root, catalogPath] = process.argv.slice(2);
const KEY = /^[a-z][a-z0-9_]*$/;
const SYMBOL_LABELS = new Set(['systemName', 'systemImage']);

function swiftFiles(dir) {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return swiftFiles(full);
        return entry.name.endsWith('.swift') ? [full] : [];
    }).sort();
}

function walk(node, visit) {
    visit(node);
    for (const child of node.children) walk(child, visit);
}

// The label of the argument a literal is the value of (`systemName` in Image(systemName: "x")).
function argumentLabel(literal) {
    const argument = literal.parent;
    if (!argument || argument.type !== 'value_argument') return null;
    const label = argument.childForFieldName('name');
    return label ? label.text : null;
}

function languages(entry) {
    const found = {};
    for (const lang of ['it', 'en']) {
        const value = entry?.localizations?.[lang]?.stringUnit?.value;
        found[lang] = typeof value === 'string' && value.trim() !== '';
    }
    return found;
}

const problems = [];
let catalog = {};
try {
    catalog = JSON.parse(fs.readFileSync(catalogPath, 'utf8')).strings || {};
} catch (error) {
    problems.push(`${catalogPath}: cannot read the String Catalog: ${error.message}`);
}

const parser = new Parser();
parser.setLanguage(Swift);
const files = swiftFiles(root);
if (files.length === 0) problems.push(`${root}: no .swift file to check`);
const used = new Map(); // key -> first place it is used

for (const file of files) {
    const source = fs.readFileSync(file, 'utf8');
    // The Node binding reads the text in chunks of bufferSize: make one chunk hold the file.
    const tree = parser.parse(source, undefined, { bufferSize: Buffer.byteLength(source) * 2 + 1024 });
    const where = (node) => `${path.relative(root, file)}:${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
    walk(tree.rootNode, (node) => {
        if (node.type === 'ERROR') {
            problems.push(`${where(node)}: does not parse: ${JSON.stringify(node.text.slice(0, 80))}`);
        } else if (node.isMissing) {
            problems.push(`${where(node)}: does not parse: missing ${node.type}`);
        }
        if (node.type !== 'line_string_literal') return;
        if (node.children.some((child) => child.type === 'interpolated_expression')) return;
        const text = node.text.slice(1, -1);
        if (!KEY.test(text) || SYMBOL_LABELS.has(argumentLabel(node))) return;
        if (!used.has(text)) used.set(text, where(node));
    });
}

for (const [key, place] of used) {
    const found = languages(catalog[key]);
    if (!(key in catalog)) {
        problems.push(`${place}: key "${key}" is not in ${path.basename(catalogPath)} (add it to copy/app.toml)`);
    } else {
        for (const lang of ['it', 'en']) {
            if (!found[lang]) problems.push(`${place}: key "${key}" has no ${lang} text in the catalog`);
        }
    }
}

if (problems.length > 0) {
    for (const problem of problems) console.log(`ios-app-check: ${problem}`);
    console.log(`ios-app-check: ${problems.length} problem(s) in ${files.length} Swift file(s)`);
    process.exit(1);
}
console.log(`ios-app-check: ${files.length} Swift file(s) parse with no error node; ` +
    `${used.size} catalog key(s) used, each with it and en texts`);
JS
mv "$CHECKER.new" "$CHECKER"

run_checker() {
    NODE_PATH="$TS_DIR/node_modules" node "$CHECKER" "$1" "$2"
}

# --- The checker checked: it must fail on a broken file and on a missing key. -------------------
SAMPLES="$(mktemp -d "${TMPDIR:-/tmp}/ios-app-check.XXXXXX")"
trap 'rm -rf "$SAMPLES"' EXIT
cat > "$SAMPLES/catalog.json" <<'JSON'
{"sourceLanguage": "it", "strings": {
  "saldo_title": {"localizations": {"it": {"stringUnit": {"value": "Saldo"}}, "en": {"stringUnit": {"value": "Balance"}}}},
  "solo_italiano": {"localizations": {"it": {"stringUnit": {"value": "Solo italiano"}}}}
}}
JSON
mkdir -p "$SAMPLES/good" "$SAMPLES/broken" "$SAMPLES/missing" "$SAMPLES/untranslated"
cat > "$SAMPLES/good/Good.swift" <<'SWIFT'
struct Good: View {
    var body: some View { Label("saldo_title", systemImage: "plus") }
}
SWIFT
cat > "$SAMPLES/broken/Broken.swift" <<'SWIFT'
struct Broken: View {
    var body: some View { Text("saldo_title" }
SWIFT
cat > "$SAMPLES/missing/Missing.swift" <<'SWIFT'
struct Missing: View {
    var body: some View { Text("chiave_che_non_esiste") }
}
SWIFT
cat > "$SAMPLES/untranslated/Untranslated.swift" <<'SWIFT'
let title: LocalizedStringKey = "solo_italiano"
SWIFT

expect() { # expect pass|fail SAMPLE WHAT_THE_OUTPUT_MUST_NAME
    local output status=0
    output="$(run_checker "$SAMPLES/$2" "$SAMPLES/catalog.json" 2>&1)" || status=$?
    if [[ "$1" == pass && $status -ne 0 ]] || [[ "$1" == fail && ( $status -eq 0 || "$output" != *"$3"* ) ]]; then
        echo "ios-app-check: self-test: expected the '$2' sample to $1 naming '$3'; got exit $status:" >&2
        echo "$output" >&2
        exit 1
    fi
}
expect pass good ""
expect fail broken "Broken.swift:"
expect fail missing '"chiave_che_non_esiste" is not in'
expect fail untranslated '"solo_italiano" has no en text'
echo "ios-app-check: self-test passed (a broken file, a missing key and a missing language fail)"

# --- The app. ----------------------------------------------------------------------------------
run_checker "$CHECK_ROOT/ios/App" "$CHECK_ROOT/ios/App/ComunicApp/Localizable.xcstrings"
