"""The application without the IOC's dossier-event hook: `bench/dossiers.py --wsgi no_ioc_wsgi` measures what
keeping the operations centre's figures with each event costs the dossier endpoints."""

from mekong.wsgi import application


def _without_ioc_hook() -> None:
    # Imported after the application: the hook module needs Django's apps loaded.
    from mekong.dossiers import hooks
    from mekong.ioc.hooks import COUNTED_COMMANDS, keep_figures

    for command in COUNTED_COMMANDS:
        if keep_figures in hooks._handlers[command]:
            hooks._handlers[command].remove(keep_figures)


_without_ioc_hook()
__all__ = ["application"]
