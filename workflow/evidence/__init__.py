"""Evidence: documents attached to cases (checked, cleaned, sealed, stored) and consents."""
