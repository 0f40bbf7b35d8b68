//! The profiles on this device: a parent with children in two comuni keeps one per comune, each
//! with its own cache file and its own keys in the secure storage, isolated as before. Listed
//! without opening any of them (no migration, no network); removed with everything they hold.

use std::path::Path;

use crate::api::dto::Account;
use crate::api::Error;
use crate::auth::{profile_logged_in, profile_secret_keys, SecureStore};
use crate::comuni::ComuniList;
use crate::store;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileInfo {
    pub profile_id: String,
    pub comune_id: String,
    /// "Valenza"; the id when the comune is no longer in the bundled list.
    pub comune_name: String,
    /// "Maria Rossi", from the cache; `None` before the first sync.
    pub parent_name: Option<String>,
    pub logged_in: bool,
}

/// Every profile with a cache file under `data_dir`, sorted by comune name.
pub fn list(data_dir: &Path, secrets: &dyn SecureStore) -> Result<Vec<ProfileInfo>, Error> {
    let comuni = ComuniList::bundled()?;
    let mut profiles = Vec::new();
    for profile in store::profiles_on_disk(data_dir)? {
        // A profile is named after its comune (`SessionOptions::profile` unset).
        let comune_name = comuni
            .get(&profile)
            .map_or_else(|| profile.clone(), |c| c.name.clone());
        let parent_name = store::peek_document::<Account>(data_dir, &profile, "account")?
            .map(|account| format!("{} {}", account.parent.first_name, account.parent.last_name));
        profiles.push(ProfileInfo {
            logged_in: profile_logged_in(secrets, &profile)?,
            comune_id: profile.clone(),
            profile_id: profile,
            comune_name,
            parent_name,
        });
    }
    profiles.sort_by(|a, b| a.comune_name.cmp(&b.comune_name));
    Ok(profiles)
}

/// Deletes the profile's cache file (with its WAL) and its secrets. The profile must not be open;
/// a profile that is not there is an error, so a typo cannot pass for a removal.
pub fn remove(data_dir: &Path, profile: &str, secrets: &dyn SecureStore) -> Result<(), Error> {
    if !store::profiles_on_disk(data_dir)?
        .iter()
        .any(|p| p == profile)
    {
        return Err(Error::invalid("profilo", "profilo non presente"));
    }
    for key in profile_secret_keys(profile) {
        secrets.delete(&key)?;
    }
    store::delete_profile_files(data_dir, profile)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::MemorySecureStore;
    use crate::store::Store;

    #[test]
    fn two_profiles_are_listed_and_one_is_removed_with_its_secrets() {
        let dir = std::env::temp_dir().join(format!(
            "comunicapp-profiles-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        let secrets = MemorySecureStore::new();
        drop(Store::open_profile(&dir, "valenza").unwrap());
        drop(Store::open_profile(&dir, "alessandria").unwrap());
        secrets
            .set("comunicapp.valenza.pending_login", "x")
            .unwrap();
        let listed = list(&dir, &secrets).unwrap();
        let names: Vec<&str> = listed.iter().map(|p| p.comune_name.as_str()).collect();
        assert_eq!(names.len(), 2);
        assert!(listed
            .iter()
            .all(|p| !p.logged_in && p.parent_name.is_none()));
        remove(&dir, "valenza", &secrets).unwrap();
        assert!(secrets.keys().is_empty());
        let left: Vec<String> = list(&dir, &secrets)
            .unwrap()
            .into_iter()
            .map(|p| p.profile_id)
            .collect();
        assert_eq!(left, ["alessandria"]);
        let files: Vec<_> = std::fs::read_dir(dir.join("profiles"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.starts_with("valenza"))
            .collect();
        assert!(files.is_empty(), "{files:?}");
        assert!(remove(&dir, "valenza", &secrets).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
