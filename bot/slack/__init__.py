"""The Slack chat surface on slack-bolt (async): mounting (mount.py), who is asking (identity.py), text commands
(listeners.py), modals and review buttons (workflow.py, modals.py, files.py), Block Kit rendering (blocks.py),
the Notifier (notifier.py) and the one error handler (errors.py). Nothing outside bot/ imports Slack."""
