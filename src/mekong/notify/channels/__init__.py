"""Notification channels: `base.Channel`, the `registry`, and the built-in ones under `contrib/`."""
