"""The running application: settings, CLI, the aiohttp server and the Slack / Teams adapters."""
