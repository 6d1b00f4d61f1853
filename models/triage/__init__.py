"""Case triage (繁简分流): the case record, the difficulty model, lanes, alerts, groups."""
