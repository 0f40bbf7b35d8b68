//! Placeholder: wire types of core/api/portale.yaml (issue 3).
