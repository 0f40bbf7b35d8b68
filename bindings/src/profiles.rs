//! The profiles on the device, listed and removed without opening them.

use std::path::Path;
use std::sync::Arc;

use comunicapp_core::profiles;

use crate::error::ApiError;
use crate::session::{ForeignSecureStore, SecureStorage};

#[derive(Debug, Clone, uniffi::Record)]
pub struct ProfileInfo {
    pub profile_id: String,
    pub comune_id: String,
    pub comune_name: String,
    pub parent_name: Option<String>,
    pub logged_in: bool,
}

impl From<profiles::ProfileInfo> for ProfileInfo {
    fn from(p: profiles::ProfileInfo) -> Self {
        ProfileInfo {
            profile_id: p.profile_id,
            comune_id: p.comune_id,
            comune_name: p.comune_name,
            parent_name: p.parent_name,
            logged_in: p.logged_in,
        }
    }
}

/// Every profile on the device (one per comune), for the profile switcher.
#[uniffi::export]
pub fn list_profiles(
    data_dir: String,
    secure_storage: Arc<dyn SecureStorage>,
) -> Result<Vec<ProfileInfo>, ApiError> {
    let secrets = ForeignSecureStore(secure_storage);
    Ok(profiles::list(Path::new(&data_dir), &secrets)?
        .into_iter()
        .map(ProfileInfo::from)
        .collect())
}

/// Removes a profile that is not open: its cache file and its secrets.
#[uniffi::export]
pub fn remove_profile(
    data_dir: String,
    profile_id: String,
    secure_storage: Arc<dyn SecureStorage>,
) -> Result<(), ApiError> {
    let secrets = ForeignSecureStore(secure_storage);
    Ok(profiles::remove(
        Path::new(&data_dir),
        &profile_id,
        &secrets,
    )?)
}
