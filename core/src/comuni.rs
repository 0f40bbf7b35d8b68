//! The comuni the app can connect to, and where each one's portal lives. The parent picks the
//! comune first; the list ships with the app and can be replaced by a newer one fetched later.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::api::{check_url, Error};

const BUNDLED: &str = include_str!("comuni.json");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comune {
    /// Stable id, also the default profile name: `[a-z0-9-]`.
    pub id: String,
    pub name: String,
    /// Sigla della provincia, e.g. "AL".
    pub provincia: String,
    pub portal_url: Url,
    /// The development sandbox: offered only in development builds, its URL configurable.
    #[serde(default)]
    pub sandbox: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComuniList {
    pub version: u32,
    pub comuni: Vec<Comune>,
}

impl ComuniList {
    /// The list built into the app.
    pub fn bundled() -> Result<Self, Error> {
        Self::from_json(BUNDLED)
    }

    /// A list fetched from outside, validated before it may replace the current one: ids unique
    /// and well formed, names present, real portals on HTTPS.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let list: ComuniList =
            serde_json::from_str(json).map_err(|e| Error::invalid("comuni", e.to_string()))?;
        list.validate()?;
        Ok(list)
    }

    /// Replaces this list with `json` only when it is valid and not older.
    pub fn refresh_from_json(&mut self, json: &str) -> Result<(), Error> {
        let newer = Self::from_json(json)?;
        if newer.version < self.version {
            return Err(Error::invalid(
                "comuni",
                "elenco più vecchio di quello in uso",
            ));
        }
        *self = newer;
        Ok(())
    }

    fn validate(&self) -> Result<(), Error> {
        if self.comuni.is_empty() {
            return Err(Error::invalid("comuni", "elenco vuoto"));
        }
        let mut seen = HashSet::new();
        for comune in &self.comuni {
            let id_ok = !comune.id.is_empty()
                && comune.id.len() <= 64
                && comune
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !id_ok || !seen.insert(comune.id.as_str()) {
                return Err(Error::invalid(
                    "comuni",
                    format!("id non valido: {}", comune.id),
                ));
            }
            if comune.name.trim().is_empty() {
                return Err(Error::invalid(
                    "comuni",
                    format!("nome mancante: {}", comune.id),
                ));
            }
            // Only the sandbox may point at plain-HTTP loopback, and only the sandbox may be
            // outside HTTPS at all.
            check_url(&comune.portal_url, comune.sandbox)?;
        }
        Ok(())
    }

    /// The comuni a parent may pick: the sandbox only in development builds.
    pub fn selectable(&self, development: bool) -> Vec<&Comune> {
        self.comuni
            .iter()
            .filter(|c| development || !c.sandbox)
            .collect()
    }

    /// "Scelta del comune" as the parent types: every word of `query` starts a word of the
    /// comune's name or is its provincia, ignoring case and accents ("casale", "MONF", "al").
    /// An empty query lists them all, sorted by name.
    pub fn search(&self, query: &str, development: bool) -> Vec<&Comune> {
        let words: Vec<String> = query.split_whitespace().map(fold).collect();
        let mut found: Vec<&Comune> = self
            .selectable(development)
            .into_iter()
            .filter(|c| {
                let name = fold(&c.name);
                let name_words: Vec<&str> = name
                    .split(|ch: char| !ch.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .collect();
                words.iter().all(|w| {
                    name_words.iter().any(|n| n.starts_with(w.as_str())) || fold(&c.provincia) == *w
                })
            })
            .collect();
        found.sort_by_key(|c| fold(&c.name));
        found
    }

    pub fn get(&self, id: &str) -> Option<&Comune> {
        self.comuni.iter().find(|c| c.id == id)
    }

    /// Points the sandbox entry at where the sandbox runs now (another port, the emulator's
    /// 10.0.2.2, …).
    pub fn set_sandbox_url(&mut self, url: Url) -> Result<(), Error> {
        check_url(&url, true)?;
        let sandbox = self
            .comuni
            .iter_mut()
            .find(|c| c.sandbox)
            .ok_or_else(|| Error::invalid("comuni", "nessuna sandbox nell'elenco"))?;
        sandbox.portal_url = url;
        Ok(())
    }
}

/// Lower case without the accents Italian names carry ("Forlì" → "forli").
fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' => 'a',
            'è' | 'é' | 'ê' => 'e',
            'ì' | 'í' | 'î' => 'i',
            'ò' | 'ó' | 'ô' => 'o',
            'ù' | 'ú' | 'û' => 'u',
            other => other,
        })
        .collect()
}

