"""Who may ask and how often: API-key authentication, roles and quotas for every endpoint."""
