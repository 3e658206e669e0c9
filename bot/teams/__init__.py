"""Microsoft Teams: the botbuilder adapter (every botbuilder type of the project lives in this package)."""