impl Comune {
    /// A sandbox comune at `url`, for tests and the demo.
    pub fn sandbox(url: Url) -> Result<Self, Error> {
        let mut list = ComuniList::bundled()?;
        list.set_sandbox_url(url)?;
        list.comuni
            .into_iter()
            .find(|c| c.sandbox)
            .ok_or_else(|| Error::invalid("comuni", "nessuna sandbox nell'elenco"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_list_has_valenza_and_its_neighbours_and_hides_the_sandbox_in_release() {
        let list = ComuniList::bundled().unwrap();
        let names: Vec<&str> = list
            .selectable(false)
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names, ["Valenza", "Alessandria", "Casale Monferrato"]);
        assert_eq!(list.selectable(true).len(), 4);
        assert_eq!(list.get("valenza").unwrap().portal_url.scheme(), "https");
    }

    #[test]
    fn the_sandbox_url_is_configurable_but_only_to_loopback_or_https() {
        let mut list = ComuniList::bundled().unwrap();
        list.set_sandbox_url(Url::parse("http://10.0.2.2:9000/").unwrap())
            .unwrap();
        assert_eq!(
            list.get("sandbox").unwrap().portal_url.as_str(),
            "http://10.0.2.2:9000/"
        );
        assert!(list
            .set_sandbox_url(Url::parse("http://192.168.0.3:9000/").unwrap())
            .is_err());
    }

    #[test]
    fn a_fetched_list_replaces_the_current_one_only_when_valid() {
        let mut list = ComuniList::bundled().unwrap();
        let good = r#"{"version": 2, "comuni": [{"id": "valenza", "name": "Valenza",
            "provincia": "AL", "portal_url": "https://portale.valenza.example/"}]}"#;
        let bad = [
            r#"{"version": 3, "comuni": []}"#,
            r#"{"version": 3, "comuni": [{"id": "Valenza", "name": "V", "provincia": "AL",
                "portal_url": "https://x.example/"}]}"#,
            r#"{"version": 3, "comuni": [{"id": "a", "name": "A", "provincia": "AL",
                "portal_url": "https://x.example/"}, {"id": "a", "name": "B", "provincia": "AL",
                "portal_url": "https://y.example/"}]}"#,
            r#"{"version": 3, "comuni": [{"id": "a", "name": " ", "provincia": "AL",
                "portal_url": "https://x.example/"}]}"#,
            r#"{"version": 3, "comuni": [{"id": "a", "name": "A", "provincia": "AL",
                "portal_url": "http://127.0.0.1/"}]}"#,
            r#"{"version": 3, "comuni": [{"id": "a", "name": "A", "provincia": "AL",
                "portal_url": "http://portale.example/", "sandbox": true}]}"#,
            r#"{"version": 3}"#,
            "not json",
        ];
        for json in bad {
            let before = list.clone();
            assert!(list.refresh_from_json(json).is_err(), "{json}");
            assert_eq!(list, before);
        }
        list.refresh_from_json(good).unwrap();
        assert_eq!(list.comuni.len(), 1);
        assert_eq!(list.version, 2);
        let older = good.replace("\"version\": 2", "\"version\": 1");
        assert!(list.refresh_from_json(&older).is_err());
    }

    #[test]
    fn search_matches_word_starts_and_provincia_without_case_or_accents() {
        let list = ComuniList::bundled().unwrap();
        let names = |query: &str| -> Vec<String> {
            list.search(query, false)
                .into_iter()
                .map(|c| c.name.clone())
                .collect()
        };
        assert_eq!(names("monf"), ["Casale Monferrato"]);
        assert_eq!(names("  VALEN "), ["Valenza"]);
        assert_eq!(names("al"), ["Alessandria", "Casale Monferrato", "Valenza"]);
        assert_eq!(names(""), ["Alessandria", "Casale Monferrato", "Valenza"]);
        assert!(names("roma").is_empty());
        assert!(names("sandbox").is_empty(), "no sandbox in a release build");
        assert_eq!(list.search("sand", true).len(), 1);
        assert_eq!(fold("Forlì Città"), "forli citta");
    }
}
